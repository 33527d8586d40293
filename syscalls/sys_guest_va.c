/* sys_guest_va.c -- the guest's address space: its top (the guest's
 * TASK_SIZE) and, on a host whose user space reaches above it, where each
 * guest mapping goes.
 *
 * x86-64 Linux gives user space 47 bits (TASK_SIZE 0x7ffffffff000): an
 * address above is non-canonical for the guest.  Debian's arm64 kernel
 * gives 48 bits and hands out mmap(NULL) top-down from near 2^48, so a
 * guest mmap forwarded as it is would land where the guest cannot use it.
 * At start ferry probes how far the host's user space reaches.  When it
 * reaches above the guest's top ("placing"), ferry chooses the address of
 * every guest mapping the kernel would otherwise choose -- mmap without
 * MAP_FIXED, mremap MREMAP_MAYMOVE, shmat(NULL), the AIO ring, the
 * loader's ET_DYN program, interpreter and stack -- top-down below the
 * guest's stack as Linux does: the engine's map of guest mappings finds
 * the highest gap (tr_map_gap_below), MAP_FIXED_NOREPLACE maps there, and
 * a collision with memory that map does not know (ferry's own) retries
 * below the colliding mapping.  ferry's own memory (its binary, heap,
 * thread stacks, code cache) stays the kernel's choice, near the host's
 * top, above the guest's: a guest MAP_FIXED below the top then never
 * meets it.  A host with fewer bits (39, 42) is its own ceiling, and on
 * the x86-64 host the host's top is the guest's: no placing, no cost.
 *
 * FERRY_DEBUG_VA_CEILING=ADDR (a test hook, tests/reliab) lowers the
 * guest's top so that the placing is checked on 47-bit hosts too; it is
 * not in the guest's environment and passes on to the ferry of a guest
 * execve (sys_exec.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "loader.h"
#include "sys_internal.h"
#include "translator.h"

#define SYS_VA_PAGE 4096ull
#define SYS_VA_PAGE_UP(x) (((x) + SYS_VA_PAGE - 1) & ~(SYS_VA_PAGE - 1))
#define SYS_VA_X86_TOP 0x00007ffffffff000ull    /* x86-64 Linux's TASK_SIZE */
#define SYS_VA_STACK_GAP 0xffffff000ull         /* TASK_SIZE - ferry's stack top (64 GiB) */
#define SYS_VA_FLOOR 0x10000ull                 /* vm.mmap_min_addr's default */
#define SYS_VA_MIN_TOP (1ull << 32)             /* the lowest ceiling the hook takes */
#define SYS_VA_MMAP_GAP_MIN (128ull << 20)      /* Linux's mmap_base: at least 128 MiB */
#define SYS_VA_STACK_MAX (1ull << 30)           /* loader/ld_internal.h's LD_STACK_MAX */
#define SYS_VA_GUARD (1ull << 20)               /* the stack's guard gap */
#define SYS_VA_STACK_PAD (16ull << 30)          /* x86-64's stack_maxrandom_size */
#define SYS_VA_TRIES 64                         /* collisions with ferry's memory */
#define SYS_VA_32BIT_LOW 0x40000000ull          /* x86 Linux's MAP_32BIT window */
#define SYS_VA_32BIT_HIGH 0x80000000ull

static struct {
    uint64_t top;           /* the guest's TASK_SIZE */
    uint64_t host_top;      /* where the host's user space ends (probed) */
    uint64_t stack_top;     /* the guest stack's top (ld_va) */
    uint64_t mmap_base;     /* the top-down search starts below here */
    bool placing;           /* the host maps above top: ferry places */
} va = { SYS_VA_X86_TOP, SYS_VA_X86_TOP + SYS_VA_PAGE, SYS_VA_X86_TOP - SYS_VA_STACK_GAP, 0, false };

uint64_t sys_va_top(void) { return va.top; }
bool sys_va_placing(void) { return va.placing; }

