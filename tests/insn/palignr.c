/* palignr.c -- difftest of palignr and vpalignr (the valignr IR op) at
 * every imm8 (0-255: inside the 32-byte pair, exactly 16, past 16 and
 * past 32): legacy SSE register, memory and self forms (ymm0's upper
 * half must stay), VEX.128 and VEX.256 register and memory forms and the
 * destination aliasing either source or both (VEX.128 zeroes 255:128;
 * VEX.256 works per 128-bit lane), on operands whose 64 bytes are all
 * distinct and on random ones; then chains of them mixed with other
 * vector instructions in a loop, as SHA-256's message schedule and
 * AES-GCM run them (results feeding the next op from registers). */
#include "insn.h"
#include "ud_case.h"

typedef struct { uint64_t q[4]; } __attribute__((aligned(32))) y256;

#define P_LOAD "vmovdqu %[a], %%ymm1\n\tvmovdqu %[b], %%ymm2\n\tvmovdqu %[g], %%ymm0\n\t"
#define P_STORE "\n\tvmovdqu %%ymm0, %[r]"
#define P_IO(K) [r] "=m"(r) : [a] "m"(*a), [b] "m"(*b), [g] "m"(*g), [k] "i"(K) \
    : "xmm0", "xmm1", "xmm2", "memory"

/* One switch case per imm8: the immediate is part of the encoding. */
#define P_CASE(K, TEXT) case (K): __asm__ volatile(P_LOAD TEXT P_STORE : P_IO(K)); break;
#define P_C4(K, T) P_CASE(K, T) P_CASE((K) + 1, T) P_CASE((K) + 2, T) P_CASE((K) + 3, T)
#define P_C16(K, T) P_C4(K, T) P_C4((K) + 4, T) P_C4((K) + 8, T) P_C4((K) + 12, T)
#define P_C64(K, T) P_C16(K, T) P_C16((K) + 16, T) P_C16((K) + 32, T) P_C16((K) + 48, T)

/* NAME(k, a, b, g): ymm0 after TEXT with ymm1 = a, ymm2 = b, ymm0 = g. */
#define P_FORM(NAME, TEXT)                                                          \
    static y256 NAME(unsigned k, const y256 *a, const y256 *b, const y256 *g)      \
    {                                                                               \
        y256 r = *g;                                                                \
        switch (k) { P_C64(0, TEXT) P_C64(64, TEXT) P_C64(128, TEXT) P_C64(192, TEXT) } \
        return r;                                                                   \
    }

P_FORM(sse_rr, "palignr %[k], %%xmm2, %%xmm0")
P_FORM(sse_rm, "palignr %[k], %[b], %%xmm0")
P_FORM(sse_self, "palignr %[k], %%xmm0, %%xmm0")
P_FORM(x_rr, "vpalignr %[k], %%xmm2, %%xmm1, %%xmm0")
P_FORM(x_rm, "vpalignr %[k], %[b], %%xmm1, %%xmm0")
P_FORM(x_da, "vpalignr %[k], %%xmm2, %%xmm0, %%xmm0")
P_FORM(x_db, "vpalignr %[k], %%xmm0, %%xmm1, %%xmm0")
P_FORM(x_ab, "vpalignr %[k], %%xmm1, %%xmm1, %%xmm0")
P_FORM(y_rr, "vpalignr %[k], %%ymm2, %%ymm1, %%ymm0")
P_FORM(y_rm, "vpalignr %[k], %[b], %%ymm1, %%ymm0")
P_FORM(y_da, "vpalignr %[k], %%ymm2, %%ymm0, %%ymm0")
P_FORM(y_db, "vpalignr %[k], %%ymm0, %%ymm1, %%ymm0")
P_FORM(y_all, "vpalignr %[k], %%ymm0, %%ymm0, %%ymm0")

typedef y256 p_form_fn(unsigned, const y256 *, const y256 *, const y256 *);
static const struct { const char *name; p_form_fn *fn; } p_forms[] = {
    { "palignr.rr", sse_rr }, { "palignr.rm", sse_rm }, { "palignr.self", sse_self },
    { "vpalignr.x.rr", x_rr }, { "vpalignr.x.rm", x_rm }, { "vpalignr.x.da", x_da },
    { "vpalignr.x.db", x_db }, { "vpalignr.x.ab", x_ab },
    { "vpalignr.y.rr", y_rr }, { "vpalignr.y.rm", y_rm }, { "vpalignr.y.da", y_da },
    { "vpalignr.y.db", y_db }, { "vpalignr.y.all", y_all },
};
#define P_NFORMS (sizeof p_forms / sizeof p_forms[0])

