/* accel_tcg_mmu.c -- the tcg accelerator's software MMU: guest virtual
 * addresses through the x86-64 4-level page tables (4 KiB, 2 MiB and
 * 1 GiB pages, A/D bits, W with CR0.WP, U/S, NX with EFER.NXE) to guest
 * physical addresses, then to guest RAM or, outside it, to the MMIO bus.
 * It is the engine's guest memory (TR_MEM_SOFTMMU): the helpers every
 * guest load, store and atomic of translated code calls (softmmu.c
 * lowers them), code fetch for the translator, and tr_g2h for C helpers.
 * A fault leaves the page-fault event (#PF, CR2, error code) for the
 * vCPU loop and returns from translated code at the faulting instruction.
 *
 * A per-vCPU TLB (RAM pages only; flushed on CR0/CR3/CR4/EFER writes and
 * invlpg, as x86 requires of the guest) saves the walk.  Translated code
 * probes it inline for plain loads and stores (guest_mem.h struct
 * tr_softmmu_tlb, the backends' x64_tlb.c / a64_tlb.c); mmu_slow is its
 * miss path, the helpers below serve atomics, vector accesses and C code. */
#include <stddef.h>
#include <string.h>

#include "accel_tcg.h"
#include "ir.h"
#include "translator.h"

struct sys_vm *tcg_vm;

#define PTE_P  1ull
#define PTE_W  2ull
#define PTE_U  4ull
#define PTE_A  0x20ull
#define PTE_D  0x40ull
#define PTE_PS 0x80ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

enum { ACC_READ = 0, ACC_WRITE = 1, ACC_USER = 2, ACC_FETCH = 4 };
#define PF_P 1u
#define PF_W 2u
#define PF_U 4u
#define PF_RSVD 8u
#define PF_I 0x10u

static uint64_t *pte_ptr(uint64_t table, uint64_t va, int shift)
{
    return sys_mem_ptr(tcg_vm, (table & PTE_ADDR) + ((va >> shift) & 511) * 8, 8);
}

/* The I bit is reported only with EFER.NXE (SMEP is not advertised). */
static uint64_t pf_code(const struct x86_sys_state *s, int acc, bool present)
{
    return (present ? PF_P : 0) | (acc & ACC_WRITE ? PF_W : 0) | (acc & ACC_USER ? PF_U : 0)
           | ((acc & ACC_FETCH) && (s->efer & X86_EFER_NXE) ? PF_I : 0);
}

static bool allowed(const struct x86_sys_state *s, int acc, uint64_t rights)
{
    if ((acc & ACC_USER) && !(rights & PTE_U))
        return false;
    if ((acc & ACC_WRITE) && !(rights & PTE_W) && ((acc & ACC_USER) || (s->cr0 & X86_CR0_WP)))
        return false;
    return !((acc & ACC_FETCH) && (rights & PTE_NX));
}

/* The reserved bits of a 2 MiB or 1 GiB page's entry between its PAT bit
 * (12) and its frame (bit 21 or 30): set, the walk faults with RSVD
 * (Intel SDM vol. 3, 4.5 tables 4-17 and 4-15).  Fixed by the
 * architecture, unlike the ones above MAXPHYADDR (not checked). */
static uint64_t large_reserved(int shift)
{
    return shift == 12 ? 0 : ((1ull << shift) - 1) & ~0x1fffull;
}

/* The walk's A and D bits: writes to RAM like any other (tracked pages). */
static void set_bits(uint64_t *p, uint64_t bits)
{
    __atomic_fetch_or(p, bits, __ATOMIC_RELAXED);
    tcg_codewatch_write(p);
}

