/* avx2.c -- difftest of the AVX2 integer instructions (and the VEX.128
 * integer forms AVX gave them), 256 and 128 bits, register and memory
 * sources, destination aliasing a source, all 256 result bits (VEX.128
 * zeroes 255:128): arithmetic, saturation, multiplies, logic, compares,
 * min/max, abs/sign, averages, psadbw, packs/unpacks, shuffles, alignr,
 * blends (imm, per dword, by byte mask), shifts by imm, by xmm count and
 * per element, byte shifts, pmovmskb, pmovsx/zx, broadcasts, 128-bit lane
 * inserts/extracts/permutes, vpermd/ps/q/pd, vptest flags, VEX string
 * compares, vmovntdqa.  (Gathers and vpmaskmov: avx2_mem.c.) */
#include "avx2.h"
#include "ud_case.h"

Y3(vpaddb, "vpaddb") Y3(vpaddw, "vpaddw") Y3(vpaddd, "vpaddd") Y3(vpaddq, "vpaddq")
Y3(vpsubb, "vpsubb") Y3(vpsubw, "vpsubw") Y3(vpsubd, "vpsubd") Y3(vpsubq, "vpsubq")
Y3(vpaddsb, "vpaddsb") Y3(vpaddsw, "vpaddsw") Y3(vpaddusb, "vpaddusb") Y3(vpaddusw, "vpaddusw")
Y3(vpsubsb, "vpsubsb") Y3(vpsubsw, "vpsubsw") Y3(vpsubusb, "vpsubusb") Y3(vpsubusw, "vpsubusw")
Y3(vpmullw, "vpmullw") Y3(vpmulhw, "vpmulhw") Y3(vpmulhuw, "vpmulhuw") Y3(vpmulld, "vpmulld")
Y3(vpmuludq, "vpmuludq") Y3(vpmuldq, "vpmuldq") Y3(vpmulhrsw, "vpmulhrsw")
Y3(vpmaddwd, "vpmaddwd") Y3(vpmaddubsw, "vpmaddubsw")
Y3(vpand, "vpand") Y3(vpandn, "vpandn") Y3(vpor, "vpor") Y3(vpxor, "vpxor")
Y3(vpcmpeqb, "vpcmpeqb") Y3(vpcmpeqw, "vpcmpeqw") Y3(vpcmpeqd, "vpcmpeqd") Y3(vpcmpeqq, "vpcmpeqq")
Y3(vpcmpgtb, "vpcmpgtb") Y3(vpcmpgtw, "vpcmpgtw") Y3(vpcmpgtd, "vpcmpgtd") Y3(vpcmpgtq, "vpcmpgtq")
Y3(vpminsb, "vpminsb") Y3(vpminsw, "vpminsw") Y3(vpminsd, "vpminsd")
Y3(vpminub, "vpminub") Y3(vpminuw, "vpminuw") Y3(vpminud, "vpminud")
Y3(vpmaxsb, "vpmaxsb") Y3(vpmaxsw, "vpmaxsw") Y3(vpmaxsd, "vpmaxsd")
Y3(vpmaxub, "vpmaxub") Y3(vpmaxuw, "vpmaxuw") Y3(vpmaxud, "vpmaxud")
Y3(vpsignb, "vpsignb") Y3(vpsignw, "vpsignw") Y3(vpsignd, "vpsignd")
Y3(vpavgb, "vpavgb") Y3(vpavgw, "vpavgw") Y3(vpsadbw, "vpsadbw")
Y3(vphaddw, "vphaddw") Y3(vphaddd, "vphaddd") Y3(vphaddsw, "vphaddsw")
Y3(vphsubw, "vphsubw") Y3(vphsubd, "vphsubd") Y3(vphsubsw, "vphsubsw")
Y3(vpacksswb, "vpacksswb") Y3(vpackssdw, "vpackssdw") Y3(vpackuswb, "vpackuswb")
Y3(vpackusdw, "vpackusdw")
Y3(vpunpcklbw, "vpunpcklbw") Y3(vpunpcklwd, "vpunpcklwd") Y3(vpunpckldq, "vpunpckldq")
Y3(vpunpcklqdq, "vpunpcklqdq") Y3(vpunpckhbw, "vpunpckhbw") Y3(vpunpckhwd, "vpunpckhwd")
Y3(vpunpckhdq, "vpunpckhdq") Y3(vpunpckhqdq, "vpunpckhqdq")
Y3(vpshufb, "vpshufb")
Y3I(vpalignr_0, "vpalignr", 0) Y3I(vpalignr_5, "vpalignr", 5) Y3I(vpalignr_17, "vpalignr", 17)
Y3I(vpalignr_32, "vpalignr", 32)
Y3I(vpblendw_a5, "vpblendw", 0xa5) Y3I(vpblendd_5a, "vpblendd", 0x5a) Y3I(vpblendd_c3, "vpblendd", 0xc3)
Y3I(vmpsadbw_0, "vmpsadbw", 0) Y3I(vmpsadbw_2d, "vmpsadbw", 0x2d) Y3I(vmpsadbw_3f, "vmpsadbw", 0x3f)
/* shifts by an xmm count (the same count for both lanes) */
Y3B(vpsllw_x, "vpsllw", "", ycnt, "x") Y3B(vpslld_x, "vpslld", "", ycnt, "x")
Y3B(vpsllq_x, "vpsllq", "", ycnt, "x") Y3B(vpsrlw_x, "vpsrlw", "", ycnt, "x")
Y3B(vpsrld_x, "vpsrld", "", ycnt, "x") Y3B(vpsrlq_x, "vpsrlq", "", ycnt, "x")
Y3B(vpsraw_x, "vpsraw", "", ycnt, "x") Y3B(vpsrad_x, "vpsrad", "", ycnt, "x")
/* per-element counts */
Y3SET(vpsllvd, "vpsllvd", "", ycnt) Y3SET(vpsllvq, "vpsllvq", "", ycnt)
Y3SET(vpsrlvd, "vpsrlvd", "", ycnt) Y3SET(vpsrlvq, "vpsrlvq", "", ycnt)
Y3SET(vpsravd, "vpsravd", "", ycnt)

