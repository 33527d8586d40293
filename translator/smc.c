/* smc.c -- self-modifying code.  Guest code on pages the guest can write
 * (JITs, RWX mappings) may change without any syscall telling us.  Blocks
 * translated from such pages keep a copy of their guest bytes (outside the
 * code cache) and start with a helper call that compares them; on a
 * mismatch the helper returns to the dispatcher, which flushes the cache.
 * Which pages are writable comes from /proc/self/maps, re-read after the
 * guest's mmap/mprotect/munmap (tr_invalidate). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr_internal.h"

#define SMC_MAX_MAPS 4096

static struct { uint64_t lo, hi; bool writable; } smc_maps[SMC_MAX_MAPS];
static int smc_n_maps;
static bool smc_stale = true;

void smc_maps_changed(void) { smc_stale = true; }

static void read_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512], perms[8];
    unsigned long lo, hi;
    smc_n_maps = 0;
    smc_stale = false;
    if (!f)
        return;
    while (smc_n_maps < SMC_MAX_MAPS && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
            smc_maps[smc_n_maps].lo = lo;
            smc_maps[smc_n_maps].hi = hi;
            smc_maps[smc_n_maps++].writable = perms[1] == 'w';
        }
    fclose(f);
}

/* -1: not mapped as far as we know, else whether [start,len) is writable. */
static int lookup(uint64_t start, uint64_t len)
{
    bool found = false;
    for (int k = 0; k < smc_n_maps; k++) {
        if (start >= smc_maps[k].hi || start + len <= smc_maps[k].lo)
            continue;
        if (smc_maps[k].writable)
            return 1;
        found = true;
    }
    return found ? 0 : -1;
}

bool smc_range_writable(uint64_t start, uint64_t len)
{
    if (smc_stale)
        read_maps();
    int w = lookup(start, len ? len : 1);
    if (w < 0) {
        read_maps();
        w = lookup(start, len ? len : 1);
    }
    return w != 0;
}

static uint64_t smc_check(void *env, uint64_t tb_addr)
{
    const struct tr_block *tb = (const struct tr_block *)(uintptr_t)tb_addr;
    if (memcmp((const void *)(uintptr_t)tb->guest_pc, tb->guest_copy, tb->guest_size))
        tr_raise(env, TR_EXIT_FLUSH, tb->guest_pc);
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

void smc_keep_bytes(struct tr_block *tb)
{
    tb->guest_copy = malloc(tb->guest_size ? tb->guest_size : 1);
    if (!tb->guest_copy) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    memcpy(tb->guest_copy, (const void *)(uintptr_t)tb->guest_pc, tb->guest_size);
}
