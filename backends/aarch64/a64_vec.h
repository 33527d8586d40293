/* a64_vec.h -- the AArch64 backend's vector ops (a64_vec.c): the emitter
 * of every IR_F_VEC op (a row range of a64_ops.c's table) and the shared
 * slow-path stub emitted after the epilogue (a64_exits.c). */
#ifndef FERRY_A64_VEC_H
#define FERRY_A64_VEC_H

#include "backend.h"

void a64_emit_vec(struct be_code *c, const struct ir_insn *insn, unsigned param,
                  const struct be_arg *out, const struct be_arg *in);
void a64_vec_emit_stub(struct be_code *c);
/* ldr/str of 1 << size_log2 bytes of vreg at env + off (any offset). */
void a64_vec_env_ldst(struct be_code *c, unsigned size_log2, bool load, unsigned vreg,
                      int32_t off);
/* a64_vec_str.c: vmskeq, vmskz, vmskany; false: no inline form (the helper). */
bool a64_emit_vec_str(struct be_code *c, const struct ir_insn *i, const struct be_arg *out);

/* a64_vcache.c: the vector ops' write-through cache of env slots in
 * v16-v31 (see there).  begin/end bracket every IR op; keep: glue emitted
 * from `before` left v16-v31 and the vector slots alone; clobber: it also
 * wrote env bytes [off, off + n); reset: anything else. */
enum { A64_VC_FIRST = 16, A64_VC_LAST = 31 };
void a64_vc_reset(void);
void a64_vc_begin(const struct be_code *c);
void a64_vc_end(const struct be_code *c, bool kept);
void a64_vc_keep(const struct be_code *c, const uint8_t *before);
void a64_vc_clobber(const struct be_code *c, const uint8_t *before, int32_t off, unsigned n);
void a64_vc_forget(int32_t off, unsigned n);
int a64_vc_find(int32_t off);
int a64_vc_pick(int avoid0, int avoid1);
void a64_vc_set(int r, int32_t off);
int32_t a64_vc_slot(int r);

#endif
