/* x64_vec.h -- the x86-64 backend's vector ops (x64_vec.c): the emitter of
 * every IR_F_VEC op (a row range of x64_ops.c's table) and the shared
 * slow-path stub emitted after the epilogue (x64_exits.c). */
#ifndef FERRY_X64_VEC_H
#define FERRY_X64_VEC_H

#include "backend.h"
#include "vcache.h"

void x64_emit_vec(struct be_code *c, const struct ir_insn *i,
                  const struct be_arg *out, const struct be_arg *in);
void x64_vec_emit_stub(struct be_code *c);
/* `call` the helper stub: rax = fn(env, ecx, rdx, rcx >> 32), every
 * register but rax, rcx and rdx kept (x64_div.c too). */
void x64_vec_call_stub(struct be_code *c);
/* x64_vec_str.c: vmskeq, vmskz, vmskany, vmsks; false: no inline form (the helper). */
bool x64_emit_vec_str(struct be_code *c, const struct ir_insn *i, const struct be_arg *out);
/* x64_vec_crypto.c: vaesenc .. vclmul; false: no host instruction or
 * be_soft_crypto (the helper). */
bool x64_emit_vec_crypto(struct be_code *c, const struct ir_insn *i);

/* The pending dead-store window of the vector ops (x64_vec.c `pend`):
 * code from `before` to c->ptr kept env unread but bytes [off, off + n)
 * (glue); it ended (a call); a non-vector op's code (begin, then op). */
void x64_vec_pend_keep(const struct be_code *c, const uint8_t *before, int32_t off, unsigned n);
void x64_vec_pend_end(void);
/* For x64_vec_crypto.c: env bytes an op loads itself; its full result
 * stored (and cached) from w as every other op's. */
void x64_vec_env_read(int32_t off, unsigned n);
void x64_vec_store_result(struct be_code *c, int w);
void x64_vec_pend_op_begin(void);
void x64_vec_pend_op(const struct be_code *c, const struct ir_insn *i, const uint8_t *before);

/* A self-loop's carried slots in the window (x64_vloop.c): seeded at the
 * loop entry; listed at the first emission's back edge; their pending
 * stores dropped at the second's (false: not all pending in place). */
void x64_vec_pend_seed(const struct be_code *c, int32_t off, int r);
int x64_vec_pend_stale(const struct be_code *c, int32_t *slots, int *regs, int max);
int x64_vec_pend_carried(const struct be_code *c, int32_t *slots, int *regs, int max);
bool x64_vec_pend_back_edge(struct be_code *c, const int32_t *slots, const int *regs, int n);
/* x64_vloop.c: a self-chained loop keeping its written xmm registers in
 * their cache registers around the back edge (see there). */
void x64_vloop_fail(void);
int x64_vloop_home(const struct be_code *c, int32_t off);
void x64_vloop_op_begin(struct be_code *c, const struct ir_insn *i);
void x64_vloop_op_end(struct be_code *c, const struct ir_insn *i);
bool x64_vloop_back_edge(struct be_code *c, uint64_t target_pc);
void x64_vloop_after_jcc(struct be_code *c, uint32_t site);
void x64_vloop_request_stub(struct be_code *c);
void x64_vloop_cond_exit(struct be_code *c, uint32_t site);
void x64_vloop_exit_stores(struct be_code *c);
bool x64_vloop_goto_back(struct be_code *c, uint64_t pc);
void x64_vloop_after_jmp(struct be_code *c, uint32_t site);
bool x64_vloop_stub(struct be_code *c, uint32_t site);
const uint8_t *x64_vloop_chain_target(const uint8_t *site, intptr_t rw_delta,
                                      const uint8_t *target);
/* The vector ops' write-through cache of env slots lives in xmm8-xmm15
 * (backends/vcache.c keeps the books; the backend defines vcache_first
 * and vcache_last from these). */
enum { X64_VC_FIRST = 8, X64_VC_LAST = 15 };

#endif
