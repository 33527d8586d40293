/* segment.c -- difftest of segment and address-size prefixes in 64-bit
 * mode: gs: and fs: overrides on the memory operands of ordinary integer,
 * SSE, x87, stack, control and string instructions (gs base set with
 * arch_prctl to a buffer; fs is the TLS base); cs/ds/es/ss prefixes as
 * no-ops; rdfsbase/rdgsbase/wrfsbase/wrgsbase (whether the kernel allows
 * them is read from AT_HWCAP2 as a program would); the address-size prefix
 * 0x67: effective addresses wrap at 32 bits, loop/jecxz count in ECX, string
 * instructions use ESI/EDI/ECX; segment register reads and lsl/lar/verr/
 * verw on Linux's user selectors.  Addresses differ between runs, so only
 * values and offsets are printed. */
#include <asm/prctl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "insn.h"
#include "ud_case.h"

#define GSB_WORDS 64
static uint64_t *gsb;          /* the gs segment (below 4 GiB: MAP_32BIT) */

static void gs_fill(unsigned seed)
{
    for (unsigned i = 0; i < GSB_WORDS; i++)
        gsb[i] = insn_value((i + seed) % INSN_NVALUES) ^ (0x9e3779b97f4a7c15ull * i);
}

static uint64_t gs_hash(void)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < GSB_WORDS * 8; i++)
        h = (h ^ ((uint8_t *)gsb)[i]) * 1099511628211ull;
    return h;
}

/* One gs case: TEXT with rax, rbx, rcx = a, b, 16 (an index) and the flags
 * captured; prints rax, rbx, the flags and a hash of the segment. */
#define GS(FN, TEXT)                                                          \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += 3)                        \
            for (unsigned f = 0; f < 2; f++) {                                \
                gs_fill(i);                                                   \
                uint64_t a = insn_value(i), b = insn_value(i + 1), c = 16;    \
                uint64_t fl = insn_flags_in[f] | F_BASE;                      \
                __asm__ volatile("push %[fl]\n\tpopfq\n\t" TEXT               \
                                 "\n\tpushfq\n\tpop %[fl]"                    \
                                 : "+a"(a), "+b"(b), "+c"(c), [fl] "+r"(fl)   \
                                 : : "cc", "memory", "xmm0", "xmm1", "rdx", "rsi", "rdi");  \
                uint64_t in[] = { insn_value(i), f };                         \
                uint64_t out[] = { a, b, c, fl & F_ARITH, gs_hash() };        \
                INSN_CASE(#FN, in, out);                                      \
            }                                                                 \
    }

GS(mov_ld, "mov %%gs:8, %%rax\n\tmov %%gs:(%%rcx), %%ebx")
GS(mov_st, "mov %%rax, %%gs:8\n\tmovb %%bl, %%gs:3(%%rcx,%%rcx,2)\n\tmovw $0x1234, %%gs:40")
GS(add_ld, "add %%gs:16, %%rax\n\tadc %%gs:24, %%rbx")
GS(add_st, "addl $5, %%gs:24\n\tsub %%rax, %%gs:32(%%rcx)")
GS(alu_rmw, "incq %%gs:8\n\tnegl %%gs:12\n\tnotw %%gs:20\n\txor %%rbx, %%gs:48\n\tshlq $3, %%gs:56")
GS(cmp_test, "cmp %%gs:8, %%rax\n\tsetb %%bl\n\ttestq $0xff, %%gs:(%%rcx)")
GS(shift_cl, "rolq %%cl, %%gs:8\n\tsarl %%cl, %%gs:16\n\tshldq %%cl, %%rax, %%gs:24")
GS(muldiv, "mulq %%gs:8\n\timul %%gs:16, %%rbx\n\txor %%edx, %%edx\n\tmov $7, %%rax\n\tdivq %%gs:(%%rcx)")
GS(movzx_cmov, "movzbl %%gs:9, %%eax\n\tmovswq %%gs:10, %%rbx\n\tcmp $1, %%rcx\n\tcmovne %%gs:24, %%rcx")
GS(bt_ops, "bsf %%gs:16, %%rax\n\tcmp %%rax, %%rbx\n\tbt %%rcx, %%gs:64\n\tbtsl $7, %%gs:8\n\tsetc %%bl")
GS(xchg_lock, "xchg %%rax, %%gs:8\n\tlock xadd %%rbx, %%gs:16\n\tlock incl %%gs:24\n\tlock btsq $3, %%gs:32")
GS(cmpxchg, "mov %%gs:8, %%rax\n\tlock cmpxchg %%rbx, %%gs:8\n\tcmpxchg %%rbx, %%gs:16")
GS(push_pop, "pushq %%gs:8\n\tpopq %%gs:16\n\tpushq %%gs:24\n\tpop %%rax")
GS(call_ind, "lea 1f(%%rip), %%rdx\n\tmov %%rdx, %%gs:40\n\tcall *%%gs:40\n\tjmp 2f\n"
             "1:\tmov $77, %%ebx\n\tret\n2:")
