/* sys_flags.c -- pure guest <-> host conversions (fuzzed: tests/fuzz/):
 * open(2) flags -- four bits (O_DIRECT, O_LARGEFILE, O_DIRECTORY,
 * O_NOFOLLOW) sit in different places on x86-64 and on arm64, so every
 * guest bit is translated through this table -- mmap(2) flags and struct
 * sigevent. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "sys_internal.h"

/* The host kernel's O_LARGEFILE: libc says 0 on 64-bit hosts, but the
 * kernel still reports it in F_GETFL; it is the one of the four moving
 * bits that is none of the other three. */
#define SYS_HOST_O_LARGEFILE \
    ((040000 | 0100000 | 0200000 | 0400000) & ~(O_DIRECTORY | O_NOFOLLOW | O_DIRECT))

static const struct { uint64_t guest; int host; } sys_open_flag_map[] = {
    { 01, O_WRONLY },             { 02, O_RDWR },
    { 0100, O_CREAT },            { 0200, O_EXCL },
    { 0400, O_NOCTTY },           { 01000, O_TRUNC },
    { 02000, O_APPEND },          { 04000, O_NONBLOCK },
    { 010000, O_DSYNC },          { 020000, O_ASYNC },
    { 040000, O_DIRECT },         { 0100000, SYS_HOST_O_LARGEFILE },
    { 0200000, O_DIRECTORY },     { 0400000, O_NOFOLLOW },
    { 01000000, O_NOATIME },      { 02000000, O_CLOEXEC },
    { 04000000, O_SYNC & ~O_DSYNC }, { 010000000, O_PATH },
    { 020000000, O_TMPFILE & ~O_DIRECTORY },
};
#define SYS_N_OPEN_FLAGS (sizeof sys_open_flag_map / sizeof sys_open_flag_map[0])

int sys_open_flags_to_host(uint64_t guest)
{
    int host = 0;
    for (size_t i = 0; i < SYS_N_OPEN_FLAGS; i++)
        if (guest & sys_open_flag_map[i].guest)
            host |= sys_open_flag_map[i].host;
    return host;
}

uint64_t sys_open_flags_to_guest(int host)
{
    uint64_t guest = 0;
    for (size_t i = 0; i < SYS_N_OPEN_FLAGS; i++)
        if (host & sys_open_flag_map[i].host)
            guest |= sys_open_flag_map[i].guest;
    return guest;
}

/* mmap(2) flags: the same values on x86-64 and arm64 today, but each
 * guest bit is named here so that a host where one differs only needs its
 * column changed.  MAP_32BIT (0x40, x86 only) is not here: sys_mmap asks
 * for low memory with a hint instead. */
static const struct { uint64_t guest; int host; } sys_map_flag_map[] = {
    { 0x01, MAP_SHARED },         { 0x02, MAP_PRIVATE },
    { 0x10, MAP_FIXED },          { 0x80000, MAP_SYNC },
    { 0x20, MAP_ANONYMOUS },      { 0x100, MAP_GROWSDOWN },
    { 0x800, MAP_DENYWRITE },     { 0x1000, MAP_EXECUTABLE },
    { 0x2000, MAP_LOCKED },       { 0x4000, MAP_NORESERVE },
    { 0x8000, MAP_POPULATE },     { 0x10000, MAP_NONBLOCK },
    { 0x20000, MAP_STACK },       { 0x40000, MAP_HUGETLB },
    { 0x100000, MAP_FIXED_NOREPLACE },
};

/* With MAP_HUGETLB, bits 26-31 hold log2 of the page size wanted
 * (MAP_HUGE_2MB, MAP_HUGE_1GB): a field, the same on every Linux host. */
#define SYS_MAP_HUGE_FIELD (0x3full << 26)

int sys_map_flags_to_host(uint64_t guest)
{
    int host = (int)(guest & SYS_MAP_HUGE_FIELD);
    for (size_t i = 0; i < sizeof sys_map_flag_map / sizeof sys_map_flag_map[0]; i++)
        if (guest & sys_map_flag_map[i].guest)
            host |= sys_map_flag_map[i].host;
    return host;
}

/* The host's kernel sigevent (glibc's struct sigevent has its layout). */
int sys_sigevent_to_host(struct sigevent *h, const struct x86_64_sigevent *g)
{
    memset(h, 0, sizeof *h);
    h->sigev_value.sival_ptr = sys_ptr(g->value);
    h->sigev_signo = g->signo;
    switch (g->notify & ~SYS_SIGEV_THREAD_ID) {
    case SYS_SIGEV_SIGNAL: h->sigev_notify = SIGEV_SIGNAL; break;
    case SYS_SIGEV_NONE: h->sigev_notify = SIGEV_NONE; break;
    default: return -EINVAL;        /* SIGEV_THREAD is not a kernel notification */
    }
    if (g->notify & SYS_SIGEV_THREAD_ID) {
        h->sigev_notify = SIGEV_THREAD_ID;
        h->_sigev_un._tid = g->u.tid;
    }
    return 0;
}
