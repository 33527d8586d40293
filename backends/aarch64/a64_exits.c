/* a64_exits.c -- entering and leaving translated code on AArch64: the
 * enter() trampoline and epilogue (which load and store the pinned
 * globals), the unconditional block exits, the chain-slot stubs, the
 * inline jump-cache probe of indirect exits and its shared miss path, and
 * instruction-cache maintenance for emitted blocks.
 *
 * A chain slot is a single `b imm26` word.  Until the dispatcher chains
 * it, it branches to the stub right behind it, which records the target pc
 * and the block in env and returns TR_EXIT_CHAIN0 + slot.  Chaining then
 * rewrites that one aligned word (a64_chain.c).
 *
 * Return-address stack (--ras), on the host stack as the x86-64 backend
 * keeps it: a guest call pushes a 16-byte entry (host continuation, return
 * pc) below enter()'s frame and branches to its target with `bl`; the
 * continuation, right behind the `bl`, is an extra chain slot 1 that the
 * dispatcher chains to the block at the return pc like any other (and
 * invalidation unchains).  A guest ret whose target equals the top entry's
 * pc pops it and returns there with `ret`, which the host's own return
 * predictor expects (the `bl` pushed that address); otherwise the entry
 * stays and the jump cache is probed.  The comparison keeps mismatched
 * calls and returns (longjmp, signals, coroutines, rewritten return
 * addresses) correct: they only miss.  enter() pushes a base entry (pc -1,
 * leading to the jump-cache miss path) and records rt.ras_base and
 * rt.ras_limit (64 KB below); a call below the limit starts over from the
 * base, and the epilogue drops every entry, so entries live only inside
 * one enter(): flushes and invalidations, in exclusive sections when no
 * thread runs translated code, never meet a stale one.
 */
#include <stdio.h>
#include <stdlib.h>

#include "a64_emit.h"
#include "a64_vec.h"
#include "runtime.h"
#include "translator.h"

/* Frame of enter(): x29/x30 at sp, then x19..x28 in pairs. */
enum { FRAME_BYTES = 96, RAS_HOST_BYTES = 64 * 1024 };

_Static_assert(TR_OFFSET_RAS_BASE % 8 == 0 && TR_OFFSET_RAS_BASE < 32768 &&
               TR_OFFSET_RAS_LIMIT % 8 == 0 && TR_OFFSET_RAS_LIMIT < 32768,
               "one ldr/str reaches rt.ras_base and rt.ras_limit");

/* Bit k set for every pinned global k of this guest. */
static uint64_t pinned_mask(const struct ir_globals *g)
{
    int n = be_host.n_pinned < g->count ? be_host.n_pinned : g->count;
    uint64_t m = 0;
    for (int k = 0; k < n; k++)
        if (be_host.pinned_regs[k] >= 0)
            m |= 1ull << k;
    return m;
}

/* The pinned globals whose registers a C call destroys. */
static uint64_t clobbered_pinned(const struct ir_globals *g)
{
    uint64_t m = 0, all = pinned_mask(g);
    for (int k = 0; k < 64; k++)
        if ((all >> k & 1) && (be_host.call_clobbered >> be_host.pinned_regs[k] & 1))
            m |= 1ull << k;
    return m;
}

/* The base entry (host code: the miss path, whose `adr` is returned to be
 * filled in; pc -1), then rt.ras_base = sp, rt.ras_limit = sp - 64 KB. */
static uint8_t *emit_ras_base(struct be_code *c)
{
    uint8_t *adr = c->ptr;
    a64_put(c, 0);
    a64_put(c, a64_move_wide_imm(true, A64_MOVN, 0, 0, A64_TMP1));
    a64_put(c, a64_load_store_pair(false, A64_PAIR_PRE, -2, A64_TMP1, A64_SP, A64_TMP0));
    a64_put(c, a64_mov_sp(A64_TMP0, A64_SP));
    a64_ldst_env(c, 3, A64_STR, A64_TMP0, TR_OFFSET_RAS_BASE);
    a64_put(c, a64_add_sub_imm(true, true, false, true, RAS_HOST_BYTES >> 12, A64_TMP0, A64_TMP0));
    a64_ldst_env(c, 3, A64_STR, A64_TMP0, TR_OFFSET_RAS_LIMIT);
    return adr;
}

