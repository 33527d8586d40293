/* sys_dispatch.c -- sys_x86_64_syscall(): reads the guest's syscall
 * registers, runs the table's handler, and writes rax/rcx/r11 back as the
 * SYSCALL instruction and the kernel do. */
#include "options.h"
#include "sys_block.h"
#include "sys_internal.h"

#define SYS_EFLAGS_NT 0x4000ull

struct sys_process sys_proc;
__thread bool sys_regs_restored;

/* The x32 bit (1 << 30) and numbers past the table are unknown. */
const struct sys_entry *sys_lookup(uint64_t nr)
{
    static const struct sys_entry *by_nr[512];
    static int indexed;
    if (!indexed) {
        for (size_t i = 0; i < sys_table_len; i++)
            by_nr[sys_table[i].nr] = &sys_table[i];
        indexed = 1;
    }
    return nr < 512 ? by_nr[nr] : NULL;
}

/* NT after the call.  Linux 6.18 returns by SYSRET (do_syscall_64: NT
 * is no reason for IRET), RFLAGS from r11 = the flags on entry, NT
 * included: so on this Intel Sapphire Rapids (kselftest syscall_nt's
 * expectation, measured: entered 0x4202, after 0x4202).  On the AMD Zen 5
 * measured, the same kernel returned with NT clear though r11 kept it. */
static void sys_syscall_nt(struct x86_cpu *cpu)
{
    if (!x86_machine()->intel)
        cpu->eflags_rest &= ~SYS_EFLAGS_NT;
}

void sys_x86_64_syscall(struct x86_cpu *cpu)
{
    /* Linux takes the number from eax alone (an int since 5.x): bits 63:32
     * of rax are ignored, so 0x100000000 is read(2). */
    const uint64_t rax = cpu->regs[X86_RAX];
    const uint64_t nr = (uint32_t)rax;
    const uint64_t a[6] = { cpu->regs[X86_RDI], cpu->regs[X86_RSI], cpu->regs[X86_RDX],
                            cpu->regs[X86_R10], cpu->regs[X86_R8], cpu->regs[X86_R9] };
    const struct sys_entry *e = sys_lookup(nr);
    /* SYSCALL does not save ss: Linux's entry records __USER_DS, so the
     * call returns with it whatever ss held (rt_sigreturn then restores
     * the frame's). */
    cpu->sel[X86_SREG_SS] = 0x2b;
    if (ferry_opts.strace)
        sys_strace_call(e, nr, a);
    uint64_t args[6] = { a[0], a[1], a[2], a[3], a[4], a[5] };
    void *fixed = sys_guest_args_fix(e, args);
    int64_t ret = !e || !e->handler   ? -ENOSYS
                  : sys_ferry_fd_arg(nr, a) ? -EBADF
                                            : e->handler(cpu, args);
    if (ret == -EMFILE && e->new_fd && sys_ferry_fd_give_up())  /* ferry's numbers were the guest's */
        ret = e->handler(cpu, args);
    sys_guest_args_done(fixed, ret);
    if (ferry_opts.strace)
        sys_strace_result(e, nr, a, ret);
    bool woken = ret == -TR_SYSCALL_WOKEN;     /* a signal came first: sys_block.h */
    bool again = !sys_regs_restored && (woken || (ret == -EINTR && sys_signal_restart(nr)));
    if (again) {
        cpu->regs[X86_RAX] = rax;           /* run the syscall insn again */
        cpu->rt.pc -= 2;
    } else if (!sys_regs_restored) {
        cpu->regs[X86_RAX] = (uint64_t)ret;
        cpu->regs[X86_RCX] = cpu->rt.pc;
        cpu->regs[X86_R11] = x86_get_eflags(cpu);
        sys_syscall_nt(cpu);
    }
    sys_regs_restored = false;
    sys_ptrace_stop_point(cpu, (int64_t)nr, again);
    sys_signal_deliver_pending(cpu);
}
