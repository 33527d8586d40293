/* sys_ferry_fd.c -- ferry's own descriptors (the log and --strace stream,
 * the --perfmap file) kept out of the guest's way.
 *
 * A guest owns its whole fd space: shells redirect onto numbers like 900
 * (`( cmd ) 900>lock`), programs dup2 onto high numbers, close 0-2, or
 * close everything from 3 up.  So ferry's descriptors sit at the top of
 * the space the guest can use (just under RLIMIT_NOFILE, at most 1024, so
 * a huge limit does not grow the fd table), are close-on-exec, and:
 *  - the log is a stream over a slot, not over a number: when the guest
 *    dup2s onto ferry's number, ferry's file first moves to another free
 *    number and the guest gets the number, as it would natively;
 *  - the guest's close of ferry's number fails with EBADF (natively
 *    nothing is open there), and close_range steps around them;
 *  - --strace keeps writing to the stderr ferry started with, whatever the
 *    guest does to its own fd 2.
 * Descriptors the kernel allocates for the guest (lowest free) never land
 * there unless the guest has used up everything below. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "options.h"
#include "sys_exec.h"
#include "sys_handlers.h"

#define SYS_FERRY_SLOTS 5
#define SYS_FERRY_FD_TOP 1024

/* ferry's descriptor per slot, -1 when free.  Read by writers on any
 * thread, changed only by the guest's dup2 path. */
static int sys_ferry_fd[SYS_FERRY_SLOTS] = { -1, -1, -1, -1, -1 };

static int sys_fd_top(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > SYS_FERRY_FD_TOP)
        return SYS_FERRY_FD_TOP;
    return rl.rlim_cur > 16 ? (int)rl.rlim_cur : 16;
}

bool sys_ferry_fd_is(int fd)
{
    for (int k = 0; k < SYS_FERRY_SLOTS; k++)
        if (fd >= 0 && __atomic_load_n(&sys_ferry_fd[k], __ATOMIC_ACQUIRE) == fd)
            return true;
    return false;
}

/* A copy of fd at the highest free number other than `avoid`; -1 if none. */
static int sys_fd_move_high(int fd, int avoid)
{
    for (int n = sys_fd_top() - 1; n > 2; n--)
        if (n != avoid && !sys_ferry_fd_is(n) && fcntl(n, F_GETFD) == -1 && errno == EBADF)
            return dup3(fd, n, O_CLOEXEC) == n ? n : -1;
    return -1;
}

