/* x86_sse_table.c -- the SSE family's rows of the dispatch table (SSE,
 * SSE2, SSE3, SSSE3, SSE4.1, SSE4.2): one row per capstone instruction id
 * in its XMM form, giving its operand form, memory operand size and
 * helper (or custom emitter).  Capstone 4 gives each cmpXXps predicate its
 * own id; they all share one helper that reads the predicate from the
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
#define XX(ID, fn, mem)      { SSE_INSN(ID), SSE_F_XX, mem, SSE_IMM_NONE, 0, HELPER(fn, 0, 0), NULL }
#define XXI(ID, fn, mem)     { SSE_INSN(ID), SSE_F_XX, mem, SSE_IMM_BYTE, 0, HELPER(fn, 0, 0), NULL }
#define LOGIC(ID, l)         { SSE_INSN(ID), SSE_F_LOGIC, 16, SSE_IMM_NONE, SSE_##l, { 0 }, NULL }
#define RX(ID, fn, mem, imm) { SSE_INSN(ID), SSE_F_RX, mem, SSE_IMM_##imm, 0, HELPER(fn, 1, 0), NULL }
#define XR(ID, fn, imm)      { SSE_INSN(ID), SSE_F_XR, 0, SSE_IMM_##imm, 0, HELPER(fn, 0, 0), NULL }
#define FLAGS(ID, fn, mem)   { SSE_INSN(ID), SSE_F_FLAGS, mem, SSE_IMM_NONE, 0, HELPER(fn, 1, 0), NULL }
#define EMIT(ID, fn)         { SSE_INSN(ID), SSE_F_EMIT, 0, SSE_IMM_NONE, 0, { 0 }, sse_emit_##fn }
#define EMITH(ID, emit, fn, res, fl) \
    { SSE_INSN(ID), SSE_F_EMIT, 0, SSE_IMM_NONE, 0, HELPER(fn, res, fl), sse_emit_##emit }

/* All four packed/scalar shapes of a floating-point arithmetic op. */
#define FP4(OP, op) XX(OP##PS, op##ps, 16), XX(OP##SS, op##ss, 4), \
                    XX(OP##PD, op##pd, 16), XX(OP##SD, op##sd, 8)
/* cmpps and its predicate aliases (capstone: cmpeqps, cmpltps, ...). */
#define CMP1(P, fn, mem) XXI(CMP##P, fn, mem)
#define CMPPRED(SH, fn, mem) \
    CMP1(EQ##SH, fn, mem), CMP1(LT##SH, fn, mem), CMP1(LE##SH, fn, mem), \
    CMP1(UNORD##SH, fn, mem), CMP1(NEQ##SH, fn, mem), CMP1(NLT##SH, fn, mem), \
    CMP1(NLE##SH, fn, mem), CMP1(ORD##SH, fn, mem)
#define CMPALL(SH, fn, mem) CMP1(SH, fn, mem), CMPPRED(SH, fn, mem)

static const struct sse_row sse_rows[] = {
    /* data movement (IR only) */
    EMIT(MOVAPS, mov128), EMIT(MOVUPS, mov128), EMIT(MOVAPD, mov128), EMIT(MOVUPD, mov128),
    EMIT(MOVDQA, mov128), EMIT(MOVDQU, mov128), EMIT(MOVNTPS, mov128), EMIT(MOVNTPD, mov128),
    EMIT(MOVNTDQ, mov128), EMIT(LDDQU, mov128),
    EMIT(MOVSS, movss), EMIT(MOVD, movd), EMIT(MOVQ, movq),    /* movsd: below */
    EMIT(MOVLPS, movlo), EMIT(MOVLPD, movlo), EMIT(MOVHPS, movhi), EMIT(MOVHPD, movhi),
    EMIT(MOVHLPS, movhlps), EMIT(MOVLHPS, movlhps), EMIT(MOVNTI, movnti),

    /* bitwise logic (IR only) */
    LOGIC(PAND, AND), LOGIC(ANDPS, AND), LOGIC(ANDPD, AND),
    LOGIC(POR, OR), LOGIC(ORPS, OR), LOGIC(ORPD, OR),
    LOGIC(PXOR, XOR), LOGIC(XORPS, XOR), LOGIC(XORPD, XOR),
    LOGIC(PANDN, ANDN), LOGIC(ANDNPS, ANDN), LOGIC(ANDNPD, ANDN),

    /* packed integer arithmetic */
    XX(PADDB, paddb, 16), XX(PADDW, paddw, 16), XX(PADDD, paddd, 16), XX(PADDQ, paddq, 16),
    XX(PSUBB, psubb, 16), XX(PSUBW, psubw, 16), XX(PSUBD, psubd, 16), XX(PSUBQ, psubq, 16),
    XX(PADDSB, paddsb, 16), XX(PADDSW, paddsw, 16), XX(PADDUSB, paddusb, 16),
    XX(PADDUSW, paddusw, 16), XX(PSUBSB, psubsb, 16), XX(PSUBSW, psubsw, 16),
    XX(PSUBUSB, psubusb, 16), XX(PSUBUSW, psubusw, 16),
    XX(PMULLW, pmullw, 16), XX(PMULHW, pmulhw, 16), XX(PMULHUW, pmulhuw, 16),
    XX(PMULUDQ, pmuludq, 16), XX(PMADDWD, pmaddwd, 16), XX(PSADBW, psadbw, 16),
    XX(PAVGB, pavgb, 16), XX(PAVGW, pavgw, 16),
    XX(PMINUB, pminub, 16), XX(PMAXUB, pmaxub, 16), XX(PMINSW, pminsw, 16), XX(PMAXSW, pmaxsw, 16),
    LOGIC(PCMPEQB, CMPEQB), XX(PCMPEQW, pcmpeqw, 16), XX(PCMPEQD, pcmpeqd, 16),
    XX(PCMPGTB, pcmpgtb, 16), XX(PCMPGTW, pcmpgtw, 16), XX(PCMPGTD, pcmpgtd, 16),
    /* shifts: count from xmm/m128, or from imm8 (moved to xmm_tmp) */
    XX(PSLLW, psllw, 16), XX(PSLLD, pslld, 16), XX(PSLLQ, psllq, 16),
    XX(PSRLW, psrlw, 16), XX(PSRLD, psrld, 16), XX(PSRLQ, psrlq, 16),
    XX(PSRAW, psraw, 16), XX(PSRAD, psrad, 16), XX(PSLLDQ, pslldq, 16), XX(PSRLDQ, psrldq, 16),

    /* pack, unpack, shuffle, insert/extract, masks */
    XX(PACKSSWB, packsswb, 16), XX(PACKSSDW, packssdw, 16), XX(PACKUSWB, packuswb, 16),
    XX(PUNPCKLBW, punpcklbw, 16), XX(PUNPCKLWD, punpcklwd, 16),
    XX(PUNPCKLDQ, punpckldq, 16), XX(PUNPCKLQDQ, punpcklqdq, 16),
    XX(PUNPCKHBW, punpckhbw, 16), XX(PUNPCKHWD, punpckhwd, 16),
    XX(PUNPCKHDQ, punpckhdq, 16), XX(PUNPCKHQDQ, punpckhqdq, 16),
    XXI(PSHUFD, pshufd, 16), XXI(PSHUFLW, pshuflw, 16), XXI(PSHUFHW, pshufhw, 16),
    XXI(SHUFPS, shufps, 16), XXI(SHUFPD, shufpd, 16),
    XX(UNPCKLPS, unpcklps, 16), XX(UNPCKHPS, unpckhps, 16),
    XX(UNPCKLPD, unpcklpd, 16), XX(UNPCKHPD, unpckhpd, 16),
    EMITH(PEXTRW, extract, pextrw, 1, 0), XR(PINSRW, pinsrw, BYTE),
    EMIT(PMOVMSKB, pmovmskb), RX(MOVMSKPS, movmskps, 16, NONE),
    RX(MOVMSKPD, movmskpd, 16, NONE),

    /* floating-point arithmetic */
    FP4(ADD, add), FP4(SUB, sub), FP4(MUL, mul), FP4(DIV, div),
    FP4(MIN, min), FP4(MAX, max), FP4(SQRT, sqrt),
    XX(RCPPS, rcpps, 16), XX(RCPSS, rcpss, 4), XX(RSQRTPS, rsqrtps, 16), XX(RSQRTSS, rsqrtss, 4),
    CMPALL(PS, cmpps, 16), CMPALL(SS, cmpss, 4), CMPALL(PD, cmppd, 16),
    CMPPRED(SD, cmpsd, 8),          /* cmpsd itself: with movsd, below */
    FLAGS(UCOMISS, ucomiss, 4), FLAGS(UCOMISD, ucomisd, 8),
    FLAGS(COMISS, comiss, 4), FLAGS(COMISD, comisd, 8),

    /* conversions */
    XR(CVTSI2SS, cvtsi2ss, SIZE1), XR(CVTSI2SD, cvtsi2sd, SIZE1),
    XX(CVTSS2SD, cvtss2sd, 4), XX(CVTSD2SS, cvtsd2ss, 8),
    RX(CVTSS2SI, cvtss2si, 4, SIZE0), RX(CVTSD2SI, cvtsd2si, 8, SIZE0),
    RX(CVTTSS2SI, cvttss2si, 4, SIZE0), RX(CVTTSD2SI, cvttsd2si, 8, SIZE0),
    XX(CVTDQ2PS, cvtdq2ps, 16), XX(CVTPS2DQ, cvtps2dq, 16), XX(CVTTPS2DQ, cvttps2dq, 16),
    XX(CVTDQ2PD, cvtdq2pd, 8), XX(CVTPD2DQ, cvtpd2dq, 16), XX(CVTTPD2DQ, cvttpd2dq, 16),
    XX(CVTPS2PD, cvtps2pd, 8), XX(CVTPD2PS, cvtpd2ps, 16),

    /* state, ordering, cache control */
    EMITH(LDMXCSR, ldmxcsr, ldmxcsr, 0, IR_HELPER_RW_GLOBALS),
    EMITH(STMXCSR, stmxcsr, stmxcsr, 1, 0),
    EMITH(FXSAVE, fxsave, fxsave, 0, IR_HELPER_RW_GLOBALS),
    EMITH(FXSAVE64, fxsave, fxsave, 0, IR_HELPER_RW_GLOBALS),
    EMITH(FXRSTOR, fxsave, fxrstor, 0, IR_HELPER_RW_GLOBALS),
    EMITH(FXRSTOR64, fxsave, fxrstor, 0, IR_HELPER_RW_GLOBALS),
    EMITH(MASKMOVDQU, maskmovdqu, maskmovdqu, 0, IR_HELPER_RW_GLOBALS),
    EMIT(CLFLUSH, nop),

    /* SSE3 (lddqu is with the moves) */
    XX(ADDSUBPS, addsubps, 16), XX(ADDSUBPD, addsubpd, 16),
    XX(HADDPS, haddps, 16), XX(HADDPD, haddpd, 16), XX(HSUBPS, hsubps, 16), XX(HSUBPD, hsubpd, 16),
    XX(MOVDDUP, movddup, 8), XX(MOVSHDUP, movshdup, 16), XX(MOVSLDUP, movsldup, 16),

    /* SSSE3 (xmm forms; the mm forms are in x86_mmx_table.c) */
    XX(PSHUFB, pshufb, 16), XX(PHADDW, phaddw, 16), XX(PHADDD, phaddd, 16),
    XX(PHADDSW, phaddsw, 16), XX(PHSUBW, phsubw, 16), XX(PHSUBD, phsubd, 16),
    XX(PHSUBSW, phsubsw, 16), XX(PMADDUBSW, pmaddubsw, 16), XX(PMULHRSW, pmulhrsw, 16),
    EMITH(PALIGNR, palignr, palignr, 0, 0), XX(PABSB, pabsb, 16), XX(PABSW, pabsw, 16), XX(PABSD, pabsd, 16),
    XX(PSIGNB, psignb, 16), XX(PSIGNW, psignw, 16), XX(PSIGND, psignd, 16),

    /* SSE4.1 */
    XXI(BLENDPS, blendps, 16), XXI(BLENDPD, blendpd, 16), XXI(PBLENDW, pblendw, 16),
    XX(PBLENDVB, pblendvb, 16), XX(BLENDVPS, blendvps, 16), XX(BLENDVPD, blendvpd, 16),
    XX(PMINSB, pminsb, 16), XX(PMAXSB, pmaxsb, 16), XX(PMINSD, pminsd, 16), XX(PMAXSD, pmaxsd, 16),
    XX(PMINUW, pminuw, 16), XX(PMAXUW, pmaxuw, 16), XX(PMINUD, pminud, 16), XX(PMAXUD, pmaxud, 16),
    XX(PMULLD, pmulld, 16), XX(PMULDQ, pmuldq, 16), XX(PACKUSDW, packusdw, 16),
    XX(PCMPEQQ, pcmpeqq, 16),
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
    XX(PCMPGTQ, pcmpgtq, 16),
    EMITH(PCMPESTRI, pcmpstr, pcmpestri, 1, IR_HELPER_RW_GLOBALS),
    EMITH(PCMPESTRM, pcmpstr, pcmpestrm, 1, IR_HELPER_RW_GLOBALS),
    EMITH(PCMPISTRI, pcmpstr, pcmpistri, 1, 0),
    EMITH(PCMPISTRM, pcmpstr, pcmpistrm, 1, 0),
    EMITH(CRC32, crc32, crc32, 1, 0),

    /* wait (9B) before an x87 instruction: capstone decodes it alone */
    EMIT(WAIT, nop),
};

const struct x86_row_set x86_sse_rows = X86_ROW_SET_OF("sse", sse_rows, insn);

/* movsd and cmpsd: their ids' rows are the string instructions'
 * (x86_string.c), which hand these encodings over. */
static const struct sse_row sse_movsd = EMIT(MOVSD, movsd), sse_cmpsd = CMP1(SD, cmpsd, 8);
const struct x86_insn_row *const x86_sse_movsd_row = &sse_movsd.insn;
const struct x86_insn_row *const x86_sse_cmpsd_row = &sse_cmpsd.insn;
