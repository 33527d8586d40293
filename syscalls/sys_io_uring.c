/* sys_io_uring.c -- io_uring_setup/enter/register.  The ring is the
 * host's: its structures (io_uring_params, the 64-byte SQE, the 16-byte
 * CQE, the ring offsets) are the same on every architecture and guest
 * addresses are host addresses, so the guest maps and fills the rings
 * itself.  But the kernel reads each SQE only at io_uring_enter, without
 * ferry, so ferry keeps its own view of each ring's submission queue and
 * vets the SQEs about to be submitted there: an opcode outside the list
 * below, or one naming a descriptor of ferry's (sys_ferry_fd.c), is turned
 * into an invalid opcode, so the kernel completes it with -EINVAL (its
 * user_data kept); OPENAT's open flags are converted in place.  Refused as
 * a whole with -EINVAL: SQPOLL (the kernel would read SQEs no one vets),
 * user-provided ring memory, registered ring descriptors, and a ring ferry
 * did not set up (inherited across exec).  Paths in SQEs are used as given
 * (not looked up under -L, /proc/self/exe not mapped).  IORING_REGISTER_PROBE
 * reports only the opcodes ferry passes. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"
#include "sys_sigframe.h"

struct x86_64_io_sqring_offsets {
    uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
    uint64_t user_addr;
};
struct x86_64_io_cqring_offsets {
    uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
    uint64_t user_addr;
};
struct x86_64_io_uring_params {
    uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
    uint32_t resv[3];
    struct x86_64_io_sqring_offsets sq_off;
    struct x86_64_io_cqring_offsets cq_off;
};
_Static_assert(sizeof(struct x86_64_io_uring_params) == 120, "io_uring_params");

struct x86_64_io_uring_sqe {
    uint8_t opcode, flags;
    uint16_t ioprio;
    int32_t fd;
    uint64_t off, addr;
    uint32_t len;
    uint32_t op_flags;          /* rw_flags, open_flags, msg_flags, ... */
    uint64_t user_data;
    uint16_t buf_index, personality;
    int32_t splice_fd_in;
    uint64_t addr3, pad;
};
_Static_assert(sizeof(struct x86_64_io_uring_sqe) == 64, "io_uring_sqe");

/* The argument of IORING_ENTER_EXT_ARG. */
struct x86_64_io_uring_getevents_arg {
    uint64_t sigmask;
    uint32_t sigmask_sz, pad;
    uint64_t ts;
};

#define SYS_IORING_OFF_SQ_RING 0ull
#define SYS_IORING_OFF_SQES 0x10000000ull
#define SYS_IORING_SETUP_SQPOLL (1u << 1)
#define SYS_IORING_SETUP_SQ_AFF (1u << 2)
#define SYS_IORING_SETUP_ATTACH_WQ (1u << 5)
#define SYS_IORING_SETUP_SQE128 (1u << 10)
/* Setup flags ferry passes: IOPOLL, CQSIZE, CLAMP, ATTACH_WQ, R_DISABLED,
 * SUBMIT_ALL, COOP_TASKRUN, TASKRUN_FLAG, SQE128, CQE32, SINGLE_ISSUER,
 * DEFER_TASKRUN.  Not SQPOLL/SQ_AFF, NO_MMAP, REGISTERED_FD_ONLY,
 * NO_SQARRAY, nor anything newer. */
#define SYS_IORING_SETUP_OK 0x3ff9u
#define SYS_IORING_ENTER_EXT_ARG (1u << 3)
#define SYS_IORING_ENTER_REGISTERED_RING (1u << 4)
#define SYS_IOSQE_FIXED_FILE 1u
#define SYS_IORING_OP_INVALID 0xff
#define SYS_IORING_OP_OPENAT 18
#define SYS_IORING_OP_MADVISE 25
#define SYS_IORING_REGISTER_FILES 2
#define SYS_IORING_REGISTER_PROBE 8
#define SYS_IO_URING_OP_SUPPORTED 1u