static ssize_t sys_stream_write(void *cookie, const char *buf, size_t len)
{
    int *slot = cookie;
    for (size_t done = 0; done < len;) {
        ssize_t n = write(__atomic_load_n(slot, __ATOMIC_ACQUIRE), buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return done ? (ssize_t)done : -1;
        done += (size_t)n;
    }
    return (ssize_t)len;
}

static int sys_stream_close(void *cookie)
{
    int *slot = cookie, fd = __atomic_exchange_n(slot, -1, __ATOMIC_ACQ_REL);
    return fd >= 0 ? close(fd) : 0;
}

/* The first free slot, now holding a high copy of fd (fd itself stays as
 * it is); NULL if there is no room. */
static int *sys_ferry_slot_claim(int fd)
{
    for (int k = 0; k < SYS_FERRY_SLOTS; k++) {
        int expect = -1, high = -1;
        if (__atomic_load_n(&sys_ferry_fd[k], __ATOMIC_ACQUIRE) != -1 || (high = sys_fd_move_high(fd, -1)) < 0)
            continue;
        if (__atomic_compare_exchange_n(&sys_ferry_fd[k], &expect, high, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return &sys_ferry_fd[k];
        close(high);
    }
    return NULL;
}

/* A stream over a high copy of fd (fd itself stays as it is); NULL if
 * there is no room. */
static FILE *sys_ferry_stream(int fd, bool unbuffered, int **slot)
{
    static const cookie_io_functions_t io = { .write = sys_stream_write, .close = sys_stream_close };
    if (!(*slot = sys_ferry_slot_claim(fd)))
        return NULL;
    FILE *f = fopencookie(*slot, "w", io);
    if (f && unbuffered)
        setvbuf(f, NULL, _IONBF, 0);
    return f;
}

/* ferry's own plain descriptor (the O_PATH one of its binary, for guest
 * execve) moved into a slot like the log's: the guest's dup2 onto it moves
 * it, its close gets EBADF.  Returns the slot, NULL if there is no room
 * (fd then stays where it is). */
const int *sys_ferry_fd_adopt(int fd)
{
    int *slot = sys_ferry_slot_claim(fd);
    if (slot)
        close(fd);
    return slot;
}

FILE *sys_ferry_fopen(const char *path, const char *mode)
{
    FILE *plain = fopen(path, mode);
    if (!plain)
        return NULL;
    int *slot;
    FILE *f = sys_ferry_stream(fileno(plain), false, &slot);
    if (!f)
        return plain;
    fclose(plain);
    return f;
}

/* The slot of the log when it is ferry's stderr (not -D FILE): passed on
 * across the guest's execve, so the new ferry logs there too. */
static int *sys_log_slot;

/* The stderr a ferry exec'ed by the guest inherits from the one before
 * (SYS_EXEC_LOG_FD_ENV), or ferry's own. */
static int sys_log_source(void)
{
    const char *s = getenv(SYS_EXEC_LOG_FD_ENV);
    int fd = s ? atoi(s) : -1;
    unsetenv(SYS_EXEC_LOG_FD_ENV);
    return fd > 2 && fcntl(fd, F_GETFD) != -1 ? fd : 2;
}

/* The log (stderr or -D FILE) moves out of the guest's way, if anything
 * will be written to it. */
void sys_ferry_fd_init(void)
{
    bool logging = ferry_opts.strace || ferry_opts.log_mask || ferry_opts.stats || ferry_log != stderr;
    int src = ferry_log == stderr ? sys_log_source() : fileno(ferry_log);
    if (!logging) {
        if (src > 2)
            close(src);
        return;
    }
    int *slot;
    FILE *f = sys_ferry_stream(src, ferry_log == stderr, &slot);
    if (src > 2 && ferry_log == stderr)
        close(src);
    if (!f)
        return;
    if (ferry_log != stderr)
        fclose(ferry_log);
    else
        sys_log_slot = slot;
    ferry_log = f;
}

/* The guest is about to get `fd` (dup2/dup3 onto it): ferry's file there
 * moves elsewhere first.  0, or -EMFILE when there is no room left. */
int sys_ferry_fd_yield(int fd)
{
    for (int k = 0; k < SYS_FERRY_SLOTS; k++) {
        if (fd < 0 || __atomic_load_n(&sys_ferry_fd[k], __ATOMIC_ACQUIRE) != fd)
            continue;
        int high = sys_fd_move_high(fd, fd);
        if (high < 0)
            return -EMFILE;
        __atomic_store_n(&sys_ferry_fd[k], high, __ATOMIC_RELEASE);
        close(fd);      /* writers that loaded fd may see EBADF: one lost line */
    }
    return 0;
}

/* close_range(first, last, flags) without ferry's descriptors: the pieces
 * between them, in order; the first failure is the result. */
int64_t sys_ferry_close_range(unsigned first, unsigned last, unsigned flags)
{
    unsigned from = first;
    for (unsigned fd = first; fd <= last && fd < (unsigned)sys_fd_top(); fd++) {
        if (!sys_ferry_fd_is((int)fd))
            continue;
        if (fd > from && syscall(SYS_close_range, from, fd - 1, flags) != 0)
            return -errno;
        from = fd + 1;
    }
    if (from > last || from == 0)
        return 0;
    return sys_ret(syscall(SYS_close_range, from, last, flags));
}

SYS_HANDLER(sys_close_range)
{
    return sys_ferry_close_range((unsigned)a[0], (unsigned)a[1], (unsigned)a[2]);
}

/* Before the guest's execve (true) and after it failed (false): ferry's
 * stderr survives the exec for the new ferry's log.  With buf, only fills
 * in "VAR=fd" for the new environment ("" when there is nothing to pass). */
void sys_ferry_fd_pass(bool before_exec, char *buf, size_t len)
{
    int fd = sys_log_slot ? __atomic_load_n(sys_log_slot, __ATOMIC_ACQUIRE) : -1;
    if (buf)
        snprintf(buf, len, fd < 0 ? "" : "%s=%d", SYS_EXEC_LOG_FD_ENV, fd);
    else if (fd >= 0)
        fcntl(fd, F_SETFD, before_exec ? 0 : FD_CLOEXEC);
}