static uint8_t *emit_enter(struct be_code *c, const struct ir_globals *g)
{
    a64_put(c, a64_load_store_pair(false, A64_PAIR_PRE, -FRAME_BYTES / 8, A64_LR, A64_SP, A64_FP));
    a64_put(c, a64_mov_sp(A64_FP, A64_SP));
    for (int r = 19; r < 29; r += 2)
        a64_put(c, a64_load_store_pair(false, A64_PAIR_OFFSET, r - 17, r + 1, A64_SP, r));
    a64_put(c, a64_mov(true, A64_ENV, 0));
    a64_load_jmp_base(c);
    uint8_t *miss_adr = emit_ras_base(c);
    be_emit_pinned(c, true, pinned_mask(g), g->v);
    a64_put(c, a64_uncond_branch_reg(A64_BR, 1));
    return miss_adr;
}

static void emit_epilogue(struct be_code *c, const struct ir_globals *g)
{
    c->epilogue = c->ptr;
    be_emit_pinned(c, false, pinned_mask(g), g->v);
    a64_ldst_env(c, 3, A64_LDR, A64_TMP0, TR_OFFSET_RAS_BASE);     /* drop every entry */
    a64_put(c, a64_add_sub_imm(true, false, false, false, 16, A64_TMP0, A64_SP));
    for (int r = 19; r < 29; r += 2)
        a64_put(c, a64_load_store_pair(true, A64_PAIR_OFFSET, r - 17, r + 1, A64_SP, r));
    a64_put(c, a64_load_store_pair(true, A64_PAIR_POST, FRAME_BYTES / 8, A64_LR, A64_SP, A64_FP));
    a64_put(c, a64_ret());
}

static _Noreturn void epilogue_too_long(void)
{
    fputs("ferry: aarch64 backend: epilogue longer than A64_EPILOGUE_SLOT\n", stderr);
    abort();
}

/* A jump-cache miss (rt.pc stored): code = tr_lookup_code(env, pc), which
 * also fills the cache; if found, on into it, else back to the run loop.
 * The caller-saved pinned globals wait in env meanwhile. */
static void emit_indirect_miss(struct be_code *c, const struct ir_globals *g)
{
    uint64_t clob = clobbered_pinned(g);
    be_emit_pinned(c, false, clob, g->v);
    a64_ldst_env(c, 3, A64_LDR, be_host.call_args[1], TR_OFFSET_PC);
    be_emit_call(c, (const void *)tr_lookup_code);
    be_emit_pinned(c, true, clob, g->v);
    a64_put(c, a64_compare_branch_imm(true, false, 8, be_host.call_ret));
    a64_put(c, a64_uncond_branch_reg(A64_BR, be_host.call_ret));
    a64_put(c, a64_move_wide_imm(false, A64_MOVZ, 0, TR_EXIT_INDIRECT, be_host.call_ret));
    a64_emit_jump(c, c->epilogue);
}

void *be_emit_prologue(struct be_code *c, const struct ir_globals *globals)
{
    uint8_t *enter = c->ptr;
    uint8_t *miss_adr = emit_enter(c, globals);
    a64_vec_emit_stub(c);               /* right before the epilogue (a64_vec.c) */
    emit_epilogue(c, globals);
    if (c->ptr > c->epilogue + A64_EPILOGUE_SLOT)
        epilogue_too_long();
    while (c->ptr < c->epilogue + A64_EPILOGUE_SLOT)
        a64_put(c, 0);                  /* udf: never reached */
    c->ras_miss = c->ptr;               /* rt.pc is stored: look it up */
    uint32_t adr = a64_pc_rel_adr((int32_t)(c->ptr - miss_adr), A64_TMP0);
    __builtin_memcpy(be_writable(c, miss_adr), &adr, 4);
    emit_indirect_miss(c, globals);
    a64_tlb_emit_stub(c);               /* a software MMU's TLB miss (a64_tlb.c) */
    __builtin___clear_cache((char *)enter, (char *)c->ptr);
    return enter;
}

static void return_to_dispatcher(struct be_code *c, enum tr_exit code)
{
    a64_put(c, a64_move_wide_imm(false, A64_MOVZ, 0, code, be_host.call_ret));
    a64_emit_jump(c, c->epilogue);
}

