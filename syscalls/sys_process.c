/* sys_process.c -- process identity, exit and per-thread state
 * (arch_prctl is with the x86-specific calls: sys_x86.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "options.h"
#include "sys_handlers.h"

/* exit ends the calling thread (the process with its last thread). */
SYS_HANDLER(sys_exit) { sys_thread_exit(cpu, (int)(a[0] & 0xff)); }
/* exit_group in a CLONE_VM child (sys_vm_child.c) ends that child alone. */
SYS_HANDLER(sys_exit_group)
{
    if (sys_thread_in_vm_child())
        sys_thread_exit(cpu, (int)(a[0] & 0xff));
    sys_exit_process((int)(a[0] & 0xff));
}

SYS_HANDLER(sys_getpid) { return sys_thread_tgid(); }

/* A CLONE_VM child's parent is the process that created it. */
SYS_HANDLER(sys_getppid)
{
    pid_t parent = sys_thread_in_vm_child() ? sys_vm_child_parent(sys_thread_tgid()) : 0;
    return parent ? parent : getppid();
}
SYS_HANDLER(sys_gettid) { return gettid(); }

SYS_HANDLER(sys_set_tid_address)
{
    sys_thread_set_clear_tid(a[0]);
    return gettid();
}

/* The options glibc, util-linux (setpriv), systemd tools and runtimes use:
 * they act on the calling thread or process, which is the guest's too, and
 * take integers or pointers to ints/strings with the same layout on every
 * host.  Refused (EINVAL, as for an unknown option): PR_SET_SECCOMP (a
 * filter would judge ferry's host syscalls by x86-64 numbers), PR_SET_MM,
 * the x86/arm64-specific ones (TSC, FP modes, pointer auth, SVE). */
static bool sys_prctl_passes(uint64_t option)
{
    switch (option) {
    case PR_SET_PDEATHSIG: case PR_GET_PDEATHSIG: case PR_SET_NAME: case PR_GET_NAME:
    case PR_GET_DUMPABLE: case PR_SET_DUMPABLE: case PR_SET_NO_NEW_PRIVS:
    case PR_GET_NO_NEW_PRIVS: case PR_GET_KEEPCAPS: case PR_SET_KEEPCAPS:
    case PR_GET_SECUREBITS: case PR_SET_SECUREBITS: case PR_CAPBSET_READ:
    case PR_CAPBSET_DROP: case PR_CAP_AMBIENT: case PR_SET_CHILD_SUBREAPER:
    case PR_GET_CHILD_SUBREAPER: case PR_GET_TIMERSLACK: case PR_SET_TIMERSLACK:
    case PR_SET_VMA: case PR_GET_THP_DISABLE: case PR_SET_THP_DISABLE:
    case PR_GET_SECCOMP: case PR_SET_PTRACER: case PR_MCE_KILL: case PR_MCE_KILL_GET:
    case PR_GET_TIMING: case PR_SET_TIMING:
        return true;
    default:
        return false;
    }
}

SYS_HANDLER(sys_prctl)
{
    /* A CLONE_VM child's "parent death" would be that of ferry's own
     * parent (the host sees a thread): not passed on, so a dying shell
     * does not SIGKILL the guest through LSan's tracer. */
    if (a[0] == PR_SET_PDEATHSIG && sys_thread_in_vm_child())
        return a[1] <= 64 ? 0 : -EINVAL;
    if (!sys_prctl_passes(a[0]))
        return -EINVAL;
    return sys_ret(prctl((int)a[0], a[1], a[2], a[3], a[4]));
}

SYS_HANDLER(sys_getuid) { return getuid(); }
SYS_HANDLER(sys_geteuid) { return geteuid(); }
SYS_HANDLER(sys_getgid) { return getgid(); }
SYS_HANDLER(sys_getegid) { return getegid(); }
SYS_HANDLER(sys_getgroups) { return sys_ret(getgroups((int)a[0], sys_ptr(a[1]))); }

SYS_HANDLER(sys_getresuid)
{
    return sys_ret(getresuid(sys_ptr(a[0]), sys_ptr(a[1]), sys_ptr(a[2])));
}

SYS_HANDLER(sys_getresgid)
{
    return sys_ret(getresgid(sys_ptr(a[0]), sys_ptr(a[1]), sys_ptr(a[2])));
}

SYS_HANDLER(sys_setuid) { return sys_ret(syscall(SYS_setuid, (uid_t)a[0])); }
SYS_HANDLER(sys_setgid) { return sys_ret(syscall(SYS_setgid, (gid_t)a[0])); }

