/* sys_ferry_fd.c -- ferry's own descriptors (the log and --strace stream,
 * the --perfmap file, the code cache's memfd, ferry's binary) kept out of
 * the guest's way.
 *
 * A guest owns its whole fd space: shells redirect onto numbers like 900
 * (`( cmd ) 900>lock`), programs dup2 onto high numbers, close 0-2, close
 * everything from 3 up, or lower RLIMIT_NOFILE and open files up to it.
 * So ferry's descriptors sit where the guest cannot reach them: from the
 * soft RLIMIT_NOFILE up (created there by raising the soft limit for the
 * dup, which the hard limit allows; the limit itself stays the guest's),
 * moved again whenever the guest sets its limit.  Where that cannot be
 * (soft = hard, as a container's 1M/1M or `prlimit --nofile=N:N` leave it,
 * or a soft limit above SYS_FERRY_FD_ABOVE_MAX, which would grow the fd
 * table and every fork's copy of it) they sit at the top of the guest's
 * space, just under min(soft limit, SYS_FERRY_FD_ABOVE_MAX), until the
 * guest needs those numbers: when its call fails with EMFILE, or it dup2s
 * onto one with no number free to move it to, ferry gives up the
 * descriptors it can do without (sys_ferry_fd_give_up: its binary's, the
 * code cache's memfd) and the guest gets every number
 * it gets natively.  They are close-on-exec, and:
 *  - the log is a stream over a slot, not over a number: when the guest
 *    dup2s onto ferry's number, ferry's file first moves to another free
 *    number and the guest gets the number, as it would natively;
 *  - the guest's close of ferry's number fails with EBADF (natively
 *    nothing is open there), and close_range steps around them;
 *  - --strace keeps writing to the stderr ferry started with, whatever the
 *    guest does to its own fd 2.
 * Descriptors the kernel allocates for the guest (lowest free, below the
 * soft limit) never land there unless, in the fallback, the guest has
 * used up everything below. */
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
#include "translator.h"

#define SYS_FERRY_SLOTS 7
#define SYS_FERRY_FD_TOP 1024
/* The highest soft limit ferry's descriptors go above, and the top of
 * the fallback's place under it: the kernel's fd table (and the copy each
 * fork makes of it, up to the highest open number) grows to the highest
 * descriptor. */
#define SYS_FERRY_FD_ABOVE_MAX 65536
/* How far above the soft limit they may go when the guest's own
 * descriptors (opened before it lowered the limit) are there. */
#define SYS_FERRY_FD_ABOVE_ROOM 256

/* ferry's descriptor per slot, -1 when free.  Read by writers on any
 * thread, changed only by the guest's dup2 and setrlimit paths. */
static int sys_ferry_fd[SYS_FERRY_SLOTS] = { -1, -1, -1, -1, -1, -1, -1 };
/* A slot given up to the guest (sys_ferry_fd_give_up) holds this, never
 * -1: whoever kept its address (the code cache's writes) must not find another
 * file there later. */
#define SYS_FERRY_GIVEN_UP (-2)
/* Slots whose descriptor ferry can do without (sys_ferry_fd_droppable). */
static bool sys_ferry_droppable[SYS_FERRY_SLOTS];

/* The range ferry's descriptors go to for the limits rl: [lo, hi),
 * searched upwards when above the soft limit, downwards in the fallback
 * under it. */
struct sys_fd_range {
    int lo, hi;
    bool above;
};

static struct sys_fd_range sys_fd_range_for(const struct rlimit *rl)
{
    rlim_t soft = rl->rlim_cur;
    if (soft <= SYS_FERRY_FD_ABOVE_MAX && rl->rlim_max >= soft + SYS_FERRY_SLOTS) {
        /* room for a few guest descriptors already open up there */
        rlim_t hi = soft + SYS_FERRY_FD_ABOVE_ROOM;
        if (hi > rl->rlim_max)
            hi = rl->rlim_max;
        return (struct sys_fd_range){ (int)soft, (int)hi, true };
    }
    /* the top of the guest's space, where a guest meets them last (under
     * 1024 they took two numbers a select() loop can use, and made a gap
     * in a long run of opens) */
    int top = soft > SYS_FERRY_FD_ABOVE_MAX ? SYS_FERRY_FD_ABOVE_MAX : soft > 16 ? (int)soft : 16;
    return (struct sys_fd_range){ 3, top, false };
}

