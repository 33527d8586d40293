/* a64_pinned.c -- moving pinned globals between their host registers and
 * env (be_emit_pinned): enter() loads them all, the epilogue stores them
 * all, and the allocator writes back / reloads some around helper calls.
 *
 * Globals adjacent in env (the guest's register file) move two at a time
 * with ldp/stp.  Their offsets are usually beyond ldp's reach from env
 * (+504 bytes), so with two pairs or more x17 is set to an address near
 * them first; a lone pair is not worth that add and goes as two ldr/str.
 */
#include "a64_emit.h"

enum { PAIR_BASE = A64_TMP1 };      /* x16 stays free for a64_ldst_env */

static int32_t env_off(const struct ir_value *g, int k) { return g[k].env_offset; }

static bool in_mask(uint64_t mask, int k) { return k < 64 && (mask >> k & 1); }

/* Whether globals k and k+1 move as one pair. */
static bool pairs_with_next(uint64_t mask, const struct ir_value *g, int k)
{
    return in_mask(mask, k + 1) && env_off(g, k) % 8 == 0 &&
           env_off(g, k + 1) == env_off(g, k) + 8;
}

static int count_pairs(uint64_t mask, const struct ir_value *g)
{
    int n = 0;
    for (int k = 0; k < 64; k++)
        if (in_mask(mask, k) && pairs_with_next(mask, g, k))
            n++, k++;
    return n;
}

/* x17 = env + off. */
static void set_base(struct be_code *c, int32_t off)
{
    if (off >= 0 && a64_arith_imm_fits((uint64_t)off)) {
        bool hi = off >= 4096;
        a64_put(c, a64_add_sub_imm(true, false, false, hi, hi ? off >> 12 : off, A64_ENV,
                                   PAIR_BASE));
        return;
    }
    a64_emit_movi_inline(c, PAIR_BASE, (uint64_t)(int64_t)off);
    a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, PAIR_BASE, 0, A64_ENV,
                                       PAIR_BASE));
}

static bool imm7_reaches(int32_t rel) { return rel >= -512 && rel <= 504; }

/* ldp/stp of globals k, k+1 relative to x17 (which *base says holds env +
 * *base; moved when out of reach). */
static void move_pair(struct be_code *c, bool load, const struct ir_value *g, int k,
                      int32_t *base)
{
    int32_t off = env_off(g, k);
    if (*base == INT32_MIN || !imm7_reaches(off - *base)) {
        set_base(c, off);
        *base = off;
    }
    a64_put(c, a64_load_store_pair(load, A64_PAIR_OFFSET, (off - *base) / 8,
                                   (unsigned)be_host.pinned_regs[k + 1], PAIR_BASE,
                                   (unsigned)be_host.pinned_regs[k]));
}

void be_emit_pinned(struct be_code *c, bool load, uint64_t mask, const struct ir_value *g)
{
    bool pairs = count_pairs(mask, g) >= 2;
    int32_t base = INT32_MIN;
    for (int k = 0; k < 64; k++) {
        if (!in_mask(mask, k))
            continue;
        if (pairs && pairs_with_next(mask, g, k)) {
            move_pair(c, load, g, k++, &base);
            continue;
        }
        a64_ldst_env(c, 3, load ? A64_LDR : A64_STR, (unsigned)be_host.pinned_regs[k],
                     env_off(g, k));
    }
}
