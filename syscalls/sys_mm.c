/* sys_mm.c -- memory syscalls.  Guest addresses are host addresses, so
 * mmap & co. go to the host with translated flags (while the translation
 * cache is on, a shared object's whole-span mmap goes to its file's slot:
 * sys_mmap_placed); every change to the guest's mappings is told to the
 * translator (tr_map_changed), which keeps its own map of them for code
 * fetch and drops translations of the pages concerned.  Where the host's
 * user space reaches above the guest's (a 48-bit AArch64 host), ferry
 * chooses the addresses the kernel would (sys_guest_va.c).  brk is emulated:
 * the host break belongs to ferry's malloc, so the guest's heap is an
 * anonymous mapping grown from sys_proc.brk_start. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader.h"
#include "options.h"
#include "sys_handlers.h"
#include "translator.h"

#define SYS_PAGE 4096ull
#define SYS_PAGE_UP(x) (((x) + SYS_PAGE - 1) & ~(SYS_PAGE - 1))
#define SYS_GUEST_MAP_FIXED 0x10
#define SYS_GUEST_MAP_32BIT 0x40
#define SYS_GUEST_MAP_FIXED_NOREPLACE 0x100000
#define SYS_GUEST_MAP_ANONYMOUS 0x20
#define SYS_GUEST_MAP_TYPE 0x0f
#define SYS_GUEST_MAP_PRIVATE 0x02
#define SYS_GUEST_MAP_GROWSDOWN 0x100
#define SYS_MREMAP_DONTUNMAP 4

/* PROT_READ/WRITE/EXEC/GROWSDOWN/GROWSUP: the same bits on all hosts.
 * Executable guest memory must stay readable for the decoder. */
static int sys_host_prot(uint64_t prot)
{
    return (int)(prot & 4 ? prot | 1 : prot);
}

/* The translator's view of a guest protection (no GROWSDOWN/GROWSUP). */
static int sys_guest_prot(uint64_t prot)
{
    return (int)(prot & (TR_PROT_READ | TR_PROT_WRITE | TR_PROT_EXEC));
}

/* After a call that failed but may have changed part of [addr, addr+len)
 * (a MAP_FIXED mmap may already have unmapped the old pages, mprotect
 * stops at the first page it cannot change): the translator forgets what
 * it knew there, and its fallback asks the host.  Keeps errno. */
static void sys_mm_forget(uint64_t addr, uint64_t len)
{
    int err = errno;
    tr_map_changed(sys_engine, TR_FORGET, addr, len, 0);
    errno = err;
}

/* While the translation cache is on, a shared object's whole-span mapping
 * (ld.so's first mmap of a library: no address, private, the file from
 * offset 0) goes to its file's slot (loader/ld_place.c), so that cached
 * translations of its code apply in every run.  MAP_FAILED: map as usual. */
static void *sys_mmap_placed(const uint64_t *a)
{
    struct stat st;
    if (!ferry_opts.tcache_dir || a[0] || a[5] || (int)a[4] < 0 ||
        (a[3] & (SYS_GUEST_MAP_FIXED | SYS_GUEST_MAP_ANONYMOUS | SYS_GUEST_MAP_32BIT)) ||
        (a[3] & SYS_GUEST_MAP_TYPE) != SYS_GUEST_MAP_PRIVATE || !ld_place_is_shared_object((int)a[4], &st))
        return MAP_FAILED;
    return ld_place_map(&st, a[1], sys_host_prot(a[2]), sys_map_flags_to_host(a[3]), (int)a[4], 0);
}

/* A fixed mapping (MAP_FIXED, MAP_FIXED_NOREPLACE) that ends above the
 * guest's top: ENOMEM, as Linux's get_unmapped_area, also where the host
 * would map it (its last page under qemu-user, whose top is 2^47; all of
 * it on a 48-bit host: sys_guest_va.c).  Invalid lengths and offsets are
 * left to the host's checks, which come first in Linux. */
static bool sys_mmap_above_top(const uint64_t *a)
{
    return (a[3] & (SYS_GUEST_MAP_FIXED | SYS_GUEST_MAP_FIXED_NOREPLACE)) && a[1] &&
           !(a[5] & (SYS_PAGE - 1)) && sys_va_above_top(a[0], a[1]);
}

/* MAP_FIXED or MAP_FIXED_NOREPLACE; a host that takes the latter for a
 * hint (qemu-user 7.2, Linux before 4.17) mapped elsewhere when the
 * address was taken: EEXIST, as Linux. */
