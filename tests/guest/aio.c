/* aio.c -- Linux AIO (issue 9) with raw system calls, as libaio makes
 * them: io_setup's argument checks, PWRITE/FSYNC/FDSYNC/PREAD and
 * PWRITEV/PREADV on a file, POLL on a pipe, io_cancel of a pending POLL,
 * an eventfd told of completions (IOCB_FLAG_RESFD), io_pgetevents with a
 * signal mask, a zero timeout, the errors of io_submit (bad opcode, bad
 * descriptor, bad pointer, a batch cut short), io_destroy.  Each event's
 * obj must be the address of the iocb it came from.
 * Not in check-guest-aarch64: qemu-user 7.2 has no Linux AIO; check-reliab-aarch64
 * compares it there with the same program built for AArch64 (ENOSYS). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static long err(long r) { return r < 0 ? -errno : r; }

static long setup(unsigned nr, aio_context_t *ctx) { return err(syscall(SYS_io_setup, nr, ctx)); }

static long submit(aio_context_t ctx, long n, struct iocb **list)
{
    return err(syscall(SYS_io_submit, ctx, n, list));
}

static long getevents(aio_context_t ctx, long min, long nr, struct io_event *ev, struct timespec *ts)
{
    return err(syscall(SYS_io_getevents, ctx, min, nr, ev, ts));
}

static void prep(struct iocb *cb, unsigned op, int fd, void *buf, size_t len, long long off,
                 uint64_t data)
{
    memset(cb, 0, sizeof *cb);
    cb->aio_lio_opcode = (uint16_t)op;
    cb->aio_fildes = (uint32_t)fd;
    cb->aio_buf = (uintptr_t)buf;
    cb->aio_nbytes = len;
    cb->aio_offset = off;
    cb->aio_data = data;
}

/* Prints n events sorted by data, each with whether obj is its iocb. */
static void print_events(struct io_event *ev, long n, struct iocb *cbs, int ncbs)
{
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++)
            if (ev[j].data < ev[i].data) {
                struct io_event t = ev[i];
                ev[i] = ev[j], ev[j] = t;
            }
    for (long i = 0; i < n; i++) {
        int k = (int)ev[i].data - 1;
        int own = k >= 0 && k < ncbs && ev[i].obj == (uintptr_t)&cbs[k];
        printf("  event %llu: res %lld res2 %lld obj %s\n", (unsigned long long)ev[i].data,
               (long long)ev[i].res, (long long)ev[i].res2, own ? "its iocb" : "OTHER");
    }
}

static void setup_checks(void)
{
    aio_context_t ctx = 0;
    printf("io_setup(0): %ld\n", setup(0, &ctx));
    ctx = 1;
    printf("io_setup(ctx != 0): %ld\n", setup(4, &ctx));
    printf("io_setup(bad pointer): %ld\n", setup(4, (aio_context_t *)8));
    printf("io_submit(bad ctx): %ld\n", submit(12345, 0, NULL));
    printf("io_destroy(bad ctx): %ld\n", err(syscall(SYS_io_destroy, 12345)));
}

static void file_io(aio_context_t ctx, int fd)
{
    static char out[] = "hello aio", in[16], v1[6], v2[8];
    static char w1[] = "vector", w2[] = " writes";
    struct iovec wv[2] = { { w1, 6 }, { w2, 7 } }, rv[2] = { { v1, 6 }, { v2, 7 } };
    struct iocb cbs[6], *list[6];
    struct io_event ev[8];
    prep(&cbs[0], IOCB_CMD_PWRITE, fd, out, sizeof out - 1, 0, 1);
    prep(&cbs[1], IOCB_CMD_PWRITEV, fd, wv, 2, 100, 2);
    for (int i = 0; i < 2; i++)
        list[i] = &cbs[i];
    printf("submit writes: %ld\n", submit(ctx, 2, list));
    printf("getevents: %ld\n", getevents(ctx, 2, 8, ev, NULL));
    print_events(ev, 2, cbs, 6);
    prep(&cbs[2], IOCB_CMD_FSYNC, fd, NULL, 0, 0, 3);
    prep(&cbs[3], IOCB_CMD_FDSYNC, fd, NULL, 0, 0, 4);
    prep(&cbs[4], IOCB_CMD_PREAD, fd, in, sizeof in, 0, 5);
    prep(&cbs[5], IOCB_CMD_PREADV, fd, rv, 2, 100, 6);
    for (int i = 2; i < 6; i++)
        list[i] = &cbs[i];
    printf("submit sync+reads: %ld\n", submit(ctx, 4, list + 2));
    long n = 0;
    while (n < 4) {
        long r = getevents(ctx, 1, 8, ev + n, NULL);
        if (r <= 0)
            break;
        n += r;
    }
    print_events(ev, n, cbs, 6);
    printf("read: '%.9s' '%.6s%.7s'\n", in, v1, v2);
}

