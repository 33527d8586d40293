/* io_uring.c -- io_uring (issue 9), with raw system calls and the ring
 * layouts written out (no liburing): what liburing's basic use does --
 * NOP, WRITE, READ, WRITEV/READV, FSYNC, OPENAT + STATX + CLOSE, a linked
 * chain, POLL_ADD on a pipe, a TIMEOUT -- with user_data and results
 * compared; MADVISE on the program's memory; registered buffers
 * (READ_FIXED) and files; an eventfd told of completions; the probe's NOP.
 * (What ferry refuses -- SQPOLL, opcodes outside its list -- natively
 * works, so it cannot be compared here.)
 * Not on the AArch64 build here: qemu-user 7.2 has no io_uring. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

struct ring {
    int fd;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
};

static int ring_init(struct ring *r, unsigned entries)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    r->fd = (int)syscall(SYS_io_uring_setup, entries, &p);
    if (r->fd < 0)
        return -1;
    size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    uint8_t *sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, IORING_OFF_SQ_RING);
    uint8_t *cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, IORING_OFF_CQ_RING);
    r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                   MAP_SHARED, r->fd, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
        return -1;
    r->sq_head = (unsigned *)(sq + p.sq_off.head);
    r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    r->sq_array = (unsigned *)(sq + p.sq_off.array);
    r->cq_head = (unsigned *)(cq + p.cq_off.head);
    r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    printf("setup: sq %u cq %u\n", p.sq_entries, p.cq_entries);
    return 0;
}

static struct io_uring_sqe *get_sqe(struct ring *r, uint8_t op, int fd, uint64_t ud)
{
    unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;
    struct io_uring_sqe *sqe = &r->sqes[idx];
    memset(sqe, 0, sizeof *sqe);
    sqe->opcode = op;
    sqe->fd = fd;
    sqe->user_data = ud;
    r->sq_array[idx] = idx;
    __atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
    return sqe;
}

/* Submits everything queued, waits for `wait` completions, prints all
 * completions in user_data order. */
static void submit_and_print(struct ring *r, unsigned n, unsigned wait)
{
    long s = syscall(SYS_io_uring_enter, r->fd, n, wait, IORING_ENTER_GETEVENTS, NULL, 0);
    printf("enter: %ld\n", s < 0 ? -errno : s);
    struct io_uring_cqe got[16];
    unsigned k = 0, head = *r->cq_head;
    while (head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) && k < 16)
        got[k++] = r->cqes[head++ & *r->cq_mask];
    __atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < k; i++)
        for (unsigned j = i + 1; j < k; j++)
            if (got[j].user_data < got[i].user_data) {
                struct io_uring_cqe t = got[i];
                got[i] = got[j], got[j] = t;
            }
    for (unsigned i = 0; i < k; i++)
        printf("  cqe %llu: res %d\n", (unsigned long long)got[i].user_data, got[i].res);
}

static void basic(struct ring *r, int fd)
{
    static char out[] = "hello io_uring", in[32];
    get_sqe(r, IORING_OP_NOP, -1, 1);
    struct io_uring_sqe *w = get_sqe(r, IORING_OP_WRITE, fd, 2);
    w->addr = (uintptr_t)out, w->len = sizeof out - 1, w->off = 0;
    w->flags = IOSQE_IO_LINK;
    struct io_uring_sqe *fs = get_sqe(r, IORING_OP_FSYNC, fd, 3);
    fs->flags = IOSQE_IO_LINK;
    struct io_uring_sqe *rd = get_sqe(r, IORING_OP_READ, fd, 4);
    rd->addr = (uintptr_t)in, rd->len = sizeof in, rd->off = 6;
    submit_and_print(r, 4, 4);
    printf("read back '%s'\n", in);
}

static void vectors(struct ring *r, int fd)
{
    static char a[] = "AB", b[] = "CDE", x[3], y[4];
    struct iovec wv[2] = { { a, 2 }, { b, 3 } }, rv[2] = { { x, 2 }, { y, 3 } };
    struct io_uring_sqe *w = get_sqe(r, IORING_OP_WRITEV, fd, 10);
    w->addr = (uintptr_t)wv, w->len = 2, w->off = 100;
    w->flags = IOSQE_IO_LINK;
    struct io_uring_sqe *rd = get_sqe(r, IORING_OP_READV, fd, 11);
    rd->addr = (uintptr_t)rv, rd->len = 2, rd->off = 100;
    submit_and_print(r, 2, 2);
    printf("readv '%s' '%s'\n", x, y);
}

