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

/* x86_sse_int_ops.def's rows: xmm <- op(vvvv, xmm/m128) and the
 * others with vvvv as the first source; shifts by xmm/m128 the helper, by
 * imm8 (dst = vvvv, src = r/m) the op */
#define SSE_INT_VEC(ID, fn, op, sz)   AV(V##ID, op, sz, fn, 16, I),
#define SSE_INT_SHIFT(ID, fn, op, sz) AEH(V##ID, shifti, AVX_SSE_HELPER(fn), 16, I, IR_##op, sz, 0),
#define SSE_INT_SHUF(ID, fn, op, sz)  AV1(V##ID, op, sz, fn, 16, I | AVX_IMM),
#define SSE_INT_HELPER(ID, fn)        AH(V##ID, fn, 16, I),
#define SSE_INT_UNARY(ID, fn)         AH1(V##ID, fn, 16, I),

static const struct avx_row avx_int_rows[] = {
#include "x86_sse_int_ops.def"

    AV(VPALIGNR, valignr, E8, palignr, 16, I | AVX_IMM), AH(VPBLENDW, pblendw, 16, I | AVX_IMM),
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
