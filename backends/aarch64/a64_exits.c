/* a64_exits.c -- entering and leaving translated code on AArch64: the
 * enter() trampoline and epilogue, the unconditional block exits, the
 * chain-slot stubs, and instruction-cache maintenance for emitted blocks.
 *
 * A chain slot is a single `b imm26` word.  Until the dispatcher chains
 * it, it branches to the stub right behind it, which records the target pc
 * and the block in env and returns TR_EXIT_CHAIN0 + slot.  Chaining then
 * rewrites that one aligned word (a64_chain.c).
 */
#include "a64_emit.h"
#include "runtime.h"

/* Frame of enter(): x29/x30 at sp, then x19..x28 in pairs. */
enum { FRAME_BYTES = 96 };

void *be_emit_prologue(struct be_code *c)
{
    uint8_t *enter = c->ptr;
    a64_put(c, a64_load_store_pair(false, A64_PAIR_PRE, -FRAME_BYTES / 8, A64_LR, A64_SP, A64_FP));
    a64_put(c, a64_mov_sp(A64_FP, A64_SP));
    for (int r = 19; r < 29; r += 2)
        a64_put(c, a64_load_store_pair(false, A64_PAIR_OFFSET, r - 17, r + 1, A64_SP, r));
    a64_put(c, a64_mov(true, A64_ENV, 0));
    a64_put(c, a64_uncond_branch_reg(A64_BR, 1));

    c->epilogue = c->ptr;
    for (int r = 19; r < 29; r += 2)
        a64_put(c, a64_load_store_pair(true, A64_PAIR_OFFSET, r - 17, r + 1, A64_SP, r));
    a64_put(c, a64_load_store_pair(true, A64_PAIR_POST, FRAME_BYTES / 8, A64_LR, A64_SP, A64_FP));
    a64_put(c, a64_ret());
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
    be_emit_movi(c, A64_TMP1, pc);
    be_emit_movi(c, A64_TMP0, (uint64_t)(uintptr_t)c->tb);
    a64_put(c, a64_load_store_pair(false, A64_PAIR_OFFSET, TR_OFFSET_PC / 8, A64_TMP0,
                                   A64_ENV, A64_TMP1));
    return_to_dispatcher(c, TR_EXIT_CHAIN0 + slot);
}

/* Unconditional exits are always a block's last op: the out-of-line
 * brcond exits go behind them, then everything emitted for the block is
 * made visible to instruction fetch. */
static void finish_block(struct be_code *c)
{
    a64_emit_pending_cond_exits(c);
    __builtin___clear_cache((char *)c->start, (char *)c->ptr);
}

void a64_emit_goto_tb(struct be_code *c, uint64_t pc, int slot)
{
    c->jump_site[slot] = (uint32_t)(c->ptr - c->start);
    a64_put(c, a64_uncond_branch_imm(false, 4));
    a64_emit_chain_stub(c, pc, slot);
    finish_block(c);
}

void a64_emit_exit_indirect(struct be_code *c, const struct be_arg *pc)
{
    store_pc(c, a64_src(c, pc, A64_TMP1, 64));
    return_to_dispatcher(c, TR_EXIT_INDIRECT);
    finish_block(c);
}

void a64_emit_exit_code(struct be_code *c, uint64_t pc, int code)
{
    be_emit_movi(c, A64_TMP1, pc);
    store_pc(c, A64_TMP1);
    return_to_dispatcher(c, code);
    finish_block(c);
}

/* ldr w16, [env, exit_request]; cbz w16, on; <exit with TR_EXIT_REQUEST>
 * on: -- one load and one not-taken branch per block entry. */
void a64_emit_exit_request(struct be_code *c, uint64_t pc)
{
    a64_ldst_env(c, 2, A64_LDR, A64_TMP0, TR_OFFSET_EXIT_REQUEST);
    uint8_t *cbz = c->ptr;
    a64_put(c, 0);
    be_emit_movi(c, A64_TMP1, pc);
    store_pc(c, A64_TMP1);
    return_to_dispatcher(c, TR_EXIT_REQUEST);
    uint32_t insn = a64_compare_branch_imm(false, false, (int32_t)(c->ptr - cbz), A64_TMP0);
    __builtin_memcpy(cbz, &insn, 4);
}
