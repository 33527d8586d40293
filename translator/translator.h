/* translator.h -- code cache, block lookup, dispatcher. */
#ifndef FERRY_TRANSLATOR_H
#define FERRY_TRANSLATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend.h"
#include "runtime.h"

struct tr_block {
    uint64_t guest_pc;
    uint32_t guest_size;
    uint32_t code_size;
    uint8_t *code;
    uint32_t jump_site[2];      /* see be_code.jump_site */
    struct tr_block *hash_next;
    uint64_t exec_count;        /* incremented by the block itself under --stats */
    uint8_t *guest_copy;        /* guest bytes as translated, kept for blocks on
                                   writable pages (self-modifying code check) */
    void *fault_map;            /* guest state at each memory access (fault.c) */
};

struct tr_stats {
    uint64_t blocks_translated, dispatches, chains_patched, cache_flushes;
    uint64_t guest_insns_translated;
};
extern struct tr_stats tr_stats;

/* syscall(env) runs the guest syscall described by env (TR_EXIT_SYSCALL). */
void tr_init(const struct fe_guest *guest, void (*syscall)(void *env));
/* Runs guest code from env->rt.pc forever; returns only through
 * ferry_exit() (exit syscalls) or a fatal guest signal. */
_Noreturn void tr_run(void *env);
/* Drops every translation overlapping [start, start+len) (mmap/munmap/
 * mprotect of guest code). The current simple policy flushes the cache. */
void tr_invalidate(uint64_t start, uint64_t len);
void tr_print_stats(void);

/* Guest faults (TR_EXIT_SIGILL/SIGTRAP/SIGSEGV/SIGFPE, and host faults on
 * guest memory accesses in translated code) go to this handler: it returns
 * true when the guest handles the signal (env->rt.pc then points at the
 * handler), false to take the default action (death by the signal). */
void tr_set_fault_handler(bool (*fault)(void *env, int sig, uint64_t addr));

/* For backends' exit_indirect: the host code of the already translated
 * block at guest pc, or NULL (then return TR_EXIT_INDIRECT as usual).
 * Lets computed jumps and returns stay in translated code. */
const void *tr_lookup_code(void *env, uint64_t pc);

/* The direct-mapped jump cache tr_lookup_code() fills, one per thread
 * (env->rt.jmp_cache), so that a backend may probe it inline: the entry
 * for pc is jmp_cache[(pc ^ (pc >> TR_JMP_BITS)) & (TR_JMP_SIZE - 1)],
 * valid when its pc matches (an empty entry holds a pc that never maps to
 * it).  Per thread because an entry is two words: a shared one could be
 * torn by two threads filling it at once. */
#define TR_JMP_BITS 12
#define TR_JMP_SIZE (1u << TR_JMP_BITS)
struct tr_jmp_entry {
    uint64_t pc;
    const void *code;
};

/* Guest threads (threads.c).  tr_run() registers the calling thread; a
 * thread that ends calls tr_thread_exit() first (outside translated code).
 * Around a host fork(): prepare, then parent or child. */
void tr_thread_exit(void *env);
void tr_fork_prepare(void);
void tr_fork_parent(void);
void tr_fork_child(void);
/* The env of the calling guest thread (NULL in threads ferry did not
 * start); tr_interrupt() asks it to leave translated code at the next
 * block entry and to call the interrupt handler (async-signal-safe). */
void *tr_current_env(void);
void tr_interrupt(void *env);
void tr_set_interrupt_handler(void (*fn)(void *env));

#endif