#ifdef INSN_LONG
#define P_NSETS 24
#else
#define P_NSETS 3
#endif

/* Operand set n: a, b, g.  Set 0: the 96 bytes numbered, so that each
 * result byte says where it came from; set 1 the same with the top bits
 * set; the rest random. */
static void p_operands(unsigned n, y256 v[3])
{
    for (unsigned m = 0; m < 3; m++)
        for (unsigned q = 0; q < 4; q++) {
            uint64_t x = 0;
            for (unsigned byte = 0; byte < 8; byte++)
                x |= (uint64_t)((m * 32 + q * 8 + byte + 1) | (n == 1 ? 0x80 : 0)) << 8 * byte;
            v[m].q[q] = n < 2 ? x : insn_rand();
        }
}

static void p_case(const char *name, unsigned k, const y256 v[3], const y256 *r)
{
    uint64_t in[13], out[4];
    in[0] = k;
    for (unsigned m = 0; m < 3; m++)
        memcpy(in + 1 + 4 * m, v[m].q, 32);
    memcpy(out, r->q, 32);
    insn_case(name, 13, in, 4, out);
}

INSN_TEST(palignr_every_imm)
{
    for (unsigned n = 0; n < P_NSETS; n++) {
        y256 v[3];
        p_operands(n, v);
        for (unsigned f = 0; f < P_NFORMS; f++)
            for (unsigned k = 0; k < 256; k++) {
                y256 r = p_forms[f].fn(k, &v[0], &v[1], &v[2]);
                p_case(p_forms[f].name, k, v, &r);
            }
    }
}

/* SHA-256's message schedule (vpalignr $4 and $12 of neighbouring
 * words, adds, xors), then GCM-like byte rotations and an SSE palignr
 * between VEX ones, eight times round a loop: each result is the next
 * op's source while it is still in a register. */
INSN_TEST(palignr_chain)
{
    for (unsigned n = 0; n < P_NSETS + 2; n++) {
        y256 v[4], r[4];
        p_operands(n, v);
        for (unsigned q = 0; q < 4; q++)
            v[3].q[q] = insn_rand();
        __asm__ volatile(
            "vmovdqu %[v0], %%ymm0\n\tvmovdqu %[v1], %%ymm1\n\t"
            "vmovdqu %[v2], %%ymm2\n\tvmovdqu %[v3], %%ymm3\n\t"
            "mov $8, %%ecx\n"
            "1:\n\t"
            "vpalignr $4, %%ymm0, %%ymm1, %%ymm4\n\t"
            "vpaddd %%ymm4, %%ymm2, %%ymm2\n\t"
            "vpalignr $12, %%ymm2, %%ymm3, %%ymm5\n\t"
            "vpxor %%ymm5, %%ymm0, %%ymm0\n\t"
            "vpalignr $8, %%xmm0, %%xmm5, %%xmm6\n\t"
            "palignr $3, %%xmm6, %%xmm1\n\t"
            "vpalignr $20, %%ymm1, %%ymm2, %%ymm3\n\t"
            "vpalignr $15, %%ymm3, %%ymm3, %%ymm3\n\t"
            "palignr $16, %%xmm4, %%xmm2\n\t"
            "vpaddq %%ymm6, %%ymm1, %%ymm1\n\t"
            "vpalignr $1, %%ymm1, %%ymm0, %%ymm0\n\t"
            "dec %%ecx\n\tjnz 1b\n\t"
            "vmovdqu %%ymm0, %[r0]\n\tvmovdqu %%ymm1, %[r1]\n\t"
            "vmovdqu %%ymm2, %[r2]\n\tvmovdqu %%ymm3, %[r3]"
            : [r0] "=m"(r[0]), [r1] "=m"(r[1]), [r2] "=m"(r[2]), [r3] "=m"(r[3])
            : [v0] "m"(v[0]), [v1] "m"(v[1]), [v2] "m"(v[2]), [v3] "m"(v[3])
            : "rcx", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "cc", "memory");
        uint64_t in[16], out[16];
        memcpy(in, v, sizeof in);
        memcpy(out, r, sizeof out);
        INSN_CASE("palignr.chain", in, out);
    }
}

/* A CPU without SSSE3, AVX2 runs only the refusals (ud_main). */
UD_TEST_MAIN(palignr_ud, "cpuid ssse3 avx2",
             ud_cpuid_bit(1, 0, 2, 9) & ud_cpuid_bit(7, 0, 1, 5),
             UD_CASE("palignr", "0x66, 0x0f, 0x3a, 0x0f, 0xcb, 0x01");
             UD_CASE("vpalignr_y", "0xc4, 0xe3, 0x75, 0x0f, 0xcb, 0x01");)
