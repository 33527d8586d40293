/* sys_signal.c -- signal syscalls.  Delivery to guest handlers comes
 * later: rt_sigaction, rt_sigprocmask and sigaltstack only record the
 * guest's state (in the x86-64 layouts), and a signal the guest sends to
 * itself takes the host's default action unless the guest ignores it.
 * Signal numbers are the same on x86-64 and arm64. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "options.h"
#include "sys_handlers.h"

#define SYS_NSIG 64
#define SYS_SIG_IGN 1
#define SYS_SIGKILL_STOP ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

struct x86_64_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

struct x86_64_stack {
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t pad;
    uint64_t ss_size;
};

static struct {
    struct x86_64_sigaction action[SYS_NSIG + 1];
    uint64_t blocked;
    struct x86_64_stack altstack;
} sys_sig = { .altstack = { .ss_flags = 2 /* SS_DISABLE */ } };

SYS_HANDLER(sys_rt_sigaction)
{
    int sig = (int)a[0];
    struct x86_64_sigaction act;
    if (sig < 1 || sig > SYS_NSIG || a[3] != 8)
        return -EINVAL;
    if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    if (a[1] && sys_copy_in(&act, a[1], sizeof act))
        return -EFAULT;
    if (a[2] && sys_copy_out(a[2], &sys_sig.action[sig], sizeof act))
        return -EFAULT;
    if (a[1])
        sys_sig.action[sig] = act;
    return 0;
}

SYS_HANDLER(sys_rt_sigprocmask)
{
    uint64_t set = 0, old = sys_sig.blocked;
    if (a[3] != 8)
        return -EINVAL;
    if (a[1] && sys_copy_in(&set, a[1], sizeof set))
        return -EFAULT;
    if (a[1]) {
        switch (a[0]) {
        case 0: sys_sig.blocked |= set; break;      /* SIG_BLOCK */
        case 1: sys_sig.blocked &= ~set; break;     /* SIG_UNBLOCK */
        case 2: sys_sig.blocked = set; break;       /* SIG_SETMASK */
        default: return -EINVAL;
        }
        sys_sig.blocked &= ~SYS_SIGKILL_STOP;
    }
    return a[2] ? sys_copy_out(a[2], &old, sizeof old) : 0;
}

SYS_HANDLER(sys_rt_sigpending)
{
    uint64_t none = 0;
    return sys_copy_out(a[0], &none, sizeof none);
}

SYS_HANDLER(sys_sigaltstack)
{
    struct x86_64_stack ss, old = sys_sig.altstack;
    if (a[0] && sys_copy_in(&ss, a[0], sizeof ss))
        return -EFAULT;
    if (a[0])
        sys_sig.altstack = ss;
    return a[1] ? sys_copy_out(a[1], &old, sizeof old) : 0;
}

static int sys_default_ignores(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* A signal to ferry's own process: the guest's disposition decides,
 * and the host's default action is the only delivery for now. */
static int64_t sys_signal_self(int sig)
{
    if (sig == 0)
        return 0;
    if (sig < 1 || sig > SYS_NSIG)
        return -EINVAL;
    if (sys_sig.action[sig].handler == SYS_SIG_IGN || sys_default_ignores(sig))
        return 0;
    fflush(stdout);
    fflush(ferry_log);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    signal(sig, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    return 0;
}

SYS_HANDLER(sys_kill)
{
    if ((pid_t)a[0] == getpid())
        return sys_signal_self((int)a[1]);
    return sys_ret(kill((pid_t)a[0], (int)a[1]));
}

SYS_HANDLER(sys_tgkill)
{
    if ((pid_t)a[0] == getpid() && (pid_t)a[1] == gettid())
        return sys_signal_self((int)a[2]);
    return sys_ret(syscall(SYS_tgkill, (pid_t)a[0], (pid_t)a[1], (int)a[2]));
}

SYS_HANDLER(sys_tkill)
{
    if ((pid_t)a[0] == gettid())
        return sys_signal_self((int)a[1]);
    return sys_ret(syscall(SYS_tkill, (pid_t)a[0], (int)a[1]));
}

SYS_HANDLER(sys_pause) { return sys_ret(pause()); }
SYS_HANDLER(sys_alarm) { return alarm((unsigned)a[0]); }
