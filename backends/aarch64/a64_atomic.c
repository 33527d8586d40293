/* a64_atomic.c -- the atomic IR ops on AArch64 (ARMv8.0: no LSE needed):
 * LDAXR/STLXR retry loops, then DMB ISH.
 *
 * The acquire/release exclusive pair makes the atomic itself sequentially
 * consistent with other atomics; the trailing barrier also orders the
 * guest's plain accesses around it, as an x86 locked instruction (a full
 * barrier) would -- code like "lock dec; then read a plain flag" relies on
 * that.  Plain loads and stores stay unordered otherwise (x86 TSO is not
 * emulated for them).
 *
 * Registers: x16 holds the old value, x17 the new one, w30 the store
 * status (LR is free inside translated code: the prologue saved it and
 * every helper call clobbers it anyway).  The output is written only after
 * the loop, so it may share a register with an input. */
#include "a64_emit.h"

enum { A64_STATUS = A64_LR };

static unsigned mo_size(const struct ir_insn *i) { return i->size & IR_MO_SIZE; }

/* The new value for `op` from old (x16) and val; returns its register. */
static unsigned compute_new(struct be_code *c, enum ir_atomic_op op, unsigned val)
{
    static const uint8_t logic[] = { [IR_ATOMIC_AND] = A64_AND, [IR_ATOMIC_OR] = A64_ORR,
                                     [IR_ATOMIC_XOR] = A64_EOR };
    switch (op) {
    case IR_ATOMIC_XCHG:
        return val;
    case IR_ATOMIC_ADD:
        a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, val, 0, A64_TMP0, A64_TMP1));
        return A64_TMP1;
    case IR_ATOMIC_RSUB:
        a64_put(c, a64_add_sub_shifted_reg(true, true, false, A64_LSL, A64_TMP0, 0, val, A64_TMP1));
        return A64_TMP1;
    default:
        a64_put(c, a64_logical_shifted_reg(true, (enum a64_logic_opc)logic[op], false, A64_LSL,
                                           val, 0, A64_TMP0, A64_TMP1));
        return A64_TMP1;
    }
}

/* cbnz w30, back to `loop` (the store-exclusive failed); dmb ish. */
static void retry_and_fence(struct be_code *c, const uint8_t *loop)
{
    a64_put(c, a64_compare_branch_imm(false, true, (int32_t)(loop - c->ptr), A64_STATUS));
    a64_put(c, a64_dmb(A64_DMB_ISH));
}

void a64_emit_atomic_rmw(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    unsigned sz = mo_size(i), addr = a64_guest_addr(c, i->size, &in[0]), val = in[1].reg;
    const uint8_t *loop = c->ptr;
    a64_put(c, a64_load_store_exclusive(sz, true, true, 0, addr, A64_TMP0));
    unsigned nv = compute_new(c, (enum ir_atomic_op)i->aux[0], val);
    a64_put(c, a64_load_store_exclusive(sz, false, true, A64_STATUS, addr, nv));
    retry_and_fence(c, loop);
    be_emit_mov(c, out[0].reg, A64_TMP0);
}

/* Compares old (x16) with expected at the access size: narrow expected
 * values are zero-extended into x17 first (the exclusive load already
 * zero-extended old). */
static void compare_expected(struct be_code *c, unsigned sz, unsigned expected)
{
    if (sz < 2) {
        a64_put(c, a64_ubfx(false, A64_TMP1, expected, 0, 8u << sz));
        expected = A64_TMP1;
    }
    a64_put(c, a64_cmp(sz == 3, A64_TMP0, expected));
}

/* L: ldaxr x16,[a]; cmp x16,exp; csel x17,new,x16,eq; stlxr w30,x17,[a];
 * cbnz w30,L; dmb ish; out = x16.  A failed compare stores the old value
 * back, as x86's locked cmpxchg writes its destination either way (so a
 * read-only page faults whatever the values). */
void a64_emit_atomic_cas(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    unsigned sz = mo_size(i), addr = a64_guest_addr(c, i->size, &in[0]);
    const uint8_t *loop = c->ptr;
    a64_put(c, a64_load_store_exclusive(sz, true, true, 0, addr, A64_TMP0));
    compare_expected(c, sz, in[1].reg);
    a64_put(c, a64_csel(true, A64_TMP1, in[2].reg, A64_TMP0, A64_EQ));
    a64_put(c, a64_load_store_exclusive(sz, false, true, A64_STATUS, addr, A64_TMP1));
    retry_and_fence(c, loop);
    be_emit_mov(c, out[0].reg, A64_TMP0);
}

void a64_emit_fence(struct be_code *c, const struct ir_insn *i,
                    const struct be_arg *out, const struct be_arg *in)
{
    a64_put(c, a64_dmb(A64_DMB_ISH));
}
