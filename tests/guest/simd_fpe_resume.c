/* simd_fpe_resume.c -- unmasked SIMD floating-point exceptions in VEX,
 * FMA and F16C forms (session 42 probe): vdivps ZE/IE/PE, vmulps OE/UE,
 * vsqrtps IE, vfmadd213ps UE, vcvtps2ph OE, vcvttps2dq IE, vdivss ZE,
 * vmaxps DE, and vaddps with DAZ (no fault): SIGFPE's si_code, REG_TRAPNO
 * and the frame's MXCSR; the handler masks everything in the frame and
 * returns, so the instruction runs again masked: its result and the
 * flags after. */
//@cflags: -mavx2 -mfma -mf16c
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <immintrin.h>

static volatile int n, code; static volatile long trap, err; static volatile uint32_t mx_seen;
static void h(int s, siginfo_t *si, void *c)
{
    ucontext_t *u = c;
    n++; code = si->si_code; trap = u->uc_mcontext.gregs[REG_TRAPNO]; err = u->uc_mcontext.gregs[REG_ERR];
    mx_seen = u->uc_mcontext.fpregs->mxcsr;
    u->uc_mcontext.fpregs->mxcsr |= 0x1f80;
    (void)s;
}
#define RUN(NAME, MX, TEXT) do { float out[8]; uint32_t mx = MX, after; n = 0; mx_seen = 0; \
    __asm__ volatile("ldmxcsr %[mx]\n\t" TEXT "\n\tvmovups %%ymm2, %[o]\n\tstmxcsr %[a]\n\tmovl $0x1f80, %[mx]\n\tldmxcsr %[mx]" \
                     : [o] "=m"(out), [a] "=m"(after), [mx] "+m"(mx) : [x] "x"(xs), [y] "x"(ys) : "xmm2", "xmm3"); \
    uint32_t ob[8]; memcpy(ob, out, 32); \
    printf("%-10s n %d code %d trap %ld err %ld seen %04x after %04x out %08x %08x %08x\n", NAME, n, code, trap, err, mx_seen, after, ob[0], ob[1], ob[7]); } while (0)
int main(void)
{
    struct sigaction sa = { 0 }; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO; sigaction(SIGFPE, &sa, 0);
    __m256 xs = _mm256_setr_ps(1.0f, 0.0f, -1.0f, 3e38f, 1e-38f, 2.0f, 5.0f, 0.0f);
    __m256 ys = _mm256_setr_ps(0.0f, 0.0f, 3.0f, 10.0f, 1e-3f, 1.0f, 1.0f, 7.0f);
    RUN("vdivps ZE", 0x1d80, "vdivps %[y], %[x], %%ymm2");
    RUN("vdivps IE", 0x1f00, "vdivps %[y], %[x], %%ymm2");
    RUN("vmulps OE", 0x1780, "vmulps %[y], %[x], %%ymm2");
    RUN("vmulps UE", 0x1b80, "vmulps %[y], %[x], %%ymm2");
    RUN("vdivps PE", 0x0f80, "vdivps %[y], %[x], %%ymm2");
    RUN("vsqrtps IE", 0x1f00, "vsqrtps %[x], %%ymm2");
    RUN("vfmadd UE", 0x1b80, "vmovaps %[x], %%ymm2\n\tvfmadd213ps %[y], %[y], %%ymm2");
    RUN("vcvtps2ph OE", 0x1780, "vcvtps2ph $0, %[x], %%xmm3\n\tvcvtph2ps %%xmm3, %%ymm2");
    RUN("vcvttps2dq IE", 0x1f00, "vcvttps2dq %[x], %%ymm2");
    RUN("vdivss ZE", 0x1d80, "vdivss %x[y], %x[x], %%xmm2");
    RUN("vmaxps DE", 0x1e80, "vmaxps %[y], %[x], %%ymm2");
    RUN("vaddps DAZ DE", 0x1ec0, "vaddps %[y], %[x], %%ymm2");
    return 0;
}
