/* x86_bits.c -- single-bit and bit-count instructions: bt bts btr btc,
 * bsf bsr, tzcnt lzcnt (bsf and bsr on a machine without them), popcnt,
 * bswap.
 */
#include "x86_internal.h"

enum bt_op { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

/* Where the bit lives: a register operand, or memory at ea plus the
 * signed bit offset's byte part (register offsets reach outside the
 * operand). */
struct bit_loc { bool mem; ir_ref addr, bit; };

static struct bit_loc bit_locate(struct x86_dc *dc, const cs_x86_op *d, int bytes)
{
    const cs_x86_op *o = x86_opnd(dc, 1);
    int lg = x86_log2(bytes) + 3;     /* log2 of the operand's bits */
    ir_ref off = x86_read(dc, o, bytes), addr = IR_NONE;
    ir_ref bit = x86_op2(dc, IR_and, 8, off, x86_imm(dc, (uint64_t)bytes * 8 - 1));
    if (d->type == X86_OP_MEM) {
        addr = x86_ea(dc, d);
        if (o->type == X86_OP_REG) {
            ir_ref words = x86_op2(dc, IR_sar, 8, x86_sext(dc, off, bytes), x86_imm(dc, (uint64_t)lg));
            ir_ref delta = x86_op2(dc, IR_shl, 8, words, x86_imm(dc, (uint64_t)x86_log2(bytes)));
            addr = x86_op2(dc, IR_add, 8, addr, delta);
        }
    }
    return (struct bit_loc){ d->type == X86_OP_MEM, addr, bit };
}

/* lock bts/btr/btc: one atomic or / and-not / xor; returns the old word. */
static ir_ref locked_bit_op(struct x86_dc *dc, enum bt_op op, int bytes, const struct bit_loc *l)
{
    static const enum ir_atomic_op aop[4] = { 0, IR_ATOMIC_OR, IR_ATOMIC_AND, IR_ATOMIC_XOR };
    ir_ref mask = x86_op2(dc, IR_shl, 8, x86_imm(dc, 1), l->bit), old = x86_new(dc);
    if (op == BT_RESET)
        mask = x86_op2(dc, IR_xor, 8, mask, x86_imm(dc, ~0ull));
    ir_atomic_rmw(dc->b, (unsigned)x86_log2(bytes), aop[op], old, l->addr, mask);
    return old;
}

static void bit_test(struct x86_dc *dc, enum bt_op op)
{
    static const enum ir_op modify[4] = { IR_mov, IR_or, IR_andc, IR_xor };
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    struct bit_loc l = bit_locate(dc, d, bytes);
    bool atomic = l.mem && op != BT_TEST && x86_is_locked(dc);
    ir_ref v = atomic ? locked_bit_op(dc, op, bytes, &l)
             : l.mem ? x86_load(dc, bytes, l.addr) : x86_read(dc, d, bytes);
    ir_ref cf = x86_op2(dc, IR_and, 8, x86_op2(dc, IR_shr, 8, v, l.bit), x86_imm(dc, 1));
    if (op != BT_TEST && !atomic) {
        ir_ref mask = x86_op2(dc, IR_shl, 8, x86_imm(dc, 1), l.bit);
        ir_ref nv = x86_op2(dc, modify[op], bytes, v, mask);
        if (l.mem) x86_store(dc, bytes, l.addr, nv);
        else x86_operand_write(dc, d, nv);
    }
    x86_flags_set_cf(dc, cf);
}

static void h_bt(struct x86_dc *dc)  { bit_test(dc, BT_TEST); }
static void h_bts(struct x86_dc *dc) { bit_test(dc, BT_SET); }
static void h_btr(struct x86_dc *dc) { bit_test(dc, BT_RESET); }
static void h_btc(struct x86_dc *dc) { bit_test(dc, BT_COMPLEMENT); }

/* Locked: lock on a register destination is #UD.  Capstone 4 refuses
 * "f0 0f ab c1" but decodes it when an F2/F3 follows the lock ("f0 f2 0f
 * ab c1" as bts cx, ax without the lock; found widening FEX's Atomics
 * tests, session 23). */
static void locked_bit_test(struct x86_dc *dc, enum bt_op op)
{
    if (x86_opnd(dc, 0)->type == X86_OP_MEM) bit_test(dc, op);
    else x86_raise_sigill(dc);
}
static void h_lock_bts(struct x86_dc *dc) { locked_bit_test(dc, BT_SET); }
static void h_lock_btr(struct x86_dc *dc) { locked_bit_test(dc, BT_RESET); }
static void h_lock_btc(struct x86_dc *dc) { locked_bit_test(dc, BT_COMPLEMENT); }

/* bsf/bsr: a zero source leaves the destination unchanged -- on this CPU
 * even the upper half of a 32-bit destination register.  The source has
 * the destination's size: capstone 4 gives "66 f2 0f bd /m" a dword
 * memory operand. */
static void bit_scan(struct x86_dc *dc, bool reverse)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size, size = x86_ir_size(bytes);
    ir_ref src = x86_read(dc, x86_opnd(dc, 1), bytes), idx = x86_new(dc), zero = x86_imm(dc, 0);
    if (!reverse) {
        ir_emit(dc->b, IR_ctz, size, idx, src, IR_NONE);
    } else {
        ir_emit(dc->b, IR_clz, size, idx, src, IR_NONE);
        idx = x86_op2(dc, IR_sub, 8, x86_imm(dc, (uint64_t)size - 1), idx);
    }
    struct x86_cmp z = { IR_EQ, 64, src, zero };
    if (bytes == 4 && d->type == X86_OP_REG) {
        int n = x86_gpr_num(d->reg);
        x86_set_reg(dc, n, x86_select(dc, &z, x86_get_reg(dc, n), idx));
    } else {
        x86_operand_write(dc, d, x86_select(dc, &z, x86_operand_read(dc, d), idx));
    }
    x86_flags_set(dc, X86_CC_BSF, bytes, x86_select(dc, &z, zero, idx), src, IR_NONE, IR_NONE);
}

