/* sys_net.c -- sockets.  struct sockaddr*, msghdr, cmsghdr and the
 * constants (AF_*, SOCK_*, SOL_SOCKET/SO_*, MSG_*) are the same on x86-64
 * and arm64 (both use the generic values), so the calls pass through;
 * SOCK_NONBLOCK/SOCK_CLOEXEC are O_NONBLOCK/O_CLOEXEC on both.
 * sendmmsg/recvmmsg (glibc's resolver sends its A and AAAA queries with
 * one sendmmsg) take arrays of struct mmsghdr, a msghdr and an unsigned
 * length: 64 bytes on both. */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"

SYS_HANDLER(sys_socket) { return sys_ret(syscall(SYS_socket, (int)a[0], (int)a[1], (int)a[2])); }

SYS_HANDLER(sys_socketpair)
{
    return sys_ret(syscall(SYS_socketpair, (int)a[0], (int)a[1], (int)a[2], sys_ptr(a[3])));
}

SYS_HANDLER(sys_bind) { return sys_ret(syscall(SYS_bind, (int)a[0], sys_ptr(a[1]), (unsigned)a[2])); }

SYS_HANDLER(sys_connect)
{
    return sys_block(SYS_connect, (int)a[0], sys_ptr(a[1]), (unsigned)a[2]);
}

SYS_HANDLER(sys_listen) { return sys_ret(syscall(SYS_listen, (int)a[0], (int)a[1])); }

SYS_HANDLER(sys_accept)
{
    return sys_block(SYS_accept4, (int)a[0], sys_ptr(a[1]), sys_ptr(a[2]), 0);
}

SYS_HANDLER(sys_accept4)
{
    return sys_block(SYS_accept4, (int)a[0], sys_ptr(a[1]), sys_ptr(a[2]), (int)a[3]);
}

SYS_HANDLER(sys_getsockname)
{
    return sys_ret(syscall(SYS_getsockname, (int)a[0], sys_ptr(a[1]), sys_ptr(a[2])));
}

SYS_HANDLER(sys_getpeername)
{
    return sys_ret(syscall(SYS_getpeername, (int)a[0], sys_ptr(a[1]), sys_ptr(a[2])));
}

SYS_HANDLER(sys_sendto)
{
    return sys_block(SYS_sendto, (int)a[0], sys_ptr(a[1]), a[2], (int)a[3], sys_ptr(a[4]),
                     (unsigned)a[5]);
}

SYS_HANDLER(sys_recvfrom)
{
    return sys_block(SYS_recvfrom, (int)a[0], sys_ptr(a[1]), a[2], (int)a[3], sys_ptr(a[4]),
                     sys_ptr(a[5]));
}

SYS_HANDLER(sys_sendmsg)
{
    return sys_block(SYS_sendmsg, (int)a[0], sys_ptr(a[1]), (int)a[2]);
}

SYS_HANDLER(sys_recvmsg)
{
    return sys_block(SYS_recvmsg, (int)a[0], sys_ptr(a[1]), (int)a[2]);
}

SYS_HANDLER(sys_shutdown) { return sys_ret(syscall(SYS_shutdown, (int)a[0], (int)a[1])); }

SYS_HANDLER(sys_setsockopt)
{
    return sys_ret(syscall(SYS_setsockopt, (int)a[0], (int)a[1], (int)a[2], sys_ptr(a[3]),
                           (unsigned)a[4]));
}

SYS_HANDLER(sys_getsockopt)
{
    return sys_ret(syscall(SYS_getsockopt, (int)a[0], (int)a[1], (int)a[2], sys_ptr(a[3]),
                           sys_ptr(a[4])));
}

struct x86_64_mmsghdr {
    uint64_t msg_name;
    uint32_t msg_namelen, pad1;
    uint64_t msg_iov, msg_iovlen, msg_control, msg_controllen;
    int32_t msg_flags, pad2;
    uint32_t msg_len, pad3;
};
_Static_assert(sizeof(struct x86_64_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");

SYS_HANDLER(sys_sendmmsg)
{
    return sys_block(SYS_sendmmsg, (int)a[0], sys_ptr(a[1]), (unsigned)a[2], (int)a[3]);
}

/* The timeout is a struct timespec: two 64-bit fields on both hosts. */
SYS_HANDLER(sys_recvmmsg)
{
    return sys_block(SYS_recvmmsg, (int)a[0], sys_ptr(a[1]), (unsigned)a[2], (int)a[3],
                     sys_ptr(a[4]));
}