/* Whether the host could map the page at addr (mapped already, or free). */
static bool sys_va_host_reaches(uint64_t addr)
{
    void *want = (void *)(uintptr_t)addr;
    void *p = mmap(want, SYS_VA_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        return errno == EEXIST;
    munmap(p, SYS_VA_PAGE);
    return p == want;
}

static bool sys_va_bits_reach(int bits)
{
    return sys_va_host_reaches((1ull << bits) - 2 * SYS_VA_PAGE);
}

/* The end of the host's user space: the highest power of two (2^32 ..
 * 2^57) whose last page but one the host can map (its own last page may
 * be a guard).  Reach is monotonic (the host maps everything below its
 * TASK_SIZE), so the walk starts at 2^47, the x86-64 host's and the most
 * common answer, and goes up or down from there: three system calls
 * there (2^48 refused), five on a 48-bit AArch64 host, where a walk
 * down from 2^57 took twelve and ten on every process start. */
static uint64_t sys_va_probe_host_top(void)
{
    int bits = 47;
    if (sys_va_bits_reach(bits)) {
        while (bits < 57 && sys_va_bits_reach(bits + 1))
            bits++;
    } else {
        do
            bits--;
        while (bits > 32 && !sys_va_bits_reach(bits));
    }
    /* at least up to the stack (a kernel without MAP_FIXED_NOREPLACE) */
    uint64_t stack = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    while (bits < 63 && (1ull << bits) <= stack)
        bits++;
    return 1ull << bits;
}

/* FERRY_DEBUG_VA_CEILING, page-aligned, or 0. */
static uint64_t sys_va_debug_ceiling(void)
{
    const char *v = getenv("FERRY_DEBUG_VA_CEILING");
    char *end;
    unsigned long long c = v && *v ? strtoull(v, &end, 0) : 0;
    if (!c || *end || c < SYS_VA_MIN_TOP) {
        if (v && *v)
            fprintf(stderr, "ferry: FERRY_DEBUG_VA_CEILING=%s ignored (an address of at least 0x%llx)\n",
                    v, (unsigned long long)SYS_VA_MIN_TOP);
        return 0;
    }
    return c & ~(SYS_VA_PAGE - 1);
}

/* The stack's room as the loader reserves it (ld_stack.c): RLIMIT_STACK,
 * at least 128 MiB, and the guard gap. */
static uint64_t sys_va_stack_room(void)
{
    struct rlimit rl;
    uint64_t size = SYS_VA_MMAP_GAP_MIN;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur > size)
        size = rl.rlim_cur > SYS_VA_STACK_MAX ? SYS_VA_STACK_MAX : rl.rlim_cur;
    return SYS_VA_PAGE_UP(size) + SYS_VA_GUARD;
}

/* The gap Linux's x86-64 mmap_base leaves below the stack's top: the
 * room and stack_maxrandom_size's 16 GiB (a sixty-fourth of a lowered
 * top at most).  Linux's stack lies somewhere in that pad, so a stack
 * whose limit is raised after exec has at least the pad's room before
 * the mappings below; ferry's stack is at the pad's top: all of it (the
 * room past the reservation is reserved as the stack grows there,
 * sys_stack_grow.c). */
static uint64_t sys_va_stack_gap(uint64_t stack_top)
{
    uint64_t pad = stack_top / 64 < SYS_VA_STACK_PAD ? stack_top / 64 : SYS_VA_STACK_PAD;
    return sys_va_stack_room() + (pad & ~(SYS_VA_PAGE - 1));
}

static void *sys_va_loader_map(void *hint, size_t len, int prot, int flags, int fd, long off)
{
    return sys_va_map(hint, len, prot, flags, fd, off);
}

/* On a host reaching above 2^47: the guard above x86's user half (and
 * its top page, which the guest cannot map either), never host memory,
 * so that a guest access near a canonical address faults there without a
 * test of its own (guest_mem.h TR_CANON_GUARD, ir_check_accesses).  Taken
 * at start, when ferry's own memory is near the host's top, 128 TiB up:
 * nothing is there yet. */
