/* crypto_vex.c -- difftest of the VEX.128 forms of AES-NI (vaesenc
 * vaesenclast vaesdec vaesdeclast vaesimc vaeskeygenassist) and PCLMULQDQ
 * (vpclmulqdq, every imm8 selection): register and memory sources, the
 * destination distinct from both sources and equal to them, and bits
 * 255:128 of the destination zeroed (avx_vec.h: YMM0-3 start with their
 * upper halves set; all 256 bits are printed). */
#include "avx_vec.h"

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

int main(void) { return insn_main(); }
