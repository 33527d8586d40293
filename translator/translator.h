/* translator.h -- the translation engine's public face.
 *
 * An engine (struct tr_engine) owns everything translation needs: the
 * guest frontend, the code cache with its block table, the vCPU registry
 * and locks, statistics, and the guest-memory interface that translated
 * code reaches memory through.  A vCPU is a guest CPU-state structure
 * ("env", starting with struct tr_runtime) attached to an engine; the
 * host thread that runs it calls tr_run() in a loop, handling each reason
 * it returns (a system call, a guest fault, an interrupt request).  User
 * mode (syscalls/sys_cpu_loop.c) is one such loop; nothing in the engine
 * knows about Linux processes.
 */
#ifndef FERRY_TRANSLATOR_H
#define FERRY_TRANSLATOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest_mem.h"
#include "runtime.h"

struct tr_engine;
struct fe_guest;                        /* frontends/frontend.h */

struct tr_engine_config {
    const struct fe_guest *guest;
    const struct tr_guest_mem *mem;     /* e.g. tr_mem_host() */
    size_t code_cache_size;             /* bytes; 0: 64 MiB */
    bool count_blocks;                  /* blocks count their executions (--stats) */
    int ras;                            /* return-address stack: 1 on, 0 off, -1 the
                                           backend's default (be_host.ras_default) */
    bool check_ir;                      /* validate every block's IR (--check-ir) */
    /* Test guest data addresses for x86's non-canonical #GP where the host
     * would not fault on all of them (be_desc.canonical_accesses: AArch64),
     * as ir_check_accesses marks; user mode turns it on with
     * FERRY_CANONICAL_CHECK=1 (off by default: its cost, docs/status.md
     * "a64canon"). */
    bool check_canonical;
    /* Called for every new block, under the translation lock (--perfmap). */
    void (*on_translate)(void *opaque, uint64_t guest_pc, uint32_t guest_size,
                         const void *code, uint32_t code_size);
    void *opaque;
    /* Keeps fd as ferry's own descriptor, out of the guest's way, and
     * returns where its number is kept (sys_ferry_fd_adopt); NULL: cannot.
     * Asked for when the code cache must map its pages again after
     * rewriting them (tc_views.c; without it the cache is one RWX view). */
    const int *(*keep_fd)(int fd);
    /* Puts fd's file under the number kept in slot (which may be over
     * the soft RLIMIT_NOFILE, where a plain dup3 fails), closes fd; false
     * if it cannot (sys_ferry_fd_replace).  For a forked child's cache. */
    bool (*replace_fd)(const int *slot, int fd);
    /* Every env attached comes from tr_env_alloc (a guard page after it):
     * blocks may test for an exit request with one load from the guard
     * (where the backend does, be_desc.request_guard). */
    bool env_guard;
};

/* An env of `size` bytes (zeroed, at most TR_ENV_GUARD_OFFSET) followed by
 * its guard page (engine config env_guard), and its release. */
void *tr_env_alloc(size_t size);
void tr_env_free(void *env);

/* A new engine (exits with a message if memory or the cache cannot be had). */
struct tr_engine *tr_engine_new(const struct tr_engine_config *cfg);

/* Attaches env (zeroed, then reset by the frontend) to the engine; called
 * on the host thread that will run it, which it registers as a vCPU.
 * tr_cpu_detach() undoes it when that thread ends (outside tr_run). */
void tr_cpu_attach(struct tr_engine *e, void *env);
/* Another thread is about to attach a vCPU to e (called before it is
 * started): from now on chain patches are single atomic stores, never a
 * pwrite another thread could fetch half-written (tc_views.c). */
void tr_threads_expect(struct tr_engine *e);
void tr_cpu_detach(void *env);
static inline struct tr_engine *tr_engine_of(const void *env)
{
    return ((const struct tr_runtime *)env)->engine;
}

/* Why tr_run() returned; env->rt.pc says where the guest continues. */
enum tr_stop {
    TR_STOP_SYSCALL,        /* the guest made a system call (rt.pc: next insn) */
    TR_STOP_FAULT,          /* a guest fault: rt.fault (rt.pc: the faulting insn) */
    TR_STOP_INTERRUPT,      /* tr_interrupt() or another vCPU asked it to stop */
};
/* Runs guest code from env->rt.pc until one of the reasons above. */
enum tr_stop tr_run(void *env);

