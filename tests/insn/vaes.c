/* vaes.c -- difftest of VAES and VPCLMULQDQ, the VEX.256 forms of the AES
 * rounds and of vpclmulqdq (each 128-bit lane on its own): register and
 * memory sources, the destination as a source and all one register
 * (avx_vec.h prints all 256 bits); and which encodings the CPU refuses
 * (vaesimc/vaeskeygenassist at 256 bits) or takes (VEX.W1).  A CPU
 * without them (Skylake servers, Zen 2) runs only the refusals (ud_main).
 * The VEX.128 forms: crypto_vex.c. */
#include "avx_vec.h"
#include "ud_case.h"

/* ... VEX.256: register, memory, d == b, all one register */
#define NDS4Y(FN, INSN)                                                       \
    YCASE(FN##_y, iy, iy, iy, 1, INSN " %%ymm3, %%ymm2, %%ymm1")              \
    YCASE(FN##_ym, iy, iy, iy, 1, INSN " %[b], %%ymm2, %%ymm1")               \
    YCASE(FN##_yd, iy, iy, iy, 1, INSN " %%ymm1, %%ymm2, %%ymm1")             \
    YCASE(FN##_ys, iy, iy, iy, 1, INSN " %%ymm1, %%ymm1, %%ymm1")

NDS4Y(vaesenc, "vaesenc")
NDS4Y(vaesenclast, "vaesenclast")
NDS4Y(vaesdec, "vaesdec")
NDS4Y(vaesdeclast, "vaesdeclast")
NDS4Y(vpclmulqdq_00, "vpclmulqdq $0x00,")
NDS4Y(vpclmulqdq_01, "vpclmulqdq $0x01,")
NDS4Y(vpclmulqdq_10, "vpclmulqdq $0x10,")
NDS4Y(vpclmulqdq_11, "vpclmulqdq $0x11,")
NDS4Y(vpclmulqdq_ee, "vpclmulqdq $0xee,")

UD_TEST_MAIN(vaes_ud, "cpuid vaes vpclmulqdq",
             ud_cpuid_bit(7, 0, 2, 9) & ud_cpuid_bit(7, 0, 2, 10),   /* VAES, VPCLMULQDQ */
             UD_CASE("vaesenc_y_w0", "0xc4, 0xe2, 0x6d, 0xdc, 0xcb");
             UD_CASE("vaesenc_y_w1", "0xc4, 0xe2, 0xed, 0xdc, 0xcb");
             UD_CASE("vaesdeclast_y_w1", "0xc4, 0xe2, 0xed, 0xdf, 0xcb");
             UD_CASE("vaesenc_y_pp0", "0xc4, 0xe2, 0x6c, 0xdc, 0xcb");
             UD_CASE("vaesimc_y", "0xc4, 0xe2, 0x7d, 0xdb, 0xcb");
             UD_CASE("vaeskeygenassist_y", "0xc4, 0xe3, 0x7d, 0xdf, 0xcb, 1");
             UD_CASE("vpclmulqdq_y_w1", "0xc4, 0xe3, 0xed, 0x44, 0xcb, 0x11");
             UD_CASE("vpclmulqdq_y_pp0", "0xc4, 0xe3, 0x6c, 0x44, 0xcb, 0x11");)
