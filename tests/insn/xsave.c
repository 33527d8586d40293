/* xsave.c -- difftest of the XSAVE feature set for the components
 * ferry's XCR0 holds, x87, SSE and AVX (YMM_Hi128); the native CPU's XCR0
 * holds more (AVX-512): requested-feature masks stay within bits 0-2 (and
 * bits 3-4, in neither XCR0), and the first 832 bytes are compared.
 * Every state is set by an XRSTOR right before the instruction under
 * test, in the same asm block (compiled C code in between could touch
 * XMM registers, and this CPU's XINUSE for x87 and SSE is sticky where
 * ferry's is "differs from init"): components loaded hold non-init
 * values, the others are initialised, so XINUSE is the same on both.
 *  - xsave, xsaveopt, xsavec with every state in use (0..7) and every
 *    mask 0..7 (and 0x1f) into an area full of a pattern: which bytes are
 *    written, the header (XSTATE_BV, XCOMP_BV, untouched bytes).  xsaveopt
 *    saves to another address than the last xrstor's, so the CPU cannot
 *    use its modified optimization (not architecturally defined).
 *  - xrstor from an image with each XSTATE_BV (0..7) and mask (0..7), in
 *    the standard form and the compacted one (XCOMP_BV = all or exactly
 *    XSTATE_BV), over another state, then xsave: loaded, initialised or
 *    untouched components, MXCSR loaded / initialised / kept.
 *  - #GP (SIGSEGV): misaligned areas (xrstor both forms, xsaveopt,
 *    xsavec), standard-form header bytes 8..23 (not 24..63), compacted
 *    header: XCOMP_BV beyond XCR0, XSTATE_BV beyond XCOMP_BV, bytes
 *    16..63; reserved MXCSR bits when MXCSR is loaded (and not when not).
 *  - xgetbv(1) (XINUSE) in every state, xgetbv(2) #GP, and xgetbv(0) with
 *    CPUID leaves 1 and 0xD (sub-leaf 2 exactly, the others' shape). */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "insn.h"
#include "ud_case.h"

#define AREA 1024
#define XS_WORDS 105            /* the 832-byte area and the word after it */
static uint8_t area[AREA] __attribute__((aligned(64)));
static uint8_t src[8][AREA] __attribute__((aligned(64)));
static uint8_t other[AREA] __attribute__((aligned(64)));
static uint8_t init_area[AREA] __attribute__((aligned(64)));

#define XS_CLOBBERS "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", \
    "st(7)", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
    "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

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

/* Every component initialised (MXCSR 0x1f80 from the area). */
static void clean_state(void)
{
    __asm__ volatile("xrstor %0" : : "m"(*(uint8_t(*)[AREA])init_area), "a"(7), "d"(0)
                     : XS_CLOBBERS);
}

