/* exec_common.h -- shared pieces of the AArch64 backend execution tests
 * (run on an AArch64 host or under qemu-aarch64): the executable code
 * buffer, the test env, the C reference semantics of IR ops, and failure
 * counting. */
#ifndef FERRY_A64_EXEC_COMMON_H
#define FERRY_A64_EXEC_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "ir.h"
#include "runtime.h"

/* The test's guest state: runtime header, then fields the tests address. */
struct xt_env {
    struct tr_runtime rt;
    uint64_t result[8];
    uint64_t inputs_after[4];
    uint64_t field[4];
    uint64_t gregs[8];              /* IR globals of the regalloc tests */
    uint8_t pad[40000];
    uint64_t far_field;             /* beyond ldr's scaled imm12 reach */
};

extern struct xt_env xt_env;
extern uint64_t (*xt_enter)(void *env, const void *code);
extern int xt_failures, xt_checks;

void xt_init(void);
/* A fresh be_code for one test block (epilogue and tb filled in). */
struct be_code xt_block(void);
struct be_code xt_block_at(uint8_t *start);     /* inside the code buffer */
uint64_t xt_run(const struct be_code *c);

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
void xt_test_exits(void);
void xt_test_regalloc(void);
void xt_test_atomic(void);
void xt_test_vec(void);

#endif
