/* syscalls.h -- the x86-64 Linux syscall layer. */
#ifndef FERRY_SYSCALLS_H
#define FERRY_SYSCALLS_H

#include <stdint.h>

#include "x86_cpu.h"

struct sys_process {
    uint64_t brk_start, brk_cur, brk_mapped;    /* emulated program break */
    const char *exe_path;                       /* guest program, for /proc/self/exe */
};
extern struct sys_process sys_proc;

/* Runs the syscall described by cpu->regs (rax = number, rdi, rsi, rdx,
 * r10, r8, r9) and writes the result (or -errno) to rax; sets rcx and r11
 * as the hardware does. Unknown numbers return -ENOSYS. */
void sys_x86_64_syscall(struct x86_cpu *cpu);

#endif
