/* a64_div.c -- IR divu/divs (ir_ops.def) on AArch64: x86's div/idiv with
 * a host udiv/sdiv when the dividend fits 64 bits, the rest through the
 * helper stub, and #DE as an inline exit.
 *
 * With a the dividend's high half (IR input 1), b its low half (input 0):
 *
 *         cbz   c, slow
 *         cmn   c, #1            ; b.eq slow           (divs)
 *         cbnz  a, slow                                (divu, a:b)
 *         cmp   a, b, asr #63    ; b.ne slow           (divs, a:b; a may be xzr)
 *         udiv  q, b, c          (sdiv)
 *   join: ...
 *
 * and behind the block's final exit (a64_emit_div_stubs, as the canonical
 * tests' stubs; inline behind `b join` when a block has more divisions
 * than DIV_MAX):
 *   slow: str   a, b, c -> env rt.div[0..2]
 *         x16 = ir_div_slow, x17 = how; bl stub        (keeps x0-x15, x18, v16-v31)
 *         ldr   x17, rt.div[0]
 *         cbz   x17, ok
 *         <exit: pc, TR_EXIT_SIGFPE>
 *     ok: mov   q, x16
 *         b     join
 *
 * The fast path is 2-5 words and one division; the slow one (a zero
 * divisor, divs by -1, a dividend wider than 64 bits) costs a C call but
 * no write-back of the pinned registers, which the stub keeps.  The
 * registers are the same there as at the division: the stub runs between
 * the division's branch and join.
 */
#include <stdlib.h>

#include "a64_emit.h"
#include "a64_vec.h"

/* A branch word to be pointed later (patch). */
static uint8_t *branch_site(struct be_code *c, uint32_t word)
{
    uint8_t *at = c->ptr;
    a64_put(c, word);
    return at;
}

/* Points the conditional or compare branch at `at` to the current end. */
static void land_cond(struct be_code *c, uint8_t *at)
{
    uint32_t w;
    __builtin_memcpy(&w, at, 4);
    w |= (uint32_t)(((c->ptr - at) >> 2) & 0x7ffff) << 5;
    __builtin_memcpy(be_writable(c, at), &w, 4);
}

static void land_uncond(struct be_code *c, uint8_t *at)
{
    uint32_t w = a64_uncond_branch_imm(false, (int32_t)(c->ptr - at));
    __builtin_memcpy(be_writable(c, at), &w, 4);
}

enum { MAX_TO_SLOW = 3 };

/* The fast path's tests, each a branch to the slow path (n of them in
 * to_slow), then the division. */
static int fast_path(struct be_code *c, const struct ir_insn *i, unsigned q, unsigned a,
                     unsigned b, unsigned d, uint8_t **to_slow)
{
    bool is_signed = i->op == IR_divs;
    bool wide = !(i->aux[1] & IR_DIV_NARROW) && !(a == A64_ZR && !is_signed);  /* (0:b is b) */
    int n = 0;
    to_slow[n++] = branch_site(c, a64_compare_branch_imm(true, false, 0, d));
    if (is_signed) {
        a64_put(c, a64_add_sub_imm(true, false, true, false, 1, d, A64_ZR));     /* cmn d, #1 */
        to_slow[n++] = branch_site(c, a64_cond_branch_imm(A64_EQ, 0));
    }
    if (wide && !is_signed)
        to_slow[n++] = branch_site(c, a64_compare_branch_imm(true, true, 0, a));
    else if (wide) {
        a64_put(c, a64_add_sub_shifted_reg(true, true, true, A64_ASR, b, 63, a, A64_ZR));
        to_slow[n++] = branch_site(c, a64_cond_branch_imm(A64_NE, 0));
    }
    a64_put(c, a64_data_proc_2src(true, is_signed ? A64_SDIV : A64_UDIV, d, b, q));
    return n;
}

