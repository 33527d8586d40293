/* x86_sse.h -- internals of the SSE translator (SSE to SSE4.2): the
 * family's dispatch row, the operand forms the generic emitter knows, and
 * the prototypes of the C helpers that translated code calls.
 *
 * Every helper has one signature, uint64_t fn(env, d, s, imm):
 *   d    destination XMM index (0..15)
 *   s    source XMM index: 0..15, or 16/17 for env->xmm_tmp[0/1] (memory
 *        operands are loaded there by IR first); for forms whose source is
 *        a general register (cvtsi2sd, pinsrw) s is that register's value
 *   imm  the instruction's imm8, or an operand size, per table row
 * and returns a value only where the form needs one (GPR result, EFLAGS).
 * Helpers are plain host-independent C: they run on AArch64 hosts too.
 */
#ifndef FERRY_X86_SSE_H
#define FERRY_X86_SSE_H

#include <stdbool.h>
#include <stdint.h>

#include "x86_dispatch.h"

#define SSE_TMP0 16                 /* s index of env->xmm_tmp[0] */

#define SSE_NREGS 18                /* xmm0-15, xmm_tmp[0-1] */

/* The XMM register (or memory-operand temporary) with index i, or at
 * byte offset i in env: vector IR ops call the helpers with offsets
 * (every XMM offset is past struct tr_runtime, so above SSE_NREGS). */
static inline x86_xmm *sse_reg(struct x86_cpu *env, uint64_t i)
{
    if (i >= SSE_NREGS)
        return (x86_xmm *)(void *)((char *)env + i);
    return i < 16 ? &env->xmm[i] : &env->xmm_tmp[(i - 16) & 1];
}

static inline int32_t sse_xmm_off(int i)
{
    return X86_ENV_OFF(xmm) + 16 * i;
}

/* MXCSR fields */
#define SSE_MXCSR_IE   0x0001u
#define SSE_MXCSR_DE   0x0002u
#define SSE_MXCSR_ZE   0x0004u
#define SSE_MXCSR_OE   0x0008u
#define SSE_MXCSR_UE   0x0010u
#define SSE_MXCSR_PE   0x0020u
#define SSE_MXCSR_DAZ  0x0040u
#define SSE_MXCSR_RC_SHIFT 13
#define SSE_MXCSR_FTZ  0x8000u
#define SSE_MXCSR_DEFAULT 0x1f80u
#define SSE_MXCSR_MM   0x20000u     /* AMD misaligned SSE mode (x86_machine misalign_sse) */
/* The bits a guest may set (MXCSR_MASK): 0xffff, and MM where the
 * imitated AMD CPU has misaligned SSE mode (x86_sse_state.c). */
uint32_t sse_mxcsr_valid(void);

/* How the generic emitter (x86_sse.c) handles a row. */
enum sse_form {
    SSE_F_XX,       /* xmm op0 <- helper(op0, xmm/mem op1 [, imm]) */
    SSE_F_RX,       /* gpr op0 <- helper(-, xmm/mem op1 [, imm]) */
    SSE_F_XR,       /* xmm op0 <- helper(op0, value of gpr/mem op1 [, imm]) */
    SSE_F_FLAGS,    /* EFLAGS  <- helper(op0, xmm/mem op1) */
    SSE_F_EMIT,     /* row->emit does everything (moves, state, fences) */
};

/* Where the helper's imm argument comes from. */
enum sse_imm {
    SSE_IMM_NONE,
    SSE_IMM_BYTE,   /* the imm8: always the instruction's last byte */
    SSE_IMM_SIZE0,  /* size in bytes of operand 0 (cvt*2si: 4 or 8) */
    SSE_IMM_SIZE1,  /* size in bytes of operand 1 (cvtsi2s*: 4 or 8) */
};

/* The bitwise ops of MMX's logic rows (x86_mmx.c). */
enum sse_logic { SSE_AND, SSE_OR, SSE_XOR, SSE_ANDN };

struct sse_row;
typedef bool sse_emit_fn(struct x86_dc *dc, const struct sse_row *row);

/* A row of the dispatch table (x86_dispatch.h) with the SSE family's
 * columns: insn.fn is x86_sse_translate, insn.opform X86_OPF_XMM. */
