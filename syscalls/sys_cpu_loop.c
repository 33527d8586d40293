/* sys_cpu_loop.c -- the user-mode run loop of a guest thread (QEMU's
 * cpu_loop): runs the thread's guest code on the engine and serves what
 * the engine stops for -- system calls, guest faults (delivered as Linux
 * signals), and interrupts (pending signals at a block boundary) -- and
 * the process's exit. */
#include <unistd.h>

#include "options.h"
#include "sys_internal.h"

struct tr_engine *sys_engine;

_Noreturn void sys_exit_process(int status)
{
    sys_vfork_send();
    tr_tcache_save(sys_engine);
    if (ferry_opts.stats && sys_engine)
        tr_print_stats(sys_engine, ferry_log);
    fflush(ferry_log);
    _exit(status);
}

void sys_cpu_fault(struct x86_cpu *cpu)
{
    int sig = cpu->rt.fault.sig;
    bool handled = sys_signal_fault(cpu, sig, cpu->rt.fault.addr);
    cpu->rt.fault.code = cpu->rt.fault.sig = 0;    /* later signals are not this fault */
    cpu->rt.fault.trapno = cpu->rt.fault.err = 0;
    if (!handled)
        sys_signal_die(sig);
}

void sys_cpu_serve(struct x86_cpu *cpu, enum tr_stop stop)
{
    switch (stop) {
    case TR_STOP_SYSCALL:               /* int $0x80 marks an i386 call (sys_ia32.c) */
        sys_stack_grow_to_sp(cpu->regs[X86_RSP]);
        if (cpu->ia32_call) sys_ia32_syscall(cpu);
        else sys_x86_64_syscall(cpu);
        break;
    case TR_STOP_FAULT:
        sys_cpu_fault(cpu);
        break;
    case TR_STOP_INTERRUPT:
        sys_signal_interrupt(cpu);
        break;
    }
}

_Noreturn void sys_cpu_loop(struct x86_cpu *cpu)
{
    for (;;) {
        sys_signal_precise_sync(cpu);
        sys_x86_ldt_sync(cpu);
        x86_step_sync(cpu);             /* a popf that set TF left its block */
        x86_ac_sync(cpu);               /* ... or changed AC; a sigreturn */
        sys_cpu_serve(cpu, tr_run(cpu));
    }
}
