/* a64_split_model.c -- with FERRY_A64_SPLIT_STORES=1, a model of AArch64
 * hardware that writes the part of a page-crossing general-register `str`
 * that it can before the store faults (the architecture allows it;
 * qemu-user's store, one x86 store on this machine's host, never does).
 * For tests only (tests/guest/store_cross_probe.c): the fault handler,
 * before it reads the fault, writes every byte of such a store that lies
 * on a writable page, so that under qemu-user a store that reaches the
 * host `str` while it crosses a page leaves what such hardware would
 * leave.  a64_store_cross.c's probes fault first, on one byte, which
 * this model leaves alone: with them the guest sees memory unchanged.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <ucontext.h>

#include "a64_emit.h"

static int enabled = -1;
static __thread sigjmp_buf *volatile probe;   /* set around the write itself */

void a64_split_model_fault(void)
{
    if (probe)
        siglongjmp(*probe, 1);
}

static void try_byte(uint64_t addr, uint8_t v)
{
    sigjmp_buf env;
    if (sigsetjmp(env, 0)) {
        probe = NULL;
        return;
    }
    probe = &env;
    *(volatile uint8_t *)(uintptr_t)addr = v;
    probe = NULL;
}

/* A general-register store (str, strh, stur, pre/post-index, register
 * offset): not SIMD, not a pair, not an exclusive or atomic. */
static bool gpr_store(uint32_t w)
{
    if (w & (1u << 26) || (w >> 22 & 3) != 0)
        return false;
    if ((w & 0x3b000000u) == 0x39000000u)
        return true;
    return (w & 0x3b000000u) == 0x38000000u && (!(w & (1u << 21)) || (w >> 10 & 3) == 2);
}

void a64_split_model_store(const void *uc)
{
    if (enabled < 0) {
        const char *e = getenv("FERRY_A64_SPLIT_STORES");
        enabled = e && e[0] == '1';
    }
    if (!enabled)
        return;
    uintptr_t pc = be_ucontext_pc(uc);
    uint32_t w;
    __builtin_memcpy(&w, (const void *)pc, 4);
    uint64_t addr;
    unsigned bytes;
    if (!gpr_store(w) || !be_fault_access(uc, pc, &addr, &bytes) || bytes < 2 ||
        (addr & 0xfff) + bytes - 1 <= 0xfff)
        return;
    uint64_t v = (w & 31) == 31 ? 0 : be_ucontext_reg(uc, (int)(w & 31));
    for (unsigned k = 0; k < bytes; k++)
        try_byte(addr + k, (uint8_t)(v >> 8 * k));
}
