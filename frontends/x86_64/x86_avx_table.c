/* x86_avx_table.c -- the AVX rows of the dispatch table (VEX-encoded
 * float and data-movement instructions, 128 and 256 bits): one row per
 * capstone id with its form (x86_avx.h), memory size at VEX.128, and the
 * vector IR op or C helper applied to each 128-bit half.  The vcmpXXps
 * predicate aliases (capstone gives each of the 32 its own id) share one
 * emitter reading the predicate from the imm8.
 */
#include "x86_avx.h"
#include "x86_avx_helpers.h"
#include "x86_avx_rows.h"

#define E32 IR_VE_32
#define E64 IR_VE_64
#define S32 (IR_VE_32 | IR_V_SCALAR)
#define S64 (IR_VE_64 | IR_V_SCALAR)
#define SC (AVX_SCALAR | AVX_128)

/* All four shapes of a float arithmetic op. */
#define FP4(OP, op) AV(V##OP##PS, vf##op, E32, op##ps, 16, 0), AV(V##OP##PD, vf##op, E64, op##pd, 16, 0), \
                    AV(V##OP##SS, vf##op, S32, op##ss, 4, SC), AV(V##OP##SD, vf##op, S64, op##sd, 8, SC)
/* vcmpps and its 32 predicate aliases: SH names the id, then the
 * helper, memory bytes, flags and element size */
#define VCMP1(ID, SH, fn, mem, fl, sz) \
    AEH(VCMP##ID##SH, cmp, AVX_OWN_HELPER(fn, 0), mem, fl, IR_vfcmp, sz, 0)
#define VCMPALL(SH, ...) \
    VCMP1(, SH, __VA_ARGS__), VCMP1(EQ, SH, __VA_ARGS__), VCMP1(LT, SH, __VA_ARGS__), \
    VCMP1(LE, SH, __VA_ARGS__), VCMP1(UNORD, SH, __VA_ARGS__), VCMP1(NEQ, SH, __VA_ARGS__), \
    VCMP1(NLT, SH, __VA_ARGS__), VCMP1(NLE, SH, __VA_ARGS__), VCMP1(ORD, SH, __VA_ARGS__), \
    VCMP1(EQ_UQ, SH, __VA_ARGS__), VCMP1(NGE, SH, __VA_ARGS__), VCMP1(NGT, SH, __VA_ARGS__), \
    VCMP1(FALSE, SH, __VA_ARGS__), VCMP1(NEQ_OQ, SH, __VA_ARGS__), VCMP1(GE, SH, __VA_ARGS__), \
    VCMP1(GT, SH, __VA_ARGS__), VCMP1(TRUE, SH, __VA_ARGS__), VCMP1(EQ_OS, SH, __VA_ARGS__), \
    VCMP1(LT_OQ, SH, __VA_ARGS__), VCMP1(LE_OQ, SH, __VA_ARGS__), VCMP1(UNORD_S, SH, __VA_ARGS__), \
    VCMP1(NEQ_US, SH, __VA_ARGS__), VCMP1(NLT_UQ, SH, __VA_ARGS__), VCMP1(NLE_UQ, SH, __VA_ARGS__), \
    VCMP1(ORD_S, SH, __VA_ARGS__), VCMP1(EQ_US, SH, __VA_ARGS__), VCMP1(NGE_UQ, SH, __VA_ARGS__), \
    VCMP1(NGT_UQ, SH, __VA_ARGS__), VCMP1(FALSE_OS, SH, __VA_ARGS__), VCMP1(NEQ_OS, SH, __VA_ARGS__), \
    VCMP1(GE_OQ, SH, __VA_ARGS__), VCMP1(GT_OQ, SH, __VA_ARGS__), VCMP1(TRUE_US, SH, __VA_ARGS__)
/* the legacy row's translation (operands as in SSE) */
#define LEG(ID, fl) AEV(V##ID, legacy, X86_INS_##ID, fl)
/* ... that ends the block (vldmxcsr, as ldmxcsr: x86_sse_xm.c) */
#define LEG_END(ID) { { X86_INS_V##ID, x86_avx_translate, X86_FL_READ, 1, X86_OPF_VEX, NULL }, \
                      AVX_F_EMIT, 0, 0, 0, 0, X86_INS_##ID, { 0 }, avx_emit_legacy }
#define OWN(fn, res) AVX_OWN_HELPER(fn, res)
#define MASKMOV_H { (void *)x86_avx_helper_maskmov, "avx_maskmov", 3, 0, IR_HELPER_RW_GLOBALS }
#define SSEH(fn, res) { (void *)x86_sse_helper_##fn, "sse_" #fn, 3, res, 0 }

static const struct avx_row avx_rows[] = {
    /* whole-register moves (vimm unused; AVX_FIXED: store-only, AVX_IMM: load-only) */
    AEV(VMOVAPS, mov, 0, 0), AEV(VMOVUPS, mov, 0, 0), AEV(VMOVAPD, mov, 0, 0),
    AEV(VMOVUPD, mov, 0, 0), AEV(VMOVDQA, mov, 0, 0), AEV(VMOVDQU, mov, 0, 0),
    AEV(VMOVNTPS, mov, 0, AVX_FIXED), AEV(VMOVNTPD, mov, 0, AVX_FIXED),
    AEV(VMOVNTDQ, mov, 0, AVX_FIXED), AEV(VLDDQU, mov, 0, AVX_IMM),
    AEM(VMOVSS, movs, 4, 0, 0), AEM(VMOVSD, movs, 8, 0, 0),
    AEM(VMOVLPS, movhalf, 8, 0, AVX_128), AEM(VMOVLPD, movhalf, 8, 0, AVX_128),
    AEM(VMOVHPS, movhalf, 8, 1, AVX_128), AEM(VMOVHPD, movhalf, 8, 1, AVX_128),
    AEM(VMOVHLPS, movhl, 0, 0, AVX_128), AEM(VMOVLHPS, movhl, 0, 1, AVX_128),
    AEM(VMOVD, movdq, 4, 0, AVX_128), AEM(VMOVQ, movdq, 8, 0, AVX_128),
    AEV(VZEROUPPER, zero, 0, AVX_128), AEV(VZEROALL, zero, 1, AVX_256),
    AEM(VBROADCASTSS, broadcast, 4, 0, 0), AEM(VBROADCASTSD, broadcast, 8, 0, AVX_256),
    AEM(VBROADCASTF128, broadcast, 16, 0, AVX_256),
    AE(VINSERTF128, insert128), AE(VEXTRACTF128, extract128), AE(VPERM2F128, perm2f128),
    LEG_END(LDMXCSR),
    LEG(STMXCSR, 0),

    /* bitwise logic */
    AV(VANDPS, vand, E64, pand, 16, 0), AV(VANDPD, vand, E64, pand, 16, 0),
    AV(VORPS, vor, E64, por, 16, 0), AV(VORPD, vor, E64, por, 16, 0),
    AV(VXORPS, vxor, E64, pxor, 16, 0), AV(VXORPD, vxor, E64, pxor, 16, 0),
    AV(VANDNPS, vandn, E64, pandn, 16, 0), AV(VANDNPD, vandn, E64, pandn, 16, 0),

    /* float arithmetic */
    FP4(ADD, add), FP4(SUB, sub), FP4(MUL, mul), FP4(DIV, div), FP4(MIN, min), FP4(MAX, max),
    AV1(VSQRTPS, vfsqrt, E32, sqrtps, 16, 0), AV1(VSQRTPD, vfsqrt, E64, sqrtpd, 16, 0),
    AV(VSQRTSS, vfsqrt, S32, sqrtss, 4, SC), AV(VSQRTSD, vfsqrt, S64, sqrtsd, 8, SC),
    AH1(VRCPPS, rcpps, 16, 0), AH(VRCPSS, rcpss, 4, SC),
    AH1(VRSQRTPS, rsqrtps, 16, 0), AH(VRSQRTSS, rsqrtss, 4, SC),
    AH(VADDSUBPS, addsubps, 16, 0), AH(VADDSUBPD, addsubpd, 16, 0),
    AH(VHADDPS, haddps, 16, 0), AH(VHADDPD, haddpd, 16, 0),
    AH(VHSUBPS, hsubps, 16, 0), AH(VHSUBPD, hsubpd, 16, 0),
    AH1(VMOVSHDUP, movshdup, 16, 0), AH1(VMOVSLDUP, movsldup, 16, 0),
    AEH(VMOVDDUP, movddup, SSEH(movddup, 0), 8, 0, 0, 0, 0),

    /* compares */
    VCMPALL(PS, cmpps, 16, 0, E32), VCMPALL(PD, cmppd, 16, 0, E64),
    VCMPALL(SS, cmpss, 4, SC, S32), VCMPALL(SD, cmpsd, 8, SC, S64),
    LEG(UCOMISS, AVX_SCALAR), LEG(UCOMISD, AVX_SCALAR), LEG(COMISS, AVX_SCALAR),
    LEG(COMISD, AVX_SCALAR),

    /* conversions */
    AEH(VCVTSI2SS, cvti2f, SSEH(cvtsi2ss, 0), 0, 0, 0, S32, 0),
    AEH(VCVTSI2SD, cvti2f, SSEH(cvtsi2sd, 0), 0, 0, 0, S64, 0),
    LEG(CVTSS2SI, AVX_SCALAR), LEG(CVTSD2SI, AVX_SCALAR), LEG(CVTTSS2SI, AVX_SCALAR),
    LEG(CVTTSD2SI, AVX_SCALAR),
    AV(VCVTSS2SD, vcvtf2f, S32, cvtss2sd, 4, SC), AV(VCVTSD2SS, vcvtf2f, S64, cvtsd2ss, 8, SC),
    AV1(VCVTDQ2PS, vcvti2fv, E32, cvtdq2ps, 16, 0), AV1(VCVTPS2DQ, vcvtf2iv, E32, cvtps2dq, 16, 0),
    AV1I(VCVTTPS2DQ, vcvtf2iv, E32, cvttps2dq, 16, 0, 0x100),
    AEH(VCVTPS2PD, cvt_up, SSEH(cvtps2pd, 0), 0, 0, IR_vcvtf2f, E32, 0),
    AEH(VCVTDQ2PD, cvt_up, SSEH(cvtdq2pd, 0), 0, 0, IR_vcvti2fv, E64, 0),
    AEH(VCVTPD2PS, cvt_down, SSEH(cvtpd2ps, 0), 0, 0, IR_vcvtf2f, E64, 0),
    AEH(VCVTPD2PSX, cvt_down, SSEH(cvtpd2ps, 0), 0, 0, IR_vcvtf2f, E64, 0),
    AEH(VCVTPD2DQ, cvt_down, SSEH(cvtpd2dq, 0), 0, 0, IR_vcvtf2iv, E64, 0),
    AEH(VCVTPD2DQX, cvt_down, SSEH(cvtpd2dq, 0), 0, 0, IR_vcvtf2iv, E64, 0),
    AEH(VCVTTPD2DQ, cvt_down, SSEH(cvttpd2dq, 0), 0, 0, IR_vcvtf2iv, E64, 0x100),
    AEH(VCVTTPD2DQX, cvt_down, SSEH(cvttpd2dq, 0), 0, 0, IR_vcvtf2iv, E64, 0x100),

    /* shuffles, unpacks, blends, permutes */
    AV(VSHUFPS, vshuf2, E32, shufps, 16, AVX_IMM),
    AEH(VSHUFPD, blend, SSEH(shufpd, 0), 16, 0, IR_vshuf2, E64, 2),
    AV(VUNPCKLPS, vziplo, E32, unpcklps, 16, 0), AV(VUNPCKHPS, vziphi, E32, unpckhps, 16, 0),
    AV(VUNPCKLPD, vziplo, E64, unpcklpd, 16, 0), AV(VUNPCKHPD, vziphi, E64, unpckhpd, 16, 0),
    AEH(VBLENDPS, blend, SSEH(blendps, 0), 16, 0, 0, 0, 4),
    AEH(VBLENDPD, blend, SSEH(blendpd, 0), 16, 0, 0, 0, 2),
    AEH(VBLENDVPS, blendv, OWN(blendvps, 0), 16, 0, 0, 0, 0),
    AEH(VBLENDVPD, blendv, OWN(blendvpd, 0), 16, 0, 0, 0, 0),
    AEM(VPERMILPS, permil, 0, 0, 0), AEM(VPERMILPD, permil, 0, 1, 0),
    AEH(VINSERTPS, insert, OWN(insertps, 0), 4, 0, 0, E32, 0), LEG(EXTRACTPS, 0),

    /* rounding, dot products, masks, tests, masked moves */
    AH1(VROUNDPS, roundps, 16, AVX_IMM), AH1(VROUNDPD, roundpd, 16, AVX_IMM),
    AH(VROUNDSS, roundss, 4, SC | AVX_IMM), AH(VROUNDSD, roundsd, 8, SC | AVX_IMM),
    AH(VDPPS, dpps, 16, AVX_IMM), AH(VDPPD, dppd, 16, AVX_128 | AVX_IMM),
    AEH(VMOVMSKPS, movmsk, SSEH(movmskps, 1), 0, 0, 0, 0, 4),
    AEH(VMOVMSKPD, movmsk, SSEH(movmskpd, 1), 0, 0, 0, 0, 2),
    AEH(VTESTPS, test, OWN(test, 1), 16, 0, 0, 0, 32),
    AEH(VTESTPD, test, OWN(test, 1), 16, 0, 0, 0, 64),
    AEH(VPTEST, test, OWN(test, 1), 16, 0, 0, 0, 0),
    AEH(VMASKMOVPS, maskmov, MASKMOV_H, 0, 0, 0, E32, 0),
    AEH(VMASKMOVPD, maskmov, MASKMOV_H, 0, 0, 0, E64, 0),
};

const struct x86_row_set x86_avx_rows = X86_ROW_SET_OF("avx", avx_rows, insn);