/* unary forms with an immediate (the shifts by imm8 have no memory form) */
Y2(vpshufd_1b, "vpshufd", "$0x1b, ", "%%ymm2") Y2(vpshufhw_b1, "vpshufhw", "$0xb1, ", "%%ymm2")
Y2(vpshuflw_4e, "vpshuflw", "$0x4e, ", "%%ymm2")
Y2(vpabsb, "vpabsb", "", "%%ymm2") Y2(vpabsw, "vpabsw", "", "%%ymm2") Y2(vpabsd, "vpabsd", "", "%%ymm2")
Y2(vpmovsxbw, "vpmovsxbw", "", "%%xmm2") Y2(vpmovsxbd, "vpmovsxbd", "", "%%xmm2")
Y2(vpmovsxbq, "vpmovsxbq", "", "%%xmm2") Y2(vpmovsxwd, "vpmovsxwd", "", "%%xmm2")
Y2(vpmovsxwq, "vpmovsxwq", "", "%%xmm2") Y2(vpmovsxdq, "vpmovsxdq", "", "%%xmm2")
Y2(vpmovzxbw, "vpmovzxbw", "", "%%xmm2") Y2(vpmovzxbd, "vpmovzxbd", "", "%%xmm2")
Y2(vpmovzxbq, "vpmovzxbq", "", "%%xmm2") Y2(vpmovzxwd, "vpmovzxwd", "", "%%xmm2")
Y2(vpmovzxwq, "vpmovzxwq", "", "%%xmm2") Y2(vpmovzxdq, "vpmovzxdq", "", "%%xmm2")
Y2(vpbroadcastb, "vpbroadcastb", "", "%%xmm2") Y2(vpbroadcastw, "vpbroadcastw", "", "%%xmm2")
Y2(vpbroadcastd, "vpbroadcastd", "", "%%xmm2") Y2(vpbroadcastq, "vpbroadcastq", "", "%%xmm2")
/* AVX2's register forms of vbroadcastss/sd (gcc -march=x86-64-v3 emits them) */
Y2(vbroadcastss, "vbroadcastss", "", "%%xmm2")
Y2LOOP(vbroadcastsd, Y2FORMS256(vbroadcastsd, "vbroadcastsd", "", "%%xmm2"))
Y3W(vpermd, "vpermd", "") Y3W(vpermps, "vpermps", "")
Y2W(vpermq_1b, "vpermq", "$0x1b, ") Y2W(vpermq_e4, "vpermq", "$0xe4, ") Y2W(vpermpd_93, "vpermpd", "$0x93, ")
Y3W(vperm2i128_31, "vperm2i128", "$0x31, ") Y3W(vperm2i128_02, "vperm2i128", "$0x02, ")
Y3W(vperm2i128_88, "vperm2i128", "$0x88, ") Y3W(vperm2i128_1a, "vperm2i128", "$0x1a, ")

