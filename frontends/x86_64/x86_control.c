/* x86_control.c -- control transfers and exits: jmp jcc jrcxz loop call
 * ret, syscall, int3/int, hlt and the privileged I/O instructions (SIGSEGV
 * in user mode), ud2.  Direct targets leave through chain slots; computed
 * ones through exit_indirect.
 */
#include "x86_internal.h"

static uint64_t direct_target(const struct x86_dc *dc)
{
    return (uint64_t)x86_opnd(dc, 0)->imm;
}

static bool is_direct(const struct x86_dc *dc)
{
    return dc->x->op_count > 0 && x86_opnd(dc, 0)->type == X86_OP_IMM;
}

/* Branch to target if c holds, else fall through to the next insn. */
static void branch(struct x86_dc *dc, const struct x86_cmp *c, uint64_t target)
{
    if (dc->step) {
        x86_step_branch(dc, c, target);
        return;
    }
    if (ir_is_const(dc->b, c->a) && ir_is_const(dc->b, c->b)) {
        bool taken = ir_cond_eval(c->cond, dc->b->values[c->a].imm, dc->b->values[c->b].imm, c->size);
        x86_end_goto(dc, taken ? target : dc->next_pc, 0);
        return;
    }
    const struct x86_flags_state *f = dc->flags;
    if (f->exit_live && f->exit_taken_live != f->exit_fall_live) {
        /* Only one successor reads the flags: the other leaves through
         * the conditional branch before the sync (x86_end_goto's). */
        if (f->exit_fall_live)
            ir_brcond(dc->b, c->cond, c->size, c->a, c->b, target, 0);
        else
            ir_brcond(dc->b, ir_cond_invert(c->cond), c->size, c->a, c->b, dc->next_pc, 0);
        x86_end_goto(dc, f->exit_fall_live ? dc->next_pc : target, 1);  /* (reads: its fact) */
        return;
    }
    x86_flags_sync_exit(dc);
    ir_brcond(dc->b, c->cond, c->size, c->a, c->b, target, 0);
    x86_flags_exit_fact(dc, 0, f->exit_taken_live);
    x86_end_goto(dc, dc->next_pc, 1);
    x86_flags_exit_fact(dc, 1, f->exit_fall_live);
}

static void h_jcc(struct x86_dc *dc)
{
    struct x86_cmp c;
    x86_cond(dc, x86_cc_of_insn(dc->insn->id), &c);
    branch(dc, &c, direct_target(dc));
}

static void h_jrcxz(struct x86_dc *dc)
{
    int bytes = dc->insn->id == X86_INS_JECXZ ? 4 : 8;
    ir_ref rcx = x86_reg_now(dc, X86_RCX);
    struct x86_cmp c = { IR_EQ, x86_ir_size(bytes), rcx, x86_imm(dc, 0) };
    branch(dc, &c, direct_target(dc));
}

/* rcx -= 1 for loop/loope/loopne: ecx under the 0x67 prefix (a 32-bit
 * write: the upper half becomes zero).  Returns the new count. */
static ir_ref loop_count(struct x86_dc *dc)
{
    bool a32 = dc->x->addr_size == 4;
    ir_ref rcx = x86_op2(dc, IR_sub, a32 ? 4 : 8, x86_reg_now(dc, X86_RCX), x86_imm(dc, 1));
    x86_set_reg(dc, X86_RCX, rcx);
    return rcx;
}

/* loop: rcx -= 1 (flags untouched), branch while non-zero. */
static void h_loop(struct x86_dc *dc)
{
    ir_ref rcx = loop_count(dc);
    struct x86_cmp c = { IR_NE, 64, rcx, x86_imm(dc, 0) };
    branch(dc, &c, direct_target(dc));
}

/* loope/loopne: rcx -= 1, branch while non-zero and ZF is set / clear. */
static void h_loopcc(struct x86_dc *dc)
{
    struct x86_cmp zf;
    x86_cond(dc, dc->insn->id == X86_INS_LOOPE ? 4 : 5, &zf);      /* e / ne */
    ir_ref ok = x86_setcond(dc, zf.cond, zf.size, zf.a, zf.b);
    ir_ref rcx = loop_count(dc);
    ok = x86_op2(dc, IR_and, 8, ok, x86_setcond(dc, IR_NE, 64, rcx, x86_imm(dc, 0)));
    struct x86_cmp c = { IR_NE, 64, ok, x86_imm(dc, 0) };
    branch(dc, &c, direct_target(dc));
}

static void h_jmp(struct x86_dc *dc)
{
    if (is_direct(dc)) {
        x86_end_goto(dc, direct_target(dc), 0);
        return;
    }
    ir_ref target = x86_code_linear(dc, x86_read(dc, x86_opnd(dc, 0), x86_stack_word(dc)));
    x86_check_canonical(dc, target);
    x86_end_indirect(dc, target);
    x86_canonical_exit(dc, 0);
}

