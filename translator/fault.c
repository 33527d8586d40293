/* fault.c -- host faults (SIGSEGV/SIGBUS) on guest memory accesses inside
 * translated code become precise guest signals.  The register allocator
 * records, for every guest load/store, the guest pc and where each global
 * newer than env lives (pinned globals: in their host registers); the
 * handler finds the block and the access from the host pc, writes those
 * globals back into env, sets rt.pc and unwinds to the dispatcher, which
 * hands the signal to the guest.  Faults anywhere else are ferry's own:
 * they take the default action. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "regalloc.h"
#include "tr_internal.h"

/* The access point of translated code at host pc (decoded into *p and
 * entries), or false. */
static bool fault_point(struct tr_runtime *rt, uintptr_t pc, struct ra_fault_point *p,
                        struct ra_fault_entry entries[64])
{
    if (!rt || !rt->unwind || !rt->in_code)
        return false;
    struct tr_block *tb = tc_find_by_host_pc(rt->engine, pc);
    return tb && fault_map_point(tb, (uint32_t)(pc - (uintptr_t)tb->code), p, entries);
}

bool fault_restore_at(void *env, uintptr_t host_pc, uint64_t (*reg)(const void *ctx, int r),
                      const void *ctx, uint64_t *guest_pc)
{
    struct tr_runtime *rt = env;
    struct tr_block *tb = tc_find_by_host_pc(rt->engine, host_pc);
    struct ra_fault_point p;
    struct ra_fault_entry entries[64];
    if (!tb || !fault_map_point(tb, (uint32_t)(host_pc - (uintptr_t)tb->code), &p, entries))
        return false;
    ra_fault_restore(env, &p, entries, rt->engine->globals.v, reg, ctx);
    *guest_pc = p.guest_pc;
    return true;
}

#define HOST_SI_KERNEL 0x80
#define HOST_SA_EXPOSE_TAGBITS 0x800    /* Linux 5.11; older kernels ignore it */

/* The guest's view of a host fault on a guest access: a page fault (#PF,
 * trap 14; dispatch.c completes err), or -- the host refused a
 * non-canonical address, SIGSEGV or (rsp/rbp-based in ferry's code)
 * SIGBUS with SI_KERNEL -- #GP: SIGSEGV, SI_KERNEL, trap 13, error 0, no
 * address.  A host with a wider user space (AArch64) faults at such an
 * address as at any other: si_addr says (its top byte too, with
 * SA_EXPOSE_TAGBITS).  (The CPU's #SS for an rsp/rbp-based guest address,
 * SIGBUS, is not told apart; an AArch64 host's top-byte-ignore lets an
 * access whose low 56 bits are mapped succeed.) */
static bool canonical(uint64_t a) { return a + TR_CANON_TOP < 2 * TR_CANON_TOP; }

static void set_guest_fault_at(struct tr_runtime *rt, int sig, const siginfo_t *si, uint64_t a,
                               bool write, bool gp)
{
    gp = gp || si->si_code == HOST_SI_KERNEL || !canonical(a);
    rt->fault.sig = gp ? SIGSEGV : sig;
    rt->fault.addr = gp ? 0 : a;
    rt->fault.code = gp ? HOST_SI_KERNEL : si->si_code;     /* MAPERR / ACCERR, BUS_ADRERR ... */
    rt->fault.trapno = gp ? 13 : 14;
    rt->fault.err = write && !gp ? 2 : 0;
}

static void set_guest_fault(struct tr_runtime *rt, int sig, const siginfo_t *si, bool write,
                            bool gp)
{
    set_guest_fault_at(rt, sig, si, (uint64_t)(uintptr_t)si->si_addr, write, gp);
}

/* Whether the access at host pc (the faulting one) has all its bytes at
 * canonical addresses, where the backend can tell (be_fault_access). */
static bool canonical_access(const void *uc, uintptr_t pc)
{
    uint64_t a;
    unsigned n;
    if (!be_fault_access || !be_fault_access(uc, pc, &a, &n))
        return true;
    return canonical(a) && canonical(a + n - 1);
}

/* Leaving the handler through siglongjmp: the guest's FP flags in the
 * host's FP status (x86 MXCSR) are the interrupted context's, not the
 * clean state the kernel may have given the handler. */
static void keep_fp_flags(const void *uc)
{
    if (be_ucontext_fp_flags)
        be_ucontext_fp_flags(uc);
}

/* A fault inside a helper that guards its guest accesses. */
static void helper_fault(struct tr_runtime *rt, int sig, const siginfo_t *si, const void *uc)
{
    sigjmp_buf *guard = rt->helper_guard;
    rt->helper_guard = NULL;
    set_guest_fault(rt, sig, si, false, false);
    keep_fp_flags(uc);
    siglongjmp(*guard, 1);
}

