/* mmx.c -- difftest of MMX and of the MMX-register forms of SSE, SSE2 and
 * SSSE3: every instruction on pairs of 64-bit edge and random values,
 * register and memory sources, shifts by register and by imm8, imm8
 * shuffles/extracts/inserts, moves to and from general registers and
 * memory, conversions to and from XMM (every MXCSR rounding mode, MXCSR
 * flags), and the aliasing with the x87: after each case the x87 status
 * and tag words (fnstenv) are printed too, and dedicated cases store
 * MMX-written registers with fstp, push after MMX with and without emms,
 * and check fnsave/fxsave images and a signal frame's FP state after MMX
 * use. */
#include <signal.h>
#include <ucontext.h>

#include "sse_vec.h"

/* Quick runs pair each value with every other one; long runs with all. */
#ifdef INSN_LONG
#define MMX_NV 60
#else
#define MMX_NV 32
#endif
#define MMX_V(i) insn_value(i)

/* x87 control, status and tag words after the instruction (fnstenv's
 * first three words), then emms so the C code around is x87-clean. */
#define MMX_ENV " fnstenv %[env]\n\temms\n\t"
#define MMX_ENV_OUT(env) ((uint64_t)env[0] | (uint64_t)env[2] << 16 | (uint64_t)env[4] << 32)

/* INSN %mm1, %mm0 and INSN m64, %mm0 */
#define MMX_BIN(FN, INSN)                                                     \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < MMX_NV; i++)                                 \
            for (unsigned j = i % INSN_STRIDE; j < MMX_NV; j += INSN_STRIDE) { \
                uint64_t a = MMX_V(i), b = MMX_V((j * 7 + 3) % MMX_NV), r, rm; \
                uint16_t env[14], envm[14];                                   \
                __asm__ volatile("movq %[a], %%mm0\n\tmovq %[b], %%mm1\n\t"   \
                                 INSN " %%mm1, %%mm0\n\tmovq %%mm0, %[r]\n\t" \
                                 MMX_ENV                                      \
                                 : [r] "=r"(r), [env] "=m"(env)               \
                                 : [a] "r"(a), [b] "r"(b) : "mm0", "mm1");    \
                __asm__ volatile("movq %[a], %%mm2\n\t"                       \
                                 INSN " %[m], %%mm2\n\tmovq %%mm2, %[r]\n\t"  \
                                 MMX_ENV                                      \
                                 : [r] "=r"(rm), [env] "=m"(envm)             \
                                 : [a] "r"(a), [m] "m"(b) : "mm2");           \
                uint64_t in[] = { a, b };                                     \
                uint64_t out[] = { r, MMX_ENV_OUT(env), rm, MMX_ENV_OUT(envm) }; \
                INSN_CASE(INSN, in, out);                                     \
            }                                                                 \
    }

