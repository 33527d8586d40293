/* accel_tcg_settle.c -- tcg: a hardware interrupt's frame holds the
 * RFLAGS the CPU would push.
 *
 * Interrupts are taken where tr_run stops, at a block's entry, and a
 * direct exit whose successors overwrite the flags before reading them
 * stores none (the successor scan), so at such an entry env may hold an
 * older state: the interrupt frame pushed it (session 35: 200 of 200
 * timer interrupts in the probe that became system/guests/irqflags.c).
 * The flags were dead for the interrupted code, not for a kernel that
 * looks at the frame.  As user mode does for asynchronous signals
 * (syscalls/sys_async_point.c), the vCPU goes on one instruction at a time
 * -- step blocks (X86_TB_STEP | X86_TB_SETTLE: one instruction, flags in
 * env, ending in a trace trap that is swallowed here; system mode models
 * no TF and never delivers that #DB), a rep string whole -- until the
 * first instruction that writes every flag has run, then takes the
 * interrupt.  Natively it may arrive at any instruction boundary, so a
 * few instructions later is exact; the scan proved the writer comes
 * before anything that reads the flags or leaves the code it sees (an
 * indirect jump, a privileged instruction).  Blocks keep their fast path:
 * only a delivery at an entry whose incoming flags are dead pays (a scan,
 * from the memo, and a few one-instruction blocks).  The step mode is a
 * translation mode (blocks are looked up by pc and mode), entered and
 * left without emptying the jump cache: step blocks neither probe nor
 * fill it.  The stepping is the frontend's (x86_single_step.c), shared
 * with user mode's settle; the hooks below are the vCPU's.
 *
 * Also here: the interrupt shadow.  After an sti that set IF, a mov ss
 * or a pop ss, the CPU takes no interrupt before the next instruction
 * has run (SDM vol. 2, STI and MOV; vol. 3, 6.8.3): `sti; hlt` wakes
 * after the hlt, where Linux's idle loop and any waiter that enables
 * interrupts and halts counts on it -- an interrupt taken between them
 * returns to the hlt, which waits for the next one.  Translated code
 * records the instruction in shadow_pc (sti leaves its block there),
 * and RCX; an interrupt due while the vCPU stands at it, RCX the same,
 * runs that one instruction first in a step block (a rep string there
 * that a request paused between pages has run: its RCX moved on).  A shadow_pc the vCPU has gone
 * past is forgotten at the loop's next turn elsewhere; one it comes back
 * round to and stops at before that (a loop through the instruction
 * after a mov ss that its block did not end at) delays an interrupt by
 * that one instruction. */
#include "accel_tcg.h"

/* A request stopped a step before it ran: a new interrupt, or a rep
 * string paused between pages (system mode's rep movs/stos stop there
 * when a request comes): step again, unless the machine stops. */
static bool tcg_step_again(struct x86_cpu *cpu, uint64_t pc)
{
    return cpu->rt.pc == pc && !sys_vm_stopping(tcg_vm);
}

static enum x86_step_kind tcg_step_kind(struct x86_cpu *cpu)
{
    return x86_sys_async_step_kind((struct x86_sys_cpu *)cpu);
}

static const struct x86_step_hooks tcg_step_hooks = { tcg_step_kind, tcg_step_again };

bool tcg_settle(struct tcg_cpu *c, enum tr_stop *stop)
{
    if (!x86_sys_async_flags_stale(&c->x))
        return false;
    return x86_step_to_writer(&c->x.cpu, &tcg_step_hooks, stop);
}

/* Still before the shadowed instruction: at it, and not a rep string
 * there that paused between pages (its RCX moved on). */
static bool in_shadow(const struct tcg_cpu *c)
{
    return c->x.sys.shadow_pc == c->x.cpu.rt.pc && c->x.sys.shadow_rcx == c->x.cpu.regs[X86_RCX];
}

void tcg_shadow_forget_past(struct tcg_cpu *c)
{
    if (!in_shadow(c))
        c->x.sys.shadow_pc = X86_NO_SHADOW;
}

bool tcg_shadow_step(struct tcg_cpu *c, enum tr_stop *stop)
{
    struct x86_sys_state *s = &c->x.sys;
    if (!in_shadow(c))
        return false;
    s->shadow_pc = X86_NO_SHADOW;
    if (!x86_step_past(&c->x.cpu, &tcg_step_hooks, stop))
        *stop = TR_STOP_INTERRUPT;      /* it ran: nothing for the loop to handle */
    return true;
}