GS(jmp_ind, "lea 1f(%%rip), %%rdx\n\tmov %%rdx, %%gs:(%%rcx)\n\tjmp *%%gs:(%%rcx)\n\tmov $5, %%eax\n1:")
GS(sse_ops, "movdqu %%gs:8, %%xmm0\n\tpaddd %%gs:32, %%xmm0\n\tmovdqu %%xmm0, %%gs:40\n\t"
            "movq %%gs:16, %%xmm1\n\tmovd %%xmm1, %%eax\n\tmovss %%gs:20, %%xmm1\n\tmovd %%xmm1, %%ebx")
GS(sse_fp, "movsd %%gs:8, %%xmm0\n\taddsd %%gs:16, %%xmm0\n\tmovsd %%xmm0, %%gs:24\n\t"
           "cvtsi2sdq %%gs:32, %%xmm1\n\tucomisd %%gs:40, %%xmm1\n\tpinsrd $1, %%gs:48, %%xmm1\n\t"
           "pextrd $1, %%xmm1, %%gs:56")
GS(x87, "fildq %%gs:8\n\tfiaddl %%gs:16\n\tfistpq %%gs:24\n\tfldl %%gs:32\n\tfstps %%gs:40\n\t"
        "fnstcw %%gs:44\n\tfldcw %%gs:44")
GS(bmi_gs, "andn %%gs:8, %%rax, %%rbx\n\tmovbe %%gs:16, %%rax\n\tpopcnt %%gs:24, %%rcx\n\tcrc32q %%gs:32, %%rbx")
GS(string_src, "lea 8(%%rcx), %%rsi\n\tlea -64(%%rsp), %%rdi\n\tmov $3, %%ecx\n\t"
               "cld\n\trep movsq %%gs:(%%rsi), %%es:(%%rdi)\n\tmov -56(%%rsp), %%rax\n\tmov %%rsi, %%rbx")
GS(string_lods, "mov %%rcx, %%rsi\n\tcld\n\tlodsq %%gs:(%%rsi)\n\tlodsl %%gs:(%%rsi)\n\tsub %%rcx, %%rsi\n\tmov %%rsi, %%rbx")
GS(string_cmps, "lea 8(%%rcx), %%rsi\n\tlea -64(%%rsp), %%rdi\n\tmov %%rax, (%%rdi)\n\t"
                "mov $2, %%ecx\n\tcld\n\trepe cmpsq %%es:(%%rdi), %%gs:(%%rsi)\n\tsetne %%al")
GS(xlat_gs, "mov %%rcx, %%rbx\n\txlat %%gs:(%%rbx)")
GS(maskmov_gs, "lea 64(%%rcx), %%rdi\n\tmovq %%rax, %%xmm0\n\tmovq %%rbx, %%xmm1\n\t"
               "gs maskmovdqu %%xmm1, %%xmm0")
GS(fs_tls, "mov %%fs:0, %%rax\n\tsub %%fs:0, %%rax\n\tmov %%fs:0, %%rdx\n\tcmp (%%rdx), %%rdx\n\tsete %%bl")
GS(noop_prefix, "pushq $0x1234\n\tpush %%rbx\n\tds mov 8(%%rsp), %%rax\n\tmovq %%gs:8, %%rbx\n\t"
                "cs addq $1, %%rbx\n\t"
                ".byte 0x2e, 0x48, 0x03, 0x44, 0x24, 0x08\n\t"      /* cs add 8(%rsp), %rax */
                ".byte 0x36, 0x48, 0x8b, 0x0c, 0x24\n\t"            /* ss mov (%rsp), %rcx */
                ".byte 0x26, 0x48, 0x01, 0xc8\n\t"                  /* es add %rcx, %rax */
                "lea 16(%%rsp), %%rsp")
/* gs after fs: the last wins; ds is ignored in 64-bit mode even after gs */
GS(two_prefixes, ".byte 0x64, 0x65, 0x48, 0x8b, 0x04, 0x25, 8, 0, 0, 0\n\t"   /* fs gs mov 8, %rax */
                 ".byte 0x65, 0x3e, 0x48, 0x8b, 0x1c, 0x25, 16, 0, 0, 0\n\t"  /* gs ds mov 16, %rbx */
                 ".byte 0x3e, 0x65, 0x48, 0x8b, 0x0c, 0x25, 24, 0, 0, 0")   /* ds gs mov 24, %rcx */

