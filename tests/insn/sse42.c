/* sse42.c -- difftest of SSE4.2: pcmpgtq, crc32 of every data size from
 * registers and memory (32- and 64-bit destinations), and the string
 * compares pcmpestri/pcmpestrm/pcmpistri/pcmpistrm over all 256 imm8
 * values: strings of bytes and words with early NULs, equal and unequal
 * prefixes, explicit lengths that are negative, past 16, or only valid in
 * 64 bits (REX.W forms), register and memory operands.  Each case prints
 * ECX, XMM0 and all six arithmetic flags (AF and PF are defined: cleared).
 * Each imm8 takes a different slice of the 1600 string pairs: 12 pairs
 * in quick runs, 120 in long runs. */
#include <stdbool.h>

#include "sse_vec.h"
#include "ud_case.h"

VB(pcmpgtq, ivec)
VMEM(pcmpgtq_m, ivec, "pcmpgtq %[s], %[d]")

/* crc32 r32/r64 <- r/m8..64 */
#define CRC(FN, TEXT)                                                         \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j += 3) {                  \
                uint64_t acc = insn_value(i), v = insn_value(j), m = v;       \
                __asm__ volatile(TEXT : [a] "+r"(acc) : [v] "r"(v), [m] "m"(m)); \
                uint64_t in[] = { insn_value(i), v };                         \
                uint64_t out[] = { acc };                                     \
                INSN_CASE(#FN, in, out);                                     \
            }                                                                 \
    }
CRC(crc32b, "crc32b %b[v], %k[a]")
CRC(crc32w, "crc32w %w[v], %k[a]")
CRC(crc32l, "crc32l %k[v], %k[a]")
CRC(crc32q, "crc32q %q[v], %q[a]")
CRC(crc32b_q, "crc32b %b[v], %q[a]")
CRC(crc32b_m, "crc32b %[m], %k[a]")
CRC(crc32w_m, "crc32w %[m], %k[a]")
CRC(crc32l_m, "crc32l %[m], %k[a]")
CRC(crc32q_m, "crc32q %[m], %q[a]")

/* --- string compares ------------------------------------------------------ */
#define NSTR 40
static v2u strv[NSTR];

/* Small alphabets make matches, ranges and equal prefixes common. */
static const uint8_t str_bytes[] = { 'a', 'b', 'c', 'A', 'z', 0x80, 0xff, '0', 1 };
static const uint16_t str_words[] = { 'a', 'b', 0x100, 0x8000, 0xffff, 0x7fff, 'A', 0x6100 };

static void str_fill(v2u *v, unsigned k)
{
    uint8_t b[16];
    uint64_t r = insn_rand();
    if (k % 2) {
        for (int i = 0; i < 16; i++)
            b[i] = str_bytes[(insn_rand() >> 7) % sizeof str_bytes];
        if (r % 3)
            b[r % 16] = 0;                      /* an early NUL somewhere */
    } else {
        for (int i = 0; i < 8; i++) {
            uint16_t w = str_words[(insn_rand() >> 7) % 8];
            memcpy(&b[2 * i], &w, 2);
        }
        if (r % 3) {
            unsigned at = 2 * (r % 8);
            b[at] = b[at + 1] = 0;              /* an early NUL word */
        }
        if (r % 5 == 0)
            b[2 * (r % 7) + 1] = 0;             /* a zero byte that is no NUL word */
    }
    memcpy(v, b, 16);
}

__attribute__((constructor(102))) static void make_strings(void)
{
    for (unsigned k = 0; k < NSTR; k++) {
        str_fill(&strv[k], k);
        if (k >= 4 && k % 4 == 0) {             /* equal prefix with an earlier one */
            unsigned n = 1 + (unsigned)(insn_rand() % 15);
            memcpy(&strv[k], &strv[k - 3], n);
        }
    }
    strv[0] = (v2u){ 0x6867666564636261ull, 0x706f6e6d6c6b6a69ull };   /* no NUL */
    strv[2] = (v2u){ 0, 0 };                                          /* empty */
    strv[6] = strv[0];                                                /* equal */
}

/* explicit lengths: in range, negative, past 16, only valid in 64 bits */
static const uint64_t str_lens[] = {
    0, 1, 3, 7, 8, 9, 15, 16, 17, 100, -1ull, -5ull, -8ull, -16ull, -17ull,
    0x80000000ull, 0x7fffffffull, 0x100000004ull, 0xffffffff00000002ull, 0x8000000000000000ull,
};
#define NLENS (sizeof str_lens / sizeof str_lens[0])

struct str_out { uint64_t rcx, x0lo, x0hi, fl; };