/* The guest's soft RLIMIT_NOFILE while the real one is raised for
 * ferry's own opens around an execve (in the ferry before it, and in the
 * new one until the guest's first instruction); 0 when the real one is
 * the guest's. */
static uint64_t sys_nofile_soft_raised;

static struct sys_fd_range sys_fd_range(void)
{
    struct rlimit rl = { SYS_FERRY_FD_TOP, SYS_FERRY_FD_TOP };
    getrlimit(RLIMIT_NOFILE, &rl);
    if (sys_nofile_soft_raised)
        rl.rlim_cur = sys_nofile_soft_raised;
    return sys_fd_range_for(&rl);
}

bool sys_ferry_fd_is(int fd)
{
    for (int k = 0; k < SYS_FERRY_SLOTS; k++)
        if (fd >= 0 && __atomic_load_n(&sys_ferry_fd[k], __ATOMIC_ACQUIRE) == fd)
            return true;
    return false;
}

static bool sys_fd_free(int n, int avoid)
{
    return n != avoid && !sys_ferry_fd_is(n) && fcntl(n, F_GETFD) == -1 && errno == EBADF;
}

/* dup3(fd, n, O_CLOEXEC), n at or above the soft limit too: the soft
 * limit is raised for the call and put back (a guest thread opening a
 * file meanwhile could get one number over its limit). */
static int sys_fd_dup_at(int fd, int n)
{
    struct rlimit rl, up;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    bool raise = (rlim_t)n >= rl.rlim_cur;
    up = (struct rlimit){ (rlim_t)n + 1, rl.rlim_max };
    if (raise && setrlimit(RLIMIT_NOFILE, &up) != 0)
        return -1;
    int r = dup3(fd, n, O_CLOEXEC);
    if (raise)
        setrlimit(RLIMIT_NOFILE, &rl);
    return r == n ? n : -1;
}

/* A copy of fd at a free number of range r other than `avoid`; -1 if
 * none. */
static int sys_fd_move_in(int fd, int avoid, struct sys_fd_range r)
{
    if (r.above) {
        for (int n = r.lo; n < r.hi; n++)
            if (sys_fd_free(n, avoid))
                return sys_fd_dup_at(fd, n);
        return -1;
    }
    for (int n = r.hi - 1; n >= r.lo; n--)
        if (sys_fd_free(n, avoid))
            return sys_fd_dup_at(fd, n);
    return -1;
}

/* A copy of fd where ferry's descriptors go now, other than `avoid`; -1
 * if there is no room. */
