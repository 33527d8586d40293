/* x64_fault.c -- reading the interrupted x86-64 host state out of a signal
 * handler's ucontext (host faults in translated code). */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "x64_backend.h"

/* gregs[] index of each host register number (rax..r15). */
static const int x64_greg_index[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

uintptr_t be_ucontext_pc(const void *uc)
{
    return (uintptr_t)((const ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
}

uint64_t be_ucontext_reg(const void *uc, int reg)
{
    const ucontext_t *u = uc;
    if (reg >= BE_FAULT_VREG) {     /* half of xmm v (backend.h) */
        int v = (reg - BE_FAULT_VREG) >> 1, h = (reg - BE_FAULT_VREG) & 1;
        uint64_t x;
        memcpy(&x, &u->uc_mcontext.fpregs->_xmm[v & 15].element[2 * h], sizeof(x));
        return x;
    }
    return (uint64_t)((const ucontext_t *)uc)->uc_mcontext.gregs[x64_greg_index[reg & 15]];
}