static void *sys_mmap_fixed(uint64_t addr, const uint64_t *a, int flags)
{
    void *p = mmap(sys_ptr(addr), a[1], sys_host_prot(a[2]), flags, (int)a[4], (off_t)a[5]);
    if (p != MAP_FAILED && p != sys_ptr(addr)) {
        munmap(p, a[1]);
        errno = EEXIST;
        return MAP_FAILED;
    }
    return p;
}

/* The host's mmap, or where ferry places guest mappings itself: below the
 * guest's top (sys_guest_va.c) unless the address is fixed.  A hint that
 * reaches above the top is no hint, as in Linux (a host whose top is
 * higher -- qemu-user's 2^47 -- would honour it). */
static void *sys_mmap_host(uint64_t addr, const uint64_t *a)
{
    int flags = sys_map_flags_to_host(a[3]);
    if (a[3] & (SYS_GUEST_MAP_FIXED | SYS_GUEST_MAP_FIXED_NOREPLACE))
        return sys_mmap_fixed(addr, a, flags);
    if (a[1] && sys_va_above_top(addr, a[1]))
        addr = 0;
    if ((a[3] & SYS_GUEST_MAP_32BIT) && !addr)
        return sys_va_map_32bit(a[1], sys_host_prot(a[2]), flags, (int)a[4], (long)a[5]);
    return sys_va_map(sys_ptr(addr), a[1], sys_host_prot(a[2]), flags, (int)a[4], (long)a[5]);
}

/* The engine's protection of a new mapping: shared ones marked. */
static int sys_mmap_prot(const uint64_t *a)
{
    bool shared = (a[3] & SYS_GUEST_MAP_TYPE) != SYS_GUEST_MAP_PRIVATE;
    return sys_guest_prot(a[2]) | (shared ? TR_PROT_SHARED : 0);
}

/* The same as the limits count it: a MAP_GROWSDOWN mapping is a stack,
 * never data (Linux's VM_STACK). */
static int sys_mmap_limit_prot(const uint64_t *a)
{
    return (a[3] & SYS_GUEST_MAP_GROWSDOWN) ? sys_mmap_prot(a) & ~TR_PROT_WRITE : sys_mmap_prot(a);
}

/* MAP_32BIT exists only on x86: low memory from sys_va_map_32bit. */
static int64_t sys_mmap_locked(const uint64_t *a)
{
    uint64_t addr = a[0];
    if (sys_mmap_above_top(a))
        return -ENOMEM;
    if (a[3] & (SYS_GUEST_MAP_FIXED | SYS_GUEST_MAP_FIXED_NOREPLACE))
        sys_stack_room_fixed(addr, a[1], (a[3] & SYS_GUEST_MAP_FIXED_NOREPLACE) != 0);
    else
        addr = sys_stack_room_hint(addr, a[1]);
    int64_t busy = (a[3] & SYS_GUEST_MAP_FIXED) ? sys_ferry_mem_fixed_ok(addr, a[1]) : 0;
    if (!busy && (a[3] & SYS_GUEST_MAP_FIXED))
        busy = sys_vdso_fixed_check(addr, a[1]);
    if (!busy && (a[3] & SYS_GUEST_MAP_FIXED))
        busy = sys_rlimit_mem_check_fixed(addr, a[1], sys_mmap_limit_prot(a));
    if (busy)
        return busy;                    /* ferry's own memory (sys_ferry_mem.c), a split vDSO, a limit */
    void *p = sys_mmap_placed(a);
    if (p == MAP_FAILED)
        p = sys_mmap_host(addr, a);
    if (p == MAP_FAILED && (a[3] & SYS_GUEST_MAP_FIXED))
        sys_mm_forget(addr, a[1]);
    if (p == MAP_FAILED)
        return -errno;
    if (!(a[3] & SYS_GUEST_MAP_FIXED) && sys_rlimit_mem_check(a[1], sys_mmap_limit_prot(a)) != 0) {
        munmap(p, a[1]);                /* new pages only: Linux's checks before this come first */
        return -ENOMEM;
    }
    tr_map_changed(sys_engine, TR_MAP, (uint64_t)(uintptr_t)p, a[1], sys_mmap_prot(a));
    sys_vdso_unmapped((uint64_t)(uintptr_t)p, a[1]);
    return (int64_t)(uintptr_t)p;
}

