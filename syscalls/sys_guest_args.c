/* sys_guest_args.c -- guest pointers that handlers pass straight to the
 * host kernel (read's buffer, a path, an iovec) must not reach ferry's
 * own memory: natively that address is unmapped and the call gives
 * EFAULT (or a short count), while the host kernel would read ferry's
 * heap into a file, or write a file over it.
 *
 * Before the handler runs, each such argument is checked against the
 * engine's map of the guest's mappings (sys_guest.c):
 *  - a pointer whose first byte the guest does not have is replaced by
 *    ferry's own never-accessible page, so the host kernel answers for
 *    an unmapped address exactly as Linux would (EFAULT when it touches
 *    it, 0 at end of file, EAGAIN on an empty pipe);
 *  - a buffer that runs from the guest's pages into memory the guest
 *    does not have goes through a bounce buffer followed by that page,
 *    so the kernel faults at the same offset as in the guest (whether
 *    that is a short count or EFAULT is the kernel's call, as natively);
 *  - an iovec array is checked itself, then element by element: at the
 *    first element that leaves the guest's pages the vector is cut
 *    there (Linux stops at that element) and passed as a copy.
 *  - a pointer to a fixed-size structure (nanosleep's timespec, wait4's
 *    status, pipe's fds, ...) is made to fault the same way; as the
 *    kernel touches it only when it would natively (nanosleep's rem on
 *    EINTR, wait4's status when a child is reaped), the answer is exact.
 * A NULL or low pointer (under 4096) is left to the host: some calls take
 * NULL on purpose, and the host's answer there is already the native one.
 * Which argument is what: the table below for buffers, iovecs and
 * structures (the common calls whose handlers pass pointers on; handlers
 * that copy through sys_copy_in/out check on their own), the strace
 * format's 's' for paths (sys_table.c). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "sys_internal.h"

/* BUF: (ptr, len) arguments; IOV: (iovec array, count); PTR: a pointer
 * to a structure of a fixed size, checked at its first byte (a structure
 * that straddles the end of the guest's pages is left to the host). */
enum { SYS_ARG_BUF, SYS_ARG_IOV, SYS_ARG_PTR };

/* write: the kernel only writes there (an argument it reads and then
 * writes back, as sendfile's offset, is R: a read-only page of the guest's
 * goes to the host as it is, which then fails the write as natively,
 * after the transfer).  Rows of one syscall are adjacent. */
struct sys_buf_arg {
    uint16_t nr;
    uint8_t kind, ptr, len;
    bool write;
};

