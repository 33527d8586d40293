/* x64_pinned.c -- which guest globals live in x86-64 host registers across
 * blocks (be_desc.pinned_regs, x64_desc.c) and moving them between those
 * registers and env (be_emit_pinned): enter() loads them all, the epilogue
 * stores them all, and the allocator writes back / reloads them around
 * helpers that look at the CPU state.
 *
 * The five callee-saved registers left besides env (rbx, rbp, r12, r13,
 * r15) and three caller-saved ones (r9, r10, r11) pin guest registers;
 * the allocator keeps rsi, rdi and r8 for temporaries.  r9 is a C
 * argument register (a helper's fifth argument goes there): a helper
 * call places its arguments with the pinned globals in argument
 * registers read from env (regalloc.c, forget_pinned_in_args).  A C call the
 * allocator emits stores the caller-saved ones first (regalloc.c,
 * evacuate_pinned); the jump-cache miss call (x64_exits.c) pushes and
 * pops them (x64_clobbered_pins), the vector helper stub (x64_vec.c)
 * and the TLB stub (x64_tlb.c) save them with the allocator's.
 * Which guest registers: the ones host-code profiles of gzip, xz, bzip2,
 * perl and python3 load and store most (tests/bench/hostprof.py,
 * docs/status.md): rax, rcx, rdx (results, counts, the first arguments),
 * rdi and rsi (the first two arguments, string pointers), rsp (every
 * push, pop, call, ret and stack slot) and rbx (callee-saved: loop state
 * in perl, python3, xz), and rbp (session 27: the unpinned guest register
 * with the most env traffic in python3, sqlite3, cc1 and perl, 2.1-3.4 %
 * of their host instructions; taking r9 from the allocator for it cut
 * 1.2-2.5 %, and four allocatable registers to two (r8 too) left exits
 * with none).  Guest rsp goes in rbx, rdi in r15: as memory bases they
 * need neither a SIB byte (r12) nor a displacement (rbp, r13). */
#include "x64_backend.h"

const int8_t x64_pinned_regs[X64_N_PINNED] = {
    X64_R12, X64_R13, X64_RBP, X64_R10, X64_RBX, X64_R9, X64_R11, X64_R15,
    -1, -1, -1, -1, X64_R8, X64_RDI,
};

void be_emit_pinned(struct be_code *c, bool load, uint64_t mask, const struct ir_value *g)
{
    for (int k = 0; k < X64_N_PINNED; k++) {
        if (!(mask >> k & 1) || x64_pinned_regs[k] < 0)
            continue;
        if (load)
            be_emit_ld_env(c, x64_pinned_regs[k], g[k].env_offset);
        else
            be_emit_st_env(c, x64_pinned_regs[k], g[k].env_offset);
    }
}

const int8_t x64_clobbered_pins[X64_N_CLOBBERED_PINS] = {
    X64_RDI, X64_R8, X64_R9, X64_R10, X64_R11,
};

/* Bit k set for every pinned global k of this guest. */
uint64_t x64_pinned_mask(const struct ir_globals *g)
{
    uint64_t m = 0;
    for (int k = 0; k < X64_N_PINNED && k < g->count; k++)
        if (x64_pinned_regs[k] >= 0)
            m |= 1ull << k;
    return m;
}