static void store_pc(struct be_code *c, unsigned reg)
{
    a64_ldst_env(c, 3, A64_STR, reg, TR_OFFSET_PC);
}

/* pc and exit_tb are adjacent in struct tr_runtime: one stp stores both. */
_Static_assert(TR_OFFSET_EXIT_TB == TR_OFFSET_PC + 8 && TR_OFFSET_PC % 8 == 0 &&
               TR_OFFSET_PC < 504, "stp reaches rt.pc and rt.exit_tb");

void a64_emit_chain_stub(struct be_code *c, uint64_t pc, int slot)
{
    c->stub[slot] = (uint32_t)(c->ptr - c->start);
    a64_emit_movi_inline(c, A64_TMP1, pc);
    a64_emit_movi_addr(c, A64_TMP0, c->tb, BE_RELOC_BLOCK);
    a64_put(c, a64_load_store_pair(false, A64_PAIR_OFFSET, TR_OFFSET_PC / 8, A64_TMP0,
                                   A64_ENV, A64_TMP1));
    return_to_dispatcher(c, TR_EXIT_CHAIN0 + slot);
}

/* Unconditional exits are always a block's last op: the out-of-line
 * brcond exits go behind them, then everything emitted for the block is
 * made visible to instruction fetch. */
static void emit_request_stub(struct be_code *c);

static void finish_block(struct be_code *c)
{
    a64_emit_pending_cond_exits(c);
    emit_request_stub(c);
    a64_emit_canonical_stubs(c);
    a64_emit_div_stubs(c);
    a64_emit_literal_pool(c);
    __builtin___clear_cache((char *)c->start, (char *)c->ptr);
}

/* A call's return pc (the block ends with the call), or 0: no push. */
static uint64_t call_return_pc(const struct be_code *c, int xfer)
{
    return xfer == IR_XFER_CALL && c->jump_site[1] == UINT32_MAX ? c->guest_end : 0;
}

/* Below the limit: start over from the base entry. */
static void emit_ras_limit(struct be_code *c)
{
    a64_ldst_env(c, 3, A64_LDR, A64_TMP0, TR_OFFSET_RAS_LIMIT);
    a64_put(c, a64_mov_sp(A64_TMP1, A64_SP));
    a64_put(c, a64_cmp(true, A64_TMP1, A64_TMP0));
    a64_put(c, a64_cond_branch_imm(A64_HI, 12));
    a64_ldst_env(c, 3, A64_LDR, A64_TMP0, TR_OFFSET_RAS_BASE);
    a64_put(c, a64_mov_sp(A64_SP, A64_TMP0));
}

/* Pushes (continuation, ret_pc) and `bl`s over the continuation -- chain
 * slot 1, to the block at ret_pc -- to the call's own exit, which the
 * caller emits next; returns the `bl` word to point there (ras_call_lands). */
static uint8_t *emit_ras_call(struct be_code *c, uint64_t ret_pc)
{
    emit_ras_limit(c);
    a64_emit_movi_inline(c, A64_TMP1, ret_pc);
    a64_put(c, a64_pc_rel_adr(12, A64_TMP0));
    a64_put(c, a64_load_store_pair(false, A64_PAIR_PRE, -2, A64_TMP1, A64_SP, A64_TMP0));
    uint8_t *bl = c->ptr;
    a64_put(c, 0);
    c->jump_site[1] = (uint32_t)(c->ptr - c->start);
    a64_put(c, a64_uncond_branch_imm(false, 4));
    a64_emit_chain_stub(c, ret_pc, 1);
    return bl;
}

static void ras_call_lands(struct be_code *c, uint8_t *bl)
{
    uint32_t insn = a64_uncond_branch_imm(true, (int32_t)(c->ptr - bl));
    __builtin_memcpy(be_writable(c, bl), &insn, 4);
}

/* A ret: when the top entry's pc is the target, pop it and `ret` to its
 * continuation; else fall through, the entry staying. */
