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
 * leaves its block when it sets TF, and the run loop syncs the mode
 * (x86_step_sync).  Blocks of other modes pay nothing; popf an and and a
 * branch.
 * System mode does not model TF (its #DB is not delivered through the IDT);
 * it translates step blocks only for the settle before an interrupt
 * (system/accel_tcg_settle.c), whose trap is swallowed there.
 */
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

/* After popf stored its flags (TF in eflags_rest): one that sets TF
 * leaves the block with a request, and the run loop's x86_step_sync
 * switches the mode before the next instruction.  One that clears it in
 * a stepping block traps right after (the signal's delivery and return
 * switch the mode): nothing to do here. */
void x86_popf_tf(struct x86_dc *dc, ir_ref flags)
{
    if (dc->step)
        return;
    x86_flags_sync(dc);
    ir_brexit(dc->b, IR_TSTNE, 64, flags, x86_imm(dc, X86_TF), dc->next_pc, TR_EXIT_REQUEST);
}

bool x86_step_each_iteration(const struct x86_dc *dc)
{
    return dc->step && !(dc->b->mode & X86_TB_SETTLE);
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
