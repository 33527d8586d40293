/* x86_operand.c -- guest registers, effective addresses and operands as IR
 * values, plus the small IR-building shortcuts every handler uses.
 *
 * Every value a handler gets back is a fresh temp (never a global), so a
 * later register write cannot change a value a handler or the lazy-flag
 * tracker still holds.  The optimizer's copy propagation removes the
 * extra moves.  Where every use of a register's value is emitted before
 * any register write (an address's adds, a stored or moved value), the
 * handler reads the global itself (x86_reg_now, x86_read_now): no copy is
 * emitted for the optimizer to remove (they were most of the dead IR).
 */
#include "x86_internal.h"
#include "x86_system.h"         /* real mode: X86_SEG_* */

/* Effective address cached per instruction: read-modify-write operands
 * compute it once, and it stays the address before any register write. */
static const struct x86_dc *ea_cache_dc;
static const cs_insn *ea_cache_insn;
static const cs_x86_op *ea_cache_op;
static ir_ref ea_cache_val;

ir_ref x86_new(struct x86_dc *dc) { return ir_temp(dc->b); }
ir_ref x86_imm(struct x86_dc *dc, uint64_t v) { return ir_const(dc->b, v); }

ir_ref x86_op2(struct x86_dc *dc, enum ir_op op, int bytes, ir_ref a, ir_ref b)
{
    ir_ref d = x86_new(dc);
    ir_binop(dc->b, op, x86_ir_size(bytes), d, a, b);
    return d;
}

ir_ref x86_arith(struct x86_dc *dc, enum ir_op op, int bytes, ir_ref a, ir_ref b)
{
    ir_ref r = x86_op2(dc, op, bytes, a, b);
    return bytes < 4 ? x86_trunc(dc, r, bytes) : r;
}

ir_ref x86_op1(struct x86_dc *dc, enum ir_op op, ir_ref a)
{
    ir_ref d = x86_new(dc);
    ir_emit(dc->b, op, 64, d, a, IR_NONE);
    return d;
}

ir_ref x86_trunc(struct x86_dc *dc, ir_ref v, int bytes)
{
    static const enum ir_op ext[4] = { IR_ext8u, IR_ext16u, IR_ext32u, IR_mov };
    return x86_op1(dc, ext[x86_log2(bytes)], v);
}

ir_ref x86_sext(struct x86_dc *dc, ir_ref v, int bytes)
{
    static const enum ir_op ext[4] = { IR_ext8s, IR_ext16s, IR_ext32s, IR_mov };
    return x86_op1(dc, ext[x86_log2(bytes)], v);
}

ir_ref x86_setcond(struct x86_dc *dc, enum ir_cond c, int size, ir_ref a, ir_ref b)
{
    ir_ref d = x86_new(dc);
    ir_setcond(dc->b, c, size, d, a, b);
    return d;
}

ir_ref x86_select(struct x86_dc *dc, const struct x86_cmp *c, ir_ref t, ir_ref f)
{
    ir_ref d = x86_new(dc);
    ir_movcond(dc->b, c->cond, c->size, d, c->a, c->b, t, f);
    return d;
}

ir_ref x86_load(struct x86_dc *dc, int bytes, ir_ref addr)
{
    ir_ref d = x86_new(dc);
    ir_ld(dc->b, (unsigned)x86_log2(bytes), d, addr);
    return d;
}

void x86_store(struct x86_dc *dc, int bytes, ir_ref addr, ir_ref val)
{
    ir_st(dc->b, (unsigned)x86_log2(bytes), addr, val);
}

ir_ref x86_get_reg(struct x86_dc *dc, int n)
{
    ir_ref d = x86_new(dc);
    ir_mov(dc->b, d, x86_g_reg[n]);
    return d;
}

ir_ref x86_reg_now(struct x86_dc *dc, int n)
{
    (void)dc;
    return x86_g_reg[n];
}

/* A value that may be a register's global, as a temp a later write
 * cannot change. */
static ir_ref own_copy(struct x86_dc *dc, ir_ref v)
{
    if (v >= dc->b->n_globals)
        return v;
    ir_ref d = x86_new(dc);
    ir_mov(dc->b, d, v);
    return d;
}

void x86_set_reg(struct x86_dc *dc, int n, ir_ref v)
{
    ir_mov(dc->b, x86_g_reg[n], v);
}

ir_ref x86_call(struct x86_dc *dc, const struct ir_helper *h, ir_ref a0, ir_ref a1,
                ir_ref a2, ir_ref a3, ir_ref a4)
{
    ir_ref args[5] = { a0, a1, a2, a3, a4 };
    ir_ref d = h->has_result ? x86_new(dc) : IR_NONE;
    ir_call(dc->b, h, d, args);
    return d;
}

/* ---- registers --------------------------------------------------------- */

/* Where a capstone register lives: GPR number, bit offset, width. */
struct gpr_loc { int8_t n; uint8_t shift, bytes; };

