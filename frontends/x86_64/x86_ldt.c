/* x86_ldt.c -- the process's local descriptor table (user mode): the
 * 8-byte descriptors modify_ldt installs (syscalls/sys_x86.c turns
 * Linux's struct user_desc into them), read by segment loads and
 * lsl/lar/verr/verw (x86_segment.c).
 *
 * One table per process, as Linux keeps one per mm: the guest's threads
 * share it, a fork child has a copy (ferry's fork is the host's, so the
 * copy is the host's copy-on-write of this array), and execve starts
 * from none (a new ferry).  Its size is Linux's nr_entries: the highest
 * entry ever written plus one, which is the LDT limit the CPU checks a
 * selector's index against (0: no LDT, LDTR null).  The array lives in
 * .bss: untouched pages cost nothing until a program writes an entry.
 *
 * Writers need no lock (an entry is one store, the size only grows);
 * readers (translated code's helpers, on any thread) load each entry
 * whole, so they see an entry before or after a write, as the CPU does
 * with Linux's RCU-replaced table.  The generation counts writes, so
 * that each thread can re-check its segment registers after one. */
#include <stdbool.h>

#include "x86_cpu.h"

static uint64_t x86_ldt[X86_LDT_ENTRIES];
static uint32_t x86_ldt_size;
static uint32_t x86_ldt_gen;

void x86_ldt_set(uint32_t idx, uint64_t desc)
{
    if (idx >= X86_LDT_ENTRIES)
        return;
    __atomic_store_n(&x86_ldt[idx], desc, __ATOMIC_RELEASE);
    uint32_t n = __atomic_load_n(&x86_ldt_size, __ATOMIC_RELAXED);
    while (idx >= n && !__atomic_compare_exchange_n(&x86_ldt_size, &n, idx + 1, false,
                                                    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        ;
    __atomic_add_fetch(&x86_ldt_gen, 1, __ATOMIC_RELEASE);
}

uint32_t x86_ldt_count(void) { return __atomic_load_n(&x86_ldt_size, __ATOMIC_ACQUIRE); }

uint64_t x86_ldt_get(uint32_t idx)
{
    return idx < x86_ldt_count() ? __atomic_load_n(&x86_ldt[idx], __ATOMIC_ACQUIRE) : 0;
}

uint32_t x86_ldt_generation(void) { return __atomic_load_n(&x86_ldt_gen, __ATOMIC_ACQUIRE); }
