/* avx.c -- difftest of AVX's floating-point forms, VEX.128 and VEX.256,
 * register and memory operands (avx_vec.h): arithmetic (every MXCSR
 * rounding mode and FTZ+DAZ, MXCSR read back), logic, horizontal ops,
 * compares with all 32 predicates, conversions (including the ones
 * that change width across the 128-bit halves), vround in all imm modes,
 * vdpps, and the upper-half rules: VEX.128 zeroes bits 255:128 of the
 * destination, legacy SSE leaves them alone, a destination that is also
 * a source.  vrcpps/vrsqrtps only on values whose result is exact on
 * every CPU (their approximations differ between vendors). */
#include "avx_vec.h"
#include "ud_case.h"

/* arithmetic */
#define FPALL(op)                                                             \
    BIN4(v##op##ps, "v" #op "ps", fy, 5) BIN4(v##op##pd, "v" #op "pd", dy, 5) \
    BIN2(v##op##ss, "v" #op "ss", fy, 5) BIN2(v##op##sd, "v" #op "sd", dy, 5)
FPALL(add) FPALL(sub) FPALL(mul) FPALL(div) FPALL(min) FPALL(max)
UN4(vsqrtps, "vsqrtps", fy, 5) UN4(vsqrtpd, "vsqrtpd", dy, 5)
BIN2(vsqrtss, "vsqrtss", fy, 5) BIN2(vsqrtsd, "vsqrtsd", dy, 5)
ALIAS(vaddps_alias, "vaddps", fy, 1) ALIAS(vsubpd_alias, "vsubpd", dy, 1)
ALIAS(vdivps_alias, "vdivps", fy, 1)
YCASE(vsubss_db, fy, fy, fy, 1, "vsubss %%xmm1, %%xmm2, %%xmm1")
BIN4(vaddsubps, "vaddsubps", fy, 5) BIN4(vaddsubpd, "vaddsubpd", dy, 5)
BIN4(vhaddps, "vhaddps", fy, 5) BIN4(vhaddpd, "vhaddpd", dy, 5)
BIN4(vhsubps, "vhsubps", fy, 5) BIN4(vhsubpd, "vhsubpd", dy, 5)
ALIAS(vhaddps_alias, "vhaddps", fy, 1)

/* logic */
BIN4(vandps, "vandps", iy, 1) BIN4(vandpd, "vandpd", iy, 1) BIN4(vorps, "vorps", iy, 1)
BIN4(vorpd, "vorpd", iy, 1) BIN4(vxorps, "vxorps", iy, 1) BIN4(vxorpd, "vxorpd", iy, 1)
BIN4(vandnps, "vandnps", iy, 1) BIN4(vandnpd, "vandnpd", iy, 1)
ALIAS(vandnps_alias, "vandnps", iy, 1)

/* the upper half after legacy SSE (kept) and VEX.128 (zeroed) */
YCASE(legacy_addps, fy, fy, fy, 1, "addps %%xmm3, %%xmm1")
YCASE(legacy_movaps, fy, fy, fy, 1, "movaps %%xmm3, %%xmm1")
YCASE(legacy_paddd_m, iy, iy, iy, 1, "paddd %[b], %%xmm1")
YCASE(legacy_cvtsi2sd, dy, dy, dy, 1, "mov $7, %%eax\n\tcvtsi2sd %%eax, %%xmm1")
YCASE(vex128_movaps, fy, fy, fy, 1, "vmovaps %%xmm3, %%xmm1")

/* compares: all 32 predicates, packed and scalar */
#define CMP4(P)                                                               \
    YCASE(vcmpps_##P, fy, fy, fy, 1, "vcmpps $" #P ", %%ymm3, %%ymm2, %%ymm1")   \
    YCASE(vcmppd_##P, dy, dy, dy, 1, "vcmppd $" #P ", %[b], %%ymm2, %%ymm1")     \
    YCASE(vcmpss_##P, fy, fy, fy, 1, "vcmpss $" #P ", %%xmm3, %%xmm2, %%xmm1")   \
    YCASE(vcmpsd_##P, dy, dy, dy, 1, "vcmpsd $" #P ", %[b], %%xmm2, %%xmm1")
CMP4(0) CMP4(1) CMP4(2) CMP4(3) CMP4(4) CMP4(5) CMP4(6) CMP4(7)
CMP4(8) CMP4(9) CMP4(10) CMP4(11) CMP4(12) CMP4(13) CMP4(14) CMP4(15)
CMP4(16) CMP4(17) CMP4(18) CMP4(19) CMP4(20) CMP4(21) CMP4(22) CMP4(23)
CMP4(24) CMP4(25) CMP4(26) CMP4(27) CMP4(28) CMP4(29) CMP4(30) CMP4(31)
BIN4(vcmpps_all0, "vcmpps $0,", fy, 5) BIN4(vcmppd_all13, "vcmppd $13,", dy, 5)
BIN2(vcmpss_all17, "vcmpss $17,", fy, 5) BIN2(vcmpsd_all30, "vcmpsd $30,", dy, 5)
/* ucomis/comis: EFLAGS into the low byte of ymm1 */
#define COMI(FN, INSN, SET)                                                   \
    YCASE(FN, SET, SET, SET, 1, INSN " %%xmm3, %%xmm2\n\tpushfq\n\tpop %%rax\n\t" \
          "and $0x8d5, %%eax\n\tvmovq %%rax, %%xmm1")                         \
    YCASE(FN##_m, SET, SET, SET, 1, INSN " %[b], %%xmm2\n\tpushfq\n\tpop %%rax\n\t" \
          "and $0x8d5, %%eax\n\tvmovq %%rax, %%xmm1")
COMI(vucomiss, "vucomiss", fy) COMI(vucomisd, "vucomisd", dy)
COMI(vcomiss, "vcomiss", fy) COMI(vcomisd, "vcomisd", dy)

/* conversions */
UN4(vcvtdq2ps, "vcvtdq2ps", iy, 5) UN4(vcvtps2dq, "vcvtps2dq", fy, 5)
UN4(vcvttps2dq, "vcvttps2dq", fy, 5)
#define CVT_UP(FN, INSN, SET)                                                 \
    YCASE(FN##_y, SET, SET, SET, 5, INSN " %%xmm3, %%ymm1")                   \
    YCASE(FN##_ym, SET, SET, SET, 5, INSN " %[b], %%ymm1")                    \
    YCASE(FN##_x, SET, SET, SET, 5, INSN " %%xmm3, %%xmm1")                   \
    YCASE(FN##_xm, SET, SET, SET, 5, INSN " %[b], %%xmm1")                    \
    YCASE(FN##_yd, SET, SET, SET, 1, INSN " %%xmm1, %%ymm1")
CVT_UP(vcvtps2pd, "vcvtps2pd", fy) CVT_UP(vcvtdq2pd, "vcvtdq2pd", iy)
#define CVT_DOWN(FN, INSN, SET)                                               \
    YCASE(FN##_y, SET, SET, SET, 5, INSN " %%ymm3, %%xmm1")                   \
    YCASE(FN##_ym, SET, SET, SET, 5, INSN "y %[b], %%xmm1")                   \
    YCASE(FN##_x, SET, SET, SET, 5, INSN " %%xmm3, %%xmm1")                   \
    YCASE(FN##_xm, SET, SET, SET, 5, INSN "x %[b], %%xmm1")                   \
    YCASE(FN##_yd, SET, SET, SET, 1, INSN " %%ymm1, %%xmm1")
CVT_DOWN(vcvtpd2ps, "vcvtpd2ps", dy) CVT_DOWN(vcvtpd2dq, "vcvtpd2dq", dy)
CVT_DOWN(vcvttpd2dq, "vcvttpd2dq", dy)
BIN2(vcvtss2sd, "vcvtss2sd", fy, 5) BIN2(vcvtsd2ss, "vcvtsd2ss", dy, 5)
#define TOGPR(FN, INSN, SET)                                                  \
    YCASE(FN, SET, SET, SET, 5, INSN " %%xmm3, %%rax\n\tvmovq %%rax, %%xmm1") \
    YCASE(FN##_m, SET, SET, SET, 5, INSN " %[b], %%eax\n\tvmovd %%eax, %%xmm1")
TOGPR(vcvtss2si, "vcvtss2si", fy) TOGPR(vcvtsd2si, "vcvtsd2si", dy)
TOGPR(vcvttss2si, "vcvttss2si", fy) TOGPR(vcvttsd2si, "vcvttsd2si", dy)
#define FROMGPR(FN, INSN, SET)                                                \
    YCASE(FN##_q, SET, SET, SET, 5, "vmovq %%xmm3, %%rax\n\t" INSN "q %%rax, %%xmm2, %%xmm1") \
    YCASE(FN##_l, SET, SET, SET, 5, "vmovd %%xmm3, %%eax\n\t" INSN "l %%eax, %%xmm2, %%xmm1") \
    YCASE(FN##_m, SET, SET, SET, 5, INSN "l %[b], %%xmm2, %%xmm1")
FROMGPR(vcvtsi2ss, "vcvtsi2ss", iy) FROMGPR(vcvtsi2sd, "vcvtsi2sd", iy)

/* rounding: every imm mode (imm[2]: MXCSR.RC; imm[3]: no inexact) */
#define ROUND1(FN, IMM)                                                       \
    YCASE(vroundps_##IMM, fy, fy, fy, 5, "vroundps $" #IMM ", %%ymm3, %%ymm1")  \
    YCASE(vroundpd_##IMM, dy, dy, dy, 5, "vroundpd $" #IMM ", %[b], %%ymm1")    \
    YCASE(vroundss_##IMM, fy, fy, fy, 5, "vroundss $" #IMM ", %%xmm3, %%xmm2, %%xmm1") \
    YCASE(vroundsd_##IMM, dy, dy, dy, 5, "vroundsd $" #IMM ", %[b], %%xmm2, %%xmm1")
UN4(vroundps_9, "vroundps $9,", fy, 1) UN4(vroundpd_12, "vroundpd $12,", dy, 1)
ROUND1(r, 0) ROUND1(r, 1) ROUND1(r, 2) ROUND1(r, 3) ROUND1(r, 4) ROUND1(r, 5)
ROUND1(r, 6) ROUND1(r, 7) ROUND1(r, 8) ROUND1(r, 9) ROUND1(r, 10) ROUND1(r, 11)
ROUND1(r, 12) ROUND1(r, 13) ROUND1(r, 14) ROUND1(r, 15)

/* dot products */
BIN4(vdpps_ff, "vdpps $0xff,", fy, 5) BIN4(vdpps_a5, "vdpps $0xa5,", fy, 5)
BIN4(vdpps_3c, "vdpps $0x3c,", fy, 1)
BIN2(vdppd_33, "vdppd $0x33,", dy, 5) BIN2(vdppd_12, "vdppd $0x12,", dy, 1)

/* reciprocal approximations on exactly-defined inputs */
static y256 rcp_special[NY];
__attribute__((constructor(103))) static void make_rcp(void)
{
    static const uint32_t v[] = { 0, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
                                  0xffc00001u, 0x7f800001u, 0x00000001u, 0x80400000u };
    for (unsigned k = 0; k < NY; k++)
        for (unsigned q = 0; q < 4; q++)
            rcp_special[k].q[q] = v[(k + 2 * q) % 9] | (uint64_t)v[(k * 3 + q + 1) % 9] << 32;
}
UN4(vrcpps, "vrcpps", rcp_special, 1) UN4(vrsqrtps, "vrsqrtps", rcp_special, 1)
BIN2(vrcpss, "vrcpss", rcp_special, 1) BIN2(vrsqrtss, "vrsqrtss", rcp_special, 1)

/* A CPU without AVX runs only the refusals (ud_main). */
UD_TEST_MAIN(avx_ud, "cpuid avx",
             ud_cpuid_bit(1, 0, 2, 28),
             UD_CASE("vaddps", "0xc5, 0xf0, 0x58, 0xcb");)
