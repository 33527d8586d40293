/* arch_prctl_x86.c -- arch_prctl's options besides the fs/gs bases, as
 * this kernel answers them on this CPU: CPUID faulting (GET_CPUID 1,
 * SET_CPUID ENODEV: the CPU has none), the xstate permissions (the
 * supported mask has x87 and SSE; REQ_XCOMP_PERM EOPNOTSUPP for every
 * component below Linux's count, EINVAL past it; a bad pointer EFAULT),
 * ARCH_MAP_VDSO_* while a vDSO is mapped (EEXIST), LAM and shadow stacks
 * (EINVAL), an unknown option (EINVAL); iopl and ioperm (ENOSYS: Linux
 * without CONFIG_X86_IOPL_IOPERM).  The supported mask itself differs
 * (this AMD has AVX-512, ferry's XCR0 stops at AVX): only its x87/SSE
 * bits and whether GET_XCOMP_PERM equals it are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    printf("%s: %ld %s\n", what, r, r < 0 ? strerror(errno) : "");
}

int main(void)
{
    uint64_t supp = 0, perm = 0, gperm = 0;
    show("GET_CPUID", syscall(SYS_arch_prctl, 0x1011, 0));
    show("SET_CPUID 0", syscall(SYS_arch_prctl, 0x1012, 0));
    show("SET_CPUID 1", syscall(SYS_arch_prctl, 0x1012, 1));
    show("GET_XCOMP_SUPP", syscall(SYS_arch_prctl, 0x1021, &supp));
    show("GET_XCOMP_PERM", syscall(SYS_arch_prctl, 0x1022, &perm));
    show("GET_XCOMP_GUEST_PERM", syscall(SYS_arch_prctl, 0x1024, &gperm));
    printf("x87|SSE supported: %d, permitted = supported: %d, guest: %d\n", (int)(supp & 3),
           perm == supp, gperm == supp);
    show("GET_XCOMP_SUPP bad pointer", syscall(SYS_arch_prctl, 0x1021, (void *)8));
    for (long idx = -1; idx <= 64; idx++) {
        char what[48];
        snprintf(what, sizeof what, "REQ_XCOMP_PERM %ld", idx);
        show(what, syscall(SYS_arch_prctl, 0x1023, idx));
        snprintf(what, sizeof what, "REQ_XCOMP_GUEST_PERM %ld", idx);
        show(what, syscall(SYS_arch_prctl, 0x1025, idx));
    }
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
