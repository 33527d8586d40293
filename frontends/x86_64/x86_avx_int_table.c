/* x86_avx_int_table.c -- the VEX rows of the SSE2..SSE4.2 integer
 * instructions (vpaddb & co): the same vector IR ops and helpers as the
 * legacy rows (x86_sse_table.c), per 128-bit half: VEX.128 (AVX) and
 * VEX.256 (AVX2: these instructions work within 128-bit lanes).  The
 * forms that do not (vpmovsx/zx, vmpsadbw) and AVX2's own are in
 * x86_avx2_table.c.
 */
#include "x86_avx.h"
#include "x86_avx_helpers.h"
#include "x86_avx_rows.h"

#define E8  IR_VE_8
#define E16 IR_VE_16
#define E32 IR_VE_32
#define E64 IR_VE_64
/* I: both widths (AVX2's 256-bit forms work lane by lane); I128: VEX.128
 * only (VEX.256 is #UD) */
#define I 0
#define I128 AVX_128

/* xmm <- op(vvvv, xmm/m128) */
#define VI(ID, fn, op, sz) AV(V##ID, op, sz, fn, 16, I)
/* shifts: by xmm/m128 the helper, by imm8 (dst = vvvv, src = r/m) the op */
#define VSH(ID, fn, op, sz) \
    AEH(V##ID, shifti, AVX_SSE_HELPER(fn), 16, I, IR_##op, sz, 0)

static const struct avx_row avx_int_rows[] = {
    VI(PAND, pand, vand, E64), VI(POR, por, vor, E64), VI(PXOR, pxor, vxor, E64),
    VI(PANDN, pandn, vandn, E64),
    VI(PADDB, paddb, vadd, E8), VI(PADDW, paddw, vadd, E16), VI(PADDD, paddd, vadd, E32),
    VI(PADDQ, paddq, vadd, E64), VI(PSUBB, psubb, vsub, E8), VI(PSUBW, psubw, vsub, E16),
    VI(PSUBD, psubd, vsub, E32), VI(PSUBQ, psubq, vsub, E64),
    VI(PADDSB, paddsb, vadds, E8), VI(PADDSW, paddsw, vadds, E16),
    VI(PADDUSB, paddusb, vaddus, E8), VI(PADDUSW, paddusw, vaddus, E16),
    VI(PSUBSB, psubsb, vsubs, E8), VI(PSUBSW, psubsw, vsubs, E16),
    VI(PSUBUSB, psubusb, vsubus, E8), VI(PSUBUSW, psubusw, vsubus, E16),
    VI(PMULLW, pmullw, vmul, E16), VI(PMULHW, pmulhw, vmulhs, E16), VI(PMULHUW, pmulhuw, vmulhu, E16),
    VI(PMULUDQ, pmuludq, vmulwu, E32), VI(PMADDWD, pmaddwd, vmaddw, E16),
    VI(PSADBW, psadbw, vsadu, E8), VI(PAVGB, pavgb, vavgu, E8), VI(PAVGW, pavgw, vavgu, E16),
    VI(PMINUB, pminub, vminu, E8), VI(PMAXUB, pmaxub, vmaxu, E8),
    VI(PMINSW, pminsw, vmins, E16), VI(PMAXSW, pmaxsw, vmaxs, E16),
    VI(PCMPEQB, pcmpeqb, vcmpeq, E8), VI(PCMPEQW, pcmpeqw, vcmpeq, E16),
    VI(PCMPEQD, pcmpeqd, vcmpeq, E32), VI(PCMPEQQ, pcmpeqq, vcmpeq, E64),
    VI(PCMPGTB, pcmpgtb, vcmpgt, E8), VI(PCMPGTW, pcmpgtw, vcmpgt, E16),
    VI(PCMPGTD, pcmpgtd, vcmpgt, E32), VI(PCMPGTQ, pcmpgtq, vcmpgt, E64),
    VSH(PSLLW, psllw, vshli, E16), VSH(PSLLD, pslld, vshli, E32), VSH(PSLLQ, psllq, vshli, E64),
    VSH(PSRLW, psrlw, vshri, E16), VSH(PSRLD, psrld, vshri, E32), VSH(PSRLQ, psrlq, vshri, E64),
    VSH(PSRAW, psraw, vsari, E16), VSH(PSRAD, psrad, vsari, E32),
    VSH(PSLLDQ, pslldq, vshlb, E8), VSH(PSRLDQ, psrldq, vshrb, E8),
    VI(PACKSSWB, packsswb, vpackss, E16), VI(PACKSSDW, packssdw, vpackss, E32),
    VI(PACKUSWB, packuswb, vpackus, E16), VI(PACKUSDW, packusdw, vpackus, E32),
    VI(PUNPCKLBW, punpcklbw, vziplo, E8), VI(PUNPCKLWD, punpcklwd, vziplo, E16),
    VI(PUNPCKLDQ, punpckldq, vziplo, E32), VI(PUNPCKLQDQ, punpcklqdq, vziplo, E64),
    VI(PUNPCKHBW, punpckhbw, vziphi, E8), VI(PUNPCKHWD, punpckhwd, vziphi, E16),
    VI(PUNPCKHDQ, punpckhdq, vziphi, E32), VI(PUNPCKHQDQ, punpckhqdq, vziphi, E64),
    AV1(VPSHUFD, vshuf, E32, pshufd, 16, I | AVX_IMM),
    AV1(VPSHUFLW, vshuflo, E16, pshuflw, 16, I | AVX_IMM),
    AV1(VPSHUFHW, vshufhi, E16, pshufhw, 16, I | AVX_IMM),
    VI(PSHUFB, pshufb, vtbl, E8),
    VI(PMINSB, pminsb, vmins, E8), VI(PMAXSB, pmaxsb, vmaxs, E8),
    VI(PMINSD, pminsd, vmins, E32), VI(PMAXSD, pmaxsd, vmaxs, E32),
    VI(PMINUW, pminuw, vminu, E16), VI(PMAXUW, pmaxuw, vmaxu, E16),
    VI(PMINUD, pminud, vminu, E32), VI(PMAXUD, pmaxud, vmaxu, E32),
    VI(PMULLD, pmulld, vmul, E32),
    /* helpers */
    AH(VPMULDQ, pmuldq, 16, I), AH(VPHADDW, phaddw, 16, I), AH(VPHADDD, phaddd, 16, I),
    AH(VPHADDSW, phaddsw, 16, I), AH(VPHSUBW, phsubw, 16, I), AH(VPHSUBD, phsubd, 16, I),
    AH(VPHSUBSW, phsubsw, 16, I), AH(VPMADDUBSW, pmaddubsw, 16, I),
    AH(VPMULHRSW, pmulhrsw, 16, I), AH(VPSIGNB, psignb, 16, I), AH(VPSIGNW, psignw, 16, I),
    AH(VPSIGND, psignd, 16, I), AH(VPALIGNR, palignr, 16, I | AVX_IMM),
    AH(VPBLENDW, pblendw, 16, I | AVX_IMM),
    AH1(VPABSB, pabsb, 16, I), AH1(VPABSW, pabsw, 16, I), AH1(VPABSD, pabsd, 16, I),
    AH1(VPHMINPOSUW, phminposuw, 16, I128),
    AEV(VMOVNTDQA, mov, 0, AVX_IMM),
    AEH(VPBLENDVB, blendv, AVX_OWN_HELPER(pblendvb, 0), 16, I, 0, 0, 0),
    AEH(VPINSRB, insert, AVX_SSE_HELPER(pinsrb), 0, I128, 0, 0, 0),
    AEH(VPINSRW, insert, AVX_SSE_HELPER(pinsrw), 0, I128, 0, 0, 0),
    AEH(VPINSRD, insert, AVX_SSE_HELPER(pinsrd), 0, I128, 0, 0, 0),
    AEH(VPINSRQ, insert, AVX_SSE_HELPER(pinsrq), 0, I128, 0, 0, 0),
    AEV(VPEXTRB, legacy, X86_INS_PEXTRB, I128), AEV(VPEXTRW, legacy, X86_INS_PEXTRW, I128),
    AEV(VPEXTRD, legacy, X86_INS_PEXTRD, I128), AEV(VPEXTRQ, legacy, X86_INS_PEXTRQ, I128),
    AEV(VMASKMOVDQU, legacy, X86_INS_MASKMOVDQU, I128),
    /* vpmovmskb and vpcmp[ei]str[im]: x86_avx2_table.c */
};

const struct x86_row_set x86_avx_int_rows = X86_ROW_SET_OF("avx-int", avx_int_rows, insn);