/* MADVISE on the program's own memory (ferry passes it only there). */
static void advice(struct ring *r)
{
    static char page[4096] __attribute__((aligned(4096)));
    get_sqe(r, IORING_OP_NOP, -1, 20);
    struct io_uring_sqe *m = get_sqe(r, IORING_OP_MADVISE, -1, 21);
    m->addr = (uintptr_t)page, m->len = sizeof page, m->fadvise_advice = MADV_NORMAL;
    get_sqe(r, IORING_OP_NOP, -1, 22);
    submit_and_print(r, 3, 3);
}

static void files(struct ring *r)
{
    static struct statx stx;
    struct io_uring_sqe *o = get_sqe(r, IORING_OP_OPENAT, AT_FDCWD, 30);
    o->addr = (uintptr_t)"data.txt", o->open_flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
    struct io_uring_sqe *st = get_sqe(r, IORING_OP_STATX, AT_FDCWD, 31);
    st->addr = (uintptr_t)"data.txt", st->len = STATX_SIZE, st->off = (uintptr_t)&stx;
    submit_and_print(r, 2, 2);
    printf("statx size %llu\n", (unsigned long long)stx.stx_size);
    struct io_uring_sqe *o2 = get_sqe(r, IORING_OP_OPENAT, AT_FDCWD, 32);
    o2->addr = (uintptr_t)"nonexistent", o2->open_flags = O_RDONLY;
    struct io_uring_sqe *d = get_sqe(r, IORING_OP_OPENAT, AT_FDCWD, 33);
    d->addr = (uintptr_t)"data.txt", d->open_flags = O_RDONLY | O_DIRECTORY;
    submit_and_print(r, 2, 2);
}

static void poll_and_timeout(struct ring *r)
{
    int p[2];
    pipe(p);
    struct io_uring_sqe *pa = get_sqe(r, IORING_OP_POLL_ADD, p[0], 40);
    pa->poll32_events = POLLIN;
    syscall(SYS_io_uring_enter, r->fd, 1, 0, 0, NULL, 0);
    write(p[1], "x", 1);
    struct __kernel_timespec ts = { .tv_nsec = 1000000 };
    struct io_uring_sqe *t = get_sqe(r, IORING_OP_TIMEOUT, -1, 41);
    t->addr = (uintptr_t)&ts, t->len = 1;
    submit_and_print(r, 1, 2);
    close(p[0]);
    close(p[1]);
}

static void registered(struct ring *r, int fd)
{
    static char buf[16];
    struct iovec iov = { buf, sizeof buf };
    long a = syscall(SYS_io_uring_register, r->fd, IORING_REGISTER_BUFFERS, &iov, 1);
    long b = syscall(SYS_io_uring_register, r->fd, IORING_REGISTER_FILES, &fd, 1);
    int efd = eventfd(0, EFD_CLOEXEC);
    long c = syscall(SYS_io_uring_register, r->fd, IORING_REGISTER_EVENTFD, &efd, 1);
    printf("register: %ld %ld %ld\n", a, b, c);
    struct io_uring_sqe *rf = get_sqe(r, IORING_OP_READ_FIXED, 0, 50);
    rf->addr = (uintptr_t)buf, rf->len = 5, rf->off = 0, rf->buf_index = 0;
    rf->flags = IOSQE_FIXED_FILE;
    submit_and_print(r, 1, 1);
    uint64_t count = 0;
    read(efd, &count, sizeof count);
    printf("read_fixed '%.5s' eventfd %llu\n", buf, (unsigned long long)count);
    struct { struct io_uring_probe p; struct io_uring_probe_op ops[64]; } probe;
    memset(&probe, 0, sizeof probe);
    long pr = syscall(SYS_io_uring_register, r->fd, IORING_REGISTER_PROBE, &probe, 64);
    printf("probe: %ld nop %s\n", pr,
           probe.ops[IORING_OP_NOP].flags & IO_URING_OP_SUPPORTED ? "yes" : "no");
    close(efd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct ring r;
    if (ring_init(&r, 8) != 0) {
        printf("io_uring: %s\n", strerror(errno));
        return 1;
    }
    int fd = open("data.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    basic(&r, fd);
    vectors(&r, fd);
    advice(&r);
    files(&r);
    poll_and_timeout(&r);
    registered(&r, fd);
    return 0;
}