/* MMX */
MMX_BIN(paddb, "paddb") MMX_BIN(paddw, "paddw") MMX_BIN(paddd, "paddd") MMX_BIN(paddq, "paddq")
MMX_BIN(psubb, "psubb") MMX_BIN(psubw, "psubw") MMX_BIN(psubd, "psubd") MMX_BIN(psubq, "psubq")
MMX_BIN(paddsb, "paddsb") MMX_BIN(paddsw, "paddsw") MMX_BIN(paddusb, "paddusb")
MMX_BIN(paddusw, "paddusw") MMX_BIN(psubsb, "psubsb") MMX_BIN(psubsw, "psubsw")
MMX_BIN(psubusb, "psubusb") MMX_BIN(psubusw, "psubusw")
MMX_BIN(pmullw, "pmullw") MMX_BIN(pmulhw, "pmulhw") MMX_BIN(pmaddwd, "pmaddwd")
MMX_BIN(pcmpeqb, "pcmpeqb") MMX_BIN(pcmpeqw, "pcmpeqw") MMX_BIN(pcmpeqd, "pcmpeqd")
MMX_BIN(pcmpgtb, "pcmpgtb") MMX_BIN(pcmpgtw, "pcmpgtw") MMX_BIN(pcmpgtd, "pcmpgtd")
MMX_BIN(pand, "pand") MMX_BIN(pandn, "pandn") MMX_BIN(por, "por") MMX_BIN(pxor, "pxor")
MMX_BIN(psllw, "psllw") MMX_BIN(pslld, "pslld") MMX_BIN(psllq, "psllq")
MMX_BIN(psrlw, "psrlw") MMX_BIN(psrld, "psrld") MMX_BIN(psrlq, "psrlq")
MMX_BIN(psraw, "psraw") MMX_BIN(psrad, "psrad")
MMX_BIN(packsswb, "packsswb") MMX_BIN(packssdw, "packssdw") MMX_BIN(packuswb, "packuswb")
MMX_BIN(punpcklbw, "punpcklbw") MMX_BIN(punpcklwd, "punpcklwd") MMX_BIN(punpckldq, "punpckldq")
MMX_BIN(punpckhbw, "punpckhbw") MMX_BIN(punpckhwd, "punpckhwd") MMX_BIN(punpckhdq, "punpckhdq")
/* SSE and SSE2 on MMX registers */
MMX_BIN(pavgb, "pavgb") MMX_BIN(pavgw, "pavgw") MMX_BIN(pmaxsw, "pmaxsw") MMX_BIN(pmaxub, "pmaxub")
MMX_BIN(pminsw, "pminsw") MMX_BIN(pminub, "pminub") MMX_BIN(pmulhuw, "pmulhuw")
MMX_BIN(psadbw, "psadbw") MMX_BIN(pmuludq, "pmuludq")
/* SSSE3 on MMX registers */
MMX_BIN(pshufb, "pshufb") MMX_BIN(phaddw, "phaddw") MMX_BIN(phaddd, "phaddd")
MMX_BIN(phaddsw, "phaddsw") MMX_BIN(phsubw, "phsubw") MMX_BIN(phsubd, "phsubd")
MMX_BIN(phsubsw, "phsubsw") MMX_BIN(pmaddubsw, "pmaddubsw") MMX_BIN(pmulhrsw, "pmulhrsw")
MMX_BIN(pabsb, "pabsb") MMX_BIN(pabsw, "pabsw") MMX_BIN(pabsd, "pabsd")
MMX_BIN(psignb, "psignb") MMX_BIN(psignw, "psignw") MMX_BIN(psignd, "psignd")
/* imm8 forms with a source operand */
MMX_BIN(pshufw_1b, "pshufw $0x1b,") MMX_BIN(pshufw_e4, "pshufw $0xe4,")
MMX_BIN(pshufw_a5, "pshufw $0xa5,")
MMX_BIN(palignr0, "palignr $0,") MMX_BIN(palignr3, "palignr $3,")
MMX_BIN(palignr8, "palignr $8,") MMX_BIN(palignr13, "palignr $13,")
MMX_BIN(palignr16, "palignr $16,") MMX_BIN(palignr255, "palignr $255,")