/* Opcodes whose SQE means the same on every host (pointers, lengths,
 * descriptors, flags with the same values): 0 NOP .. 17 FALLOCATE,
 * 18 OPENAT (flags converted), 19 CLOSE, 20 FILES_UPDATE, 21 STATX,
 * 22 READ, 23 WRITE, 24 FADVISE, 25 MADVISE (on the guest's own memory),
 * 26 SEND, 27 RECV, 30 SPLICE, 31/32 PROVIDE/REMOVE_BUFFERS, 33 TEE,
 * 34 SHUTDOWN, 35-39 RENAMEAT..LINKAT, 40 MSG_RING, 45 SOCKET, 47 SEND_ZC,
 * 48 SENDMSG_ZC.  Not: 28 OPENAT2 (open_how's flags), 29 EPOLL_CTL (struct
 * epoll_event is packed on x86-64 only), the xattr calls, URING_CMD and
 * everything newer. */
static bool sys_uring_op_ok(unsigned op)
{
    static const uint64_t ok = 0x3ffffffull | 1ull << 26 | 1ull << 27 | 0x1ffull << 30 |
                               1ull << 45 | 1ull << 47 | 1ull << 48;
    return op < 64 && (ok >> op & 1);
}

/* ferry's view of one ring: its SQ ring and SQE array, mapped again. */
struct sys_uring {
    dev_t dev;
    ino_t ino;
    uint8_t *sq_ring, *sqes;
    size_t sq_ring_len, sqes_len, stride;
    uint32_t entries;
    struct x86_64_io_sqring_offsets off;
};
#define SYS_URING_MAX 64
static struct sys_uring sys_urings[SYS_URING_MAX];
static pthread_mutex_t sys_uring_lock = PTHREAD_MUTEX_INITIALIZER;

static bool sys_uring_id(int fd, dev_t *dev, ino_t *ino)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return false;
    *dev = st.st_dev, *ino = st.st_ino;
    return true;
}

/* The ring behind fd (the caller holds sys_uring_lock), or NULL. */
static struct sys_uring *sys_uring_find(int fd)
{
    dev_t dev;
    ino_t ino;
    if (!sys_uring_id(fd, &dev, &ino))
        return NULL;
    for (int k = 0; k < SYS_URING_MAX; k++)
        if (sys_urings[k].sq_ring && sys_urings[k].dev == dev && sys_urings[k].ino == ino)
            return &sys_urings[k];
    return NULL;
}

static void *sys_uring_map(int fd, size_t len, uint64_t off)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, (off_t)off);
    return p == MAP_FAILED ? NULL : p;
}

static struct sys_uring *sys_uring_free_slot(void)
{
    for (int k = 0; k < SYS_URING_MAX; k++)
        if (!sys_urings[k].sq_ring)
            return &sys_urings[k];
    return NULL;
}

/* When the table is full: forgets the rings no descriptor of the
 * process refers to any more (the guest closed them). */
static void sys_uring_gc(void)
{
    bool used[SYS_URING_MAX] = { false };
    int top = (int)sysconf(_SC_OPEN_MAX);
    for (int fd = 0; fd < top && fd < (1 << 20); fd++) {
        dev_t dev;
        ino_t ino;
        if (!sys_uring_id(fd, &dev, &ino))
            continue;
        for (int k = 0; k < SYS_URING_MAX; k++)
            used[k] |= sys_urings[k].dev == dev && sys_urings[k].ino == ino;
    }
    for (int k = 0; k < SYS_URING_MAX; k++)
        if (sys_urings[k].sq_ring && !used[k]) {
            munmap(sys_urings[k].sq_ring, sys_urings[k].sq_ring_len);
            munmap(sys_urings[k].sqes, sys_urings[k].sqes_len);
            sys_urings[k].sq_ring = NULL;
        }
}

/* Maps the new ring's SQ side for ferry; false when there is no room. */
static bool sys_uring_add(int fd, const struct x86_64_io_uring_params *p)
{
    struct sys_uring r = { .entries = p->sq_entries, .off = p->sq_off,
                           .stride = p->flags & SYS_IORING_SETUP_SQE128 ? 128 : 64 };
    r.sq_ring_len = p->sq_off.array + p->sq_entries * sizeof(uint32_t);
    r.sqes_len = p->sq_entries * r.stride;
    if (!sys_uring_id(fd, &r.dev, &r.ino))
        return false;
    r.sq_ring = sys_uring_map(fd, r.sq_ring_len, SYS_IORING_OFF_SQ_RING);
    r.sqes = r.sq_ring ? sys_uring_map(fd, r.sqes_len, SYS_IORING_OFF_SQES) : NULL;
    pthread_mutex_lock(&sys_uring_lock);
    struct sys_uring *slot = sys_uring_free_slot();
    if (!slot) {
        sys_uring_gc();
        slot = sys_uring_free_slot();
    }
    if (slot && r.sqes)
        *slot = r;
    pthread_mutex_unlock(&sys_uring_lock);
    if (slot && r.sqes)
        return true;
    if (r.sq_ring)
        munmap(r.sq_ring, r.sq_ring_len);
    if (r.sqes)
        munmap(r.sqes, r.sqes_len);
    return false;
}

