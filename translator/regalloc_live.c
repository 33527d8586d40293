/* regalloc_live.c -- backward liveness of temps for the register
 * allocator: which operand is the last use of its temp, and which operands
 * leave a value that is still live across a later helper call.  Temps may
 * be reassigned, so a write ends the live range that follows it; no temp
 * is live at the end of a block. */
#include <string.h>

#include "regalloc.h"

static bool is_temp(const struct ir_block *b, ir_ref r)
{
    return r != IR_NONE && b->values[r].kind == IR_VAL_TEMP;
}

/* live[v]: v is read later.  end_calls[v]: calls at or after the last read
 * of v's current live range.  calls: calls after the insn being walked, so
 * a value held after it meets a call iff calls > end_calls[v]. */
struct live_state {
    bool live[IR_MAX_VALUES];
    int end_calls[IR_MAX_VALUES];
    int calls;
};

static void insn_liveness(const struct ir_block *b, const struct ir_insn *i,
                          struct live_state *s, uint8_t *dies, uint8_t *across)
{
    int nout = ir_op_info[i->op].n_out, nin = ir_op_info[i->op].n_in;
    bool call = i->op == IR_call;
    uint8_t d = 0, a = 0;
    for (int k = 0; k < nout; k++) {
        ir_ref r = i->args[k];
        if (!is_temp(b, r))
            continue;
        if (!s->live[r])
            d |= (uint8_t)(1u << k);
        else if (s->calls > s->end_calls[r])
            a |= (uint8_t)(1u << k);
        s->live[r] = false;
    }
    for (int k = nout; k < nout + nin; k++) {
        ir_ref r = i->args[k];
        if (!is_temp(b, r))
            continue;
        if (!s->live[r]) {
            d |= (uint8_t)(1u << k);
            s->end_calls[r] = s->calls + call;
        } else if (s->calls + call > s->end_calls[r])
            a |= (uint8_t)(1u << k);
        s->live[r] = true;
    }
    s->calls += call;
    *dies = d;
    if (across)
        *across = a;
}

void ra_liveness_calls(const struct ir_block *b, uint8_t *dies, uint8_t *across)
{
    static __thread struct live_state s;   /* 20 KB; engines may translate at once */
    memset(s.live, 0, sizeof(s.live[0]) * (size_t)b->n_values);
    s.calls = 0;
    for (int n = b->n_insns - 1; n >= 0; n--) {
        if (b->insns[n].op == IR_insn_start) {      /* no operands (a third of a block) */
            dies[n] = 0;
            if (across)
                across[n] = 0;
            continue;
        }
        insn_liveness(b, &b->insns[n], &s, &dies[n], across ? &across[n] : NULL);
    }
}

void ra_liveness(const struct ir_block *b, uint8_t *dies)
{
    ra_liveness_calls(b, dies, NULL);
}
