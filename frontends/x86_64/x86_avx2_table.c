/* x86_avx2_table.c -- AVX2's own VEX rows (its 256-bit forms of the SSE2..
 * SSE4.1 integer instructions are the lane-wise rows of
 * x86_avx_int_table.c, vptest and vpblendvb are AVX's rows): variable
 * shifts, vpblendd, vmpsadbw, vpmovmskb, broadcasts, the 128-bit lane
 * moves, permutes, vpmovsx/zx, VEX vpcmp[ei]str[im], vpmaskmov and the
 * gathers.  vbroadcasti128
 * has no row: it decodes as vbroadcastf128 (x86_avx2.c).
 */
#include "x86_avx2.h"
#include "x86_avx_rows.h"

/* an emitter of x86_avx2*.c with its helper, memory bytes, flags, vimm */
#define A2(ID, emit, h, mem, fl, vimm) \
    { AVX_INSN(ID), AVX_F_EMIT, mem, fl, 0, 0, vimm, h, avx2_emit_##emit }
#define NOH { 0 }
#define VSHIFT(ID, fn) AHX(ID, BIN, AVX2_H(fn, 0, 0), 16, 0)
#define PMOVX(ID, from, to, sgn) \
    A2(ID, pmovx, AVX2_H(pmovx, 0, 0), 16 / (to) * (from), 0, (from) | (to) << 4 | (sgn) << 8)
#define GATHER(ID, index) A2(ID, gather, NOH, 0, 0, index)

static const struct avx_row avx2_rows[] = {
    VSHIFT(VPSLLVD, psllvd), VSHIFT(VPSLLVQ, psllvq), VSHIFT(VPSRLVD, psrlvd),
    VSHIFT(VPSRLVQ, psrlvq), VSHIFT(VPSRAVD, psravd),
    A2(VPBLENDD, split_imm, AVX2_H(pblendd, 0, 0), 16, 0, 4),
    A2(VMPSADBW, split_imm, AVX_SSE_HELPER(mpsadbw), 16, 0, 3),
    A2(VPMOVMSKB, movmsk, NOH, 0, 0, 0),
    A2(VPBROADCASTB, pbroadcast, NOH, 1, 0, 0), A2(VPBROADCASTW, pbroadcast, NOH, 2, 0, 0),
    A2(VPBROADCASTD, pbroadcast, NOH, 4, 0, 0), A2(VPBROADCASTQ, pbroadcast, NOH, 8, 0, 0),
    AE(VINSERTI128, insert128), AE(VEXTRACTI128, extract128), AE(VPERM2I128, perm2f128),
    A2(VPERMD, permd, AVX2_H(permd, 0, 0), 32, AVX_256, 0),
    A2(VPERMPS, permd, AVX2_H(permd, 0, 0), 32, AVX_256, 0),
    A2(VPERMQ, permq, AVX2_H(permq, 0, 0), 32, AVX_256, 0),
    A2(VPERMPD, permq, AVX2_H(permq, 0, 0), 32, AVX_256, 0),
    PMOVX(VPMOVSXBW, 1, 2, 1), PMOVX(VPMOVSXBD, 1, 4, 1), PMOVX(VPMOVSXBQ, 1, 8, 1),
    PMOVX(VPMOVSXWD, 2, 4, 1), PMOVX(VPMOVSXWQ, 2, 8, 1), PMOVX(VPMOVSXDQ, 4, 8, 1),
    PMOVX(VPMOVZXBW, 1, 2, 0), PMOVX(VPMOVZXBD, 1, 4, 0), PMOVX(VPMOVZXBQ, 1, 8, 0),
    PMOVX(VPMOVZXWD, 2, 4, 0), PMOVX(VPMOVZXWQ, 2, 8, 0), PMOVX(VPMOVZXDQ, 4, 8, 0),
    A2(VPCMPESTRI, pcmpstr, NOH, 0, AVX_128, X86_INS_PCMPESTRI),
    A2(VPCMPESTRM, pcmpstr, NOH, 0, AVX_128, X86_INS_PCMPESTRM),
    A2(VPCMPISTRI, pcmpstr, NOH, 0, AVX_128, X86_INS_PCMPISTRI),
    A2(VPCMPISTRM, pcmpstr, NOH, 0, AVX_128, X86_INS_PCMPISTRM),
    A2(VPMASKMOVD, maskmov, NOH, 0, 0, 4), A2(VPMASKMOVQ, maskmov, NOH, 0, 0, 8),
    GATHER(VPGATHERDD, 4), GATHER(VPGATHERDQ, 4), GATHER(VPGATHERQD, 8), GATHER(VPGATHERQQ, 8),
    GATHER(VGATHERDPS, 4), GATHER(VGATHERDPD, 4), GATHER(VGATHERQPS, 8), GATHER(VGATHERQPD, 8),
};

const struct x86_row_set x86_avx2_rows = X86_ROW_SET_OF("avx2", avx2_rows, insn);
