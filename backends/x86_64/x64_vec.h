/* x64_vec.h -- the x86-64 backend's vector ops (x64_vec.c): the emitter of
 * every IR_F_VEC op (a row range of x64_ops.c's table) and the shared
 * slow-path stub emitted after the epilogue (x64_exits.c). */
#ifndef FERRY_X64_VEC_H
#define FERRY_X64_VEC_H

#include "backend.h"

void x64_emit_vec(struct be_code *c, const struct ir_insn *i,
                  const struct be_arg *out, const struct be_arg *in);
void x64_vec_emit_stub(struct be_code *c);
/* x64_vec_str.c: vmskeq, vmskz, vmskany; false: no inline form (the helper). */
bool x64_emit_vec_str(struct be_code *c, const struct ir_insn *i, const struct be_arg *out);

/* x64_vcache.c: the vector ops' write-through cache of env slots in
 * xmm8-xmm15 (see there).  begin/end bracket every IR op; keep: glue
 * code emitted from `before` left xmm8-15 and the vector slots alone;
 * clobber: it also wrote env bytes [off, off + n); reset: anything else. */
enum { X64_VC_FIRST = 8, X64_VC_LAST = 15 };
void x64_vc_reset(void);
void x64_vc_begin(const struct be_code *c);
void x64_vc_end(const struct be_code *c, bool kept);
void x64_vc_keep(const struct be_code *c, const uint8_t *before);
void x64_vc_clobber(const struct be_code *c, const uint8_t *before, int32_t off, unsigned n);
void x64_vc_forget(int32_t off, unsigned n);
int x64_vc_find(int32_t off);
int x64_vc_pick(int avoid0, int avoid1);
void x64_vc_set(int r, int32_t off);
int32_t x64_vc_slot(int r);

#endif
