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
 * fill it. */
#include <signal.h>

#include "accel_tcg.h"

#define SETTLE_MAX_STEPS 64
#define TRAP_TRACE_CODE 2               /* (the step blocks' trap: x86_single_step.c) */

static bool is_step_trap(const struct x86_cpu *cpu)
{
    return cpu->rt.fault.sig == SIGTRAP && cpu->rt.fault.trapno == X86_EXC_DB &&
           cpu->rt.fault.code == TRAP_TRACE_CODE;
}

static void forget_step_trap(struct x86_cpu *cpu)
{
    cpu->rt.fault.code = cpu->rt.fault.sig = 0;
    cpu->rt.fault.trapno = cpu->rt.fault.err = 0;
    cpu->rt.fault.addr = 0;
}

/* Runs the instruction at rt.pc in a step block: true when the settle
 * goes on (it ran, its trap swallowed; or a new request stopped the run
 * before it, or a rep string paused between pages: rt.pc unchanged);
 * false with *stop what the loop must handle (a fault, or an instruction
 * that left with a request of its own: popf, a mode change). */
static bool step_one(struct tcg_cpu *c, bool *ran, enum tr_stop *stop)
{
    struct x86_cpu *cpu = &c->x.cpu;
    uint64_t pc = cpu->rt.pc;
    *stop = tr_run(c);
    *ran = *stop == TR_STOP_FAULT && is_step_trap(cpu);
    if (*ran) {
        forget_step_trap(cpu);
        return true;
    }
    return *stop == TR_STOP_INTERRUPT && cpu->rt.pc == pc && !sys_vm_stopping(tcg_vm);
}

bool tcg_settle(struct tcg_cpu *c, enum tr_stop *stop)
{
    struct x86_sys_cpu *x = &c->x;
    if (!x86_sys_async_flags_stale(x))
        return false;
    uint32_t mode = x->cpu.rt.tb_mode, settle = X86_TB_STEP | X86_TB_SETTLE;
    tr_set_mode_keep_caches(x, mode | settle);
    bool stopped = false;
    int k = 0;
    while (k < SETTLE_MAX_STEPS && !stopped) {
        enum x86_step_kind kind = x86_sys_async_step_kind(x);
        bool ran;
        if (kind == X86_STEP_STOP)
            break;
        stopped = !step_one(c, &ran, stop);
        k++;
        if (ran && kind == X86_STEP_WRITER)
            break;
    }
    if (x->cpu.rt.tb_mode == (mode | settle))
        tr_set_mode_keep_caches(x, mode);
    else                                /* a step changed the mode: caches emptied */
        tr_set_mode(x, x->cpu.rt.tb_mode & ~settle);
    tr_count_async_settle(x, (unsigned)k);
    return stopped;
}