#define STR_ASM(TEXT, IMM, a, b, la, lb, o)                                   \
    do {                                                                      \
        v2u x0 = { 0x1111111111111111ull, 0x2222222222222222ull };            \
        uint64_t rcx = 0x3333333333333333ull, fl = F_BASE, rax = la, rdx = lb; \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" TEXT "\n\tpushfq\n\tpop %[fl]" \
                         : [fl] "+r"(fl), "+c"(rcx), "+Yz"(x0)                \
                         : [a] "x"(a), [b] "x"(b), [bm] "m"(b), [i] "i"(IMM), \
                           "a"(rax), "d"(rdx)                                 \
                         : "cc");                                             \
        (o)->rcx = rcx; (o)->x0lo = x0[0]; (o)->x0hi = x0[1];                 \
        (o)->fl = fl & F_ARITH;                                               \
    } while (0)

/* One function per instruction form; a switch gives each imm8 its own
 * instruction (the imm8 is encoded in it). */
#define CASE1(TEXT, n) case n: STR_ASM(TEXT, n, a, b, la, lb, o); break;
#define CASE4(T, n) CASE1(T, n) CASE1(T, n + 1) CASE1(T, n + 2) CASE1(T, n + 3)
#define CASE16(T, n) CASE4(T, n) CASE4(T, n + 4) CASE4(T, n + 8) CASE4(T, n + 12)
#define CASE64(T, n) CASE16(T, n) CASE16(T, n + 16) CASE16(T, n + 32) CASE16(T, n + 48)
#define STR_FN(name, TEXT)                                                    \
    static void name(unsigned imm, v2u a, v2u b, uint64_t la, uint64_t lb,    \
                     struct str_out *o)                                       \
    {                                                                         \
        switch (imm) {                                                        \
            CASE64(TEXT, 0) CASE64(TEXT, 64) CASE64(TEXT, 128) CASE64(TEXT, 192) \
        }                                                                     \
    }

STR_FN(str_istri, "pcmpistri %[i], %[b], %[a]")
STR_FN(str_istrm, "pcmpistrm %[i], %[b], %[a]")
STR_FN(str_estri, "pcmpestri %[i], %[b], %[a]")
STR_FN(str_estrm, "pcmpestrm %[i], %[b], %[a]")
STR_FN(str_estriq, "pcmpestriq %[i], %[b], %[a]")
STR_FN(str_istri_m, "pcmpistri %[i], %[bm], %[a]")
STR_FN(str_estrm_m, "pcmpestrm %[i], %[bm], %[a]")

static const struct { const char *name; void (*fn)(unsigned, v2u, v2u, uint64_t, uint64_t,
                                                    struct str_out *); bool lens; } str_forms[] = {
    { "pcmpistri", str_istri, false }, { "pcmpistrm", str_istrm, false },
    { "pcmpestri", str_estri, true }, { "pcmpestrm", str_estrm, true },
    { "pcmpestriq", str_estriq, true }, { "pcmpistri mem", str_istri_m, false },
    { "pcmpestrm mem", str_estrm_m, true },
};

#ifdef INSN_LONG
#define STR_PAIRS 120
#else
#define STR_PAIRS 12
#endif

INSN_TEST(string_compares)
{
    for (unsigned f = 0; f < sizeof str_forms / sizeof str_forms[0]; f++)
        for (unsigned imm = 0; imm < 256; imm++)
            for (unsigned p = 0; p < STR_PAIRS; p++) {
                unsigned k = (imm * 37 + p * 101 + f * 7) % (NSTR * NSTR);
                unsigned ia = k / NSTR, ib = k % NSTR;
                uint64_t la = str_lens[(k + imm) % NLENS], lb = str_lens[(k * 3 + imm / 2) % NLENS];
                struct str_out o;
                str_forms[f].fn(imm, strv[ia], strv[ib], la, lb, &o);
                uint64_t in[] = { imm, strv[ia][0], strv[ia][1], strv[ib][0], strv[ib][1],
                                  str_forms[f].lens ? la : 0, str_forms[f].lens ? lb : 0 };
                uint64_t out[] = { o.rcx, o.x0lo, o.x0hi, o.fl };
                INSN_CASE(str_forms[f].name, in, out);
            }
}

/* A CPU without SSE4.2 runs only the refusals (ud_main). */
UD_TEST_MAIN(sse42_ud, "cpuid sse4_2",
             ud_cpuid_bit(1, 0, 2, 20),
             UD_CASE("pcmpgtq", "0x66, 0x0f, 0x38, 0x37, 0xcb");
             UD_CASE("crc32", "0xf2, 0x0f, 0x38, 0xf1, 0xc2");)
