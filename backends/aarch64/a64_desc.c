/* a64_desc.c -- the AArch64 backend's description for the register
 * allocator: register roles, the per-op operand constraint table, and
 * which constants each immediate class accepts (be_imm_fits).
 */
#include <capstone/capstone.h>

#include "a64_emit.h"

#define BIT(r) (1ull << (r))
#define RANGE(lo, hi) ((BIT((hi) + 1) - 1) & ~(BIT(lo) - 1))

static const char *const a64_reg_names[32] = {
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
    "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22",
    "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",
};

#define IN1(cls)  { { BE_IMM_NONE, (cls) } }
static const struct be_constraint a64_constraints[IR_NUM_OPS] = {
    [IR_mov]     = { { BE_IMM_ANY } },
    [IR_add]     = IN1(BE_IMM_ARITH),
    /* A constant minuend (x86 neg and sbb r, r: `0 - x`) goes to the
     * emitter, which reads 0 as XZR (`neg`/`negs`) and builds any other
     * value in its own scratch register, so no allocator `movz` for it. */
    [IR_sub]     = { { BE_IMM_ANY, BE_IMM_ARITH } },
    [IR_and]     = IN1(BE_IMM_LOGIC),
    [IR_or]      = IN1(BE_IMM_LOGIC),
    [IR_xor]     = IN1(BE_IMM_LOGIC),
    [IR_andc]    = IN1(BE_IMM_LOGIC),
    [IR_shl]     = IN1(BE_IMM_SHIFT),
    [IR_shr]     = IN1(BE_IMM_SHIFT),
    [IR_sar]     = IN1(BE_IMM_SHIFT),
    [IR_rotl]    = IN1(BE_IMM_SHIFT),
    [IR_rotr]    = IN1(BE_IMM_SHIFT),
    /* For TSTEQ/TSTNE be_imm_fits checks a bitmask immediate instead. */
    [IR_setcond] = IN1(BE_IMM_ARITH),
    [IR_brcond]  = IN1(BE_IMM_ARITH),
    [IR_brexit]  = IN1(BE_IMM_ARITH),
    /* movcond's values are loaded into scratch registers after the compare. */
    [IR_movcond] = { { BE_IMM_NONE, BE_IMM_ARITH, BE_IMM_ANY, BE_IMM_ANY } },
    /* Constant addresses and values go to the backend's scratch registers. */
    [IR_ld]      = { { BE_IMM_ANY } },
    [IR_st]      = { { BE_IMM_ANY, BE_IMM_ANY } },
    [IR_stx]     = { { BE_IMM_NONE, BE_IMM_ANY, BE_IMM_NONE } },
    [IR_st_env]  = { { BE_IMM_ANY } },
    [IR_exit_indirect] = { { BE_IMM_ANY } },
    [IR_subf]    = { { BE_IMM_ANY, BE_IMM_ARITH } },     /* as IR_sub */
    [IR_addf]    = IN1(BE_IMM_ARITH),
    [IR_andf]    = IN1(BE_IMM_LOGIC),
    [IR_movflags] = { { BE_IMM_ANY, BE_IMM_ANY } },
    /* the dividend's high half: 0 is xzr (a64_div.c) */
    [IR_divu]    = IN1(BE_IMM_ZERO),
    [IR_divs]    = IN1(BE_IMM_ZERO),
    /* A constant base or field: `ubfiz`, `and`, `orr` (a64_ops.c emit_deposit). */
    [IR_deposit] = { { BE_IMM_ANY, BE_IMM_ANY } },
    BE_FLOAT_MODE_IMM,
};

/* Ops emitted without an instruction that sets NZCV (the glue never sets
 * it either): a compare's flags survive them (ir_fuse_flags).  Not here:
 * compares, calls, atomics (cas compares), vector ops, exits. */
static const uint8_t a64_keeps_flags[IR_NUM_OPS] = {
    [IR_insn_start] = 1, [IR_mov] = 1, [IR_add] = 1, [IR_sub] = 1, [IR_mul] = 1,
    [IR_mulhu] = 1, [IR_mulhs] = 1, [IR_and] = 1, [IR_or] = 1, [IR_xor] = 1, [IR_andc] = 1,
    [IR_shl] = 1, [IR_shr] = 1, [IR_sar] = 1, [IR_rotl] = 1, [IR_rotr] = 1, [IR_neg] = 1,
    [IR_not] = 1, [IR_ext8u] = 1, [IR_ext8s] = 1, [IR_ext16u] = 1, [IR_ext16s] = 1,
    [IR_ext32u] = 1, [IR_ext32s] = 1, [IR_extract] = 1, [IR_sextract] = 1, [IR_deposit] = 1, [IR_bswap] = 1,
    [IR_clz] = 1, [IR_ctz] = 1, [IR_ld] = 1, [IR_st] = 1, [IR_ldx] = 1, [IR_stx] = 1,
    [IR_canon_test] = 1,
    [IR_ld_env] = 1, [IR_st_env] = 1, [IR_setflags] = 1, [IR_movflags] = 1,
    [IR_addx] = 1, [IR_subx] = 1,
};

