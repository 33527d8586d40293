/* fault.c -- host faults (SIGSEGV/SIGBUS) on guest memory accesses inside
 * translated code become precise guest signals.  The register allocator
 * records, for every guest load/store, the guest pc and where each global
 * newer than env lives (pinned globals: in their host registers); the
 * handler finds the block and the access from the host pc, writes those
 * globals back into env, sets rt.pc and unwinds to the dispatcher, which
 * hands the signal to the guest.  Faults anywhere else are ferry's own:
 * they take the default action. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "regalloc.h"
#include "tr_internal.h"

struct fault_map {
    int n_points;
    struct ra_fault_point *points;
    struct ra_fault_entry *entries;
};

void fault_begin_block(struct tr_engine *e)
{
    ra_record_faults(e->xl->ra, be_ucontext_pc ? &e->xl->faults : NULL);
}

/* Copies the allocator's record into one compact allocation. */
void fault_keep_map(struct tr_engine *e, struct tr_block *tb)
{
    struct ra_fault_map *b = &e->xl->faults;
    if (!be_ucontext_pc || b->overflow || b->n_points == 0)
        return;
    size_t np = sizeof(b->points[0]) * (size_t)b->n_points;
    size_t ne = sizeof(b->entries[0]) * (size_t)b->n_entries;
    struct fault_map *m = malloc(sizeof(*m) + np + ne);
    if (!m)
        return;
    m->n_points = b->n_points;
    m->points = (struct ra_fault_point *)(m + 1);
    m->entries = (struct ra_fault_entry *)((char *)m->points + np);
    memcpy(m->points, b->points, np);
    memcpy(m->entries, b->entries, ne);
    tb->fault_map = m;
}

/* The last access starting at or before host offset `off`. */
static const struct ra_fault_point *find_point(const struct fault_map *m, uint32_t off)
{
    const struct ra_fault_point *found = NULL;
    for (int k = 0; k < m->n_points && m->points[k].host_off <= off; k++)
        found = &m->points[k];
    return found;
}

/* The access point of translated code the host pc is at, or NULL. */
static const struct ra_fault_point *fault_point(struct tr_runtime *rt, const void *uc,
                                                const struct fault_map **map)
{
    if (!rt || !rt->unwind || !rt->in_code)
        return NULL;
    struct tr_block *tb = tc_find_by_host_pc(rt->engine, be_ucontext_pc(uc));
    *map = tb ? tb->fault_map : NULL;
    return *map ? find_point(*map, (uint32_t)(be_ucontext_pc(uc) - (uintptr_t)tb->code)) : NULL;
}

/* A fault inside a helper that guards its guest accesses. */
static void helper_fault(struct tr_runtime *rt, int sig, const siginfo_t *si)
{
    sigjmp_buf *guard = rt->helper_guard;
    rt->helper_guard = NULL;
    rt->fault.sig = sig;
    rt->fault.addr = (uint64_t)(uintptr_t)si->si_addr;
    rt->fault.code = si->si_code;
    rt->fault.trapno = 14;
    rt->fault.err = 0;
    siglongjmp(*guard, 1);
}

static void on_host_fault(int sig, siginfo_t *si, void *uc)
{
    struct tr_runtime *rt = tr_thread_self();
    const struct fault_map *m = NULL;
    const struct ra_fault_point *p = fault_point(rt, uc, &m);
    if (!p && rt && rt->in_code && rt->helper_guard) {
        helper_fault(rt, sig, si);
        return;
    }
    if (!p) {
        signal(sig, SIG_DFL);           /* ferry's own fault: dies on return */
        return;
    }
    ra_fault_restore(rt, p, m->entries, rt->engine->globals.v, be_ucontext_reg, uc);
    rt->pc = p->guest_pc;
    rt->fault.sig = sig;
    rt->fault.addr = (uint64_t)(uintptr_t)si->si_addr;
    rt->fault.code = si->si_code;       /* MAPERR / ACCERR, BUS_ADRERR ... */
    rt->fault.trapno = 14;              /* #PF; dispatch.c completes err */
    rt->fault.err = p->write ? 2 : 0;
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
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}
