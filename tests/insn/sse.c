/* sse.c -- difftest of SSE/SSE2: scalar and packed float/double arithmetic
 * over NaN (quiet and signaling), infinities, zeros of both signs,
 * denormals, min/max and extremes; comparisons (cmpps/cmppd predicates,
 * ucomis/comis flags); conversions including out-of-range values (the
 * "integer indefinite" result); shuffles, unpacks, packs; integer SIMD of
 * every lane width; pmovmskb/movmsk; moves to and from general registers.
 * Every bit of each result is printed: x86 defines NaN propagation (first
 * source operand's NaN, quieted) and the default NaN, so those are checked.
 * rcpps/rsqrtps are not tested: their approximations differ between CPU
 * models. ucomis/comis define ZF PF CF and clear OF SF AF: all checked. */

#include "sse_vec.h"

/* double arithmetic, scalar and packed */
VB(addsd, dvec) VB(subsd, dvec) VB(mulsd, dvec) VB(divsd, dvec)
VB(minsd, dvec) VB(maxsd, dvec) VB(sqrtsd, dvec)
VB(addpd, dvec) VB(subpd, dvec) VB(mulpd, dvec) VB(divpd, dvec)
VB(minpd, dvec) VB(maxpd, dvec) VB(sqrtpd, dvec)
VB(andpd, dvec) VB(andnpd, dvec) VB(orpd, dvec) VB(xorpd, dvec)
VB(unpcklpd, dvec) VB(unpckhpd, dvec) VB(movsd, dvec)
VBIN(shufpd1, dvec, "shufpd $1, %[s], %[d]")
VBIN(shufpd2, dvec, "shufpd $2, %[s], %[d]")
VBIN(cmpeqpd, dvec, "cmppd $0, %[s], %[d]")
VBIN(cmpltpd, dvec, "cmppd $1, %[s], %[d]")
VBIN(cmplepd, dvec, "cmppd $2, %[s], %[d]")
VBIN(cmpunordpd, dvec, "cmppd $3, %[s], %[d]")
VBIN(cmpneqpd, dvec, "cmppd $4, %[s], %[d]")
VBIN(cmpnltpd, dvec, "cmppd $5, %[s], %[d]")
VBIN(cmpnlepd, dvec, "cmppd $6, %[s], %[d]")
VBIN(cmpordpd, dvec, "cmppd $7, %[s], %[d]")
VBIN(cmpltsd, dvec, "cmpsd $1, %[s], %[d]")
VBIN(cmpunordsd, dvec, "cmpsd $3, %[s], %[d]")

/* float arithmetic, scalar and packed */
VB(addss, fvec) VB(subss, fvec) VB(mulss, fvec) VB(divss, fvec)
VB(minss, fvec) VB(maxss, fvec) VB(sqrtss, fvec)
VB(addps, fvec) VB(subps, fvec) VB(mulps, fvec) VB(divps, fvec)
VB(minps, fvec) VB(maxps, fvec) VB(sqrtps, fvec)
VB(andps, fvec) VB(xorps, fvec) VB(andnps, fvec)
VB(unpcklps, fvec) VB(unpckhps, fvec) VB(movss, fvec)
VB(movhlps, fvec) VB(movlhps, fvec)
VBIN(movq_xx, ivec, "movq %[s], %[d]") VB(movaps, fvec) VB(movdqa, ivec)
VBIN(shufps1b, fvec, "shufps $0x1b, %[s], %[d]")
VBIN(shufpse4, fvec, "shufps $0xe4, %[s], %[d]")
VBIN(shufps72, fvec, "shufps $0x72, %[s], %[d]")
VBIN(cmpeqps, fvec, "cmpps $0, %[s], %[d]")
VBIN(cmpltps, fvec, "cmpps $1, %[s], %[d]")
VBIN(cmpleps, fvec, "cmpps $2, %[s], %[d]")
VBIN(cmpunordps, fvec, "cmpps $3, %[s], %[d]")
VBIN(cmpneqps, fvec, "cmpps $4, %[s], %[d]")
VBIN(cmpnleps, fvec, "cmpps $6, %[s], %[d]")
VBIN(cmpeqss, fvec, "cmpss $0, %[s], %[d]")
VBIN(cmpordss, fvec, "cmpss $7, %[s], %[d]")

