/* exec_common.h -- shared pieces of the AArch64 backend execution tests
 * (run on an AArch64 host or under qemu-aarch64): the executable code
 * buffer, the test env and its IR globals (the first 16 pinned in host
 * registers, as the x86-64 guest's are), the jump cache, the C reference
 * semantics of IR ops, random IR blocks, and failure counting. */
#ifndef FERRY_A64_EXEC_COMMON_H
#define FERRY_A64_EXEC_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "ir.h"
#include "runtime.h"
#include "translator.h"

/* Globals g0..g19 at env->gregs: g0-g15 pinned (g10-g15 in caller-saved
 * host registers), g16-g19 not. */
#define XT_N_GLOBALS 20

/* The test's guest state: runtime header, then fields the tests address. */
struct xt_env {
    struct tr_runtime rt;
    uint64_t result[8];
    uint64_t inputs_after[4];
    uint64_t field[4];
    uint64_t gregs[XT_N_GLOBALS];   /* the IR globals (xt_globals) */
    uint64_t targets[16];           /* exit_indirect targets of chained blocks */
    uint8_t pad[40000];
    uint64_t far_field;             /* beyond ldr's scaled imm12 reach */
};

extern struct xt_env xt_env;
extern struct ir_globals xt_globals;
extern struct tr_jmp_entry *xt_jmp_cache;       /* tr_jmp_size() entries */
extern uint64_t (*xt_enter)(void *env, const void *code);
extern int xt_failures, xt_checks;

void xt_init(void);
/* Empties the jump cache; xt_jmp_slot(pc) is pc's entry. */
void xt_clear_jmp_cache(void);
struct tr_jmp_entry *xt_jmp_slot(uint64_t pc);
/* A fresh be_code for one test block (epilogue and tb filled in). */
struct be_code xt_block(void);
struct be_code xt_block_at(uint8_t *start);     /* inside the code buffer */
uint64_t xt_run(const struct be_code *c);
/* Runs c, which should fault (SIGSEGV): whether it did, the fault's pc and
 * the values of host registers regs[0..n) then (exec_mem.c). */
bool xt_run_to_fault(const struct be_code *c, uintptr_t *pc, const int *regs, uint64_t *vals,
                     int n);

#define XT_CHECK(cond, ...) do { xt_checks++; if (!(cond)) { xt_failures++; \
    if (xt_failures < 40) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } } while (0)

/* Reference semantics of IR op `insn` on inputs v[] (C, on the host). */
uint64_t xt_reference(const struct ir_insn *insn, const uint64_t *v);
bool xt_cond_holds(enum ir_cond c, uint64_t a, uint64_t b, int size);

/* Interesting operand values and a deterministic PRNG. */
extern const uint64_t xt_values[];
extern const int xt_n_values;
uint64_t xt_random(void);

void xt_test_ops(void);
void xt_test_mem(void);
void xt_test_offsets(void);
void xt_test_exits(void);
void xt_test_regalloc(void);
void xt_test_atomic(void);
void xt_test_vec(void);
void xt_test_pinned(void);
void xt_test_signext(void);
void xt_test_div(void);
void xt_test_fold_prev(void);
void xt_test_const_literal(void);
void xt_test_guard_entry(void);

/* Random IR over the globals (exec_regalloc.c): xt_gen_body starts block
 * b at pc with n random insns (no exit yet) -- ALU ops, loads and stores
 * of xt_guest_mem, and calls of helpers that read and write globals or
 * clobber every caller-saved host register -- optionally after an
 * exit_request op, and with insn fault_at (unless -1) a load or store at
 * XT_FAULT_ADDR.  xt_interpret runs insns [0, stop) of b on vals[]
 * (globals first, in and out) and xt_shadow_mem. */
#define XT_FAULT_ADDR 0x40
/* Helpers: mix(a, b) is pure; touch(a) reads and writes globals
 * (IR_HELPER_RW_GLOBALS); scramble(a) destroys every caller-saved
 * register. */
extern const struct ir_helper xt_mix_helper, xt_touch_helper, xt_scramble_helper;
extern uint8_t xt_guest_mem[256], xt_shadow_mem[256];
void xt_gen_body(struct ir_block *b, uint64_t pc, int n_insns, bool exit_request, int fault_at);
ir_ref xt_pick_src(struct ir_block *b, int const_pct);
void xt_interpret(const struct ir_block *b, uint64_t *vals, int stop);
struct ra_state *xt_ra(void);

#endif