/* va -> guest physical; false with the #PF error code in *err. */
static bool walk(const struct x86_sys_state *s, uint64_t va, int acc, uint64_t *pa, uint64_t *err)
{
    if (!(s->cr0 & X86_CR0_PG)) {
        *pa = va;
        return true;
    }
    uint64_t table = s->cr3, rights = PTE_W | PTE_U;
    uint64_t nx = s->efer & X86_EFER_NXE ? PTE_NX : 0;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t *p = pte_ptr(table, va, shift);
        uint64_t pte = p ? __atomic_load_n(p, __ATOMIC_ACQUIRE) : 0;
        if (!(pte & PTE_P)) {
            *err = pf_code(s, acc, false);
            return false;
        }
        rights = (rights & (pte | PTE_NX)) | (pte & nx);   /* W, U: all levels; NX: any */
        if (!(pte & PTE_A))
            set_bits(p, PTE_A);
        if (shift == 12 || (shift <= 30 && (pte & PTE_PS))) {
            if (large_reserved(shift) & pte) {
                *err = pf_code(s, acc, true) | PF_RSVD;
                return false;
            }
            if (!allowed(s, acc, rights)) {
                *err = pf_code(s, acc, true);
                return false;
            }
            if ((acc & ACC_WRITE) && !(pte & PTE_D))
                set_bits(p, PTE_D);
            uint64_t mask = (1ull << shift) - 1;
            *pa = ((pte & PTE_ADDR) & ~mask) | (va & mask);
            return true;
        }
        table = pte;
    }
    return false;                       /* not reached */
}

static int cpl_acc(const struct x86_sys_cpu *c) { return (c->sys.cs & 3) == 3 ? ACC_USER : 0; }


/* The pc argument of an access made by the inline probe's slow path:
 * the guest pc comes from the block's fault map (softmmu.c). */
#define PC_FROM_SLOW UINT64_MAX

static uint64_t fault_pc(struct x86_sys_cpu *c, uint64_t pc)
{
    return pc == PC_FROM_SLOW ? tr_softmmu_fault_pc(c) : pc;
}

static _Noreturn void page_fault(struct x86_sys_cpu *c, uint64_t va, uint64_t err, uint64_t pc)
{
    pc = fault_pc(c, pc);
    c->sys.cr2 = va;
    c->sys.event = (struct x86_sys_event){ X86_EXC_PF, 1, err };
    tr_raise(&c->cpu.rt, TR_EXIT_SIGSEGV, pc);
}

/* A fetch at va failed (the engine found no code there): the address
 * that faults (va, or the next page for an instruction that crosses into
 * it) and the error code of the walk, present bit included. */
uint64_t tcg_fetch_fault(struct x86_sys_cpu *c, uint64_t va, uint64_t *err)
{
    uint64_t pa;
    int acc = ACC_FETCH | cpl_acc(c);
    if (walk(&c->sys, va, acc, &pa, err) && sys_mem_ptr(tcg_vm, pa, 1)) {
        va = (va | 0xfff) + 1;
        if (walk(&c->sys, va, acc, &pa, err))
            *err = pf_code(&c->sys, acc, true);      /* RAM ends (MMIO): no better answer */
    }
    return va;
}

/* A non-canonical address (bits 63..47 not all equal): #GP(0). */
static void check_canonical(struct x86_sys_cpu *c, uint64_t va, uint64_t pc)
{
    if ((uint64_t)((int64_t)(va << 16) >> 16) == va)
        return;
    pc = fault_pc(c, pc);
    c->sys.event = (struct x86_sys_event){ X86_EXC_GP, 1, 0 };
    tr_raise(&c->cpu.rt, TR_EXIT_SIGSEGV, pc);
}

/* Outside RAM: this vCPU's local APIC, or the MMIO bus (unclaimed reads
 * give all ones). */
