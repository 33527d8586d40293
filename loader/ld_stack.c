/* ld_stack.c -- the guest stack and its initial contents, laid out as
 * Linux's create_elf_tables() does for x86-64:
 *
 *   high:  8 zero bytes, AT_EXECFN string, envp strings, argv strings,
 *          alignment, AT_PLATFORM string ("x86_64"), 16 AT_RANDOM bytes,
 *          alignment,
 *   low:   argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL  <- rsp
 *
 * with rsp 16-byte aligned.  The CPU's values (AT_HWCAP, AT_PLATFORM)
 * are the caller's ld_params. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ld_internal.h"

#define LD_AUXV_MAX 24

struct ld_stack {
    uint8_t *base;          /* lowest byte of the stack mapping */
    uint64_t sp;            /* current top (guest address == host address) */
};

static uint64_t ld_push(struct ld_stack *st, const void *data, size_t len)
{
    st->sp -= len;
    memcpy((void *)(uintptr_t)st->sp, data, len);
    return st->sp;
}

static uint64_t ld_push_string(struct ld_stack *st, const char *s)
{
    return ld_push(st, s, strlen(s) + 1);
}

static size_t ld_count(char *const v[])
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* Copies v's strings so that v[0]'s is lowest, recording their addresses. */
static void ld_push_strings(struct ld_stack *st, char *const v[], size_t n, uint64_t *addr)
{
    for (size_t i = n; i-- > 0;)
        addr[i] = ld_push_string(st, v[i]);
}

struct ld_auxv {
    uint64_t pair[LD_AUXV_MAX][2];
    int n;
};

static void ld_aux(struct ld_auxv *a, uint64_t key, uint64_t value)
{
    a->pair[a->n][0] = key;
    a->pair[a->n][1] = value;
    a->n++;
}

#define LD_AT_MINSIGSTKSZ 51   /* not in every libc's <elf.h> */

/* In the kernel's order (AT_SYSINFO_EHDR first: x86-64's ARCH_DLINFO). */
static void ld_fill_auxv(struct ld_auxv *a, const struct ld_auxv_info *ai,
                         uint64_t random, uint64_t platform, uint64_t execfn)
{
    if (ai->vdso)
        ld_aux(a, AT_SYSINFO_EHDR, ai->vdso);
    ld_aux(a, LD_AT_MINSIGSTKSZ, ai->params->minsigstksz);
    ld_aux(a, AT_HWCAP, ai->params->hwcap);
    ld_aux(a, AT_PAGESZ, LD_PAGE_SIZE);
    ld_aux(a, AT_CLKTCK, (uint64_t)sysconf(_SC_CLK_TCK));
    ld_aux(a, AT_PHDR, ai->phdr);
    ld_aux(a, AT_PHENT, ai->phent);
    ld_aux(a, AT_PHNUM, ai->phnum);
    ld_aux(a, AT_BASE, ai->base);
    ld_aux(a, AT_FLAGS, 0);
    ld_aux(a, AT_ENTRY, ai->entry);
    ld_aux(a, AT_UID, getuid());
    ld_aux(a, AT_EUID, geteuid());
    ld_aux(a, AT_GID, getgid());
    ld_aux(a, AT_EGID, getegid());
    ld_aux(a, AT_SECURE, getauxval(AT_SECURE));     /* set*id through binfmt's C flag */
    ld_aux(a, AT_RANDOM, random);
    ld_aux(a, AT_HWCAP2, ai->params->hwcap2);
    ld_aux(a, AT_EXECFN, execfn);
    ld_aux(a, AT_PLATFORM, platform);
    ld_aux(a, AT_NULL, 0);
}

static void ld_random_bytes(uint8_t out[16])
{
    if (getrandom(out, 16, 0) != 16)
        for (int i = 0; i < 16; i++)
            out[i] = (uint8_t)(i * 131 + getpid());
}