static void poll_and_cancel(aio_context_t ctx)
{
    int p[2];
    struct iocb cbs[2], *list[2] = { &cbs[0], &cbs[1] };
    struct io_event ev[4];
    struct timespec zero = { 0, 0 };
    if (pipe(p) != 0)
        return;
    prep(&cbs[0], IOCB_CMD_POLL, p[0], (void *)(uintptr_t)POLLIN, 0, 0, 1);
    prep(&cbs[1], IOCB_CMD_POLL, p[0], (void *)(uintptr_t)POLLIN, 0, 0, 2);
    printf("submit poll: %ld\n", submit(ctx, 1, list));
    printf("getevents (zero timeout, none ready): %ld\n", getevents(ctx, 0, 4, ev, &zero));
    printf("write to pipe: %zd\n", write(p[1], "x", 1));
    long n = getevents(ctx, 1, 4, ev, NULL);
    printf("getevents: %ld\n", n);
    print_events(ev, n, cbs, 2);
    char c;
    printf("drain: %zd\n", read(p[0], &c, 1));
    printf("submit poll 2: %ld\n", submit(ctx, 1, list + 1));
    struct io_event res;
    printf("io_cancel: %ld\n", err(syscall(SYS_io_cancel, ctx, &cbs[1], &res)));
    printf("io_cancel again: %ld\n", err(syscall(SYS_io_cancel, ctx, &cbs[1], &res)));
    n = getevents(ctx, 1, 4, ev, NULL);
    printf("getevents after cancel: %ld\n", n);
    print_events(ev, n, cbs, 2);
    close(p[0]);
    close(p[1]);
}

static void resfd_and_pgetevents(aio_context_t ctx, int fd)
{
    static char buf[4];
    int efd = eventfd(0, 0);
    struct iocb cb, *list[1] = { &cb };
    struct io_event ev[2];
    prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof buf, 0, 1);
    cb.aio_flags = IOCB_FLAG_RESFD;
    cb.aio_resfd = (uint32_t)efd;
    printf("submit with resfd: %ld\n", submit(ctx, 1, list));
    uint64_t count = 0;
    ssize_t got = read(efd, &count, 8);
    printf("eventfd read: %zd count %llu\n", got, (unsigned long long)count);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    struct { const sigset_t *m; size_t sz; } sig = { &mask, 8 };
    long n = err(syscall(SYS_io_pgetevents, ctx, 1, 2, ev, NULL, &sig));
    printf("io_pgetevents: %ld\n", n);
    print_events(ev, n, &cb, 1);
    sig.sz = 4;
    printf("io_pgetevents (bad sigsetsize): %ld\n",
           err(syscall(SYS_io_pgetevents, ctx, 0, 2, ev, NULL, &sig)));
    close(efd);
}

static void submit_errors(aio_context_t ctx, int fd)
{
    static char buf[4];
    struct iocb cbs[3], *list[3] = { &cbs[0], &cbs[1], &cbs[2] };
    struct io_event ev[4];
    prep(&cbs[0], 4 /* no such opcode */, fd, buf, 4, 0, 1);
    printf("bad opcode: %ld\n", submit(ctx, 1, list));
    prep(&cbs[0], IOCB_CMD_PREAD, 987, buf, 4, 0, 1);
    printf("bad fd: %ld\n", submit(ctx, 1, list));
    struct iocb *bad[1] = { (struct iocb *)8 };
    printf("bad iocb pointer: %ld\n", submit(ctx, 1, bad));
    printf("bad list pointer: %ld\n", submit(ctx, 1, (struct iocb **)8));
    printf("negative nr: %ld\n", submit(ctx, -1, list));
    prep(&cbs[0], IOCB_CMD_PREAD, fd, buf, 4, 0, 1);
    prep(&cbs[1], IOCB_CMD_PREAD, fd, buf, 4, 0, 2);
    prep(&cbs[2], 4, fd, buf, 4, 0, 3);
    printf("batch cut at the third: %ld\n", submit(ctx, 3, list));
    long n = getevents(ctx, 2, 4, ev, NULL);
    printf("getevents: %ld\n", n);
    print_events(ev, n, cbs, 3);
    printf("getevents min > nr: %ld\n", getevents(ctx, 3, 2, ev, NULL));
    struct timespec ts = { 0, 1000000 };
    printf("getevents (1 ms, none): %ld\n", getevents(ctx, 1, 4, ev, &ts));
}

int main(void)
{
    char path[] = "/tmp/ferry-aio-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    unlink(path);
    setup_checks();
    aio_context_t ctx = 0;
    long r = setup(16, &ctx);
    printf("io_setup(16): %ld\n", r);
    if (r != 0)
        return 1;               /* (the eventfd read below would wait) */
    file_io(ctx, fd);
    poll_and_cancel(ctx);
    resfd_and_pgetevents(ctx, fd);
    submit_errors(ctx, fd);
    printf("io_destroy: %ld\n", err(syscall(SYS_io_destroy, ctx)));
    printf("submit after destroy: %ld\n", submit(ctx, 0, NULL));
    printf("io_destroy again: %ld\n", err(syscall(SYS_io_destroy, ctx)));
    close(fd);
    return 0;
}