/* conversions between float formats and from packed integers */
VB(cvtsd2ss, dvec) VB(cvtpd2ps, dvec) VB(cvtpd2dq, dvec) VB(cvttpd2dq, dvec)
VB(cvtss2sd, fvec) VB(cvtps2pd, fvec) VB(cvtps2dq, fvec) VB(cvttps2dq, fvec)
VB(cvtdq2pd, ivec) VB(cvtdq2ps, ivec)

/* integer SIMD */
VB(paddb, ivec) VB(paddw, ivec) VB(paddd, ivec) VB(paddq, ivec)
VB(psubb, ivec) VB(psubw, ivec) VB(psubd, ivec) VB(psubq, ivec)
VB(paddsb, ivec) VB(paddsw, ivec) VB(paddusb, ivec) VB(paddusw, ivec)
VB(psubsb, ivec) VB(psubsw, ivec) VB(psubusb, ivec) VB(psubusw, ivec)
VB(pmullw, ivec) VB(pmulhw, ivec) VB(pmulhuw, ivec) VB(pmuludq, ivec)
VB(pmaddwd, ivec) VB(pand, ivec) VB(pandn, ivec) VB(por, ivec) VB(pxor, ivec)
VB(pcmpeqb, ivec) VB(pcmpeqw, ivec) VB(pcmpeqd, ivec)
VB(pcmpgtb, ivec) VB(pcmpgtw, ivec) VB(pcmpgtd, ivec)
VB(pmaxub, ivec) VB(pminub, ivec) VB(pmaxsw, ivec) VB(pminsw, ivec)
VB(pavgb, ivec) VB(pavgw, ivec) VB(psadbw, ivec)
VB(punpcklbw, ivec) VB(punpckhbw, ivec) VB(punpcklwd, ivec) VB(punpckhwd, ivec)
VB(punpckldq, ivec) VB(punpckhdq, ivec) VB(punpcklqdq, ivec) VB(punpckhqdq, ivec)
VB(packsswb, ivec) VB(packssdw, ivec) VB(packuswb, ivec)
/* shifts by an xmm count (counts >= width clear, or fill with the sign) */
VB(psllw, ivec) VB(pslld, ivec) VB(psllq, ivec) VB(psrlw, ivec)
VB(psrld, ivec) VB(psrlq, ivec) VB(psraw, ivec) VB(psrad, ivec)

VIMM(psllw3, ivec, "psllw $3, %[d]")
VIMM(psllw16, ivec, "psllw $16, %[d]")
VIMM(pslld31, ivec, "pslld $31, %[d]")
VIMM(psllq1, ivec, "psllq $1, %[d]")
VIMM(psllq63, ivec, "psllq $63, %[d]")
VIMM(psrlw15, ivec, "psrlw $15, %[d]")
VIMM(psrld7, ivec, "psrld $7, %[d]")
VIMM(psrlq33, ivec, "psrlq $33, %[d]")
VIMM(psraw4, ivec, "psraw $4, %[d]")
VIMM(psraw20, ivec, "psraw $20, %[d]")
VIMM(psrad31, ivec, "psrad $31, %[d]")
VIMM(psrad40, ivec, "psrad $40, %[d]")
VIMM(pslldq3, ivec, "pslldq $3, %[d]")
VIMM(pslldq8, ivec, "pslldq $8, %[d]")
VIMM(psrldq5, ivec, "psrldq $5, %[d]")
VIMM(psrldq16, ivec, "psrldq $16, %[d]")
VIMM(pshufd1b, ivec, "pshufd $0x1b, %[d], %[d]")
VIMM(pshufd4e, ivec, "pshufd $0x4e, %[d], %[d]")
VIMM(pshuflw, ivec, "pshuflw $0x93, %[d], %[d]")
VIMM(pshufhw, ivec, "pshufhw $0x39, %[d], %[d]")

TOGP(pmovmskb, ivec, "pmovmskb %[s], %k[r]")
TOGP(movmskpd, dvec, "movmskpd %[s], %k[r]")
TOGP(movmskps, fvec, "movmskps %[s], %k[r]")
TOGP(movd_to, ivec, "movd %[s], %k[r]")
TOGP(movq_to, ivec, "movq %[s], %q[r]")
TOGP(pextrw0, ivec, "pextrw $0, %[s], %k[r]")
TOGP(pextrw7, ivec, "pextrw $7, %[s], %k[r]")
TOGP(cvttsd2si_l, dvec, "cvttsd2si %[s], %k[r]")
TOGP(cvttsd2si_q, dvec, "cvttsd2si %[s], %q[r]")
TOGP(cvtsd2si_l, dvec, "cvtsd2si %[s], %k[r]")
TOGP(cvtsd2si_q, dvec, "cvtsd2si %[s], %q[r]")
TOGP(cvttss2si_l, fvec, "cvttss2si %[s], %k[r]")
TOGP(cvttss2si_q, fvec, "cvttss2si %[s], %q[r]")
TOGP(cvtss2si_l, fvec, "cvtss2si %[s], %k[r]")
TOGP(cvtss2si_q, fvec, "cvtss2si %[s], %q[r]")

