/* tr_internal.h -- what the translator's own files share: the code cache
 * (codecache.c), block translation (translate.c) and the dispatcher
 * (dispatch.c).  Not for other modules. */
#ifndef FERRY_TR_INTERNAL_H
#define FERRY_TR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "options.h"
#include "translator.h"

extern const struct fe_guest *tr_guest;
extern struct ir_globals tr_globals;

/* threads.c: registry, translation lock, exclusive sections. */
void tr_lock(void);
void tr_unlock(void);
struct tr_runtime *tr_thread_self(void);
void tr_thread_register(struct tr_runtime *rt);
void tr_thread_unregister(struct tr_runtime *rt);
void tr_thread_each(void (*fn)(struct tr_runtime *rt));
bool tr_thread_enter_code(struct tr_runtime *rt, uint64_t gen);
void tr_thread_leave_code(struct tr_runtime *rt);
void tr_exclusive_start(void);
void tr_exclusive_end(void);

/* codecache.c (tc_flush: translation lock held, outside translated code) */
void tc_init(void);
void tc_clear_jmp_cache(struct tr_jmp_entry *cache);
void tc_flush(void);
uint64_t tc_generation(void);           /* changes at every flush */
struct tr_block *tc_lookup(uint64_t pc);
struct tr_block *tc_alloc_block(uint64_t pc);   /* NULL when the table is full */
void tc_free_last_block(struct tr_block *tb);   /* undo tc_alloc_block */
void tc_insert(struct tr_block *tb);
void tc_code_buffer(struct be_code *c);         /* room for the next block */
void tc_commit_code(const uint8_t *end);
uint64_t tc_enter(void *env, const uint8_t *code);
void tc_note_guest_range(uint64_t pc, uint64_t size);
bool tc_overlaps_guest(uint64_t start, uint64_t len);
uint64_t tc_blocks_executed(void);

struct tr_block *tc_find_by_host_pc(uintptr_t pc);

/* fault.c: host faults on guest memory accesses in translated code. */
#define TR_EXIT_HOST_FAULT 100          /* internal: tr_host_fault says what */
extern __thread struct tr_host_fault { int sig; uint64_t addr; } tr_host_fault;
void fault_install(void);
void fault_set_env(void *env);
void fault_keep_map(struct tr_block *tb);
void fault_begin_block(void);

/* smc.c: self-modifying code on writable pages. */
bool smc_range_writable(uint64_t start, uint64_t len);
void smc_maps_changed(void);
void smc_guard_block(struct ir_block *b, struct tr_block *tb);
void smc_keep_bytes(struct tr_block *tb);

/* translate.c: translated (maybe flushing the cache first), never NULL. */
struct tr_block *tr_translate(uint64_t pc);

#endif
