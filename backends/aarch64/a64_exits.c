/* a64_exits.c -- entering and leaving translated code on AArch64: the
 * enter() trampoline and epilogue, the block-exit ops, chain-slot
 * patching, and instruction-cache maintenance for emitted blocks.
 *
 * A chain slot is a single `b imm26` word.  Until the dispatcher chains
 * it, it branches to the stub right behind it, which records the target pc
 * and the block in env and returns TR_EXIT_CHAIN0 + slot.  Chaining then
 * rewrites that one aligned word, which is atomic for instruction fetch.
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

/* Makes everything emitted for this block visible to instruction fetch.
 * Unconditional exits are always a block's last op, so this runs once. */
static void finish_block(struct be_code *c)
{
    __builtin___clear_cache((char *)c->start, (char *)c->ptr);
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

/* The patchable jump of `slot` and, right behind it, its stub. */
static void emit_chain_slot(struct be_code *c, uint64_t pc, int slot)
{
    c->jump_site[slot] = (uint32_t)(c->ptr - c->start);
    a64_put(c, a64_uncond_branch_imm(false, 4));
    be_emit_movi(c, A64_TMP1, pc);
    store_pc(c, A64_TMP1);
    be_emit_movi(c, A64_TMP1, (uint64_t)(uintptr_t)c->tb);
    a64_ldst_env(c, 3, A64_STR, A64_TMP1, TR_OFFSET_EXIT_TB);
    return_to_dispatcher(c, TR_EXIT_CHAIN0 + slot);
}

void a64_emit_goto_tb(struct be_code *c, uint64_t pc, int slot)
{
    emit_chain_slot(c, pc, slot);
    finish_block(c);
}

static bool is_zero_const(const struct be_arg *a, int size)
{
    return a->is_const && (size == 32 ? (uint32_t)a->imm : a->imm) == 0;
}

/* Branch over the chain slot when the condition is false: cbz/cbnz for
 * (in)equality with zero, else compare + b.cond. */
static uint8_t *emit_skip_unless(struct be_code *c, const struct ir_insn *insn,
                                 const struct be_arg *in)
{
    uint8_t *branch = c->ptr;
    bool eq = insn->cond == IR_EQ, ne = insn->cond == IR_NE;
    if ((eq || ne) && is_zero_const(&in[1], insn->size) && !in[0].is_const) {
        a64_put(c, a64_compare_branch_imm(insn->size == 64, eq, 0, in[0].reg));
        return branch;
    }
    enum a64_cond cond = a64_emit_compare(c, insn, &in[0], &in[1]);
    branch = c->ptr;
    a64_put(c, a64_cond_branch_imm(a64_cond_invert(cond), 0));
    return branch;
}

/* Sets the (zero) imm19 of a cbz/cbnz/b.cond at `branch` to reach c->ptr. */
static void resolve_branch19(struct be_code *c, uint8_t *branch)
{
    uint32_t word;
    __builtin_memcpy(&word, branch, 4);
    word |= (uint32_t)(((c->ptr - branch) >> 2) & 0x7ffff) << 5;
    __builtin_memcpy(branch, &word, 4);
}

void a64_emit_brcond(struct be_code *c, const struct ir_insn *insn, const struct be_arg *in)
{
    uint8_t *skip = emit_skip_unless(c, insn, in);
    emit_chain_slot(c, (uint64_t)insn->aux[0], (int)insn->aux[1]);
    resolve_branch19(c, skip);
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

void be_patch_jump(uint8_t *site, const uint8_t *target)
{
    int64_t off = target - site;
    if (!a64_branch26_reaches(off))
        return;     /* stays on its stub: the dispatcher keeps handling it */
    __atomic_store_n((uint32_t *)site, a64_uncond_branch_imm(false, off), __ATOMIC_RELEASE);
    __builtin___clear_cache((char *)site, (char *)site + 4);
}