static void mmio(struct x86_sys_cpu *c, uint64_t pa, void *data, unsigned n, bool write)
{
    if ((pa & ~0xfffull) == (c->sys.apic_base & ~0xfffull) && (c->sys.apic_base & 0x800)) {
        tcg_lapic_mmio(tcg_cpu_of(c), pa & 0xfff, data, n, write);
        return;
    }
    if (!sys_bus_access(tcg_vm, &tcg_vm->mmio, pa, data, n, write))
        sys_debug(tcg_vm, "unclaimed MMIO %s 0x%llx (%u bytes)", write ? "write" : "read",
                  (unsigned long long)pa, n);
}

/* Aligned RAM accesses are single host accesses (other vCPUs never see
 * them torn), ordered as x86 orders them. */
static void ram_copy(uint8_t *h, void *data, unsigned n, bool write)
{
    if (n == 8 && !((uintptr_t)h & 7)) {
        if (write) __atomic_store_n((uint64_t *)h, *(uint64_t *)data, __ATOMIC_RELEASE);
        else *(uint64_t *)data = __atomic_load_n((uint64_t *)h, __ATOMIC_ACQUIRE);
    } else if (n == 4 && !((uintptr_t)h & 3)) {
        if (write) __atomic_store_n((uint32_t *)h, *(uint32_t *)data, __ATOMIC_RELEASE);
        else *(uint32_t *)data = __atomic_load_n((uint32_t *)h, __ATOMIC_ACQUIRE);
    } else if (write) {
        memcpy(h, data, n);
    } else {
        memcpy(data, h, n);
    }
}

/* The slot of va for an access at CPL cpl. */
static unsigned tlb_slot(uint64_t va, unsigned cpl)
{
    return (cpl & 3) << TCG_TLB_BITS | (unsigned)((va >> 12) % TCG_TLB_PAGES);
}

/* An empty slot's tag: the page before its pages (bit 63 set), which an
 * access mapping to this slot can neither start nor end in. */
static uint64_t tlb_empty(unsigned slot)
{
    return 1ull << 63 | (uint64_t)((slot - 1) % TCG_TLB_PAGES) << 12;
}

void tcg_tlb_flush(struct tcg_cpu *c, uint64_t va, bool all)
{
    tcg_code_epoch_renew(c);            /* blocks may map elsewhere now */
    tr_forget_addresses(c, all ? 0 : va & ~0xfffull, all ? UINT64_MAX : 4096);
    for (unsigned i = 0; i < TCG_TLB_SIZE; i++) {
        struct tcg_tlb_entry *r = &c->tlb_read[i], *w = &c->tlb_write[i];
        if (all || r->tag == (va & ~0xfffull))
            r->tag = tlb_empty(i);
        if (all || w->tag == (va & ~0xfffull))
            w->tag = tlb_empty(i);
    }
}

/* Tracking of code pages starts (accel_tcg_codewatch.c): every vCPU's
 * write entries into [h, h+len) go.  Another vCPU may be using or filling
 * its entry meanwhile: the tag is one store, and a filler looks at the
 * page's tracking flag after its fill. */
