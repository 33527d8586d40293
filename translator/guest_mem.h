/* guest_mem.h -- the guest-memory interface: how the engine fetches guest
 * code, how translated code and helpers reach guest data.
 *
 * One interface with one implementation per mode:
 *  - TR_MEM_HOST (user mode, mem_host.c): a guest address is the host
 *    address.  Backends emit guest loads and stores as plain host accesses
 *    (no extra cost), helpers dereference the address, and code fetch and
 *    the self-modifying-code check answer from the map of guest mappings
 *    the syscall layer keeps up to date (map_changed).
 *  - TR_MEM_SOFTMMU (ferry-system's tcg accelerator): the backends'
 *    guest-access emitters (the only place that looks at the mode) emit a
 *    TLB lookup before each ld/st and a slow-path call on a miss (struct
 *    tr_softmmu_tlb below); other accesses become helper calls
 *    (softmmu.c), tr_guest_ptr() walks the page tables, and fetchable()
 *    answers for the guest's virtual pc.  Frontends emit the same IR in
 *    every mode.
 */
#ifndef FERRY_GUEST_MEM_H
#define FERRY_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* x86's user half ends at TR_CANON_TOP (2^47; an address whose bits 63:47
 * are not all equal is non-canonical: #GP).  A TR_MEM_HOST host that does
 * not fault on every such address itself (AArch64: top-byte-ignore, and
 * user memory up to 2^48) keeps [TR_CANON_TOP - 4 KiB, TR_CANON_TOP +
 * TR_CANON_GUARD) free of host memory (user mode reserves it where the
 * host reaches there, sys_guest_va.c): an access near a canonical address
 * then needs no test of its own (ir_check_accesses). */
#define TR_CANON_TOP (1ull << 47)
#define TR_CANON_GUARD (1ull << 36)

enum tr_mem_mode {
    TR_MEM_HOST,            /* guest address == host address */
    TR_MEM_SOFTMMU,         /* guest virtual addresses through a software MMU
                               (ferry-system's tcg accelerator) */
};

struct ir_helper;

/* TR_MEM_SOFTMMU: the C helpers every guest access becomes (softmmu.c
 * rewrites ld, st, atomic_rmw, atomic_cas, vld and vst into calls of
 * them, all uint64_t, env first; pc is the guest instruction's, for a
 * precise fault):
 *   ld(addr, memop, pc) -> value         st(addr, value, memop, pc)
 *   rmw(addr, value, memop | op << 8, pc) -> old
 *   cas(addr, expected, desired, memop, pc) -> old
 *   vld(addr, vector operands (aux[0]), pc)   vst(the same, span)
 * where span is how many bytes at addr must all be writable before vst
 * writes any: 32 for the low half of a ymm store (IR_V_PAIR_LO), whose
 * high half follows, so that the store is all-or-nothing as on the CPU;
 * otherwise the vst's own bytes.
 * With a TLB that the backend probes inline (tlb), ld and st are left to
 * the backend and these two serve only backends without a probe. */
struct tr_softmmu_tlb;
struct tr_softmmu_helpers {
    const struct ir_helper *ld, *st, *rmw, *cas, *vld, *vst;
    const struct tr_softmmu_tlb *tlb;   /* NULL: every ld/st is a helper call */
};

/* TR_MEM_SOFTMMU, optional: the TLB that backends with an inline probe
 * (be_tlb_probe, backend.h) look up in translated code for ld/st/ldx/stx,
 * which softmmu.c then leaves in place.  Direct-mapped entries of { tag,
 * addend } in env at read_off (loads) and write_off (stores); an access
 * of n bytes at va looks at slot ((byte at env + cpl_off) & 3) << bits |
 * ((va >> 12) & ((1 << bits) - 1)) and hits when va - tag <= 4096 - n
 * (unsigned: tag is va's page and the access does not cross it; no tag
 * of an empty slot passes this, nor does its page + 1 equal it), then
 * reaches host address va + addend.  Otherwise translated code calls
 * tr_softmmu_slow (softmmu.c), which calls slow(): it does the whole
 * access (walk, fill, MMIO, page crossing, fault) and returns the host
 * address the inline code then loads from or stores to: the RAM byte
 * itself, or a per-vCPU buffer holding what was loaded / taking the store
 * that was already done.  A fault in slow() takes the guest pc from
 * tr_softmmu_fault_pc. */
struct tr_softmmu_tlb {
    int32_t read_off, write_off, cpl_off;
    unsigned bits;
    void *(*slow)(void *env, uint64_t va, uint64_t value, unsigned memop, bool write);
};
/* The guest pc of the access whose slow path is running on this thread,
 * with the globals that translated code held in host registers written
 * back into env (from the fault map): what a fault in slow() reports. */
uint64_t tr_softmmu_fault_pc(void *env);
/* Whether slow() runs for translated code on this thread now (not for a
 * helper or the lowered path, whose pc is known). */
bool tr_softmmu_in_slow(void);

/* The smallest guest page: what tr_g2h's pointer is valid for under a
 * software MMU (to the end of the page). */
#define TR_GUEST_PAGE 4096u

/* Page protections: Linux's PROT_READ, PROT_WRITE, PROT_EXEC values. */
#define TR_PROT_READ  1
#define TR_PROT_WRITE 2
#define TR_PROT_EXEC  4
/* Not Linux's: a shared mapping (MAP_SHARED, System V shm), which other
 * mappings of the same memory or other processes may write without a
 * store to these addresses -- a JIT's W^X dual mapping writes its code
 * through a second, writable view.  Its code checks itself as code on a
 * writable page does (smc.c); mprotect keeps the bit (guest_map.c). */