/* Where ferry places guest mappings below the host's top (a 48-bit
 * AArch64 host, sys_guest_va.c), a ring could only be where the kernel
 * puts it -- above the guest's address space: io_uring's mmap and mremap
 * refuse any address given (cache aliasing).  The guest is told what a
 * kernel without io_uring says, and falls back as it would there. */
SYS_HANDLER(sys_io_uring_setup)
{
    struct x86_64_io_uring_params p;
    if (sys_va_placing())
        return -ENOSYS;
    if (sys_copy_in(&p, a[1], sizeof p))
        return -EFAULT;
    if (p.flags & ~SYS_IORING_SETUP_OK)
        return -EINVAL;
    if ((p.flags & SYS_IORING_SETUP_ATTACH_WQ) && sys_ferry_fd_is((int)p.wq_fd))
        return -EBADF;
    long fd = syscall(SYS_io_uring_setup, (uint32_t)a[0], &p);
    if (fd < 0)
        return -(int64_t)errno;
    if (!sys_uring_add((int)fd, &p)) {
        close((int)fd);
        return -ENOMEM;
    }
    if (sys_copy_out(a[1], &p, sizeof p)) {
        close((int)fd);
        return -EFAULT;
    }
    return fd;
}

/* One SQE about to be submitted: passed, converted, or made invalid. */
static void sys_uring_vet(struct x86_64_io_uring_sqe *sqe)
{
    unsigned op = __atomic_load_n(&sqe->opcode, __ATOMIC_RELAXED);
    bool fixed = sqe->flags & SYS_IOSQE_FIXED_FILE;
    bool ferry_fd = !fixed && (sys_ferry_fd_is(sqe->fd) || sys_ferry_fd_is(sqe->splice_fd_in));
    if (!sys_uring_op_ok(op) || ferry_fd) {
        sqe->opcode = SYS_IORING_OP_INVALID;
        return;
    }
    if (op == SYS_IORING_OP_OPENAT)
        sqe->op_flags = (uint32_t)sys_open_flags_to_host(sqe->op_flags);
    if (op == SYS_IORING_OP_MADVISE && !sys_guest_has(sqe->addr, sqe->addr + sqe->len))
        sqe->opcode = SYS_IORING_OP_INVALID;
}

/* Vets the SQEs the kernel will consume: up to n from the SQ head. */
static void sys_uring_vet_pending(struct sys_uring *r, uint32_t n)
{
    uint32_t head = __atomic_load_n((uint32_t *)(r->sq_ring + r->off.head), __ATOMIC_ACQUIRE);
    uint32_t tail = __atomic_load_n((uint32_t *)(r->sq_ring + r->off.tail), __ATOMIC_ACQUIRE);
    uint32_t mask = *(uint32_t *)(r->sq_ring + r->off.ring_mask);
    const uint32_t *array = (const uint32_t *)(r->sq_ring + r->off.array);
    if (tail - head < n)
        n = tail - head;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx = __atomic_load_n(&array[(head + i) & mask], __ATOMIC_RELAXED);
        if (idx < r->entries)
            sys_uring_vet((struct x86_64_io_uring_sqe *)(r->sqes + (size_t)idx * r->stride));
    }
}

/* The guest's signal mask argument as the host's (forwarded signals only). */
static int64_t sys_uring_sigmask(uint64_t g, uint64_t size, sigset_t *host)
{
    uint64_t set;
    if (size != 8)
        return -EINVAL;
    if (sys_copy_in(&set, g, sizeof set))
        return -EFAULT;
    sys_signal_host_set(set, host);
    return 0;
}

