/* dispatch.c -- the run loop of one vCPU: finds or translates the block
 * at the guest pc, enters it, and handles why it came back -- chaining,
 * indirect jumps and stale code inside the loop; system calls, guest
 * faults and exit requests by returning to tr_run()'s caller.  Helpers
 * leave translated code early through tr_raise(), which lands back here
 * via siglongjmp to the unwind point of the running tr_run().
 * Translation and chaining take the engine's translation lock. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tr_internal.h"

static struct tr_block *find_block_locked(struct tr_engine *e, uint64_t pc, uint32_t mode)
{
    struct tr_block *tb = tc_lookup(e, pc, mode);
    return tb ? tb : tr_translate(e, pc, mode);
}

static struct tr_block *find_block(struct tr_engine *e, uint64_t pc, uint32_t mode)
{
    struct tr_block *tb = tc_lookup(e, pc, mode);
    if (tb)
        return tb;
    tr_lock(e);
    tb = find_block_locked(e, pc, mode);
    tr_unlock(e);
    return tb;
}

/* The block chain() found for rt->pc, and the generation it was found
 * in: run_block enters it without looking it up again while no flush or
 * invalidation has run since. */
struct next_block {
    struct tr_block *tb;
    uint64_t gen;
};

/* The block that left through chain slot n now jumps straight to its
 * successor -- unless the cache was flushed or blocks were dropped since
 * that block was entered (by another thread, or by translating the
 * successor), or the block changed the translation mode (then every run
 * of it comes back here to find the successor of the mode it leaves in).
 * The successor is the variant for what that exit proves (ir.h
 * TR_MODE_FACTS_SHIFT); under -d exec (no patching) it is entered too. */
static void chain(struct tr_engine *e, struct tr_runtime *rt, int slot, struct next_block *next,
                  bool patch)
{
    struct tr_block *from = rt->exit_tb;
    tr_lock(e);
    if (from && TR_MODE_BASE(from->mode) == rt->tb_mode && tc_generation(e) == rt->entered_gen) {
        struct tr_block *to = find_block_locked(e, rt->pc, tr_successor_mode(from, slot));
        if (patch && tc_generation(e) == rt->entered_gen && tc_chain(e, from, slot, to))
            e->stats.chains_patched++;
        *next = (struct next_block){ to, tc_generation(e) };
    }
    tr_unlock(e);
}

static const int exit_signal[] = {
    [TR_EXIT_SIGILL] = SIGILL, [TR_EXIT_SIGTRAP] = SIGTRAP,
    [TR_EXIT_SIGSEGV] = SIGSEGV, [TR_EXIT_SIGFPE] = SIGFPE,
};

/* si_addr as the kernel reports it: the insn for SIGILL/SIGFPE, 0 for #GP
 * (hlt, privileged insns) and int3. */
static uint64_t fault_addr(int code, uint64_t pc)
{
    return code == TR_EXIT_SIGILL || code == TR_EXIT_SIGFPE ? pc : 0;
}

/* The x86 exception behind each exit: #UD, #BP, #GP, #DE. */
static const uint8_t exit_trapno[] = {
    [TR_EXIT_SIGILL] = 6, [TR_EXIT_SIGTRAP] = 3, [TR_EXIT_SIGSEGV] = 13, [TR_EXIT_SIGFPE] = 0,
};

#define SI_KERNEL_CODE 0x80
#define BUS_ADRALN_CODE 1
#define AC_VECTOR 17

/* #AC: Linux's do_alignment_check sends SIGBUS, BUS_ADRALN, si_addr 0,
 * error code 0. */
static void alignment_fault(struct tr_runtime *rt)
{
    rt->fault.sig = SIGBUS;
    rt->fault.code = BUS_ADRALN_CODE;
    rt->fault.addr = 0;
    rt->fault.trapno = AC_VECTOR;
    rt->fault.err = 0;
}

void tr_exit_fault(struct tr_runtime *rt, enum tr_exit code)
{
    rt->fault.sig = exit_signal[code];
    rt->fault.addr = fault_addr(code, rt->pc);
    /* #GP: SI_KERNEL; SIGFPE: a code and trap number stored by the
     * helper (x87 #MF), else #DE's; SIGTRAP: int3's, or the ones the
     * code stored (icebp's #DB: si_addr is the pc after it) */
    if (code == TR_EXIT_SIGTRAP && rt->fault.trapno)
        rt->fault.addr = rt->pc;
    rt->fault.code = code == TR_EXIT_SIGSEGV ? SI_KERNEL_CODE
                   : code == TR_EXIT_SIGFPE || code == TR_EXIT_SIGTRAP ? rt->fault.code : 0;
    rt->fault.trapno = code != TR_EXIT_SIGILL && rt->fault.trapno ? rt->fault.trapno
                                                                   : exit_trapno[code];
    /* err: 0, or stored by the code */
}

