/* x86_guard.c -- guest memory reached by C helpers (xsave/xrstor,
 * fxsave/fxrstor, fnsave/frstor/fnstenv/fldenv, fbld/fbstp, cmpxchg16b,
 * maskmovq/maskmovdqu) made a precise guest fault instead of a crash of
 * ferry: before touching an operand, the helper probes it page by page,
 * lowest first, with the kind of access the instruction makes, under a
 * guard (rt.helper_guard; fault.c longjmps there on a host fault).  A
 * fault leaves memory and registers unchanged and raises the guest fault
 * at the instruction (the helper's caller synced rt.pc) with si_addr the
 * first inaccessible byte, si_code from the host (MAPERR/ACCERR), and the
 * W bit in REG_ERR for instructions that write.  (The rep-string helpers
 * in x86_helpers.c run their own loops under x86_guarded.)  What the
 * probe cannot see: another thread unmapping the operand between the
 * probe and the access. */
#include <setjmp.h>

#include "x86_internal.h"

#define X86_GUARD_PAGE 4096u

bool x86_guarded(struct x86_cpu *c, void (*fn)(struct x86_cpu *, void *), void *arg)
{
    sigjmp_buf guard;
    if (sigsetjmp(guard, 0))
        return false;                   /* fault.c cleared rt.helper_guard */
    c->rt.helper_guard = &guard;
    fn(c, arg);
    c->rt.helper_guard = NULL;
    return true;
}

struct guard_span { uint64_t host; size_t len; bool write; };

/* One byte per page; a write probe is an atomic add of 0, which faults
 * like a store but cannot lose another thread's store. */
static void guard_touch(struct x86_cpu *c, void *arg)
{
    const struct guard_span *s = arg;
    for (uint64_t a = s->host; a - s->host < s->len; a = (a | (X86_GUARD_PAGE - 1)) + 1) {
        volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)a;
        if (s->write)
            __atomic_fetch_add(p, 0, __ATOMIC_RELAXED);
        else
            (void)*p;
    }
}

static void probe_host(struct x86_cpu *c, uint64_t host, size_t len, bool write)
{
    struct guard_span s = { host, len, write };
    if (x86_guarded(c, guard_touch, &s))
        return;
    if (write && c->rt.fault.trapno == 14)     /* not for #GP (non-canonical) */
        c->rt.fault.err |= 2;
    tr_raise(&c->rt, TR_EXIT_HOST_FAULT, c->rt.pc);
}

/* #GP for an operand not wholly canonical (bits 63:47 equal at both
 * ends): the x86-64 host faults by itself, an AArch64 host's
 * top-byte-ignore would let a tagged pointer through.  User mode. */
void x86_check_canonical_span(struct x86_cpu *c, uint64_t addr, size_t len)
{
    uint64_t last = addr + (len ? len - 1 : 0);
    if (tr_guest_softmmu(c) || (addr + (1ull << 47) < (1ull << 48) && last + (1ull << 47) < (1ull << 48)))
        return;
    tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
}

void x86_guest_probe(struct x86_cpu *c, uint64_t addr, size_t len, bool write)
{
    x86_check_canonical_span(c, addr, len);
    probe_host(c, (uint64_t)(uintptr_t)tr_guest_ptr(c, addr), len, write);
}

/* A save area (fxsave, xsave, fnsave, fnstenv) that does not fit the
 * guest's pages: the CPU's microcode checks the area's ends before it
 * writes -- fxsave the last byte, then the first; xsave on AMD the first
 * byte, then the last, on Intel the last, then the first; fnsave/fnstenv
 * their first field (4 bytes, 2 in the 16-bit forms), then the last byte
 * -- so si_addr names the first byte of those checks that faults, and
 * nothing is written, as measured on Zen 5 and on an Ice Lake server
 * (tests/guest/store_cross_scalar.c; the caller passes the machine's
 * head).  User mode only: ferry-system copies the area through its MMU,
 * lowest byte first (docs/status.md). */
void x86_guest_probe_area(struct x86_cpu *c, uint64_t addr, size_t len, size_t head)
{
    if (len && !tr_guest_softmmu(c)) {
        uint64_t last = addr + len - 1;
        x86_guest_probe(c, head ? addr : last, head ? head : 1, true);
        x86_guest_probe(c, head ? last : addr, 1, true);
    }
    x86_guest_probe(c, addr, len, true);
}

/* Intel's masked vector stores (vmaskmovps/pd, vpmaskmovd/q) check the
 * first byte of their lowest selected element, then the last byte of the
 * highest, before any element: si_addr is the first of the two that
 * faults (measured on an Ice Lake server, tests/guest/store_fault.c).
 * AMD's (and ferry-system's) go element by element, lowest first. */
void x86_masked_store_ends(struct x86_cpu *c, uint64_t first, uint64_t last)
{
    if (!x86_machine()->intel || tr_guest_softmmu(c))
        return;
    x86_guest_probe(c, first, 1, true);
    x86_guest_probe(c, last, 1, true);
}

/* How many leading bytes of an m80 store (fstp m80, fbstp) the machine
 * writes as one all-or-nothing part: Intel stores the 8-byte significand
 * (or the BCD digits' low 8 bytes), then the last 2 bytes, so a fault in
 * those 2 leaves the first 8 written (Ice Lake server, store_fault.c);
 * AMD writes all 10 or none.  User mode only. */
size_t x86_m80_first_part(struct x86_cpu *c)
{
    return x86_machine()->intel && !tr_guest_softmmu(c) ? 8 : 10;
}