SYS_HANDLER(sys_io_uring_enter)
{
    int fd = (int)a[0];
    uint32_t flags = (uint32_t)a[3];
    struct x86_64_io_uring_getevents_arg ext;
    sigset_t host;
    void *arg = NULL;
    size_t argsz = a[5];
    if (flags & SYS_IORING_ENTER_REGISTERED_RING)
        return -EINVAL;
    if (sys_ferry_fd_is(fd))
        return -EBADF;
    if ((flags & SYS_IORING_ENTER_EXT_ARG) && a[4]) {
        if (argsz != sizeof ext || sys_copy_in(&ext, a[4], sizeof ext))
            return argsz != sizeof ext ? -EINVAL : -EFAULT;
        int64_t r = ext.sigmask ? sys_uring_sigmask(ext.sigmask, ext.sigmask_sz, &host) : 0;
        if (r)
            return r;
        if (ext.sigmask)
            ext.sigmask = (uint64_t)(uintptr_t)&host;
        arg = &ext;
    } else if (a[4]) {
        int64_t r = sys_uring_sigmask(a[4], argsz, &host);
        if (r)
            return r;
        arg = &host;
    }
    if (a[1]) {
        pthread_mutex_lock(&sys_uring_lock);
        struct sys_uring *r = sys_uring_find(fd);
        if (r)
            sys_uring_vet_pending(r, (uint32_t)a[1]);
        pthread_mutex_unlock(&sys_uring_lock);
        if (!r && syscall(SYS_io_uring_enter, fd, 0, 0, 0, NULL, 0) == 0)
            return -EINVAL;         /* a ring ferry did not set up */
    }
    /* waits for min_complete completions */
    return sys_block(SYS_io_uring_enter, fd, (uint32_t)a[1], (uint32_t)a[2], flags, arg, argsz);
}

/* Register opcodes ferry passes: BUFFERS and FILES (0-3, files checked),
 * EVENTFD (4, 5, 7), PROBE (8, filtered), PERSONALITY (9, 10),
 * ENABLE_RINGS (12), IOWQ_AFF/MAX_WORKERS (17-19), PBUF_RING (22, 23). */
static bool sys_uring_register_ok(uint64_t op)
{
    static const uint32_t ok = 0x3bfu | 1u << 9 | 1u << 10 | 1u << 12 | 0x7u << 17 | 0x3u << 22;
    return op < 32 && (ok >> op & 1);
}

/* IORING_REGISTER_FILES: none of the descriptors may be ferry's. */
static int64_t sys_uring_files_check(uint64_t g, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        int32_t fd;
        if (sys_copy_in(&fd, g + 4 * i, sizeof fd))
            return -EFAULT;
        if (sys_ferry_fd_is(fd))
            return -EBADF;
    }
    return 0;
}

/* struct io_uring_probe: 16 bytes of header, then nr 8-byte ops
 * { u8 op, resv; u16 flags; u32 resv2 }. */
static void sys_uring_probe_filter(uint64_t g, uint64_t nr)
{
    for (uint64_t i = 0; i < nr; i++) {
        uint8_t op;
        uint16_t fl;
        uint64_t e = g + 16 + 8 * i;
        if (sys_copy_in(&op, e, 1) || sys_copy_in(&fl, e + 2, 2))
            return;
        if (sys_uring_op_ok(op))
            continue;
        fl &= (uint16_t)~SYS_IO_URING_OP_SUPPORTED;
        sys_copy_out(e + 2, &fl, 2);
    }
}

SYS_HANDLER(sys_io_uring_register)
{
    int fd = (int)a[0];
    uint64_t op = a[1];
    if (sys_ferry_fd_is(fd))
        return -EBADF;
    if (!sys_uring_register_ok(op))
        return -EINVAL;
    if (op == SYS_IORING_REGISTER_FILES && a[2]) {
        int64_t r = sys_uring_files_check(a[2], a[3]);
        if (r)
            return r;
    }
    long r = syscall(SYS_io_uring_register, fd, (unsigned)op, sys_ptr(a[2]), (unsigned)a[3]);
    if (r >= 0 && op == SYS_IORING_REGISTER_PROBE)
        sys_uring_probe_filter(a[2], a[3]);
    return sys_ret(r);
}