/* Asks env's thread to leave translated code at the next block entry and
 * return TR_STOP_INTERRUPT (async-signal-safe; env may be NULL). */
void tr_interrupt(void *env);

/* A blocking host system call a signal cannot slip past (backend.h's
 * be_safe_syscall, for syscalls/sys_block.h): the raw result, or
 * -TR_SYSCALL_WOKEN without entering the kernel when *wake is set.  A host
 * signal handler that sets *wake calls tr_safe_syscall_rewind(uc). */
#define TR_SYSCALL_WOKEN 513        /* Linux's ERESTARTSYS: user space never sees it */
long tr_safe_syscall(const volatile int *wake, long nr, long a0, long a1, long a2, long a3,
                     long a4, long a5);
void tr_safe_syscall_rewind(void *uc);
/* The host's flag for the guest's MXCSR.DE (backend.h's
 * be_fp_denormal_flag): whether set; cleared when `clear`. */
bool tr_fp_denormal_flag(bool clear);
/* SIGSEGV and SIGBUS are the fault handler's (fault.c); one another process
 * sent (kill, sigqueue, tgkill: si_code <= 0) is no fault and goes to this
 * handler, the one of the other asynchronous signals (set by syscalls/;
 * NULL: such a signal takes the default action). */
extern void (*tr_sent_fault_handler)(int sig, void *siginfo, void *uc);
/* A host fault (SIGSEGV, SEGV_MAPERR or SEGV_ACCERR) at addr, before it is taken as the
 * guest's: true when the hook mapped the page (the guest's main stack
 * grown into: syscalls/sys_stack_grow.c) and the access runs again. */
extern bool (*tr_stack_fault_handler)(uint64_t addr);
/* The env the calling host thread runs (NULL in threads with none). */
void *tr_current_env(void);
/* Exit requests that must reach a host register (exit_kick.c): the signal
 * sent to another thread in translated code -- handled by the embedding,
 * whose handler of it calls tr_kick_landed first (tr_kick_use), or by the
 * translator's own handler (tr_kick_install).  tr_kick_landed: true when
 * the signal was a kick (then handled).  tr_request_reach: called by a
 * signal handler that returns to the code it interrupted after a request
 * of its own thread (tr_interrupt) or with other signals unblocked. */
void tr_kick_use(int sig);
/* Queues host signal SIG to thread TID of this process, its value COOKIE
 * (SI_QUEUE): a handler tells ferry's own signal from a guest's by it. */
void tr_queue_cookie_signal(int tid, int sig, const void *cookie);
void tr_kick_install(int sig);
bool tr_kick_landed(int sig, const void *siginfo, void *uc);
void tr_request_reach(void *uc);

/* Drops every translation made from the guest pages of [start,
 * start+len) (guest code that changed).  Costs one table look-up when
 * those pages hold no translated code; otherwise stops the other vCPUs
 * briefly (an exclusive section) and drops only those blocks. */
void tr_invalidate(struct tr_engine *e, uint64_t start, uint64_t len);
/* Fetching the code at va faulted and its page may be mapped now: the
 * blocks standing for that fault go (under a software MMU that says where
 * code lives, only those: guest_mem.h code_phys). */
void tr_invalidate_fetch(struct tr_engine *e, uint64_t va);

/* The guest's mappings changed (guest_mem.h: how, prot): tells the
 * guest-memory interface, which answers code fetch and the
 * self-modifying-code check from it, and invalidates those pages.  User
 * mode calls it after every successful mmap, munmap, mprotect, mremap
 * and brk, and for what the loader mapped. */
void tr_map_changed(struct tr_engine *e, enum tr_map_change how, uint64_t start,
                    uint64_t len, int prot);
/* The protection of the guest page at addr as tr_map_changed left it, -1
 * when not known to be mapped. */
