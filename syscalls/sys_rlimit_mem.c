/* sys_rlimit_mem.c -- the guest's RLIMIT_AS, RLIMIT_DATA and RLIMIT_STACK.  ferry's
 * own memory (code cache, tables, its heap and thread stacks: some
 * hundreds of MB of address space) must not count against the guest's
 * limits, so ferry keeps them itself, as QEMU's and FEX's user modes keep
 * the guest's RLIMIT_AS apart from their own:
 *  - the limits ferry starts with are the guest's; the real soft limits
 *    are then raised to the real hard ones, the most ferry can have;
 *  - getrlimit/setrlimit/prlimit64 of the process's own limits read and
 *    set the guest's values (checked as Linux checks them: soft > hard
 *    EINVAL, raising the hard limit EPERM without CAP_SYS_RESOURCE);
 *  - mmap, mremap, brk, shmat and mprotect fail with ENOMEM where Linux's
 *    may_expand_vm (and brk's check_data_rlimit) would, counted over the
 *    guest's own mappings (the engine's map, the same the guest's
 *    /proc/self/maps lists): total size against RLIMIT_AS, private
 *    writable non-stack pages against RLIMIT_DATA, as Linux 4.7+ does;
 *  - the values travel to the ferry a guest's execve starts
 *    (SYS_EXEC_RLIMIT_MEM_ENV), and become the real limits again before
 *    the kernel runs a program itself (binfmt_misc: sys_exec_by_kernel).
 * A fork keeps them (the same memory).  While both limits are infinite
 * nothing is counted.
 * RLIMIT_STACK is kept too, though ferry needs no more of it: the real
 * one is set as the guest sets it, but a host may not take it (QEMU's
 * user mode drops a setrlimit of RLIMIT_STACK, as of AS and DATA), and
 * the stack's growth (sys_stack_grow.c) and the guest's reads must see
 * what the guest set. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "options.h"
#include "sys_exec.h"
#include "sys_internal.h"
#include "translator.h"

#define SYS_RLIM_PAGE 4096ull
#define SYS_RLIM_CACHE_DEFAULT ((size_t)64 << 20)      /* translator/options.c's */
#define SYS_RLIM_CACHE_MIN ((size_t)1 << 20)

struct sys_rlim {
    uint64_t cur, max;
};

/* The guest's [0] RLIMIT_AS, [1] RLIMIT_DATA and [2] RLIMIT_STACK. */
#define SYS_RLIM_N 3
static const int sys_rlim_res[SYS_RLIM_N] = { RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK };
static struct sys_rlim sys_rlim_mem[SYS_RLIM_N] = { { RLIM_INFINITY, RLIM_INFINITY },
                                                    { RLIM_INFINITY, RLIM_INFINITY },
                                                    { RLIM_INFINITY, RLIM_INFINITY } };
/* The program's data segment as Linux's mm->start_data/end_data (brk's
 * check_data_rlimit counts it with the break). */
static uint64_t sys_rlim_start_data, sys_rlim_end_data;

static int sys_rlim_index(int resource)
{
    for (int i = 0; i < SYS_RLIM_N; i++)
        if (sys_rlim_res[i] == resource)
            return i;
    return -1;
}

bool sys_rlimit_mem_is(int resource)
{
    return sys_rlim_index(resource) >= 0;
}

/* "as_cur,as_max,data_cur,data_max,stack_cur,stack_max" from the ferry
 * before the execve; the
 * hard limits no higher than the real ones (a privileged guest's raise
 * was made real). */
