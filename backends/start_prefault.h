/* start_prefault.h -- ferry's own writable pages, mapped in one go before
 * anything touches them.
 *
 * ferry is a static PIE: before main the C library applies ~10,000
 * relocations to its data (pointer tables: capstone's, the syscall
 * table, ...), and every page of the writable segment first written is a
 * page fault.  Where the kernel runs under shadow paging (this project's
 * machines) a fault costs 30-40 us and MADV_POPULATE_WRITE about 1 us a
 * page: the ~75 faults on that segment were a sixth of a warm /bin/true.
 * The code (1.7 MB) took another 19 read faults of 16 pages each; mapping
 * it whole from the page cache costs ~0.1 us a page (read-only data, 2 MB
 * mostly never read, is left to faults).  The host's entry stub
 * (x64_start.c, a64_start.c) calls start_prefault() first, then the C
 * library's _start.
 *
 * Even a populated 4 KiB page costs 9-35 us at its first store from user
 * mode under shadow paging (the hypervisor's fault, invisible to the
 * kernel), and a warm /bin/true stores into 82 of the segment's 226 pages
 * (52 of them the relocations'); a 2 MiB page costs about what clearing it
 * does.  So the writable segment, which the link puts at the start of a
 * 2 MiB window of its own (backends/start_data.ld), is moved onto one huge
 * page when the window holds nothing else and the kernel gives huge pages
 * (start_huge_data): its file bytes read into the new page by the kernel
 * (pread from /proc/self/exe, checked to be this binary), the page moved
 * over the window with mremap.  Anything refused leaves the file's
 * mapping, populated as before.
 *
 * Runs before relocation and before TLS: only PC-relative addresses, no
 * library calls (no loops the compiler could turn into memcpy/memset), no
 * stack protector (the canary lives in TLS).  The host file supplies
 * start_syscall(), a raw system call. */
#ifndef FERRY_START_PREFAULT_H
#define FERRY_START_PREFAULT_H

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>

#define START_MADV_POPULATE_READ 22     /* Linux 5.14; older kernels say EINVAL: faults as before */
#define START_MADV_POPULATE_WRITE 23

extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));


#define START_HUGE ((uintptr_t)2 << 20)
#define START_MAP_PRIVATE 0x02
#define START_MAP_ANONYMOUS 0x20
#define START_MAP_NORESERVE 0x4000
#define START_MAP_FIXED_NOREPLACE 0x100000
#define START_MREMAP_MAYMOVE 1
#define START_MREMAP_FIXED 2
#define START_MADV_HUGEPAGE 14
#define START_CHECK_BYTES 1024u         /* headers, program headers, build-id note */

static long start_syscall(long nr, long a, long b, long c, long d, long e, long f);

/* Every function here runs before TLS and relocation (above); UBSan's
 * object-size check takes the program headers, past the 64-byte
 * __ehdr_start object, for an overrun. */
#define START_FN __attribute__((optimize("no-stack-protector"), no_sanitize("undefined")))

START_FN static long start_madvise(uintptr_t addr, uintptr_t len, long advice)
{
    return start_syscall(SYS_madvise, (long)addr, (long)len, advice, 0, 0, 0);
}

START_FN static uintptr_t start_mmap(uintptr_t addr, uintptr_t len, long prot, long flags)
{
    return (uintptr_t)start_syscall(SYS_mmap, (long)addr, (long)len, prot, flags, -1, 0);
}

START_FN static void start_munmap(uintptr_t addr, uintptr_t len)
{
    if (len)
        start_syscall(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);
}

/* [at, at+len) was free and is reserved now (a PROT_NONE placeholder the
 * mremap replaces), or false: something is mapped there. */
START_FN static int start_reserve(uintptr_t at, uintptr_t len)
{
    if (!len)
        return 1;
    uintptr_t got = start_mmap(at, len, 0, START_MAP_PRIVATE | START_MAP_ANONYMOUS |
                                           START_MAP_NORESERVE | START_MAP_FIXED_NOREPLACE);
    if (got == at)
        return 1;
    if (got < (uintptr_t)-4095)         /* an old kernel took it as a hint */
        start_munmap(got, len);
    return 0;
}

/* Where the writable segment's data and bss end, short of the padding
 * that fills their window (start_data.ld): the program defines it (main.c),
 * where the linker script is; 0 in other links of these objects (unit
 * tests, golden). */
__attribute__((weak, visibility("hidden"))) uintptr_t start_data_end(void)
{
    return 0;
}

/* The kernel gives huge pages to a region advised so (transparent huge
 * pages "always" or "madvise"): else the window would be 512 pages. */