int tr_prot_at(struct tr_engine *e, uint64_t addr);
/* tr_prot_at(addr), and in *end where that answer stops holding (the
 * next change of mapping; UINT64_MAX at the top). */
int tr_map_extent(struct tr_engine *e, uint64_t addr, uint64_t *end);
/* The highest address a in [floor, top - len] where no mapping the engine
 * knows meets [a, a+len) (user mode's top-down placement of guest
 * mappings, syscalls/sys_guest_va.c); 0 when there is none. */
uint64_t tr_map_gap_below(struct tr_engine *e, uint64_t floor, uint64_t top, uint64_t len);

/* Around a host fork() of a process running the engine: prepare, then
 * parent or child (the child keeps only the calling thread's vCPU). */
void tr_fork_prepare(struct tr_engine *e);
void tr_fork_parent(struct tr_engine *e);
void tr_fork_child(struct tr_engine *e);

/* Golden codegen tests only (tests/golden/), never while vCPUs run:
 * empties the code cache, translates the block at pc (at most max_insns
 * guest instructions) as tr_run would, logging it as -d asks, and says
 * where its host code is; `block` and `cache` let tests name the
 * pointers the code embeds. */
struct tr_host_code {
    const uint8_t *code;
    uint32_t size;
    const void *block;
    const uint8_t *cache;               /* the cache's start: entry, epilogue */
};
struct tr_host_code tr_translate_alone(struct tr_engine *e, uint64_t pc, int max_insns);

struct tr_stats {
    uint64_t blocks_translated, dispatches, chains_patched, cache_flushes;
    uint64_t invalidations;             /* tr_invalidate calls that dropped code */
    uint64_t blocks_invalidated;
    uint64_t guard_faults;              /* requests a block's guard load caught */
    uint64_t request_flag_switches;     /* threads gone over to blocks that test the
                                           flag, requests being frequent (exit_request.c) */
    uint64_t async_settles;             /* signals delivered a few insns on, at exact
                                           flags (syscalls/sys_async_point.c) */
    uint64_t async_steps;               /* ... the insns run one at a time for them */
    uint64_t chains_written;            /* of chains_patched and unchained jumps: written
                                           with pwrite, their alias page let go (tc_views.c) */
    uint64_t guest_insns_translated;
    uint64_t blocks_executed;           /* with count_blocks only */
    uint64_t code_bytes;                /* of the code cache in use (its pages' first
                                           writes are a cost of their own: tc_views.c) */
    uint64_t translate_ns;              /* time spent translating (monotonic clock) */
    /* The persistent translation cache (tr_tcache_open): records read
     * from its file, blocks taken from it instead of translated, records
     * found stale (their pages changed), new records written at exit;
     * of the hits, those restored ahead of their first use (a batch whose
     * code the kernel wrote: tcache.c, "restoring ahead"). */
    uint64_t tcache_loaded, tcache_hits, tcache_stale, tcache_stored, tcache_ahead;
};
void tr_get_stats(struct tr_engine *e, struct tr_stats *out);
/* A signal delivered `steps` insns on, at exact flags (the syscall layer's count). */
void tr_count_async_settle(void *env, unsigned steps);

/* The persistent translation cache (translator/tcache.c,
 * docs/translation-cache.md): blocks translated from the guest code in
 * [lo, hi) (the program's own mappings, at the same addresses every run)
 * are kept in a file under dir, named after `program` (its identity: path,
 * device, inode, size, mtime) and `options` (whatever else changes the
 * code), and reused by later runs after checking every page they were
 * translated from.  Off unless opened; a cache that cannot be used is
 * ignored silently. */
void tr_tcache_open(struct tr_engine *e, const char *dir, const char *program,
                    const char *options, uint64_t lo, uint64_t hi);
/* Merges this process's new records into the file (write a temporary,
 * rename over): at exit and before an exec.  Never fails visibly. */
void tr_tcache_save(struct tr_engine *e);
/* After the guest's chroot (saved before it): no more records are made
 * or written, as their path now leads into the new root. */
