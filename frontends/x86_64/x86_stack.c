/* x86_stack.c -- the stack: push pop (registers, memory, immediates,
 * 16-bit forms), pushf popf, leave, enter (any nesting level, 64- and
 * 16-bit operand size).
 */
#include "x86_internal.h"
#include "x86_system.h"         /* real mode: X86_SEG_* */

/* Operand size of push/pop: 2 with a 0x66 prefix (4 in real mode) unless
 * REX.W overrides it (66 48 50 pushes 8 bytes, measured), else the stack
 * word. */
int x86_stack_bytes(const struct x86_dc *dc)
{
    if (x86_has_prefix(dc, X86_PREFIX_OPSIZE) && !(dc->x->rex & 8))
        return dc->code16 ? 4 : 2;
    return x86_stack_word(dc);
}

static int stack_bytes(const struct x86_dc *dc) { return x86_stack_bytes(dc); }

/* Real mode: SP (16 bits) in the stack segment. */
ir_ref x86_stack_addr(struct x86_dc *dc, ir_ref sp)
{
    if (!dc->code16)
        return sp;
    return x86_op2(dc, IR_add, 8, x86_trunc(dc, sp, 2), x86_sys_seg_base(dc, X86_SEG_SS));
}

static void h_push(struct x86_dc *dc)
{
    int bytes = stack_bytes(dc);
    const cs_x86_op *s = x86_opnd(dc, 0);
    /* push sreg in compatibility mode on Intel: a 16-bit move into the
     * 4-byte slot, its upper half left as it was (the SDM's "recent Core
     * processors"; measured here: 64-bit mode zero-extends). */
    if (dc->code32 && !dc->system && bytes == 4 && s->type == X86_OP_REG &&
        x86_is_seg_reg(s->reg) && x86_machine()->intel) {
        ir_ref rsp = x86_reg_now(dc, X86_RSP);
        ir_ref addr = x86_op2(dc, IR_add, 8, rsp, x86_imm(dc, (uint64_t)-4));
        x86_store(dc, 2, addr, x86_read_now(dc, s, 2));
        x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_sub, 8, rsp, x86_imm(dc, 4)));
        return;
    }
    x86_push(dc, bytes, x86_read_now(dc, x86_opnd(dc, 0), bytes));   /* stored before rsp moves */
}

static ir_ref pop_value(struct x86_dc *dc, int bytes)
{
    ir_ref sp = x86_reg_now(dc, X86_RSP);
    ir_ref v = x86_load(dc, bytes, x86_stack_addr(dc, sp));
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_add, 8, sp, x86_imm(dc, (uint64_t)bytes)));
    return v;
}

/* The destination address uses rsp after the increment (Intel SDM); a
 * memory destination's store may fault, and rsp keeps its value then. */
static void h_pop(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    if (d->type != X86_OP_MEM) {
        x86_operand_write(dc, d, pop_value(dc, stack_bytes(dc)));
        return;
    }
    ir_ref old = x86_new(dc);
    ir_mov(dc->b, old, x86_get_reg(dc, X86_RSP));
    ir_ref v = pop_value(dc, stack_bytes(dc)), nsp = x86_new(dc);
    ir_mov(dc->b, nsp, x86_get_reg(dc, X86_RSP));
    ir_ref ea = x86_ea(dc, d);
    x86_set_reg(dc, X86_RSP, old);
    x86_store(dc, d->size, ea, v);
    x86_set_reg(dc, X86_RSP, nsp);
}

ir_ref x86_full_eflags(struct x86_dc *dc)
{
    ir_ref rest = x86_new(dc);
    ir_ld_env(dc->b, IR_MO_64, rest, X86_ENV_OFF(eflags_rest));
    ir_ref df = x86_op2(dc, IR_and, 8, x86_g_df, x86_imm(dc, X86_DF));   /* df is 1 or -1 */
    ir_ref f = x86_op2(dc, IR_or, 8, x86_flags_eflags(dc), df);
    return x86_op2(dc, IR_or, 8, f, rest);
}

static void h_pushf(struct x86_dc *dc)
{
    int bytes = stack_bytes(dc);
    x86_push(dc, bytes, x86_full_eflags(dc));
}

