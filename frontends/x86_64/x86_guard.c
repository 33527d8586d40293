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
 * in x86_helpers.c guard their own element loop.)  What the probe cannot
 * see: another thread unmapping the operand between the probe and the
 * access. */
#include <setjmp.h>

#include "x86_internal.h"

#define X86_GUARD_PAGE 4096u

/* One byte per page; a write probe is an atomic add of 0, which faults
 * like a store but cannot lose another thread's store. */
static void guard_touch(uint64_t addr, size_t len, bool write)
{
    for (uint64_t a = addr; a - addr < len; a = (a | (X86_GUARD_PAGE - 1)) + 1) {
        volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)a;
        if (write)
            __atomic_fetch_add(p, 0, __ATOMIC_RELAXED);
        else
            (void)*p;
    }
}

static void probe_host(struct x86_cpu *c, uint64_t host, size_t len, bool write)
{
    sigjmp_buf guard;
    if (sigsetjmp(guard, 0)) {
        if (write)
            c->rt.fault.err |= 2;
        tr_raise(&c->rt, TR_EXIT_HOST_FAULT, c->rt.pc);
    }
    c->rt.helper_guard = &guard;
    guard_touch(host, len, write);
    c->rt.helper_guard = NULL;
}

void x86_guest_probe(struct x86_cpu *c, uint64_t addr, size_t len, bool write)
{
    probe_host(c, (uint64_t)(uintptr_t)tr_guest_ptr(c, addr), len, write);
}