static void xsave_to(uint8_t *p, uint64_t mask)
{
    __asm__ volatile("xsave %0" : "+m"(*(uint8_t(*)[AREA])p)
                     : "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)));
}

static void set_header(uint8_t *p, uint64_t bv, uint64_t xcomp)
{
    memset(p + 512, 0, 64);
    memcpy(p + 512, &bv, 8);
    memcpy(p + 520, &xcomp, 8);
}

/* An image of a state: the x87 and SSE parts as xsave wrote them, YMM
 * upper halves non-zero, XSTATE_BV = bv. */
static void build_state(uint8_t *p, unsigned seed, uint64_t bv, uint32_t mxcsr)
{
    set_state(seed);
    memset(p, 0, AREA);
    xsave_to(p, 3);
    clean_state();
    for (unsigned i = 0; i < 32; i++) {
        uint64_t v = insn_value((i * 5 + seed) % INSN_NVALUES) ^ (0x0101010101010101ull * (i + 1));
        memcpy(p + 576 + 8 * i, &v, 8);
    }
    memcpy(p + 24, &mxcsr, 4);
    set_header(p, bv, 0);
}

static void build_states(void)
{
    static int done;
    if (done++)
        return;
    set_header(init_area, 0, 0);
    init_area[24] = 0x80, init_area[25] = 0x1f;
    for (unsigned s = 0; s < 8; s++)
        build_state(src[s], 5, s, 0x1f80);
    build_state(other, 11, 7, 0x3f80);
}

/* The area's first 832 bytes and the word after, MXCSR_MASK left out
 * (this AMD CPU's has bit 17, misaligned SSE mode; ferry's is Intel's). */
static void print_area(const char *name, uint64_t a, uint64_t b, uint64_t c, const uint8_t *p)
{
    uint64_t w[XS_WORDS];
    memcpy(w, p, sizeof w);
    w[3] &= 0xffffffffull;
    uint64_t in[] = { a, b, c };
    insn_case(name, 3, in, XS_WORDS, w);
}

/* xrstor `from` with mask 7, then the instruction with mask m into area. */
#define RESTORE_THEN(INSN, from, m)                                                   \
    __asm__ volatile("mov $7, %%eax\n\txor %%edx, %%edx\n\txrstor %[a]\n\t"             \
                     "mov %k[mk], %%eax\n\t" INSN " %[b]"                              \
                     : [b] "+m"(*(uint8_t(*)[AREA])area)                               \
                     : [a] "m"(*(const uint8_t(*)[AREA])(from)), [mk] "r"((uint32_t)(m)) \
                     : "rax", "rdx", XS_CLOBBERS)

static const char *const save_name[3] = { "xsave", "xsaveopt", "xsavec" };

/* Linux can set a component's XINUSE behind the program's back: a task
 * switched in (or whose FP state the kernel borrowed) gets its registers
 * back by XRSTOR(S), and Intel may then count SSE in use although the test
 * had just initialised it (seen on a Sapphire Rapids host under load: an
 * xsave/xsaveopt that then writes SSE, about 1 in 20 native runs, with or
 * without a context switch counted).  A case is run until two runs in a
 * row agree, natively and under ferry alike; a perturbed run is rare
 * enough that two in a row are not seen. */
#define STABLE(stmt, result, len)                                            \
    do {                                                                     \
        static uint8_t prev_[AREA];                                          \
        for (int tries_ = 0; tries_ < 10; tries_++) {                        \
            stmt;                                                            \
            if (tries_ && !memcmp(prev_, (result), (len))) break;            \
            memcpy(prev_, (result), (len));                                  \
        }                                                                    \
    } while (0)

INSN_TEST(xsave_forms)
{
    static const uint64_t masks[] = { 0, 1, 2, 3, 4, 5, 6, 7, 0x1f };
    build_states();
    for (unsigned form = 0; form < 3; form++)
        for (uint64_t s = 0; s < 8; s++)
            for (unsigned k = 0; k < sizeof masks / sizeof masks[0]; k++) {
                uint64_t m = masks[k];
                STABLE({
                    memset(area, 0xa5, sizeof area);
                    if (form == 0) RESTORE_THEN("xsave", src[s], m);
                    else if (form == 1) RESTORE_THEN("xsaveopt", src[s], m);
                    else RESTORE_THEN("xsavec", src[s], m);
                    clean_state();
                }, area, sizeof area);
                print_area(save_name[form], s, m, 0, area);
            }
}

static uint8_t test_img[AREA] __attribute__((aligned(64)));

/* xrstor `other` (all in use, MXCSR 0x3f80), xrstor test_img with mask m,
 * xsave everything. */
static void xrstor_over_other(uint64_t m)
{
    memset(area, 0xa5, sizeof area);
    __asm__ volatile("mov $7, %%eax\n\txor %%edx, %%edx\n\txrstor %[o]\n\t"
                     "mov %k[mk], %%eax\n\txrstor %[t]\n\t"
                     "mov $7, %%eax\n\txsave %[b]"
                     : [b] "+m"(*(uint8_t(*)[AREA])area)
                     : [o] "m"(*(const uint8_t(*)[AREA])other),
                       [t] "m"(*(const uint8_t(*)[AREA])test_img), [mk] "r"((uint32_t)m)
                     : "rax", "rdx", XS_CLOBBERS);
    clean_state();
}

INSN_TEST(xrstor_forms)
{
    static const char *const name[3] = { "xrstor", "xrstor compacted all", "xrstor compacted bv" };
    build_states();
    for (unsigned form = 0; form < 3; form++)
        for (uint64_t bv = 0; bv < 8; bv++)
            for (uint64_t m = 0; m < 8; m++) {
                uint64_t xc = form == 0 ? 0 : 1ull << 63 | (form == 1 ? 7 : bv);
                memcpy(test_img, src[7], sizeof test_img);
                set_header(test_img, bv, xc);
                STABLE(xrstor_over_other(m), area, sizeof area);
                print_area(name[form], bv, m, xc, area);
            }
}

static sigjmp_buf gp_back;
static void on_segv(int sig) { siglongjmp(gp_back, sig); }

enum { T_XRSTOR, T_XSAVEOPT, T_XSAVEC, T_XGETBV };

static void run_insn(int which, uint8_t *p, uint64_t mask)
{
    switch (which) {
    case T_XRSTOR:
        __asm__ volatile("xrstor %0" : : "m"(*p), "a"((uint32_t)mask), "d"(0) : XS_CLOBBERS);
        break;
    case T_XSAVEOPT:
        __asm__ volatile("xsaveopt %0" : "+m"(*p) : "a"((uint32_t)mask), "d"(0));
        break;
    case T_XSAVEC:
        __asm__ volatile("xsavec %0" : "+m"(*p) : "a"((uint32_t)mask), "d"(0));
        break;
    case T_XGETBV: {
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"((uint32_t)mask));
        break;
    }
    }
}

/* The signal the instruction raised (0: none); the FP state is init after. */
static int try_insn(int which, uint8_t *p, uint64_t mask)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old);
    int sig = sigsetjmp(gp_back, 1);
    if (!sig)
        run_insn(which, p, mask);
    sigaction(SIGSEGV, &old, NULL);
    clean_state();
    return sig;
}

