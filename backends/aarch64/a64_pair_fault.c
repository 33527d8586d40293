/* a64_pair_fault.c -- a host fault on a push or pop pair (a64_writeback.c:
 * `stp xb, xa, [x24, #-16]!` for push a; push b, `ldp xa, xb, [x24], #16`
 * for pop a; pop b) made exact.  The pair is one host access, the CPU
 * does two in order: when the first can be done, the CPU did it and
 * faulted on the second, else it faulted on the first with nothing done.
 * Which half the host reports says nothing about that (qemu-user writes
 * the lower half first, hardware may report either), so the handler
 * tries the first guest access itself: a fault there comes back to it
 * (be_fault_redirect calls a64_pair_probe_fault first) and means the
 * first faults.  Done, its effect goes into the ucontext (a pop's
 * register, the stack pointer) and the second's fault point, which the
 * allocator put inside the pair's word, describes the rest.
 *
 * Not undone: a push pair whose first half faults may already have
 * written its second half (below the stack pointer) on the host.  A
 * faulting pop pair is assumed to leave its registers as they were, as a
 * faulting single load is (qemu-user and the cores ferry runs on do).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>

#include "a64_emit.h"

enum {
    PAIR_MASK = 0xffc00000u,            /* opc, V, mode, L */
    STP_X_PRE = 0xa9800000u,
    LDP_X_POST = 0xa8c00000u,
};

static __thread sigjmp_buf *probe;

void a64_pair_probe_fault(void)
{
    if (probe)
        siglongjmp(*probe, 1);
}

/* One 8-byte guest access, false when it faults (nothing done then: an
 * aligned access is one page; a page-crossing one writes nothing on
 * qemu-user and on the cores ferry runs on). */
static bool try_access(bool store, uint64_t addr, uint64_t *v)
{
    sigjmp_buf env;
    if (sigsetjmp(env, 0)) {
        probe = NULL;
        return false;
    }
    probe = &env;
    if (store)
        *(volatile uint64_t *)(uintptr_t)addr = *v;
    else
        *v = *(volatile uint64_t *)(uintptr_t)addr;
    probe = NULL;
    return true;
}

/* x86's canonical addresses: bits 63:47 all equal. */
static bool canonical(uint64_t a) { return (uint64_t)((int64_t)(a << 16) >> 16) == a; }

static uint64_t reported(uint64_t host_addr, uint64_t start)
{
    return host_addr - start < 8 ? host_addr : start;
}

int be_fault_split(void *uc, uintptr_t pc, uint64_t host_addr, uint64_t *addr, unsigned *bytes)
{
    uint32_t w;
    __builtin_memcpy(&w, (const void *)pc, 4);
    int imm7 = (int)(w << 10) >> 25;
    bool push = (w & PAIR_MASK) == STP_X_PRE && imm7 == -2;
    bool pop = (w & PAIR_MASK) == LDP_X_POST && imm7 == 2;
    if (!push && !pop)
        return -1;
    mcontext_t *m = &((ucontext_t *)uc)->uc_mcontext;
    unsigned rt = w & 31, rn = w >> 5 & 31, rt2 = w >> 10 & 31;
    if (rn == 31)
        return -1;
    uint64_t base = m->regs[rn];
    uint64_t first = push ? base - 8 : base, second = push ? base - 16 : base + 8;
    uint64_t v = push ? m->regs[rt2] : 0;
    *bytes = 8;
    if (!canonical(first) || !canonical(first + 7) || !try_access(push, first, &v)) {
        *addr = reported(host_addr, first);
        return 0;
    }
    if (pop)
        m->regs[rt] = v;
    m->regs[rn] = push ? base - 8 : base + 8;
    *addr = reported(host_addr, second);
    return 2;
}
