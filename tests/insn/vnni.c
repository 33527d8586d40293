/* vnni.c -- difftest of AVX-VNNI ({vex} vpdpbusd, vpdpbusds, vpdpwssd,
 * vpdpwssds), VEX.128 (upper half zeroed) and VEX.256: register and memory
 * sources, the destination as a source, on integer edge vectors (iy) and
 * on vectors whose dwords are the saturation and sign edges (bytes
 * 0x80/0x7f/0xff, words 0x8000/0x7fff, dwords 0x7fffffff/0x80000000)
 * mixed with fixed-seed random dwords (avx_vec.h prints all 256 bits of
 * the destination, the memory operand and MXCSR).  Also the encodings the
 * CPU refuses: VEX.W1, pp other than 66.  CPUID's AVX-VNNI bit is printed
 * first; a CPU without it (Ice Lake server: AVX512_VNNI only) runs only
 * the encodings, every one of them #UD there. */

#include "avx_vec.h"
#include "ud_case.h"

static y256 ny[NY];

__attribute__((constructor(103))) static void make_ny(void)
{
    static const uint32_t pat[] = { 0x80808080, 0x7f7f7f7f, 0xffffffff, 0x80008000, 0x7fff7fff,
                                    0x7fffffff, 0x80000000, 0, 0x01010101, 0x00010001,
                                    0x7ffffff0, 0x80000010 };
    const unsigned npat = sizeof pat / sizeof pat[0];
    for (unsigned k = 0; k < NY; k++)
        for (unsigned q = 0; q < 4; q++) {
            uint32_t h[2];
            for (unsigned i = 0; i < 2; i++) {
                unsigned n = k * 8 + q * 2 + i;
                h[i] = n % 4 == 3 ? (uint32_t)insn_rand() : pat[(n * 5 + k) % npat];
            }
            ny[k].q[q] = h[0] | (uint64_t)h[1] << 32;
        }
}

#define VNNI(FN, INSN)                                                        \
    BIN4(FN, "%{vex%} " INSN, iy, 1) ALIAS(FN, "%{vex%} " INSN, iy, 1)            \
    BIN4(FN##_n, "%{vex%} " INSN, ny, 1) ALIAS(FN##_n, "%{vex%} " INSN, ny, 1)

VNNI(vpdpbusd, "vpdpbusd")
VNNI(vpdpbusds, "vpdpbusds")
VNNI(vpdpwssd, "vpdpwssd")
VNNI(vpdpwssds, "vpdpwssds")

UD_TEST_MAIN(vnni_ud, "cpuid avx_vnni",
             ud_cpuid_bit(7, 1, 0, 4),
             UD_CASE("vpdpbusd_w0", "0xc4, 0xe2, 0x6d, 0x50, 0xcb");
             UD_CASE("vpdpbusd_w1", "0xc4, 0xe2, 0xed, 0x50, 0xcb");
             UD_CASE("vpdpbusds_w1", "0xc4, 0xe2, 0xe9, 0x51, 0xcb");
             UD_CASE("vpdpwssd_w1", "0xc4, 0xe2, 0xed, 0x52, 0xcb");
             UD_CASE("vpdpwssds_w1", "0xc4, 0xe2, 0xe9, 0x53, 0xcb");
             UD_CASE("vpdpbusd_pp0", "0xc4, 0xe2, 0x68, 0x50, 0xcb");
             UD_CASE("vpdpbusd_pp2", "0xc4, 0xe2, 0x6a, 0x50, 0xcb");) /* CPUID.(7,1):EAX[4] */