/* The guest's first 16 globals (x86-64: rax..r15) stay in host registers
 * for as long as translated code runs (see a64_emit.h for why these): the
 * first ten in callee-saved x20-x29, which C helpers preserve, the other
 * six in caller-saved x10-x15, written back before a C call when they
 * changed and reloaded when next needed.  Globals 18-20 (x86-64: the lazy
 * flags cc_op, cc_dst, cc_src, written by nearly every block) live in
 * x7-x9 the same way; 16 and 17 (fs/gs base) stay in env. */
static const int8_t a64_pinned_regs[] = {
    20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 10, 11, 12, 13, 14, 15, -1, -1, 7, 8, 9,
};

const struct be_desc be_host = {
    .name = "aarch64",
    .n_regs = 32,
    .reg_names = a64_reg_names,
    .alloc_mask = RANGE(0, 6),
    .call_clobbered = RANGE(0, 18) | BIT(A64_LR),
    .env_reg = A64_ENV,
    .call_args = { 0, 1, 2, 3, 4, 5 },
    .call_ret = 0,
    .constraints = a64_constraints,
    .cs_arch = CS_ARCH_ARM64,
    .cs_mode = CS_MODE_ARM,
    .n_pinned = (int)(sizeof(a64_pinned_regs) / sizeof(a64_pinned_regs[0])),
    .pinned_regs = a64_pinned_regs,
    .keeps_flags = a64_keeps_flags,
    .ext_operands = true,       /* add/sub (extended register) */
    .request_guard = true,      /* ldr from the guard page: no cbnz */
    .guard_every_block = true,  /* its ldr run by backward chains only: sqlite3 -0.65 %,
                                   python3 fib -1.64 % host instructions (session 41) */
    .jmp_bits = 14,             /* same probe (bfi width), a quarter of 12 bits' misses:
                                   a jump-cache miss is ~80 instructions, a hit 7 */
    .canonical_at_exit = true,  /* jmp/call/ret targets tested on the miss path */
    .lazy_exit_stores = true,   /* jmp/call reg/mem (rets without the return-address
                                   stack) skip dead cc moves (a64_exits.c) */
    .jmp_dead_in_entry = true,  /* ... read with the code by one ldp: 32-byte entries */
    .canonical_accesses = true, /* top-byte-ignore, user memory up to 2^48 */
    .store_cross_tests = true,  /* a64_store_cross.c */
};

static int insn_width(const struct ir_insn *insn) { return insn->size == 32 ? 32 : 64; }

static uint64_t truncate_to(uint64_t v, int width)
{ return width == 32 ? v & 0xffffffffull : v; }

static bool is_test_cond(const struct ir_insn *insn)
{
    bool has_cond = insn->op == IR_setcond || insn->op == IR_movcond || insn->op == IR_brcond ||
                    insn->op == IR_brexit;
    return has_cond && (insn->cond == IR_TSTEQ || insn->cond == IR_TSTNE);
}

/* The compares a64_emit_compare may split (a64_cmp_split_fits). */
static bool is_eq_ne(const struct ir_insn *insn)
{
    bool compare = insn->op == IR_setcond || insn->op == IR_movcond || insn->op == IR_brcond ||
                   insn->op == IR_brexit;
    return compare && (insn->cond == IR_EQ || insn->cond == IR_NE);
}

/* add/sub/cmp: imm12 (maybe << 12), or its negation via the opposite op. */
static bool arith_fits(uint64_t imm, int width)
{
    return a64_arith_imm_fits(truncate_to(imm, width)) ||
           a64_arith_imm_fits(truncate_to(-imm, width));
}

/* Logic ops: bitmask immediates, plus 0 and all-ones which become XZR
 * with the plain or inverted (bic/orn/eon) register form. */
static bool logic_fits(uint64_t imm, int width)
{
    unsigned enc;
    uint64_t v = truncate_to(imm, width);
    return v == 0 || v == truncate_to(~0ull, width) || a64_bitmask_encode(v, width, &enc);
}

bool be_imm_fits(enum be_imm_class cls, const struct ir_insn *insn, uint64_t imm)
{
    int width = insn_width(insn);
    switch (cls) {
    case BE_IMM_ANY:
    case BE_IMM_SHIFT:
        return true;
    case BE_IMM_ARITH:
        if (is_test_cond(insn))
            return logic_fits(imm, width);
        return arith_fits(imm, width) || (is_eq_ne(insn) && a64_cmp_split_fits(imm, width == 64));
    case BE_IMM_LOGIC:
        return logic_fits(insn->op == IR_andc ? ~imm : imm, width);
    case BE_IMM_ZERO:
        return imm == 0;
    default:
        return false;
    }
}