static int try_xrstor(uint8_t *p, uint64_t mask) { return try_insn(T_XRSTOR, p, mask); }

/* A valid image in `area`, with a header. */
static uint8_t *image(uint64_t bv, uint64_t xcomp, uint32_t mxcsr)
{
    memcpy(area, src[7], sizeof area);
    set_header(area, bv, xcomp);
    memcpy(area + 24, &mxcsr, 4);
    return area;
}

#define CMP (1ull << 63)

INSN_TEST(xrstor_gp)
{
    build_states();
    uint64_t out[24];
    int n = 0;
    out[n++] = (uint64_t)try_xrstor(image(7, 0, 0x1f80), 7);                /* fine */
    memmove(area + 16, area, 832);
    out[n++] = (uint64_t)try_xrstor(area + 16, 7);                           /* misaligned */
    out[n++] = (uint64_t)try_xrstor(image(7, 0, 0x1f80) + 8, 7);
    image(7, 0, 0x1f80)[530] = 1;
    out[n++] = (uint64_t)try_xrstor(area, 7);                                /* header byte 18 */
    image(7, 0, 0x1f80)[560] = 1;
    out[n++] = (uint64_t)try_xrstor(area, 7);                                /* header byte 48 */
    out[n++] = (uint64_t)try_xrstor(image(8, 0, 0x1f80), 0);                 /* XSTATE_BV bit 3 */
    out[n++] = (uint64_t)try_xrstor(image(7, 0, 0x11f80), 7);                /* MXCSR bit 16 */
    out[n++] = (uint64_t)try_xrstor(image(7, 0, 0x11f80), 4);                /* loaded for AVX */
    out[n++] = (uint64_t)try_xrstor(image(7, 0, 0x11f80), 1);                /* not loaded */
    out[n++] = (uint64_t)try_xrstor(image(7, CMP | 7, 0x1f80), 7);          /* compacted: fine */
    out[n++] = (uint64_t)try_xrstor(image(0, CMP, 0x1f80), 7);              /* no components */
    out[n++] = (uint64_t)try_xrstor(image(0, CMP | 8, 0x1f80), 7);          /* XCOMP_BV bit 3 */
    out[n++] = (uint64_t)try_xrstor(image(4, CMP | 3, 0x1f80), 7);          /* BV beyond XCOMP */
    image(3, CMP | 3, 0x1f80)[528] = 1;
    out[n++] = (uint64_t)try_xrstor(area, 7);                                /* header byte 16 */
    image(3, CMP | 3, 0x1f80)[575] = 1;
    out[n++] = (uint64_t)try_xrstor(area, 7);                                /* header byte 63 */
    out[n++] = (uint64_t)try_xrstor(image(7, CMP | 7, 0x1f80) + 16, 7);     /* misaligned */
    out[n++] = (uint64_t)try_xrstor(image(7, CMP | 7, 0x11f80), 7);         /* MXCSR loaded */
    out[n++] = (uint64_t)try_xrstor(image(5, CMP | 7, 0x11f80), 7);         /* SSE init: not */
    out[n++] = (uint64_t)try_xrstor(image(7, CMP | 7, 0x11f80), 4);         /* not for AVX */
    out[n++] = (uint64_t)try_insn(T_XSAVEOPT, area + 16, 7);                 /* misaligned */
    out[n++] = (uint64_t)try_insn(T_XSAVEC, area + 32, 7);
    out[n++] = (uint64_t)try_insn(T_XSAVEOPT, area, 7);
    out[n++] = (uint64_t)try_insn(T_XSAVEC, area, 7);
    out[n++] = (uint64_t)try_insn(T_XGETBV, area, 2);                        /* no XCR2 */
    uint64_t in[] = { 0 };
    insn_case("xrstor_gp", 1, in, n, out);
}

