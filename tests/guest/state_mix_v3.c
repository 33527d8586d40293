/* state_mix_v3.c -- session 42 probe of state around the x86-64-v3
 * extensions: rdtscp's TSC_AUX and rdpid against sched_getcpu (pinned to
 * CPU 0), enter with nesting levels 0-3 (the frame pointer copies, the
 * new rbp and rsp, leave), the 16-bit fnstenv/fldenv images, MXCSR's DAZ
 * and FTZ under vaddps/vmulps/vfmadd213ps and vcvtps2ph/vcvtph2ps (with a
 * denormal, a NaN and an overflow; the flags they leave), and the XSAVE
 * header after xsave with only the AVX bit requested, xsaveopt and xsavec
 * after vzeroall. */
//@cflags: -mavx2 -mfma -mf16c
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <immintrin.h>

static uint8_t area[4096] __attribute__((aligned(64)));
int main(void)
{
    cpu_set_t s; CPU_ZERO(&s); CPU_SET(0, &s); sched_setaffinity(0, sizeof s, &s);
    unsigned aux, lo, hi; uint64_t pid;
    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    __asm__ volatile("rdpid %0" : "=r"(pid));
    printf("rdtscp aux cpu %u node %u; rdpid %llu; sched_getcpu %d\n", aux & 0xfff, aux >> 12, (unsigned long long)pid, sched_getcpu());
    /* enter with nesting levels 1..3, 16/64-bit */
    uint64_t frame[8]; uint64_t rsp0, rsp1, rbp1;
    for (int lvl = 0; lvl < 4; lvl++) {
        uint64_t out[7] = { 0 };
        __asm__ volatile("mov %%rsp, %%r12\n\tmov %%rbp, %%r13\n\tlea -256(%%rsp), %%rsp\n\tand $-16, %%rsp\n\tlea 64(%%rsp), %%rbp\n\tmovq $0x1111, (%%rbp)\n\tmovq $0x2222, -8(%%rbp)\n\tmovq $0x3333, -16(%%rbp)\n\tmov %%rsp, %%r14\n\txor %%eax, %%eax\n\tmov $16, %%ecx\n\tlea -128(%%r14), %%rdi\n\trep stosq\n\t"
                         "cmp $0, %1\n\tje 10f\n\tcmp $1, %1\n\tje 11f\n\tcmp $2, %1\n\tje 12f\n\tenter $24, $3\n\tjmp 19f\n10: enter $24, $0\n\tjmp 19f\n11: enter $24, $1\n\tjmp 19f\n12: enter $24, $2\n19:\n\t"
                         "mov %%rsp, %%rax\n\tsub %%r14, %%rax\n\tmov %%rax, 0(%0)\n\tmov %%rbp, %%rax\n\tsub %%r14, %%rax\n\tmov %%rax, 8(%0)\n\tmov -8(%%rbp), %%rax\n\tmov %%rax, 16(%0)\n\tmov -16(%%rbp), %%rax\n\tmov %%rax, 24(%0)\n\tmov %%r14, 48(%0)\n\tmov (%%rbp), %%rax\n\tsub %%r14, %%rax\n\tmov %%rax, 32(%0)\n\t"
                         "leave\n\tmov %%rbp, %%rax\n\tsub %%r14, %%rax\n\tmov %%rax, 40(%0)\n\tmov %%r12, %%rsp\n\tmov %%r13, %%rbp"
                         :: "r"(out), "r"((long)lvl) : "rax", "rcx", "rdi", "r12", "r13", "r14", "memory", "cc");
        for (int k = 2; k < 4; k++)     /* the frame's own copies: relative to it; the planted words as they are */
            if (out[k] - out[6] + 4096 < 8192) out[k] = out[k] - out[6]; else if (out[k] > 0x10000) out[k] = 1;
        printf("enter lvl %d: rsp %+lld rbp %+lld [-8] %+lld [-16] %+lld [0] %+lld leave rbp %+lld\n", lvl, (long long)out[0], (long long)out[1], (long long)out[2], (long long)out[3], (long long)out[4], (long long)out[5]);
    }
    (void)frame; (void)rsp0; (void)rsp1; (void)rbp1;
    /* 16-bit fnstenv / fldenv */
    uint8_t env16[14]; memset(env16, 0xcc, sizeof env16);
    __asm__ volatile("fninit\n\tfld1\n\tfldz\n\tdata16 fnstenv %0\n\tfninit" : "=m"(env16));
    printf("fnstenv16:"); for (int i = 0; i < 6; i++) printf(" %02x", env16[i]); printf("\n");
    uint16_t sw;
    env16[2] = 0x3f; /* sw: exceptions set */
    __asm__ volatile("data16 fldenv %1\n\tfnstsw %0\n\tfninit" : "=m"(sw) : "m"(env16));
    printf("fldenv16 sw %04x\n", sw);
    /* DAZ/FTZ with AVX */
    float den = 1e-40f, tiny = 1e-20f; float r[8];
    unsigned mx[4] = { 0x1f80, 0x9f80, 0x1fc0, 0x9fc0 };
    for (int i = 0; i < 4; i++) {
        __m256 a = _mm256_set1_ps(den), b = _mm256_set1_ps(tiny);
        unsigned m = mx[i], after;
        __asm__ volatile("ldmxcsr %[m]\n\tvaddps %[a], %[a], %%ymm3\n\tvmulps %[b], %[b], %%ymm4\n\tvfmadd213ps %%ymm3, %[b], %%ymm4\n\tvmovups %%ymm4, %[r]\n\tstmxcsr %[o]\n\tmovl $0x1f80, %[m]\n\tldmxcsr %[m]"
                         : [r] "=m"(r), [o] "=m"(after), [m] "+m"(m) : [a] "x"(a), [b] "x"(b) : "xmm3", "xmm4");
        uint32_t bits; memcpy(&bits, &r[0], 4);
        printf("mx %04x: fma %08x mxcsr %04x\n", mx[i], bits, after);
        /* F16C with denormal in, DAZ on */
        __m128 f = _mm_set_ps(den, 6e-8f, 65520.f, -0.0f);
        __m128i h; unsigned m2 = mx[i], after2;
        __asm__ volatile("ldmxcsr %[m]\n\tvcvtps2ph $4, %[f], %[h]\n\tstmxcsr %[o]\n\tmovl $0x1f80, %[m]\n\tldmxcsr %[m]" : [h] "=x"(h), [o] "=m"(after2), [m] "+m"(m2) : [f] "x"(f));
        printf("  cvtps2ph %016llx mxcsr %04x\n", (unsigned long long)_mm_cvtsi128_si64(h), after2);
        __m128i hin = _mm_set_epi16(0, 0, 0, 0, 0x0001, 0x8200, 0x7c01, 0x3c00);
        __m128 fo; unsigned m3 = mx[i], after3;
        __asm__ volatile("ldmxcsr %[m]\n\tvcvtph2ps %[h], %[f]\n\tstmxcsr %[o]\n\tmovl $0x1f80, %[m]\n\tldmxcsr %[m]" : [f] "=x"(fo), [o] "=m"(after3), [m] "+m"(m3) : [h] "x"(hin));
        uint32_t fb[4]; memcpy(fb, &fo, 16);
        printf("  cvtph2ps %08x %08x %08x %08x mxcsr %04x\n", fb[0], fb[1], fb[2], fb[3], after3);
    }
    /* xsave with a partial mask: header bytes */
    memset(area, 0xaa, sizeof area);
    __asm__ volatile("vpcmpeqd %%ymm5, %%ymm5, %%ymm5\n\tmov $4, %%eax\n\txor %%edx, %%edx\n\txsave %0\n\tvzeroupper" : "=m"(area) :: "rax", "rdx", "xmm5");
    printf("xsave avx only: bv %016llx legacy0 %02x ymm5hi %02x\n", *(unsigned long long *)(area + 512), area[0], area[576 + 5 * 16]);
    memset(area, 0, sizeof area);
    __asm__ volatile("vzeroall\n\tmov $7, %%eax\n\txor %%edx, %%edx\n\txsaveopt %0" : "=m"(area) :: "rax", "rdx");
    printf("xsaveopt after vzeroall: bv %016llx\n", *(unsigned long long *)(area + 512));
    memset(area, 0, sizeof area);
    __asm__ volatile("vzeroall\n\tmov $7, %%eax\n\txor %%edx, %%edx\n\txsavec %0" : "=m"(area) :: "rax", "rdx");
    printf("xsavec after vzeroall: bv %016llx xcomp %016llx\n", *(unsigned long long *)(area + 512), *(unsigned long long *)(area + 520));
    return 0;
}