/* `len` bytes of zeroes with a copy of `size` bytes at offset `at`,
 * mapped as mmap would place a hint's mapping (the hint rounded down, as
 * x86's get_unmapped_area does), read-only on the host and for the guest:
 * its address, or -errno.  Callers hold the mm lock (ARCH_MAP_VDSO_*:
 * sys_vdso.c). */
int64_t sys_mm_map_copy_locked(uint64_t hint, uint64_t len, uint64_t at, const void *bytes,
                               size_t size)
{
    const uint64_t a[6] = { hint & ~(SYS_PAGE - 1), SYS_PAGE_UP(len), PROT_READ | PROT_WRITE,
                            SYS_GUEST_MAP_PRIVATE | SYS_GUEST_MAP_ANONYMOUS, (uint64_t)-1, 0 };
    int64_t p = sys_mmap_locked(a);
    if (p < 0)
        return p;
    memcpy(sys_ptr((uint64_t)p + at), bytes, size);
    mprotect(sys_ptr((uint64_t)p), a[1], PROT_READ);
    tr_map_changed(sys_engine, TR_MAP, (uint64_t)p, a[1], TR_PROT_READ);
    return p;
}

/* Only what the guest has (sys_ferry_mem.c). */
static int64_t sys_munmap_locked(const uint64_t *a)
{
    int64_t r = sys_vdso_split_check(a[0], a[1]);
    if (r)
        return r;
    r = sys_ferry_mem_munmap(a[0], a[1]);
    if (r == 0)
        sys_vdso_unmapped(a[0], a[1]);
    return r;
}

static int64_t sys_mprotect_locked(const uint64_t *a)
{
    if (a[2] & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | 0x8 /* PROT_SEM */ | PROT_GROWSDOWN | PROT_GROWSUP))
        return -EINVAL;
    int64_t bad = sys_vdso_mprotect_check(a[0], a[1], sys_guest_prot(a[2]));
    if (!bad)
        bad = sys_rlimit_mem_check_protect(a[0], a[1], sys_guest_prot(a[2]));
    if (bad)
        return bad;
    if (sys_guest_has(a[0], a[0] + a[1]) || a[0] + a[1] < a[0]) {
        if (mprotect(sys_ptr(a[0]), a[1], sys_host_prot(a[2])) != 0) {
            sys_mm_forget(a[0], a[1]);
            return -errno;
        }
        tr_map_changed(sys_engine, TR_PROTECT, a[0], a[1], sys_guest_prot(a[2]));
        return 0;
    }
    return sys_ferry_mem_mprotect(a[0], a[1], sys_host_prot(a[2]), sys_guest_prot(a[2]));
}

/* MREMAP_MAYMOVE without MREMAP_FIXED where ferry places guest mappings:
 * in place if the kernel can (never past the guest's top), else to room
 * found below the top (sys_guest_va.c), moved there with MREMAP_FIXED. */
static void *sys_mremap_placed(const uint64_t *a)
{
    if (a[1] && !(a[3] & SYS_MREMAP_DONTUNMAP) && !sys_va_above_top(a[0], a[2])) {
        void *p = mremap(sys_ptr(a[0]), a[1], a[2], 0);
        if (p != MAP_FAILED)
            return p;
    }
    void *to = sys_va_reserve(a[2]);
    if (to == MAP_FAILED)
        return to;
    void *p = mremap(sys_ptr(a[0]), a[1], a[2], (int)a[3] | MREMAP_FIXED, to);
    if (p == MAP_FAILED) {
        int err = errno;
        munmap(to, a[2]);
        errno = err;
    }
    return p;
}

static void *sys_mremap_host(const uint64_t *a)
{
    if (sys_va_placing() && (a[3] & MREMAP_MAYMOVE) && !(a[3] & MREMAP_FIXED))
        return sys_mremap_placed(a);
    return mremap(sys_ptr(a[0]), a[1], a[2], (int)a[3], sys_ptr(a[4]));
}

/* MREMAP_MAYMOVE/FIXED/DONTUNMAP: the same bits on all hosts.  The pages
 * move with their protections (several mappings move at once in a
 * same-size MREMAP_FIXED move on Linux 6.17+); with
 * DONTUNMAP the old range stays mapped, emptied.  A new place above the
 * guest's top is EINVAL, as Linux's mremap_to says. */
/* The protections of [addr, addr + len) by runs (up to max: Linux 6.17+
 * moves several mappings at once, each with its own). */