#define R false
#define W true
static const struct sys_buf_arg sys_buf_args[] = {
    { 0, SYS_ARG_BUF, 1, 2, W },            /* read */
    { 1, SYS_ARG_BUF, 1, 2, R },            /* write */
    { 17, SYS_ARG_BUF, 1, 2, W },           /* pread64 */
    { 18, SYS_ARG_BUF, 1, 2, R },           /* pwrite64 */
    { 19, SYS_ARG_IOV, 1, 2, W },           /* readv */
    { 20, SYS_ARG_IOV, 1, 2, R },           /* writev */
    { 22, SYS_ARG_PTR, 0, 0, W },           /* pipe */
    { 35, SYS_ARG_PTR, 0, 0, R }, { 35, SYS_ARG_PTR, 1, 0, W },     /* nanosleep */
    { 36, SYS_ARG_PTR, 1, 0, W },           /* getitimer */
    { 38, SYS_ARG_PTR, 1, 0, R }, { 38, SYS_ARG_PTR, 2, 0, W },     /* setitimer */
    { 40, SYS_ARG_PTR, 2, 0, R },           /* sendfile (offset: read, then written) */
    { 42, SYS_ARG_BUF, 1, 2, R },           /* connect */
    { 43, SYS_ARG_PTR, 1, 0, W }, { 43, SYS_ARG_PTR, 2, 0, W },     /* accept */
    { 44, SYS_ARG_BUF, 1, 2, R },           /* sendto */
    { 45, SYS_ARG_BUF, 1, 2, W },           /* recvfrom */
    { 46, SYS_ARG_PTR, 1, 0, R },           /* sendmsg (the msghdr itself) */
    { 47, SYS_ARG_PTR, 1, 0, R },           /* recvmsg (read, then written) */
    { 49, SYS_ARG_BUF, 1, 2, R },           /* bind */
    { 51, SYS_ARG_PTR, 1, 0, W }, { 51, SYS_ARG_PTR, 2, 0, W },     /* getsockname */
    { 52, SYS_ARG_PTR, 1, 0, W }, { 52, SYS_ARG_PTR, 2, 0, W },     /* getpeername */
    { 53, SYS_ARG_PTR, 3, 0, W },           /* socketpair */
    { 54, SYS_ARG_BUF, 3, 4, R },           /* setsockopt */
    { 55, SYS_ARG_PTR, 3, 0, W }, { 55, SYS_ARG_PTR, 4, 0, W },     /* getsockopt */
    { 61, SYS_ARG_PTR, 1, 0, W }, { 61, SYS_ARG_PTR, 3, 0, W },     /* wait4 */
    { 65, SYS_ARG_PTR, 1, 0, R },           /* semop */
    { 79, SYS_ARG_BUF, 0, 1, W },           /* getcwd */
    { 89, SYS_ARG_BUF, 1, 2, W },           /* readlink */
    { 96, SYS_ARG_PTR, 0, 0, W }, { 96, SYS_ARG_PTR, 1, 0, W },     /* gettimeofday */
    { 97, SYS_ARG_PTR, 1, 0, W },           /* getrlimit */
    { 98, SYS_ARG_PTR, 1, 0, W },           /* getrusage */
    { 99, SYS_ARG_PTR, 0, 0, W },           /* sysinfo */
    { 100, SYS_ARG_PTR, 0, 0, W },          /* times */
    { 115, SYS_ARG_PTR, 1, 0, W },          /* getgroups */
    { 116, SYS_ARG_PTR, 1, 0, R },          /* setgroups */
    { 118, SYS_ARG_PTR, 0, 0, W }, { 118, SYS_ARG_PTR, 1, 0, W },   /* getresuid */
    { 118, SYS_ARG_PTR, 2, 0, W },
    { 120, SYS_ARG_PTR, 0, 0, W }, { 120, SYS_ARG_PTR, 1, 0, W },   /* getresgid */
    { 120, SYS_ARG_PTR, 2, 0, W },
    { 125, SYS_ARG_PTR, 0, 0, R }, { 125, SYS_ARG_PTR, 1, 0, W },   /* capget */
    { 126, SYS_ARG_PTR, 0, 0, R }, { 126, SYS_ARG_PTR, 1, 0, R },   /* capset */
    { 137, SYS_ARG_PTR, 1, 0, W },          /* statfs */
    { 138, SYS_ARG_PTR, 1, 0, W },          /* fstatfs */
    { 142, SYS_ARG_PTR, 1, 0, R },          /* sched_setparam */
    { 143, SYS_ARG_PTR, 1, 0, W },          /* sched_getparam */
    { 144, SYS_ARG_PTR, 2, 0, R },          /* sched_setscheduler */
    { 148, SYS_ARG_PTR, 1, 0, W },          /* sched_rr_get_interval */
    { 160, SYS_ARG_PTR, 1, 0, R },          /* setrlimit */
    { 201, SYS_ARG_PTR, 0, 0, W },          /* time */
    { 203, SYS_ARG_BUF, 2, 1, R },          /* sched_setaffinity */
    { 204, SYS_ARG_BUF, 2, 1, W },          /* sched_getaffinity */
    { 220, SYS_ARG_PTR, 1, 0, R }, { 220, SYS_ARG_PTR, 3, 0, R },   /* semtimedop */
    { 228, SYS_ARG_PTR, 1, 0, W },          /* clock_gettime */
    { 229, SYS_ARG_PTR, 1, 0, W },          /* clock_getres */
    { 230, SYS_ARG_PTR, 2, 0, R }, { 230, SYS_ARG_PTR, 3, 0, W },   /* clock_nanosleep */
    { 247, SYS_ARG_PTR, 2, 0, W }, { 247, SYS_ARG_PTR, 4, 0, W },   /* waitid */
    { 267, SYS_ARG_BUF, 2, 3, W },          /* readlinkat */
    { 275, SYS_ARG_PTR, 1, 0, R }, { 275, SYS_ARG_PTR, 3, 0, R },   /* splice (offsets) */
    { 280, SYS_ARG_PTR, 2, 0, R },          /* utimensat */
    { 286, SYS_ARG_PTR, 2, 0, R }, { 286, SYS_ARG_PTR, 3, 0, W },   /* timerfd_settime */
    { 287, SYS_ARG_PTR, 1, 0, W },          /* timerfd_gettime */
    { 288, SYS_ARG_PTR, 1, 0, W }, { 288, SYS_ARG_PTR, 2, 0, W },   /* accept4 */
    { 293, SYS_ARG_PTR, 0, 0, W },          /* pipe2 */
    { 295, SYS_ARG_IOV, 1, 2, W },          /* preadv */
    { 296, SYS_ARG_IOV, 1, 2, R },          /* pwritev */
    { 302, SYS_ARG_PTR, 2, 0, R }, { 302, SYS_ARG_PTR, 3, 0, W },   /* prlimit64 */
    { 309, SYS_ARG_PTR, 0, 0, W }, { 309, SYS_ARG_PTR, 1, 0, W },   /* getcpu */
    { 310, SYS_ARG_IOV, 1, 2, W },          /* process_vm_readv (local; remote: its handler) */
    { 311, SYS_ARG_IOV, 1, 2, R },          /* process_vm_writev */
    { 318, SYS_ARG_BUF, 0, 1, W },          /* getrandom */
    { 326, SYS_ARG_PTR, 1, 0, R }, { 326, SYS_ARG_PTR, 3, 0, R },   /* copy_file_range (offsets) */
    { 327, SYS_ARG_IOV, 1, 2, W },          /* preadv2 */
    { 328, SYS_ARG_IOV, 1, 2, R },          /* pwritev2 */
};
#undef R
#undef W
#define SYS_ARGS_ROWS (sizeof sys_buf_args / sizeof sys_buf_args[0])