void tr_tcache_root_moved(struct tr_engine *e);
/* Where translated code runs: [*start, *end), never writable (tc_views.c). */
void tr_code_range(struct tr_engine *e, const void **start, const void **end);
/* Whether the descriptor in `slot` (one cfg.keep_fd kept) may be closed:
 * true when the code cache does not use it or no longer does (its code
 * then on one RWX mapping, tc_views_go_single); false while more than one
 * thread runs code, and under an emulator (tr_code_emulated). */
bool tr_code_fd_drop(struct tr_engine *e, const int *slot);
/* Whether an emulator runs ferry (qemu-user: instruction fetch does not
 * see code written through the alias, tc_views.c). */
bool tr_code_emulated(struct tr_engine *e);
/* "ferry-stats: NAME: VALUE" lines (--stats). */
void tr_print_stats(struct tr_engine *e, FILE *out);

/* A host pointer to guest memory at addr, for helpers running on env. */
static inline void *tr_guest_ptr(const void *env, uint64_t addr)
{
    return tr_g2h(((const struct tr_runtime *)env)->mem, addr);
}

/* A helper's read or write of guest data at addr (helpers of instructions
 * whose env holds rt.pc and the whole state: a software MMU's fault is
 * precise there).  In TR_MEM_HOST mode a plain copy. */
static inline void tr_guest_copy(const void *env, uint64_t addr, void *data, size_t len, bool write)
{
    const struct tr_guest_mem *m = ((const struct tr_runtime *)env)->mem;
    if (m && m->mode != TR_MEM_HOST)
        m->copy(m, addr, data, len, write);
    else if (write)
        memcpy((void *)(uintptr_t)addr, data, len);
    else
        memcpy(data, (const void *)(uintptr_t)addr, len);
}

/* Software MMU with a TLB: the host address of [addr, addr+len) when
 * env's TLB holds that one page of RAM for this access (softmmu.c), else
 * NULL: lets a helper run many elements of one page at once after a
 * first one through tr_guest_copy (which walked and filled the entry). */
void *tr_guest_tlb_hit(const void *env, uint64_t addr, uint64_t len, bool write);

/* Whether guest addresses go through a software MMU (then a guest range
 * is not one host range). */
static inline bool tr_guest_softmmu(const void *env)
{
    const struct tr_guest_mem *m = ((const struct tr_runtime *)env)->mem;
    return m && m->mode != TR_MEM_HOST;
}

/* For backends' exit_indirect: the host code of the already translated
 * block at guest pc, or NULL (then return TR_EXIT_INDIRECT as usual).
 * Lets computed jumps and returns stay in translated code. */
const void *tr_lookup_code(void *env, uint64_t pc);
/* The engine's translation lock, held around a frontend's look at the
 * shared state its translations use (decoders, scan memo) from outside a
 * translation: x86's successor scan at an asynchronous signal. */
void tr_lock_env(void *env);
void tr_unlock_env(void *env);
/* Sets the vCPU's translation mode (tr_runtime.tb_mode): from then on it
 * runs blocks translated for that mode.  Called by frontend helpers and
 * outside translated code; an instruction that may change the mode ends
 * its block. */
void tr_set_mode(void *env, uint32_t mode);
/* The same without emptying the jump cache and return stack (tens of
 * thousands of host instructions each time), for a detour through a mode
 * whose blocks neither probe nor fill them (x86's single-step blocks end
 * in traps) and back to the very mode left: the entries stay that mode's. */
void tr_set_mode_keep_caches(void *env, uint32_t mode);
/* The vCPU's (env's, on its own thread) pages [start, start+len) may map
 * elsewhere now (a TLB flush): its caches of code by virtual pc (jump
 * cache, return-address stack) forget them, as QEMU's tb_jmp_cache does,
 * so that its blocks are found again by where their code lives. */
void tr_forget_addresses(void *env, uint64_t start, uint64_t len);

/* The direct-mapped jump cache tr_lookup_code() fills, one per vCPU
 * (env->rt.jmp_cache), so that a backend may probe it inline: the entry
 * for pc is jmp_cache[tr_jmp_index(pc)], valid when its pc matches (an
 * empty entry holds a pc that never maps to it, tc_jmp_empty).  Per vCPU because an entry is two words: a shared one could be
 * torn by two threads filling it at once.  The table is aligned to its
 * size (tr_jmp_size() entries), so an entry's address is the table's with
 * the index inserted in bits 4 and up.  Its size is the backend's choice
 * (be_host.jmp_bits: the index's width is a constant of the probe it
 * emits), TR_JMP_BITS unless it says otherwise, at most TR_JMP_BITS_MAX. */