ir_ref x86_code_linear(struct x86_dc *dc, ir_ref ip)
{
    if (!dc->code16)
        return ip;
    return x86_op2(dc, IR_add, 8, x86_trunc(dc, ip, 2), x86_imm(dc, dc->cs_base));
}

/* The store first, then the new rsp: the allocator can then compute it in
 * rsp's own register (a store-with-writeback on AArch64). */
void x86_push(struct x86_dc *dc, int bytes, ir_ref v)
{
    ir_ref rsp = x86_reg_now(dc, X86_RSP);     /* both uses come before the write */
    ir_ref addr = x86_op2(dc, IR_add, 8, rsp, x86_imm(dc, -(uint64_t)bytes));
    x86_store(dc, bytes, x86_stack_addr(dc, addr), v);
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_sub, 8, rsp, x86_imm(dc, (uint64_t)bytes)));
}

/* An indirect call's #GP for a non-canonical target comes, on Intel,
 * after its push: the return address is written (and a fault of the push
 * wins), rsp is as before the call (measured on an Ice Lake server:
 * tests/guest/call_noncanonical.c).  So the check goes between the store
 * and rsp's update, where the exit can take it over as a ret's
 * (x86_canonical_exit: rsp's update undone).  AMD's order is not measured:
 * there it stays before the push, as before. */
static void h_call(struct x86_dc *dc)
{
    int word = x86_stack_word(dc);
    ir_ref target = is_direct(dc) ? IR_NONE : x86_code_linear(dc, x86_read(dc, x86_opnd(dc, 0), word));
    bool after_push = target != IR_NONE && x86_machine()->intel;
    if (target != IR_NONE && !after_push)
        x86_check_canonical(dc, target);
    ir_ref rsp = x86_reg_now(dc, X86_RSP);
    ir_ref addr = x86_op2(dc, IR_add, 8, rsp, x86_imm(dc, -(uint64_t)word));
    x86_store(dc, word, x86_stack_addr(dc, addr), x86_imm(dc, x86_code_offset(dc, dc->next_pc)));
    if (after_push)
        x86_check_canonical(dc, target);
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_sub, 8, rsp, x86_imm(dc, (uint64_t)word)));
    if (target == IR_NONE) x86_end_goto(dc, direct_target(dc), 0);
    else x86_end_indirect(dc, target);
    ir_mark_exit(dc->b, IR_XFER_CALL);      /* return-address stack hint */
    if (after_push)
        x86_canonical_exit(dc, (uint32_t)-word);
}

static void h_ret(struct x86_dc *dc)
{
    uint64_t extra = dc->x->op_count ? (uint64_t)x86_opnd(dc, 0)->imm & 0xffff : 0;
    ir_ref sp = x86_reg_now(dc, X86_RSP);
    int word = x86_stack_word(dc);
    ir_ref target = x86_code_linear(dc, x86_load(dc, word, x86_stack_addr(dc, sp)));
    x86_check_canonical(dc, target);
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_add, 8, sp, x86_imm(dc, (uint64_t)word + extra)));
    x86_end_indirect(dc, target);
    ir_mark_exit(dc->b, IR_XFER_RET);
    x86_canonical_exit(dc, (uint32_t)(word + extra));
}

