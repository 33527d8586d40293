/* sys_sigframe.h -- guest signal state (x86-64 layouts) shared by the
 * signal syscalls and the frame builder. */
#ifndef FERRY_SYS_SIGFRAME_H
#define FERRY_SYS_SIGFRAME_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "x86_cpu.h"

#define SYS_NSIG 64
#define SYS_SA_SIGINFO   0x00000004u
#define SYS_SA_ONSTACK   0x08000000u
#define SYS_SA_RESTART   0x10000000u
#define SYS_SA_NODEFER   0x40000000u
#define SYS_SA_RESETHAND 0x80000000u
#define SYS_SS_ONSTACK 1
#define SYS_SS_DISABLE 2

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

/* The kernel's siginfo for the fields ferry fills in. */
struct x86_64_siginfo {
    int32_t si_signo, si_errno, si_code, pad;
    union {
        struct { int32_t pid; uint32_t uid; } kill;
        uint64_t addr;
        uint8_t raw[112];
    } u;
};

/* Process-wide: dispositions. */
struct sys_signals {
    struct x86_64_sigaction action[SYS_NSIG + 1];
};
extern struct sys_signals sys_sig;
/* The calling thread's dispositions: the process's, or a CLONE_VM child's
 * own copy (without CLONE_SIGHAND, as Linux copies them at clone:
 * LeakSanitizer's tracer sets SIGSEGV & co. for itself alone). */
extern __thread struct sys_signals *sys_sig_own;
static inline struct x86_64_sigaction *sys_action(int sig)
{
    return sys_sig_own ? &sys_sig_own->action[sig] : &sys_sig.action[sig];
}
/* Gives the calling thread its own copy of the current dispositions. */
void sys_signal_own_actions(const struct sys_signals *from);
const struct sys_signals *sys_signal_actions(void);

/* Per guest thread (each is a host thread): mask, pending signals,
 * alternate stack.  `pending` is also set by other threads and by host
 * signal handlers, so it is only accessed atomically. */
struct sys_thread_signals {
    struct x86_64_siginfo info[SYS_NSIG + 1];   /* of pending signals */
    uint64_t blocked, pending;
    uint64_t host_blocked;      /* what the host mask mirrors (sys_signal_sync_mask) */
    uint64_t saved_mask;        /* rt_sigsuspend: the mask the frame saves */
    bool saved_mask_valid;
    struct x86_64_stack altstack;
    volatile int wake;          /* a host signal came since the last delivery (sys_block.h) */
    volatile int ptrace_wake;   /* a tracer's stop request woke it (sys_ptrace.c) */
    uint16_t frame_cs;          /* nonzero: the cs the next frame shows (a bad one rt_sigreturn restored) */
};
extern __thread struct sys_thread_signals sys_tsig;

#define SYS_SIGBIT(sig) (1ull << ((sig) - 1))

/* The signals of a guest set that ferry forwards, as a host set (the
 * host mask and a signalfd's mask hold only those; sys_signal.c). */
void sys_signal_host_set(uint64_t set, sigset_t *out);

/* Pushes an rt_sigframe on the guest stack and points the CPU at the
 * handler; returns 0, or -1 when the stack is unusable. */
int sys_sigframe_push(struct x86_cpu *cpu, int sig, const struct x86_64_siginfo *info);
/* rt_sigreturn: restores the CPU from the frame at rsp; -1 if bad,
 * SYS_SIGFRAME_BAD_SS if all was restored but a cs or ss the return to
 * user mode cannot load (its #GP error code in rt.fault.err; a bad cs in
 * sys_tsig.frame_cs, for the SIGSEGV frame). */
#define SYS_SIGFRAME_BAD_SS 1
int sys_sigframe_pop(struct x86_cpu *cpu);
/* AT_MINSIGSTKSZ: Linux's max_frame_size for this machine's FP area (the
 * ia32 frame, the largest, with its fsave header and the alignments). */
uint32_t sys_sigframe_min_stack(void);

#endif