#define TR_JMP_BITS 12
#define TR_JMP_SIZE (1u << TR_JMP_BITS)
#define TR_JMP_BITS_MAX 14
#define TR_JMP_SIZE_MAX (1u << TR_JMP_BITS_MAX)
struct tr_jmp_entry {
    uint64_t pc;
    const void *code;
};
#define TR_JMP_ALIGN (TR_JMP_SIZE_MAX * 32u)   /* fits a table of any host's size */
/* Where the backend cuts lazy-flag stores at indirect exits
 * (be_desc.lazy_exit_stores), the allocation behind each of the two
 * tables (the vCPU's own, the process's never-matching one:
 * exit_request.c) holds its dead fields, at TR_JMP_DEAD_TABLES tables'
 * distance from whichever rt.jmp_cache points at: entry k's dead field is the pc of entry k when
 * that entry is valid and its block's incoming flags are dead
 * (tr_block.flags_dead_in), else a pc that never maps to k -- so a dirty
 * exit that finds its target's pc there may jump without storing the
 * flags, and a pending request (the never-matching table's dead fields
 * never match either) still stores them on its way to the dispatcher.
 * 16 bytes an entry (only .pc used): the probe's entry address plus a
 * constant.  A backend that says be_desc.jmp_dead_in_entry keeps the dead
 * field in the entry instead: 32 bytes an index, laid out pc, code, dead,
 * unused (two struct tr_jmp_entry slots, tr_jmp_stride()), so that one
 * load pair reads the code and the dead field (AArch64's `ldp`). */
#define TR_JMP_DEAD_TABLES 1

unsigned tr_jmp_bits(void);            /* jmp_bits.c */
unsigned tr_jmp_stride(void);          /* jmp_bits.c: 1, or 2 (dead field in the entry) */

static inline unsigned tr_jmp_size(void)
{
    return 1u << tr_jmp_bits();
}

/* Entry k of a table (the vCPU's own or the never-matching one), and its
 * dead field (be_desc.lazy_exit_stores: TR_JMP_DEAD_TABLES above). */
static inline struct tr_jmp_entry *tr_jmp_at(struct tr_jmp_entry *table, unsigned k)
{
    return table + (size_t)k * tr_jmp_stride();
}

static inline uint64_t *tr_jmp_dead(struct tr_jmp_entry *table, unsigned k)
{
    if (tr_jmp_stride() == 2)
        return &table[2 * (size_t)k + 1].pc;
    return &table[TR_JMP_DEAD_TABLES * tr_jmp_size() + k].pc;
}

/* struct tr_jmp_entry slots of one table (the never-matching one follows
 * the vCPU's own at this distance). */
static inline unsigned tr_jmp_table_len(void)
{
    return tr_jmp_size() * tr_jmp_stride();
}

/* A sum, not an xor, of the page offset and the bits above: the same
 * spread (pcs of one 4 KiB page never collide), and the x86-64 host gets
 * the index already scaled to an entry's offset from one multiplication
 * (imul by 2^20 + 2^8, shr, and: three instructions to the xor's five);
 * AArch64's `add x16, pc, pc, lsr #12` costs what its `eor` did. */
static inline unsigned tr_jmp_index_in(uint64_t pc, unsigned bits)
{
    return (unsigned)((pc + (pc >> bits)) & ((1u << bits) - 1));
}

static inline unsigned tr_jmp_index(uint64_t pc)
{
    return tr_jmp_index_in(pc, tr_jmp_bits());
}

/* Zeroed memory for long-lived translator tables (the engine's, the
 * frontend's decode caches): size bytes, never freed, 64-byte aligned,
 * carved from 2 MiB regions advised as huge pages (tr_tables.c); NULL when
 * out of memory. */
void *tr_table_alloc(size_t size);

#endif