static void emit_ras_ret(struct be_code *c, unsigned pc)
{
    a64_put(c, a64_load_store_pair(true, A64_PAIR_OFFSET, 0, A64_TMP1, A64_SP, A64_TMP0));
    a64_put(c, a64_cmp(true, A64_TMP1, pc));
    a64_put(c, a64_cond_branch_imm(A64_NE, 12));
    a64_put(c, a64_add_sub_imm(true, false, false, false, 16, A64_SP, A64_SP));
    a64_put(c, a64_uncond_branch_reg(A64_RET, A64_TMP0));
}

void a64_emit_goto_tb(struct be_code *c, uint64_t pc, int slot, int xfer)
{
    uint64_t ret_pc = slot == 0 ? call_return_pc(c, xfer) : 0;
    if (ret_pc)
        ras_call_lands(c, emit_ras_call(c, ret_pc));
    c->jump_site[slot] = (uint32_t)(c->ptr - c->start);
    bool self = a64_hoist_self_slot(c, pc);
    uint8_t *b = c->ptr;
    a64_put(c, a64_uncond_branch_imm(false, self ? 12 : 4));
    if (self)
        a64_hoist_put_info(c, b);
    a64_emit_chain_stub(c, pc, slot);
    finish_block(c);
}

_Static_assert(sizeof(struct tr_jmp_entry) == 16 && offsetof(struct tr_jmp_entry, code) == 8,
               "ldp reads a jump-cache entry");

/* The dirty lazy-flag globals the allocator left to this exit
 * (be_code.lazy): moved into their pinned registers (x7-x9), or stored
 * (cc_src2), from a register or a constant -- never through x18 (the
 * entry's address) or x30; x16 is free here. */
static void emit_lazy_moves(struct be_code *c)
{
    for (int k = 0; k < c->n_lazy; k++) {
        const struct be_lazy *l = &c->lazy[k];
        if (l->pin >= 0 && l->reg >= 0)
            a64_put(c, a64_mov(true, (unsigned)l->pin, (unsigned)l->reg));
        else if (l->pin >= 0)
            a64_emit_movi_inline(c, l->pin, l->imm);
        else if (l->reg >= 0)
            a64_ldst_env(c, 3, A64_STR, (unsigned)l->reg, l->env_offset);
        else {
            unsigned r = l->imm ? A64_TMP0 : A64_ZR;
            if (l->imm)
                a64_emit_movi_inline(c, A64_TMP0, l->imm);
            a64_ldst_env(c, 3, A64_STR, r, l->env_offset);
        }
    }
}

/* Inline probe of this vCPU's jump cache for the pc in register `pc`
 * (never x16, x18 or x30), B = tr_jmp_bits() (14: be_host.jmp_bits), the
 * entries 32 bytes (pc, code, dead: be_desc.jmp_dead_in_entry), x18 the
 * table (a64_emit.h) with any index bits:
 *     x16 = pc + (pc >> B)              (tr_jmp_index)
 *     bfi x18, x16, #5, #B              (the table is aligned to its size:
 *                                        x18 = &entry, translator.h)
 *     ldp x16, x30, [x18]; cmp x16, pc; b.ne miss; br x30
 * falling through on a miss (where rt.pc is stored).  The bfi leaves the
 * table's own bits, so x18 stays the table for the next probe.  An exit
 * with dirty lazy globals (c->n_lazy) reads the code and the dead field
 * first, which holds pc when the block there reads no incoming flags
 * (translator.h):
 *     ldp x30, x16, [x18, #8]; cmp x16, pc; b.ne 1f; br x30
 *  1: <moves>; ldr x16, [x18]; cmp x16, pc; b.ne miss; br x30
 * a hit as short as a clean exit's, a reader 3 more than its moves.  An
 * exit request that sets x18 to the never-matching table anywhere in
 * between (exit_kick.c) makes the probe miss: each of its entries, at any
 * index, holds a pc no block has. */
