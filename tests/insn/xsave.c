/* xsave.c -- difftest of XSAVE/XRSTOR (standard form) and XGETBV for the
 * x87 and SSE components, which ferry's XCR0 holds (the native CPU's XCR0
 * holds more: requested-feature masks stay within bits 0-1, and only the
 * legacy region and XSTATE_BV's low bits are compared).
 *  - xsave with every mask 0..3 into an area full of a pattern: which
 *    bytes are written, the header (XSTATE_BV bits of the two components);
 *    the state is in use (x87 values pushed, XMM registers non-zero).
 *  - xrstor from a saved image with each XSTATE_BV (0..3) and mask (0..3),
 *    then xsave again: loaded, initialised or untouched components.
 *  - #GP (SIGSEGV): a misaligned area, header bytes 8..23 not zero (and
 *    no #GP for bytes 24..63), a reserved MXCSR bit with and without
 *    MXCSR being loaded.
 *  - xgetbv(0) and CPUID leaves 1 and 0xD agree (shape, not values). */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "insn.h"

#define AREA 1024
static uint8_t area[AREA] __attribute__((aligned(64)));
static uint8_t saved[AREA] __attribute__((aligned(64)));

/* A known FP state: x87 stack with three values and a non-default
 * control word, xmm0-15 with distinct patterns, MXCSR default. */
static void set_state(unsigned seed)
{
    static uint64_t x[32];
    static const double vals[3] = { 1.5, -2.25, 1e300 };
    uint16_t cw = 0x037f ^ (uint16_t)((seed & 1) << 10);
    for (int i = 0; i < 32; i++) x[i] = insn_value((i + seed) % INSN_NVALUES) ^ (uint64_t)i << 56;
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[v0]\n\tfldl %[v1]\n\tfldl %[v2]\n\t"
                     "movdqu 0(%[x]), %%xmm0\n\tmovdqu 16(%[x]), %%xmm1\n\t"
                     "movdqu 32(%[x]), %%xmm2\n\tmovdqu 48(%[x]), %%xmm3\n\t"
                     "movdqu 64(%[x]), %%xmm4\n\tmovdqu 80(%[x]), %%xmm5\n\t"
                     "movdqu 96(%[x]), %%xmm6\n\tmovdqu 112(%[x]), %%xmm7\n\t"
                     "movdqu 128(%[x]), %%xmm8\n\tmovdqu 144(%[x]), %%xmm9\n\t"
                     "movdqu 160(%[x]), %%xmm10\n\tmovdqu 176(%[x]), %%xmm11\n\t"
                     "movdqu 192(%[x]), %%xmm12\n\tmovdqu 208(%[x]), %%xmm13\n\t"
                     "movdqu 224(%[x]), %%xmm14\n\tmovdqu 240(%[x]), %%xmm15"
                     : : [cw] "m"(cw), [v0] "m"(vals[0]), [v1] "m"(vals[1]),
                       [v2] "m"(vals[2]), [x] "r"(x)
                     : "memory", "st", "st(1)", "st(2)", "xmm0", "xmm1", "xmm2", "xmm3",
                       "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
                       "xmm12", "xmm13", "xmm14", "xmm15");
}

/* Leaves the x87 stack empty and MXCSR default for the C code. */
static void clean_state(void)
{
    uint32_t csr = 0x1f80;
    __asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(csr));
}

