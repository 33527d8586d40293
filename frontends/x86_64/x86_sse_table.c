/* x86_sse_table.c -- the SSE family's rows of the dispatch table (SSE,
 * SSE2, SSE3, SSSE3, SSE4.1, SSE4.2): one row per capstone instruction id
 * in its XMM form, giving its operand form, memory operand size and
 * helper (or custom emitter) -- and SSE4a's rows -- and for the forms translated to vector IR
 * ops the op and its element size (the helper is then the op's exact
 * fallback).  Capstone 4 gives each cmpXXps predicate its own id; they
 * all share one helper (and vfcmp) that reads the predicate from the
 * imm8 byte.  The fences and prefetches are the misc and atomic families'
 * rows (x86_misc.c, x86_atomic.c); the MMX forms are x86_mmx_table.c's.
 */
#include <stddef.h>

#include "x86_internal.h"
#include "x86_sse.h"

/* The dispatch columns: every SSE row reads flags as far as the planner
 * knows, and is the XMM form of its id. */
#define SSE_INSN(ID) { X86_INS_##ID, x86_sse_translate, X86_FL_READ, 0, X86_OPF_XMM, NULL }

#define HELPER(fn, res, fl) { (void *)x86_sse_helper_##fn, "sse_" #fn, 3, res, fl }