static struct gpr_loc gpr_locate(x86_reg r)
{
    static const x86_reg r64[16] = { X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX,
        X86_REG_RSP, X86_REG_RBP, X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9,
        X86_REG_R10, X86_REG_R11, X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15 };
    static const x86_reg r32[16] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
        X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D,
        X86_REG_R10D, X86_REG_R11D, X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D };
    static const x86_reg r16[16] = { X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
        X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI, X86_REG_R8W, X86_REG_R9W,
        X86_REG_R10W, X86_REG_R11W, X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W };
    static const x86_reg r8[16] = { X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL,
        X86_REG_SPL, X86_REG_BPL, X86_REG_SIL, X86_REG_DIL, X86_REG_R8B, X86_REG_R9B,
        X86_REG_R10B, X86_REG_R11B, X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B };
    static const x86_reg r8h[4] = { X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };
    for (int i = 0; i < 16; i++) {
        if (r == r64[i]) return (struct gpr_loc){ i, 0, 8 };
        if (r == r32[i]) return (struct gpr_loc){ i, 0, 4 };
        if (r == r16[i]) return (struct gpr_loc){ i, 0, 2 };
        if (r == r8[i])  return (struct gpr_loc){ i, 0, 1 };
        if (i < 4 && r == r8h[i]) return (struct gpr_loc){ i, 8, 1 };
    }
    return (struct gpr_loc){ -1, 0, 0 };
}

/* Register lookups are hot during translation: cache them by id. */
static struct gpr_loc gpr_loc_cached(x86_reg r)
{
    static struct gpr_loc cache[X86_REG_ENDING];
    static bool filled[X86_REG_ENDING];
    if ((unsigned)r >= X86_REG_ENDING) return (struct gpr_loc){ -1, 0, 0 };
    if (!filled[r]) { cache[r] = gpr_locate(r); filled[r] = true; }
    return cache[r];
}

int x86_gpr_num(x86_reg reg) { return gpr_loc_cached(reg).n; }

/* A 64-bit register as its global (x86_reg_now's rule), a narrower one
 * as a fresh temp. */
static ir_ref gpr_read_now(struct x86_dc *dc, x86_reg reg)
{
    struct gpr_loc l = gpr_loc_cached(reg);
    if (l.n < 0) return x86_seg_read(dc, reg);
    if (l.bytes == 8) return x86_g_reg[l.n];
    if (l.shift == 0) return x86_trunc(dc, x86_g_reg[l.n], l.bytes);   /* ext8u/16u/32u */
    ir_ref d = x86_new(dc);
    ir_extract(dc->b, d, x86_g_reg[l.n], l.shift, l.bytes * 8);
    return d;
}

ir_ref x86_gpr_read(struct x86_dc *dc, x86_reg reg)
{
    return own_copy(dc, gpr_read_now(dc, reg));
}

void x86_gpr_write(struct x86_dc *dc, x86_reg reg, ir_ref val)
{
    struct gpr_loc l = gpr_loc_cached(reg);
    ir_ref g;
    if (l.n < 0) {
        if (x86_is_seg_reg(reg)) x86_seg_write(dc, reg, val);
        return;
    }
    g = x86_g_reg[l.n];
    if (l.bytes == 8) ir_mov(dc->b, g, val);
    else if (l.bytes == 4 && ir_is_const(dc->b, val))    /* mov r32, imm: no ext32u to fold */
        ir_mov(dc->b, g, x86_imm(dc, dc->b->values[val].imm & 0xffffffffu));
    else if (l.bytes == 4) ir_emit(dc->b, IR_ext32u, 64, g, val, IR_NONE);
    else ir_deposit(dc->b, g, g, val, l.shift, l.bytes * 8);
}

int x86_xmm_index(x86_reg reg)
{
    if (reg >= X86_REG_XMM0 && reg <= X86_REG_XMM15) return (int)(reg - X86_REG_XMM0);
    return -1;
}

/* ---- addresses ----------------------------------------------------------- */


static ir_ref ea_add(struct x86_dc *dc, ir_ref acc, ir_ref v)
{
    return acc == IR_NONE ? v : x86_op2(dc, IR_add, 8, acc, v);
}

/* The offset, which may be a register's global ([rax]): the ops that
 * combine base, index and displacement read the registers at once. */
