/* sys_ns.c -- namespaces and mounts: unshare, setns, mount, umount2,
 * pivot_root, sethostname, setdomainname.  The flags (CLONE_NEW*, MS_*,
 * MNT_*) and the arguments are the same on every Linux host; paths are the
 * guest's.  ferry runs no threads of its own, so unshare(CLONE_NEWUSER)
 * works for a single-threaded guest as natively (`unshare -Ur`, build
 * sandboxes). */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_handlers.h"

SYS_HANDLER(sys_unshare) { return sys_ret(unshare((int)a[0])); }
SYS_HANDLER(sys_setns) { return sys_ret(setns((int)a[0], (int)a[1])); }
SYS_HANDLER(sys_umount2) { return sys_ret(umount2(sys_path(a[0]), (int)a[1])); }

SYS_HANDLER(sys_mount)
{
    return sys_ret(mount(a[0] ? sys_path(a[0]) : NULL, sys_path(a[1]), sys_ptr(a[2]), a[3], sys_ptr(a[4])));
}

SYS_HANDLER(sys_pivot_root) { return sys_ret(syscall(SYS_pivot_root, sys_path(a[0]), sys_path(a[1]))); }
SYS_HANDLER(sys_sethostname) { return sys_ret(sethostname(sys_ptr(a[0]), a[1])); }
SYS_HANDLER(sys_setdomainname) { return sys_ret(setdomainname(sys_ptr(a[0]), a[1])); }