/* --- fs/gs base instructions -------------------------------------------------- */
INSN_TEST(fsgsbase)
{
    /* Usable where AT_HWCAP2 has HWCAP2_FSGSBASE (the CPU's FSGSBASE and
     * a kernel that sets CR4.FSGSBASE; ferry's follows its CPUID:
     * x86_cpuid_hwcap2); elsewhere the forms are refused (the reads only:
     * a write that ran would move fs or gs under the test). */
    uint64_t in[] = { 0 };
    if (!ud_gate("hwcap2 fsgsbase", (getauxval(AT_HWCAP2) & 2) != 0)) {
        UD_BEGIN;
        UD_CASE("rdfsbase", "0xf3, 0x48, 0x0f, 0xae, 0xc0");
        UD_CASE("rdgsbase", "0xf3, 0x48, 0x0f, 0xae, 0xc8");
        UD_CASE("rdfsbase 32", "0xf3, 0x0f, 0xae, 0xc0");
        UD_END;
        return;
    }
    uint64_t fs = 0, fs_k = 0, gs = 0, v = 0, v2 = 0, fs2 = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_k);
    __asm__ volatile("rdfsbase %0" : "=r"(fs));
    __asm__ volatile("rdgsbase %0" : "=r"(gs));
    /* wrgsbase, then a gs load; wrfsbase (32-bit form zero-extends) */
    gs_fill(1);
    uint64_t nb = (uint64_t)gsb + 16;
    __asm__ volatile("wrgsbase %1\n\tmov %%gs:0, %0" : "=r"(v) : "r"(nb) : "memory");
    __asm__ volatile("mov %%fs:0, %%rdx\n\twrfsbase %2\n\tmov %%fs:8, %0\n\t"
                     "rdfsbase %1\n\twrfsbase %%rdx"
                     : "=r"(v2), "=r"(fs2) : "r"(nb) : "rdx", "memory");
    uint64_t gs_k = 0, gs32 = 0;
    syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_k);
    __asm__ volatile("wrgsbase %k1\n\trdgsbase %0\n\twrgsbase %2\n\t" : "=&r"(gs32)
                     : "r"((uint64_t)gsb | 0xabcd00000000ull), "r"((uint64_t)gsb));
    uint32_t g32 = 0;
    __asm__ volatile("rdgsbase %0" : "=r"(g32));
    uint64_t out[] = { fs == fs_k, gs == (uint64_t)gsb, v == gsb[2], v2 == gsb[3],
                       fs2 == nb, gs_k == nb, gs32 == (uint64_t)(uint32_t)(uint64_t)gsb,
                       g32 == (uint32_t)(uint64_t)gsb };
    INSN_CASE("fsgsbase", in, out);
}

/* --- address-size prefix ---------------------------------------------------- */
/* Loads through a 32-bit address whose 64-bit register has garbage above
 * bit 31, and one that wraps past 4 GiB. */
/* Segment register reads: the selectors a 64-bit process has (cs 0x33,
 * ss 0x2b, the others null) into registers of each width (the 16-bit form
 * keeps the upper bits; the 32- and 64-bit forms zero-extend), memory
 * (16 bits written) and the stack (push fs/gs). */
#define SREG_READ(NAME)                                                       \
    do {                                                                      \
        uint64_t r16 = ~0ull, r32 = ~0ull, r64 = ~0ull;                        \
        uint64_t m = ~0ull;                                                   \
        __asm__ volatile("mov %%" NAME ", %w[a]\n\tmov %%" NAME ", %k[b]\n\t"  \
                         "mov %%" NAME ", %q[c]\n\tmov %%" NAME ", %[m]"      \
                         : [a] "+r"(r16), [b] "+r"(r32), [c] "+r"(r64), [m] "+m"(m)); \
        uint64_t in[] = { 0 }, out[] = { r16, r32, r64, m };                  \
        INSN_CASE("mov_sreg_" NAME, in, out);                                 \
    } while (0)

INSN_TEST(sreg_read)
{
    SREG_READ("cs");
    SREG_READ("ss");
    SREG_READ("ds");
    SREG_READ("es");
    SREG_READ("fs");
    SREG_READ("gs");
    uint64_t f = ~0ull, g = ~0ull;
    __asm__ volatile("push %%fs\n\tpop %[f]\n\tpushw %%gs\n\tpopw %w[g]"
                     : [f] "+r"(f), [g] "+r"(g));
    uint64_t in[] = { 0 }, out[] = { f, g };
    INSN_CASE("push_fs_gs", in, out);
}