/* User mode may change the arithmetic flags, DF, AC, ID, NT and TF
 * (single-stepping and alignment checks: the translation mode follows,
 * x86_single_step.c, x86_align_check.c);
 * IF/IOPL stay as they are. */
static void h_popf(struct x86_dc *dc)
{
    int bytes = stack_bytes(dc);
    ir_ref v = pop_value(dc, bytes), keep = x86_imm(dc, 0x40000 | X86_ID | 0x4000 | X86_TF);
    ir_ref rest = x86_new(dc);
    ir_ld_env(dc->b, IR_MO_64, rest, X86_ENV_OFF(eflags_rest));
    if (bytes == 2) keep = x86_imm(dc, 0x4000 | X86_TF);
    rest = x86_op2(dc, IR_or, 8, x86_op2(dc, IR_andc, 8, rest, keep), x86_op2(dc, IR_and, 8, v, keep));
    ir_st_env(dc->b, IR_MO_64, rest, X86_ENV_OFF(eflags_rest));
    struct x86_cmp d = { IR_TSTNE, 64, v, x86_imm(dc, X86_DF) };
    ir_mov(dc->b, x86_g_df, x86_select(dc, &d, x86_imm(dc, (uint64_t)-1), x86_imm(dc, 1)));
    x86_flags_set_eflags(dc, v);
    x86_popf_modes(dc, v, rest);
}

/* rsp changes only once the load from [rbp] has not faulted. */
static void h_leave(struct x86_dc *dc)
{
    int bytes = stack_bytes(dc);
    ir_ref bp = x86_reg_now(dc, X86_RBP);
    ir_ref v = x86_load(dc, bytes, bp);
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_add, 8, bp, x86_imm(dc, (uint64_t)bytes)));
    if (bytes == 8) x86_set_reg(dc, X86_RBP, v);
    else x86_gpr_write(dc, bytes == 4 ? X86_REG_EBP : X86_REG_BP, v);   /* (32-bit code) */
}

/* enter frame, level: push rbp; with level L > 0, copy L - 1 frame
 * pointers from the enclosing frame ([rbp - i*size]) and push the new
 * frame's; rbp = the new frame; rsp -= frame.  (SDM ENTER pseudo-code;
 * the stack address size is 64 bits in either operand size.)  The CPU
 * also faults when a write at the final rsp would (SDM: #PF "if a write
 * using the final value of the stack pointer would cause a page fault";
 * the pushes before stay written, rsp and rbp do not change): a byte
 * there is probed by an atomic or of 0, and rbp and rsp are written only
 * after it. */
static void h_enter(struct x86_dc *dc)
{
    uint64_t frame = (uint64_t)x86_opnd(dc, 0)->imm & 0xffff;
    unsigned level = dc->x->op_count > 1 ? (unsigned)x86_opnd(dc, 1)->imm & 0x1f : 0;
    int bytes = stack_bytes(dc);
    ir_ref rbp = x86_get_reg(dc, X86_RBP), sp = x86_get_reg(dc, X86_RSP);
    ir_ref frame_temp = x86_op2(dc, IR_sub, 8, sp, x86_imm(dc, (uint64_t)bytes));
    x86_store(dc, bytes, x86_stack_addr(dc, frame_temp), rbp);
    sp = frame_temp;
    for (unsigned i = 1; i <= level; i++) {
        ir_ref v = frame_temp;
        if (i < level)
            v = x86_load(dc, bytes, x86_op2(dc, IR_sub, 8, rbp,
                                            x86_imm(dc, (uint64_t)(i * (unsigned)bytes))));
        sp = x86_op2(dc, IR_sub, 8, sp, x86_imm(dc, (uint64_t)bytes));
        x86_store(dc, bytes, x86_stack_addr(dc, sp), v);
    }
    ir_ref top = x86_op2(dc, IR_sub, 8, sp, x86_imm(dc, frame));
    ir_atomic_rmw(dc->b, IR_MO_8, IR_ATOMIC_OR, x86_new(dc), x86_stack_addr(dc, top),
                  x86_imm(dc, 0));
    if (bytes == 8) x86_set_reg(dc, X86_RBP, frame_temp);
    else x86_gpr_write(dc, bytes == 4 ? X86_REG_EBP : X86_REG_BP, frame_temp);
    x86_set_reg(dc, X86_RSP, top);
}

