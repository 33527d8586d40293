/* lzcnt_as_bsr.c -- on a CPU without LZCNT (CPUID 0x80000001 ECX[5]) the
 * bytes of lzcnt (F3 0F BD) are a rep-prefixed bsr, and without BMI1
 * (CPUID 7 EBX[3]) those of tzcnt (F3 0F BC) a rep-prefixed bsf: they run
 * as the older instruction, not #UD.  The environment below makes ferry
 * imitate such a CPU (the native run ignores it); the program runs the F3
 * forms where CPUID lacks the extension and the plain bsr/bsf where it has
 * it, so the native CPU's bsr and bsf are the oracle for ferry's F3 forms.
 * Printed: the result and ZF (the flags bsr/bsf define), destination
 * preset so a zero source shows it unchanged; 16-, 32- and 64-bit forms. */
//@env: FERRY_X86_MACHINE=intel,noabm,nobmi1
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>

static int has_lzcnt(void)
{
    unsigned a, b, c, d;
    __cpuid(0x80000001, a, b, c, d);
    return c >> 5 & 1;
}

static int has_bmi1(void)
{
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    return b >> 3 & 1;
}

/* One scan: OP (bsr/bsf) with or without an F3 byte before it, at the
 * operand size of SUFFIX; r[0] the destination (preset), r[1] ZF. */
#define SCAN(NAME, TEXT, T)                                                   \
    static void NAME(uint64_t src, uint64_t r[2])                             \
    {                                                                         \
        T d = (T)0x5a5a5a5a5a5a5a5aull, s = (T)src;                           \
        uint8_t z;                                                            \
        __asm__(TEXT " %[s], %[d]\n\tsetz %[z]" : [d] "+r"(d), [z] "=r"(z)   \
                : [s] "r"(s) : "cc");                                         \
        r[0] = (uint64_t)d, r[1] = z;                                         \
    }
#define F3 ".byte 0xf3\n\t"
SCAN(bsr16, "bsrw", uint16_t) SCAN(bsr32, "bsrl", uint32_t) SCAN(bsr64, "bsrq", uint64_t)
SCAN(bsf16, "bsfw", uint16_t) SCAN(bsf32, "bsfl", uint32_t) SCAN(bsf64, "bsfq", uint64_t)
SCAN(f3bsr16, F3 "bsrw", uint16_t) SCAN(f3bsr32, F3 "bsrl", uint32_t)
SCAN(f3bsr64, F3 "bsrq", uint64_t)
SCAN(f3bsf16, F3 "bsfw", uint16_t) SCAN(f3bsf32, F3 "bsfl", uint32_t)
SCAN(f3bsf64, F3 "bsfq", uint64_t)

typedef void scan_fn(uint64_t, uint64_t[2]);

static void sweep(const char *name, scan_fn *const fns[3])
{
    static const uint64_t srcs[] = {
        0, 1, 2, 0x80, 0x100, 0x8000, 0x10000, 0x7fffffff, 0x80000000ull,
        0x100000000ull, 0x8000000000000000ull, 0xffffffffffffffffull,
        0x00f0000000000000ull, 0x123456789abcdef0ull, 0xffff0000ull,
    };
    static const char *const width[3] = { "16", "32", "64" };
    for (int w = 0; w < 3; w++)
        for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
            uint64_t r[2];
            fns[w](srcs[i], r);
            printf("%s%s %016llx -> %016llx zf %llu\n", name, width[w],
                   (unsigned long long)srcs[i], (unsigned long long)r[0],
                   (unsigned long long)r[1]);
        }
}

int main(void)
{
    int lz = has_lzcnt(), bmi1 = has_bmi1();
    scan_fn *const bsr[3] = { bsr16, bsr32, bsr64 }, *const f3bsr[3] = { f3bsr16, f3bsr32, f3bsr64 };
    scan_fn *const bsf[3] = { bsf16, bsf32, bsf64 }, *const f3bsf[3] = { f3bsf16, f3bsf32, f3bsf64 };
    /* (only what both runs print alike: the CPUID bits differ by design) */
    sweep("bsr", lz ? bsr : f3bsr);
    sweep("bsf", bmi1 ? bsf : f3bsf);
    return 0;
}