static void sys_va_reserve_guard(void)
{
    uint64_t lo = TR_CANON_TOP - SYS_VA_PAGE, len = SYS_VA_PAGE + TR_CANON_GUARD;
    if (va.host_top <= TR_CANON_TOP)
        return;
    void *p = mmap((void *)(uintptr_t)lo, len, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != MAP_FAILED && p != (void *)(uintptr_t)lo)
        munmap(p, len);                 /* a kernel without MAP_FIXED_NOREPLACE */
}

void sys_va_init(void)
{
    uint64_t debug = sys_va_debug_ceiling();
    va.host_top = sys_va_probe_host_top();
    va.top = va.host_top - SYS_VA_PAGE < SYS_VA_X86_TOP ? va.host_top - SYS_VA_PAGE : SYS_VA_X86_TOP;
    if (debug && debug < va.top)
        va.top = debug;
    va.placing = va.host_top > va.top + SYS_VA_PAGE;
    sys_va_reserve_guard();
    uint64_t gap = va.top / 16 < SYS_VA_STACK_GAP ? va.top / 16 : SYS_VA_STACK_GAP;
    va.stack_top = (va.top - gap) & ~(SYS_VA_PAGE - 1);
    va.mmap_base = va.stack_top - sys_va_stack_gap(va.stack_top);
    const struct ld_va lv = { va.top, va.stack_top, va.placing ? sys_va_loader_map : NULL };
    ld_va_set(&lv);
}

/* The lowest start of the host's mappings meeting [a, end)
 * (/proc/self/maps); a when it cannot be read (the next try starts
 * below a). */
static uint64_t sys_va_host_low(uint64_t a, uint64_t end)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[512];
    uint64_t low = a;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && lo < end && hi > a && lo < low)
            low = lo;
    }
    if (f)
        fclose(f);
    return low;
}

/* The highest free [a, a+span) below top by the engine's map (before
 * there is an engine -- the loader -- only top - span), or 0. */
static uint64_t sys_va_gap(uint64_t floor, uint64_t top, uint64_t span)
{
    if (top < floor || top - floor < span)
        return 0;
    return sys_engine ? tr_map_gap_below(sys_engine, floor, top, span) : top - span;
}

/* mmap at exactly a, never over anything; MAP_FAILED with EEXIST where
 * something is (a kernel that ignores MAP_FIXED_NOREPLACE counts so). */
static void *sys_va_try(uint64_t a, size_t len, int prot, int flags, int fd, long off)
{
    void *want = (void *)(uintptr_t)a;
    void *p = mmap(want, len, prot, (flags & ~MAP_FIXED) | MAP_FIXED_NOREPLACE, fd, (off_t)off);
    if (p == MAP_FAILED || p == want)
        return p;
    munmap(p, len);
    errno = EEXIST;
    return MAP_FAILED;
}

/* Top-down from top: each collision with a mapping the engine does not
 * know moves the search below it. */
static void *sys_va_search(uint64_t floor, uint64_t top, size_t len, int prot, int flags, int fd, long off)
{
    uint64_t span = SYS_VA_PAGE_UP((uint64_t)len);
    for (int k = 0; k < SYS_VA_TRIES; k++) {
        uint64_t a = sys_va_gap(floor, top, span);
        if (!a)
            break;
        void *p = sys_va_try(a, len, prot, flags, fd, off);
        if (p != MAP_FAILED || errno != EEXIST)
            return p;
        top = sys_va_host_low(a, a + span);
    }
    errno = ENOMEM;
    return MAP_FAILED;
}

/* A file that refuses any address but its own choice (io_uring's rings:
 * EINVAL for every address given, for cache aliasing): the kernel's
 * address, and where that is above the top, the pages moved below it
 * (mremap of the same size). */
