/* signal_xstate_xcr0.c -- the signal frame's XSAVE layout agrees with the
 * machine's XCR0 and CPUID: xfeatures within XCR0 (xgetbv) and equal to it
 * in x87|SSE|AVX, AVX there exactly when CPUID.1:ECX has it, the sizes
 * (xstate_size at least the legacy region, header and, with AVX, the YMM
 * upper halves; at most CPUID.(0xD,0):ECX; extended_size = xstate_size + 4;
 * FP_XSTATE_MAGIC2 at xstate_size) and ARCH_GET_XCOMP_SUPP's x87|SSE|AVX.
 * Then the program runs itself again with FERRY_X86_MACHINE naming this
 * CPU's vendor without AVX: natively the variable means nothing and the
 * same lines print; under ferry the imitated machine lacks AVX, and the
 * frame must follow its XCR0 of 3 (576 bytes), not the AVX machine's. */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "machine_rerun.h"

#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u
#define ARCH_GET_XCOMP_SUPP 0x1021

struct sw_bytes { uint32_t magic1, extended_size; uint64_t xfeatures; uint32_t xstate_size; };

static struct sw_bytes sw;
static uint32_t magic2;

static uint64_t xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static void on_usr1(int sig, siginfo_t *info, void *ctx)
{
    const unsigned char *fp = (const unsigned char *)((ucontext_t *)ctx)->uc_mcontext.fpregs;
    (void)sig, (void)info;
    memcpy(&sw, fp + 464, sizeof sw);
    if (sw.magic1 == MAGIC1 && sw.xstate_size < 65536)
        memcpy(&magic2, fp + sw.xstate_size, 4);
}

static void report(const char *label)
{
    unsigned a, b, c, d, max_size;
    __cpuid(1, a, b, c, d);
    int avx = c >> 28 & 1;
    __cpuid_count(0xd, 0, a, b, max_size, d);
    uint64_t x = xcr0(), supp = 0;
    syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &supp);
    struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("%s: magic1 %d, xfeatures within XCR0 %d, x87|SSE|AVX as XCR0's %d, "
           "AVX in xfeatures as CPUID's %d\n", label, sw.magic1 == MAGIC1,
           (sw.xfeatures & ~x) == 0, (sw.xfeatures & 7) == (x & 7),
           (int)(sw.xfeatures >> 2 & 1) == avx);
    printf("%s: xstate_size large enough %d, within CPUID's maximum %d, extended_size %d, "
           "magic2 %d, XCOMP_SUPP x87|SSE|AVX as XCR0's %d\n", label,
           sw.xstate_size >= 576u + (avx ? 256u : 0u), sw.xstate_size <= max_size,
           sw.extended_size == sw.xstate_size + 4, magic2 == MAGIC2, (supp & 7) == (x & 7));
}

int main(int argc, char **argv)
{
    report(argc > 1 ? "without AVX" : "this machine");
    fflush(stdout);
    return argc > 1 ? 0 : machine_rerun(argv, "noavx");
}