/* lsl/lar/verr/verw: the user selectors of Linux's GDT (__USER_DS,
 * __USER_CS with every RPL), kernel, absent and LDT ones (ZF clear, the
 * destination kept), into 16/32/64-bit registers and from memory; the
 * other flags stay.  __CPUNODE_SEG's limit is the cpu and node: only its
 * shape is printed.  (The 32-bit code segment 0x23 exists only with the
 * kernel's ia32 emulation: left out.) */
#define DESC_Q(NAME, TEXT)                                                    \
    do {                                                                      \
        uint64_t r16 = 0x5555555555555555ull, r32 = r16, r64 = r16, fl;       \
        uint16_t ms = (uint16_t)sel;                                          \
        __asm__ volatile("push %[f0]\n\tpopf\n\t" TEXT "\n\tpushf\n\tpop %[fl]"   \
                         : [a] "+r"(r16), [b] "+r"(r32), [c] "+r"(r64), [fl] "=r"(fl) \
                         : [s] "r"(sel), [m] "m"(ms), [f0] "r"(f0) : "cc");   \
        if ((sel & ~3ull) == 0x78) r16 = r32 = r64 = r16 >> 20;               \
        uint64_t in[] = { sel, f0 }, out[] = { r16, r32, r64, fl & 0x8d5 };   \
        INSN_CASE(NAME, in, out);                                             \
    } while (0)

INSN_TEST(descriptors)
{
    static const uint64_t sels[] = { 0, 3, 0x10, 0x18, 0x28, 0x29, 0x2b, 0x2f, 0x30, 0x33,
                                     0x37, 0x40, 0x50, 0x7b, 0x83, 0xfffb, 0x10033 };
    for (unsigned i = 0; i < sizeof sels / sizeof sels[0]; i++)
        for (uint64_t f0 = 0x2; f0 <= 0x8d7; f0 += 0x8d5) {
            uint64_t sel = sels[i];
            DESC_Q("lsl", "lsl %w[s], %w[a]\n\tlsl %k[s], %k[b]\n\tlsl %q[s], %q[c]");
            DESC_Q("lar", "lar %w[s], %w[a]\n\tlar %k[s], %k[b]\n\tlar %q[s], %q[c]");
            DESC_Q("lsl_m", "lsl %[m], %w[a]\n\tlsl %[m], %k[b]\n\tlar %[m], %q[c]");
            DESC_Q("verr", "verr %w[s]\n\tsetz %b[a]\n\tverr %[m]\n\tsetz %b[b]");
            DESC_Q("verw", "verw %w[s]\n\tsetz %b[a]\n\tverw %[m]\n\tsetz %b[b]");
        }
}

INSN_TEST(addr32_ea)
{
    gs_fill(2);
    uint64_t p = (uint64_t)gsb, junk = p | 0xdead00000000ull, v1 = 0, v2 = 0, v3 = 0, l = 0;
    __asm__ volatile("mov (%k1), %0" : "=r"(v1) : "r"(junk));
    /* eax = p + 32 - 2^32 (mod 2^32) plus disp 2^32 - 8 ... wraps to p + 24 */
    uint64_t base = (uint64_t)(uint32_t)(p + 32);
    __asm__ volatile("mov -8(%k1), %0" : "=r"(v2) : "r"(base | 0x100000000ull));
    __asm__ volatile("mov 0x7ffffff0(%k1,%k2,2), %0" : "=r"(v3)
                     : "r"((uint64_t)(uint32_t)(p - 0x7ffffff0u)), "r"(0x80000004ull));
    __asm__ volatile("lea 0x10(%k1), %k0" : "=r"(l) : "r"(0xfffffff8ull));
    uint64_t l2 = 0;
    __asm__ volatile(".byte 0x67, 0x48, 0x8d, 0x40, 0x10\n\tmov %%rax, %0"     /* lea 16(%eax),%rax */
                     : "=r"(l2) : "a"(0x1fffffff8ull));
    uint64_t in[] = { 0 };
    uint64_t out[] = { v1 == gsb[0], v2 == gsb[3], v3 == gsb[1], l, l2 };
    INSN_CASE("addr32_ea", in, out);
}