/* shifts by imm8 */
#define MMX_SHIFT_IMM(FN, INSN)                                               \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < MMX_NV; i++) {                               \
            uint64_t a = MMX_V(i), r[10];                                     \
            __asm__ volatile(                                                 \
                "movq %[a], %%mm0\n\t" INSN " $0, %%mm0\n\tmovq %%mm0, 0(%[r])\n\t"   \
                "movq %[a], %%mm0\n\t" INSN " $1, %%mm0\n\tmovq %%mm0, 8(%[r])\n\t"   \
                "movq %[a], %%mm0\n\t" INSN " $7, %%mm0\n\tmovq %%mm0, 16(%[r])\n\t"  \
                "movq %[a], %%mm0\n\t" INSN " $15, %%mm0\n\tmovq %%mm0, 24(%[r])\n\t" \
                "movq %[a], %%mm0\n\t" INSN " $16, %%mm0\n\tmovq %%mm0, 32(%[r])\n\t" \
                "movq %[a], %%mm0\n\t" INSN " $31, %%mm0\n\tmovq %%mm0, 40(%[r])\n\t" \
                "movq %[a], %%mm0\n\t" INSN " $32, %%mm0\n\tmovq %%mm0, 48(%[r])\n\t" \
                "movq %[a], %%mm0\n\t" INSN " $63, %%mm0\n\tmovq %%mm0, 56(%[r])\n\t" \
                "movq %[a], %%mm0\n\t" INSN " $64, %%mm0\n\tmovq %%mm0, 64(%[r])\n\t" \
                "movq %[a], %%mm0\n\t" INSN " $255, %%mm0\n\tmovq %%mm0, 72(%[r])\n\t" \
                "emms"                                                        \
                : : [a] "r"(a), [r] "r"(r) : "mm0", "memory");                \
            uint64_t in[] = { a };                                            \
            INSN_CASE(INSN " imm", in, r);                                    \
        }                                                                     \
    }

MMX_SHIFT_IMM(psllw_i, "psllw") MMX_SHIFT_IMM(pslld_i, "pslld") MMX_SHIFT_IMM(psllq_i, "psllq")
MMX_SHIFT_IMM(psrlw_i, "psrlw") MMX_SHIFT_IMM(psrld_i, "psrld") MMX_SHIFT_IMM(psrlq_i, "psrlq")
MMX_SHIFT_IMM(psraw_i, "psraw") MMX_SHIFT_IMM(psrad_i, "psrad")

/* pextrw (imm8 & 3 selects), pmovmskb, pinsrw from r32 and m16 */
INSN_TEST(mmx_words)
{
    for (unsigned i = 0; i < MMX_NV; i++) {
        uint64_t a = MMX_V(i), b = MMX_V((i * 5 + 1) % MMX_NV), r[8], m, ins[4];
        uint16_t w = (uint16_t)(b >> 8);
        __asm__ volatile(
            "movq %[a], %%mm3\n\t"
            "pextrw $0, %%mm3, %%eax\n\tmov %%rax, 0(%[r])\n\t"
            "pextrw $1, %%mm3, %%eax\n\tmov %%rax, 8(%[r])\n\t"
            "pextrw $2, %%mm3, %%eax\n\tmov %%rax, 16(%[r])\n\t"
            "pextrw $3, %%mm3, %%eax\n\tmov %%rax, 24(%[r])\n\t"
            "pextrw $4, %%mm3, %%eax\n\tmov %%rax, 32(%[r])\n\t"
            "pextrw $7, %%mm3, %%eax\n\tmov %%rax, 40(%[r])\n\t"
            "mov $-1, %%rax\n\tpmovmskb %%mm3, %%rax\n\tmov %%rax, 48(%[r])\n\t"
            "mov $-1, %%rax\n\tpmovmskb %%mm3, %%eax\n\tmov %%rax, 56(%[r])\n\t"
            "emms"
            : : [a] "r"(a), [r] "r"(r) : "rax", "mm3", "memory");
        __asm__ volatile(
            "movq %[a], %%mm4\n\tpinsrw $1, %k[b], %%mm4\n\tmovq %%mm4, 0(%[o])\n\t"
            "movq %[a], %%mm4\n\tpinsrw $6, %k[b], %%mm4\n\tmovq %%mm4, 8(%[o])\n\t"
            "movq %[a], %%mm4\n\tpinsrw $3, %[w], %%mm4\n\tmovq %%mm4, 16(%[o])\n\t"
            "movq %[a], %%mm4\n\tpinsrw $0, %[w], %%mm4\n\tmovq %%mm4, 24(%[o])\n\t"
            "emms"
            : : [a] "r"(a), [b] "r"(b), [w] "m"(w), [o] "r"(ins) : "mm4", "memory");
        m = r[6] ^ r[7] << 32;
        uint64_t in[] = { a, b };
        uint64_t out[] = { r[0], r[1], r[2], r[3], r[4], r[5], m, ins[0], ins[1], ins[2], ins[3] };
        INSN_CASE("pextrw pmovmskb pinsrw", in, out);
    }
}