#define SYS_IOV_MAX 1024                    /* UIO_MAXIOV: beyond, EINVAL first */

static void *sys_no_access_page;
static pthread_once_t sys_no_access_once = PTHREAD_ONCE_INIT;

static void sys_no_access_map(void)
{
    void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sys_no_access_page = p == MAP_FAILED ? NULL : p;
}

/* An address every access to faults, the guest's or not (NULL if ferry
 * could not map one: the host then sees a NULL pointer, also unmapped). */
static uint64_t sys_no_access(void)
{
    pthread_once(&sys_no_access_once, sys_no_access_map);
    return (uint64_t)(uintptr_t)sys_no_access_page;
}

/* A buffer that runs out of the guest's pages: its bytes in a bounce
 * buffer that ends where an inaccessible page begins, so the host kernel
 * meets the fault at the same offset as Linux would in the guest (a pipe
 * write of up to PIPE_BUF bytes fails whole, a file write is short);
 * what the kernel wrote there is copied back afterwards. */
struct sys_bounce {
    void *map;
    size_t map_len;
    char *data;
    uint64_t guest, ok, before;     /* before: bytes of earlier iovecs */
    bool write;
    struct iovec *iov;              /* an iovec array's copy, or NULL */
};

static struct sys_bounce *sys_bounce_new(uint64_t guest, uint64_t ok, bool write)
{
    size_t room = (ok + 4095) & ~(size_t)4095;
    struct sys_bounce *b = calloc(1, sizeof *b);
    void *m = b ? mmap(NULL, room + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                : MAP_FAILED;
    if (m == MAP_FAILED || mprotect((char *)m + room, 4096, PROT_NONE) != 0) {
        if (m != MAP_FAILED)
            munmap(m, room + 4096);
        free(b);
        return NULL;
    }
    *b = (struct sys_bounce){ m, room + 4096, (char *)m + room - ok, guest, ok, 0, write, NULL };
    memcpy(b->data, sys_ptr(guest), ok);
    return b;
}

/* One (ptr, len) pair: NULL when the guest has it all (or none of it:
 * then the pointer is made to fault), else a bounce buffer in its place. */
static struct sys_bounce *sys_fix_buf(uint64_t *ptr, uint64_t len, bool write)
{
    if (*ptr < 4096 || len == 0)
        return NULL;
    uint64_t ok = sys_guest_accessible(*ptr, len, write);
    if (ok == len)
        return NULL;
    if (ok == 0) {
        *ptr = sys_no_access();
        return NULL;
    }
    struct sys_bounce *b = sys_bounce_new(*ptr, ok, write);
    if (b)
        *ptr = (uint64_t)(uintptr_t)b->data;
    else
        *ptr = sys_no_access();     /* no memory for it: fail whole */
    return b;
}

/* An iovec array: checked itself, then each element; at the first one
 * that leaves the guest's pages Linux stops, so the copy given to the
 * host ends there (with that element bounced or made to fault). */
static struct sys_bounce *sys_fix_iov(uint64_t *arr, uint64_t *count, bool write)
{
    uint64_t n = *count, before = 0;
    if (*arr < 4096 || n == 0 || n > SYS_IOV_MAX)
        return NULL;
    if (!sys_guest_access_ok(*arr, n * sizeof(struct iovec), false)) {
        *arr = sys_no_access();
        return NULL;
    }
    const struct iovec *v = sys_ptr(*arr);
    for (uint64_t i = 0; i < n; before += v[i].iov_len, i++) {
        uint64_t base = (uintptr_t)v[i].iov_base, len = v[i].iov_len;
        if (base < 4096 || len == 0 || sys_guest_accessible(base, len, write) == len)
            continue;
        struct iovec *copy = malloc((i + 1) * sizeof *copy);
        if (!copy)
            return NULL;
        struct sys_bounce *b = sys_fix_buf(&base, len, write);
        if (!b && !(b = calloc(1, sizeof *b))) {
            free(copy);
            return NULL;
        }
        memcpy(copy, v, i * sizeof *copy);
        copy[i] = (struct iovec){ (void *)(uintptr_t)base, len };
        b->iov = copy;
        b->before = before;
        *arr = (uint64_t)(uintptr_t)copy;
        *count = i + 1;
        return b;
    }
    return NULL;
}

static uint8_t sys_args_first[512];     /* row + 1 of each syscall; 0: none */
static pthread_once_t sys_args_once = PTHREAD_ONCE_INIT;

static void sys_args_index(void)
{
    for (size_t i = SYS_ARGS_ROWS; i-- > 0;)
        sys_args_first[sys_buf_args[i].nr] = (uint8_t)(i + 1);
}

/* The first row of syscall nr, or NULL. */
static const struct sys_buf_arg *sys_buf_arg_of(uint64_t nr)
{
    pthread_once(&sys_args_once, sys_args_index);
    return nr < 512 && sys_args_first[nr] ? &sys_buf_args[sys_args_first[nr] - 1] : NULL;
}

/* One row: a fixed-size structure is only made to fault; a buffer or an
 * iovec may need a bounce buffer or a copy (returned). */
static struct sys_bounce *sys_fix_arg(const struct sys_buf_arg *b, uint64_t *a)
{
    if (b->kind == SYS_ARG_IOV)
        return sys_fix_iov(&a[b->ptr], &a[b->len], b->write);
    if (b->kind == SYS_ARG_BUF)
        return sys_fix_buf(&a[b->ptr], a[b->len], b->write);
    if (a[b->ptr] >= 4096 && !sys_guest_access_ok(a[b->ptr], 1, b->write))
        a[b->ptr] = sys_no_access();
    return NULL;
}

/* Paths: the strace format's 's' arguments. */
static void sys_fix_paths(const struct sys_entry *e, uint64_t *a)
{
    const char *f = e->fmt;
    if (*f == '!')
        f++;
    for (int i = 0; i < 6 && f[i] && f[i] != '='; i++)
        if (f[i] == 's' && a[i] >= 4096 && sys_guest_strnlen(a[i], 4096) < 0)
            a[i] = sys_no_access();
}

void *sys_guest_args_fix(const struct sys_entry *e, uint64_t *a)
{
    if (!sys_engine || !e || !e->handler)
        return NULL;
    sys_stack_grow_args(e, a);
    sys_fix_paths(e, a);
    struct sys_bounce *fixed = NULL;    /* (at most one row of a call needs one) */
    for (const struct sys_buf_arg *b = sys_buf_arg_of(e->nr);
         b && b < sys_buf_args + SYS_ARGS_ROWS && b->nr == e->nr; b++) {
        struct sys_bounce *f = sys_fix_arg(b, a);
        fixed = f ? f : fixed;
    }
    return fixed;
}

/* After the handler: what the kernel read into a bounce buffer goes to
 * the guest's bytes (ret counts from the first iovec). */
void sys_guest_args_done(void *fixed, int64_t ret)
{
    struct sys_bounce *b = fixed;
    if (!b)
        return;
    if (b->write && b->map && ret > 0 && (uint64_t)ret > b->before) {
        uint64_t n = (uint64_t)ret - b->before;
        memcpy(sys_ptr(b->guest), b->data, n < b->ok ? n : b->ok);
    }
    if (b->map)
        munmap(b->map, b->map_len);
    free(b->iov);
    free(b);
}
