/* cvt_int_low.c -- cvtsi2sd / cvtsi2ss / vcvtsi2sd / vcvtsi2ss from a
 * 32-bit register whose 64-bit register has other bits above it (ferry's
 * frontend hands the whole 64-bit register to the conversion, which must
 * use the low 32 bits only), in the default MXCSR mode (host conversion)
 * and with RC = down and RC = up (the helpers), next to the 64-bit form
 * and a memory operand. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t vals[] = {
    0x0000000000000001ull, 0xffffffffffffffffull, 0x00000001ffffffffull,
    0x1234567880000000ull, 0xffffffff7fffffffull, 0x8000000012345679ull,
    0x00000000fedcba98ull, 0x7fffffff00000003ull,
};

static const uint32_t modes[] = { 0x1f80, 0x3f80, 0x5f80 };   /* RN, RD, RU */

struct out { uint64_t sd, sd64, sdm; uint32_t ss, vss; uint64_t vsd; uint32_t mx; };

static struct out convert(uint64_t v, uint32_t mode)
{
    struct out o;
    uint32_t m = (uint32_t)v;
    __asm__ volatile("ldmxcsr %[mode]\n\t" "mov %[v], %%rax\n\t"
                     "pcmpeqd %%xmm0, %%xmm0\n\t" "cvtsi2sd %%eax, %%xmm0\n\t"
                     "movq %%xmm0, %[sd]\n\t"
                     "cvtsi2sd %%rax, %%xmm1\n\t" "movq %%xmm1, %[sd64]\n\t"
                     "cvtsi2sdl %[m], %%xmm2\n\t" "movq %%xmm2, %[sdm]\n\t"
                     "cvtsi2ss %%eax, %%xmm3\n\t" "movd %%xmm3, %[ss]\n\t"
                     "stmxcsr %[mx]"
                     : [sd] "=m"(o.sd), [sd64] "=m"(o.sd64), [sdm] "=m"(o.sdm), [ss] "=m"(o.ss),
                       [mx] "=m"(o.mx)
                     : [mode] "m"(mode), [v] "r"(v), [m] "m"(m)
                     : "rax", "xmm0", "xmm1", "xmm2", "xmm3", "memory");
    __asm__ volatile("ldmxcsr %[mode]\n\t" "mov %[v], %%rcx\n\t"
                     "vpcmpeqd %%xmm4, %%xmm4, %%xmm4\n\t"
                     "vcvtsi2sd %%ecx, %%xmm4, %%xmm5\n\t" "vmovq %%xmm5, %[vsd]\n\t"
                     "vcvtsi2ss %%ecx, %%xmm4, %%xmm6\n\t" "vmovd %%xmm6, %[vss]"
                     : [vsd] "=m"(o.vsd), [vss] "=m"(o.vss)
                     : [mode] "m"(mode), [v] "r"(v)
                     : "rcx", "xmm4", "xmm5", "xmm6", "memory");
    return o;
}

int main(void)
{
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++)
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            struct out o = convert(vals[i], modes[k]);
            printf("%04x %016llx: %016llx %016llx %016llx %08x %016llx %08x mx=%02x\n",
                   modes[k], (unsigned long long)vals[i], (unsigned long long)o.sd,
                   (unsigned long long)o.sd64, (unsigned long long)o.sdm, o.ss,
                   (unsigned long long)o.vsd, o.vss, o.mx & 0x3f);
        }
    return 0;
}