/* shifts by imm8: register source only */
#define YSHI(FN, INSN, IMM)                                                               \
    INSN_TEST(FN)                                                                        \
    {                                                                                    \
        for (unsigned i = 0; i < NY; i++) {                                              \
            y256 a = yv[(i * 3 + 1) % NY], b = yv[i], g = yv[(i + 5) % NY], r;           \
            __asm__ volatile(Y_LOAD INSN " $" #IMM ", %%ymm2, %%ymm0" Y_STORE : Y_IO);  \
            y_case(#FN ".y", &a, &b, &r);                                                \
            __asm__ volatile(Y_LOAD INSN " $" #IMM ", %%ymm0, %%ymm0" Y_STORE : Y_IO);  \
            y_case(#FN ".yalias", &a, &g, &r);                                           \
            __asm__ volatile(Y_LOAD INSN " $" #IMM ", %%xmm2, %%xmm0" Y_STORE : Y_IO);  \
            y_case(#FN ".x", &a, &b, &r);                                                \
        }                                                                                \
    }
#define YSH3(INSN) YSHI(INSN##_0, #INSN, 0) YSHI(INSN##_3, #INSN, 3) YSHI(INSN##_15, #INSN, 15) \
                   YSHI(INSN##_33, #INSN, 33)
YSH3(vpsllw) YSH3(vpslld) YSH3(vpsllq) YSH3(vpsrlw) YSH3(vpsrld) YSH3(vpsrlq) YSH3(vpsraw)
YSH3(vpsrad) YSH3(vpslldq) YSH3(vpsrldq)

/* vpblendvb d, a, b, mask: mask register ymm3 (and the mask as d) */
INSN_TEST(vpblendvb)
{
    for (unsigned i = 0; i < NY; i++)
        for (unsigned j = i % Y_STRIDE; j < NY; j += Y_STRIDE) {
            y256 a = yv[i], b = yv[j], g = yv[(i + j + 1) % NY], m = yv[(i * 3 + j) % NY], r;
            __asm__ volatile(Y_LOAD "vmovdqu %[m], %%ymm3\n\t"
                             "vpblendvb %%ymm3, %%ymm2, %%ymm1, %%ymm0" Y_STORE
                             : [r] "=m"(r) : [a] "m"(a), [b] "m"(b), [g] "m"(g), [m] "m"(m)
                             : "xmm0", "xmm1", "xmm2", "xmm3", "memory");
            y_case("vpblendvb.y", &a, &b, &r);
            __asm__ volatile(Y_LOAD "vmovdqu %[m], %%ymm0\n\t"
                             "vpblendvb %%ymm0, %[b], %%ymm1, %%ymm0" Y_STORE
                             : [r] "=m"(r) : [a] "m"(a), [b] "m"(b), [g] "m"(g), [m] "m"(m)
                             : "xmm0", "xmm1", "xmm2", "xmm3", "memory");
            y_case("vpblendvb.ym_maskisd", &a, &m, &r);
            __asm__ volatile(Y_LOAD "vmovdqu %[m], %%ymm3\n\t"
                             "vpblendvb %%xmm3, %%xmm2, %%xmm1, %%xmm0" Y_STORE
                             : [r] "=m"(r) : [a] "m"(a), [b] "m"(b), [g] "m"(g), [m] "m"(m)
                             : "xmm0", "xmm1", "xmm2", "xmm3", "memory");
            y_case("vpblendvb.x", &a, &b, &r);
        }
}

/* to a general register / EFLAGS */
INSN_TEST(vpmovmskb)
{
    for (unsigned i = 0; i < NY; i++) {
        y256 a = yv[i];
        uint64_t r1 = ~0ull, r2 = ~0ull;
        __asm__ volatile("vmovdqu %[a], %%ymm1\n\tvpmovmskb %%ymm1, %k[r1]\n\tvpmovmskb %%xmm1, %[r2]"
                         : [r1] "+r"(r1), [r2] "+r"(r2) : [a] "m"(a) : "xmm1");
        uint64_t in[] = { a.q[0], a.q[1], a.q[2], a.q[3] }, out[] = { r1, r2 };
        INSN_CASE("vpmovmskb", in, out);
        /* in a block of its own (the source read from env, not from the
         * translator's register copy), into eax and into ecx (ferry's
         * 256-bit form builds the high half's bits in one of them) */
        uint64_t r3 = ~0ull, r4 = ~0ull, r5 = ~0ull;
        __asm__ volatile("vmovdqu %[a], %%ymm1\n\tjmp 1f\n1:\tvpmovmskb %%ymm1, %%eax\n\t"
                         "vpmovmskb %%ymm1, %%ecx\n\tvpmovmskb %%xmm1, %%edx"
                         : "+a"(r3), "+c"(r4), "+d"(r5) : [a] "m"(a) : "xmm1");
        uint64_t out2[] = { r3, r4, r5 };
        INSN_CASE("vpmovmskb.env", in, out2);
    }
}

static void ptest_case(const y256 *a, const y256 *b)
{
    for (unsigned f = 0; f < 2; f++) {
        uint64_t fy = insn_flags_in[f] | F_BASE, fx = fy, fm = fy;
        __asm__ volatile("vmovdqu %[a], %%ymm1\n\tvmovdqu %[b], %%ymm2\n\t"
                         "push %[fy]\n\tpopfq\n\tvptest %%ymm2, %%ymm1\n\tpushfq\n\tpop %[fy]\n\t"
                         "push %[fm]\n\tpopfq\n\tvptest %[b], %%ymm1\n\tpushfq\n\tpop %[fm]\n\t"
                         "push %[fx]\n\tpopfq\n\tvptest %%xmm2, %%xmm1\n\tpushfq\n\tpop %[fx]"
                         : [fy] "+r"(fy), [fx] "+r"(fx), [fm] "+r"(fm)
                         : [a] "m"(*a), [b] "m"(*b) : "xmm1", "xmm2", "cc");
        uint64_t in[] = { a->q[0], a->q[1], a->q[2], a->q[3], b->q[0], b->q[1], b->q[2], b->q[3],
                          insn_flags_in[f] };
        uint64_t out[] = { fy & F_ARITH, fm & F_ARITH, fx & F_ARITH };
        INSN_CASE("vptest", in, out);
    }
}

INSN_TEST(vptest)
{
    for (unsigned i = 0; i < NY; i++) {
        y256 a = yv[i], na, b = yv[(i * 5 + 2) % NY], hi = a;
        for (int m = 0; m < 4; m++)
            na.q[m] = ~a.q[m];
        hi.q[0] = hi.q[1] = 0;
        ptest_case(&a, &b);
        ptest_case(&a, &a);
        ptest_case(&a, &na);
        ptest_case(&hi, &na);
    }
}

/* 128-bit lanes: vinserti128, vextracti128 (register and memory),
 * vbroadcasti128 (memory only; capstone 4 lacks it), vmovntdqa */
INSN_TEST(lanes)
{
    for (unsigned i = 0; i < NY; i++) {
        y256 a = yv[i], b = yv[(i + 3) % NY], g = yv[(i + 7) % NY], r, m = g;
        __asm__ volatile(Y_LOAD "vinserti128 $1, %%xmm2, %%ymm1, %%ymm0" Y_STORE : Y_IO);
        y_case("vinserti128_1", &a, &b, &r);
        __asm__ volatile(Y_LOAD "vinserti128 $0, %[b], %%ymm1, %%ymm0" Y_STORE : Y_IO);
        y_case("vinserti128_0m", &a, &b, &r);
        __asm__ volatile(Y_LOAD "vextracti128 $1, %%ymm1, %%xmm0" Y_STORE : Y_IO);
        y_case("vextracti128_1", &a, &b, &r);
        __asm__ volatile(Y_LOAD "vextracti128 $0, %%ymm1, %%xmm0" Y_STORE : Y_IO);
        y_case("vextracti128_0", &a, &b, &r);
        __asm__ volatile("vmovdqu %[a], %%ymm1\n\tvextracti128 $1, %%ymm1, %[m]"
                         : [m] "+m"(m) : [a] "m"(a) : "xmm1");
        y_case("vextracti128_m", &a, &g, &m);
        __asm__ volatile(Y_LOAD "vbroadcasti128 %[b], %%ymm0" Y_STORE : Y_IO);
        y_case("vbroadcasti128", &a, &b, &r);
        __asm__ volatile(Y_LOAD "vbroadcasti128 16+%[b], %%ymm9\n\tvmovdqu %%ymm9, %%ymm0" Y_STORE
                         : [r] "=m"(r) : [a] "m"(a), [b] "m"(b), [g] "m"(g)
                         : "xmm0", "xmm1", "xmm2", "xmm9", "memory");
        y_case("vbroadcasti128_hi", &a, &b, &r);
        __asm__ volatile(Y_LOAD "vmovntdqa %[b], %%ymm0" Y_STORE : Y_IO);
        y_case("vmovntdqa.y", &a, &b, &r);
        __asm__ volatile(Y_LOAD "vmovntdqa %[b], %%xmm0" Y_STORE : Y_IO);
        y_case("vmovntdqa.x", &a, &b, &r);
    }
}

/* VEX.128 string compares: index in ecx, mask in xmm0 (upper zeroed),
 * flags; explicit lengths in eax/edx */
#define YSTR(FN, INSN, IMM)                                                                   \
    INSN_TEST(FN)                                                                            \
    {                                                                                        \
        for (unsigned i = 0; i < NY; i++) {                                                  \
            y256 a = yv[i], b = yv[(i * 7 + 3) % NY], g = yv[(i + 1) % NY], r;               \
            uint64_t c = 0x5555, fl = F_BASE;                                                \
            __asm__ volatile(Y_LOAD "mov %[la], %%eax\n\tmov %[lb], %%edx\n\t"               \
                             INSN " $" #IMM ", %%xmm2, %%xmm1\n\tpushfq\n\tpop %[fl]" Y_STORE \
                             : [r] "=m"(r), "+c"(c), [fl] "+r"(fl)                           \
                             : [a] "m"(a), [b] "m"(b), [g] "m"(g), [la] "r"(i % 19 - 2),     \
                               [lb] "r"(i % 11)                                              \
                             : "rax", "rdx", "xmm0", "xmm1", "xmm2", "memory", "cc");         \
            uint64_t in[] = { a.q[0], a.q[1], b.q[0], b.q[1], i };                           \
            uint64_t out[] = { c, fl & F_ARITH, r.q[0], r.q[1], r.q[2], r.q[3] };           \
            INSN_CASE(#FN, in, out);                                                         \
        }                                                                                    \
    }
YSTR(vpcmpestri_0c, "vpcmpestri", 0x0c) YSTR(vpcmpestrm_40, "vpcmpestrm", 0x40)

/* VEX.W = 1: 64-bit lengths in rax/rdx (bit 32 set in half the cases) */
INSN_TEST(vpcmpestriq)
{
    for (unsigned i = 0; i < NY; i++) {
        y256 a = yv[i], b = yv[(i * 7 + 3) % NY];
        uint64_t c = 0x5555, fl = F_BASE, la = (uint64_t)(int64_t)((int)(i % 19) - 2) + ((uint64_t)(i & 1) << 32),
                 lb = (i % 11) + ((uint64_t)(i & 2) << 31);
        __asm__ volatile("vmovdqu %[a], %%ymm1\n\tvmovdqu %[b], %%ymm2\n\tmov %[la], %%rax\n\t"
                         "mov %[lb], %%rdx\n\tvpcmpestriq $0x0c, %%xmm2, %%xmm1\n\tpushfq\n\tpop %[fl]"
                         : "+c"(c), [fl] "+r"(fl)
                         : [a] "m"(a), [b] "m"(b), [la] "r"(la), [lb] "r"(lb)
                         : "rax", "rdx", "xmm1", "xmm2", "cc");
        uint64_t in[] = { a.q[0], a.q[1], b.q[0], b.q[1], la, lb };
        uint64_t out[] = { c, fl & F_ARITH };
        INSN_CASE("vpcmpestriq", in, out);
    }
}
YSTR(vpcmpistri_08, "vpcmpistri", 0x08) YSTR(vpcmpistrm_4a, "vpcmpistrm", 0x4a)

/* A CPU without AVX2 runs only the refusals (ud_main). */
UD_TEST_MAIN(avx2_ud, "cpuid avx2",
             ud_cpuid_bit(7, 0, 1, 5),
             UD_CASE("vpaddb_y", "0xc5, 0xf5, 0xfc, 0xcb");)