static ir_ref ea_offset_now(struct x86_dc *dc, const cs_x86_op *op)
{
    const x86_op_mem *m = &op->mem;
    ir_ref acc = IR_NONE;
    int64_t disp = m->disp;
    /* 67 with a RIP-relative operand: capstone names the base EIP (the
     * sum wraps at 32 bits below) */
    if (m->base == X86_REG_RIP || m->base == X86_REG_EIP) disp += (int64_t)dc->next_pc;
    else if (m->base != X86_REG_INVALID) acc = gpr_read_now(dc, m->base);
    if (m->index != X86_REG_INVALID) {
        ir_ref ix = gpr_read_now(dc, m->index);
        if (m->scale > 1) ix = x86_op2(dc, IR_shl, 8, ix, x86_imm(dc, (uint64_t)x86_log2(m->scale)));
        acc = ea_add(dc, acc, ix);
    }
    if (disp || acc == IR_NONE) acc = ea_add(dc, acc, x86_imm(dc, (uint64_t)disp));
    if (dc->x->addr_size == 4 || dc->x->addr_size == 2) acc = x86_trunc(dc, acc, dc->x->addr_size);
    return acc;
}

ir_ref x86_ea_offset(struct x86_dc *dc, const cs_x86_op *op)
{
    return own_copy(dc, ea_offset_now(dc, op));
}

static bool is_stack_pointer(x86_reg r)
{
    return r == X86_REG_BP || r == X86_REG_EBP || r == X86_REG_SP || r == X86_REG_ESP;
}

/* Real mode: the base of the operand's segment (a prefix, else SS for
 * bp/sp-based addresses, else DS). */
static ir_ref real_mode_seg_base(struct x86_dc *dc, const cs_x86_op *op)
{
    switch (op->mem.segment) {
    case X86_REG_ES: return x86_sys_seg_base(dc, X86_SEG_ES);
    case X86_REG_CS: return x86_sys_seg_base(dc, X86_SEG_CS);
    case X86_REG_SS: return x86_sys_seg_base(dc, X86_SEG_SS);
    case X86_REG_DS: return x86_sys_seg_base(dc, X86_SEG_DS);
    case X86_REG_FS: return x86_g_fs_base;
    case X86_REG_GS: return x86_g_gs_base;
    default:
        return x86_sys_seg_base(dc, is_stack_pointer(op->mem.base) ? X86_SEG_SS : X86_SEG_DS);
    }
}

static ir_ref ea_compute(struct x86_dc *dc, const cs_x86_op *op)
{
    ir_ref a = ea_offset_now(dc, op);
    ir_ref seg = dc->code16 ? real_mode_seg_base(dc, op)
                            : x86_seg_base(dc);     /* not op->mem.segment: see x86_segment.c */
    if (seg != IR_NONE) a = ea_add(dc, a, seg);
    return own_copy(dc, a);
}

void x86_operand_reset(struct x86_dc *dc)
{
    ea_cache_dc = NULL;
    (void)dc;
}

ir_ref x86_ea(struct x86_dc *dc, const cs_x86_op *op)
{
    if (ea_cache_dc == dc && ea_cache_insn == dc->insn && ea_cache_op == op)
        return ea_cache_val;
    x86_compat_seg_check(dc, op);
    ea_cache_val = ea_compute(dc, op);
    x86_check_align(dc, op, ea_cache_val);
    ea_cache_dc = dc; ea_cache_insn = dc->insn; ea_cache_op = op;
    return ea_cache_val;
}

/* ---- operands ---------------------------------------------------------- */

ir_ref x86_read(struct x86_dc *dc, const cs_x86_op *op, int bytes)
{
    switch (op->type) {
    case X86_OP_REG: {
        ir_ref v = x86_gpr_read(dc, op->reg);
        return bytes < op->size ? x86_trunc(dc, v, bytes) : v;
    }
    case X86_OP_IMM: return x86_imm(dc, (uint64_t)op->imm & x86_mask(bytes));
    case X86_OP_MEM: return x86_load(dc, bytes, x86_ea(dc, op));
    default: return x86_imm(dc, 0);
    }
}

ir_ref x86_read_now(struct x86_dc *dc, const cs_x86_op *op, int bytes)
{
    if (op->type == X86_OP_REG && bytes == 8 && op->size == 8)
        return gpr_read_now(dc, op->reg);
    return x86_read(dc, op, bytes);
}

ir_ref x86_operand_read(struct x86_dc *dc, const cs_x86_op *op)
{
    return x86_read(dc, op, op->size);
}

ir_ref x86_operand_read_low(struct x86_dc *dc, const cs_x86_op *op)
{
    struct gpr_loc l = op->type == X86_OP_REG ? gpr_loc_cached(op->reg) : (struct gpr_loc){ -1, 0, 0 };
    if (l.n >= 0 && l.bytes == 4)
        return own_copy(dc, x86_g_reg[l.n]);
    return x86_operand_read(dc, op);
}

void x86_operand_write(struct x86_dc *dc, const cs_x86_op *op, ir_ref val)
{
    if (op->type == X86_OP_REG) x86_gpr_write(dc, op->reg, val);
    else if (op->type == X86_OP_MEM) x86_store(dc, op->size, x86_ea(dc, op), val);
}

void x86_sync_pc(struct x86_dc *dc)
{
    ir_st_env(dc->b, IR_MO_64, x86_imm(dc, dc->pc), TR_OFFSET_PC);
}
