/* cmpxchg16b.c -- difftest of cmpxchg16b (single-threaded: success and
 * failure, each half differing alone, ZF set or cleared with the other
 * flags kept in both input states; memory and RDX:RAX afterwards). */
#include "insn.h"

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

int main(void) { return insn_main(); }
