/* fma.c -- difftest of FMA3 (avx_vec.h): vfmadd, vfmsub, vfnmadd, vfnmsub
 * in the 132/213/231 operand orders, packed (128, 256) and scalar, and
 * vfmaddsub/vfmsubadd, register and memory operands, every MXCSR rounding
 * mode and FTZ+DAZ with MXCSR read back (edge values: NaNs, infinities,
 * zeros, denormals); the destination as a source; and cancellation cases
 * (c = -(a*b) rounded) where only a single rounding gives the CPU's
 * result. */
#include "avx_vec.h"
#include "ud_case.h"

#define ORDERS(OP, SH, SET, SHAPE)                                            \
    SHAPE(OP##132##SH, #OP "132" #SH, SET, 5) SHAPE(OP##213##SH, #OP "213" #SH, SET, 5) \
    SHAPE(OP##231##SH, #OP "231" #SH, SET, 5)
#define FMA_ALL(OP)                                                           \
    ORDERS(OP, ps, fy, BIN4) ORDERS(OP, pd, dy, BIN4) ORDERS(OP, ss, fy, BIN2) \
    ORDERS(OP, sd, dy, BIN2)
FMA_ALL(vfmadd) FMA_ALL(vfmsub) FMA_ALL(vfnmadd) FMA_ALL(vfnmsub)
ORDERS(vfmaddsub, ps, fy, BIN4) ORDERS(vfmaddsub, pd, dy, BIN4)
ORDERS(vfmsubadd, ps, fy, BIN4) ORDERS(vfmsubadd, pd, dy, BIN4)
ALIAS(vfmadd231ps_alias, "vfmadd231ps", fy, 1) ALIAS(vfnmsub132pd_alias, "vfnmsub132pd", dy, 1)
YCASE(vfmadd213ss_dd, fy, fy, fy, 1, "vfmadd213ss %%xmm1, %%xmm1, %%xmm1")

/* ymm1 = -(ymm2 * ymm3) rounded, per lane: the fused result is the
 * rounding error of the product. */
static y256 cancel_f[NY], cancel_d[NY];
__attribute__((constructor(103))) static void make_cancel(void)
{
    for (unsigned k = 0; k < NY; k++) {
        const y256 *a = &fy[k], *b = &fy[(k * 3 + 1) % NY];
        float fa[8], fb[8], fc[8];
        memcpy(fa, a, 32);
        memcpy(fb, b, 32);
        for (int i = 0; i < 8; i++) {
            volatile float p = fa[i] * fb[i];
            fc[i] = -p;
        }
        memcpy(&cancel_f[k], fc, 32);
        double da[4], db[4], dc[4];
        memcpy(da, &dy[k], 32);
        memcpy(db, &dy[(k * 3 + 1) % NY], 32);
        for (int i = 0; i < 4; i++) {
            volatile double p = da[i] * db[i];
            dc[i] = -p;
        }
        memcpy(&cancel_d[k], dc, 32);
    }
}
#define CANCEL(FN, TEXT, SETD, SETA)                                          \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned m = 0; m < 5; m++)                                      \
            for (unsigned k = 0; k < NY; k++) {                               \
                y256 d = SETD[k], a = SETA[k], b = SETA[(k * 3 + 1) % NY], out; \
                uint32_t csr = avx_csr_modes[m], ocsr;                        \
                __asm__ volatile(                                             \
                    "vmovdqu %[d], %%ymm1\n\tvmovdqu %[a], %%ymm2\n\t"       \
                    "vmovdqu %[b], %%ymm3\n\tldmxcsr %[c]\n\t" TEXT "\n\t"    \
                    "stmxcsr %[o]\n\tldmxcsr %[dflt]\n\tvmovdqu %%ymm1, %[out]" \
                    : [out] "=m"(out), [o] "=m"(ocsr)                         \
                    : [d] "m"(d), [a] "m"(a), [b] "m"(b), [c] "m"(csr),       \
                      [dflt] "m"(avx_csr_default)                             \
                    : "xmm1", "xmm2", "xmm3", "memory");                      \
                uint64_t in[] = { m, k };                                     \
                uint64_t res[] = { out.q[0], out.q[1], out.q[2], out.q[3], ocsr }; \
                INSN_CASE(#FN, in, res);                                      \
            }                                                                 \
    }
CANCEL(cancel_231ps, "vfmadd231ps %%ymm3, %%ymm2, %%ymm1", cancel_f, fy)
CANCEL(cancel_231pd, "vfmadd231pd %%ymm3, %%ymm2, %%ymm1", cancel_d, dy)
CANCEL(cancel_231ss, "vfmadd231ss %%xmm3, %%xmm2, %%xmm1", cancel_f, fy)
CANCEL(cancel_231sd, "vfmadd231sd %%xmm3, %%xmm2, %%xmm1", cancel_d, dy)
CANCEL(cancel_n231pd, "vfnmadd231pd %%ymm3, %%ymm2, %%ymm1", cancel_d, dy)
CANCEL(cancel_sub231ps, "vfmsub231ps %%xmm3, %%xmm2, %%xmm1", cancel_f, fy)

/* A CPU without FMA runs only the refusals (ud_main). */
UD_TEST_MAIN(fma_ud, "cpuid fma",
             ud_cpuid_bit(1, 0, 2, 12),
             UD_CASE("vfmadd231ps", "0xc4, 0xe2, 0x71, 0xb8, 0xcb");)
