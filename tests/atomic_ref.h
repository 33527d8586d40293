/* atomic_ref.h -- what each IR atomic_rmw op stores, in plain C: the
 * reference both backends' execution tests (tests/unit/test_regalloc.c
 * for x86-64, tests/a64/exec_atomic.c for AArch64) check against. */
#ifndef FERRY_TESTS_ATOMIC_REF_H
#define FERRY_TESTS_ATOMIC_REF_H

#include <stdint.h>

#include "ir.h"

static inline uint64_t atomic_ref_apply(enum ir_atomic_op op, uint64_t old, uint64_t v)
{
    switch (op) {
    case IR_ATOMIC_ADD:  return old + v;
    case IR_ATOMIC_AND:  return old & v;
    case IR_ATOMIC_OR:   return old | v;
    case IR_ATOMIC_XOR:  return old ^ v;
    case IR_ATOMIC_XCHG: return v;
    default:             return v - old;        /* IR_ATOMIC_RSUB */
    }
}

#endif
