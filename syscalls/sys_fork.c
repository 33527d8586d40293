/* sys_fork.c -- fork, vfork, fork-like clone, and waiting.  Every new
 * process is a host fork() of ferry: the child inherits a private copy of
 * the guest and of ferry's own state, so vfork is a fork too.  Threads
 * (CLONE_VM without CLONE_VFORK) go to sys_thread.c. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
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
/* What a thread clone must share (a host thread shares all of it), and
 * what it may carry besides (glibc's pthread_create flags). */
#define SYS_CLONE_THREAD_NEED (SYS_CLONE_VM | SYS_CLONE_FS | SYS_CLONE_FILES | \
                               SYS_CLONE_SIGHAND | SYS_CLONE_THREAD)
#define SYS_CLONE_THREAD_OK (SYS_CLONE_THREAD_NEED | SYS_CLONE_SYSVSEM | SYS_CLONE_SETTLS | \
                             SYS_CLONE_PARENT_SETTID | SYS_CLONE_CHILD_CLEARTID | \
                             SYS_CLONE_CHILD_SETTID | SYS_CLONE_DETACHED)
/* Flags a fork-like clone may carry (glibc's fork passes the tid ones). */
#define SYS_CLONE_FORK_OK (0xff | SYS_CLONE_VM | SYS_CLONE_VFORK | SYS_CLONE_PARENT_SETTID | \
                           SYS_CLONE_CHILD_CLEARTID | SYS_CLONE_CHILD_SETTID | SYS_CLONE_SETTLS)

static int64_t sys_do_fork(void)
{
    fflush(stdout);
    fflush(ferry_log);
    sys_thread_fork_prepare();
    pid_t pid = fork();
    if (pid == 0) {
        sys_thread_fork_child();
    } else {
        sys_thread_fork_parent();
    }
    return sys_ret(pid);
}

SYS_HANDLER(sys_fork) { return sys_do_fork(); }
SYS_HANDLER(sys_vfork) { return sys_do_fork(); }

/* x86-64 argument order: clone(flags, stack, parent_tid, child_tid, tls). */
SYS_HANDLER(sys_clone)
{
    uint64_t flags = a[0];
    if ((flags & SYS_CLONE_VM) && !(flags & SYS_CLONE_VFORK)) {
        if ((flags & SYS_CLONE_THREAD_NEED) != SYS_CLONE_THREAD_NEED ||
            (flags & ~(uint64_t)SYS_CLONE_THREAD_OK))
            return -ENOSYS;     /* a VM shared with a separate process: not supported */
        return sys_clone_thread(cpu, a);
    }
    if ((flags & ~(uint64_t)SYS_CLONE_FORK_OK) || (flags & SYS_CLONE_VM && !(flags & SYS_CLONE_VFORK)))
        return -ENOSYS;
    if ((flags & 0xff) != SIGCHLD)
        return -ENOSYS;
    int64_t pid = sys_do_fork();
    if (pid < 0)
        return pid;
    if (pid > 0 && flags & SYS_CLONE_PARENT_SETTID)
        sys_copy_out(a[2], &(int32_t){ (int32_t)pid }, 4);
    if (pid == 0 && flags & SYS_CLONE_CHILD_SETTID)
        sys_copy_out(a[3], &(int32_t){ (int32_t)gettid() }, 4);
    if (pid == 0 && a[1])
        cpu->regs[X86_RSP] = a[1];
    if (pid == 0 && flags & SYS_CLONE_SETTLS)
        cpu->fs_base = a[4];
    return pid;
}

/* Status words, options and struct rusage are the same on all hosts. */
SYS_HANDLER(sys_wait4)
{
    return sys_ret(wait4((pid_t)a[0], sys_ptr(a[1]), (int)a[2], sys_ptr(a[3])));
}

SYS_HANDLER(sys_waitid)
{
    return sys_ret(syscall(SYS_waitid, (int)a[0], (int)a[1], sys_ptr(a[2]), (int)a[3],
                           sys_ptr(a[4])));
}
