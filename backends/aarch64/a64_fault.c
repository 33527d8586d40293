/* a64_fault.c -- reading the interrupted AArch64 host state out of a signal
 * handler's ucontext (host faults on guest memory in translated code). */
#define _GNU_SOURCE
#include <signal.h>
#include <ucontext.h>

#include "a64_emit.h"

uintptr_t be_ucontext_pc(const void *uc)
{
    return (uintptr_t)((const ucontext_t *)uc)->uc_mcontext.pc;
}

/* x0..x30; 31 (sp/xzr) is never an allocated register. */
uint64_t be_ucontext_reg(const void *uc, int reg)
{
    const mcontext_t *m = &((const ucontext_t *)uc)->uc_mcontext;
    return reg >= 0 && reg < 31 ? m->regs[reg] : 0;
}
