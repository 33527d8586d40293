/* gfni.c -- difftest of GFNI: gf2p8mulb, gf2p8affineqb, gf2p8affineinvqb
 * in the legacy SSE form (bits 255:128 of the destination kept) and the
 * VEX.128 (upper half zeroed) and VEX.256 forms; register and memory
 * sources, the destination as a source, affine imm8 values 0, 1, 0x63
 * (AES's S-box constant), 0xa5, 0xff; integer edge vectors and fixed-seed
 * random ones (avx_vec.h prints all 256 bits of the destination, the
 * memory operand and MXCSR).  Also which encodings the CPU refuses: no 66,
 * F2/F3, vgf2p8mulb with VEX.W1, the affine forms with VEX.W0; and the
 * legacy forms under unusual prefix orders. */
#include "avx_vec.h"
#include "ud_case.h"

/* the legacy form: dst <- op(dst, xmm/m128 [, imm8]) */
#define LEG(FN, INSN)                                                         \
    YCASE(FN##_l, iy, iy, iy, 1, INSN " %%xmm3, %%xmm1")                      \
    YCASE(FN##_lm, iy, iy, iy, 1, INSN " %[b], %%xmm1")                       \
    YCASE(FN##_ls, iy, iy, iy, 1, INSN " %%xmm1, %%xmm1")
#define GF(FN, INSN, VINSN) LEG(FN, INSN) BIN4(v##FN, VINSN, iy, 1) ALIAS(v##FN, VINSN, iy, 1)

GF(mulb, "gf2p8mulb", "vgf2p8mulb")
GF(affine_00, "gf2p8affineqb $0x00,", "vgf2p8affineqb $0x00,")
GF(affine_01, "gf2p8affineqb $0x01,", "vgf2p8affineqb $0x01,")
GF(affine_63, "gf2p8affineqb $0x63,", "vgf2p8affineqb $0x63,")
GF(affine_a5, "gf2p8affineqb $0xa5,", "vgf2p8affineqb $0xa5,")
GF(affine_ff, "gf2p8affineqb $0xff,", "vgf2p8affineqb $0xff,")
GF(affinv_00, "gf2p8affineinvqb $0x00,", "vgf2p8affineinvqb $0x00,")
GF(affinv_63, "gf2p8affineinvqb $0x63,", "vgf2p8affineinvqb $0x63,")
GF(affinv_ff, "gf2p8affineinvqb $0xff,", "vgf2p8affineinvqb $0xff,")

/* Prefix orders: a segment prefix after 66 (capstone 4 then forgets the
 * 66), a REX before 66 (ignored by the CPU), REX.W right before 0F. */
YCASE(mulb_66cs, iy, iy, iy, 1, ".byte 0x66, 0x2e, 0x0f, 0x38, 0xcf, 0xcb")
YCASE(mulb_rex66, iy, iy, iy, 1, ".byte 0x48, 0x66, 0x0f, 0x38, 0xcf, 0xcb")
YCASE(affine_ds66w, iy, iy, iy, 1, ".byte 0x3e, 0x66, 0x48, 0x0f, 0x3a, 0xce, 0xcb, 0x63")
YCASE(affinv_6666, iy, iy, iy, 1, ".byte 0x66, 0x66, 0x0f, 0x3a, 0xcf, 0xcb, 0x05")

/* The AES S-box through gf2p8affineinvqb with AES's matrix, all 256
 * bytes, and the identity matrix (0x0102040810204080) as a plain copy. */
INSN_TEST(sbox)
{
    for (unsigned k = 0; k < 256; k += 16) {
        uint8_t in[16];
        for (unsigned i = 0; i < 16; i++) in[i] = (uint8_t)(k + i);
        y256 x, m = { { 0xf1e3c78f1f3e7cf8ull, 0xf1e3c78f1f3e7cf8ull, 0x0102040810204080ull,
                        0x0102040810204080ull } }, s, c;
        memcpy(&x.q[0], in, 16);
        memcpy(&x.q[2], in, 16);
        __asm__ volatile("vmovdqu %[x], %%ymm1\n\tvgf2p8affineinvqb $0x63, %[m], %%ymm1, %%ymm2\n\t"
                         "vmovdqu %%ymm2, %[s]\n\tvgf2p8affineqb $0, %[m], %%ymm1, %%ymm2\n\t"
                         "vmovdqu %%ymm2, %[c]"
                         : [s] "=m"(s), [c] "=m"(c) : [x] "m"(x), [m] "m"(m) : "xmm1", "xmm2");
        uint64_t i2[] = { k }, out[] = { s.q[0], s.q[1], s.q[2], s.q[3], c.q[0], c.q[1], c.q[2], c.q[3] };
        INSN_CASE("sbox", i2, out);
    }
}

/* A CPU without GFNI (a Skylake server, a Zen 2) refuses every form: there
 * only the refusals run, as in vnni.c. */
UD_TEST_MAIN(gfni_ud, "cpuid gfni",
             ud_cpuid_bit(7, 0, 2, 8),
             UD_CASE("gf2p8mulb", "0x66, 0x0f, 0x38, 0xcf, 0xcb");
             UD_CASE("gf2p8mulb_no66", "0x0f, 0x38, 0xcf, 0xcb");
             UD_CASE("gf2p8mulb_f3", "0x66, 0xf3, 0x0f, 0x38, 0xcf, 0xcb");
             UD_CASE("gf2p8mulb_f2", "0x66, 0xf2, 0x0f, 0x38, 0xcf, 0xcb");
             UD_CASE("gf2p8mulb_rexw", "0x66, 0x48, 0x0f, 0x38, 0xcf, 0xcb");
             UD_CASE("gf2p8affineqb_no66", "0x0f, 0x3a, 0xce, 0xcb, 1");
             UD_CASE("vgf2p8mulb_w0", "0xc4, 0xe2, 0x69, 0xcf, 0xcb");
             UD_CASE("vgf2p8mulb_w1", "0xc4, 0xe2, 0xe9, 0xcf, 0xcb");
             UD_CASE("vgf2p8mulb_pp0", "0xc4, 0xe2, 0x68, 0xcf, 0xcb");
             UD_CASE("vgf2p8affineqb_w1", "0xc4, 0xe3, 0xed, 0xce, 0xcb, 5");
             UD_CASE("vgf2p8affineqb_w0", "0xc4, 0xe3, 0x6d, 0xce, 0xcb, 5");
             UD_CASE("vgf2p8affineinvqb_w0", "0xc4, 0xe3, 0x69, 0xcf, 0xcb, 5");
             UD_CASE("vgf2p8mulb_66", "0x66, 0xc4, 0xe2, 0x69, 0xcf, 0xcb");) /* CPUID.(7,0):ECX[8] */