/* pusha/popa (32-bit code only: #UD in 64-bit mode, where the decoder
 * does not produce them): eax ecx edx ebx, the esp from before, ebp esi
 * edi; popa skips the esp slot.  pushaw/popaw (0x66) do the same with
 * 2-byte slots and 16-bit registers (their upper halves kept).  All the
 * stores (loads) come first, so a fault leaves every register as it was;
 * 32-bit writes zero-extend. */
static const int pusha_order[8] = { X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP,
                                    X86_RSI, X86_RDI };

static void pusha(struct x86_dc *dc, int w)
{
    if (!dc->code32) {
        x86_raise_sigill(dc);
        return;
    }
    ir_ref sp = x86_reg_now(dc, X86_RSP);
    for (int i = 0; i < 8; i++) {
        ir_ref at = x86_op2(dc, IR_sub, 8, sp, x86_imm(dc, (uint64_t)(w * (i + 1))));
        x86_store(dc, w, at, x86_trunc(dc, x86_get_reg(dc, pusha_order[i]), w));
    }
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_sub, 8, sp, x86_imm(dc, (uint64_t)(8 * w))));
}

/* The low w bytes of register n become v. */
static void set_reg_low(struct x86_dc *dc, int n, ir_ref v, int w)
{
    if (w == 4) {
        x86_set_reg(dc, n, v);
        return;
    }
    ir_ref old = x86_op2(dc, IR_andc, 8, x86_get_reg(dc, n), x86_imm(dc, 0xffff));
    x86_set_reg(dc, n, x86_op2(dc, IR_or, 8, old, v));
}

static void popa(struct x86_dc *dc, int w)
{
    if (!dc->code32) {
        x86_raise_sigill(dc);
        return;
    }
    ir_ref sp = x86_reg_now(dc, X86_RSP), v[8];
    for (int i = 0; i < 8; i++)
        v[i] = x86_load(dc, w, x86_op2(dc, IR_add, 8, sp, x86_imm(dc, (uint64_t)(w * (7 - i)))));
    for (int i = 0; i < 8; i++)
        if (pusha_order[i] != X86_RSP)
            set_reg_low(dc, pusha_order[i], v[i], w);
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_add, 8, sp, x86_imm(dc, (uint64_t)(8 * w))));
}

static void h_pusha(struct x86_dc *dc) { pusha(dc, x86_has_prefix(dc, X86_PREFIX_OPSIZE) ? 2 : 4); }
static void h_popa(struct x86_dc *dc) { popa(dc, x86_has_prefix(dc, X86_PREFIX_OPSIZE) ? 2 : 4); }
static void h_pushaw(struct x86_dc *dc) { pusha(dc, 2); }
static void h_popaw(struct x86_dc *dc) { popa(dc, 2); }

static const struct x86_insn_row stack_rows[] = {
    X86_ROW(PUSHAL, h_pusha, PASS, 0), X86_ROW(POPAL, h_popa, PASS, 0),
    X86_ROW(PUSHAW, h_pushaw, PASS, 0), X86_ROW(POPAW, h_popaw, PASS, 0),
    X86_ROW(PUSH, h_push, PASS, 0),
    X86_ROW(POP, h_pop, PASS, 0),
    X86_ROW(PUSHF, h_pushf, READ, 0),
    X86_ROW(PUSHFQ, h_pushf, READ, 0),
    X86_ROW(PUSHFD, h_pushf, READ, 0),      /* 32- and 16-bit code (system mode) */
    X86_ROW(POPF, h_popf, FULL, 0),
    X86_ROW(POPFQ, h_popf, FULL, 0),
    X86_ROW(POPFD, h_popf, FULL, 0),
    X86_ROW(LEAVE, h_leave, PASS, 0),
    X86_ROW(ENTER, h_enter, PASS, 0),
};
const struct x86_row_set x86_stack_rows = X86_ROW_SET("stack", stack_rows);