/* movd/movq between mm, general registers and memory; movntq; movq2dq
 * and movdq2q; the bytes around a memory destination must not change. */
INSN_TEST(mmx_moves)
{
    for (unsigned i = 0; i < MMX_NV; i++) {
        uint64_t a = MMX_V(i), r[8];
        uint64_t mem[3] = { 0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull };
        v2u x = { 0x4444444444444444ull, 0x5555555555555555ull };
        __asm__ volatile(
            "movd %k[a], %%mm5\n\tmovq %%mm5, 0(%[r])\n\t"
            "mov $-1, %%rax\n\tmovq %[a], %%mm6\n\tmovd %%mm6, %%eax\n\tmov %%rax, 8(%[r])\n\t"
            "movq %[a], %%mm7\n\tmovd %%mm7, 4(%[m])\n\t"
            "movd 12(%[m]), %%mm1\n\tmovq %%mm1, 16(%[r])\n\t"
            "movq 2(%[m]), %%mm2\n\tmovq %%mm2, 24(%[r])\n\t"
            "movq %[a], %%mm0\n\tmovntq %%mm0, 16(%[m])\n\t"
            "movq %%mm0, %%mm3\n\tmovq %%mm3, %%rax\n\tmov %%rax, 32(%[r])\n\t"
            "movq2dq %%mm3, %[x]\n\t"
            "movq %[a], %%mm4\n\tpaddb %%mm4, %%mm4\n\tmovdq2q %[x], %%mm4\n\t"
            "movq %%mm4, 40(%[r])\n\t"
            "fnstenv 48(%[r])\n\temms"
            : [x] "+x"(x) : [a] "r"(a), [r] "r"(r), [m] "r"(mem) : "rax", "mm0", "mm1", "mm2",
              "mm3", "mm4", "mm5", "mm6", "mm7", "memory");
        uint64_t in[] = { a };
        uint64_t out[] = { r[0], r[1], r[2], r[3], r[4], r[5], mem[0], mem[1], mem[2],
                           x[0], x[1], r[6] & 0xffff0000ffff };
        INSN_CASE("movd movq", in, out);
    }
}

/* maskmovq stores the bytes selected by the mask's sign bits to [rdi]. */
INSN_TEST(mmx_maskmovq)
{
    for (unsigned i = 0; i < MMX_NV; i++) {
        uint64_t a = MMX_V(i), m = MMX_V((i * 11 + 5) % MMX_NV);
        uint8_t buf[16];
        memset(buf, 0xa5, sizeof buf);
        __asm__ volatile("movq %[a], %%mm0\n\tmovq %[m], %%mm1\n\tmaskmovq %%mm1, %%mm0\n\temms"
                         : : [a] "r"(a), [m] "r"(m), "D"(buf + 3) : "mm0", "mm1", "memory");
        uint64_t lo, hi;
        memcpy(&lo, buf, 8);
        memcpy(&hi, buf + 8, 8);
        uint64_t in[] = { a, m };
        uint64_t out[] = { lo, hi };
        INSN_CASE("maskmovq", in, out);
    }
}

/* Conversions between mm and xmm, in every rounding mode, with MXCSR's
 * flags and the x87 words (does a memory source make the transition?). */
