/* sys_fork.c -- fork, vfork, fork-like clone (and clone3), and waiting.  Every new
 * process is a host fork() of ferry: the child inherits a private copy of
 * the guest and of ferry's own state, so vfork is a fork too.  Threads
 * (CLONE_VM without CLONE_VFORK) go to sys_thread.c. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "sys_block.h"
#include "sys_handlers.h"

#define SYS_CLONE_VM             0x00000100
#define SYS_CLONE_VFORK          0x00004000
#define SYS_CLONE_PARENT_SETTID  0x00100000
#define SYS_CLONE_CHILD_CLEARTID 0x00200000
#define SYS_CLONE_CHILD_SETTID   0x01000000
#define SYS_CLONE_SETTLS         0x00080000
#define SYS_CLONE_FS             0x00000200
#define SYS_CLONE_FILES          0x00000400
#define SYS_CLONE_SIGHAND        0x00000800
#define SYS_CLONE_THREAD         0x00010000
#define SYS_CLONE_SYSVSEM        0x00040000
#define SYS_CLONE_DETACHED       0x00400000
#define SYS_CLONE_PIDFD          0x00001000
#define SYS_NSIG_MAX 64
/* What a thread clone must share (a host thread shares all of it), and
 * what it may carry besides (glibc's pthread_create flags). */
#define SYS_CLONE_THREAD_NEED (SYS_CLONE_VM | SYS_CLONE_FS | SYS_CLONE_FILES | \
                               SYS_CLONE_SIGHAND | SYS_CLONE_THREAD)
#define SYS_CLONE_THREAD_OK (SYS_CLONE_THREAD_NEED | SYS_CLONE_SYSVSEM | SYS_CLONE_SETTLS | \
                             SYS_CLONE_PARENT_SETTID | SYS_CLONE_CHILD_CLEARTID | \
                             SYS_CLONE_CHILD_SETTID | SYS_CLONE_DETACHED)
/* Flags a fork-like clone may carry (glibc's fork passes the tid ones). */
/* A CLONE_VM child that is not a thread (LeakSanitizer's tracer:
 * sys_vm_child.c): files and fs shared as ferry can only share them. */
#define SYS_CLONE_UNTRACED       0x00800000
#define SYS_CLONE_VM_CHILD_NEED (SYS_CLONE_VM | SYS_CLONE_FS | SYS_CLONE_FILES)
#define SYS_CLONE_VM_CHILD_OK (0xff | SYS_CLONE_VM_CHILD_NEED | SYS_CLONE_UNTRACED | \
                               SYS_CLONE_SYSVSEM | SYS_CLONE_SETTLS | SYS_CLONE_PARENT_SETTID | \
                               SYS_CLONE_CHILD_CLEARTID | SYS_CLONE_CHILD_SETTID)

#define SYS_CLONE_FORK_OK (0xff | SYS_CLONE_VM | SYS_CLONE_VFORK | SYS_CLONE_PARENT_SETTID | \
                           SYS_CLONE_CHILD_CLEARTID | SYS_CLONE_CHILD_SETTID | SYS_CLONE_SETTLS)

/* ferry's locks a fork must not leave held by a thread the child does
 * not have, taken outermost first -- the order any thread nests them in
 * (signal dispositions, then the guest's mappings, then the engine and
 * its thread list), so a fork cannot wait for one while its holder waits
 * for one the fork holds.  (mem_host's lock, innermost, is pthread_atfork's.) */
static void sys_fork_prepare(void)
{
    sys_signal_fork_prepare();
    sys_mm_fork_prepare();
    sys_thread_fork_prepare();
}

static void sys_fork_parent(void)
{
    sys_thread_fork_parent();
    sys_mm_fork_parent();
    sys_signal_fork_parent();
}

static void sys_fork_child(void)
{
    sys_thread_fork_child();
    sys_mm_fork_child();
    sys_signal_fork_child();
    sys_vdso_fork_child();
}

/* vfork: the parent sleeps until the child execs or ends, and sees what
 * the child wrote to its stack (sys_vfork.c). */
static int64_t sys_do_fork(const struct x86_cpu *cpu, bool vfork)
{
    int vpipe[2];
    sys_exec_room(true);        /* the code cache's copy (and vfork's pipe) need numbers */
    bool vf = vfork && sys_vfork_prepare(vpipe) == 0;
    fflush(stdout);
    fflush(ferry_log);
    sys_fork_prepare();
    pid_t pid = fork();
    if (pid == 0) {
        sys_fork_child();
        sys_exec_room(false);
        sys_vfork_forget();
        if (vf)
            sys_vfork_child(vpipe, cpu->regs[X86_RSP]);
    } else {
        sys_fork_parent();
        sys_exec_room(false);
        if (vf && pid > 0)
            sys_vfork_wait(vpipe);
        else if (vf)
            close(vpipe[0]), close(vpipe[1]);
    }
    return sys_ret(pid);
}

SYS_HANDLER(sys_fork) { return sys_do_fork(cpu, false); }
SYS_HANDLER(sys_vfork) { return sys_do_fork(cpu, true); }