struct sys_prot_run {
    uint64_t start, end;
    int prot;
};
static int sys_prot_runs(uint64_t addr, uint64_t len, struct sys_prot_run *run, int max)
{
    int n = 0;
    for (uint64_t a = addr, end; a < addr + len && n < max; a = end) {
        run[n].prot = tr_map_extent(sys_engine, a, &end);
        run[n].start = a;
        run[n++].end = end = end < addr + len ? end : addr + len;
    }
    return n;
}

/* A valid mremap that keeps the size and does not move: Linux answers
 * it from the mapping at the address alone, whatever the length covers
 * (mremap_at's MREMAP_NO_RESIZE); the invalid ones go to the host. */
static bool sys_mremap_no_resize(const uint64_t *a)
{
    return a[1] == a[2] && a[2] && !(a[0] & (SYS_PAGE - 1)) && a[2] + SYS_PAGE > a[2] &&
           !(a[3] & ~(uint64_t)MREMAP_MAYMOVE);
}

/* Linux's may_expand_vm for what an mremap adds: the growth (all of it
 * with MREMAP_DONTUNMAP, which keeps the old pages), less what a
 * MREMAP_FIXED target held of the guest's (unmapped first). */
static int64_t sys_mremap_limit_check(const uint64_t *a, int prot)
{
    uint64_t old = SYS_PAGE_UP(a[1]), grow = SYS_PAGE_UP(a[2]), freed = 0, data;
    if (!(a[3] & SYS_MREMAP_DONTUNMAP))
        grow = grow > old ? grow - old : 0;
    if (grow && (a[3] & MREMAP_FIXED))
        sys_rlimit_mem_usage(a[4], a[4] + SYS_PAGE_UP(a[2]), &freed, &data);
    if (grow <= freed)
        return 0;
    return sys_rlimit_mem_check(grow - freed, prot);
}

static int64_t sys_mremap_locked(const uint64_t *a)
{
    int prot = tr_prot_at(sys_engine, a[0]);
    struct sys_prot_run run[16];
    int runs = sys_prot_runs(a[0], a[1] < a[2] ? a[1] : a[2], run, 16);
    if (sys_mremap_no_resize(a))        /* Linux's MREMAP_NO_RESIZE: the address back */
        return sys_guest_has(a[0], a[0] + SYS_PAGE) ? (int64_t)a[0] : -EFAULT;
    if (!sys_guest_has(a[0] & ~(SYS_PAGE - 1), SYS_PAGE_UP(a[0] + a[1])))
        return -EFAULT;                 /* not the guest's: unmapped for it */
    if ((a[3] & MREMAP_FIXED) && sys_va_above_top(a[4], a[2]))
        return -EINVAL;
    if (a[3] & MREMAP_FIXED)
        sys_stack_room_fixed(a[4], a[2], false);
    int64_t busy = (a[3] & MREMAP_FIXED) ? sys_ferry_mem_fixed_ok(a[4], a[2]) : 0;
    if (!busy)
        busy = sys_vdso_mremap_check(a);
    if (!busy)
        busy = sys_mremap_limit_check(a, prot);
    if (busy)
        return busy;
    if (!(a[3] & MREMAP_FIXED) && a[2] > a[1])     /* growing in place up into the stack's room */
        sys_stack_room_fixed(a[0] + SYS_PAGE_UP(a[1]), SYS_PAGE_UP(a[2]) - SYS_PAGE_UP(a[1]), true);
    void *p = sys_mremap_host(a);
    if (p == MAP_FAILED)
        return -errno;
    if (a[3] & SYS_MREMAP_DONTUNMAP)
        tr_invalidate(sys_engine, a[0], a[1]);
    else
        tr_map_changed(sys_engine, TR_UNMAP, a[0], a[1], 0);
    tr_map_changed(sys_engine, prot < 0 ? TR_FORGET : TR_MAP, (uint64_t)(uintptr_t)p, a[2], prot);
    for (int i = 1; i < runs; i++)
        if (run[i].prot >= 0 && run[i].prot != prot)
            tr_map_changed(sys_engine, TR_PROTECT, (uint64_t)(uintptr_t)p + (run[i].start - a[0]),
                           run[i].end - run[i].start, run[i].prot);
    sys_vdso_remapped(a[0], a[1], (uint64_t)(uintptr_t)p, a[2]);
    return (int64_t)(uintptr_t)p;
}

/* The vDSO's parts answer some advice as Linux's special mappings do
 * (sys_vdso.c). */