static void mmx_cvt_case(unsigned k, uint32_t rc)
{
    uint32_t csr = 0x1f80 | rc << 13, csr_out;
    v2u f = fvec[k], d = dvec[k], x1 = ivec[k], x2 = ivec[(k + 3) % NVEC];
    uint64_t q = ivec[k][0], r[4];
    uint16_t env1[14], env2[14];
    __asm__ volatile(
        "ldmxcsr %[csr]\n\tfninit\n\t"
        "movq %[q], %%mm0\n\tcvtpi2ps %%mm0, %[x1]\n\tcvtpi2pd %%mm0, %[x2]\n\t"
        "cvtps2pi %[f], %%mm1\n\tmovq %%mm1, 0(%[r])\n\t"
        "cvttps2pi %[f], %%mm1\n\tmovq %%mm1, 8(%[r])\n\t"
        "cvtpd2pi %[d], %%mm1\n\tmovq %%mm1, 16(%[r])\n\t"
        "cvttpd2pi %[d], %%mm1\n\tmovq %%mm1, 24(%[r])\n\t"
        "stmxcsr %[out]\n\tfnstenv %[env1]\n\temms\n\tfninit\n\t"
        "cvtpi2ps %[q], %[x1]\n\tfnstenv %[env2]\n\tldmxcsr %[def]"
        : [x1] "+x"(x1), [x2] "+x"(x2), [out] "=m"(csr_out), [env1] "=m"(env1),
          [env2] "=m"(env2)
        : [csr] "m"(csr), [q] "m"(q), [f] "x"(f), [d] "x"(d), [r] "r"(r),
          [def] "m"((uint32_t){ 0x1f80 })
        : "mm0", "mm1", "memory");
    uint64_t in[] = { q, f[0], d[0], d[1], rc };
    uint64_t out[] = { x1[0], x1[1], x2[0], x2[1], r[0], r[1], r[2], r[3], csr_out,
                       MMX_ENV_OUT(env1), MMX_ENV_OUT(env2) };
    INSN_CASE("cvt mm", in, out);
}

INSN_TEST(mmx_cvt)
{
    for (unsigned k = 0; k < NVEC; k++)
        for (uint32_t rc = 0; rc < 4; rc++)
            mmx_cvt_case(k, rc);
}

/* Memory sources of the conversions from xmm. */
INSN_TEST(mmx_cvt_mem)
{
    for (unsigned k = 0; k < NVEC; k++) {
        v2u f = fvec[k], d = dvec[k];
        uint64_t r[4];
        __asm__ volatile(
            "cvtps2pi %[f], %%mm1\n\tmovq %%mm1, 0(%[r])\n\t"
            "cvttps2pi %[f], %%mm1\n\tmovq %%mm1, 8(%[r])\n\t"
            "cvtpd2pi %[d], %%mm1\n\tmovq %%mm1, 16(%[r])\n\t"
            "cvttpd2pi %[d], %%mm1\n\tmovq %%mm1, 24(%[r])\n\temms"
            : : [f] "m"(f), [d] "m"(d), [r] "r"(r) : "mm1", "memory");
        uint64_t in[] = { f[0], d[0], d[1] };
        INSN_CASE("cvt mm mem", in, r);
    }
}

/* ---- aliasing with the x87 ---------------------------------------------- */

static const uint64_t mmx_x87_values[] = {
    0, 1, 0x8000000000000000ull, 0xc000000000000000ull, 0x4000000000000000ull,
    0xffffffffffffffffull, 0x0123456789abcdefull, 0xc123456789abcdefull,
};
#define MMX_NX (sizeof mmx_x87_values / sizeof mmx_x87_values[0])

/* MMX-written registers as the x87 sees them: fstp to m80, m64, m32. */
INSN_TEST(mmx_then_fstp)
{
    for (unsigned i = 0; i < MMX_NX; i++) {
        uint64_t v = mmx_x87_values[i], m80[2] = { 0, 0 }, m64 = 0;
        uint32_t m32 = 0;
        uint16_t env[14];
        __asm__ volatile(
            "fninit\n\tmovq %[v], %%mm0\n\tmovq %[v], %%mm1\n\tmovq %[v], %%mm2\n\t"
            "fstpt %[m80]\n\tfstpl %[m64]\n\tfstps %[m32]\n\tfnstenv %[env]\n\tfninit"
            : [m80] "=m"(m80), [m64] "=m"(m64), [m32] "=m"(m32), [env] "=m"(env)
            : [v] "r"(v) : "mm0", "mm1", "mm2");
        uint64_t in[] = { v };
        uint64_t out[] = { m80[0], m80[1] & 0xffff, m64, m32, MMX_ENV_OUT(env) };
        INSN_CASE("mmx then fstp", in, out);
    }
}

