/* x86_mmx.h -- internals of the MMX translator: the MMX register file
 * (aliased onto the x87 registers), the family's dispatch row, and the
 * one run-time helper through which every arithmetic MMX form runs.
 *
 * MM0-7 are the significands of the x87 *physical* registers R0-R7
 * (env->x87.st[i].m), independent of TOP.  Every MMX instruction except
 * emms sets TOP = 0 and all tags valid; writing MMi also sets the sign and
 * exponent of Ri to all ones (Intel SDM vol. 1, 9.5 and table 9-2).
 *
 * The arithmetic is not duplicated: each MMX row names the SSE helper of
 * the 128-bit form, and x86_mmx_run arranges the 64-bit operands in
 * env->xmm_tmp so that the low quadword of the 128-bit result is the MMX
 * result (see enum mmx_shape).
 */
#ifndef FERRY_X86_MMX_H
#define FERRY_X86_MMX_H

#include "x86_sse.h"

/* s code of a memory source: loaded into env->xmm_tmp[1] by IR first
 * (the SSE index of that temporary). */
#define MMX_SRC_MEM (SSE_TMP0 + 1)

/* How the translator (x86_mmx.c) handles a row. */
enum mmx_form {
    MMX_F_MM,       /* mm op0 <- fn(op0, mm/m64 or imm8 count op1 [, imm8]) */
    MMX_F_GPR_MM,   /* gpr op0 <- fn(mm op1, imm8) (pextrw, pmovmskb) */
    MMX_F_MM_GPR,   /* mm op0 <- fn(op0, r32/m16 value, imm8) (pinsrw) */
    MMX_F_LOGIC,    /* mm op0 <- op0 LOGIC mm/m64 op1, as IR (shape: enum sse_logic) */
    MMX_F_CVT,      /* conversions between mm and xmm (cvtpi2ps, ...) */
    MMX_F_EMIT,     /* row->emit does everything (moves, emms, maskmovq) */
};

/* How the 64-bit operands a (destination) and b (source) are laid out in
 * xmm_tmp[0] (T0, the helper's d) and xmm_tmp[1] (T1, its s). */
enum mmx_shape {
    MMX_S_LANE,     /* T0 = a:0, T1 = b:0 (lane-wise ops, shifts, psadbw) */
    MMX_S_CONCAT,   /* T0 = T1 = a:b (pack*, phadd*, phsub*: the 128-bit
                     * form's low half is built from d's lanes then s's) */
    MMX_S_HIGH,     /* T0 = a>>32, T1 = b>>32 (punpckh* via punpckl*) */
    MMX_S_DUPA,     /* T0 = a:a, T1 = b:0 (pshufb: index & 15 of a:a is
                     * index & 7 of a) */
    MMX_S_ALIGN,    /* T0 = 0, T1 = b:a (palignr: a:b as one 16-byte
                     * value, shifted) */
    MMX_S_WORD,     /* lane-wise, imm8 & 3 (pextrw, pinsrw: 4 words) */
};

/* Kinds of MMX_F_CVT rows: where the source and the result live. */
enum mmx_cvt {
    MMX_CVT_MM_TO_XMM_LO,   /* cvtpi2ps: low quadword of xmm op0 */
    MMX_CVT_MM_TO_XMM,      /* cvtpi2pd: all of xmm op0 */
    MMX_CVT_XMM_LO_TO_MM,   /* cvt(t)ps2pi: source xmm/m64 */
    MMX_CVT_XMM_TO_MM,      /* cvt(t)pd2pi: source xmm/m128 */
};

struct mmx_row;
typedef bool mmx_emit_fn(struct x86_dc *dc, const struct mmx_row *row);
typedef uint64_t sse_helper_fn(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm);

/* A row of the dispatch table (x86_dispatch.h) with the MMX family's
 * columns: insn.fn is x86_mmx_translate, insn.opform X86_OPF_MM. */
struct mmx_row {
    struct x86_insn_row insn;       /* first: dispatch finds the row by it */
    uint8_t form;                   /* enum mmx_form */
    uint8_t shape;                  /* enum mmx_shape, or enum mmx_cvt */
    uint8_t has_imm;                /* the imm8 is passed to fn */
    sse_helper_fn *fn;              /* the 128-bit form's SSE helper */
    mmx_emit_fn *emit;              /* MMX_F_EMIT */
};

/* x86_mmx_table.c: rows by index, for the run-time helper. */
const struct mmx_row *mmx_row_at(uint64_t index);
uint64_t mmx_row_index(const struct mmx_row *row);

/* x86_mmx_state.c: the register file and the x87 transition. */
uint64_t mmx_get(const struct x86_cpu *env, unsigned i);
void mmx_set(struct x86_cpu *env, unsigned i, uint64_t v);
void mmx_enter(struct x86_cpu *env);    /* TOP = 0, all tags valid */
int32_t mmx_env_off(int i);             /* env offset of MMi's 64 bits */
int mmx_op_reg(const cs_x86_op *op);    /* MM index or -1 */

/* Run-time helpers called from translated code. */
uint64_t x86_mmx_run(struct x86_cpu *env, uint64_t row, uint64_t d, uint64_t s, uint64_t imm);
uint64_t x86_mmx_set(struct x86_cpu *env, uint64_t i, uint64_t v);
uint64_t x86_mmx_enter(struct x86_cpu *env);
uint64_t x86_mmx_wait(struct x86_cpu *env);
uint64_t x86_mmx_emms(struct x86_cpu *env);
uint64_t x86_mmx_maskmovq(struct x86_cpu *env, uint64_t d, uint64_t addr, uint64_t m);

/* x86_mmx_move.c: MMX_F_EMIT emitters. */
mmx_emit_fn mmx_emit_movd, mmx_emit_movq, mmx_emit_movdq2q, mmx_emit_movq2dq,
    mmx_emit_emms, mmx_emit_maskmovq;

/* x86_mmx.c: whether the current instruction is the MM form of its id
 * (the dispatcher's pick between an id's XMM and MM rows); the handler of
 * every MMX row (SIGILL when the operands are not a shape the row has). */
bool x86_mmx_is_mmx(const struct x86_dc *dc);
x86_handler_fn x86_mmx_translate;
void mmx_call_enter(struct x86_dc *dc);

#endif
