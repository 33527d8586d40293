/* sse41.c -- difftest of SSE4.1: blends (immediate and XMM0), min/max of
 * every width, pmulld/pmuldq, packusdw, pcmpeqq, pmovsx/pmovzx from
 * registers and from memory (which loads only 2, 4 or 8 bytes), ptest
 * (ZF/CF, other flags cleared), insert/extract to and from registers and
 * memory, insertps, phminposuw, mpsadbw, dpps/dppd (each step rounded,
 * every MXCSR mode), roundps/pd/ss/sd in all 16 immediate modes (imm[2]:
 * MXCSR.RC, imm[3]: no precision exception) with MXCSR read back, and
 * movntdqa. */
#include "sse_vec.h"
#include "ud_case.h"

VBIN(blendps5, fvec, "blendps $5, %[s], %[d]")
VBIN(blendpd2, dvec, "blendpd $2, %[s], %[d]")
VBIN(pblendw_a5, ivec, "pblendw $0xa5, %[s], %[d]")
VXMM0(pblendvb, ivec, "pblendvb %[m], %[s], %[d]")
VXMM0(blendvps, fvec, "blendvps %[m], %[s], %[d]")
VXMM0(blendvpd, dvec, "blendvpd %[m], %[s], %[d]")
VB(pminsb, ivec) VB(pmaxsb, ivec) VB(pminsd, ivec) VB(pmaxsd, ivec)
VB(pminuw, ivec) VB(pmaxuw, ivec) VB(pminud, ivec) VB(pmaxud, ivec)
VB(pmulld, ivec) VB(pmuldq, ivec) VB(packusdw, ivec) VB(pcmpeqq, ivec)
VB(phminposuw, ivec)
VB(pmovsxbw, ivec) VB(pmovsxbd, ivec) VB(pmovsxbq, ivec)
VB(pmovsxwd, ivec) VB(pmovsxwq, ivec) VB(pmovsxdq, ivec)
VB(pmovzxbw, ivec) VB(pmovzxbd, ivec) VB(pmovzxbq, ivec)
VB(pmovzxwd, ivec) VB(pmovzxwq, ivec) VB(pmovzxdq, ivec)
VMEM(pmovsxbw_m, ivec, "pmovsxbw %[s], %[d]")
VMEM(pmovsxbq_m, ivec, "pmovsxbq %[s], %[d]")
VMEM(pmovzxbd_m, ivec, "pmovzxbd %[s], %[d]")
VMEM(pmovzxwq_m, ivec, "pmovzxwq %[s], %[d]")
VMEM(pmovsxdq_m, ivec, "pmovsxdq %[s], %[d]")
VMEM(pminud_m, ivec, "pminud %[s], %[d]")
VMEM(movntdqa_m, ivec, "movntdqa %[s], %[d]")
VBIN(mpsadbw0, ivec, "mpsadbw $0, %[s], %[d]")
VBIN(mpsadbw7, ivec, "mpsadbw $7, %[s], %[d]")
VBIN(mpsadbw6, ivec, "mpsadbw $6, %[s], %[d]")
VBIN(insertps_1c, fvec, "insertps $0x1c, %[s], %[d]")
VBIN(insertps_e1, fvec, "insertps $0xe1, %[s], %[d]")
VBIN(insertps_70, fvec, "insertps $0x70, %[s], %[d]")
VMEM(insertps_m, fvec, "insertps $0xd2, %[s], %[d]")
VCSR(dpps_ff, fvec, "dpps $0xff, %[s], %[d]")
VCSR(dpps_a5, fvec, "dpps $0xa5, %[s], %[d]")
VCSR(dpps_3c, fvec, "dpps $0x3c, %[s], %[d]")
VCSR(dppd_33, dvec, "dppd $0x33, %[s], %[d]")
VCSR(dppd_12, dvec, "dppd $0x12, %[s], %[d]")
VCSR(dppd_f1, dvec, "dppd $0xf1, %[s], %[d]")

/* round*: every imm8 mode, every MXCSR mode (the MXCSR-mode forms and the
 * precision flag show), float and double, packed and scalar */
#define ROUNDS(R, M)                                                          \
    R(M, 0) R(M, 1) R(M, 2) R(M, 3) R(M, 4) R(M, 5) R(M, 6) R(M, 7)           \
    R(M, 8) R(M, 9) R(M, 10) R(M, 11) R(M, 12) R(M, 13) R(M, 14) R(M, 15)
#define ROUND1(INSN, IMM) VCSR(INSN##_##IMM, INSN##_set, #INSN " $" #IMM ", %[s], %[d]")
#define roundps_set fvec
#define roundss_set fvec
#define roundpd_set dvec
#define roundsd_set dvec
ROUNDS(ROUND1, roundps)
ROUNDS(ROUND1, roundpd)
ROUNDS(ROUND1, roundss)
ROUNDS(ROUND1, roundsd)
VMEM(roundsd_m, dvec, "roundsd $9, %[s], %[d]")
VMEM(roundss_m, fvec, "roundss $10, %[s], %[d]")