/* x87 pushes, then MMX reads the physical registers (TOP = 5 before). */
INSN_TEST(x87_then_mmx)
{
    uint64_t r[5];
    uint16_t env1[14], env2[14];
    __asm__ volatile(
        "fninit\n\tfld1\n\tfldpi\n\tfldz\n\tfnstenv %[e1]\n\t"
        "movq %%mm5, %%rax\n\tmov %%rax, 0(%[r])\n\t"
        "movq %%mm6, %%rax\n\tmov %%rax, 8(%[r])\n\t"
        "movq %%mm7, %%rax\n\tmov %%rax, 16(%[r])\n\t"
        "fnstenv %[e2]\n\tfstpt 24(%[r])\n\temms\n\tfninit"
        : [e1] "=m"(env1), [e2] "=m"(env2) : [r] "r"(r) : "rax", "memory");
    uint64_t in[] = { 0 };
    uint64_t out[] = { r[0], r[1], r[2], r[3], r[4] & 0xffff, MMX_ENV_OUT(env1),
                       MMX_ENV_OUT(env2) };
    INSN_CASE("x87 then mmx", in, out);
}

/* emms then a push works; a push after MMX without emms overflows. */
INSN_TEST(mmx_push)
{
    for (unsigned i = 0; i < MMX_NX; i++) {
        uint64_t v = mmx_x87_values[i], a[2] = { 0, 0 }, b[2] = { 0, 0 };
        uint16_t e1[14], e2[14], e3[14], e4[14];
        __asm__ volatile(
            "fninit\n\tfld1\n\tfld1\n\tmovq %[v], %%mm0\n\temms\n\tfnstenv %[e1]\n\t"
            "fldl2e\n\tfnstenv %[e2]\n\tfstpt %[a]\n\t"
            "fninit\n\tmovq %[v], %%mm0\n\tfldpi\n\tfnstenv %[e3]\n\tfstpt %[b]\n\t"
            "fnstenv %[e4]\n\tfninit"
            : [a] "=m"(a), [b] "=m"(b), [e1] "=m"(e1), [e2] "=m"(e2), [e3] "=m"(e3),
              [e4] "=m"(e4)
            : [v] "r"(v) : "mm0");
        uint64_t in[] = { v };
        uint64_t out[] = { MMX_ENV_OUT(e1), MMX_ENV_OUT(e2), a[0], a[1] & 0xffff,
                           MMX_ENV_OUT(e3), b[0], b[1] & 0xffff, MMX_ENV_OUT(e4) };
        INSN_CASE("mmx push", in, out);
    }
}

/* fnsave and fxsave images after MMX use over a partly used x87 stack;
 * an x87 exception flag survives MMX instructions. */
INSN_TEST(mmx_images)
{
    for (unsigned i = 0; i < MMX_NX; i++) {
        uint64_t v = mmx_x87_values[i];
        uint16_t save[54], sw_after;
        uint8_t fx[512] __attribute__((aligned(16)));
        __asm__ volatile(
            "fninit\n\tfld1\n\tfldz\n\tfdiv %%st(0), %%st(1)\n\t"
            "movq %[v], %%mm3\n\tpaddw %%mm3, %%mm3\n\tfxsave %[fx]\n\t"
            "fnsave %[save]\n\tfnstsw %[sw]\n\temms\n\tfninit"
            : [save] "=m"(save), [fx] "=m"(fx), [sw] "=m"(sw_after) : [v] "r"(v) : "mm3");
        uint64_t in[] = { v };
        uint64_t out[32];
        unsigned n = 0;
        out[n++] = save[0] | (uint64_t)save[2] << 16 | (uint64_t)save[4] << 32;
        for (int r = 0; r < 8; r++) {
            uint64_t m;
            memcpy(&m, (uint8_t *)save + 28 + 10 * r, 8);
            out[n++] = m;
            out[n++] = save[14 + 5 * r + 4];
        }
        uint64_t fxw = 0;
        memcpy(&fxw, fx, 6);
        out[n++] = fxw;
        for (int r = 0; r < 8; r++) {
            uint64_t m, se = 0;
            memcpy(&m, fx + 32 + 16 * r, 8);
            memcpy(&se, fx + 40 + 16 * r, 2);
            out[n++] = m ^ se << 48;
        }
        out[n++] = sw_after;
        insn_case("mmx images", 1, in, (int)n, out);
    }
}

