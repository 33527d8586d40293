/* sys_stack_args.c -- the main stack grows for a system call's buffers.
 * Linux grows the stack for the kernel's own access to the room below it
 * (read(2) filling a buffer there, write(2) sending its zeros, fstat's
 * structure, getdents64, an ioctl's out-parameter, recvmsg's iovec) as
 * for the program's, at any address within the limit: x86-64 checks no
 * access against rsp.  ferry passes most buffers to the host kernel as
 * they are, and on the host the room is reserved PROT_NONE, so the
 * kernel's access would fail with EFAULT (or a short count) instead.
 * So before the call, the stack is grown down to every address a
 * pointer argument gives that lies in the room and that Linux would grow
 * to (sys_stack_grow_for: RLIMIT_STACK as it is now, the guest's
 * mappings in the way, the guard gap); a buffer reaches up from its
 * pointer, so growing to the pointer covers it.  Growing first, not on
 * EFAULT afterwards, because a call that failed may already have done
 * something (a datagram dropped, a write partly done).
 *
 * Which argument is a pointer: the strace format's 'p' (sys_table.c); an
 * 'a' is an address the call maps, unmaps, keeps or passes on, which the
 * kernel does not access then (mmap's hint, clone's stack, futex's
 * second value).  The pointers inside a msghdr (recvmsg's iovec, name
 * and control buffers) are followed too; an iovec array's own buffers
 * grow the stack when sys_guest_args.c checks them (sys_guest.c).
 * Where the kernel would then not touch the buffer (an empty pipe, an
 * error first) the stack has grown where Linux's would not: only
 * /proc/self/maps' stack line tells. */
#include <sys/socket.h>
#include <sys/uio.h>

#include "sys_internal.h"

#define SYS_STACK_ARGS_IOV_MAX 1024         /* UIO_MAXIOV */

enum { SYS_NR_SENDMSG = 46, SYS_NR_RECVMSG = 47, SYS_NR_RECVMMSG = 299, SYS_NR_SENDMMSG = 307 };

/* x86-64's struct msghdr (the host's where that is x86-64; the same
 * layout on AArch64) and struct mmsghdr: 56 and 64 bytes. */
struct sys_stack_msghdr {
    uint64_t name;
    uint32_t namelen, pad1;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad2;
};
#define SYS_STACK_MMSGHDR_SIZE 64

/* A guest structure of n bytes at g, readable as it is (grown first). */
static const void *sys_stack_args_read(uint64_t g, uint64_t n)
{
    sys_stack_grow_for(g);
    return sys_guest_access_ok(g, n, 0) ? sys_ptr(g) : NULL;
}

/* The buffers of one msghdr at g: its name, control and iovec array, and
 * the iovec's buffers. */
static void sys_stack_args_msghdr(uint64_t g)
{
    const struct sys_stack_msghdr *m = sys_stack_args_read(g, sizeof *m);
    if (!m)
        return;
    sys_stack_grow_for(m->name);
    sys_stack_grow_for(m->control);
    uint64_t n = m->iovlen;
    const struct iovec *v = n <= SYS_STACK_ARGS_IOV_MAX ? sys_stack_args_read(m->iov, n * sizeof *v) : NULL;
    for (uint64_t i = 0; v && i < n; i++)
        sys_stack_grow_for((uint64_t)(uintptr_t)v[i].iov_base);
}

/* sendmmsg/recvmmsg: count msghdrs, each followed by its length. */
static void sys_stack_args_mmsghdr(uint64_t g, uint64_t count)
{
    if (count > SYS_STACK_ARGS_IOV_MAX || !sys_stack_args_read(g, count * SYS_STACK_MMSGHDR_SIZE))
        return;
    for (uint64_t i = 0; i < count; i++)
        sys_stack_args_msghdr(g + i * SYS_STACK_MMSGHDR_SIZE);
}

void sys_stack_grow_args(const struct sys_entry *e, const uint64_t *a)
{
    const char *f = e->fmt;
    if (!f)
        return;
    f += *f == '!';
    for (int i = 0; i < 6 && f[i] && f[i] != '='; i++)
        if (f[i] == 'p')
            sys_stack_grow_for(a[i]);
    if (e->nr == SYS_NR_SENDMSG || e->nr == SYS_NR_RECVMSG)
        sys_stack_args_msghdr(a[1]);
    else if (e->nr == SYS_NR_SENDMMSG || e->nr == SYS_NR_RECVMMSG)
        sys_stack_args_mmsghdr(a[1], (uint32_t)a[2]);
}