static void *sys_va_map_moved(size_t len, int prot, int flags, int fd, long off)
{
    void *p = mmap(NULL, len, prot, flags, fd, (off_t)off);
    if (p == MAP_FAILED || !sys_va_above_top((uint64_t)(uintptr_t)p, len))
        return p;
    void *to = sys_va_reserve(len);
    void *q = to == MAP_FAILED ? MAP_FAILED : mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    if (q == MAP_FAILED) {
        if (to != MAP_FAILED)
            munmap(to, len);
        munmap(p, len);
        errno = ENOMEM;
    }
    return q;
}

/* EINVAL for an address given: a file that takes none (above), or the
 * host's verdict on the arguments, which mmap(NULL) repeats. */
static void *sys_va_refused(size_t len, int prot, int flags, int fd, long off)
{
    if (fd < 0 || (flags & MAP_ANONYMOUS)) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    return sys_va_map_moved(len, prot, flags, fd, off);
}

/* At the hint if it is free and below the top; else EEXIST. */
static void *sys_va_at_hint(uint64_t h, uint64_t span, size_t len, int prot, int flags, int fd, long off)
{
    if (h < SYS_VA_FLOOR || h > va.top - span) {
        errno = EEXIST;
        return MAP_FAILED;
    }
    return sys_va_try(h, len, prot, flags, fd, off);
}

/* As Linux's get_unmapped_area: the hint when it is free and below the
 * top, else the highest gap below mmap_base, else below the top. */
void *sys_va_map(void *hint, size_t len, int prot, int flags, int fd, long off)
{
    if (!va.placing)
        return mmap(hint, len, prot, flags, fd, (off_t)off);
    uint64_t span = SYS_VA_PAGE_UP((uint64_t)len), h = (uint64_t)(uintptr_t)hint & ~(SYS_VA_PAGE - 1);
    if (len == 0 || span == 0 || span > va.top) {
        errno = len == 0 ? EINVAL : ENOMEM;
        return MAP_FAILED;
    }
    void *p = sys_va_at_hint(h, span, len, prot, flags, fd, off);
    if (p == MAP_FAILED && errno == EEXIST)
        p = sys_va_search(SYS_VA_FLOOR, va.mmap_base, len, prot, flags, fd, off);
    if (p == MAP_FAILED && errno == ENOMEM)
        p = sys_va_search(SYS_VA_FLOOR, va.top, len, prot, flags, fd, off);
    if (p == MAP_FAILED && errno == EINVAL)
        p = sys_va_refused(len, prot, flags, fd, off);
    return p;
}

/* x86's MAP_32BIT: anywhere in [1 GiB, 2 GiB), as Linux searches it
 * (placing; elsewhere the caller's hint asks the host for low memory). */
void *sys_va_map_32bit(size_t len, int prot, int flags, int fd, long off)
{
    if (!va.placing)
        return mmap((void *)(uintptr_t)SYS_VA_32BIT_LOW, len, prot, flags, fd, (off_t)off);
    void *p = sys_va_search(SYS_VA_32BIT_LOW, SYS_VA_32BIT_HIGH, len, prot, flags, fd, off);
    return p != MAP_FAILED || errno != EINVAL ? p : sys_va_refused(len, prot, flags, fd, off);
}

/* len bytes of PROT_NONE address space below the top, for a caller to
 * map over (mremap, shmat, the AIO ring); MAP_FAILED with errno. */
void *sys_va_reserve(size_t len)
{
    return sys_va_map(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

void sys_va_stack_layout(uint64_t *low, uint64_t *top)
{
    *low = va.stack_top - sys_va_stack_room();
    *top = va.stack_top;
}

/* Whether [addr, addr+len) (len page-rounded) lies above the guest's top. */
bool sys_va_above_top(uint64_t addr, uint64_t len)
{
    uint64_t span = SYS_VA_PAGE_UP(len);
    return span < len || span > va.top || addr > va.top - span;
}
