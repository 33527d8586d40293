/* sys_signal.c -- guest signals: dispositions (rt_sigaction, process-wide),
 * per-thread masks and pending sets, and their delivery to guest handlers.
 *
 * A signal the guest sends itself (kill, tgkill, raise) or that the host
 * delivers to ferry (the host handler below only records it in the thread
 * the kernel picked, and asks that thread to leave translated code)
 * becomes pending; after each syscall, and at the next block entry when
 * it arrived asynchronously (tr_interrupt), the lowest pending unblocked
 * signal gets an rt_sigframe (sys_sigframe.c) -- or its default action.
 * Each thread's host signal mask mirrors its guest mask for the signals
 * ferry forwards, so the kernel picks the thread the guest would get.
 * Faults found by the translator come through sys_signal_fault().
 * Signal numbers are the same on x86-64 and arm64. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "sys_block.h"
#include "sys_exec.h"
#include "sys_handlers.h"
#include "sys_sigframe.h"
#include "translator.h"

#define SYS_SIG_DFL 0
#define SYS_SIG_IGN 1
#define SYS_UNBLOCKABLE (SYS_SIGBIT(SIGKILL) | SYS_SIGBIT(SIGSTOP))
#define SYS_SI_USER 0
#define SYS_SI_TKILL (-6)
#define SYS_SI_KERNEL 0x80

struct sys_signals sys_sig;
__thread struct sys_signals *sys_sig_own;

/* NULL: drops the calling thread's own copy (it ends). */
void sys_signal_own_actions(const struct sys_signals *from)
{
    struct sys_signals *own = from ? malloc(sizeof *own) : NULL;
    if (own)
        *own = *from;
    free(sys_sig_own);
    sys_sig_own = own;
}

/* The calling thread's dispositions as they are now (a CLONE_VM child
 * without CLONE_SIGHAND starts with a copy of its creator's). */
const struct sys_signals *sys_signal_actions(void) { return sys_sig_own ? sys_sig_own : &sys_sig; }
__thread struct sys_thread_signals sys_tsig = { .altstack = { .ss_flags = SYS_SS_DISABLE } };

static bool sys_default_ignores(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* glibc's internal signals (SIGCANCEL, SIGSETXID): the host glibc neither
 * lets ferry set their disposition nor block them. */
#define SYS_SIGCANCEL 32
#define SYS_SIGSETXID 33
/* Set once ferry's forwarding handler holds both (sys_signal_take_sigcancel). */
static bool sys_internal_forwarded;

/* Signals the translator raises itself for guest faults keep its host
 * handlers; ferry never takes them over.  Nor glibc's two internal ones,
 * whose guest uses are posted between guest threads directly (tgkill);
 * SIGCANCEL from the kernel (the guest glibc's SIGEV_THREAD timers send
 * it, as SIGTIMER, to their helper thread) is caught by
 * sys_signal_take_sigcancel.  Real-time signals 34..64 are forwarded like
 * the standard ones. */
static bool sys_host_owned(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
           sig == SIGTRAP || sig == SIGKILL || sig == SIGSTOP || sig == SYS_SIGCANCEL ||
           sig == SYS_SIGSETXID;
}

/* What execve passed on, as Linux does: ignored dispositions and the
 * signal mask (sys_exec_pass_mask() hands the guest's mask to the host
 * just before exec).  ferry itself runs with no host signal blocked.
 * Each inherited SIG_IGN is set once more: a no-op on a host kernel, but
 * qemu-user (the AArch64 build's tests) catches the fatal ones on the
 * host while reporting them ignored, so /proc/self/status's SigIgn lost
 * them (Python's test_restore_signals) until the guest's own call. */
/* An inherited SIG_IGN is the guest's too -- asked of the kernel, as
 * glibc's sigaction refuses its two internal signals (GNU make starts its
 * commands with both ignored: /proc/self/status's SigIgn 0x180000000);
 * true if so. */
static bool sys_inherit_ignored(int sig)
{
    uint64_t k[4] = { 0 };              /* the kernel's struct sigaction: the handler first */
    if (syscall(SYS_rt_sigaction, sig, NULL, k, 8) != 0 || k[0] != (uint64_t)(uintptr_t)SIG_IGN)
        return false;
    sys_action(sig)->handler = SYS_SIG_IGN;
    return true;
}

static bool sys_kept_ignored(int sig);

/* The ferry before passed the guest's SIG_IGN of the signals ferry keeps
 * in the environment (sys_exec_kept_ignores_env): they are the guest's,
 * and the variable is taken out before the guest sees its environment. */
static void sys_inherit_kept_ignores(void)
{
    const char *v = getenv(SYS_EXEC_KEPT_IGN_ENV);
    if (!v)
        return;
    uint64_t set = strtoull(v, NULL, 16);
    unsetenv(SYS_EXEC_KEPT_IGN_ENV);
    for (int sig = 1; sig <= SYS_NSIG; sig++)
        if ((set & SYS_SIGBIT(sig)) && sys_host_owned(sig) && sig != SIGKILL && sig != SIGSTOP)
            sys_action(sig)->handler = SYS_SIG_IGN;
}

__attribute__((constructor)) static void sys_signal_inherit(void)
{
    sigset_t mask, host;
    struct sigaction old;
    sys_inherit_kept_ignores();
    for (int sig = 1; sig <= SYS_NSIG; sig++)
        if (sys_inherit_ignored(sig) && sigaction(sig, NULL, &old) == 0)
            sigaction(sig, &old, NULL);
    if (sigprocmask(SIG_SETMASK, NULL, &mask) != 0)
        return;
    for (int sig = 1; sig <= SYS_NSIG; sig++)
        if (sigismember(&mask, sig) == 1)
            sys_tsig.blocked |= SYS_SIGBIT(sig);
    sys_tsig.blocked &= ~SYS_UNBLOCKABLE;
    /* Straight to the mirrored mask: a signal sent before exec or while
     * it ran is pending here, blocked, and must stay so (unblocking all
     * first let it kill ferry by its default action: Python's resource
     * tracker, started with SIGINT blocked, died of the test's SIGINT). */
    sys_signal_host_set(sys_tsig.blocked, &host);
    sigprocmask(SIG_SETMASK, &host, NULL);
    sys_tsig.host_blocked = sys_tsig.blocked;
}

static uint64_t sys_pending(void)
{
    return __atomic_load_n(&sys_tsig.pending, __ATOMIC_SEQ_CST);
}

/* A forwarded signal ferry holds pending that the guest now blocks goes
 * back to the host kernel, pending on this thread with its siginfo (a
 * thread may queue any siginfo to itself): there a signalfd reads it,
 * sigpending sees it, and unblocking delivers it to the host handler
 * again -- as for a signal that arrived while blocked. */
static void sys_requeue_blocked(void)
{
    uint64_t moved = sys_pending() & sys_tsig.blocked;
    for (int sig = 1; moved && sig <= SYS_NSIG; sig++) {
        uint64_t bit = SYS_SIGBIT(sig);
        if (!(moved & bit) || sys_host_owned(sig))
            continue;
        if (__atomic_fetch_and(&sys_tsig.pending, ~bit, __ATOMIC_SEQ_CST) & bit)
            syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), sig, &sys_tsig.info[sig]);
    }
}

