/* insn.h -- the harness shared by the instruction difftests: operand values
 * (edge values, then fixed-seed pseudo-random ones), a fast buffered hex
 * printer (printf would dominate the run time under qemu), and the EFLAGS
 * bit names used to mask flags the SDM leaves undefined.
 *
 * Each test prints one line per case: name, inputs, outputs (hex). The same
 * binary runs natively and under ferry; any difference is a bug in ferry.
 * Built with -mno-red-zone: the asm blocks push/pop around the instruction.
 * INSN_LONG (check-long) adds many random operands to every sweep. */
#ifndef INSN_H
#define INSN_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define F_CF 0x001ull
#define F_PF 0x004ull
#define F_AF 0x010ull
#define F_ZF 0x040ull
#define F_SF 0x080ull
#define F_DF 0x400ull
#define F_OF 0x800ull
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
/* Bit 1 is always 1 and IF is always set in user mode: every popf input
 * carries them so that popf changes nothing but the bits under test. */
#define F_BASE 0x202ull
/* Asm text that runs CODE with RFLAGS loaded from the operand %[fl]
 * before it and stored back into %[fl] after it. */
#define INSN_FLAGS(CODE) "push %[fl]\n\tpopfq\n\t" CODE "\n\tpushfq\n\tpop %[fl]"

/* The two flag states each case starts from (flags preserved by an
 * instruction must come out unchanged, in both states). */
static const uint64_t insn_flags_in[2] = { 0, F_ARITH };

static const uint64_t insn_edges[] = {
    0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffffffeull,
    0x0123456789abcdefull, 0xfedcba9876543210ull, 0x5555555555555555ull,
    0x1f, 0x20, 0x3f, 0x40, 0x41,
};
#define INSN_NEDGES (sizeof insn_edges / sizeof insn_edges[0])

#ifdef INSN_LONG
#define INSN_NRANDOM 100
#else
#define INSN_NRANDOM 4
#endif
#define INSN_NVALUES (INSN_NEDGES + INSN_NRANDOM)

static uint64_t insn_random[INSN_NRANDOM];

/* xorshift64*, fixed seed: the same "random" operands every run.  Another
 * nonzero INSN_SEED (make INSN_SEED=0x..., long sweeps only) draws fresh
 * operands, still the same natively and under ferry. */
#ifndef INSN_SEED
#define INSN_SEED 0x243f6a8885a308d3ull
#endif
static uint64_t insn_rng = INSN_SEED;
static inline uint64_t insn_rand(void)
{
    insn_rng ^= insn_rng >> 12;
    insn_rng ^= insn_rng << 25;
    insn_rng ^= insn_rng >> 27;
    return insn_rng * 0x2545f4914f6cdd1dull;
}

static void insn_init(void)
{
    for (unsigned i = 0; i < INSN_NRANDOM; i++) {
        uint64_t r = insn_rand();
        /* mix in small magnitudes: they hit carries between narrow widths */
        insn_random[i] = i % 3 == 0 ? r >> (r % 61) : r;
    }
}

/* The i-th operand value: edges first, then the random ones. */
static inline uint64_t insn_value(unsigned i)
{
    return i < INSN_NEDGES ? insn_edges[i] : insn_random[i - INSN_NEDGES];
}

/* --- output --------------------------------------------------------------- */
static char insn_buf[1 << 16];
static unsigned insn_len;

static void insn_flush(void)
{
    unsigned off = 0;
    while (off < insn_len) {
        ssize_t n = write(1, insn_buf + off, insn_len - off);
        if (n <= 0)
            break;
        off += (unsigned)n;
    }
    insn_len = 0;
}

static inline void insn_putc(char c)
{
    if (insn_len == sizeof insn_buf)
        insn_flush();
    insn_buf[insn_len++] = c;
}

static inline void insn_puts(const char *s)
{
    while (*s)
        insn_putc(*s++);
}

/* Hex without leading zeros (short lines keep the output small). */
static inline void insn_hex(uint64_t v)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    insn_putc(' ');
    while (n)
        insn_putc(tmp[--n]);
}

/* name in... -> out... */
static inline void insn_case(const char *name, int nin, const uint64_t *in,
                             int nout, const uint64_t *out)
{
    insn_puts(name);
    for (int i = 0; i < nin; i++)
        insn_hex(in[i]);
    insn_puts(" ->");
    for (int i = 0; i < nout; i++)
        insn_hex(out[i]);
    insn_putc('\n');
}

/* Tests register themselves (constructors run in link order, the same
 * natively and under ferry); insn_main() runs them all. */
static void (*insn_tests[512])(void);
static unsigned insn_ntests;

static inline void insn_register(void (*fn)(void))
{
    if (insn_ntests < sizeof insn_tests / sizeof insn_tests[0])
        insn_tests[insn_ntests++] = fn;
}

#define INSN_TEST(fn)                                                        \
    static void fn(void);                                                    \
    __attribute__((constructor)) static void reg_##fn(void)                   \
    {                                                                         \
        insn_register(fn);                                                    \
    }                                                                         \
    static void fn(void)

static int insn_main(void)
{
    insn_init();
    for (unsigned i = 0; i < insn_ntests; i++)
        insn_tests[i](), insn_flush();
    insn_flush();
    return 0;
}

#define INSN_CASE(name, ins, outs)                                           \
    insn_case(name, (int)(sizeof ins / sizeof ins[0]), ins,                   \
              (int)(sizeof outs / sizeof outs[0]), outs)

/* Shared by alu.c and misc.c (bt*): */
/* op %s, %d with both in registers */
#define BIN_RR(FN, INSN, M, MASK)                                             \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j++)                       \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t d = insn_value(i), s = insn_value(j);            \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    __asm__ volatile(INSN_FLAGS(                              \
                                     INSN " %" M "[s], %" M "[d]")            \
                                     : [d] "+r"(d), [fl] "+r"(fl)             \
                                     : [s] "r"(s) : "cc");                    \
                    uint64_t in[] = { insn_value(i), s, insn_flags_in[f] };   \
                    uint64_t out[] = { d, fl & (MASK) };                      \
                    INSN_CASE(INSN " rr", in, out);                           \
                }                                                             \
    }

#endif