void tcg_tlb_drop_writes(const uint8_t *h, uint64_t len)
{
    uintptr_t lo = (uintptr_t)h;
    for (int k = 0; k < tcg_vm->ncpus; k++) {
        struct tcg_cpu *t = tcg_cpu_index(k);
        for (unsigned i = 0; t && i < TCG_TLB_SIZE; i++) {
            struct tcg_tlb_entry *w = &t->tlb_write[i];
            uint64_t host = __atomic_load_n(&w->tag, __ATOMIC_RELAXED) +
                            __atomic_load_n(&w->addend, __ATOMIC_RELAXED);
            if (host - lo < len)
                __atomic_store_n(&w->tag, tlb_empty(i), __ATOMIC_RELAXED);
        }
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static struct tcg_tlb_entry *tlb_entry(struct tcg_cpu *t, uint64_t va, unsigned cpl, bool write)
{
    return &(write ? t->tlb_write : t->tlb_read)[tlb_slot(va, cpl)];
}

/* The host address of va's page in RAM for this access, or NULL (MMIO);
 * a miss walks (setting A, and D for a write) and fills the entry.  A
 * caller that writes calls tcg_codewatch_write after its write. */
static uint8_t *tlb_page(struct x86_sys_cpu *c, uint64_t va, int acc, uint64_t pc, uint64_t *pa)
{
    uint64_t page = va & ~0xfffull, err;
    struct tcg_tlb_entry *e = tlb_entry(tcg_cpu_of(c), va, (unsigned)c->sys.cs, acc & ACC_WRITE);
    if (e->tag == page)
        return (uint8_t *)(uintptr_t)(page + e->addend);
    if (!walk(&c->sys, page, acc, pa, &err))
        page_fault(c, va, err, pc);
    uint8_t *h = sys_mem_ptr(tcg_vm, *pa, 4096);
    if (h)
        *e = (struct tcg_tlb_entry){ page, (uint64_t)(uintptr_t)h - page };
    return h;
}

/* A supervisor access for C code (IDT delivery, helpers, the code-change
 * check on every block entry): through the CPL 0 TLB, never faulting. */
void *tcg_virt_ptr(struct x86_sys_cpu *c, uint64_t va, bool write)
{
    struct tcg_tlb_entry *e = tlb_entry(tcg_cpu_of(c), va, 0, write);
    uint64_t pa, err, page = va & ~0xfffull;
    if (e->tag == page)
        return (uint8_t *)(uintptr_t)(va + e->addend);
    if (!walk(&c->sys, page, write ? ACC_WRITE : ACC_READ, &pa, &err))
        return NULL;
    uint8_t *h = sys_mem_ptr(tcg_vm, pa, 4096);
    if (h)
        *e = (struct tcg_tlb_entry){ page, (uint64_t)(uintptr_t)h - page };
    if (h && write)
        tcg_codewatch_write(h);         /* (the caller writes soon after) */
    return h ? h + (va & 0xfff) : NULL;
}

/* Faults as a store of n bytes (n <= 4096) at va would unless all of
 * them are writable (and canonical): a store that crosses a page then writes all of its
 * bytes or none, as on the CPU (the second page's fault, with CR2 its
 * first byte, comes before the first page's part is written). */
static void probe_write(struct x86_sys_cpu *c, uint64_t va, unsigned n, uint64_t pc)
{
    uint64_t pa;
    check_canonical(c, va, pc);
    check_canonical(c, va + n - 1, pc);
    if ((va & 0xfff) + n <= 4096)
        return;
    tlb_page(c, va, ACC_WRITE | cpl_acc(c), pc, &pa);
    tlb_page(c, (va | 0xfff) + 1, ACC_WRITE | cpl_acc(c), pc, &pa);
}

/* One access of n bytes (n <= 16) at va, split at page boundaries; a
 * store checks every page first. */
static void access_virt(struct x86_sys_cpu *c, uint64_t va, void *data, unsigned n, bool write,
                        uint64_t pc)
{
    uint8_t *p = data;
    int acc = (write ? ACC_WRITE : ACC_READ) | cpl_acc(c);
    if (write)
        probe_write(c, va, n, pc);
    else {
        check_canonical(c, va, pc);
        check_canonical(c, va + n - 1, pc);
    }
    while (n) {
        unsigned chunk = 4096 - (unsigned)(va & 4095);
        if (chunk > n)
            chunk = n;
        uint64_t pa = 0;
        uint8_t *h = tlb_page(c, va, acc, pc, &pa);
        if (h) {
            ram_copy(h + (va & 0xfff), p, chunk, write);
            if (write)
                tcg_codewatch_write(h);
        } else
            mmio(c, pa | (va & 0xfff), p, chunk, write);
        va += chunk, p += chunk, n -= chunk;
    }
}

static uint64_t extend(uint64_t v, unsigned memop)
{
    int bits = 8 << (memop & IR_MO_SIZE);
    if (bits == 64 || !(memop & IR_MO_SIGN))
        return v;
    return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

/* The common case first: [va, va+n) inside one RAM page that the TLB
 * holds for this access (a hit means the page was walked, so va is
 * canonical).  NULL: take access_virt's way (miss, page crossing, MMIO). */
static inline uint8_t *tlb_hit(struct x86_sys_cpu *c, uint64_t va, unsigned n, bool write)
{
    const struct tcg_tlb_entry *e = tlb_entry(tcg_cpu_of(c), va, (unsigned)c->sys.cs, write);
    if (va - e->tag > 4096 - n)
        return NULL;
    return (uint8_t *)(uintptr_t)(va + e->addend);
}

/* ram_copy's accesses with a constant size each (inlined, no memcpy call). */
static inline uint64_t ram_load(const uint8_t *h, unsigned n)
{
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    switch (n) {
    case 1: return *h;
    case 2: memcpy(&v16, h, 2); return v16;
    case 4:
        if (!((uintptr_t)h & 3))
            return __atomic_load_n((const uint32_t *)h, __ATOMIC_ACQUIRE);
        memcpy(&v32, h, 4);
        return v32;
    default:
        if (!((uintptr_t)h & 7))
            return __atomic_load_n((const uint64_t *)h, __ATOMIC_ACQUIRE);
        memcpy(&v64, h, 8);
        return v64;
    }
}

static inline void ram_store(uint8_t *h, uint64_t v, unsigned n)
{
    uint16_t v16 = (uint16_t)v;
    uint32_t v32 = (uint32_t)v;
    switch (n) {
    case 1: *h = (uint8_t)v; return;
    case 2: memcpy(h, &v16, 2); return;
    case 4:
        if (!((uintptr_t)h & 3))
            __atomic_store_n((uint32_t *)h, v32, __ATOMIC_RELEASE);
        else
            memcpy(h, &v32, 4);
        return;
    default:
        if (!((uintptr_t)h & 7))
            __atomic_store_n((uint64_t *)h, v, __ATOMIC_RELEASE);
        else
            memcpy(h, &v, 8);
    }
}

static uint64_t mmu_ld(void *env, uint64_t va, uint64_t memop, uint64_t pc)
{
    uint64_t v = 0;
    unsigned n = 1u << (memop & IR_MO_SIZE);
    uint8_t *h = tlb_hit(env, va, n, false);
    if (h)
        v = ram_load(h, n);
    else
        access_virt(env, va, &v, n, false, pc);
    return extend(v, (unsigned)memop);
}

static uint64_t mmu_st(void *env, uint64_t va, uint64_t v, uint64_t memop, uint64_t pc)
{
    unsigned n = 1u << (memop & IR_MO_SIZE);
    uint8_t *h = tlb_hit(env, va, n, true);
    if (h)
        ram_store(h, v, n);
    else
        access_virt(env, va, &v, n, true, pc);
    return 0;
}

/* The host address of an atomic access: RAM, within one page (x86 split
 * locks are not supported: such an access faults as #GP... here #PF). */
static void *atomic_ptr(struct x86_sys_cpu *c, uint64_t va, unsigned n, uint64_t pc)
{
    uint64_t pa, err;
    check_canonical(c, va, pc);
    if (!walk(&c->sys, va, ACC_WRITE | cpl_acc(c), &pa, &err))
        page_fault(c, va, err, pc);
    void *h = sys_mem_ptr(tcg_vm, pa, n);
    if (!h || (pa & (n - 1)))
        page_fault(c, va, PF_P | PF_W, pc);
    return h;
}

static uint64_t rmw_apply(unsigned op, uint64_t old, uint64_t v)
{
    switch (op) {
    case IR_ATOMIC_ADD: return old + v;
    case IR_ATOMIC_AND: return old & v;
    case IR_ATOMIC_OR: return old | v;
    case IR_ATOMIC_XOR: return old ^ v;
    case IR_ATOMIC_XCHG: return v;
    default: return v - old;        /* IR_ATOMIC_RSUB */
    }
}

#define CAS_LOOP(T)                                                                 \
    do {                                                                            \
        T *p = h, old = __atomic_load_n(p, __ATOMIC_RELAXED);                       \
        while (!__atomic_compare_exchange_n(p, &old, (T)rmw_apply(op, old, v), false,\
                                            __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))    \
            ;                                                                       \
        return old;                                                                 \
    } while (0)

static uint64_t rmw_at(void *h, unsigned size, unsigned op, uint64_t v)
{
    switch (size) {
    case 0: CAS_LOOP(uint8_t);
    case 1: CAS_LOOP(uint16_t);
    case 2: CAS_LOOP(uint32_t);
    default: CAS_LOOP(uint64_t);
    }
}

static uint64_t mmu_rmw(void *env, uint64_t va, uint64_t v, uint64_t memop_op, uint64_t pc)
{
    unsigned size = memop_op & IR_MO_SIZE;
    void *h = atomic_ptr(env, va, 1u << size, pc);
    uint64_t old = rmw_at(h, size, (unsigned)(memop_op >> 8), v);
    tcg_codewatch_write(h);
    return old;
}

#define CAS_ONCE(T)                                                                 \
    do {                                                                            \
        T old = (T)expected;                                                        \
        __atomic_compare_exchange_n((T *)h, &old, (T)desired, false,                \
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);            \
        return old;                                                                 \
    } while (0)

static uint64_t cas_at(void *h, unsigned size, uint64_t expected, uint64_t desired)
{
    switch (size) {
    case 0: CAS_ONCE(uint8_t);
    case 1: CAS_ONCE(uint16_t);
    case 2: CAS_ONCE(uint32_t);
    default: CAS_ONCE(uint64_t);
    }
}

static uint64_t mmu_cas(void *env, uint64_t va, uint64_t expected, uint64_t desired,
                        uint64_t memop, uint64_t pc)
{
    unsigned size = memop & IR_MO_SIZE;
    void *h = atomic_ptr(env, va, 1u << size, pc);
    uint64_t old = cas_at(h, size, expected, desired);
    tcg_codewatch_write(h);
    return old;
}

/* vld: imm bytes into env at d, zero-extended to 16; vst: imm bytes of b,
 * after span bytes are known writable (guest_mem.h). */
static uint64_t mmu_vld(void *env, uint64_t va, uint64_t pack, uint64_t pc)
{
    uint8_t buf[16] = {0};
    unsigned n = (unsigned)(pack >> 48) & 31;
    access_virt(env, va, buf, n > 16 ? 16 : n, false, pc);
    memcpy((uint8_t *)env + (pack & 0xffff), buf, 16);
    return 0;
}

static uint64_t mmu_vst(void *env, uint64_t va, uint64_t pack, uint64_t pc, uint64_t span)
{
    uint8_t buf[16];
    unsigned n = (unsigned)(pack >> 48) & 31;
    if (span > n)
        probe_write(env, va, (unsigned)span, pc);     /* a ymm store's low half */
    memcpy(buf, (uint8_t *)env + ((pack >> 32) & 0xffff), 16);
    access_virt(env, va, buf, n > 16 ? 16 : n, true, pc);
    return 0;
}

/* The inline probe's miss (guest_mem.h): a load from one RAM page fills
 * the TLB and is done by translated code itself; the rest is done here,
 * and translated code's access goes to the vCPU's bounce buffer.  A store
 * is always made here, so that it comes before tcg_codewatch_write (a
 * page tracked since the entry was filled then gets a new generation). */
static void *mmu_slow(void *env, uint64_t va, uint64_t v, unsigned memop, bool write)
{
    struct tcg_cpu *t = env;
    unsigned n = 1u << (memop & IR_MO_SIZE);
    if (!write && (va & 0xfff) <= 4096 - n) {
        uint64_t pa = 0;
        check_canonical(env, va, PC_FROM_SLOW);
        uint8_t *h = tlb_page(env, va, ACC_READ | cpl_acc(env), PC_FROM_SLOW, &pa);
        if (h)
            return h + (va & 0xfff);
    }
    access_virt(env, va, write ? (void *)&v : t->bounce, n, write, PC_FROM_SLOW);
    return t->bounce;
}

static const struct tr_softmmu_tlb tlb = {
    .read_off = (int32_t)offsetof(struct tcg_cpu, tlb_read),
    .write_off = (int32_t)offsetof(struct tcg_cpu, tlb_write),
    .cpl_off = (int32_t)(offsetof(struct tcg_cpu, x) + offsetof(struct x86_sys_cpu, sys.cs)),
    .bits = TCG_TLB_BITS,
    .slow = mmu_slow,
};

#define RW IR_HELPER_RW_GLOBALS
static const struct ir_helper h_ld = { (void *)mmu_ld, "mmu_ld", 3, 1, RW };
static const struct ir_helper h_st = { (void *)mmu_st, "mmu_st", 4, 0, RW };
static const struct ir_helper h_rmw = { (void *)mmu_rmw, "mmu_rmw", 4, 1, RW };
static const struct ir_helper h_cas = { (void *)mmu_cas, "mmu_cas", 5, 1, RW };
static const struct ir_helper h_vld = { (void *)mmu_vld, "mmu_vld", 3, 0, RW };
static const struct ir_helper h_vst = { (void *)mmu_vst, "mmu_vst", 4, 0, RW };
static const struct tr_softmmu_helpers helpers = { &h_ld, &h_st, &h_rmw, &h_cas, &h_vld, &h_vst,
                                                    &tlb };

/* ---- the engine's view: fetch, code-change checks, g2h ------------------- */

static struct x86_sys_cpu *current(void) { return tr_current_env(); }

/* Bytes of code at pc in host memory that stays contiguous. */
static size_t mem_fetchable(const struct tr_guest_mem *m, uint64_t pc, size_t want)
{
    struct x86_sys_cpu *c = current();
    size_t got = 0;
    uint8_t *prev_end = NULL;
    while (c && got < want) {
        uint64_t va = pc + got, pa, err;
        if (!walk(&c->sys, va, ACC_FETCH | cpl_acc(c), &pa, &err))
            break;
        unsigned chunk = 4096 - (unsigned)(va & 4095);
        uint8_t *h = sys_mem_ptr(tcg_vm, pa, chunk);
        if (!h || (prev_end && h != prev_end))
            break;
        prev_end = h + chunk;
        got += chunk;
    }
    return got < want ? got : want;
}

/* All of RAM may be written: every block checks its code on entry (smc.c),
 * which also catches a page-table change that maps other code at its pc. */
static bool mem_writable(const struct tr_guest_mem *m, uint64_t addr, uint64_t len) { return true; }
static void mem_map_changed(const struct tr_guest_mem *m, enum tr_map_change how, uint64_t start,
                            uint64_t len, int prot) {}
static int mem_prot_at(const struct tr_guest_mem *m, uint64_t addr)
{
    return TR_PROT_READ | TR_PROT_WRITE | TR_PROT_EXEC;
}
static int mem_extent(const struct tr_guest_mem *m, uint64_t addr, uint64_t *end)
{
    *end = UINT64_MAX;
    return mem_prot_at(m, addr);
}

/* For C helpers and the code-change check: bytes that never match code
 * where nothing is mapped (the check then retranslates, and the fetch
 * reports the fault). */
static uint8_t unmapped_page[4096 * 2];

static void *mem_g2h(const struct tr_guest_mem *m, uint64_t va)
{
    struct x86_sys_cpu *c = current();
    void *h = c ? tcg_virt_ptr(c, va, false) : NULL;
    if (h)
        return h;
    memset(unmapped_page, 0xf4, sizeof unmapped_page);
    return unmapped_page;
}

/* A helper's access (rep string instructions): as translated code's, at
 * the instruction in rt.pc.  A fault leaves the helper for good, so its
 * host-fault guard is dropped first. */
/* An element of 1, 2, 4 or 8 bytes in the helper's buffer (constant-size
 * copies the compiler inlines: a rep stosb element was a memcpy call). */
static inline uint64_t elem_get(const void *p, unsigned n)
{
    uint8_t b[8] = { 0 };
    switch (n) {
    case 1: return *(const uint8_t *)p;
    case 2: memcpy(b, p, 2); break;
    case 4: memcpy(b, p, 4); break;
    default: memcpy(b, p, 8);
    }
    uint64_t v;
    memcpy(&v, b, 8);
    return v;
}

static inline void elem_put(void *p, uint64_t v, unsigned n)
{
    switch (n) {
    case 1: *(uint8_t *)p = (uint8_t)v; return;
    case 2: memcpy(p, &v, 2); return;
    case 4: memcpy(p, &v, 4); return;
    default: memcpy(p, &v, 8);
    }
}

static void mem_copy(const struct tr_guest_mem *m, uint64_t va, void *data, size_t len, bool write)
{
    struct x86_sys_cpu *c = current();
    c->cpu.rt.helper_guard = NULL;
    uint8_t *h = len && len <= 16 ? tlb_hit(c, va, (unsigned)len, write) : NULL;
    bool elem = len == 1 || len == 2 || len == 4 || len == 8;
    if (h && elem && write)             /* rep string elements: the common case */
        ram_store(h, elem_get(data, (unsigned)len), (unsigned)len);
    else if (h && elem)
        elem_put(data, ram_load(h, (unsigned)len), (unsigned)len);
    else if (h)
        ram_copy(h, data, (unsigned)len, write);
    else
        access_virt(c, va, data, (unsigned)len, write, c->cpu.rt.pc);
}

/* The self-modifying-code check's page version (accel_tcg_codewatch.c),
 * of the RAM page pc maps to now. */
static uint64_t mem_code_version(const struct tr_guest_mem *m, uint64_t pc, bool track)
{
    struct x86_sys_cpu *c = current();
    const uint8_t *h = c ? tcg_virt_ptr(c, pc, false) : NULL;
    return h ? tcg_codewatch_version(h, track) : 0;
}

/* Where the code at pc lives: its byte in RAM (host address), 0 when
 * unmapped or not RAM.  Through the CPL 0 read TLB: the common case of a
 * block lookup is a hit there. */
static uint64_t mem_code_phys(const struct tr_guest_mem *m, uint64_t pc)
{
    struct x86_sys_cpu *c = current();
    return c ? (uint64_t)(uintptr_t)tcg_virt_ptr(c, pc, false) : 0;
}

static uint64_t mem_code_epoch(const struct tr_guest_mem *m, void *env)
{
    return tcg_code_epoch(tcg_cpu_of(env));
}

static const struct tr_guest_mem tcg_mem = {
    .mode = TR_MEM_SOFTMMU, .fetchable = mem_fetchable, .writable = mem_writable,
    .map_changed = mem_map_changed, .prot_at = mem_prot_at, .extent = mem_extent,
    .g2h = mem_g2h, .copy = mem_copy, .soft = &helpers, .code_version = mem_code_version,
    .code_epoch = mem_code_epoch, .code_writes = &tcg_code_writes,
    .seen_writes_off = (int32_t)offsetof(struct tcg_cpu, seen_writes),
    .epoch_off = (int32_t)offsetof(struct tcg_cpu, code_epoch),
    .code_phys = mem_code_phys,
};

const struct tr_guest_mem *tcg_guest_mem(void) { return &tcg_mem; }
