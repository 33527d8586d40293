/* arch_prctl_x86.c -- arch_prctl's options besides the fs/gs bases, as
 * this kernel answers them on this CPU: CPUID faulting (GET_CPUID;
 * SET_CPUID ENODEV where the CPU has none -- the AMD measured -- else 0,
 * and CPUID then faults: SIGSEGV, SI_KERNEL, trap 13, in this thread and
 * a fork child, until SET_CPUID 1 -- this Intel host), the xstate
 * permissions (a bad pointer EFAULT; REQ_XCOMP_PERM EINVAL past Linux's
 * count of components, EOPNOTSUPP for x87, SSE and AVX, and for the rest
 * either success for a component GET_XCOMP_SUPP has -- AMX's tile data
 * here -- or EOPNOTSUPP), ARCH_MAP_VDSO_* while a vDSO is mapped (EEXIST),
 * LAM and shadow stacks (EINVAL), an unknown option (EINVAL); iopl and
 * ioperm (ENOSYS: Linux without CONFIG_X86_IOPL_IOPERM).  The supported
 * mask itself differs by CPU (AVX-512 on AMD, AMX on this Intel; ferry's
 * XCR0 stops at AVX): only its x87/SSE/AVX bits, the permitted ones and
 * that nothing unsupported is permitted are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    printf("%s: %ld %s\n", what, r, r < 0 ? strerror(errno) : "");
}

static sigjmp_buf jb;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    printf("sig %d code %d trapno %lld err %lld\n", sig, si->si_code,
           (long long)uc->uc_mcontext.gregs[REG_TRAPNO], (long long)uc->uc_mcontext.gregs[REG_ERR]);
    siglongjmp(jb, 1);
}

/* GET_CPUID, then CPUID leaf 0: runs or faults. */
static void try_cpuid(const char *when)
{
    printf("%s: GET_CPUID %ld, cpuid: ", when, syscall(SYS_arch_prctl, 0x1011, 0));
    fflush(stdout);
    if (sigsetjmp(jb, 1))
        return;
    unsigned a = 0, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    printf("ran, max leaf > 0: %d\n", a > 0);
}

static void cpuid_faulting(void)
{
    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    show("GET_CPUID", syscall(SYS_arch_prctl, 0x1011, 0));
    try_cpuid("start");
    show("SET_CPUID 0", syscall(SYS_arch_prctl, 0x1012, 0));
    try_cpuid("after SET_CPUID 0");
    if (fork() == 0) {
        try_cpuid("fork child");
        _exit(0);
    }
    wait(NULL);
    show("SET_CPUID 1", syscall(SYS_arch_prctl, 0x1012, 1));
    try_cpuid("after SET_CPUID 1");
    signal(SIGSEGV, SIG_DFL);
}

/* A component request: errors exactly for x87/SSE/AVX and past Linux's
 * count; for the rest whether the answer fits GET_XCOMP_SUPP: success
 * only for a supported component, else EOPNOTSUPP. */
static void request(const char *name, long op, long idx, uint64_t supp)
{
    char what[48];
    snprintf(what, sizeof what, "%s %ld", name, idx);
    long r = syscall(SYS_arch_prctl, op, idx);
    if (idx < 3 || idx >= 20) {
        show(what, r);
        return;
    }
    int fits = r == 0 ? (int)(supp >> idx & 1) : errno == EOPNOTSUPP;
    printf("%s: fits GET_XCOMP_SUPP: %d\n", what, fits);
}

int main(void)
{
    uint64_t supp = 0, perm = 0, gperm = 0;
    setvbuf(stdout, NULL, _IONBF, 0);
    cpuid_faulting();
    show("GET_XCOMP_SUPP", syscall(SYS_arch_prctl, 0x1021, &supp));
    show("GET_XCOMP_PERM", syscall(SYS_arch_prctl, 0x1022, &perm));
    show("GET_XCOMP_GUEST_PERM", syscall(SYS_arch_prctl, 0x1024, &gperm));
    printf("x87|SSE|AVX supported: %d, permitted: %d, guest: %d\n", (int)(supp & 7),
           (int)(perm & 7), (int)(gperm & 7));
    printf("permitted within supported: %d, guest: %d\n", !(perm & ~supp), !(gperm & ~supp));
    show("GET_XCOMP_SUPP bad pointer", syscall(SYS_arch_prctl, 0x1021, (void *)8));
    for (long idx = -1; idx <= 64; idx++) {
        request("REQ_XCOMP_PERM", 0x1023, idx, supp);
        request("REQ_XCOMP_GUEST_PERM", 0x1025, idx, supp);
    }
    perm = gperm = ~0ull;
    syscall(SYS_arch_prctl, 0x1022, &perm);
    syscall(SYS_arch_prctl, 0x1024, &gperm);
    printf("after the requests: x87|SSE|AVX permitted: %d, guest: %d; within supported: %d, %d\n",
           (int)(perm & 7), (int)(gperm & 7), !(perm & ~supp), !(gperm & ~supp));
    show("MAP_VDSO_X32", syscall(SYS_arch_prctl, 0x2001, 0x100000000000ul));
    show("MAP_VDSO_32", syscall(SYS_arch_prctl, 0x2002, 0x100000000000ul));
    show("MAP_VDSO_64", syscall(SYS_arch_prctl, 0x2003, 0x100000000000ul));
    for (int opt = 0x4001; opt <= 0x4004; opt++) {
        char what[32];
        uint64_t v = 0;
        snprintf(what, sizeof what, "LAM %#x", opt);
        show(what, syscall(SYS_arch_prctl, opt, opt == 0x4002 ? 6ul : (unsigned long)&v));
    }
    for (int opt = 0x5001; opt <= 0x5005; opt++) {
        char what[32];
        uint64_t v = 0;
        snprintf(what, sizeof what, "SHSTK %#x", opt);
        show(what, syscall(SYS_arch_prctl, opt, opt == 0x5005 ? (unsigned long)&v : 1ul));
    }
    show("unknown 0x9999", syscall(SYS_arch_prctl, 0x9999, 0));
    show("iopl 3", syscall(SYS_iopl, 3));
    show("ioperm", syscall(SYS_ioperm, 0x80ul, 1ul, 1));
    return 0;
}