/* The host mask of the calling thread = its guest mask, for the signals
 * whose host disposition follows the guest's (sys_mirror_disposition). */
void sys_signal_sync_mask(void)
{
    sigset_t mask;
    if (sys_tsig.host_blocked == sys_tsig.blocked)
        return;
    sys_signal_host_set(sys_tsig.blocked, &mask);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    sys_tsig.host_blocked = sys_tsig.blocked;
    sys_requeue_blocked();
}

static void sys_set_pending(struct sys_thread_signals *t, int sig)
{
    __atomic_or_fetch(&t->pending, SYS_SIGBIT(sig), __ATOMIC_SEQ_CST);
}

static void sys_exec_pass_kept_ignores(bool before_exec);

/* The raw call: glibc's sigprocmask drops 32 and 33 from the set, and a
 * guest that blocked them (by the raw call too) passes them on natively. */
void sys_exec_pass_mask(bool before_exec)
{
    uint64_t mask = before_exec ? sys_tsig.blocked : 0;
    sys_exec_pass_kept_ignores(before_exec);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL, sizeof mask);
    sys_tsig.host_blocked = ~sys_tsig.blocked;      /* unknown: resync */
    if (!before_exec)
        sys_signal_sync_mask();
}

/* The kernel's struct sigaction for rt_sigaction: the same fields on
 * x86-64 and arm64 (both define SA_RESTORER). */
struct sys_kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

/* The host dispositions an execve's sys_exec_pass_kept_ignores replaced,
 * put back when it fails. */
static struct sys_kernel_sigaction sys_kept_saved[SYS_NSIG + 1];
static uint64_t sys_kept_passed;

static bool sys_kept_ignored(int sig)
{
    return sys_host_owned(sig) && sig != SIGKILL && sig != SIGSTOP &&
           sys_action(sig)->handler == SYS_SIG_IGN;
}

/* The guest's SIG_IGN of a signal ferry keeps for itself (sys_host_owned:
 * SIGSEGV, SIGBUS, ..., 32, 33) goes to the host right before execve, as
 * every other ignored disposition already is (sys_mirror_disposition):
 * the kernel passes it on, and the new ferry takes it as the guest's
 * (sys_inherit_ignored); natively the new program starts with it ignored
 * (GNU make's commands, run by a make under ferry, got 32 and 33 back
 * at default).  false: execve failed, ferry's handlers again.  Only in a
 * single-threaded guest (a fork or vfork child always is): another thread
 * would meet the host's SIG_IGN at its next fault -- ferry's own uses of
 * SIGSEGV (stack growth, code-page writes) -- and the kernel kills the
 * process for an ignored fault.  The environment carries them too
 * (sys_exec_kept_ignores_env): from a multi-threaded guest, and under
 * qemu-user, which keeps its own SIGSEGV and SIGBUS handlers. */
