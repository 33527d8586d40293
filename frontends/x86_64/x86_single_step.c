/* x86_single_step.c -- TF, the trap flag (user mode, issue 10).
 *
 * With TF set at the start of an instruction, the CPU raises a #DB trap
 * after it, which Linux delivers as SIGTRAP with TRAP_TRACE, si_addr and
 * RIP the next instruction, trap number 1, error 0.  TF lives in
 * eflags_rest (pushf and signal frames see it) and is mirrored by the
 * translation-mode bit X86_TB_STEP: blocks of that mode hold one
 * instruction and end in the trap instead of their usual exits -- a
 * taken or not-taken branch and an indirect target trap at the pc they
 * reach, a rep string runs one iteration per block (whole in the step
 * blocks of an async signal's settle, X86_TB_SETTLE).  Exits that are
 * exceptions of their own (int3, ud2, faults) and syscall leave as before:
 * the CPU raises no trace trap for them (syscall: the next instruction's
 * trap comes after it, as Linux returns with IRET).  Whatever changes TF
 * (iretq, a signal frame, signal delivery) goes through x86_set_tf; popf
 * leaves its block when it sets TF (x86_popf_modes, also for AC), and
 * the run loop syncs the mode (x86_step_sync).  Blocks of other modes pay
 * nothing; popf an and and a branch.
 * System mode does not model TF (its #DB is not delivered through the IDT);
 * it translates step blocks only for the settle before an interrupt and
 * the instruction in an interrupt shadow (system/accel_tcg_settle.c).
 *
 * The run loops' stepping outside TF lives here too, one copy for both
 * modes: the settle before an asynchronous signal (syscalls/
 * sys_async_point.c) or a hardware interrupt, and ferry-system's step
 * past an interrupt shadow.  They run step blocks of the mode
 * X86_TB_STEP | X86_TB_SETTLE, one instruction each, and swallow their
 * trace trap (never delivered).
 */
#include <signal.h>

#include "x86_internal.h"

#define TRAP_TRACE_CODE 2           /* si_code of a single-step trap */
#define DB_VECTOR 1

void x86_set_tf(struct x86_cpu *cpu, bool on)
{
    cpu->eflags_rest = (cpu->eflags_rest & ~(uint64_t)X86_TF) | (on ? X86_TF : 0);
    uint32_t mode = cpu->rt.tb_mode & ~X86_TB_STEP;
    tr_set_mode(cpu, mode | (on ? X86_TB_STEP : 0));
}

void x86_step_sync(struct x86_cpu *cpu)
{
    x86_set_tf(cpu, (cpu->eflags_rest & X86_TF) != 0);
}

/* After popf stored its flags (`popped`; TF and AC in eflags_rest, now
 * `rest`): one that sets TF, or changes AC from what the block's mode
 * says, leaves the block with a request, and the run loop's
 * x86_step_sync and x86_ac_sync switch the mode before the next
 * instruction.  One that clears TF in a stepping block traps right after
 * (the signal's delivery and return switch the mode): nothing to do. */
void x86_popf_modes(struct x86_dc *dc, ir_ref popped, ir_ref rest)
{
    if (dc->step)
        return;
    x86_flags_sync(dc);
    if (!x86_ac_mode(dc)) {             /* (popfw's value has no AC) */
        ir_brexit(dc->b, IR_TSTNE, 64, popped, x86_imm(dc, X86_TF | X86_AC), dc->next_pc,
                  TR_EXIT_REQUEST);
        return;
    }
    ir_ref t = x86_op2(dc, IR_and, 8, rest, x86_imm(dc, X86_TF | X86_AC));
    ir_brexit(dc->b, IR_NE, 64, t, x86_imm(dc, X86_AC), dc->next_pc, TR_EXIT_REQUEST);
}

bool x86_step_each_iteration(const struct x86_dc *dc)
{
    return dc->step && (!(dc->b->mode & X86_TB_SETTLE) || (dc->b->mode & X86_TB_SHADOW));
}

/* What the dispatcher makes of a TR_EXIT_SIGTRAP with a stored trap
 * number: si_addr = the exit's pc, si_code = the stored code.  Stored
 * last, after anything in the instruction that may fault. */
static void trap_fields(struct x86_dc *dc)
{
    ir_st_env(dc->b, IR_MO_64, x86_imm(dc, DB_VECTOR), X86_ENV_OFF(rt.fault.trapno));
    ir_st_env(dc->b, IR_MO_32, x86_imm(dc, TRAP_TRACE_CODE), X86_ENV_OFF(rt.fault.code));
}

void x86_step_trap(struct x86_dc *dc, uint64_t pc)
{
    x86_flags_sync(dc);
    trap_fields(dc);
    ir_exit_code(dc->b, pc, TR_EXIT_SIGTRAP);
    dc->block_ended = true;
}

