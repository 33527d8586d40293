/* sys_guest.c -- guest memory and guest path helpers for the handlers.
 *
 * Guest addresses are host addresses, so copies are plain memcpy, but a
 * bad guest pointer must give EFAULT as on Linux, not crash ferry -- and
 * ferry's own memory, which the guest does not have, must look unmapped.
 * The engine's map of the guest's mappings (tr_prot_at, the same answer
 * code fetch uses) says which pages the guest has and how: no system
 * call, no descriptor in the guest's fd space, and the same answer on
 * every host (process_vm_readv is absent under qemu-user and seccomp). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "loader.h"
#include "sys_internal.h"
#include "translator.h"

#define SYS_PAGE 4096ull

/* What Linux on x86 lets a syscall read (any accessible page: x86 has no
 * write-only or execute-only pages) or write. */
static bool sys_prot_ok(int prot, int write)
{
    if (prot < 0)
        return false;                   /* unmapped, or ferry's own memory */
    return write ? (prot & TR_PROT_WRITE) != 0 : (prot & (TR_PROT_READ | TR_PROT_WRITE | TR_PROT_EXEC)) != 0;
}

/* Without an engine (handlers run by unit tests on the test's own
 * memory) there is no map to ask: the kernel reads (and writes back) one
 * byte per page for us, without a descriptor; where process_vm_readv is
 * missing, nothing can be told and the pointer is trusted. */
static bool sys_probe_page(uint64_t page, int write)
{
    char byte;
    struct iovec local = { &byte, 1 }, remote = { sys_ptr(page), 1 };
    ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n != 1)
        return errno != EFAULT;
    return !write || process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == 1 || errno != EFAULT;
}

/* The guest's access at a (the end of its extent in *end): the main
 * stack grown there first where a is in its room and Linux would grow
 * it for the kernel's access (sys_stack_grow.c). */
static bool sys_extent_ok(uint64_t a, uint64_t *end, int write)
{
    if (sys_prot_ok(tr_map_extent(sys_engine, a, end), write))
        return true;
    return sys_stack_grow(a) && sys_prot_ok(tr_map_extent(sys_engine, a, end), write);
}

int sys_guest_access_ok(uint64_t g, size_t len, int write)
{
    if (g < 4096 || g + len < g)
        return 0;
    if (len == 0)
        return 1;
    if (!sys_engine) {
        for (uint64_t page = g & ~(SYS_PAGE - 1); page < g + len; page += SYS_PAGE)
            if (!sys_probe_page(page < g ? g : page, write))
                return 0;
        return 1;
    }
    for (uint64_t a = g, end; a < g + len; a = end)
        if (!sys_extent_ok(a, &end, write) || end <= a)
            return 0;
    return 1;
}

/* How many bytes from g on (at most len) the guest may read or write:
 * where its pages (or their permission) end, the stack grown as for
 * sys_guest_access_ok. */
uint64_t sys_guest_accessible(uint64_t g, uint64_t len, int write)
{
    if (!sys_engine)
        return sys_guest_access_ok(g, len, write) ? len : 0;
    uint64_t a = g, end;
    while (a - g < len && sys_extent_ok(a, &end, write) && end > a)
        a = end;
    return a - g < len ? a - g : len;
}

int64_t sys_copy_out(uint64_t g, const void *src, size_t len)
{
    if (!sys_guest_access_ok(g, len, 1))
        return -EFAULT;
    memcpy(sys_ptr(g), src, len);
    return 0;
}

int64_t sys_copy_in(void *dst, uint64_t g, size_t len)
{
    if (!sys_guest_access_ok(g, len, 0))
        return -EFAULT;
    memcpy(dst, sys_ptr(g), len);
    return 0;
}

/* Length of the guest string at g (at most max), or -1 if unreadable. */
long sys_guest_strnlen(uint64_t g, size_t max)
{
    const char *s = sys_ptr(g);
    for (size_t i = 0; i < max; i++) {
        if ((i == 0 || (g + i) % SYS_PAGE == 0) && !sys_guest_access_ok(g + i, 1, 0))
            return -1;
        if (!s[i])
            return (long)i;
    }
    return (long)max;
}

/* A NULL-terminated array of strings (argv, envp); NULL itself is ok. */
int sys_guest_vector_ok(uint64_t g)
{
    for (uint64_t p = g; g; p += 8) {
        if (!sys_guest_access_ok(p, 8, 0))
            return 0;
        uint64_t s = *(const uint64_t *)sys_ptr(p);
        if (!s)
            return 1;
        if (sys_guest_strnlen(s, 1u << 20) < 0)
            return 0;
    }
    return 1;
}

/* /proc/self/exe (however named: sys_proc_path.c) is ferry itself on the
 * host; the guest means its own program.  Bad pointers go to the host
 * untouched (EFAULT there). */
const char *sys_path_at(int dirfd, uint64_t g)
{
    if (sys_proc_names_exe(dirfd, g))
        return sys_proc.exe_path;
    return sys_ptr(g);
}

const char *sys_path(uint64_t g)
{
    return sys_path_at(AT_FDCWD, g);
}

/* A path the guest looks a file up by: sys_path_at, then under the
 * sysroot (-L DIR) first when there is one. */
const char *sys_path_lookup_at(int dirfd, uint64_t g, int follow)
{
    const char *p = sys_path_at(dirfd, g);
    if (p != sys_ptr(g) || !ld_sysroot_get() || sys_guest_strnlen(g, 4096) < 0)
        return p;
    return ld_sysroot_path(p, follow);
}

const char *sys_path_lookup(uint64_t g, int follow)
{
    return sys_path_lookup_at(AT_FDCWD, g, follow);
}