struct sse_row {
    struct x86_insn_row insn;       /* first: dispatch finds the row by it */
    uint8_t form;                   /* enum sse_form */
    uint8_t mem_bytes;              /* memory source size: 4, 8 or 16 */
    uint8_t imm;                    /* enum sse_imm */
    struct ir_helper helper;        /* SSE_F_XX/RX/XR/FLAGS, vector ops' exact form */
    sse_emit_fn *emit;              /* SSE_F_EMIT */
    /* Rows translated to a vector IR op (emit = sse_emit_v*, x86_sse_vec.c) */
    uint16_t vop;                   /* enum ir_op */
    uint8_t vsize;                  /* enum ir_vec_size */
    uint16_t vimm;                  /* the op's imm when not the imm8 */
    const struct ir_helper *vhelper;    /* imm-count shifts: their helper */
};

/* x86_sse.c: the handler of every SSE row (SIGILL when the operands are
 * not a shape the row has), and operand helpers shared with the custom
 * emitters. */
x86_handler_fn x86_sse_translate;
/* xmm op0 <- helper(op0, xmm/mem op1 [, imm]) (SSE_F_XX's emitter). */
sse_emit_fn sse_emit_xx;
int sse_op_xmm(const cs_x86_op *op);            /* xmm index or -1 */
void sse_load_tmp(struct x86_dc *dc, const cs_x86_op *op, int bytes, int tmp);
/* XMM index of a source operand: the register, or SSE_TMP0 after loading
 * the memory operand there; -1 for anything else (MMX). */
int sse_source(struct x86_dc *dc, const cs_x86_op *op, int bytes);
void sse_copy_env(struct x86_dc *dc, int32_t dst, int32_t src, int bytes);
/* xmm at env offset `off` <- `bytes` (4, 8, 16) of memory, zero-extended
 * (x86_sse_move.c). */
void sse_vld(struct x86_dc *dc, const cs_x86_op *mem, int32_t off, int bytes);
void sse_zero_env(struct x86_dc *dc, int32_t dst, int bytes);
/* r = a LOGIC b on 64 bits (x86_sse.c; MMX uses it too). */
void sse_logic_op(struct x86_dc *dc, enum sse_logic l, ir_ref r, ir_ref a, ir_ref b);

/* Helper prototypes, one X(name) per helper. */
#define SSE_HELPER(name) \
    uint64_t x86_sse_helper_##name(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)

#define SSE_INT_HELPERS(X) \
    X(pand) X(por) X(pxor) X(pandn) X(paddb) X(paddw) X(paddd) X(paddq) X(psubb) X(psubw) X(psubd) X(psubq) \
    X(paddsb) X(paddsw) X(paddusb) X(paddusw) X(psubsb) X(psubsw) X(psubusb) X(psubusw) \
    X(pmullw) X(pmulhw) X(pmulhuw) X(pmuludq) X(pmaddwd) X(psadbw) X(pavgb) X(pavgw) \
    X(pminub) X(pmaxub) X(pminsw) X(pmaxsw) \
    X(pcmpeqb) X(pcmpeqw) X(pcmpeqd) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd) \
    X(psllw) X(pslld) X(psllq) X(psrlw) X(psrld) X(psrlq) X(psraw) X(psrad) \
    X(pslldq) X(psrldq) \
    X(psllwi) X(pslldi) X(psllqi) X(psrlwi) X(psrldi) X(psrlqi) X(psrawi) X(psradi) \
    X(pslldqi) X(psrldqi)

#define SSE_SHUFFLE_HELPERS(X) \
    X(packsswb) X(packssdw) X(packuswb) \
    X(punpcklbw) X(punpcklwd) X(punpckldq) X(punpcklqdq) \
    X(punpckhbw) X(punpckhwd) X(punpckhdq) X(punpckhqdq) \
    X(pshufd) X(pshuflw) X(pshufhw) X(shufps) X(shufpd) \
    X(unpcklps) X(unpckhps) X(unpcklpd) X(unpckhpd) \
    X(pextrw) X(pinsrw) X(pmovmskb) X(movmskps) X(movmskpd)