static int sys_fd_move_high(int fd, int avoid)
{
    return sys_fd_move_in(fd, avoid, sys_fd_range());
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
 * (fd then stays where it is, the caller's to close). */
const int *sys_ferry_fd_adopt(int fd)
{
    int *slot = sys_ferry_slot_claim(fd);
    if (slot)
        close(fd);
    return slot;
}

/* As sys_ferry_fd_adopt, but with no free number where they go (the guest
 * took every one below a soft limit equal to the hard one) fd stays, as
 * ferry's, where the kernel gave it -- the top of the guest's space when
 * it is full.  Only for what ferry must hold over a guest exec or vfork. */
const int *sys_ferry_fd_adopt_in_place(int fd)
{
    const int *slot = sys_ferry_fd_adopt(fd);
    for (int k = 0; !slot && fd > 2 && k < SYS_FERRY_SLOTS; k++) {
        int expect = -1;
        if (__atomic_compare_exchange_n(&sys_ferry_fd[k], &expect, fd, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            slot = &sys_ferry_fd[k];
    }
    return slot;
}

/* The slot's descriptor may be given up to a guest that needs its number
 * (main.c's keep_fd: the code cache's memfd; ferry's
 * binary, opened again by path for an exec). */
void sys_ferry_fd_droppable(const int *slot)
{
    if (slot)
        sys_ferry_droppable[slot - sys_ferry_fd] = true;
}

/* ferry's droppable descriptors under the soft limit given up (the code
 * cache first onto one mapping, tr_code_fd_drop; a slot it still needs,
 * with other threads running code, stays).  `only`: just that number's.
 * True when one was closed. */
static bool sys_ferry_fd_drop(int only)
{
    struct rlimit rl;
    bool any = false;
    if (sys_nofile_soft_raised || getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return false;
    for (int k = 0; k < SYS_FERRY_SLOTS; k++) {
        int fd = __atomic_load_n(&sys_ferry_fd[k], __ATOMIC_ACQUIRE);
        if (fd < 0 || (rlim_t)fd >= rl.rlim_cur || !sys_ferry_droppable[k] || (only >= 0 && fd != only) ||
            sys_exec_self_reserve(&sys_ferry_fd[k]) || !tr_code_fd_drop(sys_engine, &sys_ferry_fd[k]))
            continue;
        __atomic_store_n(&sys_ferry_fd[k], SYS_FERRY_GIVEN_UP, __ATOMIC_RELEASE);
        sys_ferry_droppable[k] = false;
        close(fd);
        any = true;
    }
    return any;
}

/* The guest's call failed with EMFILE: if it took every number but
 * ferry's (soft = hard, ferry's at the top of its space), those numbers
 * are the guest's, as natively; true when the call is to be made again. */
bool sys_ferry_fd_give_up(void)
{
    return sys_ferry_fd_short(1) && sys_ferry_fd_drop(-1);
}

/* fd's file under the slot's number (that may be over the soft limit)
 * instead of the one there; fd is closed. */
bool sys_ferry_fd_replace(const int *slot, int fd)
{
    int n = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    bool ok = n >= 0 && sys_fd_dup_at(fd, n) == n;
    close(fd);
    return ok;
}

/* The slot's descriptor closed and the slot free again. */
void sys_ferry_fd_release(const int *slot)
{
    int fd = __atomic_exchange_n((int *)slot, -1, __ATOMIC_ACQ_REL);
    sys_ferry_droppable[slot - sys_ferry_fd] = false;
    if (fd >= 0)
        close(fd);
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

static void sys_nofile_inherit(void);
static void sys_nofile_soft_take(void);

/* The log (stderr or -D FILE) moves out of the guest's way, if anything
 * will be written to it. */
void sys_ferry_fd_init(void)
{
    sys_nofile_inherit();
    sys_nofile_soft_take();
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
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rlim_t)fd >= rl.rlim_cur)
            return 0;   /* over the guest's limit: the kernel's dup3 gives EBADF */
        int high = sys_fd_move_high(fd, fd);
        if (high < 0)       /* no number free: the guest's natively */
            return sys_ferry_fd_drop(fd) ? 0 : -EMFILE;
        __atomic_store_n(&sys_ferry_fd[k], high, __ATOMIC_RELEASE);
        close(fd);      /* writers that loaded fd may see EBADF: one lost line */
    }
    return 0;
}

static int sys_ferry_fd_next(unsigned from, unsigned last);

/* Before the guest's F_DUPFD(arg): when the number the kernel would give
 * the guest natively (the lowest free one from arg) is ferry's, ferry's
 * file moves first (the fallback, under the soft limit, only).  0 or
 * -EMFILE. */
int sys_ferry_fd_dupfd_yield(long arg)
{
    struct rlimit rl;
    if (arg < 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0 || (rlim_t)arg >= rl.rlim_cur)
        return 0;
    int ferry = sys_ferry_fd_next((unsigned)arg, (unsigned)rl.rlim_cur - 1);
    for (int n = (int)arg; ferry >= 0 && n <= ferry; n++) {
        if (n == ferry)
            return sys_ferry_fd_yield(n);
        if (fcntl(n, F_GETFD) == -1 && errno == EBADF)
            return 0;
    }
    return 0;
}

/* The lowest of ferry's descriptors in [from, last], -1 if none. */
static int sys_ferry_fd_next(unsigned from, unsigned last)
{
    int best = -1;
    for (int k = 0; k < SYS_FERRY_SLOTS; k++) {
        int fd = __atomic_load_n(&sys_ferry_fd[k], __ATOMIC_ACQUIRE);
        if (fd >= 0 && (unsigned)fd >= from && (unsigned)fd <= last && (best < 0 || fd < best))
            best = fd;
    }
    return best;
}

/* close_range(first, last, flags) without ferry's descriptors (under or
 * over the guest's limit): the pieces between them, in order; the first
 * failure is the result. */
int64_t sys_ferry_close_range(unsigned first, unsigned last, unsigned flags)
{
    unsigned from = first;
    if (first > last)
        return sys_ret(syscall(SYS_close_range, first, last, flags));    /* EINVAL */
    for (int fd; from <= last && (fd = sys_ferry_fd_next(from, last)) >= 0; from = (unsigned)fd + 1) {
        if ((unsigned)fd > from && syscall(SYS_close_range, from, fd - 1, flags) != 0)
            return -errno;
        if ((unsigned)fd == last)
            return 0;
    }
    if (from > last)
        return 0;
    return sys_ret(syscall(SYS_close_range, from, last, flags));
}

/* The hard RLIMIT_NOFILE the guest set when ferry keeps the real one a
 * few numbers higher (0: the real one is the guest's).  A guest that sets
 * soft and hard together (a shell's `ulimit -n 100`) would otherwise
 * leave no number above its soft limit for ferry, in this process and in
 * the ferry it execs (passed on in SYS_EXEC_NOFILE_HARD_ENV). */
static uint64_t sys_nofile_hard;

uint64_t sys_ferry_fd_nofile_hard(uint64_t real)
{
    return sys_nofile_hard ? sys_nofile_hard : real;
}

/* CAP_SYS_RESOURCE, which lets a process raise its hard limit. */
static bool sys_cap_sys_resource(void)
{
    struct { uint32_t version; int pid; } head = { 0x20080522, 0 };     /* _LINUX_CAPABILITY_VERSION_3 */
    struct { uint32_t effective, permitted, inheritable; } data[2];
    return syscall(SYS_capget, &head, data) == 0 && (data[0].effective & (1u << 24));
}

/* The guest's setrlimit(RLIMIT_NOFILE, {soft, hard}): checked against the
 * hard limit it set, ferry's descriptors moved above the new soft limit
 * before it is set (a lowered hard limit leaves no room after) and back
 * if the kernel refuses it.  0 or -errno. */
int64_t sys_ferry_fd_set_nofile(uint64_t soft, uint64_t hard)
{
    struct rlimit now, real = { soft, hard };
    if (getrlimit(RLIMIT_NOFILE, &now) != 0)
        return -errno;
    if (soft > hard)
        return -EINVAL;
    if (hard > sys_ferry_fd_nofile_hard(now.rlim_max) && hard <= now.rlim_max && !sys_cap_sys_resource())
        return -EPERM;
    if (soft <= SYS_FERRY_FD_ABOVE_MAX && hard < soft + SYS_FERRY_SLOTS) {
        rlim_t room = soft + SYS_FERRY_SLOTS < now.rlim_max ? soft + SYS_FERRY_SLOTS : now.rlim_max;
        real.rlim_max = room > hard ? room : hard;
    }
    sys_ferry_fd_place(soft);
    if (setrlimit(RLIMIT_NOFILE, &real) != 0) {
        int err = errno;
        sys_ferry_fd_place(now.rlim_cur);
        return -err;
    }
    sys_nofile_hard = real.rlim_max != hard ? hard : 0;
    sys_ferry_fd_place(soft);       /* a raised hard limit may make room */
    return 0;
}

/* "VAR=hard" for the new ferry's environment, "" when the real hard
 * limit is the guest's. */
void sys_ferry_fd_nofile_pass(char *buf, size_t len)
{
    snprintf(buf, len, sys_nofile_hard ? "%s=%llu" : "", SYS_EXEC_NOFILE_HARD_ENV,
             (unsigned long long)sys_nofile_hard);
}

/* The guest's hard limit from the ferry before the execve, if the real
 * one is still within ferry's margin over it. */
static void sys_nofile_inherit(void)
{
    const char *s = getenv(SYS_EXEC_NOFILE_HARD_ENV);
    struct rlimit rl;
    uint64_t v = s ? strtoull(s, NULL, 10) : 0;
    if (v && getrlimit(RLIMIT_NOFILE, &rl) == 0 && v < rl.rlim_max && rl.rlim_max <= v + SYS_FERRY_SLOTS)
        sys_nofile_hard = v;
    unsetenv(SYS_EXEC_NOFILE_HARD_ENV);
}

/* Whether fd is where ferry's descriptors belong in range r: above the
 * soft limit within the range, or (fallback) out of the guest's reach
 * anyway or already at the top of its space. */
static bool sys_fd_placed(int fd, struct sys_fd_range r, rlim_t soft)
{
    if (r.above)
        return fd >= r.lo && fd < r.hi;
    return (rlim_t)fd >= soft || (fd >= r.hi - SYS_FERRY_SLOTS && fd < r.hi);
}

/* ferry's descriptors moved to where they belong for a guest soft limit
 * `soft` (the hard limit stays what it is now: the new one may be lower,
 * so this runs before it is set); a descriptor that finds no room stays. */
void sys_ferry_fd_place(uint64_t soft)
{
    struct rlimit now = { SYS_FERRY_FD_TOP, SYS_FERRY_FD_TOP };
    getrlimit(RLIMIT_NOFILE, &now);
    struct rlimit rl = { soft, now.rlim_max };
    struct sys_fd_range r = sys_fd_range_for(&rl);
    for (int k = 0; k < SYS_FERRY_SLOTS; k++) {
        int fd = __atomic_load_n(&sys_ferry_fd[k], __ATOMIC_ACQUIRE), to;
        if (fd < 0 || sys_fd_placed(fd, r, soft) || (to = sys_fd_move_in(fd, -1, r)) < 0)
            continue;
        __atomic_store_n(&sys_ferry_fd[k], to, __ATOMIC_RELEASE);
        close(fd);      /* writers that loaded fd may see EBADF: one lost line */
    }
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

/* Which arguments of a syscall are descriptors (FD) or a directory
 * descriptor followed by its path (DIR).  Natively nothing is open at
 * ferry's numbers, so a guest call there fails with EBADF (Python's
 * fd_status.py fstat()s every number up to the limit); a DIR argument
 * counts only with a relative or empty path (an absolute one ignores it). */
#define FD(i) (1u << (i))
#define DIR(i) (1u << ((i) + 8))
static const struct { uint16_t nr; uint16_t args; } sys_fd_args[] = {
    { 0, FD(0) },   { 1, FD(0) },   { 5, FD(0) },   { 8, FD(0) },   { 16, FD(0) },
    { 17, FD(0) },  { 18, FD(0) },  { 19, FD(0) },  { 20, FD(0) },  { 40, FD(0) | FD(1) },
    { 42, FD(0) },  { 43, FD(0) },  { 44, FD(0) },  { 45, FD(0) },  { 46, FD(0) },
    { 47, FD(0) },  { 48, FD(0) },  { 49, FD(0) },  { 50, FD(0) },  { 51, FD(0) },
    { 52, FD(0) },  { 54, FD(0) },  { 55, FD(0) },  { 72, FD(0) },  { 73, FD(0) },
    { 74, FD(0) },  { 75, FD(0) },  { 77, FD(0) },  { 78, FD(0) },  { 81, FD(0) },
    { 91, FD(0) },  { 93, FD(0) },  { 138, FD(0) }, { 187, FD(0) }, { 190, FD(0) },
    { 193, FD(0) }, { 196, FD(0) }, { 199, FD(0) }, { 217, FD(0) }, { 221, FD(0) },
    { 232, FD(0) }, { 233, FD(0) | FD(2) },         { 275, FD(0) | FD(2) },
    { 276, FD(0) | FD(1) },         { 277, FD(0) }, { 278, FD(0) }, { 281, FD(0) },
    { 285, FD(0) }, { 286, FD(0) }, { 287, FD(0) }, { 288, FD(0) }, { 295, FD(0) },
    { 296, FD(0) }, { 299, FD(0) }, { 306, FD(0) }, { 307, FD(0) }, { 308, FD(0) },
    { 326, FD(0) | FD(2) },         { 327, FD(0) }, { 328, FD(0) }, { 424, FD(0) },
    { 438, FD(0) }, { 441, FD(0) },
    { 257, DIR(0) }, { 258, DIR(0) }, { 259, DIR(0) }, { 260, DIR(0) }, { 261, DIR(0) },
    { 262, DIR(0) }, { 263, DIR(0) }, { 264, DIR(0) | DIR(2) }, { 265, DIR(0) | DIR(2) },
    { 266, DIR(1) }, { 267, DIR(0) }, { 268, DIR(0) }, { 269, DIR(0) }, { 280, DIR(0) },
    { 303, DIR(0) }, { 316, DIR(0) | DIR(2) }, { 332, DIR(0) }, { 437, DIR(0) },
    { 439, DIR(0) },
};

/* A directory descriptor matters unless its path is absolute. */
static bool sys_dir_path_relative(uint64_t path)
{
    char c = 0;
    return !path || sys_copy_in(&c, path, 1) != 0 || c != '/';
}

static bool sys_ferry_fd_in(uint16_t args, const uint64_t *a)
{
    for (int i = 0; i < 6; i++) {
        bool fd = args & FD(i), dir = args & DIR(i);
        if ((fd || dir) && sys_ferry_fd_is((int)a[i]) && (fd || sys_dir_path_relative(a[i + 1])))
            return true;
    }
    return false;
}

bool sys_ferry_fd_arg(uint64_t nr, const uint64_t *a)
{
    static uint16_t by_nr[512];
    static bool indexed;
    if (!__atomic_load_n(&indexed, __ATOMIC_ACQUIRE)) {
        for (size_t i = 0; i < sizeof sys_fd_args / sizeof sys_fd_args[0]; i++)
            by_nr[sys_fd_args[i].nr] = sys_fd_args[i].args;
        __atomic_store_n(&indexed, true, __ATOMIC_RELEASE);
    }
    return nr < 512 && by_nr[nr] && sys_ferry_fd_in(by_nr[nr], a);
}

/* ---- room for ferry's own opens around a guest execve ----
 * The guest may have taken every number under its soft limit: natively
 * its execve needs none, but ferry's exec path opens the program (its
 * head, its ELF check), writes the tcache file and passes a copy of its
 * binary's descriptor, and the new ferry opens the program, its
 * interpreter, the code cache's memfd and the tcache file before the
 * guest runs.  Where the hard limit allows, the real soft limit is raised
 * by up to SYS_FERRY_EXEC_ROOM for that (ferry's numbers then lie above
 * the guest's limit), across the execve: the new ferry takes the guest's
 * soft limit from SYS_EXEC_NOFILE_SOFT_ENV and sets it back before the
 * guest's first instruction (sys_ferry_fd_started).  Where it does not
 * (soft = hard) sys_exec.c lends the number of ferry's binary's
 * descriptor instead. */
#define SYS_FERRY_EXEC_ROOM 64

/* Raises the real soft limit for the exec path; false (nothing changed)
 * when the hard limit leaves no room over it. */
bool sys_ferry_fd_exec_room(void)
{
    struct rlimit rl, up;
    if (sys_nofile_soft_raised || getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max ||
        rl.rlim_cur == 0)
        return false;
    up = (struct rlimit){ rl.rlim_max - rl.rlim_cur > SYS_FERRY_EXEC_ROOM ? rl.rlim_cur + SYS_FERRY_EXEC_ROOM
                                                                          : rl.rlim_max, rl.rlim_max };
    if (setrlimit(RLIMIT_NOFILE, &up) != 0)
        return false;
    sys_nofile_soft_raised = rl.rlim_cur;
    return true;
}

/* The guest's soft limit back as the real one: after a failed execve, and
 * in the new ferry before the guest's first instruction.  (A guest thread
 * opening a file while it was raised could get a number over its limit;
 * natively the execve ends those threads.) */
void sys_ferry_fd_started(void)
{
    struct rlimit rl;
    uint64_t soft = sys_nofile_soft_raised;
    if (!soft || getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rl.rlim_cur = soft;
    setrlimit(RLIMIT_NOFILE, &rl);
    sys_nofile_soft_raised = 0;
}

/* "VAR=soft" for the new ferry's environment, "" when not raised. */
void sys_ferry_fd_exec_soft_pass(char *buf, size_t len)
{
    snprintf(buf, len, sys_nofile_soft_raised ? "%s=%llu" : "", SYS_EXEC_NOFILE_SOFT_ENV,
             (unsigned long long)sys_nofile_soft_raised);
}

/* The new ferry: the guest's soft limit, when the ferry before raised the
 * real one across the execve (and it is still over the guest's). */
static void sys_nofile_soft_take(void)
{
    const char *s = getenv(SYS_EXEC_NOFILE_SOFT_ENV);
    struct rlimit rl;
    uint64_t v = s ? strtoull(s, NULL, 10) : 0;
    if (v && getrlimit(RLIMIT_NOFILE, &rl) == 0 && v < rl.rlim_cur)
        sys_nofile_soft_raised = v;
    unsetenv(SYS_EXEC_NOFILE_SOFT_ENV);
}

/* Whether fewer than `need` (1-3) numbers are free below the soft limit:
 * a program and its interpreter take two while they are checked or
 * loaded. */
bool sys_ferry_fd_short(int need)
{
    int fd[3] = { -1, -1, -1 }, got = 0, e = 0;
    while (got < need && got < 3 && (fd[got] = open("/", O_PATH | O_CLOEXEC)) >= 0)
        got++;
    e = errno;
    for (int k = 0; k < got; k++)
        close(fd[k]);
    return got < need && e == EMFILE;
}