static void sys_exec_pass_kept_ignores(bool before_exec)
{
    const struct sys_kernel_sigaction ign = { .handler = SIG_IGN };
    size_t n = sizeof ign.mask;
    for (int sig = 1; sig <= SYS_NSIG; sig++) {
        uint64_t bit = SYS_SIGBIT(sig);
        if (!before_exec && (sys_kept_passed & bit))
            syscall(SYS_rt_sigaction, sig, &sys_kept_saved[sig], NULL, n);
        else if (before_exec && sys_kept_ignored(sig) && sys_thread_count() <= 1 &&
                 syscall(SYS_rt_sigaction, sig, &ign, &sys_kept_saved[sig], n) == 0)
            sys_kept_passed |= bit;
    }
    if (!before_exec)
        sys_kept_passed = 0;
}

void sys_exec_kept_ignores_env(char *buf, size_t len)
{
    uint64_t set = 0;
    for (int sig = 1; sig <= SYS_NSIG; sig++)
        if (sys_kept_ignored(sig))
            set |= SYS_SIGBIT(sig);
    buf[0] = 0;
    if (set)
        snprintf(buf, len, "%s=%llx", SYS_EXEC_KEPT_IGN_ENV, (unsigned long long)set);
}

/* The default action, in ferry's own process. */
static void sys_default_action(int sig)
{
    if (sys_default_ignores(sig))
        return;
    if (ferry_opts.stats && sys_engine)
        tr_print_stats(sys_engine, ferry_log);
    fflush(stdout);
    fflush(ferry_log);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    /* the raw calls: glibc's signal() and raise() refuse SIGCANCEL and
     * SIGSETXID */
    struct sys_kernel_sigaction dfl = { .handler = SIG_DFL };
    syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    syscall(SYS_tgkill, getpid(), gettid(), sig);
}

_Noreturn void sys_signal_die(int sig)
{
    sys_default_action(sig);
    sys_exit_process(128 + sig);
}

static void sys_host_handler(int sig, siginfo_t *si, void *uc)
{
    if (tr_kick_landed(sig, si, uc))    /* another thread's exit request */
        return;
    if (sys_ptrace_is_kick(sig, si)) {  /* a stop request: no guest signal */
        sys_tsig.ptrace_wake = sys_tsig.wake = 1;
        tr_safe_syscall_rewind(uc);
        tr_interrupt(tr_current_env());
        tr_request_reach(uc);
        return;
    }
    /* siginfo_t has the same layout on x86-64 and arm64: kill's pid/uid,
     * the timer's id/overrun/value (timer_create), sigqueue's value... */
    _Static_assert(sizeof(siginfo_t) == sizeof(struct x86_64_siginfo), "siginfo layout");
    memcpy(&sys_tsig.info[sig], si, sizeof(struct x86_64_siginfo));
    sys_set_pending(&sys_tsig, sig);
    sys_tsig.wake = 1;
    tr_safe_syscall_rewind(uc);
    tr_interrupt(tr_current_env());
    tr_request_reach(uc);
}

/* A SIGSEGV or SIGBUS another process sent is asynchronous like any other
 * (fault.c hands it over): recorded for the guest, not a fault. */
static void sys_sent_fault(int sig, void *si, void *uc)
{
    sys_host_handler(sig, si, uc);
}

__attribute__((constructor)) static void sys_signal_take_sent_faults(void)
{
    tr_sent_fault_handler = sys_sent_fault;
}


/* ferry never cancels its own threads, so its glibc's SIGCANCEL handler
 * can give way to the forwarding one; nor does it call glibc's set*id
 * wrappers (the raw calls: the guest's glibc broadcasts to its threads),
 * so SIGSETXID from outside the process (kill -33) goes to the guest too.
 * glibc's sigaction refuses both: the raw call gets the flags and restorer glibc itself uses,
 * read back from a signal installed through glibc (SIGRTMAX, restored). */
static struct sys_kernel_sigaction sys_internal_action;

__attribute__((constructor)) static void sys_signal_take_sigcancel(void)
{
    struct sigaction sa, old;
    sys_inherit_ignored(SYS_SIGCANCEL);     /* before the forwarding handler replaces it */
    sys_inherit_ignored(SYS_SIGSETXID);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sys_host_handler;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    if (sigaction(SIGRTMAX, &sa, &old) != 0)
        return;
    long r = syscall(SYS_rt_sigaction, SIGRTMAX, NULL, &sys_internal_action,
                     sizeof sys_internal_action.mask);
    sigaction(SIGRTMAX, &old, NULL);
    sys_internal_forwarded = r == 0;
    sys_signal_hold_internal();
    if (sys_internal_forwarded)         /* (all signals blocked in the handler) */
        tr_kick_use(SYS_SIGCANCEL);
}

/* glibc installs its own SIGCANCEL and SIGSETXID handlers at ferry's first
 * pthread_create (nptl's late_init), so each new thread takes them back. */
