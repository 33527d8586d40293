/* x86_mov.c -- data movement: mov movabs movzx movsx movsxd lea xchg
 * cmpxchg cmpxchg8b xadd cmovcc setcc and the accumulator extensions
 * cbw cwde cdqe cwd cdq cqo.  (Locked forms -- xchg with memory, lock
 * cmpxchg, ... -- are translated atomically by x86_atomic.c.)
 */
#include "x86_internal.h"

static bool control_or_debug(const cs_x86_op *op)
{
    return op->type == X86_OP_REG && ((op->reg >= X86_REG_CR0 && op->reg <= X86_REG_CR15) ||
                                      (op->reg >= X86_REG_DR0 && op->reg <= X86_REG_DR15));
}

/* DR8-DR15 (REX.R) do not exist: #UD at any level, where DR0-7 are #GP
 * at CPL 3.  So are CR1, CR5-7 and CR9-15; user mode only, as system mode
 * translates control registers before the rows (measured: mov rax, dr8
 * and mov rax, cr9 SIGILL, mov rax, dr1 and mov cr8, rax SIGSEGV). */
static bool no_such_register(const cs_x86_op *op)
{
    if (op->type != X86_OP_REG)
        return false;
    if (op->reg >= X86_REG_DR8 && op->reg <= X86_REG_DR15)
        return true;
    switch (op->reg) {
    case X86_REG_CR1: case X86_REG_CR5: case X86_REG_CR6: case X86_REG_CR7: case X86_REG_CR9:
    case X86_REG_CR10: case X86_REG_CR11: case X86_REG_CR12: case X86_REG_CR13:
    case X86_REG_CR14: case X86_REG_CR15:
        return true;
    default:
        return false;
    }
}

/* mov cs, r/m16 (8e /1): cs is loaded only by far transfers: #UD in every
 * mode, before the source is read (measured: SIGILL, ILL_ILLOPN). */
static bool to_cs(const cs_x86_op *op)
{
    return op->type == X86_OP_REG && op->reg == X86_REG_CS;
}

/* mov to/from a control or debug register at CPL 3: #GP (SIGSEGV, SI_KERNEL).
 * System mode translates the control registers before the rows, and a
 * debug register move stays the plain move it always was there (Linux
 * clears DR7 and reads DR6 during boot; ferry-system arms no breakpoints):
 * #UD there stopped every boot (session 11). */
static void h_mov(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    if (no_such_register(d) || no_such_register(x86_opnd(dc, 1)) || to_cs(d)) {
        x86_raise_sigill(dc);
        return;
    }
    if (!dc->system && (control_or_debug(d) || control_or_debug(x86_opnd(dc, 1)))) {
        x86_end_exit(dc, dc->pc, TR_EXIT_SIGSEGV);
        return;
    }
    x86_operand_write(dc, d, x86_read_now(dc, x86_opnd(dc, 1), d->size));
}

static void h_movzx(struct x86_dc *dc)
{
    x86_operand_write(dc, x86_opnd(dc, 0), x86_operand_read(dc, x86_opnd(dc, 1)));
}

static void h_movsx(struct x86_dc *dc)
{
    const cs_x86_op *s = x86_opnd(dc, 1);
    ir_ref v = x86_sext(dc, x86_operand_read(dc, s), s->size);
    x86_operand_write(dc, x86_opnd(dc, 0), v);
}

/* movsxd: sign-extends only with REX.W; without it the CPU moves 32 bits
 * (zero-extended), with 66 16 bits -- capstone 4 reports 66 63 /r as
 * "movsxd r64, r/m32" all the same. */
static void h_movsxd(struct x86_dc *dc)
{
    static const x86_reg r16[16] = { X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
        X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI, X86_REG_R8W, X86_REG_R9W,
        X86_REG_R10W, X86_REG_R11W, X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W };
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    int n = x86_gpr_num(d->reg);
    if ((dc->x->rex & 8) || n < 0) {
        h_movsx(dc);
        return;
    }
    if (x86_has_prefix(dc, 0x66))
        x86_gpr_write(dc, r16[n], x86_read(dc, s, 2));
    else
        x86_set_reg(dc, n, x86_trunc(dc, x86_read(dc, s, 4), 4));
}

static void h_lea(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    x86_operand_write(dc, d, x86_ea_offset(dc, x86_opnd(dc, 1)));
}

