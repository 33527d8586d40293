/* sys_cred.c -- credentials beyond the uid/gid calls of sys_process.c:
 * supplementary groups, fs ids and capabilities.  Every call is the raw
 * syscall, never glibc's wrapper: glibc would broadcast the change to all
 * of ferry's threads (setxid), while the guest's own glibc already runs
 * the call once in each guest thread, which is a host thread.
 * gid_t is 32 bits on x86-64 and arm64; the capability header and data
 * (linux/capability.h) are the same on both. */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_handlers.h"

/* struct __user_cap_header_struct and __user_cap_data_struct, x86-64. */
struct x86_64_cap_header { uint32_t version; int32_t pid; };
struct x86_64_cap_data { uint32_t effective, permitted, inheritable; };
_Static_assert(sizeof(struct x86_64_cap_header) == sizeof(struct __user_cap_header_struct),
               "the host's capability header is the guest's");
_Static_assert(sizeof(struct x86_64_cap_data) == sizeof(struct __user_cap_data_struct),
               "the host's capability data is the guest's");

SYS_HANDLER(sys_setgroups)
{
    return sys_ret(syscall(SYS_setgroups, (int)a[0], sys_ptr(a[1])));
}

/* setfsuid/setfsgid return the previous id, never an error. */
SYS_HANDLER(sys_setfsuid) { return syscall(SYS_setfsuid, (uid_t)a[0]); }
SYS_HANDLER(sys_setfsgid) { return syscall(SYS_setfsgid, (gid_t)a[0]); }

/* The layouts are the host's too: the kernel reads the guest's structs
 * (and writes back the version it supports) in place. */
SYS_HANDLER(sys_capget)
{
    return sys_ret(syscall(SYS_capget, sys_ptr(a[0]), sys_ptr(a[1])));
}

SYS_HANDLER(sys_capset)
{
    return sys_ret(syscall(SYS_capset, sys_ptr(a[0]), sys_ptr(a[1])));
}
