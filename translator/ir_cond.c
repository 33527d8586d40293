/* ir_cond.c -- comparison conditions: names, inversion, swapping and
 * evaluation (used by the optimizer and by backends). */
#include "ir.h"

const char *const ir_cond_names[IR_NUM_CONDS] = {
    "eq", "ne", "lt", "ge", "le", "gt", "ltu", "geu", "leu", "gtu", "tsteq", "tstne",
};

/* Each condition's negation and its mirror image (operands swapped). */
static const uint8_t cond_inverse[IR_NUM_CONDS] = {
    [IR_EQ] = IR_NE, [IR_NE] = IR_EQ, [IR_LT] = IR_GE, [IR_GE] = IR_LT,
    [IR_LE] = IR_GT, [IR_GT] = IR_LE, [IR_LTU] = IR_GEU, [IR_GEU] = IR_LTU,
    [IR_LEU] = IR_GTU, [IR_GTU] = IR_LEU, [IR_TSTEQ] = IR_TSTNE, [IR_TSTNE] = IR_TSTEQ,
};
static const uint8_t cond_swapped[IR_NUM_CONDS] = {
    [IR_EQ] = IR_EQ, [IR_NE] = IR_NE, [IR_LT] = IR_GT, [IR_GE] = IR_LE,
    [IR_LE] = IR_GE, [IR_GT] = IR_LT, [IR_LTU] = IR_GTU, [IR_GEU] = IR_LEU,
    [IR_LEU] = IR_GEU, [IR_GTU] = IR_LTU, [IR_TSTEQ] = IR_TSTEQ, [IR_TSTNE] = IR_TSTNE,
};

enum ir_cond ir_cond_invert(enum ir_cond c) { return (enum ir_cond)cond_inverse[c]; }
enum ir_cond ir_cond_swap(enum ir_cond c) { return (enum ir_cond)cond_swapped[c]; }

/* Compares at `size` bits: 32-bit compares look at the low halves only,
 * signed ones after sign-extending them. */
bool ir_cond_eval(enum ir_cond c, uint64_t a, uint64_t b, int size)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    if (size == 32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
        sa = (int32_t)a;
        sb = (int32_t)b;
    }
    switch (c) {
    case IR_EQ:    return a == b;
    case IR_NE:    return a != b;
    case IR_LT:    return sa < sb;
    case IR_GE:    return sa >= sb;
    case IR_LE:    return sa <= sb;
    case IR_GT:    return sa > sb;
    case IR_LTU:   return a < b;
    case IR_GEU:   return a >= b;
    case IR_LEU:   return a <= b;
    case IR_GTU:   return a > b;
    case IR_TSTEQ: return (a & b) == 0;
    case IR_TSTNE: return (a & b) != 0;
    default:       return false;
    }
}