void sys_signal_hold_internal(void)
{
    size_t n = sizeof sys_internal_action.mask;
    if (sys_internal_forwarded)
        sys_internal_forwarded =
            syscall(SYS_rt_sigaction, SYS_SIGCANCEL, &sys_internal_action, NULL, n) == 0 &&
            syscall(SYS_rt_sigaction, SYS_SIGSETXID, &sys_internal_action, NULL, n) == 0;
}

/* Mirrors a new guest disposition on the host: ignored stays ignored
 * (SIGPIPE!), a guest handler means "record it for the guest". */
static void sys_mirror_disposition(int sig)
{
    const struct x86_64_sigaction *act = sys_action(sig);
    struct sigaction sa;
    if (sys_host_owned(sig) || sys_sig_own)    /* host dispositions are the process's */
        return;
    memset(&sa, 0, sizeof sa);
    sigfillset(&sa.sa_mask);
    if (act->handler == SYS_SIG_DFL || act->handler == SYS_SIG_IGN) {
        sa.sa_handler = act->handler == SYS_SIG_IGN ? SIG_IGN : SIG_DFL;
    } else {
        sa.sa_sigaction = sys_host_handler;
        sa.sa_flags = SA_SIGINFO;       /* EINTR always: sys_signal_restart() decides */
    }
    sigaction(sig, &sa, NULL);
}

/* Runs signal sig for the guest now: handler frame or default action. */
/* Dispositions change (rt_sigaction) and are read for a delivery (the
 * handler, restorer, flags, mask, the frame built from them) under this
 * lock, as the kernel's siglock: test_signal's stress test switched a
 * handler to SIG_IGN while another thread's delivery was building its
 * frame, which then entered "handler" 1 (SIGSEGV). */
static pthread_mutex_t sys_action_lock = PTHREAD_MUTEX_INITIALIZER;

/* A fork while another thread delivers must not leave the child's lock
 * held: sys_fork.c takes it first of all (a delivery's default action
 * may end the process, which takes the engine's lock). */
void sys_signal_fork_prepare(void) { pthread_mutex_lock(&sys_action_lock); }
void sys_signal_fork_parent(void) { pthread_mutex_unlock(&sys_action_lock); }
void sys_signal_fork_child(void) { pthread_mutex_init(&sys_action_lock, NULL); }

static void sys_signal_run_locked(struct x86_cpu *cpu, int sig, const struct x86_64_siginfo *info);

static void sys_signal_run(struct x86_cpu *cpu, int sig, const struct x86_64_siginfo *info)
{
    pthread_mutex_lock(&sys_action_lock);
    sys_signal_run_locked(cpu, sig, info);
    pthread_mutex_unlock(&sys_action_lock);
}

static void sys_signal_run_locked(struct x86_cpu *cpu, int sig, const struct x86_64_siginfo *info)
{
    struct x86_64_sigaction *act = sys_action(sig);
    if (act->handler == SYS_SIG_IGN)
        return;
    if (act->handler == SYS_SIG_DFL) {
        sys_default_action(sig);
        return;
    }
    if (sys_sigframe_push(cpu, sig, info) != 0) {
        sys_default_action(SIGSEGV);        /* no usable stack: as Linux */
        return;
    }
    sys_tsig.blocked |= act->mask | (act->flags & SYS_SA_NODEFER ? 0 : SYS_SIGBIT(sig));
    sys_tsig.blocked &= ~SYS_UNBLOCKABLE;
    sys_signal_sync_mask();
    if (act->flags & SYS_SA_RESETHAND)
        act->handler = SYS_SIG_DFL, act->flags &= ~(uint64_t)SYS_SA_SIGINFO;
}

void sys_signal_deliver_pending(struct x86_cpu *cpu)
{
    __atomic_store_n(&sys_tsig.wake, 0, __ATOMIC_SEQ_CST);     /* before reading pending */
    uint64_t ready = sys_pending() & ~sys_tsig.blocked;
    if (!ready) {
        sys_signal_sync_mask();
        return;
    }
    int sig = __builtin_ctzll(ready) + 1;
    __atomic_and_fetch(&sys_tsig.pending, ~SYS_SIGBIT(sig), __ATOMIC_SEQ_CST);
    struct x86_64_siginfo info = sys_tsig.info[sig];
    sys_signal_run(cpu, sig, &info);
    if (sys_tsig.saved_mask_valid && sys_action(sig)->handler <= SYS_SIG_IGN)
        sys_tsig.blocked = sys_tsig.saved_mask;       /* no frame to restore it */
    sys_tsig.saved_mask_valid = false;
    sys_signal_sync_mask();
}

/* Syscalls Linux never restarts after a handler, SA_RESTART or not
 * (signal(7)): pause, rt_sigsuspend, the sleeps, poll/select/epoll_wait,
 * rt_sigtimedwait; io_uring_enter (waiting for completions: -EINTR);
 * io_getevents, io_pgetevents; SysV IPC's semop, semtimedop, msgsnd,
 * msgrcv (tests/guest/block_intr.c). */
