/* ir_fold.h -- constant evaluation of IR operations (ir_fold.c). */
#ifndef FERRY_IR_FOLD_H
#define FERRY_IR_FOLD_H

#include "ir.h"

/* Computes op(in[0..]) into *out; false for ops with side effects or
 * memory access (ld, st, call, exits). */
bool ir_fold_eval(const struct ir_insn *i, const uint64_t *in, uint64_t *out);

#endif
