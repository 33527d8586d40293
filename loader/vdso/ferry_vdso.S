/* ferry_vdso.S -- the guest's vDSO: the x86-64 shared object ferry maps
 * into every guest and announces in AT_SYSINFO_EHDR, as Linux gives every
 * x86-64 process one.  Built at build time by the x86-64 toolchain
 * (loader.mk) and embedded in both ferry builds (ld_vdso_image.c).
 *
 * Linux's functions read the time from a vvar page the kernel keeps up to
 * date; ferry has no such page, so each function here is the system call
 * it stands for.  It runs translated like any guest code, and costs what
 * glibc's fallback syscall cost before.  Each is a leaf that leaves rsp
 * alone: the CFI is the default rule (return address at the CFA - 8), so
 * unwinders and debuggers step through it.  The exported names and their
 * version node (LINUX_2.6) are Linux's (ferry_vdso.lds). */

#define VDSO_SYSCALL(name, nr)          \
    .globl __vdso_##name;               \
    .type __vdso_##name, @function;     \
    .weak name;                         \
    .type name, @function;              \
    .balign 16;                         \
__vdso_##name:                          \
name:                                   \
    .cfi_startproc;                     \
    movl $nr, %eax;                     \
    syscall;                            \
    ret;                                \
    .cfi_endproc;                       \
    .size __vdso_##name, . - __vdso_##name; \
    .size name, . - __vdso_##name

    .text
VDSO_SYSCALL(clock_gettime, 228)
VDSO_SYSCALL(gettimeofday, 96)
VDSO_SYSCALL(time, 201)
VDSO_SYSCALL(getcpu, 309)
VDSO_SYSCALL(clock_getres, 229)

    .section .note.GNU-stack, "", @progbits