#define SSE_FP_HELPERS(X) \
    X(addps) X(addss) X(addpd) X(addsd) X(subps) X(subss) X(subpd) X(subsd) \
    X(mulps) X(mulss) X(mulpd) X(mulsd) X(divps) X(divss) X(divpd) X(divsd) \
    X(minps) X(minss) X(minpd) X(minsd) X(maxps) X(maxss) X(maxpd) X(maxsd) \
    X(sqrtps) X(sqrtss) X(sqrtpd) X(sqrtsd) \
    X(rcpps) X(rcpss) X(rsqrtps) X(rsqrtss) \
    X(cmpps) X(cmpss) X(cmppd) X(cmpsd) \
    X(ucomiss) X(ucomisd) X(comiss) X(comisd)

#define SSE_CVT_HELPERS(X) \
    X(cvtsi2ss) X(cvtsi2sd) X(cvtss2sd) X(cvtsd2ss) \
    X(cvtss2si) X(cvtsd2si) X(cvttss2si) X(cvttsd2si) \
    X(cvtdq2ps) X(cvtps2dq) X(cvttps2dq) X(cvtdq2pd) X(cvtpd2dq) X(cvttpd2dq) \
    X(cvtps2pd) X(cvtpd2ps)

#define SSE3_HELPERS(X) \
    X(addsubps) X(addsubpd) X(haddps) X(haddpd) X(hsubps) X(hsubpd) \
    X(movddup) X(movshdup) X(movsldup)

#define SSSE3_HELPERS(X) \
    X(pshufb) X(phaddw) X(phaddd) X(phaddsw) X(phsubw) X(phsubd) X(phsubsw) \
    X(pmaddubsw) X(pmulhrsw) X(palignr) X(pabsb) X(pabsw) X(pabsd) \
    X(psignb) X(psignw) X(psignd)

#define SSE41_HELPERS(X) \
    X(blendps) X(blendpd) X(pblendw) X(pblendvb) X(blendvps) X(blendvpd) \
    X(pminsb) X(pmaxsb) X(pminsd) X(pmaxsd) X(pminuw) X(pmaxuw) X(pminud) X(pmaxud) \
    X(pmulld) X(pmuldq) X(packusdw) X(pcmpeqq) X(pcmpgtq) \
    X(pmovsxbw) X(pmovsxbd) X(pmovsxbq) X(pmovsxwd) X(pmovsxwq) X(pmovsxdq) \
    X(pmovzxbw) X(pmovzxbd) X(pmovzxbq) X(pmovzxwd) X(pmovzxwq) X(pmovzxdq) \
    X(pinsrb) X(pinsrd) X(pinsrq) X(pextrb) X(pextrd) X(pextrq) X(insertps) \
    X(ptest) X(phminposuw) X(mpsadbw) \
    X(roundps) X(roundpd) X(roundss) X(roundsd) X(dpps) X(dppd)

/* pcmp*str*: EFLAGS << 32 | ECX; crc32: d = accumulator, s = data,
 * imm = data bytes. */
#define SSE42_HELPERS(X) \
    X(pcmpestri) X(pcmpestrm) X(pcmpistri) X(pcmpistrm) X(crc32)

/* s is a guest address for these (helpers that touch guest memory). */
#define SSE_STATE_HELPERS(X) \
    X(ldmxcsr) X(stmxcsr) X(fxsave) X(fxrstor) X(maskmovdqu)

#define SSE_DECLARE(name) SSE_HELPER(name);
SSE_INT_HELPERS(SSE_DECLARE)
SSE_SHUFFLE_HELPERS(SSE_DECLARE)
SSE_FP_HELPERS(SSE_DECLARE)
SSE_CVT_HELPERS(SSE_DECLARE)
SSE_STATE_HELPERS(SSE_DECLARE)
SSE3_HELPERS(SSE_DECLARE)
SSSE3_HELPERS(SSE_DECLARE)
SSE41_HELPERS(SSE_DECLARE)
SSE42_HELPERS(SSE_DECLARE)
#undef SSE_DECLARE

/* x86_sse_move.c: SSE_F_EMIT emitters. */
sse_emit_fn sse_emit_mov128, sse_emit_movss, sse_emit_movsd, sse_emit_movd,
    sse_emit_movq, sse_emit_movlo, sse_emit_movhi, sse_emit_movhlps,
    sse_emit_movlhps, sse_emit_movnti;