/* xmm <- helper(xmm, xmm/mem) */
#define XX(ID, fn, mem)      { SSE_INSN(ID), SSE_F_XX, mem, SSE_IMM_NONE, HELPER(fn, 0, 0), NULL }
#define XXI(ID, fn, mem)     { SSE_INSN(ID), SSE_F_XX, mem, SSE_IMM_BYTE, HELPER(fn, 0, 0), NULL }
#define RX(ID, fn, mem, imm) { SSE_INSN(ID), SSE_F_RX, mem, SSE_IMM_##imm, HELPER(fn, 1, 0), NULL }
#define XR(ID, fn, imm)      { SSE_INSN(ID), SSE_F_XR, 0, SSE_IMM_##imm, HELPER(fn, 0, 0), NULL }
#define FLAGS(ID, fn, mem)   { SSE_INSN(ID), SSE_F_FLAGS, mem, SSE_IMM_NONE, HELPER(fn, 1, 0), NULL }
#define EMIT(ID, fn)         { SSE_INSN(ID), SSE_F_EMIT, 0, SSE_IMM_NONE, { 0 }, sse_emit_##fn }
#define EMITH(ID, emit, fn, res, fl) \
    { SSE_INSN(ID), SSE_F_EMIT, 0, SSE_IMM_NONE, HELPER(fn, res, fl), sse_emit_##emit }
/* ... loading MXCSR: the block ends after it (MXCSR's exception masks are
 * part of the translation mode, x86_sse_xm.c) */
#define SSE_INSN_END(ID) { X86_INS_##ID, x86_sse_translate, X86_FL_READ, 1, X86_OPF_XMM, NULL }
#define EMITH_END(ID, emit, fn, res, fl) \
    { SSE_INSN_END(ID), SSE_F_EMIT, 0, SSE_IMM_NONE, HELPER(fn, res, fl), sse_emit_##emit }

/* Rows translated to vector IR ops (x86_sse_vec.c): the IR op, its
 * element size, and the helper as the op's exact form. */
#define VROW(ID, fn, res, mem, imm, emit, op, sz, vimm, vh) \
    { SSE_INSN(ID), SSE_F_EMIT, mem, SSE_IMM_##imm, HELPER(fn, res, 0), sse_emit_##emit, \
      IR_##op, sz, vimm, vh }
#define E8  IR_VE_8
#define E16 IR_VE_16
#define E32 IR_VE_32
#define E64 IR_VE_64
#define S32 (IR_VE_32 | IR_V_SCALAR)
#define S64 (IR_VE_64 | IR_V_SCALAR)
/* xmm <- op(xmm, xmm/m128), op(xmm, xmm/mem) and with an imm8 */
#define V(ID, fn, op, sz)        VROW(ID, fn, 0, 16, NONE, vec, op, sz, 0, NULL)
#define VM(ID, fn, mem, op, sz)  VROW(ID, fn, 0, mem, NONE, vec, op, sz, 0, NULL)
#define VI(ID, fn, mem, op, sz)  VROW(ID, fn, 0, mem, BYTE, vec, op, sz, 0, NULL)
/* shifts: by imm8 the vector op, by xmm/m128 the helper */
#define VSH(ID, fn, op, sz)      VROW(ID, fn, 0, 16, NONE, vshift, op, sz, 0, &sse_vh_##fn##i)
#define VCOMI(ID, fn, sz, comis) VROW(ID, fn, 1, (sz) == S32 ? 4 : 8, NONE, vcomi, vfcomi, sz, comis, NULL)
#define VF2I(ID, fn, sz, trunc)  VROW(ID, fn, 1, (sz) == S32 ? 4 : 8, NONE, vcvtf2i, vcvtf2i, sz, \
                                      (trunc) ? 0x100 : 0, NULL)
#define VI2F(ID, fn, sz)         VROW(ID, fn, 0, 0, NONE, vcvti2f, vcvti2f, sz, 0, NULL)

/* All four packed/scalar shapes of a floating-point arithmetic op. */
#define FP4(OP, op) VM(OP##PS, op##ps, 16, vf##op, E32), VM(OP##SS, op##ss, 4, vf##op, S32), \
                    VM(OP##PD, op##pd, 16, vf##op, E64), VM(OP##SD, op##sd, 8, vf##op, S64)
/* cmpps and its predicate aliases (capstone: cmpeqps, cmpltps, ...). */
#define CMP1(P, fn, mem, sz) VI(CMP##P, fn, mem, vfcmp, sz)
#define CMPPRED(SH, fn, mem, sz) \
    CMP1(EQ##SH, fn, mem, sz), CMP1(LT##SH, fn, mem, sz), CMP1(LE##SH, fn, mem, sz), \
    CMP1(UNORD##SH, fn, mem, sz), CMP1(NEQ##SH, fn, mem, sz), CMP1(NLT##SH, fn, mem, sz), \
    CMP1(NLE##SH, fn, mem, sz), CMP1(ORD##SH, fn, mem, sz)
#define CMPALL(SH, fn, mem, sz) CMP1(SH, fn, mem, sz), CMPPRED(SH, fn, mem, sz)
/* x86_sse_int_ops.def's rows */
#define SSE_INT_VEC(ID, fn, op, sz)   V(ID, fn, op, sz),
#define SSE_INT_SHIFT(ID, fn, op, sz) VSH(ID, fn, op, sz),
#define SSE_INT_SHUF(ID, fn, op, sz)  VI(ID, fn, 16, op, sz),
#define SSE_INT_HELPER(ID, fn)        XX(ID, fn, 16),
#define SSE_INT_UNARY(ID, fn)         XX(ID, fn, 16),

static const struct sse_row sse_rows[] = {
    /* data movement (IR only) */
    EMIT(MOVAPS, mov128), EMIT(MOVUPS, mov128), EMIT(MOVAPD, mov128), EMIT(MOVUPD, mov128),
    EMIT(MOVDQA, mov128), EMIT(MOVDQU, mov128), EMIT(MOVNTPS, mov128), EMIT(MOVNTPD, mov128),
    EMIT(MOVNTDQ, mov128), EMIT(LDDQU, mov128),
    EMIT(MOVSS, movss), EMIT(MOVD, movd), EMIT(MOVQ, movq),    /* movsd: below */
    EMIT(MOVLPS, movlo), EMIT(MOVLPD, movlo), EMIT(MOVHPS, movhi), EMIT(MOVHPD, movhi),
    EMIT(MOVHLPS, movhlps), EMIT(MOVLHPS, movlhps), EMIT(MOVNTI, movnti),

    /* the integer instructions with a VEX form: x86_sse_int_ops.def */
#include "x86_sse_int_ops.def"

    /* bitwise logic on floats */
    V(ANDPS, pand, vand, E64), V(ANDPD, pand, vand, E64), V(ORPS, por, vor, E64),
    V(ORPD, por, vor, E64), V(XORPS, pxor, vxor, E64), V(XORPD, pxor, vxor, E64),
    V(ANDNPS, pandn, vandn, E64), V(ANDNPD, pandn, vandn, E64),

    /* float shuffles, insert/extract, masks */
    VI(SHUFPS, shufps, 16, vshuf2, E32), VI(SHUFPD, shufpd, 16, vshuf2, E64),
    V(UNPCKLPS, unpcklps, vziplo, E32), V(UNPCKHPS, unpckhps, vziphi, E32),
    V(UNPCKLPD, unpcklpd, vziplo, E64), V(UNPCKHPD, unpckhpd, vziphi, E64),
    EMITH(PEXTRW, extract, pextrw, 1, 0), XR(PINSRW, pinsrw, BYTE),
    EMIT(PMOVMSKB, pmovmskb), RX(MOVMSKPS, movmskps, 16, NONE),
    RX(MOVMSKPD, movmskpd, 16, NONE),

    /* floating-point arithmetic */
    FP4(ADD, add), FP4(SUB, sub), FP4(MUL, mul), FP4(DIV, div),
    FP4(MIN, min), FP4(MAX, max), FP4(SQRT, sqrt),
    XX(RCPPS, rcpps, 16), XX(RCPSS, rcpss, 4), XX(RSQRTPS, rsqrtps, 16), XX(RSQRTSS, rsqrtss, 4),
    CMPALL(PS, cmpps, 16, E32), CMPALL(SS, cmpss, 4, S32), CMPALL(PD, cmppd, 16, E64),
    CMPPRED(SD, cmpsd, 8, S64),     /* cmpsd itself: with movsd, below */
    VCOMI(UCOMISS, ucomiss, S32, 0), VCOMI(UCOMISD, ucomisd, S64, 0),
    VCOMI(COMISS, comiss, S32, 1), VCOMI(COMISD, comisd, S64, 1),

    /* conversions */
    VI2F(CVTSI2SS, cvtsi2ss, S32), VI2F(CVTSI2SD, cvtsi2sd, S64),
    VM(CVTSS2SD, cvtss2sd, 4, vcvtf2f, S32), VM(CVTSD2SS, cvtsd2ss, 8, vcvtf2f, S64),
    VF2I(CVTSS2SI, cvtss2si, S32, 0), VF2I(CVTSD2SI, cvtsd2si, S64, 0),
    VF2I(CVTTSS2SI, cvttss2si, S32, 1), VF2I(CVTTSD2SI, cvttsd2si, S64, 1),
    VM(CVTDQ2PS, cvtdq2ps, 16, vcvti2fv, E32), VM(CVTPS2DQ, cvtps2dq, 16, vcvtf2iv, E32),
    VROW(CVTTPS2DQ, cvttps2dq, 0, 16, NONE, vec, vcvtf2iv, E32, 0x100, NULL),
    VM(CVTDQ2PD, cvtdq2pd, 8, vcvti2fv, E64), VM(CVTPD2DQ, cvtpd2dq, 16, vcvtf2iv, E64),
    VROW(CVTTPD2DQ, cvttpd2dq, 0, 16, NONE, vec, vcvtf2iv, E64, 0x100, NULL),
    VM(CVTPS2PD, cvtps2pd, 8, vcvtf2f, E32), VM(CVTPD2PS, cvtpd2ps, 16, vcvtf2f, E64),

    /* state, ordering, cache control */
    EMITH_END(LDMXCSR, ldmxcsr, ldmxcsr, 0, IR_HELPER_RW_GLOBALS),
    EMITH(STMXCSR, stmxcsr, stmxcsr, 1, 0),
    EMITH(FXSAVE, fxsave, fxsave, 0, IR_HELPER_RW_GLOBALS),
    EMITH(FXSAVE64, fxsave, fxsave, 0, IR_HELPER_RW_GLOBALS),
    EMITH_END(FXRSTOR, fxrstor, fxrstor, 0, IR_HELPER_RW_GLOBALS),
    EMITH_END(FXRSTOR64, fxrstor, fxrstor, 0, IR_HELPER_RW_GLOBALS),
    EMITH(MASKMOVDQU, maskmovdqu, maskmovdqu, 0, IR_HELPER_RW_GLOBALS),
    EMIT(CLFLUSH, nop), EMIT(CLFLUSHOPT, nop), EMIT(CLWB, nop),

    /* SSE3 (lddqu is with the moves) */
    XX(ADDSUBPS, addsubps, 16), XX(ADDSUBPD, addsubpd, 16),
    XX(HADDPS, haddps, 16), XX(HADDPD, haddpd, 16), XX(HSUBPS, hsubps, 16), XX(HSUBPD, hsubpd, 16),
    XX(MOVDDUP, movddup, 8), XX(MOVSHDUP, movshdup, 16), XX(MOVSLDUP, movsldup, 16),

    /* SSSE3 (xmm forms; the mm forms are in x86_mmx_table.c) */
    VI(PALIGNR, palignr, 16, valignr, E8),

    /* SSE4.1 */
    XXI(BLENDPS, blendps, 16), XXI(BLENDPD, blendpd, 16), XXI(PBLENDW, pblendw, 16),
    XX(PBLENDVB, pblendvb, 16), XX(BLENDVPS, blendvps, 16), XX(BLENDVPD, blendvpd, 16),
    XX(PMOVSXBW, pmovsxbw, 8), XX(PMOVSXBD, pmovsxbd, 4), XX(PMOVSXBQ, pmovsxbq, 2),
    XX(PMOVSXWD, pmovsxwd, 8), XX(PMOVSXWQ, pmovsxwq, 4), XX(PMOVSXDQ, pmovsxdq, 8),
    XX(PMOVZXBW, pmovzxbw, 8), XX(PMOVZXBD, pmovzxbd, 4), XX(PMOVZXBQ, pmovzxbq, 2),
    XX(PMOVZXWD, pmovzxwd, 8), XX(PMOVZXWQ, pmovzxwq, 4), XX(PMOVZXDQ, pmovzxdq, 8),
    XR(PINSRB, pinsrb, BYTE), XR(PINSRD, pinsrd, BYTE), XR(PINSRQ, pinsrq, BYTE),
    EMITH(PEXTRB, extract, pextrb, 1, 0), EMITH(PEXTRD, extract, pextrd, 1, 0),
    EMITH(PEXTRQ, extract, pextrq, 1, 0), EMITH(EXTRACTPS, extract, pextrd, 1, 0),
    XXI(INSERTPS, insertps, 4), FLAGS(PTEST, ptest, 16),
    XX(PHMINPOSUW, phminposuw, 16), XXI(MPSADBW, mpsadbw, 16),
    XXI(ROUNDPS, roundps, 16), XXI(ROUNDPD, roundpd, 16),
    XXI(ROUNDSS, roundss, 4), XXI(ROUNDSD, roundsd, 8),
    XXI(DPPS, dpps, 16), XXI(DPPD, dppd, 16), EMIT(MOVNTDQA, mov128),

    /* SSE4.2 */
    EMITH(PCMPESTRI, pcmpstr, pcmpestri, 1, IR_HELPER_RW_GLOBALS),
    EMITH(PCMPESTRM, pcmpstr, pcmpestrm, 1, IR_HELPER_RW_GLOBALS),
    EMITH(PCMPISTRI, pcmpistri, pcmpistri, 1, 0),
    EMITH(PCMPISTRM, pcmpistrm, pcmpistrm, 1, 0),
    EMITH(CRC32, crc32, crc32, 1, 0),

    /* SSE4a (AMD machines only: x86_sse4a.c) */
    EMITH(EXTRQ, extrq, extrq, 0, 0), EMITH(INSERTQ, insertq, insertq, 0, 0),
    EMIT(MOVNTSS, movntss), EMIT(MOVNTSD, movntsd),

    /* wait (9B): an x87 row (x86_x87_translate.c) */
};

const struct x86_row_set x86_sse_rows = X86_ROW_SET_OF("sse", sse_rows, insn);

/* movsd and cmpsd: their ids' rows are the string instructions'
 * (x86_string.c), which hand these encodings over. */
static const struct sse_row sse_movsd = EMIT(MOVSD, movsd), sse_cmpsd = CMP1(SD, cmpsd, 8, S64);
const struct x86_insn_row *const x86_sse_movsd_row = &sse_movsd.insn;
const struct x86_insn_row *const x86_sse_cmpsd_row = &sse_cmpsd.insn;