/* values near .5 boundaries and integers at the precision limit */
INSN_TEST(round_boundaries)
{
    static const double v[] = {
        0.5, 1.5, 2.5, -0.5, -1.5, 0.49999999999999994, -0.49999999999999994,
        4503599627370495.5, 4503599627370496.0, -4503599627370497.0, 9007199254740993.0,
        1e-320, -1e-320, 0.75, -0.25, 2.0000000000000004,
    };
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
        for (unsigned imm = 0; imm < 4; imm++) {
            v2u d = { 0, 0 }, s;
            float f = (float)v[i];
            uint32_t fb;
            memcpy(&s, &v[i], 8);
            memcpy(&fb, &f, 4);
            v2u sf = { fb, 0 }, df = { 0, 0 };
            switch (imm) {
            case 0: __asm__("roundsd $0, %1, %0\n\troundss $0, %3, %2" : "+x"(d), "+x"(s), "+x"(df), "+x"(sf)); break;
            case 1: __asm__("roundsd $1, %1, %0\n\troundss $1, %3, %2" : "+x"(d), "+x"(s), "+x"(df), "+x"(sf)); break;
            case 2: __asm__("roundsd $2, %1, %0\n\troundss $2, %3, %2" : "+x"(d), "+x"(s), "+x"(df), "+x"(sf)); break;
            default: __asm__("roundsd $3, %1, %0\n\troundss $3, %3, %2" : "+x"(d), "+x"(s), "+x"(df), "+x"(sf)); break;
            }
            uint64_t in[] = { s[0], fb, imm };
            uint64_t out[] = { d[0], df[0] };
            INSN_CASE("round boundaries", in, out);
        }
}

/* ptest: ZF and CF set, OF SF AF PF cleared */
INSN_TEST(ptest)
{
    for (unsigned i = 0; i < NVEC; i++)
        for (unsigned j = 0; j < NVEC; j++)
            for (unsigned f = 0; f < 2; f++) {
                v2u a = ivec[i], b = j == i ? ivec[i] : j % 5 == 0 ? ~ivec[i] : ivec[j];
                uint64_t fl = insn_flags_in[f] | F_BASE;
                __asm__ volatile("push %[fl]\n\tpopfq\n\tptest %[b], %[a]\n\t"
                                 "pushfq\n\tpop %[fl]"
                                 : [fl] "+r"(fl) : [a] "x"(a), [b] "x"(b) : "cc");
                uint64_t in[] = { a[0], a[1], b[0], b[1], insn_flags_in[f] };
                uint64_t out[] = { fl & F_ARITH };
                INSN_CASE("ptest", in, out);
            }
}

/* extraction to general registers (zero-extended) */
TOGP(pextrb0, ivec, "pextrb $0, %[s], %k[r]")
TOGP(pextrb13, ivec, "pextrb $13, %[s], %k[r]")
TOGP(pextrb_q, ivec, "pextrb $7, %[s], %q[r]")
TOGP(pextrw_sse41, ivec, "pextrw $5, %[s], %k[r]")
TOGP(pextrd2, ivec, "pextrd $2, %[s], %k[r]")
TOGP(pextrq1, ivec, "pextrq $1, %[s], %q[r]")
TOGP(extractps3, fvec, "extractps $3, %[s], %k[r]")
TOGP(extractps_q, fvec, "extractps $1, %[s], %q[r]")
FROMGP(pinsrb9, "pinsrb $9, %k[r], %[d]")
FROMGP(pinsrd3, "pinsrd $3, %k[r], %[d]")
FROMGP(pinsrq1, "pinsrq $1, %q[r], %[d]")

/* memory forms of insert/extract: only the operand's bytes change */
INSN_TEST(insert_extract_memory)
{
    for (unsigned i = 0; i < NVEC; i++) {
        uint64_t m[3] = { 0xa5a5a5a5a5a5a5a5ull, 0x5a5a5a5a5a5a5a5aull, 0 };
        v2u v = ivec[i], d = ivec[(i + 7) % NVEC];
        __asm__ volatile("pextrb $11, %[v], 1(%[p])\n\t"
                         "pextrw $6, %[v], 3(%[p])\n\t"
                         "pextrd $1, %[v], 6(%[p])\n\t"
                         "pextrq $0, %[v], 10(%[p])\n\t"
                         "extractps $2, %[v], 18(%[p])\n\t"
                         "pinsrb $4, 2(%[p]), %[d]\n\t"
                         "pinsrw $1, 5(%[p]), %[d]\n\t"
                         "pinsrd $3, 7(%[p]), %[d]\n\t"
                         "pinsrq $1, 9(%[p]), %[d]"
                         : [d] "+x"(d) : [v] "x"(v), [p] "r"(m) : "memory");
        uint64_t in[] = { v[0], v[1] };
        uint64_t out[] = { m[0], m[1], m[2], d[0], d[1] };
        INSN_CASE("insert/extract memory", in, out);
    }
}

/* A CPU without SSE4.1 runs only the refusals (ud_main). */
UD_TEST_MAIN(sse41_ud, "cpuid sse4_1",
             ud_cpuid_bit(1, 0, 2, 19),
             UD_CASE("ptest", "0x66, 0x0f, 0x38, 0x17, 0xcb");
             UD_CASE("pmulld", "0x66, 0x0f, 0x38, 0x40, 0xcb");)