static bool sys_never_restarted(uint64_t nr)
{
    static const uint16_t never[] = { 34, 130, 35, 230, 7, 271, 23, 270, 232, 281, 128, 426,
                                      208, 333, 65, 220, 69, 70 };
    for (size_t k = 0; k < sizeof never / sizeof never[0]; k++)
        if (nr == never[k])
            return true;
    return false;
}

/* A guest syscall returned EINTR because a host signal arrived (host
 * handlers never ask the kernel to restart: the guest handler must run
 * first).  Restart it, as the kernel would, unless the signal about to be
 * delivered has a handler without SA_RESTART. */
bool sys_signal_restart(uint64_t nr)
{
    uint64_t ready = sys_pending() & ~sys_tsig.blocked;
    if (!ready && sys_ptrace_woke())
        return true;                    /* a ptrace stop: restarted, as Linux does */
    if (sys_never_restarted(nr))
        return false;
    if (!ready)
        return true;
    const struct x86_64_sigaction *act = sys_action(__builtin_ctzll(ready) + 1);
    return act->handler <= SYS_SIG_IGN || (act->flags & SYS_SA_RESTART);
}

/* A host signal arrived while the guest ran translated code: the
 * dispatcher calls this at the next block boundary, which the guest's
 * handler (or tracer) sees with exact flags (sys_async_point.c). */
void sys_signal_interrupt(struct x86_cpu *cpu)
{
    enum tr_stop stop;
    bool wanted = (sys_pending() & ~sys_tsig.blocked) || sys_tsig.ptrace_wake;
    if (wanted && sys_async_settle(cpu, &stop))
        sys_cpu_serve(cpu, stop);       /* (a fault: its frame first, as Linux) */
    sys_ptrace_stop_point(cpu, -1, false);
    sys_signal_deliver_pending(cpu);
}

/* Sleeps until a signal the guest does not block is pending.  The wake
 * flag, cleared before pending is read, closes the window between the
 * check and the sleep (sys_block.h) without blocking host signals:
 * blocked, a SIGSEGV or SIGBUS another process sent was lost under
 * qemu-user, which keeps those two in a table of its own while its guest
 * blocks them, where the sigsuspend after never sees them. */
static void sys_wait_for_signal(void)
{
    sigset_t during;
    sys_signal_host_set(sys_tsig.blocked, &during);
    for (;;) {
        __atomic_store_n(&sys_tsig.wake, 0, __ATOMIC_SEQ_CST);
        if (sys_pending() & ~sys_tsig.blocked)
            return;
        sys_block(SYS_rt_sigsuspend, &during, sizeof(uint64_t));    /* the kernel's sigset */
    }
}

/* si_code of each fault, as the kernel reports it. */
static int sys_fault_code(int sig)
{
    switch (sig) {
    case SIGSEGV: return 1;     /* SEGV_MAPERR */
    case SIGFPE:  return 1;     /* FPE_INTDIV */
    case SIGILL:  return 2;     /* ILL_ILLOPN */
    case SIGBUS:  return 2;     /* BUS_ADRERR */
    default:      return 0x80;  /* SI_KERNEL (int3's SIGTRAP) */
    }
}

bool sys_signal_fault(struct x86_cpu *cpu, int sig, uint64_t addr)
{
    const struct x86_64_sigaction *act = sys_action(sig);
    if (act->handler == SYS_SIG_DFL || act->handler == SYS_SIG_IGN ||
        (sys_tsig.blocked & SYS_SIGBIT(sig)))
        return false;
    int code = cpu->rt.fault.code ? cpu->rt.fault.code : sys_fault_code(sig);
    struct x86_64_siginfo info = { .si_signo = sig, .si_code = code, .u.addr = addr };
    sys_signal_run(cpu, sig, &info);
    return true;
}

/* Linux's force_sig() of a signal the kernel raises for a bad syscall
 * (rt_sigreturn's bad frame): a handler the thread does not block runs
 * (SI_KERNEL, no address); blocked, ignored or default, it kills. */
void sys_signal_force(struct x86_cpu *cpu, int sig)
{
    const struct x86_64_sigaction *act = sys_action(sig);
    if (act->handler == SYS_SIG_DFL || act->handler == SYS_SIG_IGN ||
        (sys_tsig.blocked & SYS_SIGBIT(sig)))
        sys_signal_die(sig);
    const struct x86_64_siginfo info = { .si_signo = sig, .si_code = SYS_SI_KERNEL };
    sys_signal_run(cpu, sig, &info);
}

/* A signal to ferry's own process becomes pending for the guest.  One the
 * guest blocks goes through the host kernel instead (it stays pending
 * there, for a signalfd or sigpending, even when ignored, as natively). */
