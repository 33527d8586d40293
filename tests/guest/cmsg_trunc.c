/* cmsg_trunc.c -- recvmsg with a control buffer too small for the
 * SCM_RIGHTS it receives: the kernel keeps whole headers only, sets
 * MSG_CTRUNC and says how much it wrote (Python's test_socket
 * *CmsgTrunc* cases).  ferry passes recvmsg through, so this pins that the
 * guest sees the kernel's answer.  Not on the AArch64 build: qemu-user 7.2
 * gives its host kernel a larger buffer and truncates while converting,
 * without MSG_CTRUNC and with partial headers (an AArch64 program under
 * qemu-aarch64 alone answers the same); on an AArch64 kernel ferry's
 * pass-through is exact. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Send one byte with nfds copies of the sending socket's descriptor, receive it with ctl bytes of
 * control buffer, print what recvmsg reported. */
static void trunc_case(size_t ctl, int nfds)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
        perror("socketpair");
        return;
    }
    union { char buf[CMSG_SPACE(sizeof(int) * 2)]; struct cmsghdr align; } out;
    memset(&out, 0, sizeof out);
    char byte = 'x';
    struct iovec iov = { &byte, 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = out.buf,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * nfds) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    for (int i = 0; i < nfds; i++)
        memcpy(CMSG_DATA(c) + i * sizeof(int), &sv[0], sizeof(int));
    if (sendmsg(sv[0], &m, 0) != 1)
        perror("sendmsg");

    union { char buf[64]; struct cmsghdr align; } in;
    memset(&in, 0xaa, sizeof in);
    char rbyte = 0;
    struct iovec riov = { &rbyte, 1 };
    struct msghdr r = { .msg_iov = &riov, .msg_iovlen = 1,
                        .msg_control = ctl ? in.buf : NULL, .msg_controllen = ctl };
    ssize_t n = recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC);
    printf("ctl %2zu fds %d: n %zd byte %c flags %#x controllen %zu", ctl, nfds, n, rbyte,
           (unsigned)r.msg_flags, (size_t)r.msg_controllen);
    if (r.msg_controllen >= sizeof(struct cmsghdr)) {
        struct cmsghdr h;
        memcpy(&h, in.buf, sizeof h);
        int got = (int)((h.cmsg_len - CMSG_LEN(0)) / sizeof(int));
        printf(" cmsg_len %zu level %d type %d fds %d", (size_t)h.cmsg_len, h.cmsg_level,
               h.cmsg_type, got);
        for (int i = 0; i < got && i < 2; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA((struct cmsghdr *)in.buf) + i * sizeof(int), sizeof fd);
            close(fd);
        }
    }
    printf("\n");
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    size_t sizes[] = { 0, 1, sizeof(struct cmsghdr) - 1, CMSG_LEN(0), CMSG_LEN(0) + 1,
                       CMSG_LEN(sizeof(int)) - 1, CMSG_LEN(sizeof(int)), CMSG_SPACE(sizeof(int)),
                       CMSG_LEN(2 * sizeof(int)) - 1, CMSG_LEN(2 * sizeof(int)),
                       CMSG_SPACE(2 * sizeof(int)) };
    for (unsigned i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int nfds = 1; nfds <= 2; nfds++)
            trunc_case(sizes[i], nfds);
    return 0;
}
