/* rand.c -- difftest of rdrand, rdseed (16, 32, 64 bits) and rdtscp by
 * their shape, not their values: the flags (CF = 1 for a delivered value,
 * the other five cleared, from both flag states; a failed draw clears all
 * six and the value, and is retried: DRAW), what happens to the
 * register's upper bits (16-bit forms keep them, 32-bit forms zero them),
 * that 16 draws are not all the same, and for rdtscp that the clock does
 * not run backwards against rdtsc and that ecx is node << 12 | cpu with a
 * cpu below the number of CPUs; rdpid against rdtscp's ecx. */
#include "insn.h"
#include "ud_case.h"

/* One draw of TEXT (the register starts as 0x5555...) with the flags from
 * insn_flags_in[k & 1]: V and FL get the register and the flags after. */
#define DRAW_ONCE(TEXT, V, FL, K)                                             \
    do {                                                                      \
        V = 0x5555555555555555ull;                                            \
        FL = insn_flags_in[(K) & 1] | F_BASE;                                 \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" TEXT                       \
                         "\n\tpushfq\n\tpop %[fl]"                            \
                         : [v] "+r"(V), [fl] "+r"(FL) : : "cc");              \
    } while (0)

/* The instruction may fail (CF = 0), rdseed often does when the entropy
 * source is drained (as on an Intel Sapphire Rapids VM): like Intel's
 * DRNG guide, each of the 16 draws retries (with pause) up to DRAW_TRIES
 * times.  A failure must clear all six flags and the bits the instruction
 * writes (fail_ok); the draws that deliver (all 16, `got`) are checked as
 * before.  Whether and how often it fails is not printed: it varies. */
#define DRAW_TRIES 100000
#define DRAW(FN, TEXT, UPPER)                                                 \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        uint64_t first = 0, differ = 0, upper_ok = 1, flags_or = 0, flags_and = ~0ull; \
        uint64_t got = 0, fail_ok = 1;                                        \
        const uint64_t keep = 0x5555555555555555ull & ~(uint64_t)(UPPER);     \
        for (unsigned k = 0; k < 16; k++) {                                   \
            uint64_t v, fl;                                                   \
            DRAW_ONCE(TEXT, v, fl, k);                                        \
            for (unsigned t = 1; !(fl & F_CF) && t < DRAW_TRIES; t++) {       \
                fail_ok &= (fl & F_ARITH) == 0 && (v & (uint64_t)(UPPER)) == 0; \
                fail_ok &= (v & ~(uint64_t)(UPPER)) == keep || (UPPER) == ~0ull; \
                __asm__ volatile("pause");                                    \
                DRAW_ONCE(TEXT, v, fl, k);                                    \
            }                                                                 \
            if (!(fl & F_CF))                                                 \
                continue;                                                     \
            if (got++ == 0) first = v;                                        \
            differ |= v != first;                                             \
            upper_ok &= (v & ~(uint64_t)(UPPER)) == keep || (UPPER) == ~0ull; \
            flags_or |= fl & F_ARITH;                                         \
            flags_and &= fl & F_ARITH;                                        \
        }                                                                     \
        uint64_t in[] = { 0 };                                                \
        uint64_t out[] = { got, differ, upper_ok, flags_or, flags_and, fail_ok }; \
        INSN_CASE(#FN, in, out);                                              \
    }
/* UPPER: the bits the instruction writes (32-bit forms also zero the rest) */
DRAW(rdrand16, "rdrand %w[v]", 0xffffull)
DRAW(rdrand32, "rdrand %k[v]", ~0ull)
DRAW(rdrand64, "rdrand %q[v]", ~0ull)
DRAW(rdseed16, "rdseed %w[v]", 0xffffull)
DRAW(rdseed32, "rdseed %k[v]", ~0ull)
DRAW(rdseed64, "rdseed %q[v]", ~0ull)

INSN_TEST(rdrand32_zero_ext)
{
    uint64_t v = ~0ull, z = 0;
    for (int k = 0; k < 8; k++) {
        __asm__ volatile("rdrand %k0" : "+r"(v) : : "cc");
        z |= v >> 32;
    }
    uint64_t in[] = { 0 }, out[] = { z };
    INSN_CASE("rdrand32_zero_ext", in, out);
}

INSN_TEST(rdtscp)
{
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    uint64_t mono = 1, aux_ok = 1, upper_zero = 1;
    for (int k = 0; k < 16; k++) {
        uint32_t lo, hi, lo2, hi2;
        uint64_t c = ~0ull, a = ~0ull, d = ~0ull;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        __asm__ volatile("rdtscp" : "=a"(a), "=d"(d), "=c"(c));
        lo2 = (uint32_t)a; hi2 = (uint32_t)d;
        upper_zero &= (a >> 32) == 0 && (d >> 32) == 0 && (c >> 32) == 0;
        mono &= ((uint64_t)hi2 << 32 | lo2) >= ((uint64_t)hi << 32 | lo);
        aux_ok &= (c & 0xfff) < (uint64_t)ncpu;
    }
    /* aux_ok is not printed: Linux programs IA32_TSC_AUX only on CPUs
     * whose rdtscp/rdpid it uses itself, and machines (and their
     * hypervisors) differ. */
    (void)aux_ok;
    uint64_t in[] = { 0 }, out[] = { mono, upper_zero };
    INSN_CASE("rdtscp", in, out);
}

/* rdpid (F3 0F C7 /7, written as bytes: rax, rax with REX.W, r9): the
 * whole register becomes IA32_TSC_AUX, rdtscp's ecx (equal at least once
 * in 16 tries: the thread may move between the two), flags unchanged;
 * ferry's CPUID 7 ECX bit 22 is pinned by tests/unit cpuid_identity (the native CPU's
 * bit depends on the machine: a hypervisor may run rdpid yet hide it). */
#define RDPID(FN, BYTES, REG)                                                 \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        uint64_t same = 0, upper_zero = 1, flags_kept = 1;                    \
        for (int k = 0; k < 16; k++) {                                       \
            uint64_t v = ~0ull, c, a, d, fl = insn_flags_in[k & 1] | F_BASE, fl_in = fl; \
            __asm__ volatile("mov %[v], %%" REG "\n\tpush %[fl]\n\tpopfq\n\t"  \
                             ".byte " BYTES "\n\tpushfq\n\tpop %[fl]\n\t"     \
                             "mov %%" REG ", %[v]\n\trdtscp"                   \
                             : [v] "+r"(v), [fl] "+r"(fl), "=a"(a), "=d"(d), "=c"(c) \
                             : : "r9", "cc");                                  \
            same |= v == (c & 0xffffffffull);                                 \
            upper_zero &= (v >> 32) == 0;                                     \
            flags_kept &= (fl & F_ARITH) == (fl_in & F_ARITH);                \
        }                                                                     \
        uint64_t in[] = { 0 };                                                \
        uint64_t out[] = { same, upper_zero, flags_kept };                    \
        INSN_CASE(#FN, in, out);                                              \
    }
RDPID(rdpid_rax, "0xf3, 0x0f, 0xc7, 0xf8", "rax")
RDPID(rdpid_rax_w, "0xf3, 0x48, 0x0f, 0xc7, 0xf8", "rax")
RDPID(rdpid_r9, "0xf3, 0x41, 0x0f, 0xc7, 0xf9", "r9")

/* A CPU without RDRAND, RDSEED, RDTSCP or RDPID runs only the refusals
 * (ud_main). */
UD_TEST_MAIN(rand_ud, "cpuid rdrand rdseed rdtscp rdpid",
             ud_cpuid_bit(1, 0, 2, 30) &
                 ud_cpuid_bit(7, 0, 1, 18) &
                 ud_cpuid_bit(0x80000001, 0, 3, 27) &
                 ud_cpuid_bit(7, 0, 2, 22),
             UD_CASE("rdrand", "0x0f, 0xc7, 0xf0");
             UD_CASE("rdseed", "0x0f, 0xc7, 0xf8");
             UD_CASE("rdtscp", "0x0f, 0x01, 0xf9");
             UD_CASE("rdpid", "0xf3, 0x0f, 0xc7, 0xf8");)