/* Traps at target if c holds; the instruction goes on otherwise (what
 * it does next may only fault, which stores fault fields of its own). */
void x86_step_branch_only(struct x86_dc *dc, const struct x86_cmp *c, uint64_t target)
{
    x86_flags_sync(dc);
    trap_fields(dc);
    ir_brexit(dc->b, c->cond, c->size, c->a, c->b, target, TR_EXIT_SIGTRAP);
}

/* Traps at target if c holds, else at the next instruction. */
void x86_step_branch(struct x86_dc *dc, const struct x86_cmp *c, uint64_t target)
{
    x86_step_branch_only(dc, c, target);
    x86_step_trap(dc, dc->next_pc);
}

static void helper_step_to(void *env, uint64_t target)
{
    struct x86_cpu *cpu = env;
    cpu->rt.fault.trapno = DB_VECTOR;
    cpu->rt.fault.code = TRAP_TRACE_CODE;
    tr_raise(&cpu->rt, TR_EXIT_SIGTRAP, target);
}

static const struct ir_helper helper_step_to_desc = {
    (void *)helper_step_to, "step_to", 1, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN
};

/* A computed target: the helper raises the trap there (the exit after it
 * is never reached). */
void x86_step_indirect(struct x86_dc *dc, ir_ref target)
{
    x86_flags_sync(dc);
    x86_call(dc, &helper_step_to_desc, target, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_exit_indirect(dc->b, target);
    dc->block_ended = true;
}

/* ---- stepping for the run loops (x86_cpu.h) ----------------------------- */

/* The trace trap a step block ends in: forgotten (true), or not one. */
static bool swallow_step_trap(struct x86_cpu *cpu)
{
    __typeof__(cpu->rt.fault) *f = &cpu->rt.fault;
    if (f->sig != SIGTRAP || f->trapno != DB_VECTOR || f->code != TRAP_TRACE_CODE)
        return false;
    f->code = f->sig = 0;
    f->trapno = f->err = 0;
    f->addr = 0;
    return true;
}

/* Runs the instruction at rt.pc in a step block: true when stepping goes
 * on -- it ran (*ran, its trap swallowed), or a request stopped the run
 * before it and the caller's hook says run it again; false with *stop
 * what the loop must handle (a fault, an instruction that left with a
 * request of its own: popf, a mode change). */
static bool step_one(struct x86_cpu *cpu, const struct x86_step_hooks *h, bool *ran,
                     enum tr_stop *stop)
{
    uint64_t pc = cpu->rt.pc;
    *stop = tr_run(cpu);
    *ran = *stop == TR_STOP_FAULT && swallow_step_trap(cpu);
    if (*ran)
        return true;
    return *stop == TR_STOP_INTERRUPT && h->again(cpu, pc);
}

/* Into the step mode and out again, keeping the jump cache and return
 * stack (step blocks use neither; emptying them cost ~41,000 host
 * instructions each way); a step that changed the mode emptied them. */
static uint32_t step_mode_enter(struct x86_cpu *cpu, uint32_t step)
{
    uint32_t mode = cpu->rt.tb_mode;
    tr_set_mode_keep_caches(cpu, mode | step);
    return mode;
}

static void step_mode_leave(struct x86_cpu *cpu, uint32_t mode, uint32_t step)
{
    if (cpu->rt.tb_mode == (mode | step))
        tr_set_mode_keep_caches(cpu, mode);
    else
        tr_set_mode(cpu, cpu->rt.tb_mode & ~step);
}

bool x86_step_to_writer(struct x86_cpu *cpu, const struct x86_step_hooks *h, enum tr_stop *stop)
{
    uint32_t step = X86_TB_STEP | X86_TB_SETTLE, mode = step_mode_enter(cpu, step);
    bool stopped = false;
    int k = 0;
    while (k < X86_SETTLE_MAX_STEPS && !stopped) {
        enum x86_step_kind kind = h->kind(cpu);
        bool ran;
        if (kind == X86_STEP_STOP)
            break;
        stopped = !step_one(cpu, h, &ran, stop);
        k++;
        if (ran && kind == X86_STEP_WRITER)
            break;
    }
    step_mode_leave(cpu, mode, step);
    tr_count_async_settle(cpu, (unsigned)k);
    return stopped;
}

bool x86_step_past(struct x86_cpu *cpu, const struct x86_step_hooks *h, enum tr_stop *stop)
{
    uint32_t step = X86_TB_STEP | X86_TB_SETTLE | X86_TB_SHADOW;
    uint32_t mode = step_mode_enter(cpu, step);
    bool ran = false, stopped = false;
    for (int k = 0; k < X86_SETTLE_MAX_STEPS && !ran && !stopped; k++)
        stopped = !step_one(cpu, h, &ran, stop);
    step_mode_leave(cpu, mode, step);
    return stopped;
}