static int64_t sys_signal_self(int sig, int code)
{
    if (sig == 0)
        return 0;
    if (sig < 1 || sig > SYS_NSIG)
        return -EINVAL;
    if ((sys_tsig.blocked & SYS_SIGBIT(sig)) && !sys_host_owned(sig))
        return code == SYS_SI_USER ? sys_ret(kill(getpid(), sig))
                                   : sys_ret(syscall(SYS_tgkill, getpid(), gettid(), sig));
    uint64_t handler = sys_action(sig)->handler;
    if (handler == SYS_SIG_IGN || (handler == SYS_SIG_DFL && sys_default_ignores(sig)))
        return 0;
    sys_tsig.info[sig] = (struct x86_64_siginfo){ .si_signo = sig, .si_code = code,
                                                 .u.kill = { getpid(), getuid() } };
    sys_set_pending(&sys_tsig, sig);
    return 0;
}

/* tgkill to another guest thread: forwarded signals go through the host
 * kernel (which wakes the thread from blocking syscalls as the guest
 * expects); the others (host-owned: faults, real-time signals such as
 * glibc's SIGCANCEL) are posted to the thread directly and run at its next
 * block entry or syscall return. */
static void sys_post_tkill(struct sys_thread_signals *t, int sig)
{
    t->info[sig] = (struct x86_64_siginfo){ .si_signo = sig, .si_code = SYS_SI_TKILL,
                                            .u.kill = { getpid(), getuid() } };
    sys_set_pending(t, sig);
}

/* sys_post_queued's siginfo, written and read under sys_queue_lock. */
static struct x86_64_siginfo sys_thread_queue_info;
static pthread_mutex_t sys_queue_lock = PTHREAD_MUTEX_INITIALIZER;
static void sys_post_queued(struct sys_thread_signals *t, int sig)
{
    t->info[sig] = sys_thread_queue_info;
    sys_set_pending(t, sig);
}

/* glibc's two internal signals go through the host kernel too once the
 * forwarding handler holds them: the target thread may sleep in a
 * blocking syscall, and only a host signal wakes it (Python's
 * initgroups broadcast SIGSETXID while faulthandler's watchdog thread
 * sat in a timed futex wait: the caller waited for it forever). */
static bool sys_posted_directly(int sig)
{
    bool internal = sig == SYS_SIGCANCEL || sig == SYS_SIGSETXID;
    return sys_host_owned(sig) && !(internal && sys_internal_forwarded);
}

/* A directly posted signal whose target is no guest thread (any more): a
 * thread past its guest exit that the kernel still runs, or none.  The
 * host signal would reach ferry itself (SIGTRAP's host default kills the
 * process), so it is dropped, as Linux drops a tgkill to an exiting
 * thread; SIGKILL and SIGSTOP still go to the host. */
static int64_t sys_signal_lost_thread(pid_t tid, int sig)
{
    int sent = sig == SIGKILL || sig == SIGSTOP ? sig : 0;     /* 0: whether it exists */
    return sys_ret(syscall(SYS_tgkill, getpid(), tid, sent));
}

static int64_t sys_signal_thread(pid_t tid, int sig)
{
    if (sig < 0 || sig > SYS_NSIG)
        return -EINVAL;
    if (sig == 0 || !sys_posted_directly(sig))
        return sys_ret(syscall(SYS_tgkill, getpid(), tid, sig));
    if (!sys_thread_post_signal(tid, sig, sys_post_tkill))
        return sys_signal_lost_thread(tid, sig);
    return 0;
}

/* A new thread: the creator's mask, nothing pending, no altstack. */
void sys_signal_thread_start(uint64_t blocked)
{
    sys_tsig.blocked = blocked;
    sys_tsig.host_blocked = ~blocked;
    sys_signal_sync_mask();
}

/* While the guest handles a fault signal with an SA_SIGINFO handler (the
 * only kind given the context by its API), the handler may look at the
 * flags at any fault: its blocks keep them exact there (x86_fault_flags.c).
 * A plain handler (gcc's cc1 reports crashes with one) costs nothing: the
 * mode would cost its code 13-20 % and the translation cache.  Each thread
 * follows the process-wide dispositions at its next stop. */
void sys_signal_precise_sync(struct x86_cpu *cpu)
{
    static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE };
    bool handled = false;
    for (size_t k = 0; k < sizeof faults / sizeof faults[0]; k++)
        handled = handled || (sys_action(faults[k])->handler > SYS_SIG_IGN &&
                              (sys_action(faults[k])->flags & SYS_SA_SIGINFO));
    x86_precise_faults(cpu, handled);
}

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
    pthread_mutex_lock(&sys_action_lock);
    struct x86_64_sigaction old = *sys_action(sig);
    if (a[1]) {
        *sys_action(sig) = act;
        sys_mirror_disposition(sig);
    }
    pthread_mutex_unlock(&sys_action_lock);
    if (a[1])
        sys_signal_precise_sync(cpu);
    if (a[2] && sys_copy_out(a[2], &old, sizeof old))
        return -EFAULT;
    return 0;
}