#define TR_PROT_SHARED 8

/* How the guest's mappings changed (for [start, start+len), in pages). */
enum tr_map_change {
    TR_MAP,                 /* a new mapping with prot, replacing what was there */
    TR_UNMAP,               /* no mapping any more */
    TR_PROTECT,             /* the mapped pages now have prot */
    TR_FORGET,              /* may have changed in ways not known (a call that
                               failed half-way): ask the host */
};

struct tr_guest_mem {
    enum tr_mem_mode mode;
    /* How many of the `want` bytes of guest code at pc can be fetched
     * (0: fetching pc faults).  Never faults itself. */
    size_t (*fetchable)(const struct tr_guest_mem *m, uint64_t pc, size_t want);
    /* Whether the guest may write [addr, addr+len) with plain stores, so
     * code translated from there must check itself (self-modifying code). */
    bool (*writable)(const struct tr_guest_mem *m, uint64_t addr, uint64_t len);
    /* The guest's mappings changed (user mode: every successful mmap,
     * munmap, mprotect, mremap and brk, and what the loader mapped). */
    void (*map_changed)(const struct tr_guest_mem *m, enum tr_map_change how,
                        uint64_t start, uint64_t len, int prot);
    /* The protection of the page at addr as far as map_changed told,
     * -1 when not known to be mapped. */
    int (*prot_at)(const struct tr_guest_mem *m, uint64_t addr);
    /* prot_at(addr), and in *end where that answer stops holding (the end
     * of the mapping, or of the hole up to the next one; UINT64_MAX at
     * the top): lets the syscall layer walk a range in a few steps. */
    int (*extent)(const struct tr_guest_mem *m, uint64_t addr, uint64_t *end);
    /* TR_MEM_HOST, optional: the highest start of len free bytes in
     * [floor, top) by that same record (guest_map.h's gmap_gap_below), 0
     * when none: where ferry places a guest mapping itself. */
    uint64_t (*gap_below)(const struct tr_guest_mem *m, uint64_t floor, uint64_t top, uint64_t len);
    /* TR_MEM_SOFTMMU only: the host address of guest virtual addr for the
     * vCPU running on this thread (tr_g2h), and the access helpers. */
    void *(*g2h)(const struct tr_guest_mem *m, uint64_t addr);
    /* TR_MEM_SOFTMMU only: a C helper's data access of [addr, addr+len)
     * for the vCPU on this thread, through its page tables (pages split,
     * MMIO reached, A/D set); a fault is the guest's, precise at the
     * instruction in rt.pc, and does not return. */
    void (*copy)(const struct tr_guest_mem *m, uint64_t addr, void *data, size_t len, bool write);
    const struct tr_softmmu_helpers *soft;
    /* TR_MEM_SOFTMMU, optional (NULL: the bytes are always compared): a
     * version of the guest page holding pc for the self-modifying-code
     * check (smc.c), which changes whenever that page may have been
     * written since it was tracked or pc maps to another page; 0 when
     * there is none (not RAM).  With track, the page's writes are tracked
     * from now on (take the version before reading the bytes). */
    uint64_t (*code_version)(const struct tr_guest_mem *m, uint64_t pc, bool track);
    /* Optional, with code_version: the vCPU's (env's) code epoch, a value
     * (never 0, low bits TR_SMC_SLOTS - 1 the same for a vCPU) that no
     * other vCPU has and that changes when any page version may have
     * changed for it: a block checked in this epoch is still good. */
    uint64_t (*code_epoch)(const struct tr_guest_mem *m, void *env);
    /* Optional, with code_epoch: what lets translated code check inline,
     * after a store, that its block's bytes are still the translated ones
     * (smc.c): the 64-bit word at *code_writes changes with every write
     * of a tracked page, env's word at seen_writes_off is its value when
     * env's epoch (at epoch_off) was last taken; while both words are
     * equal and the epoch is the one the block was checked in, nothing
     * the block was translated from has been written. */
    const uint64_t *code_writes;
    int32_t seen_writes_off, epoch_off;
    /* TR_MEM_SOFTMMU, optional (NULL: code is known by its virtual pc, as
     * in user mode): where the code byte at pc lives now for the vCPU on
     * this thread -- equal for two pcs (of any address space) exactly when
     * they map to the same byte of guest-physical memory; 0 when nowhere
     * (not mapped, not RAM).  Blocks are then found by pc and this
     * (codecache.c: the same kernel code under every CR3 is translated
     * once, a process's code at another's pc is not taken for it) and
     * dropped by the physical pages they came from (tc_pages.c). */
    uint64_t (*code_phys)(const struct tr_guest_mem *m, uint64_t pc);
};

/* User mode's guest memory: the host process's own address space. */
const struct tr_guest_mem *tr_mem_host(void);

/* A host pointer to guest memory at addr, for helpers and the engine
 * (fetch, self-modifying code copies).  In TR_MEM_HOST mode (also when
 * there is no engine, as in unit tests of helpers) the address itself; a
 * software MMU translates here (a page it cannot translate gives bytes
 * that never match code; the accesses of translated code fault exactly). */
static inline void *tr_g2h(const struct tr_guest_mem *m, uint64_t addr)
{
    if (m && m->mode != TR_MEM_HOST)
        return m->g2h(m, addr);
    return (void *)(uintptr_t)addr;
}

#endif