static void emit_jmp_cache_probe(struct be_code *c, unsigned pc)
{
    unsigned bits = tr_jmp_bits();
    a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSR, pc, bits, pc, A64_TMP0));
    a64_put(c, a64_bfi(true, A64_JMP_BASE, A64_TMP0, tr_jmp_stride() == 2 ? 5 : 4, bits));
    if (c->n_lazy) {
        a64_put(c, a64_load_store_pair(true, A64_PAIR_OFFSET, 1, A64_TMP0, A64_JMP_BASE,
                                       A64_SCRATCH_LR));
        a64_put(c, a64_cmp(true, A64_TMP0, pc));
        uint8_t *live = c->ptr;
        a64_put(c, 0);
        a64_put(c, a64_uncond_branch_reg(A64_BR, A64_SCRATCH_LR));
        uint32_t b = a64_cond_branch_imm(A64_NE, (int32_t)(c->ptr - live));
        __builtin_memcpy(be_writable(c, live), &b, 4);
        emit_lazy_moves(c);
        c->n_lazy = 0;
        a64_put(c, a64_load_store_unsigned_imm(3, A64_LDR, 0, A64_JMP_BASE, A64_TMP0));
    } else {
        a64_put(c, a64_load_store_pair(true, A64_PAIR_OFFSET, 0, A64_SCRATCH_LR, A64_JMP_BASE,
                                       A64_TMP0));
    }
    a64_put(c, a64_cmp(true, A64_TMP0, pc));
    a64_put(c, a64_cond_branch_imm(A64_NE, 8));
    a64_put(c, a64_uncond_branch_reg(A64_BR, A64_SCRATCH_LR));
}

/* The #GP the frontend's check of a non-canonical target would have
 * raised: the ret's pop (or a call's push: a negative undo) undone, the
 * instruction's pc stored. */
static void emit_canonical_fault(struct be_code *c, const struct a64_canonical *k)
{
    int32_t undo = (int32_t)k->undo;
    uint32_t by = undo < 0 ? -(uint32_t)undo : (uint32_t)undo;
    if (by >= 4096) {
        a64_emit_movi_inline(c, A64_TMP0, by);
        a64_put(c, a64_add_sub_shifted_reg(true, undo > 0, false, A64_LSL, A64_TMP0, 0,
                                           (unsigned)k->undo_reg, (unsigned)k->undo_reg));
    } else if (by) {
        a64_put(c, a64_add_sub_imm(true, undo > 0, false, false, by, (unsigned)k->undo_reg,
                                   (unsigned)k->undo_reg));
    }
    a64_emit_movi_inline(c, A64_TMP1, k->fault_pc);
    store_pc(c, A64_TMP1);
    return_to_dispatcher(c, TR_EXIT_SIGSEGV);
}

/* On the miss path only (ir_canonical.c): a hit proves the target
 * canonical -- the jump cache and the return-address stack hold pcs of
 * translated blocks, empty entries canonical ones, and the table a
 * request swaps in never matches.  Bits 63:47 equal: sbfx; cmp; b.eq. */
static void emit_canonical_check(struct be_code *c, unsigned pc, const struct a64_canonical *k)
{
    a64_put(c, a64_sbfx(true, A64_TMP0, pc, 0, 48));
    a64_put(c, a64_cmp(true, A64_TMP0, pc));
    uint8_t *ok = c->ptr;
    a64_put(c, 0);
    emit_canonical_fault(c, k);
    uint32_t b = a64_cond_branch_imm(A64_EQ, (int32_t)(c->ptr - ok));
    __builtin_memcpy(be_writable(c, ok), &b, 4);
}

static _Noreturn void lazy_over_target(void)
{
    fputs("ferry: aarch64 backend: a lazy global's move onto the exit's target\n", stderr);
    abort();
}

static bool canonical(uint64_t pc) { return (uint64_t)((int64_t)(pc << 16) >> 16) == pc; }

/* A computed jump stays in translated code when the target is translated:
 * the inline probe, then (with `check`, the target's canonical test) the
 * shared miss path behind the epilogue.  A constant target (rare) just
 * returns to the run loop. */
