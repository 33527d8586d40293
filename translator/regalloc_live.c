/* regalloc_live.c -- backward liveness of temps for the register
 * allocator: which operand is the last use of its temp.  Temps may be
 * reassigned, so a write ends the live range that follows it; no temp is
 * live at the end of a block. */
#include <string.h>

#include "regalloc.h"

static bool is_temp(const struct ir_block *b, ir_ref r)
{
    return r != IR_NONE && b->values[r].kind == IR_VAL_TEMP;
}

static uint8_t insn_liveness(const struct ir_block *b, const struct ir_insn *i, bool *live)
{
    int nout = ir_op_info[i->op].n_out, nin = ir_op_info[i->op].n_in;
    uint8_t bits = 0;
    for (int k = 0; k < nout; k++) {
        if (!is_temp(b, i->args[k]))
            continue;
        if (!live[i->args[k]])
            bits |= (uint8_t)(1u << k);
        live[i->args[k]] = false;
    }
    for (int k = nout; k < nout + nin; k++) {
        if (!is_temp(b, i->args[k]))
            continue;
        if (!live[i->args[k]])
            bits |= (uint8_t)(1u << k);
        live[i->args[k]] = true;
    }
    return bits;
}

void ra_liveness(const struct ir_block *b, uint8_t *dies)
{
    static bool live[IR_MAX_VALUES];
    memset(live, 0, sizeof(live[0]) * (size_t)b->n_values);
    for (int n = b->n_insns - 1; n >= 0; n--)
        dies[n] = insn_liveness(b, &b->insns[n], live);
}
