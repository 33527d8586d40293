/* crypto_vex.c -- difftest of the VEX.128 forms of AES-NI (vaesenc
 * vaesenclast vaesdec vaesdeclast vaesimc vaeskeygenassist) and PCLMULQDQ
 * (vpclmulqdq, every imm8 selection): register and memory sources, the
 * destination distinct from both sources and equal to them, and bits
 * 255:128 of the destination zeroed (avx_vec.h: YMM0-3 start with their
 * upper halves set; all 256 bits are printed).  A CPU without AVX, AES-NI
 * or PCLMULQDQ runs only their refusals (ud_main).  The VEX.256 forms
 * (VAES, VPCLMULQDQ): vaes.c. */
#include "avx_vec.h"
#include "ud_case.h"

/* dst <- op(vvvv, xmm/m128): register, memory, all one register */
#define NDS3(FN, INSN)                                                        \
    YCASE(FN##_x, iy, iy, iy, 1, INSN " %%xmm3, %%xmm2, %%xmm1")              \
    YCASE(FN##_xm, iy, iy, iy, 1, INSN " %[b], %%xmm2, %%xmm1")               \
    YCASE(FN##_xs, iy, iy, iy, 1, INSN " %%xmm1, %%xmm1, %%xmm1")
/* dst <- op(xmm/m128) */
#define UN2(FN, INSN)                                                         \
    YCASE(FN##_x, iy, iy, iy, 1, INSN " %%xmm3, %%xmm1")                      \
    YCASE(FN##_xm, iy, iy, iy, 1, INSN " %[b], %%xmm1")

NDS3(vaesenc, "vaesenc")
NDS3(vaesenclast, "vaesenclast")
NDS3(vaesdec, "vaesdec")
NDS3(vaesdeclast, "vaesdeclast")
UN2(vaesimc, "vaesimc")
UN2(vaeskeygenassist_00, "vaeskeygenassist $0x00,")
UN2(vaeskeygenassist_1b, "vaeskeygenassist $0x1b,")
UN2(vaeskeygenassist_ff, "vaeskeygenassist $0xff,")
NDS3(vpclmulqdq_00, "vpclmulqdq $0x00,")
NDS3(vpclmulqdq_01, "vpclmulqdq $0x01,")
NDS3(vpclmulqdq_10, "vpclmulqdq $0x10,")
NDS3(vpclmulqdq_11, "vpclmulqdq $0x11,")
NDS3(vpclmulqdq_ee, "vpclmulqdq $0xee,")

UD_TEST_MAIN(crypto_vex_ud, "cpuid avx aes pclmulqdq",
             /* AVX, AES, PCLMULQDQ */
             ud_cpuid_bit(1, 0, 2, 28) & ud_cpuid_bit(1, 0, 2, 25) & ud_cpuid_bit(1, 0, 2, 1),
             UD_CASE("vaesenc_x", "0xc4, 0xe2, 0x69, 0xdc, 0xcb");
             UD_CASE("vaesenc_x_w1", "0xc4, 0xe2, 0xe9, 0xdc, 0xcb");
             UD_CASE("vaesimc_x", "0xc4, 0xe2, 0x79, 0xdb, 0xcb");
             UD_CASE("vpclmulqdq_x", "0xc4, 0xe3, 0x69, 0x44, 0xcb, 0x11");
             UD_CASE("vpclmulqdq_x_w1", "0xc4, 0xe3, 0xe9, 0x44, 0xcb, 0x11");)