/* XINUSE after an xrstor that loads the components of s (non-init
 * values) and initialises the others. */
INSN_TEST(xgetbv_inuse)
{
    build_states();
    for (unsigned s = 0; s < 8; s++) {
        uint32_t lo, hi;
        STABLE({
            __asm__ volatile("mov $7, %%eax\n\txor %%edx, %%edx\n\txrstor %[a]\n\t"
                             "mov $1, %%ecx\n\txgetbv"
                             : "=&a"(lo), "=&d"(hi)
                             : [a] "m"(*(const uint8_t(*)[AREA])src[s])
                             : "rcx", XS_CLOBBERS);
            clean_state();
        }, &lo, sizeof lo);
        uint64_t in[] = { s };
        uint64_t out[] = { ((uint64_t)hi << 32 | lo) & 7 };
        INSN_CASE("xgetbv(1)", in, out);
    }
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

INSN_TEST(xgetbv_shape)
{
    uint32_t l1[4], d0[4], d1[4], d2[4], lo, hi;
    cpuid(1, 0, l1);
    cpuid(0xd, 0, d0);
    cpuid(0xd, 1, d1);
    cpuid(0xd, 2, d2);
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    uint64_t xcr0 = (uint64_t)hi << 32 | lo;
    uint64_t in[] = { 0 };
    uint64_t out[] = { (l1[2] >> 26) & 3, xcr0 & 7, (xcr0 & ~(uint64_t)d0[0]) == 0,
                       d0[1] >= 832, d0[2] >= d0[1], d1[0] & 7, d1[1] >= 832,
                       d2[0], d2[1], d2[2], d2[3] };
    INSN_CASE("xgetbv", in, out);
}

/* A CPU without OSXSAVE, AVX, XSAVEOPT, XSAVEC runs only the refusals (ud_main). */
UD_TEST_MAIN(xsave_ud, "cpuid osxsave avx xsaveopt xsavec",
             ud_cpuid_bit(1, 0, 2, 27) &
                 ud_cpuid_bit(1, 0, 2, 28) &
                 ud_cpuid_bit(0xd, 1, 0, 0) &
                 ud_cpuid_bit(0xd, 1, 0, 1),
             UD_CASE("xgetbv", "0x31, 0xc9, 0x0f, 0x01, 0xd0");)
