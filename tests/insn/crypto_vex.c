/* crypto_vex.c -- difftest of the VEX.128 forms of AES-NI (vaesenc
 * vaesenclast vaesdec vaesdeclast vaesimc vaeskeygenassist) and PCLMULQDQ
 * (vpclmulqdq, every imm8 selection): register and memory sources, the
 * destination distinct from both sources and equal to them, and bits
 * 255:128 of the destination zeroed (avx_vec.h: YMM0-3 start with their
 * upper halves set; all 256 bits are printed).  The VEX.256 forms of VAES
 * and VPCLMULQDQ (each 128-bit lane on its own) the same way, and which
 * encodings the CPU refuses (vaesimc/vaeskeygenassist at 256 bits) or
 * takes (VEX.W1). */
#include "avx_vec.h"
#include "ud_case.h"

/* dst <- op(vvvv, xmm/m128): register, memory, all one register */
#define NDS3(FN, INSN)                                                        \
    YCASE(FN##_x, iy, iy, iy, 1, INSN " %%xmm3, %%xmm2, %%xmm1")              \
    YCASE(FN##_xm, iy, iy, iy, 1, INSN " %[b], %%xmm2, %%xmm1")               \
    YCASE(FN##_xs, iy, iy, iy, 1, INSN " %%xmm1, %%xmm1, %%xmm1")
/* ... VEX.256: register, memory, d == b, all one register */
#define NDS4Y(FN, INSN)                                                       \
    YCASE(FN##_y, iy, iy, iy, 1, INSN " %%ymm3, %%ymm2, %%ymm1")              \
    YCASE(FN##_ym, iy, iy, iy, 1, INSN " %[b], %%ymm2, %%ymm1")               \
    YCASE(FN##_yd, iy, iy, iy, 1, INSN " %%ymm1, %%ymm2, %%ymm1")             \
    YCASE(FN##_ys, iy, iy, iy, 1, INSN " %%ymm1, %%ymm1, %%ymm1")
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
NDS4Y(vaesenc, "vaesenc")
NDS4Y(vaesenclast, "vaesenclast")
NDS4Y(vaesdec, "vaesdec")
NDS4Y(vaesdeclast, "vaesdeclast")
NDS4Y(vpclmulqdq_00, "vpclmulqdq $0x00,")
NDS4Y(vpclmulqdq_01, "vpclmulqdq $0x01,")
NDS4Y(vpclmulqdq_10, "vpclmulqdq $0x10,")
NDS4Y(vpclmulqdq_11, "vpclmulqdq $0x11,")
NDS4Y(vpclmulqdq_ee, "vpclmulqdq $0xee,")

INSN_TEST(vaes_ud)
{
    UD_BEGIN;
    UD_CASE("vaesenc_y_w0", "0xc4, 0xe2, 0x6d, 0xdc, 0xcb");
    UD_CASE("vaesenc_y_w1", "0xc4, 0xe2, 0xed, 0xdc, 0xcb");
    UD_CASE("vaesdeclast_y_w1", "0xc4, 0xe2, 0xed, 0xdf, 0xcb");
    UD_CASE("vaesenc_x_w1", "0xc4, 0xe2, 0xe9, 0xdc, 0xcb");
    UD_CASE("vaesenc_y_pp0", "0xc4, 0xe2, 0x6c, 0xdc, 0xcb");
    UD_CASE("vaesimc_y", "0xc4, 0xe2, 0x7d, 0xdb, 0xcb");
    UD_CASE("vaeskeygenassist_y", "0xc4, 0xe3, 0x7d, 0xdf, 0xcb, 1");
    UD_CASE("vpclmulqdq_y_w1", "0xc4, 0xe3, 0xed, 0x44, 0xcb, 0x11");
    UD_CASE("vpclmulqdq_x_w1", "0xc4, 0xe3, 0xe9, 0x44, 0xcb, 0x11");
    UD_CASE("vpclmulqdq_y_pp0", "0xc4, 0xe3, 0x6c, 0x44, 0xcb, 0x11");
    UD_END;
}

int main(void) { return insn_main(); }