/* argc, argv pointers, envp pointers and auxv, rsp 16-byte aligned. */
static void ld_push_tables(struct ld_stack *st, size_t argc, const uint64_t *argv_addr,
                           size_t envc, const uint64_t *envp_addr, const struct ld_auxv *a)
{
    size_t words = 1 + argc + 1 + envc + 1 + 2 * (size_t)a->n;
    st->sp = (st->sp - words * 8) & ~15ull;
    uint64_t *w = (uint64_t *)(uintptr_t)st->sp;
    *w++ = argc;
    for (size_t i = 0; i < argc; i++)
        *w++ = argv_addr[i];
    *w++ = 0;
    for (size_t i = 0; i < envc; i++)
        *w++ = envp_addr[i];
    *w++ = 0;
    memcpy(w, a->pair, 16 * (size_t)a->n);
}

uint64_t ld_stack_fill(uint8_t *base, size_t size, char *const argv[],
                       char *const envp[], const struct ld_auxv_info *ai)
{
    struct ld_stack st = { base, (uint64_t)(uintptr_t)(base + size) };
    size_t argc = ld_count(argv), envc = ld_count(envp);
    uint64_t argv_addr[argc + 1], envp_addr[envc + 1];
    uint8_t rnd[16];
    uint64_t zero = 0;
    struct ld_auxv a = { .n = 0 };

    ld_push(&st, &zero, sizeof zero);
    uint64_t execfn = ld_push_string(&st, ai->execfn);
    ld_push_strings(&st, envp, envc, envp_addr);
    ld_push_strings(&st, argv, argc, argv_addr);
    /* Linux aligns down to 16 here (arch_align_stack, without its ASLR
     * offset): the bytes between argv[0] and AT_PLATFORM are zeros, which
     * string functions reading argv[0]'s aligned block see. */
    st.sp &= ~15ull;
    uint64_t platform = ld_push_string(&st, ai->params->platform);
    ld_random_bytes(rnd);
    uint64_t random = ld_push(&st, rnd, sizeof rnd);
    st.sp &= ~15ull;
    ld_fill_auxv(&a, ai, random, platform, execfn);
    ld_push_tables(&st, argc, argv_addr, envc, envp_addr, &a);
    return st.sp;
}

/* Everything the strings and tables need must fit with room to spare
 * (the 512 bytes cover the auxv, AT_RANDOM and a short AT_PLATFORM). */
static size_t ld_stack_need(char *const argv[], char *const envp[], const char *execfn)
{
    size_t need = strlen(execfn) + 512 + 8 * (ld_count(argv) + ld_count(envp));
    for (size_t i = 0; argv && argv[i]; i++)
        need += strlen(argv[i]) + 1;
    for (size_t i = 0; envp && envp[i]; i++)
        need += strlen(envp[i]) + 1;
    return need;
}

/* The stack's size: RLIMIT_STACK as the kernel reads it, at least 128 KiB
 * (Linux's minimum stack_expand), at most LD_STACK_MAX (an unlimited
 * stack still needs an end, and reserving address space costs nothing). */
static uint64_t ld_stack_size(void)
{
    struct rlimit rl;
    uint64_t size = LD_STACK_DEFAULT;
    if (getrlimit(RLIMIT_STACK, &rl) == 0)
        size = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LD_STACK_MAX ? LD_STACK_MAX : rl.rlim_cur;
    size = LD_PAGE_DOWN(size);
    return size < LD_STACK_MIN ? LD_STACK_MIN : size;
}

