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
 * took ~41,000 host instructions each way. */
#include <signal.h>

#include "sys_internal.h"

#define SETTLE_MAX_STEPS 64
#define DB_VECTOR 1
#define TRAP_TRACE_CODE 2

static bool sys_is_step_trap(const struct x86_cpu *cpu)
{
    return cpu->rt.fault.sig == SIGTRAP && cpu->rt.fault.trapno == DB_VECTOR &&
           cpu->rt.fault.code == TRAP_TRACE_CODE;
}

static void sys_forget_fault(struct x86_cpu *cpu)
{
    cpu->rt.fault.code = cpu->rt.fault.sig = 0;
    cpu->rt.fault.trapno = cpu->rt.fault.err = 0;
    cpu->rt.fault.addr = 0;
}

/* Runs the instruction at rt.pc alone: true when it ran (its trace trap
 * swallowed), or when a new request stopped the run before it (*ran
 * false); false when it stopped otherwise (a guest fault, left in
 * rt.fault for the caller). */
static bool sys_step_one(struct x86_cpu *cpu, bool *ran, enum tr_stop *stop)
{
    *stop = tr_run(cpu);
    *ran = *stop != TR_STOP_INTERRUPT;
    if (*stop == TR_STOP_FAULT && sys_is_step_trap(cpu)) {
        sys_forget_fault(cpu);
        return true;
    }
    return *stop == TR_STOP_INTERRUPT;
}

/* Before a signal is delivered at rt.pc: steps to exact flags.  False,
 * or true with *stop what a stepped instruction did instead of finishing
 * (TR_STOP_FAULT: a guest fault to deliver first). */
bool sys_async_settle(struct x86_cpu *cpu, enum tr_stop *stop)
{
    if (!x86_async_flags_stale(cpu))
        return false;
    uint32_t mode = cpu->rt.tb_mode, settle = X86_TB_STEP | X86_TB_SETTLE;
    tr_set_mode_keep_caches(cpu, mode | settle);
    bool stopped = false;
    int k = 0;
    while (k < SETTLE_MAX_STEPS && !stopped) {
        enum x86_step_kind kind = x86_async_step_kind(cpu);
        bool ran;
        if (kind == X86_STEP_STOP)
            break;
        stopped = !sys_step_one(cpu, &ran, stop);
        k++;
        if (ran && kind == X86_STEP_WRITER)
            break;
    }
    if (cpu->rt.tb_mode == (mode | settle))
        tr_set_mode_keep_caches(cpu, mode);
    else                                /* a step changed the mode: caches emptied */
        tr_set_mode(cpu, cpu->rt.tb_mode & ~settle);
    x86_step_sync(cpu);                 /* the mode TF says, as the run loop does */
    tr_count_async_settle(cpu, (unsigned)k);
    return stopped;
}
