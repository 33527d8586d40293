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
 * Runs before relocation and before TLS: only PC-relative addresses, no
 * library calls, no stack protector (the canary lives in TLS).  The host
 * file supplies start_madvise(), a raw system call. */
#ifndef FERRY_START_PREFAULT_H
#define FERRY_START_PREFAULT_H

#include <elf.h>
#include <stdint.h>

#define START_MADV_POPULATE_READ 22     /* Linux 5.14; older kernels say EINVAL: faults as before */
#define START_MADV_POPULATE_WRITE 23

extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));

static long start_madvise(uintptr_t addr, uintptr_t len, long advice);

/* Every writable PT_LOAD of ferry's own image (bss included), the code,
 * and the first segment (the headers and the relocations being applied).
 * Not checked by UBSan: the program headers lie past the 64-byte
 * __ehdr_start object, which its object-size check takes for an overrun. */
__attribute__((used, optimize("no-stack-protector"), no_sanitize("undefined")))
static void start_prefault(void)
{
    const uint8_t *base = (const uint8_t *)&__ehdr_start;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + __ehdr_start.e_phoff);
    for (unsigned k = 0; k < __ehdr_start.e_phnum; k++) {
        if (ph[k].p_type != PT_LOAD || !(ph[k].p_flags & (PF_W | PF_X) || ph[k].p_offset == 0))
            continue;
        uintptr_t lo = ((uintptr_t)base + ph[k].p_vaddr) & ~(uintptr_t)4095;
        uintptr_t hi = (uintptr_t)base + ph[k].p_vaddr + ph[k].p_memsz;
        start_madvise(lo, hi - lo, ph[k].p_flags & PF_W ? START_MADV_POPULATE_WRITE : START_MADV_POPULATE_READ);
    }
}

#endif
