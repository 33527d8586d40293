/* x86_avx_table.c -- the AVX rows of the dispatch table (VEX-encoded
 * float and data-movement instructions, 128 and 256 bits): one row per
 * capstone id with its form (x86_avx.h), memory size at VEX.128, and the
 * vector IR op or C helper applied to each 128-bit half.  The vcmpXXps
 * predicate aliases (capstone gives each of the 32 its own id) share one
 * emitter reading the predicate from the imm8.
 */
#include "x86_avx.h"
#include "x86_avx_rows.h"

#define E32 IR_VE_32
#define E64 IR_VE_64
#define S32 (IR_VE_32 | IR_V_SCALAR)
#define S64 (IR_VE_64 | IR_V_SCALAR)
#define SC (AVX_SCALAR | AVX_128)

/* All four shapes of a float arithmetic op. */
#define FP4(OP, op) AV(V##OP##PS, vf##op, E32, op##ps, 16, 0), AV(V##OP##PD, vf##op, E64, op##pd, 16, 0), \
                    AV(V##OP##SS, vf##op, S32, op##ss, 4, SC), AV(V##OP##SD, vf##op, S64, op##sd, 8, SC)
/* vcmpps and its 32 predicate aliases */
#define VCMP1(ID, sh) AE(VCMP##ID##sh, cmp)
#define VCMPALL(sh) \
    VCMP1(, sh), VCMP1(EQ, sh), VCMP1(LT, sh), VCMP1(LE, sh), VCMP1(UNORD, sh), VCMP1(NEQ, sh), \
    VCMP1(NLT, sh), VCMP1(NLE, sh), VCMP1(ORD, sh), VCMP1(EQ_UQ, sh), VCMP1(NGE, sh), \
    VCMP1(NGT, sh), VCMP1(FALSE, sh), VCMP1(NEQ_OQ, sh), VCMP1(GE, sh), VCMP1(GT, sh), \
    VCMP1(TRUE, sh), VCMP1(EQ_OS, sh), VCMP1(LT_OQ, sh), VCMP1(LE_OQ, sh), VCMP1(UNORD_S, sh), \
    VCMP1(NEQ_US, sh), VCMP1(NLT_UQ, sh), VCMP1(NLE_UQ, sh), VCMP1(ORD_S, sh), VCMP1(EQ_US, sh), \
    VCMP1(NGE_UQ, sh), VCMP1(NGT_UQ, sh), VCMP1(FALSE_OS, sh), VCMP1(NEQ_OS, sh), \
    VCMP1(GE_OQ, sh), VCMP1(GT_OQ, sh), VCMP1(TRUE_US, sh)

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
    AEV(VLDMXCSR, mxcsr, X86_INS_LDMXCSR, 0), AEV(VSTMXCSR, mxcsr, X86_INS_STMXCSR, 0),

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
};

const struct x86_row_set x86_avx_rows = X86_ROW_SET_OF("avx", avx_rows, insn);