static void h_bsf(struct x86_dc *dc) { bit_scan(dc, false); }
static void h_bsr(struct x86_dc *dc) { bit_scan(dc, true); }

/* tzcnt/lzcnt: count at the operand size (16-bit: adjusted from 32). */
static void bit_count(struct x86_dc *dc, bool leading)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size, size = x86_ir_size(bytes);
    ir_ref src = x86_operand_read(dc, x86_opnd(dc, 1)), in = src, r = x86_new(dc);
    if (bytes == 2 && !leading) in = x86_op2(dc, IR_or, 4, src, x86_imm(dc, 0x10000));
    ir_emit(dc->b, leading ? IR_clz : IR_ctz, size, r, in, IR_NONE);
    if (bytes == 2 && leading) r = x86_op2(dc, IR_sub, 4, r, x86_imm(dc, 16));
    x86_operand_write(dc, d, r);
    if (!x86_flags_live(dc)) return;
    /* OF: AMD keeps it (the older flags in src2); Intel clears it
     * (measured on Sapphire Rapids, every width). */
    ir_ref prev = x86_machine()->intel ? x86_imm(dc, 0) : x86_flags_eflags(dc);
    x86_flags_set(dc, X86_CC_BMI, bytes, r, src, prev, IR_NONE);
}

/* On a CPU without BMI1 (tzcnt) or LZCNT (lzcnt) F3 0F BC/BD is a
 * rep-prefixed bsf/bsr, and runs as one (x86_machine.c). */
static void h_tzcnt(struct x86_dc *dc)
{
    if (x86_machine_has(X86_FEAT_BMI1)) bit_count(dc, false);
    else bit_scan(dc, false);
}

static void h_lzcnt(struct x86_dc *dc)
{
    if (x86_machine_has(X86_FEAT_ABM)) bit_count(dc, true);
    else bit_scan(dc, true);
}

static void h_popcnt(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    ir_ref src = x86_operand_read(dc, x86_opnd(dc, 1));
    ir_ref r = x86_call(dc, &x86_helper_popcnt, src, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_operand_write(dc, d, r);
    ir_ref zf = x86_op2(dc, IR_shl, 8, x86_setcond(dc, IR_EQ, 64, src, x86_imm(dc, 0)),
                        x86_imm(dc, 6));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, zf, IR_NONE, IR_NONE);
}

static void h_bswap(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    if (d->size < 4) {      /* undefined; this CPU zeroes the register */
        x86_operand_write(dc, d, x86_imm(dc, 0));
        return;
    }
    ir_ref r = x86_new(dc);
    ir_emit(dc->b, IR_bswap, x86_ir_size(d->size), r, x86_operand_read(dc, d), IR_NONE);
    x86_operand_write(dc, d, r);
}

/* bts/btr/btc handle a lock prefix themselves (atomic on memory, #UD on a
 * register); lock bt is #UD. */
static const struct x86_insn_row bits_rows[] = {
    X86_ROW(BT, h_bt, PASS, 0),
    X86_ROW_LOCK(BTS, h_bts, PASS, h_lock_bts),
    X86_ROW_LOCK(BTR, h_btr, PASS, h_lock_btr),
    X86_ROW_LOCK(BTC, h_btc, PASS, h_lock_btc),
    X86_ROW(BSF, h_bsf, FULL, 0),
    X86_ROW(BSR, h_bsr, FULL, 0),
    X86_ROW(TZCNT, h_tzcnt, PASS, 0),
    X86_ROW(LZCNT, h_lzcnt, PASS, 0),
    X86_ROW(POPCNT, h_popcnt, FULL, 0),
    X86_ROW(BSWAP, h_bswap, PASS, 0),
};
const struct x86_row_set x86_bits_rows = X86_ROW_SET("bits", bits_rows);