/* x86_sse.c */
sse_emit_fn sse_emit_pmovmskb;
/* The sign bits of the 16 bytes at env offset lo, with hi >= 0 also those
 * at hi as bits 16..31 ((v)pmovmskb): an IR value. */
ir_ref sse_sign_mask(struct x86_dc *dc, int32_t lo, int32_t hi);
void sse_write_mask(struct x86_dc *dc, x86_reg dst, ir_ref mask);
/* x86_sse_ext.c */
sse_emit_fn sse_emit_extract, sse_emit_pcmpstr, sse_emit_crc32;
/* x86_sse42_ir.c: pcmpistri/pcmpistrm as IR (glibc's forms), else sse_emit_pcmpstr. */
sse_emit_fn sse_emit_pcmpistri, sse_emit_pcmpistrm;
/* x86_sse_vec.c: rows translated to vector IR ops: xmm <- op(xmm,
 * xmm/mem), shifts by imm8 (the by-register form calls the helper), the
 * ucomis/comis flags, and conversions to and from general registers. */
sse_emit_fn sse_emit_vec, sse_emit_vshift, sse_emit_vcomi, sse_emit_vcvtf2i, sse_emit_vcvti2f;
/* The helpers of the shift-by-imm8 forms (count = the helper's imm). */
extern const struct ir_helper sse_vh_psllwi, sse_vh_pslldi, sse_vh_psllqi, sse_vh_psrlwi,
    sse_vh_psrldi, sse_vh_psrlqi, sse_vh_psrawi, sse_vh_psradi, sse_vh_pslldqi, sse_vh_psrldqi;
/* x86_sse_xm.c: unmasked SIMD floating-point exceptions.  X86_TB_XM is
 * the translation-mode bit "MXCSR unmasks an exception" (kept by
 * x86_xm_mode_update from every MXCSR write); x86_xm_translate runs a
 * handler, wrapped in the #XM check in blocks of that mode; a form storing
 * to memory calls x86_xm_end before the store. */
#define X86_TB_XM 1u
/* "MXCSR's control bits (RC, FTZ, DAZ, masks, MM) are not 0x1f80": float ops
 * take the helper path (x86_sse_vec.c sse_mxcsr_mode), kept with X86_TB_XM. */
#define X86_TB_MXCSR 8u
/* x86_sse_state.c: x86_fpstate_save/restore with the x87 pointers in the
 * 32-bit (wide false) or the 64-bit layout (xsave/xrstor without REX.W). */
struct x86_cpu;
void sse_fpstate_save_layout(struct x86_cpu *cpu, uint8_t *img, bool wide);
int sse_fpstate_restore_layout(struct x86_cpu *cpu, const uint8_t *img, bool wide);
/* x86_fault_flags.c: X86_TB_PRECISE (x86_cpu.h), every insn that may
 * fault reads the flags. */
bool x86_may_fault(const cs_insn *ci);
bool x86_fault_point(const cs_insn *ci, bool xm);
bool x86_precise_block(const struct ir_block *b);
void x86_flags_fault_only(struct x86_dc *dc);
struct x86_cpu;
void x86_xm_mode_update(struct x86_cpu *env);
void x86_xm_translate(struct x86_dc *dc, x86_handler fn);
void x86_xm_end(struct x86_dc *dc);
void x86_xm_mode_check(struct x86_dc *dc);
/* x86_sse4a.c: AMD's SSE4a (extrq, insertq, movntss, movntsd). */
sse_emit_fn sse_emit_extrq, sse_emit_insertq, sse_emit_movntss, sse_emit_movntsd;
SSE_HELPER(extrq);
SSE_HELPER(insertq);
/* x86_sse_state.c */
sse_emit_fn sse_emit_nop, sse_emit_ldmxcsr, sse_emit_stmxcsr, sse_emit_fxsave,
    sse_emit_fxrstor, sse_emit_maskmovdqu;
/* The x87 part of the fxsave image: x86_x87_stack.c. */
void sse_x87_fxsave(struct x86_cpu *env, uint8_t *p, bool wide);
void sse_x87_fxrstor(struct x86_cpu *env, const uint8_t *p, bool wide);

#endif