SYS_HANDLER(sys_rt_sigprocmask)
{
    uint64_t set = 0, old = sys_tsig.blocked;
    if (a[3] != 8)
        return -EINVAL;
    if (a[1] && sys_copy_in(&set, a[1], sizeof set))
        return -EFAULT;
    if (a[1]) {
        switch (a[0]) {
        case 0: sys_tsig.blocked |= set; break;      /* SIG_BLOCK */
        case 1: sys_tsig.blocked &= ~set; break;     /* SIG_UNBLOCK */
        case 2: sys_tsig.blocked = set; break;       /* SIG_SETMASK */
        default: return -EINVAL;
        }
        sys_tsig.blocked &= ~SYS_UNBLOCKABLE;
        sys_signal_sync_mask();
    }
    return a[2] ? sys_copy_out(a[2], &old, sizeof old) : 0;
}

SYS_HANDLER(sys_rt_sigpending)
{
    sigset_t host;
    uint64_t pending = sys_pending() & sys_tsig.blocked;
    if (sigpending(&host) == 0)                     /* blocked on the host, not yet ours */
        for (int sig = 1; sig <= SYS_NSIG; sig++)
            if (sigismember(&host, sig) == 1)
                pending |= SYS_SIGBIT(sig) & sys_tsig.blocked;
    return a[1] > 8 ? -EINVAL : sys_copy_out(a[0], &pending, a[1] ? a[1] : 8);
}

/* Restores what the frame saved, rax included: the dispatcher must not
 * overwrite rax/rcx/r11 afterwards (sys_regs_restored). */
SYS_HANDLER(sys_rt_sigreturn)
{
    sys_regs_restored = true;
    int r = sys_sigframe_pop(cpu);
    if (r == SYS_SIGFRAME_BAD_SS) {
        /* the iret back to user mode is #GP(cs or ss): SIGSEGV at the
         * restored state */
        sys_signal_sync_mask();
        cpu->rt.fault.trapno = 13;
        sys_signal_force(cpu, SIGSEGV);
        cpu->rt.fault.trapno = cpu->rt.fault.err = 0;
        sys_tsig.frame_cs = 0;
        return (int64_t)cpu->regs[X86_RAX];
    }
    if (r != 0) {
        /* Linux's badframe: what was restored stays, the call returns 0
         * and SIGSEGV is forced (a handler runs; corrupt_xstate_header) */
        cpu->regs[X86_RAX] = 0;
        sys_signal_sync_mask();
        sys_signal_force(cpu, SIGSEGV);
        return 0;
    }
    sys_signal_sync_mask();
    return (int64_t)cpu->regs[X86_RAX];
}

/* Per thread.  ss_flags reads SS_ONSTACK while the thread runs on it (and
 * then it cannot be changed), as Linux reports. */
SYS_HANDLER(sys_sigaltstack)
{
    struct x86_64_stack ss, old = sys_tsig.altstack;
    uint64_t sp = cpu->regs[X86_RSP];
    bool on = !(old.ss_flags & SYS_SS_DISABLE) && sp > old.ss_sp && sp <= old.ss_sp + old.ss_size;
    if (on)
        old.ss_flags = SYS_SS_ONSTACK;
    if (a[0] && sys_copy_in(&ss, a[0], sizeof ss))
        return -EFAULT;
    if (a[0] && on)
        return -EPERM;
    if (a[0])
        sys_tsig.altstack = ss;
    return a[1] ? sys_copy_out(a[1], &old, sizeof old) : 0;
}

/* With several threads, a forwarded signal to the own process goes
 * through the host kernel, which picks a thread that does not block it
 * (the host masks mirror the guest's). */
SYS_HANDLER(sys_kill)
{
    int sig = (int)a[1];
    bool threaded = sys_thread_count() > 1 && sig > 0 && sig <= SYS_NSIG && !sys_host_owned(sig);
    if ((pid_t)a[0] == getpid() && !threaded)
        return sys_signal_self(sig, SYS_SI_USER);
    return sys_ret(kill((pid_t)a[0], (int)a[1]));
}

SYS_HANDLER(sys_tgkill)
{
    if ((pid_t)a[0] == getpid() && (pid_t)a[1] == gettid())
        return sys_signal_self((int)a[2], SYS_SI_TKILL);
    if ((pid_t)a[0] == getpid())
        return sys_signal_thread((pid_t)a[1], (int)a[2]);
    return sys_ret(syscall(SYS_tgkill, (pid_t)a[0], (pid_t)a[1], (int)a[2]));
}

SYS_HANDLER(sys_tkill)
{
    if ((pid_t)a[0] == gettid())
        return sys_signal_self((int)a[1], SYS_SI_TKILL);
    return sys_signal_thread((pid_t)a[0], (int)a[1]);
}

/* sigqueue & co.: the siginfo (same layout on both hosts) goes to the host
 * kernel, which checks si_code as for the guest and hands it to ferry's
 * host handler when the target is ferry itself.  The signals ferry does
 * not forward are posted here, with the guest's siginfo. */