static void h_xchg(struct x86_dc *dc)
{
    const cs_x86_op *a = x86_opnd(dc, 0), *b = x86_opnd(dc, 1);
    ir_ref va = x86_operand_read(dc, a), vb = x86_operand_read(dc, b);
    x86_operand_write(dc, a, vb);
    x86_operand_write(dc, b, va);
}

static x86_reg acc_reg(int bytes)
{
    static const x86_reg r[4] = { X86_REG_AL, X86_REG_AX, X86_REG_EAX, X86_REG_RAX };
    return r[x86_log2(bytes)];
}

/* Compares the accumulator with dst: equal -> dst = src, else acc = dst.
 * Memory is written either way; a 32-bit register destination only on
 * success and eax only on failure (so upper halves are kept otherwise),
 * as this CPU does. */
static void h_cmpxchg(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    int bytes = d->size;
    ir_ref acc = x86_gpr_read(dc, acc_reg(bytes)), old = x86_operand_read(dc, d);
    ir_ref src = x86_operand_read(dc, s), rax = x86_get_reg(dc, X86_RAX);
    struct x86_cmp eq = { IR_EQ, x86_ir_size(bytes), acc, old };
    ir_ref diff = x86_arith(dc, IR_sub, bytes, acc, old);
    if (bytes == 4 && d->type == X86_OP_REG) {
        int n = x86_gpr_num(d->reg);
        x86_set_reg(dc, n, x86_select(dc, &eq, src, x86_get_reg(dc, n)));
    } else {
        x86_operand_write(dc, d, x86_select(dc, &eq, src, old));
    }
    /* cmpxchg %acc, %acc: always equal, so the accumulator gets src */
    bool dst_is_acc = d->type == X86_OP_REG && d->reg == acc_reg(bytes);
    if (dst_is_acc)
        ;
    else if (bytes == 4)
        x86_set_reg(dc, X86_RAX, x86_select(dc, &eq, rax, old));
    else
        x86_gpr_write(dc, acc_reg(bytes), old);
    x86_flags_set(dc, X86_CC_SUB, bytes, diff, old, IR_NONE, acc);
}

static void h_cmpxchg8b(struct x86_dc *dc)
{
    const cs_x86_op *m = x86_opnd(dc, 0);
    ir_ref addr = x86_ea(dc, m), mem = x86_load(dc, 8, addr);
    ir_ref c32 = x86_imm(dc, 32);
    ir_ref edx_eax = x86_op2(dc, IR_or, 8, x86_trunc(dc, x86_get_reg(dc, X86_RAX), 4),
                             x86_op2(dc, IR_shl, 8, x86_get_reg(dc, X86_RDX), c32));
    ir_ref ecx_ebx = x86_op2(dc, IR_or, 8, x86_trunc(dc, x86_get_reg(dc, X86_RBX), 4),
                             x86_op2(dc, IR_shl, 8, x86_get_reg(dc, X86_RCX), c32));
    struct x86_cmp eq = { IR_EQ, 64, edx_eax, mem };
    ir_ref flags = x86_flags_live(dc) ? x86_flags_eflags(dc) : IR_NONE;
    x86_store(dc, 8, addr, x86_select(dc, &eq, ecx_ebx, mem));
    ir_ref rax = x86_get_reg(dc, X86_RAX), rdx = x86_get_reg(dc, X86_RDX);
    x86_set_reg(dc, X86_RAX, x86_select(dc, &eq, rax, x86_trunc(dc, mem, 4)));
    x86_set_reg(dc, X86_RDX, x86_select(dc, &eq, rdx, x86_op2(dc, IR_shr, 8, mem, c32)));
    if (flags == IR_NONE) return;
    ir_ref zf = x86_select(dc, &eq, x86_imm(dc, X86_ZF), x86_imm(dc, 0));
    flags = x86_op2(dc, IR_andc, 8, flags, x86_imm(dc, X86_ZF));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, x86_op2(dc, IR_or, 8, flags, zf),
                  IR_NONE, IR_NONE);
}

static void h_xadd(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    int bytes = d->size;
    ir_ref a = x86_operand_read(dc, d), b = x86_operand_read(dc, s);
    ir_ref r = x86_arith(dc, IR_add, bytes, a, b);
    /* a memory destination is stored first: if the store faults, the
     * source register is unchanged; xadd %r, %r leaves the sum in r */
    if (d->type == X86_OP_MEM) x86_operand_write(dc, d, r);
    x86_operand_write(dc, s, a);
    if (d->type != X86_OP_MEM) x86_operand_write(dc, d, r);
    x86_flags_set(dc, X86_CC_ADD, bytes, r, b, IR_NONE, a);
}

