/* a64_vec.h -- the AArch64 backend's vector ops (a64_vec.c): the emitter
 * of every IR_F_VEC op (a row range of a64_ops.c's table) and the shared
 * slow-path stub emitted after the epilogue (a64_exits.c). */
#ifndef FERRY_A64_VEC_H
#define FERRY_A64_VEC_H

#include "backend.h"

void a64_emit_vec(struct be_code *c, const struct ir_insn *insn, unsigned param,
                  const struct be_arg *out, const struct be_arg *in);
void a64_vec_emit_stub(struct be_code *c);

#endif