/* glibc's posix_spawn (make, with POSIX_SPAWN_RESETIDS) calls these in the
 * child; -1 ("unchanged") survives the cast to uid_t. */
SYS_HANDLER(sys_setreuid) { return sys_ret(syscall(SYS_setreuid, (uid_t)a[0], (uid_t)a[1])); }
SYS_HANDLER(sys_setregid) { return sys_ret(syscall(SYS_setregid, (gid_t)a[0], (gid_t)a[1])); }

SYS_HANDLER(sys_setresuid)
{
    return sys_ret(syscall(SYS_setresuid, (uid_t)a[0], (uid_t)a[1], (uid_t)a[2]));
}

SYS_HANDLER(sys_setresgid)
{
    return sys_ret(syscall(SYS_setresgid, (gid_t)a[0], (gid_t)a[1], (gid_t)a[2]));
}
SYS_HANDLER(sys_getpgrp) { return getpgrp(); }
SYS_HANDLER(sys_getpgid) { return sys_ret(getpgid((pid_t)a[0])); }
SYS_HANDLER(sys_setpgid) { return sys_ret(setpgid((pid_t)a[0], (pid_t)a[1])); }
SYS_HANDLER(sys_setsid) { return sys_ret(setsid()); }
SYS_HANDLER(sys_getsid) { return sys_ret(getsid((pid_t)a[0])); }

/* personality: PER_* and the flag bits (ADDR_NO_RANDOMIZE for gdb and
 * setarch -R) are the same on every host; they apply to ferry's process
 * and, through execve, to the next ferry. */
SYS_HANDLER(sys_personality) { return sys_ret(syscall(SYS_personality, (unsigned long)a[0])); }

/* pidfds (signals to another process through one: siginfo has the same
 * layout on every host). */
SYS_HANDLER(sys_pidfd_open) { return sys_ret(syscall(SYS_pidfd_open, (pid_t)a[0], (unsigned)a[1])); }
SYS_HANDLER(sys_pidfd_getfd)
{
    return sys_ret(syscall(SYS_pidfd_getfd, (int)a[0], (int)a[1], (unsigned)a[2]));
}
SYS_HANDLER(sys_pidfd_send_signal)
{
    return sys_ret(syscall(SYS_pidfd_send_signal, (int)a[0], (int)a[1], sys_ptr(a[2]), (unsigned)a[3]));
}

SYS_HANDLER(sys_kcmp)
{
    return sys_ret(syscall(SYS_kcmp, (pid_t)a[0], (pid_t)a[1], (int)a[2], a[3], a[4]));
}

/* Another process's memory (or this one's): guest addresses are host
 * addresses on both sides, another ferry guest's too, and struct iovec is
 * the same on every 64-bit Linux (valgrind's
 * none/tests/process_vm_readv_writev).  The local iovecs are checked as
 * readv's (sys_guest_args.c); remote ones in this very process are cut at
 * the first element the guest does not have entirely (Linux transfers
 * whole elements up to a fault), so ferry's own memory is never read or
 * written: none left is EFAULT, as natively.  Another process's remote
 * addresses are its kernel's to check. */
static int64_t sys_process_vm(long nr, const uint64_t *a, int remote_write)
{
    uint64_t rcnt = a[4];
    if ((pid_t)a[0] == getpid() && a[3] >= 4096 && rcnt && rcnt <= 1024) {
        if (!sys_guest_access_ok(a[3], rcnt * 16, 0))
            return -EFAULT;
        const uint64_t *r = sys_ptr(a[3]);
        for (rcnt = 0; rcnt < a[4]; rcnt++)
            if (r[2 * rcnt + 1] && !sys_guest_access_ok(r[2 * rcnt], r[2 * rcnt + 1], remote_write))
                break;
        if (!rcnt)
            return -EFAULT;
    }
    return sys_ret(syscall(nr, (pid_t)a[0], sys_ptr(a[1]), a[2], sys_ptr(a[3]), rcnt, a[5]));
}
SYS_HANDLER(sys_process_vm_readv) { return sys_process_vm(SYS_process_vm_readv, a, 0); }
SYS_HANDLER(sys_process_vm_writev) { return sys_process_vm(SYS_process_vm_writev, a, 1); }

/* membarrier: barriers on every thread of the process, which are host
 * threads running translated code (MEMBARRIER_CMD_* are generic). */
SYS_HANDLER(sys_membarrier)
{
    return sys_ret(syscall(SYS_membarrier, (int)a[0], (unsigned)a[1], (int)a[2]));
}