/* A fault inside a helper's unguarded fast path (TR_HELPER_RETRY): the
 * guest registers in env are those before the instruction at rt.pc, which
 * runs again (TR_EXIT_INDIRECT: continue at rt.pc), its helper the
 * careful way. */
_Noreturn static void helper_retry(struct tr_runtime *rt, const void *uc)
{
    rt->helper_guard = TR_HELPER_RETRIED;
    keep_fp_flags(uc);
    siglongjmp(*rt->unwind, TR_EXIT_INDIRECT + 1);
}

/* A fault on two guest accesses in one host instruction (be_fault_split):
 * the first done or not as the CPU would have it, the state and signal of
 * the one that faults.  False: not such an instruction. */
static bool split_pair(struct tr_runtime *rt, int sig, const siginfo_t *si, void *uc,
                       uintptr_t pc, struct ra_fault_point *p, struct ra_fault_entry entries[64])
{
    uint64_t a;
    unsigned n;
    int at = be_fault_split(uc, pc, (uint64_t)(uintptr_t)si->si_addr, &a, &n);
    if (at < 0 || (at && !fault_point(rt, pc + (uintptr_t)at, p, entries)))
        return false;
    ra_fault_restore(rt, p, entries, rt->engine->globals.v, be_ucontext_reg, uc);
    rt->pc = p->guest_pc;
    set_guest_fault_at(rt, sig, si, a, p->write, !canonical(a) || !canonical(a + n - 1));
    keep_fp_flags(uc);
    siglongjmp(*rt->unwind, TR_EXIT_HOST_FAULT + 1);
}

void (*tr_sent_fault_handler)(int sig, void *siginfo, void *uc);
bool (*tr_stack_fault_handler)(uint64_t addr);

/* The kernel's own signals have si_code > 0 (SEGV_MAPERR, BUS_ADRERR,
 * SI_KERNEL...); kill, sigqueue and tgkill give SI_USER, SI_QUEUE and
 * SI_TKILL, all <= 0 (valgrind's none/tests/async-sigs). */
static bool sent_by_process(const siginfo_t *si) { return si->si_code <= 0; }

static void on_host_fault(int sig, siginfo_t *si, void *uc)
{
    if (sent_by_process(si) && tr_sent_fault_handler) {
        tr_sent_fault_handler(sig, si, uc);
        return;
    }
    if (sig == SIGSEGV && (si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR) && tr_stack_fault_handler &&
        tr_stack_fault_handler((uint64_t)(uintptr_t)si->si_addr)) {   /* ACCERR: its reserved room */
        tr_request_reach(uc);           /* (a kick may have landed in this handler) */
        return;                         /* the guest's stack grew: the access again */
    }
    tcache_host_fault();                /* the cache file truncated under a reader */
    struct tr_runtime *rt = tr_thread_self();
    tr_guard_fault(rt, si->si_addr, uc);    /* an exit request (exit_request.c) */
    struct ra_fault_point point;
    struct ra_fault_entry entries[64];
    uintptr_t gp_at = be_fault_redirect ? be_fault_redirect(uc) : 0;
    uintptr_t pc = gp_at ? gp_at : be_ucontext_pc(uc);
    const struct ra_fault_point *p = fault_point(rt, pc, &point, entries) ? &point : NULL;
    if (!p && rt && rt->in_code && rt->helper_guard == TR_HELPER_RETRY)
        helper_retry(rt, uc);
    if (!p && rt && rt->in_code && rt->helper_guard && rt->helper_guard != TR_HELPER_RETRIED) {
        helper_fault(rt, sig, si, uc);
        return;
    }
    if (!p) {
        signal(sig, SIG_DFL);           /* ferry's own fault: dies on return */
        return;
    }
    if (!gp_at && be_fault_split && split_pair(rt, sig, si, uc, pc, &point, entries))
        return;
    ra_fault_restore(rt, p, entries, rt->engine->globals.v, be_ucontext_reg, uc);
    rt->pc = p->guest_pc;
    set_guest_fault(rt, sig, si, p->write, gp_at || !canonical_access(uc, pc));
    keep_fp_flags(uc);
    siglongjmp(*rt->unwind, TR_EXIT_HOST_FAULT + 1);
}

/* One handler for the process, whatever the number of engines. */
void fault_install(void)
{
    static bool installed;
    if (!be_ucontext_pc || !be_ucontext_reg || installed)
        return;
    installed = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_host_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | HOST_SA_EXPOSE_TAGBITS;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}