/* A signal handler sees the MMX state in its frame (FXSAVE format) and
 * starts with a clean x87; the interrupted MMX state is restored. */
static uint64_t mmx_sig_out[12];

static void mmx_sig_handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    const struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    uint16_t sw;
    __asm__ volatile("fnstsw %0" : "=m"(sw));
    mmx_sig_out[0] = fp->cwd | (uint64_t)fp->swd << 16 | (uint64_t)fp->ftw << 32;
    for (int r = 0; r < 8; r++) {
        uint64_t m;
        memcpy(&m, fp->_st[r].significand, 8);
        mmx_sig_out[1 + r] = m ^ (uint64_t)fp->_st[r].exponent << 48;
    }
    mmx_sig_out[9] = sw;
}

INSN_TEST(mmx_signal)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = mmx_sig_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    uint64_t v = 0x0123456789abcdefull, after;
    uint16_t env[14];
    __asm__ volatile("fninit\n\tfld1\n\tmovq %[v], %%mm2\n\tpsllq $4, %%mm2\n\t"
                     "mov $39, %%eax\n\tsyscall\n\tmov %%eax, %%edi\n\t"      /* getpid */
                     "mov $10, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t"          /* kill */
                     "movq %%mm2, %[after]\n\tfnstenv %[env]\n\temms\n\tfninit"
                     : [after] "=m"(after), [env] "=m"(env) : [v] "r"(v)
                     : "rax", "rdi", "rsi", "rcx", "r11", "mm2", "memory");
    mmx_sig_out[10] = after;
    mmx_sig_out[11] = MMX_ENV_OUT(env);
    uint64_t in[] = { v };
    INSN_CASE("mmx signal", in, mmx_sig_out);
}

/* emms after 0-3 pushes, with and without an MMX instruction before it,
 * and an x87 push after it: TOP, the status and tag words (AMD's Zen 5
 * and Intel's Ice Lake server set TOP to 0; FEX's X87MMXNZCV showed it). */
INSN_TEST(emms_top)
{
    for (unsigned n = 0; n < 4; n++)
        for (unsigned mmx = 0; mmx < 2; mmx++) {
            uint16_t sw[3];
            uint8_t env[28];
            __asm__ volatile("fninit\n\t"
                             "cmp $1, %[n]\n\tjb 1f\n\tfld1\n\t"
                             "cmp $2, %[n]\n\tjb 1f\n\tfldz\n\t"
                             "cmp $3, %[n]\n\tjb 1f\n\tfldpi\n"
                             "1:\n\ttest %[m], %[m]\n\tjz 2f\n\tmovq %%mm1, %%mm0\n"
                             "2:\n\tfnstsw 0(%[sw])\n\temms\n\tfnstsw 2(%[sw])\n\t"
                             "fldl2e\n\tfnstsw 4(%[sw])\n\tfnstenv %[env]\n\tfninit"
                             : [env] "=m"(env) : [n] "r"(n), [m] "r"(mmx), [sw] "r"(sw)
                             : "memory", "mm0", "mm1", "st", "st(1)", "st(2)", "st(3)");
            uint16_t tw;
            __builtin_memcpy(&tw, env + 8, 2);
            uint64_t in[] = { n, mmx };
            uint64_t out[] = { sw[0], sw[1], sw[2], tw };
            INSN_CASE("emms top", in, out);
        }
}

int main(void) { return insn_main(); }