/* xlat and maskmovdqu under 0x67: ebx + al wraps, edi */
INSN_TEST(addr32_xlat)
{
    gs_fill(3);
    uint64_t p = (uint64_t)gsb, junk = 0x7700000000ull;
    uint64_t a = 0x1234567890abcd05ull, b = ((p - 2) & 0xffffffffull) | junk;
    __asm__ volatile("addr32 xlat" : "+a"(a) : "b"(b) : "memory");
    uint64_t d = (p + 100) | junk;
    uint64_t m = 0x80ff00807f000180ull, v = 0x1122334455667788ull;
    __asm__ volatile("movq %[m], %%xmm1\n\tmovq %[v], %%xmm0\n\t"
                     "addr32 maskmovdqu %%xmm1, %%xmm0"
                     : "+D"(d) : [m] "r"(m), [v] "r"(v) : "memory", "xmm0", "xmm1");
    uint64_t in[] = { 0 };
    uint64_t out[] = { a, gs_hash() };
    INSN_CASE("addr32_xlat", in, out);
}

/* loop/loope/loopne/jecxz with 0x67 count in ECX (RCX's upper half is
 * left alone by the decrement). */
#define LOOP32(FN, TEXT)                                                      \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        static const uint64_t cs[] = { 0, 1, 3, 0x100000000ull, 0x100000002ull, \
                                       0xffffffff00000000ull, 0x1ffffffffull }; \
        for (unsigned k = 0; k < sizeof cs / sizeof cs[0]; k++)               \
            for (unsigned z = 0; z < 2; z++) {                                \
                uint64_t c = cs[k], n = 0, zz = z;                            \
                __asm__ volatile(TEXT : "+c"(c), "+r"(n), "+r"(zz) : : "cc");   \
                uint64_t in[] = { cs[k], z };                                 \
                uint64_t out[] = { c, n };                                    \
                INSN_CASE(#FN, in, out);                                      \
            }                                                                 \
    }
/* n counts iterations (bounded by 8 so a 64-bit count cannot hang) */
LOOP32(addr32_loop, "1:\tinc %1\n\tcmp $8, %1\n\tje 2f\n\taddr32 loop 1b\n2:")
LOOP32(addr32_loope, "1:\tinc %1\n\tcmp $8, %1\n\tje 2f\n\ttest %2, %2\n\taddr32 loope 1b\n2:")
LOOP32(addr32_loopne, "1:\tinc %1\n\tcmp $8, %1\n\tje 2f\n\ttest %2, %2\n\taddr32 loopne 1b\n2:")
LOOP32(jecxz, "jecxz 1f\n\tmov $1, %1\n1:")
LOOP32(jrcxz, "jrcxz 1f\n\tmov $1, %1\n1:")

/* String instructions under 0x67: ESI/EDI/ECX, upper halves junk; the
 * registers keep their upper halves zeroed as 32-bit writes do. */
#define STR32(FN, TEXT)                                                       \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        static const uint64_t cs[] = { 0, 1, 3, 0x100000002ull, 0x100000000ull };             \
        for (unsigned k = 0; k < sizeof cs / sizeof cs[0]; k++)               \
            for (unsigned df = 0; df < 2; df++) {                             \
                gs_fill(k);                                                   \
                uint64_t p = (uint64_t)gsb, junk = 0x5a5a00000000ull;         \
                uint64_t si = (p + 64) | junk, di = (p + 256) | junk, c = cs[k]; \
                uint64_t a = 0x1122334455667788ull, fl = F_BASE;              \
                __asm__ volatile("test %[df], %[df]\n\tjz 1f\n\tstd\n1:\t"    \
                                 TEXT "\n\tpushfq\n\tpop %[fl]\n\tcld"        \
                                 : "+S"(si), "+D"(di), "+c"(c), "+a"(a),      \
                                   [fl] "+r"(fl)                              \
                                 : [df] "r"((uint64_t)df) : "cc", "memory");  \
                uint64_t in[] = { cs[k], df };                                \
                uint64_t out[] = { si - (uint64_t)(uint32_t)p, di - (uint64_t)(uint32_t)p, \
                                   c, a, fl & (F_ARITH | F_DF), gs_hash() };  \
                INSN_CASE(#FN, in, out);                                      \
            }                                                                 \
    }
STR32(a32_movsb, "addr32 movsb")
STR32(a32_rep_movsq, "addr32 rep movsq")
STR32(a32_rep_stosl, "addr32 rep stosl")
STR32(a32_lodsw, "addr32 lodsw")
STR32(a32_rep_lodsb, "addr32 rep lodsb")
STR32(a32_repe_cmpsb, "addr32 repe cmpsb")
STR32(a32_repne_scasq, "addr32 repne scasq")
STR32(a32_stosb, "addr32 stosb")

int main(void)
{
    gsb = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (gsb == MAP_FAILED)
        return 1;
    gsb = (uint64_t *)((char *)gsb + 1024);     /* room below for negative offsets */
    syscall(SYS_arch_prctl, ARCH_SET_GS, gsb);
    return insn_main();
}