static int64_t sys_queue_self(pid_t tid, int sig, uint64_t uinfo)
{
    struct x86_64_siginfo info;
    if (sys_copy_in(&info, uinfo, sizeof info))
        return -EFAULT;
    info.si_signo = sig;
    if (tid == gettid()) {
        sys_tsig.info[sig] = info;
        sys_set_pending(&sys_tsig, sig);
        return 0;
    }
    pthread_mutex_lock(&sys_queue_lock);
    sys_thread_queue_info = info;
    bool posted = sys_thread_post_signal(tid, sig, sys_post_queued);
    pthread_mutex_unlock(&sys_queue_lock);
    return posted ? 0 : -ESRCH;
}

SYS_HANDLER(sys_rt_sigqueueinfo)
{
    int sig = (int)a[1];
    if (sig < 1 || sig > SYS_NSIG)
        return -EINVAL;
    if ((pid_t)a[0] == getpid() && sys_host_owned(sig))
        return sys_queue_self(gettid(), sig, a[2]);
    return sys_ret(syscall(SYS_rt_sigqueueinfo, (pid_t)a[0], sig, sys_ptr(a[2])));
}

SYS_HANDLER(sys_rt_tgsigqueueinfo)
{
    int sig = (int)a[2];
    if (sig < 1 || sig > SYS_NSIG)
        return -EINVAL;
    if ((pid_t)a[0] == getpid() && sys_host_owned(sig))
        return sys_queue_self((pid_t)a[1], sig, a[3]);
    return sys_ret(syscall(SYS_rt_tgsigqueueinfo, (pid_t)a[0], (pid_t)a[1], sig, sys_ptr(a[3])));
}

SYS_HANDLER(sys_pause)
{
    sys_wait_for_signal();
    return -EINTR;
}

/* The handler's frame saves the mask from before the call. */
SYS_HANDLER(sys_rt_sigsuspend)
{
    uint64_t mask;
    if (a[1] != 8)
        return -EINVAL;
    if (sys_copy_in(&mask, a[0], sizeof mask))
        return -EFAULT;
    sys_tsig.saved_mask = sys_tsig.blocked;
    sys_tsig.saved_mask_valid = true;
    sys_tsig.blocked = mask & ~SYS_UNBLOCKABLE;
    sys_signal_sync_mask();
    sys_wait_for_signal();
    return -EINTR;
}
SYS_HANDLER(sys_alarm) { return alarm((unsigned)a[0]); }

/* Takes a signal of `set` that ferry already holds pending, or 0. */
static int sys_take_pending(uint64_t set, struct x86_64_siginfo *info)
{
    uint64_t ready = sys_pending() & set;
    if (!ready)
        return 0;
    int sig = __builtin_ctzll(ready) + 1;
    __atomic_and_fetch(&sys_tsig.pending, ~SYS_SIGBIT(sig), __ATOMIC_SEQ_CST);
    *info = sys_tsig.info[sig];
    return sig;
}

/* The forwarded signals of `set` as a host set (blocked, the kernel keeps
 * them pending for the host's sigtimedwait or a signalfd). */
void sys_signal_host_set(uint64_t set, sigset_t *out)
{
    sigemptyset(out);
    for (int sig = 1; sig <= SYS_NSIG; sig++)
        if ((set & SYS_SIGBIT(sig)) && !sys_host_owned(sig))
            sigaddset(out, sig);
}

/* sigwait/sigtimedwait: a signal ferry holds pending, else the host's
 * sigtimedwait on the forwarded ones.  siginfo_t has the same layout on
 * x86-64 and arm64.  Interrupted by a signal outside the set: EINTR (its
 * handler runs after the syscall), as on Linux. */
SYS_HANDLER(sys_rt_sigtimedwait)
{
    uint64_t set;
    struct { int64_t sec, nsec; } gts;
    struct timespec ts, *tsp = NULL;
    struct x86_64_siginfo info;
    siginfo_t hinfo;
    sigset_t host;
    if (a[3] != 8)
        return -EINVAL;
    if (sys_copy_in(&set, a[0], sizeof set) || (a[2] && sys_copy_in(&gts, a[2], sizeof gts)))
        return -EFAULT;
    if (a[2]) {
        ts = (struct timespec){ .tv_sec = (time_t)gts.sec, .tv_nsec = (long)gts.nsec };
        tsp = &ts;
    }
    set &= ~SYS_UNBLOCKABLE;
    int sig = sys_take_pending(set, &info);
    if (!sig) {
        sys_signal_host_set(set, &host);
        long r = sys_block(SYS_rt_sigtimedwait, &host, &hinfo, tsp, 8);
        if (r == -EINTR)
            r = sys_take_pending(set, &info);       /* maybe one of ours after all */
        else if (r > 0)
            memcpy(&info, &hinfo, sizeof info < sizeof hinfo ? sizeof info : sizeof hinfo);
        if (r <= 0)
            return r < 0 ? r : -EINTR;
        sig = (int)r;
    }
    if (a[1] && sys_copy_out(a[1], &info, sizeof info))
        return -EFAULT;
    return sig;
}