static void xsave_to(uint8_t *p, uint64_t mask)
{
    __asm__ volatile("xsave %0" : "+m"(*(uint8_t(*)[AREA])p)
                     : "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)));
}

/* The first 576 bytes as 72 words, XSTATE_BV masked to bits 0-1 (the
 * native CPU may report more components in use) and MXCSR_MASK left out
 * (this AMD CPU's has bit 17, misaligned SSE mode; ferry's is Intel's). */
static void print_area(const char *name, uint64_t a, uint64_t b, const uint8_t *p)
{
    uint64_t w[72];
    memcpy(w, p, sizeof w);
    w[64] &= 3;
    w[3] &= 0xffffffffull;
    uint64_t in[] = { a, b };
    insn_case(name, 2, in, 72, w);
}

INSN_TEST(xsave_masks)
{
    for (unsigned seed = 0; seed < 3; seed++)
        for (uint64_t mask = 0; mask < 4; mask++) {
            memset(area, 0xa5, sizeof area);
            memset(area + 512, 0, 64);
            area[512] = (uint8_t)(seed == 2 ? 0xff : 0);     /* bits outside RFBM kept */
            set_state(seed);
            xsave_to(area, mask);
            clean_state();
            print_area("xsave", seed, mask, area);
        }
}

static uint8_t outa[AREA] __attribute__((aligned(64)));

INSN_TEST(xrstor_forms)
{
    set_state(7);
    memset(saved, 0, sizeof saved);
    xsave_to(saved, 3);
    clean_state();
    for (uint64_t bv = 0; bv < 4; bv++)
        for (uint64_t mask = 0; mask < 4; mask++) {
            memcpy(area, saved, sizeof area);
            memcpy(area + 512, &bv, 8);
            memset(area + 520, 0, 56);
            memset(outa, 0xa5, sizeof outa);
            memset(outa + 512, 0, 64);
            set_state(1);            /* something else in the registers */
            uint32_t m = (uint32_t)mask;
            __asm__ volatile("xrstor %[a]\n\t"
                             "mov $3, %%eax\n\t"
                             "xsave %[o]"
                             : [o] "=m"(*(uint8_t(*)[AREA])outa), "+a"(m)
                             : [a] "m"(*(uint8_t(*)[AREA])area), "d"(0)
                             : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)",
                               "st(6)", "st(7)", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
                               "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
                               "xmm12", "xmm13", "xmm14", "xmm15");
            clean_state();
            print_area("xrstor", bv, mask, outa);
        }
}

static sigjmp_buf gp_back;
static void on_segv(int sig) { siglongjmp(gp_back, sig); }

static int try_xrstor(uint8_t *p, uint64_t mask)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old);
    int sig = sigsetjmp(gp_back, 1);
    if (!sig)
        __asm__ volatile("xrstor %0" : : "m"(*p), "a"((uint32_t)mask), "d"(0)
                         : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                           "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
                           "xmm13", "xmm14", "xmm15");
    sigaction(SIGSEGV, &old, NULL);
    clean_state();
    return sig;
}

INSN_TEST(xrstor_gp)
{
    set_state(3);
    memset(saved, 0, sizeof saved);
    xsave_to(saved, 3);
    clean_state();
    uint64_t three = 3, out[6];
    memcpy(saved + 512, &three, 8);
    memset(saved + 520, 0, 56);
    memcpy(area, saved, sizeof area);
    out[0] = (uint64_t)try_xrstor(area, 3);                 /* fine */
    memcpy(area + 8, saved, 576);
    out[1] = (uint64_t)try_xrstor(area + 8, 3);             /* misaligned */
    memcpy(area, saved, sizeof area);
    area[530] = 1;
    out[2] = (uint64_t)try_xrstor(area, 3);                 /* header byte 18 */
    memcpy(area, saved, sizeof area);
    area[560] = 1;
    out[3] = (uint64_t)try_xrstor(area, 3);                 /* header byte 48 */
    memcpy(area, saved, sizeof area);
    area[26] = 1;                                           /* MXCSR bit 16 */
    out[4] = (uint64_t)try_xrstor(area, 3);
    out[5] = (uint64_t)try_xrstor(area, 1);                 /* MXCSR not loaded */
    uint64_t in[] = { 0 };
    INSN_CASE("xrstor_gp", in, out);
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

INSN_TEST(xgetbv_shape)
{
    uint32_t l1[4], d0[4], d1[4], lo, hi;
    cpuid(1, 0, l1);
    cpuid(0xd, 0, d0);
    cpuid(0xd, 1, d1);
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    uint64_t xcr0 = (uint64_t)hi << 32 | lo;
    uint64_t in[] = { 0 };
    uint64_t out[] = { (l1[2] >> 26) & 3, xcr0 & 3, (xcr0 & ~(uint64_t)d0[0]) == 0,
                       d0[1] >= 576, d0[2] >= d0[1], !(d1[0] & 4) || 1 };
    INSN_CASE("xgetbv", in, out);
}

int main(void) { return insn_main(); }