/* lret [imm16], iret, iretq: the helper pops and checks the selectors. */
static void h_far_ret(struct x86_dc *dc)
{
    unsigned id = dc->insn->id;
    uint64_t bytes = id == X86_INS_RETFQ || id == X86_INS_IRETQ ? 8 : 4;
    uint64_t iret = id == X86_INS_IRET || id == X86_INS_IRETD || id == X86_INS_IRETQ;
    uint64_t extra = !iret && dc->x->op_count ? (uint64_t)x86_opnd(dc, 0)->imm & 0xffff : 0;
    if (x86_has_prefix(dc, 0x66) || dc->system) {      /* 16-bit frames: not modelled */
        x86_raise_sigill(dc);
        return;
    }
    x86_flags_sync(dc);
    x86_sync_pc(dc);
    ir_ref target = x86_call(dc, &x86_helper_far_ret, x86_imm(dc, bytes), x86_imm(dc, extra),
                             x86_imm(dc, iret), IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
    x86_check_canonical(dc, target);
    x86_end_indirect(dc, target);
}

/* ljmp/lcall m16:32, or m16:64 with REX.W on Intel (measured: AMD ignores
 * REX.W for the pointer, x86_far_offset_bytes, but its lcall still pushes
 * 8-byte slots, the whole return address: Zen 5), and in compatibility mode ljmp/lcall
 * ptr16:32 (0xea, 0x9a: selector and offset immediates): to __USER_CS or,
 * with IA32 emulation, __USER32_CS only (helper_far_cs), an m16:64 offset
 * also canonical; lcall pushes cs and then the return address, 4 bytes
 * each (8 with m16:64); then the target's mode (helper_far_mode).  m16:16
 * and the register forms: #UD as before. */
static void h_far_xfer(struct x86_dc *dc)
{
    const cs_x86_op *m = x86_opnd(dc, 0);
    bool ptr = dc->code32 && dc->x->op_count == 2 && m->type == X86_OP_IMM;
    if (x86_has_prefix(dc, 0x66) || dc->system || (m->type != X86_OP_MEM && !ptr)) {
        x86_raise_sigill(dc);
        return;
    }
    x86_flags_sync(dc);
    x86_sync_pc(dc);
    int bytes = ptr ? 4 : x86_far_offset_bytes(dc);
    ir_ref off, cs;
    if (ptr) {
        cs = x86_imm(dc, (uint64_t)m->imm & 0xffff);
        off = x86_imm(dc, (uint64_t)x86_opnd(dc, 1)->imm & 0xffffffffu);
    } else {
        ir_ref ea = x86_ea(dc, m);
        off = x86_load(dc, bytes, ea);
        cs = x86_load(dc, 2, x86_op2(dc, IR_add, 8, ea, x86_imm(dc, (uint64_t)bytes)));
    }
    x86_call(dc, &x86_helper_far_cs, cs, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    if (bytes == 8)
        x86_check_canonical(dc, off);
    if (dc->insn->id == X86_INS_LCALL) {
        int slot = !ptr && (dc->x->rex & 8) ? 8 : bytes;      /* AMD: 8 from an m16:32 too */
        uint64_t ret = slot == 8 ? dc->next_pc : dc->next_pc & 0xffffffffu;
        x86_push(dc, slot, x86_imm(dc, dc->code32 ? X86_USER32_CS : X86_USER_CS));
        x86_push(dc, slot, x86_imm(dc, ret));
    }
    x86_call(dc, &x86_helper_far_mode, cs, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_end_indirect(dc, off);
}

static void h_ud2(struct x86_dc *dc);

/* Marks the exit that follows as an i386 system call (sys_ia32.c), with
 * the instruction's length for the fault of a gate the kernel keeps
 * closed (x86_machine_ia32 is a run-time answer). */
static void mark_ia32_call(struct x86_dc *dc, int kind)
{
    uint64_t call = X86_IA32_CALL((uint64_t)kind, dc->next_pc - dc->pc);
    ir_st_env(dc->b, IR_MO_8, x86_imm(dc, call), X86_ENV_OFF(ia32_call));
}

/* The hardware puts the return address in rcx and RFLAGS in r11. */
static void h_syscall(struct x86_dc *dc)
{
    if (dc->code32 && !dc->system) {    /* compatibility mode: #UD on Intel */
        if (x86_machine()->intel) {
            h_ud2(dc);
            return;
        }
        mark_ia32_call(dc, X86_IA32_SYSCALL);
    }
    x86_set_reg(dc, X86_R11, x86_full_eflags(dc));
    x86_set_reg(dc, X86_RCX, x86_imm(dc, dc->next_pc));
    x86_end_exit(dc, dc->next_pc, TR_EXIT_SYSCALL);
}

/* sysenter where Linux runs it (Intel, IA32 emulation): the i386 fast
 * entry (sys_ia32.c; it returns to the vDSO's landing pad in
 * compatibility mode), from 32-bit code and from 64-bit code alike --
 * the kernel's compat entry cannot tell them apart (measured: a 64-bit
 * sysenter faults at the pad with cs 0x23).  AMD: #UD in either mode. */
static void h_sysenter(struct x86_dc *dc)
{
    if (dc->system || !x86_machine()->intel || !x86_machine()->ia32) {
        h_ud2(dc);
        return;
    }
    mark_ia32_call(dc, X86_IA32_SYSENTER);
    x86_end_exit(dc, dc->next_pc, TR_EXIT_SYSCALL);
}

static void h_int3(struct x86_dc *dc) { x86_end_exit(dc, dc->next_pc, TR_EXIT_SIGTRAP); }
static void h_privileged(struct x86_dc *dc) { x86_end_exit(dc, dc->pc, TR_EXIT_SIGSEGV); }
static void h_ud2(struct x86_dc *dc) { x86_end_exit(dc, dc->pc, TR_EXIT_SIGILL); }

/* CPL 0 instructions at CPL 3: #GP (SIGSEGV, SI_KERNEL, trap 13) as Linux
 * reports it.  System mode runs the ones it knows before the rows
 * (x86_system.c); the rest stay #UD there, as before. */
static void h_cpl0_only(struct x86_dc *dc)
{
    if (dc->system) x86_raise_sigill(dc);
    else h_privileged(dc);
}

/* icebp (F1): a #DB trap, not a breakpoint: SIGTRAP with TRAP_BRKPT and
 * si_addr = RIP after it, trap number 1 (dispatch.c keeps a stored code). */
static void h_int1(struct x86_dc *dc)
{
    ir_st_env(dc->b, IR_MO_64, x86_imm(dc, 1), X86_ENV_OFF(rt.fault.trapno));
    ir_st_env(dc->b, IR_MO_32, x86_imm(dc, 1), X86_ENV_OFF(rt.fault.code));
    x86_end_exit(dc, dc->next_pc, TR_EXIT_SIGTRAP);
}

/* int $n: #GP with error code n*8+2 (the gate is not for user space);
 * int $3 is a breakpoint like int3, int $4 an overflow trap. */
static void h_int(struct x86_dc *dc)
{
    uint64_t n = (uint64_t)x86_opnd(dc, 0)->imm & 0xff;
    if (n == 3) {
        h_int3(dc);
        return;
    }
    if (n == 0x80 && !dc->system && x86_machine()->ia32) {     /* the i386 system call */
        mark_ia32_call(dc, X86_IA32_INT80);
        x86_end_exit(dc, dc->next_pc, TR_EXIT_SYSCALL);
        return;
    }
    if (n == 4) {       /* #OF: Linux's gate 4 is open to user space (SIGSEGV, trap 4, after it) */
        ir_st_env(dc->b, IR_MO_64, x86_imm(dc, 4), X86_ENV_OFF(rt.fault.trapno));
        x86_end_exit(dc, dc->next_pc, TR_EXIT_SIGSEGV);
        return;
    }
    ir_st_env(dc->b, IR_MO_64, x86_imm(dc, n * 8 + 2), X86_ENV_OFF(rt.fault.err));
    h_privileged(dc);
}

/* Jumps themselves do not read flags: what they leave to the successor is
 * decided by the block's exit liveness. */
#define JCC(cc) X86_ROW(J##cc, h_jcc, READ, 1)
#define PRIV(name) X86_ROW(name, h_privileged, READ, 1)
#define CPL0(name) X86_ROW(name, h_cpl0_only, READ, 1)
static const struct x86_insn_row control_rows[] = {
    JCC(O), JCC(NO), JCC(B), JCC(AE), JCC(E), JCC(NE), JCC(BE), JCC(A),
    JCC(S), JCC(NS), JCC(P), JCC(NP), JCC(L), JCC(GE), JCC(LE), JCC(G),
    X86_ROW(JRCXZ, h_jrcxz, PASS, 1),
    X86_ROW(JECXZ, h_jrcxz, PASS, 1),
    X86_ROW(LOOP, h_loop, PASS, 1),
    X86_ROW(LOOPE, h_loopcc, READ, 1),
    X86_ROW(LOOPNE, h_loopcc, READ, 1),
    X86_ROW(JMP, h_jmp, PASS, 1),
    X86_ROW(CALL, h_call, PASS, 1),
    X86_ROW(RET, h_ret, PASS, 1),
    X86_ROW(RETF, h_far_ret, READ, 1), X86_ROW(RETFQ, h_far_ret, READ, 1),
    X86_ROW(IRET, h_far_ret, READ, 1), X86_ROW(IRETD, h_far_ret, READ, 1),
    X86_ROW(IRETQ, h_far_ret, READ, 1),
    X86_ROW(LJMP, h_far_xfer, PASS, 1), X86_ROW(LCALL, h_far_xfer, PASS, 1),
    X86_ROW(SYSCALL, h_syscall, READ, 1),
    X86_ROW(SYSENTER, h_sysenter, READ, 1),
    X86_ROW(INT3, h_int3, READ, 1),
    X86_ROW(INT1, h_int1, READ, 1),
    X86_ROW(UD2, h_ud2, READ, 1),
    X86_ROW(UD2B, h_ud2, READ, 1),
    X86_ROW(INT, h_int, READ, 1), PRIV(HLT), PRIV(IN), PRIV(OUT), PRIV(INSB), PRIV(INSW), PRIV(INSD),
    PRIV(OUTSB), PRIV(OUTSW), PRIV(OUTSD), PRIV(CLI), PRIV(STI),
    PRIV(RDPMC),                        /* #GP: Linux leaves CR4.PCE clear */
    CPL0(RDMSR), CPL0(WRMSR), CPL0(INVD), CPL0(WBINVD), CPL0(CLTS), CPL0(SYSRET),
    CPL0(LGDT), CPL0(LIDT), CPL0(LLDT), CPL0(LTR), CPL0(LMSW), CPL0(SWAPGS), CPL0(INVLPG),
    CPL0(XSETBV),
};
const struct x86_row_set x86_control_rows = X86_ROW_SET("control", control_rows);