/* The operands to env, the call, and the #DE exit. */
static void slow_path(struct be_code *c, const struct ir_insn *i, unsigned q, unsigned a,
                      unsigned b, unsigned d)
{
    unsigned how = (i->aux[1] & IR_DIV_NARROW) | (i->op == IR_divs ? IR_DIV_SIGNED : 0);
    be_emit_st_env(c, (int)a, TR_OFFSET_DIV);
    be_emit_st_env(c, (int)b, TR_OFFSET_DIV + 8);
    be_emit_st_env(c, (int)d, TR_OFFSET_DIV + 16);
    a64_emit_movi_addr(c, A64_TMP0, (const void *)ir_div_slow, BE_RELOC_HOST);
    be_emit_movi(c, A64_TMP1, how);
    a64_vec_call_stub(c);
    be_emit_ld_env(c, A64_TMP1, TR_OFFSET_DIV);
    uint8_t *ok = branch_site(c, a64_compare_branch_imm(true, false, 0, A64_TMP1));
    a64_emit_exit_inline(c, (uint64_t)i->aux[0], TR_EXIT_SIGFPE);
    land_cond(c, ok);
    be_emit_mov(c, (int)q, A64_TMP0);
}

/* The divisions of the block being emitted whose slow paths wait for
 * their place behind its final exit; each lowers c->end by DIV_STUB_BYTES
 * (a64_tail_reserve), so the allocator's room check counts them. */
enum { DIV_MAX = 16, DIV_STUB_BYTES = 32 * 4 };
static __thread struct {
    unsigned gen;                       /* a64_tail_gen of its block; 0: none */
    int n;
    struct {
        struct ir_insn copy;            /* (slow_path reads its op and aux) */
        uint8_t q, a, b, d, n_slow;
        uint32_t slow[MAX_TO_SLOW], join;   /* offsets from the block's start */
    } e[DIV_MAX];
} pending;

static bool pending_live(const struct be_code *c)
{
    return pending.gen != 0 && pending.gen == a64_tail_gen(c);
}

/* The slow path out of line: its branches land here, it goes back to join. */
static void emit_stub(struct be_code *c, int k)
{
    const uint8_t *before = c->ptr;
    for (int j = 0; j < pending.e[k].n_slow; j++)
        land_cond(c, c->start + pending.e[k].slow[j]);
    slow_path(c, &pending.e[k].copy, pending.e[k].q, pending.e[k].a, pending.e[k].b,
              pending.e[k].d);
    a64_put(c, a64_uncond_branch_imm(false, (int32_t)(c->start + pending.e[k].join - c->ptr)));
    if (c->ptr - before > DIV_STUB_BYTES)
        abort();                        /* a ferry bug: DIV_STUB_BYTES too small */
}

void a64_emit_div_stubs(struct be_code *c)
{
    if (!pending_live(c)) {
        pending.gen = 0;
        return;
    }
    for (int k = 0; k < pending.n; k++)
        emit_stub(c, k);
    pending.n = 0;
    pending.gen = 0;
}

void a64_emit_div(struct be_code *c, const struct ir_insn *i, const struct be_arg *out,
                  const struct be_arg *in)
{
    bool narrow = i->aux[1] & IR_DIV_NARROW;
    unsigned a = narrow || in[1].is_const ? A64_ZR : (unsigned)in[1].reg;   /* (BE_IMM_ZERO) */
    unsigned b = (unsigned)in[0].reg, d = (unsigned)in[2].reg;    /* (a64_desc.c: registers) */
    unsigned q = (unsigned)out[0].reg;
    uint8_t *to_slow[MAX_TO_SLOW];
    if (!pending_live(c)) {
        pending.gen = a64_tail_gen(c);
        pending.n = 0;
    }
    int n = fast_path(c, i, q, a, b, d, to_slow);
    if (pending.n < DIV_MAX) {
        a64_tail_reserve(c, DIV_STUB_BYTES);
        pending.gen = a64_tail_gen(c);
        int k = pending.n++;
        pending.e[k].copy = *i;
        pending.e[k].q = (uint8_t)q, pending.e[k].a = (uint8_t)a;
        pending.e[k].b = (uint8_t)b, pending.e[k].d = (uint8_t)d;
        pending.e[k].n_slow = (uint8_t)n;
        for (int j = 0; j < n; j++)
            pending.e[k].slow[j] = (uint32_t)(to_slow[j] - c->start);
        pending.e[k].join = (uint32_t)(c->ptr - c->start);
        return;
    }
    uint8_t *join = branch_site(c, a64_uncond_branch_imm(false, 0));   /* (not seen) inline */
    for (int k = 0; k < n; k++)
        land_cond(c, to_slow[k]);
    slow_path(c, i, q, a, b, d);
    land_uncond(c, join);
}
