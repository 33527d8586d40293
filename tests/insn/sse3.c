/* sse3.c -- difftest of SSE3 and SSSE3 on XMM registers: addsub and
 * horizontal add/sub of floats and doubles (NaN propagation, every MXCSR
 * rounding mode, FTZ/DAZ, exception flags), the duplicating moves,
 * lddqu, and every SSSE3 instruction (pshufb, horizontal integer add/sub
 * with and without saturation, pmaddubsw, pmulhrsw, palignr with shifts
 * inside and past the 32-byte pair, pabs, psign), register and memory
 * sources.  (The MMX forms of SSSE3 are in mmx.c.) */
#include "sse_vec.h"
#include "ud_case.h"

/* SSE3 floating point */
VB(addsubps, fvec) VB(addsubpd, dvec) VB(haddps, fvec) VB(haddpd, dvec)
VB(hsubps, fvec) VB(hsubpd, dvec)
VCSR(haddps_csr, fvec, "haddps %[s], %[d]")
VCSR(hsubpd_csr, dvec, "hsubpd %[s], %[d]")
VCSR(addsubps_csr, fvec, "addsubps %[s], %[d]")
VCSR(addsubpd_csr, dvec, "addsubpd %[s], %[d]")
VB(movddup, ivec) VB(movshdup, ivec) VB(movsldup, ivec)
VMEM(movddup_m, ivec, "movddup %[s], %[d]")
VMEM(movshdup_m, ivec, "movshdup %[s], %[d]")
VMEM(lddqu_m, ivec, "lddqu %[s], %[d]")
VMEM(haddpd_m, dvec, "haddpd %[s], %[d]")

/* SSSE3 */
VB(pshufb, ivec) VB(phaddw, ivec) VB(phaddd, ivec) VB(phaddsw, ivec)
VB(phsubw, ivec) VB(phsubd, ivec) VB(phsubsw, ivec)
VB(pmaddubsw, ivec) VB(pmulhrsw, ivec)
VB(pabsb, ivec) VB(pabsw, ivec) VB(pabsd, ivec)
VB(psignb, ivec) VB(psignw, ivec) VB(psignd, ivec)
VBIN(palignr0, ivec, "palignr $0, %[s], %[d]")
VBIN(palignr1, ivec, "palignr $1, %[s], %[d]")
VBIN(palignr7, ivec, "palignr $7, %[s], %[d]")
VBIN(palignr15, ivec, "palignr $15, %[s], %[d]")
VBIN(palignr16, ivec, "palignr $16, %[s], %[d]")
VBIN(palignr17, ivec, "palignr $17, %[s], %[d]")
VBIN(palignr31, ivec, "palignr $31, %[s], %[d]")
VBIN(palignr32, ivec, "palignr $32, %[s], %[d]")
VBIN(palignr255, ivec, "palignr $255, %[s], %[d]")
VMEM(pshufb_m, ivec, "pshufb %[s], %[d]")
VMEM(palignr9_m, ivec, "palignr $9, %[s], %[d]")
VMEM(phaddsw_m, ivec, "phaddsw %[s], %[d]")

/* pmulhrsw and pmaddubsw at their extremes */
INSN_TEST(ssse3_extremes)
{
    static const uint16_t w[] = { 0x8000, 0x7fff, 0xffff, 0x0001, 0x4000, 0xc000, 0, 0x8001 };
    for (unsigned i = 0; i < 8; i++)
        for (unsigned j = 0; j < 8; j++) {
            uint64_t a = 0x0001000100010001ull * w[i], b = 0x0001000100010001ull * w[j];
            v2u d1 = { a, a }, s = { b, b }, d2 = d1;
            __asm__ volatile("pmulhrsw %[s], %[d1]\n\tpmaddubsw %[s], %[d2]"
                             : [d1] "+x"(d1), [d2] "+x"(d2) : [s] "x"(s));
            uint64_t in[] = { w[i], w[j] };
            uint64_t out[] = { d1[0], d2[0] };
            INSN_CASE("ssse3 extremes", in, out);
        }
}

/* A CPU without SSE3, SSSE3 runs only the refusals (ud_main). */
UD_TEST_MAIN(sse3_ud, "cpuid sse3 ssse3",
             ud_cpuid_bit(1, 0, 2, 0) & ud_cpuid_bit(1, 0, 2, 9),
             UD_CASE("haddps", "0xf2, 0x0f, 0x7c, 0xcb");
             UD_CASE("pshufb", "0x66, 0x0f, 0x38, 0x00, 0xcb");)