void a64_emit_exit_indirect(struct be_code *c, const struct be_arg *pc, int xfer,
                            const struct a64_canonical *check)
{
    uint64_t ret_pc = call_return_pc(c, xfer);
    if (ret_pc)
        ras_call_lands(c, emit_ras_call(c, ret_pc));
    if (c->n_lazy && pc->is_const) {    /* a known target: no probe, the moves now */
        emit_lazy_moves(c);
        c->n_lazy = 0;
    }
    if (pc->is_const && check && !canonical(pc->imm)) {
        emit_canonical_fault(c, check);
        finish_block(c);
        return;
    }
    unsigned reg = a64_src(c, pc, A64_TMP1, 64);
    for (int k = 0; k < c->n_lazy; k++)
        if (c->lazy[k].pin == (int)reg)
            lazy_over_target();
    /* A hit enters its block as a chained jump does, rt.pc unread; the
     * miss path (and the return-address stack's base entry) read it.  The
     * probe leaves `reg` alone unless it is one of its scratch registers. */
    bool late = !pc->is_const && xfer != IR_XFER_RET && reg != A64_TMP0 && reg != A64_TMP1 &&
                reg != A64_SCRATCH_LR;
    if (!late)
        store_pc(c, reg);
    if (pc->is_const) {
        return_to_dispatcher(c, TR_EXIT_INDIRECT);
    } else {
        if (xfer == IR_XFER_RET)
            emit_ras_ret(c, reg);
        emit_jmp_cache_probe(c, reg);
        if (check)
            emit_canonical_check(c, reg, check);
        if (late)
            store_pc(c, reg);
        a64_emit_jump(c, c->epilogue + A64_EPILOGUE_SLOT);
    }
    finish_block(c);
}

void a64_emit_exit_inline(struct be_code *c, uint64_t pc, int code)
{
    a64_emit_movi_inline(c, A64_TMP1, pc);
    store_pc(c, A64_TMP1);
    return_to_dispatcher(c, code);
}

void a64_emit_exit_code(struct be_code *c, uint64_t pc, int code)
{
    a64_emit_movi_inline(c, A64_TMP1, pc);
    store_pc(c, A64_TMP1);
    return_to_dispatcher(c, code);
    finish_block(c);
}

/* ldr w16, [env, exit_request]; cbnz w16, <request stub> -- one load and
 * one not-taken branch per entry of a block that may loop.  The stub
 * (store pc, exit with TR_EXIT_REQUEST) goes out of line behind the
 * block's final exit, so the usual path has no taken branch. */
static __thread struct {
    const uint8_t *block;               /* the block it belongs to */
    uint32_t site;                      /* offset of the cbnz */
    uint64_t pc;
} request;

_Static_assert(TR_ENV_GUARD_PROBE % 8 == 0 && TR_ENV_GUARD_PROBE <= 32760,
               "one ldr reaches the env's guard page");

/* With a guard page: `ldr x16, [env, #guard]`, one load that faults while
 * a request is pending (exit_request.c leaves the block there). */
void a64_emit_exit_request(struct be_code *c, uint64_t pc, bool guard)
{
    if (guard) {
        a64_ldst_env(c, 3, A64_LDR, A64_TMP0, TR_ENV_GUARD_PROBE);
        return;
    }
    a64_ldst_env(c, 2, A64_LDR, A64_TMP0, TR_OFFSET_EXIT_REQUEST);
    request.block = c->start;
    request.site = (uint32_t)(c->ptr - c->start);
    request.pc = pc;
    a64_put(c, 0);                      /* the cbnz, once the stub's place is known */
}

static void emit_request_stub(struct be_code *c)
{
    if (request.block != c->start)
        return;
    request.block = NULL;
    uint8_t *cbnz = c->start + request.site;
    uint32_t word;
    __builtin_memcpy(&word, be_writable(c, cbnz), 4);
    if (word != 0)                      /* stale: an abandoned block's */
        return;
    uint32_t insn = a64_compare_branch_imm(false, true, (int32_t)(c->ptr - cbnz), A64_TMP0);
    __builtin_memcpy(be_writable(c, cbnz), &insn, 4);
    a64_emit_movi_inline(c, A64_TMP1, request.pc);
    store_pc(c, A64_TMP1);
    return_to_dispatcher(c, TR_EXIT_REQUEST);
}

/* The guard load's word, emitted again (async-signal-safe: the fault
 * handler asks; blocks from the translation cache have the same word). */
bool be_guard_load_at(uintptr_t pc)
{
    uint8_t bytes[16 + BE_MAX_INSN_BYTES];
    struct be_code c = { .start = bytes, .ptr = bytes, .end = bytes + 16 };
    a64_emit_exit_request(&c, 0, true);
    return memcmp((const void *)pc, bytes, (size_t)(c.ptr - bytes)) == 0;
}
