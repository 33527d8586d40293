/* a64_vec.h -- the AArch64 backend's vector ops (a64_vec.c): the emitter
 * of every IR_F_VEC op (a row range of a64_ops.c's table) and the shared
 * slow-path stub emitted after the epilogue (a64_exits.c). */
#ifndef FERRY_A64_VEC_H
#define FERRY_A64_VEC_H

#include "backend.h"
#include "vcache.h"

void a64_emit_vec(struct be_code *c, const struct ir_insn *insn, unsigned param,
                  const struct be_arg *out, const struct be_arg *in);
void a64_vec_emit_stub(struct be_code *c);
/* Calls the helper stub: x16 = fn(env, w17, d7, x17 >> 32), every
 * register translated code holds a value in kept (a64_div.c too). */
void a64_vec_call_stub(struct be_code *c);
/* ldr/str of 1 << size_log2 bytes of vreg at env + off (any offset). */
void a64_vec_env_ldst(struct be_code *c, unsigned size_log2, bool load, unsigned vreg,
                      int32_t off);
void a64_vec_block_start(void);
/* A run of the cache starting with the float checks' all-ones constant
 * in register r (a64_hoist.c). */
void a64_vec_ones_start(const struct be_code *c, int ones, int slot_reg, int32_t off,
                        int test_reg);
void a64_vec_slot_load(struct be_code *c, int vreg, int32_t off);
/* The float checks' test of the invariant slot (register slot) into the
 * low half of test (ones: the all-ones register), in the preamble. */
void a64_vec_test_build(struct be_code *c, int test, int slot, int ones, bool dbl);
/* a64_vec_str.c: vmskeq, vmskz, vmskany, vmsks; false: no inline form (the helper). */
bool a64_emit_vec_str(struct be_code *c, const struct ir_insn *i, const struct be_arg *out);
/* a64_vec_crypto.c: vaesenc .. vclmul; false: no host instruction or
 * be_soft_crypto (the helper). */
bool a64_emit_vec_crypto(struct be_code *c, const struct ir_insn *i);

/* The vector ops' write-through cache of env slots lives in v16-v31
 * (backends/vcache.c keeps the books; the backend defines vcache_first
 * and vcache_last from these). */
enum { A64_VC_FIRST = 16, A64_VC_LAST = 31 };

#endif
