/* smc.c -- self-modifying code.  Guest code on pages the guest can write
 * (JITs, RWX mappings) may change without any syscall telling us.  Blocks
 * translated from such pages (the guest-memory interface says which are)
 * keep a copy of their guest bytes (outside the code cache) and start
 * with a helper call that compares them; on a mismatch the helper returns
 * to the run loop, which drops the blocks of that page (tc_pages.c) and
 * translates the block again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr_internal.h"

static uint64_t smc_check(void *env, uint64_t tb_addr)
{
    const struct tr_block *tb = (const struct tr_block *)(uintptr_t)tb_addr;
    if (memcmp(tr_guest_ptr(env, tb->guest_pc), tb->guest_copy, tb->guest_size))
        tr_raise(env, TR_EXIT_STALE, tb->guest_pc);
    return 0;
}

static const struct ir_helper smc_helper = {
    .fn = (void *)smc_check, .name = "smc_check", .n_args = 1,
    .flags = IR_HELPER_RW_GLOBALS,
};

/* Puts the check in front of the block's IR. */
void smc_guard_block(struct ir_block *b, struct tr_block *tb)
{
    if (b->n_insns + 1 > IR_MAX_INSNS || b->n_values + 1 > IR_MAX_VALUES)
        return;
    memmove(&b->insns[1], &b->insns[0], sizeof(b->insns[0]) * (size_t)b->n_insns);
    int n = b->n_insns;
    b->n_insns = 0;
    ir_ref arg = ir_const(b, (uint64_t)(uintptr_t)tb);
    ir_call(b, &smc_helper, IR_NONE, &arg);
    b->n_insns = n + 1;
}

void smc_keep_bytes(struct tr_engine *e, struct tr_block *tb)
{
    tb->guest_copy = malloc(tb->guest_size ? tb->guest_size : 1);
    if (!tb->guest_copy) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    memcpy(tb->guest_copy, tr_g2h(e->cfg.mem, tb->guest_pc), tb->guest_size);
}