static int64_t sys_madvise_locked(const uint64_t *a)
{
    int64_t r = sys_vdso_madvise_check(a[0], a[1], (int)a[2]);
    if (!r)
        r = sys_ferry_mem_madvise(a[0], a[1], (int)a[2]);
    if (!r)
        sys_vdso_madvised(a[0], a[1], (int)a[2]);
    return r;
}
SYS_HANDLER(sys_msync) { return sys_ret(msync(sys_ptr(a[0]), a[1], (int)a[2])); }
SYS_HANDLER(sys_mlock) { return sys_ret(mlock(sys_ptr(a[0]), a[1])); }
SYS_HANDLER(sys_munlock) { return sys_ret(munlock(sys_ptr(a[0]), a[1])); }
/* MCL_* and MLOCK_ONFAULT are the same on every host; ferry's own memory
 * is locked with the guest's (as a native process locks its libc's). */
SYS_HANDLER(sys_mlockall) { return sys_ret(mlockall((int)a[0])); }
SYS_HANDLER(sys_munlockall) { return sys_ret(munlockall()); }
SYS_HANDLER(sys_mlock2) { return sys_ret(syscall(SYS_mlock2, sys_ptr(a[0]), a[1], (unsigned)a[2])); }

/* Maps [brk_mapped, end) next to the heap, never over anything else. */
static int sys_brk_grow(uint64_t end)
{
    uint64_t len = end - sys_proc.brk_mapped;
    void *want = sys_ptr(sys_proc.brk_mapped);
    void *p = mmap(want, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    if (p != want) {                /* kernel ignored FIXED_NOREPLACE */
        munmap(p, len);
        return -1;
    }
    tr_map_changed(sys_engine, TR_MAP, sys_proc.brk_mapped, len, TR_PROT_READ | TR_PROT_WRITE);
    sys_proc.brk_mapped = end;
    return 0;
}

/* Shrinking unmaps whole pages, so growing again yields zeroes. */
static void sys_brk_shrink(uint64_t end)
{
    if (munmap(sys_ptr(end), sys_proc.brk_mapped - end) == 0)
        tr_map_changed(sys_engine, TR_UNMAP, end, sys_proc.brk_mapped - end, 0);
    sys_proc.brk_mapped = end;
}

/* Linux returns the (possibly unchanged) break, never an error. */
static int64_t sys_brk_locked(const uint64_t *a)
{
    uint64_t want = a[0], end = SYS_PAGE_UP(want);
    if (want < sys_proc.brk_start || end > sys_va_top())
        return (int64_t)sys_proc.brk_cur;
    if (!sys_rlimit_mem_brk_ok(want, sys_proc.brk_start))
        return (int64_t)sys_proc.brk_cur;       /* Linux's check_data_rlimit, shrinking too */
    if (end > sys_proc.brk_mapped &&
        sys_rlimit_mem_check(end - sys_proc.brk_mapped, TR_PROT_READ | TR_PROT_WRITE) != 0)
        return (int64_t)sys_proc.brk_cur;
    if (end > sys_proc.brk_mapped && sys_brk_grow(end) != 0)
        return (int64_t)sys_proc.brk_cur;
    if (end < sys_proc.brk_mapped)
        sys_brk_shrink(end);
    sys_proc.brk_cur = want;
    return (int64_t)want;
}

/* A change of the guest's mappings and the engine's record of it are one
 * step for the other guest threads (sys_mm_lock): no thread sees the map
 * between the two, and no thread's late report undoes another's newer
 * mapping of the same pages. */
#define SYS_MM_LOCKED(name) \
    SYS_HANDLER(name) { sys_mm_lock(); int64_t r = name##_locked(a); sys_mm_unlock(); return r; }
SYS_MM_LOCKED(sys_mmap)
SYS_MM_LOCKED(sys_munmap)
SYS_MM_LOCKED(sys_mprotect)
SYS_MM_LOCKED(sys_mremap)
SYS_MM_LOCKED(sys_madvise)
SYS_MM_LOCKED(sys_brk)

SYS_HANDLER(sys_mincore) { return sys_ret(mincore(sys_ptr(a[0]), a[1], sys_ptr(a[2]))); }

/* MFD_CLOEXEC/ALLOW_SEALING/HUGETLB: the same bits on all hosts. */
SYS_HANDLER(sys_memfd_create)
{
    return sys_ret(syscall(SYS_memfd_create, sys_path(a[0]), (unsigned)a[1]));
}