START_FN static int start_thp_on(void)
{
    char text[64];
    long fd = start_syscall(SYS_openat, AT_FDCWD, (long)"/sys/kernel/mm/transparent_hugepage/enabled",
                            O_RDONLY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return 0;
    long n = start_syscall(SYS_read, fd, (long)text, sizeof text - 1, 0, 0, 0);
    start_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
    for (long k = 0; k + 1 < n; k++)
        if (text[k] == '[')
            return text[k + 1] == 'a' || text[k + 1] == 'm';
    return 0;
}

/* The first bytes of the file at fd are this image's (ELF header, program
 * headers, the build-id note): /proc/self/exe is the binary running. */
START_FN static int start_same_file(long fd, const uint8_t *base)
{
    uint8_t head[START_CHECK_BYTES];
    if (start_syscall(SYS_pread64, fd, (long)head, START_CHECK_BYTES, 0, 0, 0) != START_CHECK_BYTES)
        return 0;
    unsigned diff = 0;
    for (unsigned k = 0; k < START_CHECK_BYTES; k++)
        diff |= head[k] ^ base[k];
    return diff == 0;
}

/* The segment's file bytes into `to` (its first page's address in the new
 * memory), read by the kernel from the page cache: the file's pages are
 * never touched from user mode. */
START_FN static int start_read_segment(const uint8_t *base, const Elf64_Phdr *ph, uintptr_t to)
{
    long fd = start_syscall(SYS_openat, AT_FDCWD, (long)"/proc/self/exe", O_RDONLY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return 0;
    uintptr_t in = ph->p_vaddr & 4095, len = in + ph->p_filesz;
    int ok = start_same_file(fd, base) &&
             start_syscall(SYS_pread64, fd, (long)to, (long)len, (long)(ph->p_offset - in), 0, 0) == (long)len;
    start_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
    return ok;
}

/* The writable segment on one huge page (above), or false with nothing
 * changed. */
START_FN static int start_huge_data(const uint8_t *base, const Elf64_Phdr *ph)
{
    uintptr_t lo = ((uintptr_t)base + ph->p_vaddr) & ~(uintptr_t)4095;
    uintptr_t hi = ((uintptr_t)base + ph->p_vaddr + ph->p_memsz + 4095) & ~(uintptr_t)4095;
    uintptr_t w = lo & ~(START_HUGE - 1);
    long brk = start_syscall(SYS_brk, 0, 0, 0, 0, 0, 0);
    if (hi - w > START_HUGE || ph->p_filesz > ph->p_memsz ||
        ((uintptr_t)brk >= w && (uintptr_t)brk < w + START_HUGE) || !start_thp_on())
        return 0;
    uintptr_t room = start_mmap(0, 2 * START_HUGE, 3, START_MAP_PRIVATE | START_MAP_ANONYMOUS | START_MAP_NORESERVE);
    if (room >= (uintptr_t)-4095)
        return 0;
    uintptr_t page = (room + START_HUGE - 1) & ~(START_HUGE - 1);
    int ok = start_madvise(page, START_HUGE, START_MADV_HUGEPAGE) == 0 &&
             start_madvise(page, START_HUGE, START_MADV_POPULATE_WRITE) == 0 &&
             start_read_segment(base, ph, page + (lo - w));
    int head = ok && start_reserve(w, lo - w), tail = head && start_reserve(hi, w + START_HUGE - hi);
    ok = tail && start_syscall(SYS_mremap, (long)page, (long)START_HUGE, (long)START_HUGE,
                               START_MREMAP_MAYMOVE | START_MREMAP_FIXED, (long)w, 0) == (long)w;
    if (!ok) {
        if (head)
            start_munmap(w, lo - w);
        if (tail)
            start_munmap(hi, w + START_HUGE - hi);
        start_munmap(room, 2 * START_HUGE);
        return 0;
    }
    start_munmap(room, page - room);    /* the ends around the page moved */
    start_munmap(page + START_HUGE, room + 2 * START_HUGE - (page + START_HUGE));
    return 1;
}

/* Every writable PT_LOAD of ferry's own image (bss included), the code,
 * and the first segment (the headers and the relocations being applied).
 * Not checked by UBSan: the program headers lie past the 64-byte
 * __ehdr_start object, which its object-size check takes for an overrun. */
__attribute__((used, optimize("no-stack-protector"), no_sanitize("undefined")))
static void start_prefault(void)
{
    const uint8_t *base = (const uint8_t *)&__ehdr_start;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + __ehdr_start.e_phoff);
    int relocated = 0;                  /* a dynamic build: ld.so ran first */
    for (unsigned k = 0; k < __ehdr_start.e_phnum; k++)
        relocated |= ph[k].p_type == PT_INTERP;
    for (unsigned k = 0; k < __ehdr_start.e_phnum; k++) {
        if (ph[k].p_type != PT_LOAD || !(ph[k].p_flags & (PF_W | PF_X) || ph[k].p_offset == 0))
            continue;
        if (ph[k].p_flags & PF_W && !relocated && start_huge_data(base, &ph[k]))
            continue;
        uintptr_t lo = ((uintptr_t)base + ph[k].p_vaddr) & ~(uintptr_t)4095;
        uintptr_t hi = (uintptr_t)base + ph[k].p_vaddr + ph[k].p_memsz;
        uintptr_t end = start_data_end();
        if (ph[k].p_flags & PF_W && hi > end && end > lo)
            hi = end;                   /* (the window's padding is never touched) */
        start_madvise(lo, hi - lo, ph[k].p_flags & PF_W ? START_MADV_POPULATE_WRITE : START_MADV_POPULATE_READ);
    }
}

#endif
