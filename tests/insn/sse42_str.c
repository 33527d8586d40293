/* sse42_str.c -- difftest of the pcmpistri/pcmpistrm forms ferry
 * translates as IR (frontends/x86_64/x86_sse42_ir.c: byte elements, equal
 * any or equal each, every polarity, either index or mask form; glibc
 * uses pcmpistri 0x02, 0x12, 0x1a, 0x3a).  glibc's four: every pair of
 * string lengths 0..16 (the first NUL at every position of both operands,
 * bytes after it random, so they would match if counted), register and
 * memory sources, and the same register as both operands.  All 64 inline
 * imm8 values, pcmpistri and pcmpistrm: slices of those pairs (9 each,
 * 120 in check-long).  Each case prints RCX (the upper half must be
 * cleared), all six flags from pushf, the conditions glibc branches on
 * (seta, setbe, setc, sets, seto, setz) read right after the instruction
 * (ferry's lazy flags), and XMM0.
 */
#include <stdbool.h>

#include "sse_vec.h"
#include "ud_case.h"

/* A small alphabet: matches are common. */
static const uint8_t alpha[] = { 'a', 'b', 'c', 'A', 0x80, 0xff, '0', 1 };

/* 16 random bytes, the first NUL at `len` (16: none). */
static v2u str_of_len(unsigned len)
{
    uint8_t b[16];
    v2u v;
    for (int i = 0; i < 16; i++)
        b[i] = alpha[(insn_rand() >> 9) % sizeof alpha];
    if (len < 16)
        b[len] = 0;
    for (unsigned i = len + 1; i < 16; i++)       /* past the end: zeros too */
        if ((insn_rand() >> 5) % 4 == 0)
            b[i] = 0;
    memcpy(&v, b, 16);
    return v;
}

struct res { uint64_t rcx, fl, cc, x0lo, x0hi; };

#define ISTRI(TEXT, IMM, a, b, r)                                             \
    do {                                                                      \
        uint64_t rcx = 0x3333333333333333ull, fl = F_BASE | ((IMM) & 0x80 ? F_ARITH : 0); \
        uint8_t c[6];                                                         \
        v2u x0 = { 0x1111111111111111ull, 0x2222222222222222ull };            \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" TEXT "\n\t"              \
                         "seta %[c0]\n\tsetbe %[c1]\n\tsetc %[c2]\n\t"        \
                         "sets %[c3]\n\tseto %[c4]\n\tsetz %[c5]\n\t"         \
                         "pushfq\n\tpop %[fl]"                                \
                         : [fl] "+r"(fl), "+c"(rcx), [c0] "=m"(c[0]), [c1] "=m"(c[1]), \
                           [c2] "=m"(c[2]), [c3] "=m"(c[3]), [c4] "=m"(c[4]),  \
                           [c5] "=m"(c[5]), "+Yz"(x0)                         \
                         : [a] "x"(a), [b] "x"(b), [bm] "m"(b), [i] "i"(IMM)  \
                         : "cc");                                             \
        (r)->rcx = rcx; (r)->fl = fl & F_ARITH;                               \
        (r)->x0lo = x0[0]; (r)->x0hi = x0[1];                                 \
        (r)->cc = 0;                                                          \
        for (int k = 0; k < 6; k++)                                           \
            (r)->cc = (r)->cc << 8 | c[k];                                    \
    } while (0)

/* The inline forms: bit 0 and bit 2 clear (bit 7 is ignored by the CPU). */
#define C1(T, n) case n: ISTRI(T, n, a, b, r); break;
#define C2(T, n) C1(T, n) C1(T, n + 2)                  /* signed, unsigned */
#define C4(T, n) C2(T, n) C2(T, n + 8)                  /* equal any, each */
#define C16(T, n) C4(T, n) C4(T, n + 16) C4(T, n + 32) C4(T, n + 48)   /* polarity */
#define C64(T) C16(T, 0) C16(T, 64) C16(T, 128) C16(T, 192)            /* index, bit 7 */
#define FORM(name, TEXT)                                                      \
    static void name(unsigned imm, v2u a, v2u b, struct res *r)               \
    {                                                                         \
        switch (imm) { C64(TEXT) }                                            \
    }
FORM(istri_rr, "pcmpistri %[i], %[b], %[a]")
FORM(istri_rm, "pcmpistri %[i], %[bm], %[a]")
FORM(istri_aa, "pcmpistri %[i], %[a], %[a]")
FORM(istrm_rr, "pcmpistrm %[i], %[b], %[a]")
FORM(istrm_rm, "pcmpistrm %[i], %[bm], %[a]")

static void one(const char *name, void (*fn)(unsigned, v2u, v2u, struct res *), unsigned imm,
                v2u a, v2u b)
{
    struct res r;
    fn(imm, a, b, &r);
    uint64_t in[] = { imm, a[0], a[1], b[0], b[1] };
    uint64_t out[] = { r.rcx, r.fl, r.cc, r.x0lo, r.x0hi };
    INSN_CASE(name, in, out);
}

static void pair(unsigned imm, v2u a, v2u b)
{
    one("pcmpistri", istri_rr, imm, a, b);
    one("pcmpistri mem", istri_rm, imm, a, b);
}

static bool inline_imm(unsigned imm) { return !(imm & 5); }

#ifdef INSN_LONG
#define SLICE 120
#else
#define SLICE 9
#endif

/* glibc's imm8 values over every pair of lengths. */
INSN_TEST(glibc_forms)
{
    static const unsigned glibc[] = { 0x02, 0x12, 0x1a, 0x3a };
    for (unsigned g = 0; g < 4; g++)
        for (unsigned la = 0; la <= 16; la++)
            for (unsigned lb = 0; lb <= 16; lb++) {
                v2u a = str_of_len(la), b = str_of_len(lb);
                if ((la + lb) % 3 == 0)         /* equal prefixes */
                    memcpy(&b, &a, la < lb ? la : lb);
                pair(glibc[g], a, b);
                if (lb == 0)
                    one("pcmpistri same", istri_aa, glibc[g], a, a);
            }
}

/* Every inline imm8 over a slice of the pairs. */
INSN_TEST(inline_forms)
{
    for (unsigned imm = 0; imm < 256; imm++) {
        if (!inline_imm(imm))
            continue;
        for (unsigned p = 0; p < SLICE; p++) {
            unsigned la = (imm * 7 + p * 5) % 17, lb = (imm * 3 + p * 11) % 17;
            v2u a = str_of_len(la), b = str_of_len(lb);
            if (p % 3 == 0)
                memcpy(&b, &a, la < lb ? la : lb);
            pair(imm, a, b);
        }
        one("pcmpistri same", istri_aa, imm, str_of_len(imm % 17), str_of_len(0));
        for (unsigned p = 0; p < SLICE; p++) {      /* pcmpistrm: XMM0 */
            unsigned la = (imm * 5 + p * 3) % 17, lb = (imm + p * 7) % 17;
            v2u a = str_of_len(la), b = str_of_len(lb);
            if (p % 3 == 1)
                memcpy(&b, &a, la < lb ? la : lb);
            one("pcmpistrm", istrm_rr, imm, a, b);
            one("pcmpistrm mem", istrm_rm, imm, a, b);
        }
    }
}

/* A CPU without SSE4.2 runs only the refusals (ud_main). */
UD_TEST_MAIN(sse42_str_ud, "cpuid sse4_2",
             ud_cpuid_bit(1, 0, 2, 20),
             UD_CASE("pcmpistri", "0x66, 0x0f, 0x3a, 0x63, 0xcb, 0x00");)