static bool sys_rlim_inherit(void)
{
    const char *s = getenv(SYS_EXEC_RLIMIT_MEM_ENV);
    unsigned long long v[2 * SYS_RLIM_N];
    bool ok = s && sscanf(s, "%llu,%llu,%llu,%llu,%llu,%llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                          &v[5]) == 2 * SYS_RLIM_N;
    unsetenv(SYS_EXEC_RLIMIT_MEM_ENV);
    for (int i = 0; ok && i < SYS_RLIM_N; i++) {
        struct rlimit real;
        if (getrlimit(sys_rlim_res[i], &real) != 0)
            return false;
        sys_rlim_mem[i].max = v[2 * i + 1] < real.rlim_max ? v[2 * i + 1] : real.rlim_max;
        sys_rlim_mem[i].cur = v[2 * i] < sys_rlim_mem[i].max ? v[2 * i] : sys_rlim_mem[i].max;
    }
    return ok;
}

/* Under a finite hard RLIMIT_AS ferry's own memory comes out of it: the
 * code cache (mapped twice, with a block pool of its size beside) shrinks
 * from its default 64 MiB to a sixteenth of the limit, at least 4 MiB,
 * unless --cache-size chose it.  (Measured: python3 -c under `ulimit -v
 * 65536` runs with a 4 or 8 MiB cache, not with 64 MiB.) */
static void sys_rlim_fit_cache(uint64_t hard)
{
    size_t size = SYS_RLIM_CACHE_DEFAULT;
    if (hard == RLIM_INFINITY || ferry_opts.code_cache_size != SYS_RLIM_CACHE_DEFAULT)
        return;
    while (size > SYS_RLIM_CACHE_MIN && size > hard / 16)
        size /= 2;
    ferry_opts.code_cache_size = size;
}

/* At start, before ferry maps its own memory: the guest's limits are the
 * ones ferry was started with (or the exec'ing ferry's guest had), and
 * ferry takes the real soft limits up to the hard ones. */
void sys_rlimit_mem_init(void)
{
    bool inherited = sys_rlim_inherit();
    for (int i = 0; i < SYS_RLIM_N; i++) {
        int res = sys_rlim_res[i];
        struct rlimit real;
        if (getrlimit(res, &real) != 0)
            continue;
        if (!inherited)
            sys_rlim_mem[i] = (struct sys_rlim){ real.rlim_cur, real.rlim_max };
        if (res == RLIMIT_AS)
            sys_rlim_fit_cache(real.rlim_max);
        if (res != RLIMIT_STACK && real.rlim_cur != real.rlim_max) {
            real.rlim_cur = real.rlim_max;
            setrlimit(res, &real);
        }
    }
}

/* Linux's start_data/end_data of the program (load_elf_binary): from the
 * start of its highest PT_LOAD to the furthest end of file contents. */
void sys_rlimit_mem_image(const struct ld_image *img)
{
    const Elf64_Phdr *ph = sys_ptr(img->phdr);
    uint64_t start = 0, end = 0;
    if (!img->phdr || img->phent != sizeof *ph)
        return;
    for (uint64_t i = 0; i < img->phnum; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        start = ph[i].p_vaddr > start ? ph[i].p_vaddr : start;
        end = ph[i].p_vaddr + ph[i].p_filesz > end ? ph[i].p_vaddr + ph[i].p_filesz : end;
    }
    sys_rlim_start_data = start + img->load_bias;
    sys_rlim_end_data = end + img->load_bias;
}

int64_t sys_rlimit_mem_get(int resource, struct rlimit64 *out)
{
    int i = sys_rlim_index(resource);
    if (i < 0)
        return -EINVAL;
    out->rlim_cur = sys_rlim_mem[i].cur;
    out->rlim_max = sys_rlim_mem[i].max;
    return 0;
}

/* CAP_SYS_RESOURCE, which lets a process raise its hard limit. */
static bool sys_rlim_privileged(void)
{
    struct { uint32_t version; int pid; } head = { 0x20080522, 0 };     /* _LINUX_CAPABILITY_VERSION_3 */
    struct { uint32_t effective, permitted, inheritable; } data[2];
    return syscall(SYS_capget, &head, data) == 0 && (data[0].effective & (1u << 24));
}

/* The guest's setrlimit: Linux's checks, and a hard limit raised over the
 * real one (a privileged guest) raised for real. */
int64_t sys_rlimit_mem_set(int resource, const struct rlimit64 *want)
{
    int i = sys_rlim_index(resource);
    struct rlimit real;
    if (i < 0)
        return -EINVAL;
    if (want->rlim_cur > want->rlim_max)
        return -EINVAL;
    if (want->rlim_max > sys_rlim_mem[i].max && !sys_rlim_privileged())
        return -EPERM;
    if (getrlimit(resource, &real) != 0)
        return -errno;
    if (resource == RLIMIT_STACK) {    /* the real one as the guest's (if the host takes it) */
        struct rlimit rl = { want->rlim_cur, want->rlim_max };
        if (setrlimit(resource, &rl) != 0)
            return -errno;
    } else if (want->rlim_max > real.rlim_max) {
        struct rlimit up = { want->rlim_max, want->rlim_max };
        if (setrlimit(resource, &up) != 0)
            return -errno;
    }
    sys_rlim_mem[i] = (struct sys_rlim){ want->rlim_cur, want->rlim_max };
    if (resource == RLIMIT_STACK)
        sys_stack_room_ahead();         /* the room the new limit gives, reserved now */
    return 0;
}

/* Whether either limit is finite: else nothing needs counting. */
static bool sys_rlim_counting(void)
{
    return sys_rlim_mem[0].cur != RLIM_INFINITY || sys_rlim_mem[1].cur != RLIM_INFINITY;
}

static bool sys_rlim_is_data(int prot)
{
    return prot >= 0 && (prot & (TR_PROT_WRITE | TR_PROT_SHARED)) == TR_PROT_WRITE;
}

/* The guest's pages in [lo, hi): all (*total), and its data pages
 * (private writable, not the main stack: Linux's data_vm). */
void sys_rlimit_mem_usage(uint64_t lo, uint64_t hi, uint64_t *total, uint64_t *data)
{
    *total = *data = 0;
    for (uint64_t a = lo, end; sys_engine && a < hi; a = end) {
        int prot = tr_map_extent(sys_engine, a, &end);
        if (end <= a || end > hi)
            end = hi;
        if (prot < 0)
            continue;
        *total += end - a;
        if (sys_rlim_is_data(prot) && (end <= sys_proc.stack_start || a >= sys_proc.stack_end))
            *data += end - a;
    }
}

/* Linux's may_expand_vm: whether the guest may have `pages` more pages of
 * a mapping with protection prot (-1: none to count as data), `freed`
 * pages of its own going away at the same time (a MAP_FIXED's old ones). */
static bool sys_rlim_may_expand(uint64_t grow, uint64_t freed, int prot)
{
    uint64_t total, data;
    if (!sys_engine || !sys_rlim_counting() || grow <= freed)
        return true;
    uint64_t n = (grow - freed) / SYS_RLIM_PAGE;
    sys_rlimit_mem_usage(0, UINT64_MAX, &total, &data);
    total /= SYS_RLIM_PAGE, data /= SYS_RLIM_PAGE;
    if (total + n > sys_rlim_mem[0].cur / SYS_RLIM_PAGE)
        return false;
    if (!sys_rlim_is_data(prot) || data + n <= sys_rlim_mem[1].cur / SYS_RLIM_PAGE)
        return true;
    /* Linux's workaround for valgrind: a soft limit of 0 under the hard */
    return sys_rlim_mem[1].cur == 0 && data + n <= sys_rlim_mem[1].max / SYS_RLIM_PAGE;
}

/* 0, or -ENOMEM when len more bytes of prot would pass a limit. */
int64_t sys_rlimit_mem_check(uint64_t len, int prot)
{
    uint64_t pages = (len + SYS_RLIM_PAGE - 1) & ~(SYS_RLIM_PAGE - 1);
    return sys_rlim_may_expand(pages, 0, prot) ? 0 : -ENOMEM;
}

/* A MAP_FIXED mapping of [addr, addr+len): what it replaces is freed. */
int64_t sys_rlimit_mem_check_fixed(uint64_t addr, uint64_t len, int prot)
{
    uint64_t end = (addr + len + SYS_RLIM_PAGE - 1) & ~(SYS_RLIM_PAGE - 1), old = 0, data;
    if (!sys_rlim_counting() || end <= addr)
        return 0;
    sys_rlimit_mem_usage(addr & ~(SYS_RLIM_PAGE - 1), end, &old, &data);
    return sys_rlim_may_expand(end - (addr & ~(SYS_RLIM_PAGE - 1)), old, prot) ? 0 : -ENOMEM;
}

/* mprotect making pages writable: the private ones not writable yet
 * become data (Linux's mprotect_fixup). */
int64_t sys_rlimit_mem_check_protect(uint64_t addr, uint64_t len, int prot)
{
    uint64_t end = (addr + len + SYS_RLIM_PAGE - 1) & ~(SYS_RLIM_PAGE - 1), grow = 0;
    if (!(prot & TR_PROT_WRITE) || sys_rlim_mem[1].cur == RLIM_INFINITY || !sys_engine)
        return 0;
    for (uint64_t a = addr, e; a < end; a = e) {
        int was = tr_map_extent(sys_engine, a, &e);
        if (e <= a || e > end)
            e = end;
        if (was >= 0 && !(was & (TR_PROT_WRITE | TR_PROT_SHARED)) &&
            (e <= sys_proc.stack_start || a >= sys_proc.stack_end))
            grow += e - a;
    }
    uint64_t total, data;
    if (!grow)
        return 0;
    sys_rlimit_mem_usage(0, UINT64_MAX, &total, &data);
    if (data / SYS_RLIM_PAGE + grow / SYS_RLIM_PAGE <= sys_rlim_mem[1].cur / SYS_RLIM_PAGE)
        return 0;
    return sys_rlim_mem[1].cur == 0 &&
                   data / SYS_RLIM_PAGE + grow / SYS_RLIM_PAGE <= sys_rlim_mem[1].max / SYS_RLIM_PAGE
               ? 0
               : -ENOMEM;
}

/* brk's check_data_rlimit: the break's size plus the data segment's. */
bool sys_rlimit_mem_brk_ok(uint64_t brk, uint64_t start_brk)
{
    uint64_t rlim = sys_rlim_mem[1].cur;
    return rlim == RLIM_INFINITY ||
           (brk - start_brk) + (sys_rlim_end_data - sys_rlim_start_data) <= rlim;
}

/* "VAR=as_cur,as_max,data_cur,data_max,stack_cur,stack_max" for the
 * environment of the ferry an execve starts. */
void sys_rlimit_mem_pass(char *buf, size_t len)
{
    snprintf(buf, len, "%s=%llu,%llu,%llu,%llu,%llu,%llu", SYS_EXEC_RLIMIT_MEM_ENV,
             (unsigned long long)sys_rlim_mem[0].cur, (unsigned long long)sys_rlim_mem[0].max,
             (unsigned long long)sys_rlim_mem[1].cur, (unsigned long long)sys_rlim_mem[1].max,
             (unsigned long long)sys_rlim_mem[2].cur, (unsigned long long)sys_rlim_mem[2].max);
}

/* Before the kernel runs a program itself (binfmt_misc runs the next
 * ferry, or the program is not ferry's): the guest's limits are made
 * real.  A lowered hard limit cannot come back if the exec fails. */
void sys_rlimit_mem_make_real(void)
{
    for (int i = 0; i < SYS_RLIM_N; i++) {
        struct rlimit rl = { sys_rlim_mem[i].cur, sys_rlim_mem[i].max };
        setrlimit(sys_rlim_res[i], &rl);
    }
}

/* After such an exec failed: ferry's soft limits back up. */
void sys_rlimit_mem_unmake_real(void)
{
    for (int i = 0; i < 2; i++) {
        struct rlimit rl;
        int res = i ? RLIMIT_DATA : RLIMIT_AS;
        if (getrlimit(res, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(res, &rl);
        }
    }
}
