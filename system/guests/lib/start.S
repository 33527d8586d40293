/* start.S -- entry of the freestanding test guests. The VMM starts every
 * vCPU here in 64-bit mode with RDI = vCPU index, RSI = vCPU count; each
 * takes its own 16 KiB stack and calls guest_entry(cpu, ncpus). */
    .section .text.start, "ax"
    .globl _start
_start:
    cli
    mov %rdi, %rax
    and $7, %rax
    inc %rax
    shl $14, %rax
    lea guest_stacks(%rip), %rsp
    add %rax, %rsp
    call guest_entry
1:  hlt
    jmp 1b

    .bss
    .align 16
guest_stacks:
    .skip 16384 * 8
    .section .note.GNU-stack, "", @progbits
