/* avx_move.c -- difftest of AVX data movement and lane operations,
 * VEX.128 and VEX.256, register and memory operands (avx_vec.h): moves
 * (loads, stores, scalar and half moves, vmovd/q), vzeroupper/vzeroall,
 * broadcasts, vinsertf128/vextractf128/vperm2f128 (every selector),
 * shuffles, unpacks, blends (immediate and register mask), vpermilps/pd,
 * vmovmskps/pd, vtestps/pd, vptest, vmaskmovps/pd (masked-out lanes of
 * the memory operand untouched), vinsertps/vextractps, and the VEX.128
 * forms of the SSE integer instructions. */

#include "avx_vec.h"
#include "ud_case.h"

/* whole-register moves: load, store (into %[b]), register */
#define MOV3(FN, INSN)                                                        \
    YCASE(FN##_y, iy, iy, iy, 1, INSN " %%ymm3, %%ymm1")                      \
    YCASE(FN##_ym, iy, iy, iy, 1, INSN " %[b], %%ymm1")                       \
    YCASE(FN##_ys, iy, iy, iy, 1, INSN " %%ymm2, %[b]")                       \
    YCASE(FN##_x, iy, iy, iy, 1, INSN " %%xmm3, %%xmm1")                      \
    YCASE(FN##_xm, iy, iy, iy, 1, INSN " %[b], %%xmm1")                       \
    YCASE(FN##_xs, iy, iy, iy, 1, INSN " %%xmm2, %[b]")
MOV3(vmovaps, "vmovaps") MOV3(vmovups, "vmovups") MOV3(vmovapd, "vmovapd")
MOV3(vmovupd, "vmovupd") MOV3(vmovdqa, "vmovdqa") MOV3(vmovdqu, "vmovdqu")
YCASE(vmovntps, iy, iy, iy, 1, "vmovntps %%ymm2, %[b]")
YCASE(vmovntpd, iy, iy, iy, 1, "vmovntpd %%xmm2, %[b]")
YCASE(vmovntdq, iy, iy, iy, 1, "vmovntdq %%ymm2, %[b]")
YCASE(vlddqu, iy, iy, iy, 1, "vlddqu %[b], %%ymm1")
YCASE(vlddqu_x, iy, iy, iy, 1, "vlddqu %[b], %%xmm1")
YCASE(vmovntdqa, iy, iy, iy, 1, "vmovntdqa %[b], %%xmm1")
#define MOVS(FN, INSN)                                                        \
    YCASE(FN##_m, iy, iy, iy, 1, INSN " %[b], %%xmm1")                        \
    YCASE(FN##_s, iy, iy, iy, 1, INSN " %%xmm2, %[b]")                        \
    YCASE(FN##_r, iy, iy, iy, 1, INSN " %%xmm3, %%xmm2, %%xmm1")              \
    YCASE(FN##_rd, iy, iy, iy, 1, INSN " %%xmm1, %%xmm2, %%xmm1")
MOVS(vmovss, "vmovss") MOVS(vmovsd, "vmovsd")
#define MOVHALF(FN, INSN)                                                     \
    YCASE(FN##_m, iy, iy, iy, 1, INSN " %[b], %%xmm2, %%xmm1")                \
    YCASE(FN##_md, iy, iy, iy, 1, INSN " %[b], %%xmm1, %%xmm1")               \
    YCASE(FN##_s, iy, iy, iy, 1, INSN " %%xmm2, %[b]")
MOVHALF(vmovlps, "vmovlps") MOVHALF(vmovlpd, "vmovlpd") MOVHALF(vmovhps, "vmovhps")
MOVHALF(vmovhpd, "vmovhpd")
YCASE(vmovhlps, iy, iy, iy, 1, "vmovhlps %%xmm3, %%xmm2, %%xmm1")
YCASE(vmovhlps_d, iy, iy, iy, 1, "vmovhlps %%xmm1, %%xmm2, %%xmm1")
YCASE(vmovlhps, iy, iy, iy, 1, "vmovlhps %%xmm3, %%xmm2, %%xmm1")
YCASE(vmovlhps_d, iy, iy, iy, 1, "vmovlhps %%xmm3, %%xmm1, %%xmm1")
YCASE(vmovd_to, iy, iy, iy, 1, "vmovd %%xmm3, %%eax\n\tvmovq %%rax, %%xmm1")
YCASE(vmovq_to, iy, iy, iy, 1, "vmovq %%xmm3, %%rax\n\tvmovq %%rax, %%xmm1")
YCASE(vmovd_from, iy, iy, iy, 1, "vmovq %%xmm3, %%rax\n\tvmovd %%eax, %%xmm1")
YCASE(vmovq_from, iy, iy, iy, 1, "vmovq %%xmm3, %%rax\n\tvmovq %%rax, %%xmm1")
YCASE(vmovd_m, iy, iy, iy, 1, "vmovd %[b], %%xmm1")
YCASE(vmovq_m, iy, iy, iy, 1, "vmovq %[b], %%xmm1")
YCASE(vmovd_s, iy, iy, iy, 1, "vmovd %%xmm2, %[b]")
YCASE(vmovq_s, iy, iy, iy, 1, "vmovq %%xmm2, %[b]")
YCASE(vmovq_r, iy, iy, iy, 1, "vmovq %%xmm3, %%xmm1")

/* upper halves of all 16 registers */
YCASE(vzeroupper, iy, iy, iy, 1, "vzeroupper\n\tvperm2f128 $0x03, %%ymm2, %%ymm3, %%ymm1")
YCASE(vzeroupper_lo, iy, iy, iy, 1, "vzeroupper\n\tvinsertf128 $1, %%xmm3, %%ymm2, %%ymm1")
YCASE(vzeroall, iy, iy, iy, 1, "vzeroall\n\tvpor %%xmm3, %%xmm2, %%xmm1")
YCASE(vzeroupper_hi, iy, iy, iy, 1,
      "vmovdqu %[b], %%ymm15\n\tvmovdqu %[b], %%ymm8\n\tvzeroupper\n\tvextractf128 $0, %%ymm15, %%xmm1\n\t"
      "vperm2f128 $0x31, %%ymm15, %%ymm8, %%ymm1")
/* the upper halves read in the next block, from what the run of stores
 * left in memory (x64_envzero.c, a64_envpair.c): in vzeroupper's own
 * block the translator forwards the zeros it stored */
YCASE(vzeroupper_blk, iy, iy, iy, 1,
      "vmovdqu %[b], %%ymm15\n\tvmovdqu %[b], %%ymm8\n\tvzeroupper\n\tjmp 1f\n"
      "1:\tvperm2f128 $0x31, %%ymm15, %%ymm8, %%ymm1\n\tvperm2f128 $0x31, %%ymm2, %%ymm3, %%ymm0\n\t"
      "vpor %%ymm0, %%ymm1, %%ymm1\n\tvinsertf128 $0, %%xmm3, %%ymm1, %%ymm1")

/* lane moves */
YCASE(vbroadcastss, fy, fy, fy, 1, "vbroadcastss %[b], %%ymm1")
YCASE(vbroadcastss_x, fy, fy, fy, 1, "vbroadcastss %[b], %%xmm1")
YCASE(vbroadcastsd, dy, dy, dy, 1, "vbroadcastsd %[b], %%ymm1")
YCASE(vbroadcastf128, iy, iy, iy, 1, "vbroadcastf128 %[b], %%ymm1")
#define INS(I) YCASE(vinsertf128_##I, iy, iy, iy, 1, "vinsertf128 $" #I ", %%xmm3, %%ymm2, %%ymm1") \
               YCASE(vinsertf128_m##I, iy, iy, iy, 1, "vinsertf128 $" #I ", %[b], %%ymm2, %%ymm1") \
               YCASE(vinsertf128_d##I, iy, iy, iy, 1, "vinsertf128 $" #I ", %%xmm1, %%ymm1, %%ymm1") \
               YCASE(vextractf128_##I, iy, iy, iy, 1, "vextractf128 $" #I ", %%ymm3, %%xmm1") \
               YCASE(vextractf128_s##I, iy, iy, iy, 1, "vextractf128 $" #I ", %%ymm2, %[b]")
INS(0) INS(1)
#define P2(I) YCASE(vperm2f128_##I, iy, iy, iy, 1, "vperm2f128 $" #I ", %%ymm3, %%ymm2, %%ymm1")
P2(0x00) P2(0x01) P2(0x02) P2(0x03) P2(0x10) P2(0x12) P2(0x13) P2(0x20) P2(0x21) P2(0x23)
P2(0x30) P2(0x31) P2(0x32) P2(0x08) P2(0x80) P2(0x88) P2(0x29) P2(0xb2) P2(0x7f)
YCASE(vperm2f128_m, iy, iy, iy, 1, "vperm2f128 $0x21, %[b], %%ymm2, %%ymm1")
YCASE(vperm2f128_d, iy, iy, iy, 1, "vperm2f128 $0x31, %%ymm1, %%ymm2, %%ymm1")
YCASE(vperm2f128_dd, iy, iy, iy, 1, "vperm2f128 $0x01, %%ymm1, %%ymm1, %%ymm1")

/* shuffles, unpacks, blends, permutes */
BIN4(vshufps_1b, "vshufps $0x1b,", fy, 1) BIN4(vshufps_e4, "vshufps $0xe4,", fy, 1)
BIN4(vshufpd_5, "vshufpd $5,", dy, 1) BIN4(vshufpd_a, "vshufpd $10,", dy, 1)
BIN4(vshufpd_3, "vshufpd $3,", dy, 1)
BIN4(vunpcklps, "vunpcklps", fy, 1) BIN4(vunpckhps, "vunpckhps", fy, 1)
BIN4(vunpcklpd, "vunpcklpd", dy, 1) BIN4(vunpckhpd, "vunpckhpd", dy, 1)
ALIAS(vunpcklps_alias, "vunpcklps", fy, 1)
BIN4(vblendps_a5, "vblendps $0xa5,", fy, 1) BIN4(vblendps_3c, "vblendps $0x3c,", fy, 1)
BIN4(vblendpd_9, "vblendpd $9,", dy, 1) BIN4(vblendpd_6, "vblendpd $6,", dy, 1)
#define BLENDV(FN, INSN)                                                      \
    YCASE(FN##_y, iy, iy, iy, 1, INSN " %%ymm0, %%ymm3, %%ymm2, %%ymm1")      \
    YCASE(FN##_ym, iy, iy, iy, 1, INSN " %%ymm0, %[b], %%ymm2, %%ymm1")       \
    YCASE(FN##_x, iy, iy, iy, 1, INSN " %%xmm0, %%xmm3, %%xmm2, %%xmm1")      \
    YCASE(FN##_xm, iy, iy, iy, 1, INSN " %%xmm0, %[b], %%xmm2, %%xmm1")       \
    YCASE(FN##_dm, iy, iy, iy, 1, INSN " %%ymm1, %%ymm3, %%ymm2, %%ymm1")     \
    YCASE(FN##_db, iy, iy, iy, 1, INSN " %%ymm0, %%ymm1, %%ymm2, %%ymm1")
BLENDV(vblendvps, "vblendvps") BLENDV(vblendvpd, "vblendvpd")
YCASE(vpblendvb_x, iy, iy, iy, 1, "vpblendvb %%xmm0, %%xmm3, %%xmm2, %%xmm1")
YCASE(vpblendvb_xm, iy, iy, iy, 1, "vpblendvb %%xmm0, %[b], %%xmm2, %%xmm1")
UN4(vpermilps_1b, "vpermilps $0x1b,", fy, 1) UN4(vpermilps_b1, "vpermilps $0xb1,", fy, 1)
UN4(vpermilpd_5, "vpermilpd $5,", dy, 1) UN4(vpermilpd_6, "vpermilpd $6,", dy, 1)
UN4(vpermilpd_f, "vpermilpd $15,", dy, 1)
BIN4(vpermilps_v, "vpermilps", iy, 1) BIN4(vpermilpd_v, "vpermilpd", iy, 1)
YCASE(vpermilps_vd, iy, iy, iy, 1, "vpermilps %%ymm1, %%ymm2, %%ymm1")
YCASE(vpermilpd_vd, iy, iy, iy, 1, "vpermilpd %%ymm3, %%ymm1, %%ymm1")
BIN2(vinsertps_1c, "vinsertps $0x1c,", fy, 1) BIN2(vinsertps_e1, "vinsertps $0xe1,", fy, 1)
BIN2(vinsertps_70, "vinsertps $0x70,", fy, 1)
YCASE(vinsertps_d, fy, fy, fy, 1, "vinsertps $0x90, %%xmm1, %%xmm2, %%xmm1")
YCASE(vextractps, fy, fy, fy, 1, "vextractps $2, %%xmm3, %%eax\n\tvmovq %%rax, %%xmm1")
YCASE(vextractps_m, fy, fy, fy, 1, "vextractps $3, %%xmm2, %[b]")
YCASE(vmovddup_y, dy, dy, dy, 1, "vmovddup %%ymm3, %%ymm1")
YCASE(vmovddup_ym, dy, dy, dy, 1, "vmovddup %[b], %%ymm1")
YCASE(vmovddup_x, dy, dy, dy, 1, "vmovddup %%xmm3, %%xmm1")
YCASE(vmovddup_xm, dy, dy, dy, 1, "vmovddup %[b], %%xmm1")
UN4(vmovshdup, "vmovshdup", fy, 1) UN4(vmovsldup, "vmovsldup", fy, 1)

/* masks and tests: results to general registers / EFLAGS, into ymm1 */
#define TOGP4(FN, INSN)                                                       \
    YCASE(FN##_y, iy, iy, iy, 1, INSN " %%ymm3, %%eax\n\tvmovq %%rax, %%xmm1") \
    YCASE(FN##_x, iy, iy, iy, 1, INSN " %%xmm3, %%rax\n\tvmovq %%rax, %%xmm1")
TOGP4(vmovmskps, "vmovmskps") TOGP4(vmovmskpd, "vmovmskpd")
YCASE(vpmovmskb, iy, iy, iy, 1, "vpmovmskb %%xmm3, %%eax\n\tvmovq %%rax, %%xmm1")
#define FLAGS_TO_X1 "\n\tpushfq\n\tpop %%rax\n\tand $0x8d5, %%eax\n\tvmovq %%rax, %%xmm1"
#define TEST4(FN, INSN)                                                       \
    YCASE(FN##_y, iy, iy, iy, 1, "cmp %%eax, %%eax\n\t" INSN " %%ymm3, %%ymm2" FLAGS_TO_X1) \
    YCASE(FN##_ym, iy, iy, iy, 1, "stc\n\t" INSN " %[b], %%ymm2" FLAGS_TO_X1)  \
    YCASE(FN##_x, iy, iy, iy, 1, "cmp %%eax, %%eax\n\t" INSN " %%xmm3, %%xmm2" FLAGS_TO_X1) \
    YCASE(FN##_xm, iy, iy, iy, 1, "stc\n\t" INSN " %[b], %%xmm2" FLAGS_TO_X1)  \
    YCASE(FN##_same, iy, iy, iy, 1, INSN " %%ymm3, %%ymm3" FLAGS_TO_X1)
TEST4(vtestps, "vtestps") TEST4(vtestpd, "vtestpd") TEST4(vptest, "vptest")
#define MASKMOV(FN, INSN)                                                     \
    YCASE(FN##_ld, iy, iy, iy, 1, INSN " %[b], %%ymm2, %%ymm1")               \
    YCASE(FN##_ldx, iy, iy, iy, 1, INSN " %[b], %%xmm2, %%xmm1")              \
    YCASE(FN##_st, iy, iy, iy, 1, INSN " %%ymm3, %%ymm2, %[b]")               \
    YCASE(FN##_stx, iy, iy, iy, 1, INSN " %%xmm3, %%xmm0, %[b]")
MASKMOV(vmaskmovps, "vmaskmovps") MASKMOV(vmaskmovpd, "vmaskmovpd")

/* VEX.128 integer forms (the 256-bit ones are AVX2) */
#define I2(op) BIN2(op, #op, iy, 1)
I2(vpand) I2(vpor) I2(vpxor) I2(vpandn) I2(vpaddb) I2(vpaddw) I2(vpaddd) I2(vpaddq)
I2(vpsubb) I2(vpsubw) I2(vpsubd) I2(vpsubq) I2(vpaddsb) I2(vpaddsw) I2(vpaddusb) I2(vpaddusw)
I2(vpsubsb) I2(vpsubsw) I2(vpsubusb) I2(vpsubusw) I2(vpmullw) I2(vpmulhw) I2(vpmulhuw)
I2(vpmuludq) I2(vpmaddwd) I2(vpsadbw) I2(vpavgb) I2(vpavgw) I2(vpminub) I2(vpmaxub)
I2(vpminsw) I2(vpmaxsw) I2(vpcmpeqb) I2(vpcmpeqw) I2(vpcmpeqd) I2(vpcmpeqq) I2(vpcmpgtb)
I2(vpcmpgtw) I2(vpcmpgtd) I2(vpcmpgtq) I2(vpacksswb) I2(vpackssdw) I2(vpackuswb) I2(vpackusdw)
I2(vpunpcklbw) I2(vpunpcklwd) I2(vpunpckldq) I2(vpunpcklqdq) I2(vpunpckhbw) I2(vpunpckhwd)
I2(vpunpckhdq) I2(vpunpckhqdq) I2(vpshufb) I2(vpminsb) I2(vpmaxsb) I2(vpminsd) I2(vpmaxsd)
I2(vpminuw) I2(vpmaxuw) I2(vpminud) I2(vpmaxud) I2(vpmulld) I2(vpmuldq) I2(vphaddw)
I2(vphaddd) I2(vphaddsw) I2(vphsubw) I2(vphsubd) I2(vphsubsw) I2(vpmaddubsw) I2(vpmulhrsw)
I2(vpsignb) I2(vpsignw) I2(vpsignd)
#define SHIFTS(op)                                                            \
    YCASE(op##_i, iy, iy, iy, 1, #op " $3, %%xmm3, %%xmm1")                   \
    YCASE(op##_i0, iy, iy, iy, 1, #op " $0, %%xmm1, %%xmm1")                  \
    YCASE(op##_ibig, iy, iy, iy, 1, #op " $33, %%xmm3, %%xmm1")               \
    BIN2(op, #op, iy, 1)
SHIFTS(vpsllw) SHIFTS(vpslld) SHIFTS(vpsllq) SHIFTS(vpsrlw) SHIFTS(vpsrld) SHIFTS(vpsrlq)
SHIFTS(vpsraw) SHIFTS(vpsrad)
YCASE(vpslldq, iy, iy, iy, 1, "vpslldq $5, %%xmm3, %%xmm1")
YCASE(vpsrldq, iy, iy, iy, 1, "vpsrldq $11, %%xmm3, %%xmm1")
YCASE(vpsrlw_cnt_d, iy, iy, iy, 1, "vpsrlw %%xmm1, %%xmm2, %%xmm1")
#define U2(op) YCASE(op, iy, iy, iy, 1, #op " %%xmm3, %%xmm1") \
               YCASE(op##_m, iy, iy, iy, 1, #op " %[b], %%xmm1")
U2(vpabsb) U2(vpabsw) U2(vpabsd) U2(vphminposuw) U2(vpmovsxbw) U2(vpmovsxbd) U2(vpmovsxbq)
U2(vpmovsxwd) U2(vpmovsxwq) U2(vpmovsxdq) U2(vpmovzxbw) U2(vpmovzxbd) U2(vpmovzxbq)
U2(vpmovzxwd) U2(vpmovzxwq) U2(vpmovzxdq)
YCASE(vpshufd, iy, iy, iy, 1, "vpshufd $0x1b, %%xmm3, %%xmm1")
YCASE(vpshufd_m, iy, iy, iy, 1, "vpshufd $0x4e, %[b], %%xmm1")
YCASE(vpshuflw, iy, iy, iy, 1, "vpshuflw $0x1b, %%xmm3, %%xmm1")
YCASE(vpshufhw, iy, iy, iy, 1, "vpshufhw $0x9c, %[b], %%xmm1")
BIN2(vpalignr_5, "vpalignr $5,", iy, 1) BIN2(vpalignr_17, "vpalignr $17,", iy, 1)
BIN2(vpblendw, "vpblendw $0xa5,", iy, 1) BIN2(vmpsadbw, "vmpsadbw $5,", iy, 1)
YCASE(vpinsrb, iy, iy, iy, 1, "mov $0x1234567890, %%rax\n\tvpinsrb $5, %%eax, %%xmm2, %%xmm1")
YCASE(vpinsrw, iy, iy, iy, 1, "vpinsrw $3, %[b], %%xmm2, %%xmm1")
YCASE(vpinsrd, iy, iy, iy, 1, "vpinsrd $2, %[b], %%xmm2, %%xmm1")
YCASE(vpinsrq, iy, iy, iy, 1, "vmovq %%xmm3, %%rax\n\tvpinsrq $1, %%rax, %%xmm2, %%xmm1")
YCASE(vpextrb, iy, iy, iy, 1, "vpextrb $9, %%xmm3, %%eax\n\tvmovq %%rax, %%xmm1")
YCASE(vpextrw, iy, iy, iy, 1, "vpextrw $5, %%xmm3, %%eax\n\tvmovq %%rax, %%xmm1")
YCASE(vpextrd_m, iy, iy, iy, 1, "vpextrd $3, %%xmm2, %[b]")
YCASE(vpextrq, iy, iy, iy, 1, "vpextrq $1, %%xmm3, %%rax\n\tvmovq %%rax, %%xmm1")
YCASE(vldmxcsr, iy, iy, iy, 1, "vstmxcsr %[b]\n\tvldmxcsr %[b]")

/* VEX.vvvv must be 1111b where the form has no vvvv operand: #UD else
 * (each encoding once as valid, once with vvvv = 1110b). */
INSN_TEST(vvvv_reserved)
{
    UD_BEGIN;
    UD_CASE("vmovaps", "0xc5, 0xf8, 0x28, 0xcb");
    UD_CASE("vmovaps_vvvv", "0xc5, 0xf0, 0x28, 0xcb");
    UD_CASE("vsqrtps", "0xc5, 0xf8, 0x51, 0xcb");
    UD_CASE("vsqrtps_vvvv", "0xc5, 0xf0, 0x51, 0xcb");
    UD_CASE("vtestps", "0xc4, 0xe2, 0x79, 0x0e, 0xcb");
    UD_CASE("vtestps_vvvv", "0xc4, 0xe2, 0x71, 0x0e, 0xcb");
    UD_CASE("vpshufd_vvvv", "0xc5, 0xf1, 0x70, 0xcb, 0x1b");
    UD_CASE("vpsrlw_imm", "0xc5, 0xf1, 0x71, 0xd3, 0x03");
    UD_CASE("vaddps_66", "0x66, 0xc5, 0xf8, 0x58, 0xcb");
    UD_CASE("vzeroupper_vvvv", "0xc5, 0xf0, 0x77");
    UD_END;
}

/* A CPU without AVX runs only the refusals (ud_main). */
UD_TEST_MAIN(avx_move_ud, "cpuid avx",
             ud_cpuid_bit(1, 0, 2, 28),
             UD_CASE("vmovaps", "0xc5, 0xf8, 0x28, 0xcb");)
