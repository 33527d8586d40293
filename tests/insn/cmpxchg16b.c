/* cmpxchg16b.c -- difftest of cmpxchg16b (single-threaded: success and
 * failure, each half differing alone, ZF set or cleared with the other
 * flags kept in both input states; memory and RDX:RAX afterwards), and
 * the #GP (SIGSEGV) of a misaligned operand, memory left unchanged.  A
 * CPU without CX16 (CPUID.1:ECX bit 13) runs only the refusal (ud_main). */
#include <setjmp.h>
#include <signal.h>

#include "insn.h"
#include "ud_case.h"

INSN_TEST(cmpxchg16b)
{
    static uint64_t mem[2] __attribute__((aligned(16)));
    for (unsigned i = 0; i < INSN_NVALUES; i++)
        for (unsigned k = 0; k < 4; k++)
            for (unsigned f = 0; f < 2; f++) {
                uint64_t v = insn_value(i), w = insn_value((i * 7 + 3) % INSN_NVALUES);
                mem[0] = v;
                mem[1] = w;
                uint64_t rax = k & 1 ? v ^ 1 : v, rdx = k & 2 ? w + 1 : w;
                uint64_t rbx = ~v, rcx = w * 3, fl = insn_flags_in[f] | F_BASE;
                __asm__ volatile("push %[fl]\n\tpopfq\n\tlock cmpxchg16b %[m]\n\t"
                                 "pushfq\n\tpop %[fl]"
                                 : [m] "+m"(mem), "+a"(rax), "+d"(rdx), [fl] "+r"(fl)
                                 : "b"(rbx), "c"(rcx) : "cc");
                uint64_t in[] = { v, w, k, insn_flags_in[f] };
                uint64_t out[] = { mem[0], mem[1], rax, rdx, fl & F_ARITH };
                INSN_CASE("cmpxchg16b", in, out);
            }
}

static sigjmp_buf cx16_back;
static void cx16_on_segv(int sig) { siglongjmp(cx16_back, sig); }

INSN_TEST(cmpxchg16b_misaligned)
{
    static uint64_t mem[4] __attribute__((aligned(16)));
    signal(SIGSEGV, cx16_on_segv);
    for (unsigned off = 0; off < 16; off += 4) {
        mem[0] = mem[1] = mem[2] = mem[3] = 0;
        uint64_t rax = 0, rdx = 0;
        int sig = sigsetjmp(cx16_back, 1);
        if (!sig)
            __asm__ volatile("cmpxchg16b (%[p])" : "+a"(rax), "+d"(rdx)
                             : [p] "r"((char *)mem + off), "b"(1), "c"(2) : "memory", "cc");
        uint64_t in[] = { off };
        uint64_t out[] = { (uint64_t)sig, mem[0], mem[1], mem[2], mem[3] };
        INSN_CASE("cmpxchg16b misaligned", in, out);
    }
    signal(SIGSEGV, SIG_DFL);
}

UD_TEST_MAIN(cmpxchg16b_ud, "cpuid cx16", ud_cpuid_bit(1, 0, 2, 13),
             UD_CASE_AT_RDX("cmpxchg16b", "0xf0, 0x48, 0x0f, 0xc7, 0x0a");)   /* lock cmpxchg16b (%rdx) */
