/* a64_movi.c -- choosing the shortest way to put a constant in a register.
 *
 * Candidates: one orr with a bitmask immediate; movz + movk for every
 * non-zero halfword; movn + movk for every non-0xffff halfword.  A 32-bit
 * value uses the W forms (writes zero-extend), which often saves a movk.
 */
#include "a64_encode.h"

static unsigned halfword(uint64_t v, unsigned hw) { return (v >> (16 * hw)) & 0xffff; }

/* movz (or movn when `inverted`) then movk: skips halfwords equal to `fill`. */
static int move_wide_sequence(uint32_t out[4], unsigned rd, uint64_t imm,
                              bool sf, bool inverted)
{
    unsigned fill = inverted ? 0xffff : 0, n_hw = sf ? 4 : 2;
    int n = 0;
    for (unsigned hw = 0; hw < n_hw; hw++) {
        unsigned h = halfword(imm, hw);
        if (h == fill) continue;
        if (n == 0)
            out[n++] = a64_move_wide_imm(sf, inverted ? A64_MOVN : A64_MOVZ, hw,
                                         inverted ? ~h & 0xffff : h, rd);
        else
            out[n++] = a64_move_wide_imm(sf, A64_MOVK, hw, h, rd);
    }
    if (n == 0)     /* every halfword was the fill value */
        out[n++] = a64_move_wide_imm(sf, inverted ? A64_MOVN : A64_MOVZ, 0, 0, rd);
    return n;
}

static int count_halfwords(uint64_t v, unsigned n_hw, unsigned fill)
{
    int n = 0;
    for (unsigned hw = 0; hw < n_hw; hw++) n += halfword(v, hw) != fill;
    return n;
}

int a64_movi_sequence(uint32_t out[4], unsigned rd, uint64_t imm)
{
    bool sf = imm >> 32 != 0;
    unsigned n_hw = sf ? 4 : 2, nimm;
    if (imm != 0 && a64_bitmask_encode(imm, sf ? 64 : 32, &nimm)) {
        out[0] = a64_logical_imm(sf, A64_ORR, nimm, A64_ZR, rd);
        return 1;
    }
    uint64_t v = sf ? imm : imm & 0xffffffff;
    bool inverted = count_halfwords(v, n_hw, 0xffff) < count_halfwords(v, n_hw, 0);
    return move_wide_sequence(out, rd, v, sf, inverted);
}
