/* sys_async_point.c -- where an asynchronous signal is delivered: an
 * instruction boundary at which the state the guest handler sees (its
 * frame's RFLAGS) is the CPU's.
 *
 * Requests are caught at block entries, and a direct exit whose
 * successors overwrite the flags before reading them stores none (the
 * successor scan), so at such an entry env may hold an older state: a
 * handler reading uc_mcontext's EFL saw it (session 33,
 * tests/guest/async_flags.c).  Natively a signal lands at any
 * instruction boundary, so there the run loop goes on one instruction at
 * a time -- single-step blocks, which sync the flags after each one; their
 * trace traps are swallowed -- until the first instruction that writes
 * every flag has run, and delivers there.  The scan proved that one comes
 * before anything reads the flags or leaves the code it sees (a system
 * call, an indirect jump), so no stepped instruction sees stale flags;
 * the steps are bounded all the same.  These step blocks (X86_TB_SETTLE)
 * run a rep string whole, one step: TF's run one iteration per block, and
 * a long `rep movs/stos` before the writer hit the bound, delivering
 * inside it with the stale flags (session 35, tests/guest/
 * async_rep_flags.c); natively a signal may land after the rep as well.
 * Entries whose incoming flags are live, and stepping
 * guests, deliver at once: every exit into them stored the flags.  The
 * fast path pays nothing; a delivery at a stale entry a few
 * one-instruction blocks: the detour through the step mode keeps the
 * jump cache and return stack (step blocks use neither), whose emptying
 * took ~41,000 host instructions each way.  The stepping itself is the
 * frontend's (x86_step_to_writer, x86_single_step.c), shared with
 * ferry-system's settle before an interrupt. */
#include "sys_internal.h"

/* User mode's stepping: a stop by a request before a step runs it again
 * (a signal arriving then is delivered with the first). */
static bool sys_step_again(struct x86_cpu *cpu, uint64_t pc)
{
    return true;
}

static const struct x86_step_hooks sys_settle_hooks = { x86_async_step_kind, sys_step_again };

/* Before a signal is delivered at rt.pc: steps to exact flags.  False,
 * or true with *stop what a stepped instruction did instead of finishing
 * (TR_STOP_FAULT: a guest fault to deliver first). */
bool sys_async_settle(struct x86_cpu *cpu, enum tr_stop *stop)
{
    if (!x86_async_flags_stale(cpu))
        return false;
    bool stopped = x86_step_to_writer(cpu, &sys_settle_hooks, stop);
    x86_step_sync(cpu);                 /* the mode TF says, as the run loop does */
    return stopped;
}