/* x86-64 argument order: clone(flags, stack, parent_tid, child_tid, tls). */
SYS_HANDLER(sys_clone)
{
    uint64_t flags = a[0];
    if ((flags & SYS_CLONE_VM) && !(flags & SYS_CLONE_VFORK)) {
        if ((flags & SYS_CLONE_VM_CHILD_NEED) == SYS_CLONE_VM_CHILD_NEED &&
            !(flags & ~(uint64_t)SYS_CLONE_VM_CHILD_OK))
            return sys_clone_thread(cpu, a, true);
        if ((flags & SYS_CLONE_THREAD_NEED) != SYS_CLONE_THREAD_NEED ||
            (flags & ~(uint64_t)SYS_CLONE_THREAD_OK))
            return -ENOSYS;     /* other ways of sharing a VM: not supported */
        return sys_clone_thread(cpu, a, false);
    }
    if ((flags & ~(uint64_t)SYS_CLONE_FORK_OK) || (flags & SYS_CLONE_VM && !(flags & SYS_CLONE_VFORK)))
        return -ENOSYS;
    if ((flags & 0xff) != SIGCHLD)
        return -ENOSYS;
    int64_t pid = sys_do_fork(cpu, flags & SYS_CLONE_VFORK);
    if (pid < 0)
        return pid;
    if (pid > 0 && flags & SYS_CLONE_PARENT_SETTID)
        sys_copy_out(a[2], &(int32_t){ (int32_t)pid }, 4);
    if (pid == 0 && flags & SYS_CLONE_CHILD_SETTID)
        sys_copy_out(a[3], &(int32_t){ (int32_t)gettid() }, 4);
    if (pid == 0 && a[1])
        cpu->regs[X86_RSP] = a[1];
    if (pid == 0 && flags & SYS_CLONE_SETTLS)
        cpu->fs_base = a[4], cpu->sel[4] = 0;       /* as arch_prctl(ARCH_SET_FS) */
    return pid;
}

/* clone3's struct clone_args (the kernel's, VER2: 88 bytes). */
struct x86_64_clone_args {
    uint64_t flags;
    uint64_t pidfd;             /* CLONE_PIDFD: where the pidfd goes */
    uint64_t child_tid, parent_tid;
    uint64_t exit_signal;
    uint64_t stack, stack_size; /* the lowest byte and the size */
    uint64_t tls;
    uint64_t set_tid, set_tid_size;
    uint64_t cgroup;
};
_Static_assert(sizeof(struct x86_64_clone_args) == 88, "clone_args VER2");
#define SYS_CLONE_ARGS_SIZE_VER0 64
#define SYS_CLONE_ARGS_MAX 4096
#define SYS_CLONE_PARENT 0x00008000

/* The kernel's size rule (copy_struct_from_user): a longer struct is
 * fine if its unknown tail is zero. */
static int64_t sys_clone3_copy(struct x86_64_clone_args *ca, uint64_t g, uint64_t size)
{
    uint8_t tail;
    memset(ca, 0, sizeof *ca);
    if (size > SYS_CLONE_ARGS_MAX)
        return -E2BIG;
    if (size < SYS_CLONE_ARGS_SIZE_VER0)
        return -EINVAL;
    if (sys_copy_in(ca, g, size < sizeof *ca ? size : sizeof *ca))
        return -EFAULT;
    for (uint64_t off = sizeof *ca; off < size; off++)
        if (sys_copy_in(&tail, g + off, 1) || tail)
            return sys_copy_in(&tail, g + off, 1) ? -EFAULT : -E2BIG;
    return 0;
}

/* What clone3 refuses before creating anything (clone3_args_valid). */
static int64_t sys_clone3_check(const struct x86_64_clone_args *ca)
{
    if (ca->exit_signal > SYS_NSIG_MAX || (ca->flags & (SYS_CLONE_THREAD | SYS_CLONE_PARENT) &&
                                           ca->exit_signal))
        return -EINVAL;
    if ((ca->stack == 0) != (ca->stack_size == 0) || ca->flags >> 32 ||
        (ca->set_tid == 0) != (ca->set_tid_size == 0) || ca->set_tid_size > 32)
        return -EINVAL;
    return 0;
}

/* clone3: clone's arguments from struct clone_args (the stack is given
 * by its lowest byte and size; the child starts at the top).  Set_tid,
 * cgroups and pidfds are not done (ENOSYS, after which glibc uses clone). */
SYS_HANDLER(sys_clone3)
{
    struct x86_64_clone_args ca;
    int64_t r = sys_clone3_copy(&ca, a[0], a[1]);
    if (r == 0)
        r = sys_clone3_check(&ca);
    if (r)
        return r;
    if (ca.set_tid || ca.cgroup || (ca.flags & SYS_CLONE_PIDFD))
        return -ENOSYS;
    const uint64_t args[6] = { ca.flags | ca.exit_signal, ca.stack ? ca.stack + ca.stack_size : 0,
                               ca.parent_tid, ca.child_tid, ca.tls, 0 };
    return sys_clone(cpu, args);
}

/* Status words, options and struct rusage are the same on all hosts. */
SYS_HANDLER(sys_wait4)
{
    pid_t pid = (pid_t)a[0];
    bool handled = false;
    int64_t r = pid > 0 ? sys_ptrace_wait(pid, sys_ptr(a[1]), (int)a[2], &handled) : 0;
    if (handled)
        return r;
    if (pid > 0 && sys_vm_child_parent(pid))
        return sys_vm_child_wait(sys_thread_tgid(), pid, sys_ptr(a[1]), (int)a[2]);
    return sys_block(SYS_wait4, (pid_t)a[0], sys_ptr(a[1]), (int)a[2], sys_ptr(a[3]));
}

SYS_HANDLER(sys_waitid)
{
    return sys_block(SYS_waitid, (int)a[0], (int)a[1], sys_ptr(a[2]), (int)a[3], sys_ptr(a[4]));
}