/* cmovcc: a 32-bit destination is zero-extended even when not moved. */
static void h_cmov(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    struct x86_cmp c;
    const cs_x86_op *s = x86_opnd(dc, 1);
    ir_ref src = x86_read_now(dc, s, s->size), old = x86_read_now(dc, d, d->size);
    x86_cond(dc, x86_cc_of_insn(dc->insn->id), &c);
    x86_operand_write(dc, d, x86_select(dc, &c, src, old));
}

static void h_setcc(struct x86_dc *dc)
{
    struct x86_cmp c;
    x86_cond(dc, x86_cc_of_insn(dc->insn->id), &c);
    x86_operand_write(dc, x86_opnd(dc, 0), x86_setcond(dc, c.cond, c.size, c.a, c.b));
}

/* cbw cwde cdqe: sign-extend the low half of the accumulator. */
static void widen_acc(struct x86_dc *dc, int from)
{
    ir_ref v = x86_sext(dc, x86_reg_now(dc, X86_RAX), from);
    x86_gpr_write(dc, acc_reg(from * 2), v);
}

static void h_cbw(struct x86_dc *dc)  { widen_acc(dc, 1); }
static void h_cwde(struct x86_dc *dc) { widen_acc(dc, 2); }
static void h_cdqe(struct x86_dc *dc) { widen_acc(dc, 4); }

/* cwd cdq cqo: rdx-part = sign of the accumulator. */
static void sign_to_dx(struct x86_dc *dc, int bytes)
{
    static const x86_reg dx[4] = { X86_REG_DL, X86_REG_DX, X86_REG_EDX, X86_REG_RDX };
    ir_ref v = x86_sext(dc, x86_reg_now(dc, X86_RAX), bytes);
    x86_gpr_write(dc, dx[x86_log2(bytes)], x86_op2(dc, IR_sar, 8, v, x86_imm(dc, 63)));
}

static void h_cwd(struct x86_dc *dc) { sign_to_dx(dc, 2); }
static void h_cdq(struct x86_dc *dc) { sign_to_dx(dc, 4); }
static void h_cqo(struct x86_dc *dc) { sign_to_dx(dc, 8); }

#define CMOV(cc) X86_ROW(CMOV##cc, h_cmov, READ, 0)
#define SETCC(cc) X86_ROW(SET##cc, h_setcc, READ, 0)
static const struct x86_insn_row mov_rows[] = {
    X86_ROW(MOV, h_mov, PASS, 0),
    X86_ROW(MOVABS, h_mov, PASS, 0),
    X86_ROW(MOVZX, h_movzx, PASS, 0),
    X86_ROW(MOVSX, h_movsx, PASS, 0),
    X86_ROW(MOVSXD, h_movsxd, PASS, 0),
    X86_ROW(LEA, h_lea, PASS, 0),
    X86_ROW_LOCK(XCHG, h_xchg, PASS, x86_atomic_xchg),
    X86_ROW_LOCK(CMPXCHG, h_cmpxchg, FULL, x86_atomic_cmpxchg),
    X86_ROW_LOCK(CMPXCHG8B, h_cmpxchg8b, PASS, x86_atomic_cmpxchg8b),
    X86_ROW_LOCK(CMPXCHG16B, x86_emit_cmpxchg16b, PASS, x86_atomic_cmpxchg16b),
    X86_ROW_LOCK(XADD, h_xadd, FULL, x86_atomic_xadd),
    X86_ROW(CBW, h_cbw, PASS, 0),
    X86_ROW(CWDE, h_cwde, PASS, 0),
    X86_ROW(CDQE, h_cdqe, PASS, 0),
    X86_ROW(CWD, h_cwd, PASS, 0),
    X86_ROW(CDQ, h_cdq, PASS, 0),
    X86_ROW(CQO, h_cqo, PASS, 0),
    CMOV(O), CMOV(NO), CMOV(B), CMOV(AE), CMOV(E), CMOV(NE), CMOV(BE), CMOV(A),
    CMOV(S), CMOV(NS), CMOV(P), CMOV(NP), CMOV(L), CMOV(GE), CMOV(LE), CMOV(G),
    SETCC(O), SETCC(NO), SETCC(B), SETCC(AE), SETCC(E), SETCC(NE), SETCC(BE), SETCC(A),
    SETCC(S), SETCC(NS), SETCC(P), SETCC(NP), SETCC(L), SETCC(GE), SETCC(LE), SETCC(G),
};
const struct x86_row_set x86_mov_rows = X86_ROW_SET("mov", mov_rows);