#define PF_PRESENT 1u
#define PF_USER    4u
#define PF_FETCH   0x10u
#define SEGV_MAPERR_CODE 1
#define SEGV_ACCERR_CODE 2

/* Linux's TASK_SIZE_MAX (4-level paging): at and above it, user-mode
 * faults report P whatever the page tables hold, so as not to show the
 * kernel's layout (x86 mm/fault.c, sanitize_error_code). */
#define PF_KERNEL_HALF 0x7ffffffff000ull

/* Whether the page at guest addr has a page-table entry yet: a page
 * never touched has none, so writing it read-only, or running it without
 * PROT_EXEC, faults with P clear (measured: a fresh mmap made read-only).
 * User mode's guest address is the host's, and mincore's "resident" of
 * anonymous memory is its PTE's present bit (of a file mapping, the page
 * cache's: a page cached but not yet mapped here counts as present). */
static bool pf_host_page_touched(const struct tr_runtime *rt, uint64_t addr)
{
    unsigned char resident = 1;
    uintptr_t page = (uintptr_t)addr & -(uintptr_t)getpagesize();
    if (rt->mem && rt->mem->mode == TR_MEM_HOST && mincore((void *)page, 1, &resident) != 0)
        return true;
    return resident & 1;
}

/* Linux takes a fetch from a readable page without PTE as a read: it maps
 * the page, and the fetch again faults on NX with P set; so do the same
 * (later faults on the page then see P too, as measured natively). */
static void pf_touch(const struct tr_runtime *rt, uint64_t addr)
{
    if (rt->mem && rt->mem->mode == TR_MEM_HOST)
        (void)*(volatile const char *)(uintptr_t)addr;
}

/* The page-fault error code's P bit: the page has a present PTE -- it is
 * mapped with some access (PROT_NONE pages, like holes, have none) and
 * has been touched. */
static uint64_t pf_present(const struct tr_runtime *rt, uint64_t addr, int code)
{
    if (addr >= PF_KERNEL_HALF)
        return PF_PRESENT;
    int prot = rt->mem && rt->mem->prot_at ? rt->mem->prot_at(rt->mem, addr) : -1;
    if (prot >= 0)
        return prot && pf_host_page_touched(rt, addr) ? PF_PRESENT : 0;
    return code == SEGV_ACCERR_CODE ? PF_PRESENT : 0;     /* not in ferry's map */
}

/* The host's PROT_NONE memory that is not the guest's (ferry's guards,
 * the main stack's reserved room: syscalls/sys_stack_grow.c) is a hole
 * for the guest: SEGV_MAPERR, as natively, not the host's SEGV_ACCERR. */
static void host_fault_hole(struct tr_runtime *rt)
{
    if (rt->fault.sig == SIGSEGV && rt->fault.code == SEGV_ACCERR_CODE && rt->mem &&
        rt->mem->prot_at && rt->mem->prot_at(rt->mem, rt->fault.addr) < 0)
        rt->fault.code = SEGV_MAPERR_CODE;
}

/* Fetching rt->pc faulted: si_addr is the first byte that cannot be
 * fetched (an instruction may start on the page before). */
static void fetch_fault(struct tr_runtime *rt)
{
    size_t ok = rt->mem ? rt->mem->fetchable(rt->mem, rt->pc, 16) : 0;
    uint64_t addr = rt->pc + ok;
    int prot = rt->mem && rt->mem->prot_at ? rt->mem->prot_at(rt->mem, addr) : -1;
    rt->fault.sig = SIGSEGV;
    rt->fault.addr = addr;
    rt->fault.code = prot >= 0 ? SEGV_ACCERR_CODE : SEGV_MAPERR_CODE;
    rt->fault.trapno = 14;
    rt->fault.err = PF_USER | PF_FETCH | (prot > 0 || addr >= PF_KERNEL_HALF ? PF_PRESENT : 0);
    if (prot > 0)
        pf_touch(rt, addr);
}

/* Another thread wanted everyone out, or a host signal arrived for the
 * guest: cleared before the caller looks, so no request is lost. */
static enum tr_stop exit_requested(struct tr_runtime *rt)
{
    tr_exit_request_served(rt);
    return TR_STOP_INTERRUPT;
}

