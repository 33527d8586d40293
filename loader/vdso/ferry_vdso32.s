# ferry_vdso32.s -- the 32-bit vDSO ARCH_MAP_VDSO_32 maps (Linux's vdso32:
# linux-gate.so.1, ELF32 i386), ferry's own: the entry points and version
# nodes Linux 6.18's image exports (ferry_vdso32.lds), each the i386
# system call it stands for through int $0x80 (no vvar page, as the 64-bit
# ferry_vdso.S).  Plain gas, no preprocessor: loader.mk assembles it with
# the x86-64 binutils (`as --32`, `ld -m elf_i386`), no multilib compiler,
# and both ferry builds embed the same bytes (ld_vdso_image.c).  Only
# compatibility-mode code can run it; the i386 ABI passes arguments on the
# stack and keeps ebx (the system call's first argument) callee-saved.

# name: nargs (0-3) from the stack into ebx, ecx, edx; eax = nr; int $0x80
    .macro vdso32_call name, nr, nargs
    .globl \name
    .type \name, @function
    .balign 16
\name:
    .cfi_startproc
    pushl %ebx
    .cfi_adjust_cfa_offset 4
    .cfi_rel_offset %ebx, 0
    .if \nargs >= 1
    movl 8(%esp), %ebx
    .endif
    .if \nargs >= 2
    movl 12(%esp), %ecx
    .endif
    .if \nargs >= 3
    movl 16(%esp), %edx
    .endif
    movl $\nr, %eax
    int $0x80
    popl %ebx
    .cfi_adjust_cfa_offset -4
    .cfi_restore %ebx
    ret
    .cfi_endproc
    .size \name, . - \name
    .endm

    .text
# The system call gate, as Linux's vdso32 system_call.S: eax and the
# registers hold the call; ecx, edx and ebp are saved, the kernel's fast
# entries take esp from ebp and the sixth argument from [ebp].  The
# 4-byte slot is a nop here; sys_vdso.c puts the imitated machine's
# entry in the mapped copy, as Linux's alternatives patch the image:
# Intel `mov %esp,%ebp; sysenter`, AMD `mov %ecx,%ebp; syscall`.  Both
# return to the landing pad after int $0x80 (its offset: sys_vdso.c finds
# the cd 80 after the slot), and a restarted call re-runs int $0x80.
    .globl __kernel_vsyscall
    .type __kernel_vsyscall, @function
    .balign 16
__kernel_vsyscall:
    .cfi_startproc
    pushl %ecx
    .cfi_adjust_cfa_offset 4
    .cfi_rel_offset %ecx, 0
    pushl %edx
    .cfi_adjust_cfa_offset 4
    .cfi_rel_offset %edx, 0
    pushl %ebp
    .cfi_adjust_cfa_offset 4
    .cfi_rel_offset %ebp, 0
    .byte 0x0f, 0x1f, 0x40, 0x00        # the slot: nopl 0(%eax)
    int $0x80
    popl %ebp
    .cfi_adjust_cfa_offset -4
    .cfi_restore %ebp
    popl %edx
    .cfi_adjust_cfa_offset -4
    .cfi_restore %edx
    popl %ecx
    .cfi_adjust_cfa_offset -4
    .cfi_restore %ecx
    ret
    .cfi_endproc
    .size __kernel_vsyscall, . - __kernel_vsyscall

# Signal returns (the restorers of a 32-bit signal frame), as Linux's:
# sigreturn first pops the signal number.
    .globl __kernel_sigreturn
    .type __kernel_sigreturn, @function
    .balign 16
__kernel_sigreturn:
    popl %eax
    movl $119, %eax
    int $0x80
    .size __kernel_sigreturn, . - __kernel_sigreturn

    .globl __kernel_rt_sigreturn
    .type __kernel_rt_sigreturn, @function
    .balign 16
__kernel_rt_sigreturn:
    movl $173, %eax
    int $0x80
    .size __kernel_rt_sigreturn, . - __kernel_rt_sigreturn

# i386 numbers: gettimeofday 78, time 13, clock_gettime 265 (32-bit
# timespec), clock_getres 266, getcpu 318, clock_gettime64 403.
    vdso32_call __vdso_gettimeofday, 78, 2
    vdso32_call __vdso_time, 13, 1
    vdso32_call __vdso_clock_gettime, 265, 2
    vdso32_call __vdso_clock_gettime64, 403, 2
    vdso32_call __vdso_clock_getres, 266, 2
# Linux's 32-bit image has getcpu since 6.3; loader.mk also builds the
# image without it (--defsym FERRY_VDSO32_NO_GETCPU) for older releases.
    .ifndef FERRY_VDSO32_NO_GETCPU
    vdso32_call __vdso_getcpu, 318, 3
    .endif

    .section .note.GNU-stack, "", @progbits
