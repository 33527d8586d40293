/* a64_envpair.c -- runs of 8-byte env stores at consecutive offsets as
 * store pairs.  x86's vzeroupper zeroes the upper halves of all sixteen
 * YMM registers: 32 `str xzr, [x19, #off]` at off, off + 8, ... (1-2 % of
 * python's, perl's and sqlite's host instructions run through glibc's AVX2
 * string functions).  Such a run becomes `stp` pairs: straight from env
 * when its offsets fit stp's scaled imm7 (up to 504), else from x16 = env +
 * the run's first offset (`add x16, x19, #off` once) -- whichever of that
 * and the single stores is shorter.  A run of zeros four at a time: `stp
 * q0, q0` of a zeroed v0 (vzeroupper: 10 instructions for 32 stores).
 *
 * Each store of a run is rewritten as it arrives: the run's words are
 * emitted again from its start in their best form.  A run continues only
 * while its words are the last ones emitted (nothing between: no glue, no
 * other op, so every data register still holds what it held at its own
 * store) in the same emission attempt.  Env stores never fault and no
 * fault point or branch target lies inside a run, so the order of its
 * stores within the pairs changes nothing anyone can see.
 */
#include "a64_emit.h"
#include "a64_encode_simd.h"

enum { RUN_MAX = 32, STP_MAX_OFF = 504 };

static __thread struct {
    unsigned gen;               /* a64_tail_gen of its block; 0: none */
    uint8_t *start, *end;       /* its words */
    int32_t first;              /* env offset of its first store */
    int n;
    uint8_t reg[RUN_MAX];       /* data registers (31: xzr) */
} run;

static bool continues(const struct be_code *c, int32_t offset)
{
    return run.gen != 0 && run.gen == a64_tail_gen(c) && run.end == c->ptr &&
           run.n < RUN_MAX && offset == run.first + 8 * run.n;
}

/* Words of the paired form: pairs plus an odd store, and the add unless
 * the offsets fit stp from env itself. */
static int paired_words(int32_t first, int n)
{
    bool direct = first + 8 * (n - 1) <= STP_MAX_OFF;
    return (n + 1) / 2 + !direct;
}

static void emit_paired(struct be_code *c)
{
    unsigned base = A64_ENV;
    int32_t at = run.first;
    if (run.first + 8 * (run.n - 1) > STP_MAX_OFF) {
        a64_put(c, a64_add_sub_imm(true, false, false, false, (unsigned)run.first, A64_ENV,
                                   A64_TMP0));
        base = A64_TMP0;
        at = 0;
    }
    int k = 0;
    for (; k + 1 < run.n; k += 2)
        a64_put(c, a64_load_store_pair(false, A64_PAIR_OFFSET, (at + 8 * k) / 8,
                                       run.reg[k + 1], base, run.reg[k]));
    if (k < run.n)
        a64_put(c, a64_load_store_unsigned_imm(3, A64_STR, (unsigned)(at + 8 * k) / 8, base,
                                               run.reg[k]));
}

/* A run of zeros, four stores at a time: x16 = env + first, v0 = 0 (a
 * vector op's scratch; none is live between ops), `stp q0, q0`, then
 * what is left as pairs of xzr. */
static bool all_zero(void)
{
    for (int k = 0; k < run.n; k++)
        if (run.reg[k] != A64_ZR)
            return false;
    return true;
}

static int zero_words(int n) { return 2 + n / 4 + (n % 4 + 1) / 2; }

static void emit_zero_q(struct be_code *c)
{
    a64_put(c, a64_add_sub_imm(true, false, false, false, (unsigned)run.first, A64_ENV, A64_TMP0));
    a64_put(c, a64_simd_mod_imm(true, true, 0xe, 0, 0));       /* movi v0.2d, #0 */
    int k = 0;
    for (; k + 3 < run.n; k += 4)
        a64_put(c, a64_fp_stp_q(k / 2, 0, A64_TMP0, 0));
    for (; k + 1 < run.n; k += 2)
        a64_put(c, a64_load_store_pair(false, A64_PAIR_OFFSET, k, A64_ZR, A64_TMP0, A64_ZR));
    if (k < run.n)
        a64_put(c, a64_load_store_unsigned_imm(3, A64_STR, (unsigned)k, A64_TMP0, A64_ZR));
}

static void emit_singles(struct be_code *c)
{
    for (int k = 0; k < run.n; k++)
        a64_put(c, a64_load_store_unsigned_imm(3, A64_STR, (unsigned)(run.first + 8 * k) / 8,
                                               A64_ENV, run.reg[k]));
}

/* `str xrt, [x19, #offset]` as part of a run; false: not a run's kind of
 * store (the caller emits it alone). */
bool a64_env_store_paired(struct be_code *c, unsigned rt, int32_t offset)
{
    if (offset < 0 || offset % 8 != 0 || offset >= 4096 || rt == A64_TMP0)
        return false;
    if (!continues(c, offset)) {
        run.gen = a64_tail_gen(c);
        run.start = c->ptr;
        run.first = offset;
        run.n = 0;
    }
    run.reg[run.n++] = (uint8_t)rt;
    c->ptr = run.start;
    int paired = paired_words(run.first, run.n);
    if (all_zero() && zero_words(run.n) < paired && zero_words(run.n) < run.n)
        emit_zero_q(c);
    else if (paired < run.n)
        emit_paired(c);
    else
        emit_singles(c);
    run.end = c->ptr;
    return true;
}
