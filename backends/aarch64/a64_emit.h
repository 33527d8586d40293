/* a64_emit.h -- what the AArch64 backend's emission files share: the host
 * register roles and small helpers that append instructions to a be_code.
 *
 * Register roles (AAPCS64 host):
 *   x19        env (callee-saved, so C helpers preserve it)
 *   x16, x17   backend scratch (IP0/IP1: the linker's veneer registers,
 *              never live across a call anyway), never allocated
 *   x18        platform register, x29/x30/sp: never allocated
 *   x0-x15, x20-x28  the register allocator's pool
 */
#ifndef FERRY_A64_EMIT_H
#define FERRY_A64_EMIT_H

#include "a64_encode.h"
#include "backend.h"

enum {
    A64_ENV = 19,
    A64_TMP0 = 16,
    A64_TMP1 = 17,
    A64_PLATFORM_REG = 18,      /* never written (only named in markers) */
};

static inline void a64_put(struct be_code *c, uint32_t insn)
{
    __builtin_memcpy(c->ptr, &insn, 4);
    c->ptr += 4;
}

static inline int64_t a64_offset_to(const struct be_code *c, const void *target)
{ return (const uint8_t *)target - c->ptr; }

/* Register holding input `a`: a constant goes to `scratch` (zero-extended
 * from `size` bits); with a64_src_zr a zero constant is simply XZR, for
 * operand positions where 31 means the zero register. */
unsigned a64_src(struct be_code *c, const struct be_arg *a, unsigned scratch, int size);
unsigned a64_src_zr(struct be_code *c, const struct be_arg *a, unsigned scratch, int size);

/* 64-bit register/env transfers with any offset (x16 as address scratch). */
void a64_ldst_env(struct be_code *c, unsigned size_log2, enum a64_ldst_opc opc,
                  unsigned reg, int32_t offset);

/* `b target`, or through x16 when target is out of imm26 range. */
void a64_emit_jump(struct be_code *c, const void *target);

/* Sets the flags for `a cond b` at `size` bits (cmp/cmn/tst) and returns
 * the A64 condition that is true when the IR condition holds. */
enum a64_cond a64_emit_compare(struct be_code *c, const struct ir_insn *insn,
                               const struct be_arg *a, const struct be_arg *b);

/* Exit ops (a64_exits.c, a64_chain.c).  A chain stub stores pc and
 * c->tb in env and returns TR_EXIT_CHAIN0 + slot; the pending brcond exits
 * are emitted out of line by the block's final exit. */
void a64_emit_chain_stub(struct be_code *c, uint64_t pc, int slot);
void a64_emit_pending_cond_exits(struct be_code *c);
void a64_emit_goto_tb(struct be_code *c, uint64_t pc, int slot);
void a64_emit_brcond(struct be_code *c, const struct ir_insn *insn, const struct be_arg *in);
void a64_emit_exit_indirect(struct be_code *c, const struct be_arg *pc);
void a64_emit_exit_code(struct be_code *c, uint64_t pc, int code);
void a64_emit_exit_request(struct be_code *c, uint64_t pc);

/* Memory ops (a64_mem.c). */
unsigned a64_guest_addr(struct be_code *c, unsigned memop, const struct be_arg *addr);
void a64_emit_ld(struct be_code *c, unsigned memop, unsigned rd, const struct be_arg *addr);
void a64_emit_st(struct be_code *c, unsigned memop, const struct be_arg *addr,
                 const struct be_arg *val);
void a64_emit_ld_env_op(struct be_code *c, unsigned memop, unsigned rd, int32_t offset);
void a64_emit_st_env_op(struct be_code *c, unsigned memop, const struct be_arg *val,
                        int32_t offset);

/* Atomics (a64_atomic.c). */
void a64_emit_atomic_rmw(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in);
void a64_emit_atomic_cas(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in);
void a64_emit_fence(struct be_code *c, const struct ir_insn *i,
                    const struct be_arg *out, const struct be_arg *in);

#endif