/* What an exit code means: -1 to keep running, else why tr_run stops. */
static int handle_exit(struct tr_engine *e, struct tr_runtime *rt, int code, struct next_block *next)
{
    switch (code) {
    case TR_EXIT_CHAIN0: case TR_EXIT_CHAIN1:
        chain(e, rt, code, next, !LOG_ON(LOG_EXEC));    /* -d exec logs every block entered */
        return -1;
    case TR_EXIT_INDIRECT:              /* a request makes every probe miss */
        return tr_exit_request_pending(rt) ? (int)exit_requested(rt) : -1;
    case TR_EXIT_STALE:                 /* self-modifying code (smc.c) */
        tr_invalidate_code(e, rt->pc);
        return -1;
    case TR_EXIT_SYSCALL:
        return TR_STOP_SYSCALL;
    case TR_EXIT_REQUEST:
        return exit_requested(rt);
    case TR_EXIT_HOST_FAULT:            /* rt->fault filled in by fault.c */
        /* (13: a non-canonical address; U already set: a helper made the
         * whole error code, as Linux's UMIP emulation does) */
        if (rt->fault.trapno == 14 && !(rt->fault.err & PF_USER)) {
            host_fault_hole(rt);
            rt->fault.err |= PF_USER | pf_present(rt, rt->fault.addr, rt->fault.code);
        }
        return TR_STOP_FAULT;
    case TR_EXIT_FETCH_FAULT:
        fetch_fault(rt);
        return TR_STOP_FAULT;
    case TR_EXIT_STACK_MODE:            /* nothing of the block ran */
        tr_set_mode(rt, rt->tb_mode ^ TR_MODE_STACK_CHECKED);
        return -1;
    case TR_EXIT_SIGILL: case TR_EXIT_SIGTRAP: case TR_EXIT_SIGSEGV: case TR_EXIT_SIGFPE:
        tr_exit_fault(rt, (enum tr_exit)code);
        return TR_STOP_FAULT;
    case TR_EXIT_ALIGN_CHECK:
        alignment_fault(rt);
        return TR_STOP_FAULT;
    default:
        fprintf(stderr, "ferry: internal error: bad exit code %d\n", code);
        abort();
    }
}

/* -d exec and out_asm name a variant by its entry facts (" v12"). */
const char *variant_name(const struct tr_block *tb)
{
    static __thread char name[16];
    uint32_t facts = tb->mode >> TR_MODE_FACTS_SHIFT;
    if (!facts)
        return "";
    snprintf(name, sizeof name, " v%x", facts);
    return name;
}

/* A block looked up in generation gen is entered only if no flush ran
 * since; otherwise it is looked up again (-1). */
static int run_block(struct tr_engine *e, struct tr_runtime *rt, const struct next_block *next)
{
    uint64_t gen = tc_generation(e);
    struct tr_block *tb = next->tb && next->gen == gen ? next->tb : find_block(e, rt->pc, rt->tb_mode);
    if (!tr_thread_enter_code(e, rt, gen))
        return -1;
    if (tr_exit_request_at_entry(rt)) { /* made while outside: it armed no guard */
        tr_thread_leave_code(e, rt);
        return TR_EXIT_REQUEST;
    }
    if (!smc_entry_ok(rt, tb)) {        /* (inside: no flush frees tb meanwhile) */
        tr_thread_leave_code(e, rt);
        tr_invalidate_code(e, rt->pc);
        return -1;
    }
    rt->entered_gen = gen;
    if (LOG_ON(LOG_EXEC))
        fprintf(ferry_log, "exec: 0x%" PRIx64 "%s\n", rt->pc, variant_name(tb));
    __atomic_add_fetch(&e->stats.dispatches, 1, __ATOMIC_RELAXED);
    int code = (int)tc_enter(e, rt, tc_block_entry(tb));
    tr_thread_leave_code(e, rt);
    return code;
}

/* Blocks until one's exit stops the run; code: the first exit to handle
 * (-1: none). */
static int run_blocks(struct tr_engine *e, struct tr_runtime *rt, int code)
{
    for (;;) {
        struct next_block next = { NULL, 0 };
        int stop;
        if (code >= 0 && (stop = handle_exit(e, rt, code, &next)) >= 0)
            return stop;
        code = run_block(e, rt, &next);
    }
}

enum tr_stop tr_run(void *env)
{
    struct tr_runtime *rt = env;
    struct tr_engine *e = rt->engine;
    sigjmp_buf unwind;
    rt->unwind = &unwind;
    int raised = sigsetjmp(unwind, 0);
    if (raised)
        tr_thread_leave_code(e, rt);
    int stop = run_blocks(e, rt, raised - 1);
    rt->unwind = NULL;
    return (enum tr_stop)stop;
}

_Noreturn void tr_raise(struct tr_runtime *rt, enum tr_exit code, uint64_t pc)
{
    rt->pc = pc;
    siglongjmp(*rt->unwind, (int)code + 1);
}