FROMGP(cvtsi2sd_l, "cvtsi2sdl %k[r], %[d]")
FROMGP(cvtsi2sd_q, "cvtsi2sdq %q[r], %[d]")
FROMGP(cvtsi2ss_l, "cvtsi2ssl %k[r], %[d]")
FROMGP(cvtsi2ss_q, "cvtsi2ssq %q[r], %[d]")
FROMGP(movd_from, "movd %k[r], %[d]")
FROMGP(movq_from, "movq %q[r], %[d]")
FROMGP(pinsrw2, "pinsrw $2, %k[r], %[d]")

/* ucomisd/comisd/ucomiss/comiss: ZF PF CF, with OF SF AF cleared */
#define FCMP(FN, SET, INSN)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < NVEC; i++)                                   \
            for (unsigned j = i % INSN_STRIDE; j < NVEC; j += INSN_STRIDE) { \
                v2u a = SET[i], b = SET[j];                                   \
                uint64_t fl = F_BASE | F_ARITH;                               \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " %[b], %[a]")                          \
                                 : [fl] "+r"(fl) : [a] "x"(a), [b] "x"(b) : "cc"); \
                uint64_t in[] = { a[0], b[0] };                               \
                uint64_t out[] = { fl & F_ARITH };                            \
                INSN_CASE(#FN, in, out);                                     \
            }                                                                 \
    }
FCMP(ucomisd, dvec, "ucomisd")
FCMP(comisd, dvec, "comisd")
FCMP(ucomiss, fvec, "ucomiss")
FCMP(comiss, fvec, "comiss")

/* memory operands and unaligned loads/stores */
INSN_TEST(moves_memory)
{
    static uint8_t buf[64];
    for (unsigned i = 0; i < NVEC; i++)
        for (unsigned off = 0; off < 16; off += 5) {
            v2u v = ivec[i], l1, l2 = dvec[i], l3 = fvec[i];
            memset(buf, 0xa5, sizeof buf);
            __asm__ volatile("movdqu %[v], (%[p])\n\t"
                             "movdqu 1(%[p]), %[l1]\n\t"
                             "movsd 8(%[p]), %[l2]\n\t"
                             "movss 4(%[p]), %[l3]\n\t"
                             "movhps 16(%[p]), %[l3]\n\t"
                             "paddd (%[q]), %[l2]\n\t"
                             "movlpd %[l3], 32(%[p])"
                             : [l1] "=&x"(l1), [l2] "+x"(l2), [l3] "+x"(l3)
                             : [v] "x"(v), [p] "r"(buf + off), [q] "r"(&ivec[0])
                             : "memory");
            uint64_t w[8];
            memcpy(w, buf, sizeof w);
            uint64_t in[] = { i, off };
            uint64_t out[] = { l1[0], l1[1], l2[0], l2[1], l3[0], l3[1],
                               w[0], w[1], w[2], w[3], w[4], w[5] };
            INSN_CASE("sse moves", in, out);
        }
}

/* MXCSR exception flags accumulate (sticky) as operations run */
INSN_TEST(mxcsr_flags)
{
    for (unsigned i = 0; i < NVEC; i++)
        for (unsigned j = 0; j < NVEC; j += 3) {
            uint32_t csr = 0x1f80, out_csr;
            v2u d = dvec[i], s = dvec[j];
            __asm__ volatile("ldmxcsr %[c]\n\t"
                             "divsd %[s], %[d]\n\t"
                             "stmxcsr %[o]"
                             : [d] "+x"(d), [o] "=m"(out_csr)
                             : [s] "x"(s), [c] "m"(csr));
            uint64_t in[] = { dvec[i][0], dvec[j][0] };
            uint64_t out[] = { d[0], out_csr };
            INSN_CASE("divsd mxcsr", in, out);
        }
    uint32_t csr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(csr));
}

int main(void) { return insn_main(); }