/* The stack's first pages, and below them its room to grow and a guard
 * gap.  As natively (setup_arg_pages), only the pages the strings and
 * tables need plus Linux's stack_expand of 128 KiB are there at start;
 * the rest, down to the limit, is a hole the guest's faults grow into
 * (syscalls/sys_stack_grow.c), so that pages the guest never touches do
 * not count against its RLIMIT_AS -- nor against ferry's real one when
 * the limit was set before ferry started (a 64 MiB RLIMIT_STACK, as gcc
 * gives cc1, cost 64 MiB of it).  The guard stays PROT_NONE and is never
 * the guest's (it is not noted), so ferry's later mappings are never
 * within reach of a running-away recursion, which faults in it as it
 * would natively past RLIMIT_STACK (SIGSEGV, on the sigaltstack if the
 * guest has one).  *floor: the end of its room (room bytes under the
 * stack's top).
 *
 * The room and the guard are one PROT_NONE, MAP_NORESERVE reservation
 * (ld_reserve_stack), so that no host mapping -- qemu-user's own, made
 * before ferry runs, or ferry's malloc and code cache, placed by the
 * host's randomised mmap_base -- can land where the stack grows, which
 * left it no room (session 40's stack_grow flake).  The guest may still
 * map there as natively: the reservation gives way (sys_stack_grow.c).
 * *hole: its lowest byte.  Past it the stack grows too where the limit
 * in force allows, the reservation extended then (sys_stack_grow.c).
 * Where the room would take more than a sixteenth of a finite RLIMIT_AS
 * of ferry's (a PROT_NONE mapping counts there, where Linux's empty room
 * does not count), only what RLIMIT_STACK allows is reserved; where even
 * that cannot be had, the pages and the guard alone, as before: a host
 * mapping may then land in the room. */
