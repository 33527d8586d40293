/* f16c.c -- difftest of F16C (avx_vec.h): vcvtph2ps from registers and
 * memory, 128 and 256 bits (half-precision zeros, denormals, infinities,
 * quiet and signaling NaNs, random values), and vcvtps2ph with every imm8
 * rounding control (imm[2]: MXCSR.RC) under every MXCSR mode and FTZ+DAZ,
 * to registers and memory, on binary32 values at and around binary16
 * rounding boundaries, overflow and the subnormal range. */
#include "avx_vec.h"
#include "ud_case.h"

/* binary32 values near binary16 ones: a half converted exactly, then its
 * low 13 bits perturbed (exact, halfway, just above/below), or scaled out
 * of range. */
static y256 fh[NY];
__attribute__((constructor(103))) static void make_fh(void)
{
    static const uint32_t tweak[] = { 0, 0x1000, 0x0fff, 0x1001, 0x1fff, 0x0001, 0x0800, 0x1800 };
    for (unsigned k = 0; k < NY; k++)
        for (unsigned i = 0; i < 8; i++) {
            uint16_t h = (uint16_t)(hy[k].q[i / 4] >> (16 * (i % 4)));
            uint32_t e = h >> 10 & 31, m = h & 0x3ff, f;
            if (e == 31)
                f = (uint32_t)(h & 0x8000) << 16 | 0x7f800000u | m << 13;
            else if (e == 0)        /* the half subnormal range, and below it */
                f = (uint32_t)(h & 0x8000) << 16 | (uint32_t)(103 + (k % 12)) << 23 | m << 13;
            else
                f = (uint32_t)(h & 0x8000) << 16 | (e + 112) << 23 | m << 13;
            if (e != 31)
                f += tweak[(k + i) % 8];
            if (k % 7 == 3 && e != 31)
                f += 16u << 23;     /* overflows binary16 */
            if (k % 9 == 4 && i == 2)
                f = 0x00000003u | (uint32_t)(h & 0x8000) << 16;   /* binary32 denormal */
            uint64_t shift = 32 * (i % 2);
            fh[k].q[i / 2] = (fh[k].q[i / 2] & ~(0xffffffffull << shift)) | (uint64_t)f << shift;
        }
}

YCASE(vcvtph2ps_y, hy, hy, hy, 5, "vcvtph2ps %%xmm3, %%ymm1")
YCASE(vcvtph2ps_ym, hy, hy, hy, 5, "vcvtph2ps %[b], %%ymm1")
YCASE(vcvtph2ps_x, hy, hy, hy, 5, "vcvtph2ps %%xmm3, %%xmm1")
YCASE(vcvtph2ps_xm, hy, hy, hy, 5, "vcvtph2ps %[b], %%xmm1")
YCASE(vcvtph2ps_d, hy, hy, hy, 1, "vcvtph2ps %%xmm1, %%ymm1")
#define PS2PH(I)                                                              \
    YCASE(vcvtps2ph_y##I, fh, fh, fh, 5, "vcvtps2ph $" #I ", %%ymm3, %%xmm1")  \
    YCASE(vcvtps2ph_x##I, fh, fh, fh, 5, "vcvtps2ph $" #I ", %%xmm3, %%xmm1")  \
    YCASE(vcvtps2ph_ym##I, fh, fh, fh, 1, "vcvtps2ph $" #I ", %%ymm2, %[b]")   \
    YCASE(vcvtps2ph_xm##I, fh, fh, fh, 1, "vcvtps2ph $" #I ", %%xmm2, %[b]")
PS2PH(0) PS2PH(1) PS2PH(2) PS2PH(3) PS2PH(4) PS2PH(5) PS2PH(6) PS2PH(7)
YCASE(vcvtps2ph_fy, fy, fy, fy, 5, "vcvtps2ph $4, %%ymm3, %%xmm1")
YCASE(vcvtps2ph_d, fh, fh, fh, 1, "vcvtps2ph $0, %%ymm1, %%xmm1")

/* A CPU without F16C runs only the refusals (ud_main). */
UD_TEST_MAIN(f16c_ud, "cpuid f16c",
             ud_cpuid_bit(1, 0, 2, 29),
             UD_CASE("vcvtph2ps", "0xc4, 0xe2, 0x79, 0x13, 0xcb");)
