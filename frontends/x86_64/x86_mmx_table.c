/* x86_mmx_table.c -- the MMX family's rows of the dispatch table: one row
 * per capstone id whose MMX-register form ferry translates (MMX itself,
 * SSE's and SSE2's mm forms, SSSE3's mm forms), naming the SSE helper of
 * the 128-bit form and how the 64-bit operands map onto it (x86_mmx.h).
 * Capstone gives the mm and xmm forms the same id: these are the MM rows
 * (X86_OPF_MM), x86_sse_table.c's the XMM ones, and x86_mmx_is_mmx picks.
 */
#include <stddef.h>

#include "x86_mmx.h"

/* The dispatch columns: every MMX row reads flags as far as the planner
 * knows, and is the MM form of its id. */
#define MMX_INSN(ID) { X86_INS_##ID, x86_mmx_translate, X86_FL_READ, 0, X86_OPF_MM, NULL }

#define FN(fn) x86_sse_helper_##fn

/* mm <- op(mm, mm/m64) with the 128-bit helper fn */
#define MM(ID, fn, shape)    { MMX_INSN(ID), MMX_F_MM, MMX_S_##shape, 0, FN(fn), NULL }
#define MMI(ID, fn, shape)   { MMX_INSN(ID), MMX_F_MM, MMX_S_##shape, 1, FN(fn), NULL }
#define LANE(ID, fn)         MM(ID, fn, LANE)
#define GPR_MM(ID, fn, s, i) { MMX_INSN(ID), MMX_F_GPR_MM, MMX_S_##s, i, FN(fn), NULL }
#define MM_GPR(ID, fn)       { MMX_INSN(ID), MMX_F_MM_GPR, MMX_S_WORD, 1, FN(fn), NULL }
#define CVT(ID, fn, kind)    { MMX_INSN(ID), MMX_F_CVT, MMX_CVT_##kind, 0, FN(fn), NULL }
#define LOGIC(ID, l)         { MMX_INSN(ID), MMX_F_LOGIC, SSE_##l, 0, NULL, NULL }
#define EMIT(ID, e)          { MMX_INSN(ID), MMX_F_EMIT, 0, 0, NULL, mmx_emit_##e }

static const struct mmx_row mmx_rows[] = {
    /* MMX: moves and state */
    EMIT(MOVD, movd), EMIT(MOVQ, movq), EMIT(MOVNTQ, movq), EMIT(EMMS, emms),

    /* MMX: arithmetic, compares, logic */
    LANE(PADDB, paddb), LANE(PADDW, paddw), LANE(PADDD, paddd), LANE(PADDQ, paddq),
    LANE(PSUBB, psubb), LANE(PSUBW, psubw), LANE(PSUBD, psubd), LANE(PSUBQ, psubq),
    LANE(PADDSB, paddsb), LANE(PADDSW, paddsw), LANE(PADDUSB, paddusb), LANE(PADDUSW, paddusw),
    LANE(PSUBSB, psubsb), LANE(PSUBSW, psubsw), LANE(PSUBUSB, psubusb), LANE(PSUBUSW, psubusw),
    LANE(PMULLW, pmullw), LANE(PMULHW, pmulhw), LANE(PMADDWD, pmaddwd),
    LANE(PCMPEQB, pcmpeqb), LANE(PCMPEQW, pcmpeqw), LANE(PCMPEQD, pcmpeqd),
    LANE(PCMPGTB, pcmpgtb), LANE(PCMPGTW, pcmpgtw), LANE(PCMPGTD, pcmpgtd),
    LOGIC(PAND, AND), LOGIC(PANDN, ANDN), LOGIC(POR, OR), LOGIC(PXOR, XOR),
    /* shifts: count from mm/m64, or the imm8 (put where m64 goes) */
    LANE(PSLLW, psllw), LANE(PSLLD, pslld), LANE(PSLLQ, psllq),
    LANE(PSRLW, psrlw), LANE(PSRLD, psrld), LANE(PSRLQ, psrlq),
    LANE(PSRAW, psraw), LANE(PSRAD, psrad),
    /* pack and unpack */
    MM(PACKSSWB, packsswb, CONCAT), MM(PACKSSDW, packssdw, CONCAT),
    MM(PACKUSWB, packuswb, CONCAT),
    LANE(PUNPCKLBW, punpcklbw), LANE(PUNPCKLWD, punpcklwd), LANE(PUNPCKLDQ, punpckldq),
    MM(PUNPCKHBW, punpcklbw, HIGH), MM(PUNPCKHWD, punpcklwd, HIGH),
    MM(PUNPCKHDQ, punpckldq, HIGH),

    /* SSE's and SSE2's mm forms */
    LANE(PAVGB, pavgb), LANE(PAVGW, pavgw), LANE(PMAXSW, pmaxsw), LANE(PMAXUB, pmaxub),
    LANE(PMINSW, pminsw), LANE(PMINUB, pminub), LANE(PMULHUW, pmulhuw),
    LANE(PSADBW, psadbw), LANE(PMULUDQ, pmuludq), MMI(PSHUFW, pshuflw, LANE),
    GPR_MM(PEXTRW, pextrw, WORD, 1), GPR_MM(PMOVMSKB, pmovmskb, LANE, 0),
    MM_GPR(PINSRW, pinsrw),
    EMIT(MASKMOVQ, maskmovq), EMIT(MOVDQ2Q, movdq2q), EMIT(MOVQ2DQ, movq2dq),
    CVT(CVTPI2PS, cvtdq2ps, MM_TO_XMM_LO), CVT(CVTPI2PD, cvtdq2pd, MM_TO_XMM),
    CVT(CVTPS2PI, cvtps2dq, XMM_LO_TO_MM), CVT(CVTTPS2PI, cvttps2dq, XMM_LO_TO_MM),
    CVT(CVTPD2PI, cvtpd2dq, XMM_TO_MM), CVT(CVTTPD2PI, cvttpd2dq, XMM_TO_MM),

    /* SSSE3's mm forms */
    MM(PSHUFB, pshufb, DUPA), MM(PHADDW, phaddw, CONCAT), MM(PHADDD, phaddd, CONCAT),
    MM(PHADDSW, phaddsw, CONCAT), MM(PHSUBW, phsubw, CONCAT), MM(PHSUBD, phsubd, CONCAT),
    MM(PHSUBSW, phsubsw, CONCAT), LANE(PMADDUBSW, pmaddubsw), LANE(PMULHRSW, pmulhrsw),
    MMI(PALIGNR, palignr, ALIGN), LANE(PABSB, pabsb), LANE(PABSW, pabsw), LANE(PABSD, pabsd),
    LANE(PSIGNB, psignb), LANE(PSIGNW, psignw), LANE(PSIGND, psignd),
};

const struct x86_row_set x86_mmx_rows = X86_ROW_SET_OF("mmx", mmx_rows, insn);

const struct mmx_row *mmx_row_at(uint64_t index)
{
    return &mmx_rows[index];
}

uint64_t mmx_row_index(const struct mmx_row *row)
{
    return (uint64_t)(row - mmx_rows);
}