static uint8_t *ld_map_stack_unreserved(uint64_t room, uint64_t initial, uint64_t *floor)
{
    /* Near the top of the guest's user space, where Linux puts it (a hint:
     * the host may have other ideas, e.g. a 39-bit AArch64 address space),
     * so the guest's view of its address space is the native one: nothing
     * of its own between the program and 96 TiB.  Always below the guest's
     * top (ld_va_mmap: syscalls/sys_guest_va.c). */
    void *hint = (void *)(uintptr_t)(ld_va_get()->stack_top - initial);
    uint8_t *base = ld_va_mmap(hint, initial, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    uint8_t *low = base + initial - room, *guard = low - LD_STACK_GUARD;
    void *g = mmap(guard, LD_STACK_GUARD, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (g != (void *)guard) {           /* something lives there: no room to grow */
        if (g != MAP_FAILED)
            munmap(g, LD_STACK_GUARD);  /* a kernel without MAP_FIXED_NOREPLACE */
        low = base;
    }
    *floor = (uint64_t)(uintptr_t)low;
    return base;
}

/* Whether ferry's own RLIMIT_AS (raised to its hard limit by now:
 * syscalls/sys_rlimit_mem.c) leaves room for a reservation of span bytes:
 * unlimited, or at least LD_STACK_AS_SHARE times it, so that a PROT_NONE
 * reservation, which counts there, takes no large part of what ferry and
 * its guest may have. */
static bool ld_stack_as_allows(uint64_t span)
{
    struct rlimit rl;
    return getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
           rl.rlim_cur / LD_STACK_AS_SHARE >= span;
}

/* span bytes PROT_NONE and a page above, at hint when it is free.  Else
 * the host puts them below its own mappings, and puts its later ones
 * right below them, where a stack allowed past its room (a raised
 * RLIMIT_STACK: syscalls/sys_stack_grow.c) would meet them: so there
 * LD_STACK_PAD more is reserved below, where a finite RLIMIT_AS of
 * ferry's allows.  The span's low end; *pad: the bytes below it. */
static uint8_t *ld_reserve_span(void *hint, uint64_t span, uint64_t *pad)
{
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    uint8_t *lo = ld_va_mmap(hint, span + LD_PAGE_SIZE, PROT_NONE, flags, -1, 0);
    *pad = 0;
    if (lo == MAP_FAILED || lo == (uint8_t *)hint || !ld_stack_as_allows(LD_STACK_PAD + span))
        return lo;
    munmap(lo, span + LD_PAGE_SIZE);
    uint8_t *wide = ld_va_mmap(hint, LD_STACK_PAD + span + LD_PAGE_SIZE, PROT_NONE, flags, -1, 0);
    if (wide != MAP_FAILED) {
        *pad = LD_STACK_PAD;
        return wide + LD_STACK_PAD;
    }
    return ld_va_mmap(hint, span + LD_PAGE_SIZE, PROT_NONE, flags, -1, 0);
}

/* The guard, the room and the first pages in one: at the usual top when
 * it is free, else where the host finds room for all of it (below its
 * own mappings: a stack lower than usual, as ASLR gives natively; with
 * a pad below, ld_reserve_span).  A PROT_NONE page above keeps the
 * stack's pages apart from a host mapping there, which the host would
 * merge with them into one mapping (qemu-user then leaves the whole line
 * out of the guest's /proc/self/maps). */
static uint8_t *ld_reserve_stack(uint64_t room, uint64_t initial, uint64_t *floor, uint64_t *hole)
{
    uint64_t span = LD_STACK_GUARD + room, pad;
    void *hint = (void *)(uintptr_t)(ld_va_get()->stack_top - span);
    uint8_t *lo = ld_reserve_span(hint, span, &pad);
    if (lo == MAP_FAILED)
        return NULL;
    uint8_t *base = lo + span - initial;
    void *p = mmap(base, initial, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (p != (void *)base) {
        munmap(lo - pad, pad + span + LD_PAGE_SIZE);
        return NULL;
    }
    *floor = (uint64_t)(uintptr_t)lo + LD_STACK_GUARD;
    *hole = (uint64_t)(uintptr_t)(lo - pad);
    return base;
}

/* The reservation: the whole room, or under a finite RLIMIT_AS too small
 * for it, only what RLIMIT_STACK allows now (`limit`: the rest, should
 * the guest raise the limit, is reserved as the stack grows there,
 * syscalls/sys_stack_grow.c); else, or if that fails, the old layout. */
static uint8_t *ld_map_stack(uint64_t room, uint64_t limit, uint64_t initial, uint64_t *floor, uint64_t *hole)
{
    uint64_t want = ld_stack_as_allows(room + LD_STACK_GUARD) ? room : limit;
    uint8_t *base = ld_stack_as_allows(want + LD_STACK_GUARD) ? ld_reserve_stack(want, initial, floor, hole) : NULL;
    if (base)
        return base;
    *hole = 0;
    return ld_map_stack_unreserved(room, initial, floor);
}

uint64_t ld_build_stack(char *const argv[], char *const envp[],
                        const struct ld_auxv_info *ai, struct ld_image *img,
                        char *why, size_t len)
{
    uint64_t size = ld_stack_size();
    /* the kernel's limit on argument and environment strings: a quarter of the stack */
    if (ld_stack_need(argv, envp, ai->execfn) > size / 4) {
        snprintf(why, len, "%s", strerror(E2BIG));
        return 0;
    }
    /* Linux's stack_expand below what the strings and tables need */
    uint64_t initial = LD_PAGE_UP(ld_stack_need(argv, envp, ai->execfn)) + LD_STACK_MIN;
    /* room to grow as Linux leaves above mmap_base: at least 128 MiB, so
     * a guest raising RLIMIT_STACK later grows further (the limit in
     * force at each growth decides: syscalls/sys_stack_grow.c) */
    uint64_t room = size < LD_STACK_ROOM_MIN ? LD_STACK_ROOM_MIN : size, floor = 0, hole = 0;
    uint8_t *base = ld_map_stack(room, size, initial < size ? initial : size, &floor, &hole);
    if (!base) {
        snprintf(why, len, "cannot allocate the stack: %s", strerror(errno));
        return 0;
    }
    size = initial < size ? initial : size;
    /* the guest's view: executable as Linux makes it for PT_GNU_STACK PF_X */
    ld_note_mapping(img, (uint64_t)(uintptr_t)base, (uint64_t)(uintptr_t)base + size,
                    PROT_READ | PROT_WRITE | (ai->exec_stack ? PROT_EXEC : 0));
    img->stack_start = (uint64_t)(uintptr_t)base;
    img->stack_end = (uint64_t)(uintptr_t)base + size;
    img->stack_floor = floor;
    img->stack_hole = hole;
    img->stack_exec = ai->exec_stack;
    return ld_stack_fill(base, size, argv, envp, ai);
}
