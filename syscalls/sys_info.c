/* sys_info.c -- system information, limits and scheduling: uname (which
 * must say x86_64), sysinfo, getrandom, rlimits, affinity.  Resource
 * numbers and struct rlimit/sysinfo are the same on x86-64 and arm64. */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"

/* new_utsname: six 65-byte strings on every architecture. */
SYS_HANDLER(sys_uname)
{
    struct utsname u;
    _Static_assert(sizeof u == 6 * 65, "struct utsname is the kernel's new_utsname");
    if (uname(&u) != 0)
        return -errno;
    memset(u.machine, 0, sizeof u.machine);
    strcpy(u.machine, "x86_64");
    return sys_copy_out(a[0], &u, sizeof u);
}

SYS_HANDLER(sys_sysinfo) { return sys_ret(syscall(SYS_sysinfo, sys_ptr(a[0]))); }

SYS_HANDLER(sys_getrandom)
{
    return sys_block(SYS_getrandom, sys_ptr(a[0]), a[1], (unsigned)a[2]); /* waits for the pool */
}

/* prlimit64(pid, resource, new, old); the process's own RLIMIT_NOFILE
 * goes through sys_ferry_fd.c, which keeps ferry's descriptors above the
 * guest's soft limit and may keep the real hard limit a few numbers over
 * the guest's (reported as the guest set it); its RLIMIT_AS and
 * RLIMIT_DATA are the guest's own values (sys_rlimit_mem.c). */
static int64_t sys_prlimit_mem(int resource, uint64_t new_g, uint64_t old_g)
{
    struct rlimit64 want, was;
    int64_t r = sys_rlimit_mem_get(resource, &was);
    if (r == 0 && new_g && (r = sys_copy_in(&want, new_g, sizeof want)) == 0)
        r = sys_rlimit_mem_set(resource, &want);
    if (r != 0)
        return r;
    return old_g ? sys_copy_out(old_g, &was, sizeof was) : 0;
}

static int64_t sys_prlimit(pid_t pid, int resource, uint64_t new_g, uint64_t old_g)
{
    struct rlimit64 want, was;
    bool own = pid == 0 || pid == getpid();
    if (own && sys_rlimit_mem_is(resource))
        return sys_prlimit_mem(resource, new_g, old_g);
    if (!own || resource != RLIMIT_NOFILE)
        return sys_ret(syscall(SYS_prlimit64, pid, resource, sys_ptr(new_g), sys_ptr(old_g)));
    if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &was) != 0)
        return -errno;
    was.rlim_max = sys_ferry_fd_nofile_hard(was.rlim_max);
    if (new_g) {
        int64_t r = sys_copy_in(&want, new_g, sizeof want);
        if (r == 0)
            r = sys_ferry_fd_set_nofile(want.rlim_cur, want.rlim_max);
        if (r != 0)
            return r;
    }
    return old_g ? sys_copy_out(old_g, &was, sizeof was) : 0;
}

SYS_HANDLER(sys_prlimit64)
{
    return sys_prlimit((pid_t)a[0], (int)a[1], a[2], a[3]);
}

SYS_HANDLER(sys_getrlimit)
{
    return sys_prlimit(0, (int)a[0], 0, a[1]);
}

SYS_HANDLER(sys_setrlimit)
{
    return sys_prlimit(0, (int)a[0], a[1], 0);
}

SYS_HANDLER(sys_sched_getaffinity)
{
    return sys_ret(syscall(SYS_sched_getaffinity, (pid_t)a[0], a[1], sys_ptr(a[2])));
}

SYS_HANDLER(sys_sched_yield) { return sys_ret(sched_yield()); }

SYS_HANDLER(sys_getcpu)
{
    return sys_ret(syscall(SYS_getcpu, sys_ptr(a[0]), sys_ptr(a[1]), NULL));
}

/* The raw syscall returns 20 - nice, not the nice value. */
SYS_HANDLER(sys_getpriority)
{
    return sys_ret(syscall(SYS_getpriority, (int)a[0], (id_t)a[1]));
}

SYS_HANDLER(sys_setpriority)
{
    return sys_ret(syscall(SYS_setpriority, (int)a[0], (id_t)a[1], (int)a[2]));
}

SYS_HANDLER(sys_sched_setaffinity)
{
    return sys_ret(syscall(SYS_sched_setaffinity, (pid_t)a[0], a[1], sys_ptr(a[2])));
}
