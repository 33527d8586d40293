/* x64_desc.c -- the x86-64 host description: registers and their roles,
 * and the declarative table of which IR inputs may be immediates. */
#include <capstone/capstone.h>

#include "x64_backend.h"

static const char *const x64_reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/* backend.h: x86-64's own stores are all-or-nothing; nothing to test. */
bool be_store_cross_check;

#define R(x) (1ull << X64_##x)

/* Immediate classes per input, one row per op (unlisted: registers only). */
static const struct be_constraint x64_constraints[IR_NUM_OPS] = {
    [IR_mov]     = { { BE_IMM_ANY } },
    [IR_add]     = { { 0, BE_IMM_ARITH } },
    [IR_sub]     = { { 0, BE_IMM_ARITH } },
    [IR_mul]     = { { 0, BE_IMM_ARITH } },
    [IR_and]     = { { 0, BE_IMM_LOGIC } },
    [IR_or]      = { { 0, BE_IMM_LOGIC } },
    [IR_xor]     = { { 0, BE_IMM_LOGIC } },
    [IR_andc]    = { { 0, BE_IMM_LOGIC } },
    [IR_shl]     = { { 0, BE_IMM_SHIFT } },
    [IR_shr]     = { { 0, BE_IMM_SHIFT } },
    [IR_sar]     = { { 0, BE_IMM_SHIFT } },
    [IR_rotl]    = { { 0, BE_IMM_SHIFT } },
    [IR_rotr]    = { { 0, BE_IMM_SHIFT } },
    [IR_deposit] = { { 0, BE_IMM_ANY } },
    [IR_setcond] = { { 0, BE_IMM_ARITH } },
    [IR_movcond] = { { 0, BE_IMM_ARITH } },
    [IR_brcond]  = { { 0, BE_IMM_ARITH } },
    /* the dividend's high half: 0 needs no register (x64_div.c) */
    [IR_divu]    = { { 0, BE_IMM_ZERO } },
    [IR_divs]    = { { 0, BE_IMM_ZERO } },
    [IR_brexit]  = { { 0, BE_IMM_ARITH } },
    [IR_ld]      = { { BE_IMM_MEMOFF } },
    [IR_st]      = { { BE_IMM_MEMOFF, BE_IMM_ARITH } },
    /* base and index in registers (a constant one takes the scratch register) */
    [IR_stx]     = { { BE_IMM_NONE, BE_IMM_ARITH, BE_IMM_NONE } },
    [IR_st_env]  = { { BE_IMM_ARITH } },
    [IR_exit_indirect] = { { BE_IMM_ANY } },
    [IR_subf]    = { { 0, BE_IMM_ARITH } },
    [IR_addf]    = { { 0, BE_IMM_ARITH } },
    [IR_andf]    = { { 0, BE_IMM_LOGIC } },
    BE_FLOAT_MODE_IMM,
};

/* Ops emitted, with the allocator's glue (mov, mov imm: never xor, env and
 * pinned loads/stores), without touching EFLAGS: moves, extensions
 * (movzx/movsx/mov r32), loads and stores, bswap and the flag readers.  A
 * brcond comparing what a sub compared then reads that sub's flags
 * (ir_fuse_flags): `sub ecx, 1; je` is one sub and a je. */
static const uint8_t x64_keeps_flags[IR_NUM_OPS] = {
    [IR_insn_start] = 1, [IR_mov] = 1, [IR_ext8u] = 1, [IR_ext8s] = 1, [IR_ext16u] = 1,
    [IR_ext16s] = 1, [IR_ext32u] = 1, [IR_ext32s] = 1, [IR_bswap] = 1, [IR_ld] = 1,
    [IR_st] = 1, [IR_ldx] = 1, [IR_stx] = 1, [IR_ld_env] = 1, [IR_st_env] = 1,
    [IR_setflags] = 1, [IR_movflags] = 1,
};

/* rax, rcx and rdx: allocatable, and the scratch registers of the ops
 * whose code needs them (x64_op_clobbers). */
#define X64_OP_SCRATCH (R(RAX) | R(RCX) | R(RDX))

/* A deposit of a register field shifts it into place in rax, unless it
 * is a byte or word at bit 0 (a partial move); a field reaching bit 31
 * needs masks that do not fit an imm32, built in rcx. */
static uint64_t deposit_clobbers(const struct ir_insn *i, unsigned const_in)
{
    int pos = (int)i->aux[0], len = (int)i->aux[1];
    bool reg = !(const_in & 2);
    if (reg && pos == 0 && (len == 8 || len == 16))
        return 0;
    return (reg ? R(RAX) : 0) | (pos + len > 31 ? R(RCX) : 0);
}

/* What each op's code writes besides its output (be_desc.op_clobbers);
 * an op not listed may use all three. */
static uint64_t x64_op_clobbers(const struct be_code *c, const struct ir_insn *i,
                                unsigned const_in)
{
    switch (i->op) {
    case IR_mov: case IR_add: case IR_sub: case IR_and: case IR_or: case IR_xor:
    case IR_mul: case IR_neg: case IR_not: case IR_ext8u: case IR_ext8s: case IR_ext16u:
    case IR_ext16s: case IR_ext32u: case IR_ext32s: case IR_extract: case IR_bswap:
    case IR_setcond: case IR_movcond: case IR_addf: case IR_andf: case IR_setflags:
    case IR_movflags: case IR_ld_env: case IR_st_env: case IR_fence:
        return 0;
    /* conditional exits: the stubs and inline exits they branch to use
     * rax and rcx, but leave the block; the path that goes on uses none */
    case IR_brcond: case IR_brflags: case IR_brexit: case IR_exit_request:
    /* no inputs, and nothing but pinned globals lives past them */
    case IR_goto_tb: case IR_exit_code:
        return 0;
    case IR_canon_test:                 /* compares with memory (x64_canon.c) */
        return 0;
    case IR_exit_indirect:              /* the jump-cache probe (x64_exits.c) */
        return R(RAX);
    case IR_andc: case IR_subf:         /* (x64_ops.c: emit_andc, emit_alu_flags_at) */
        return 0;
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
        return const_in & 2 ? 0 : R(RCX);       /* (any constant count fits) */
    case IR_mulhu: case IR_mulhs:
        return R(RAX) | R(RDX);
    case IR_clz: case IR_ctz:
        return R(RAX) | R(RCX);
    case IR_divu: case IR_divs:         /* x64_div.c: rax and rcx kept in env */
        return R(RDX);
    case IR_deposit:                    /* x64_ops.c, emit_deposit */
        return deposit_clobbers(i, const_in);
    case IR_ld: case IR_st: case IR_ldx: case IR_stx:     /* a TLB probe: x64_tlb.c */
        return be_access_is_direct(c, i->size) ? 0 : X64_OP_SCRATCH;
    default:
        return X64_OP_SCRATCH;
    }
}

const struct be_desc be_host = {
    .name = "x86_64",
    .n_regs = 16,
    .reg_names = x64_reg_names,
    .alloc_mask = R(RSI) | X64_OP_SCRATCH,
    .call_clobbered = R(RAX) | R(RCX) | R(RDX) | R(RSI) | R(RDI) | R(R8) | R(R9)
                    | R(R10) | R(R11),
    .env_reg = X64_ENV,
    .call_args = { X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9 },
    .call_ret = X64_RAX,
    .constraints = x64_constraints,
    .cs_arch = CS_ARCH_X86,
    .cs_mode = CS_MODE_64,
    .canonical_at_exit = true,  /* on the jump-cache miss path (x64_exits.c) */
    .canon_test_calls = true,   /* cmp + jae, the rest out of line (x64_canon.c) */
    .lazy_exit_stores = true,   /* jmp/call reg/mem skip dead flag stores (x64_exits.c) */
    .request_guard = true,      /* test from the guard page: no jne */
    .guard_every_block = true,  /* its test run by backward chains only (session 43) */
    .merge_stack_runs = true,   /* no writeback addressing: one rsp update a run */
    .ras_default = true,        /* cc1 -O2 about 30% less CPU, others level */
    .jmp_bits = X64_JMP_BITS,   /* the probe's index width (x64_exits.c) */
    .n_pinned = X64_N_PINNED,   /* rbx, rbp, rdi, r8-r13, r15: x64_pinned.c */
    .pinned_regs = x64_pinned_regs,
    .keeps_flags = x64_keeps_flags,
    .op_clobbers = x64_op_clobbers,
    .op_scratch = X64_OP_SCRATCH,
};

/* Stores of 8..32 bits and 32-bit ops use only the low bits of an
 * immediate, so anything fits; otherwise x86 sign-extends an imm32. */
static bool imm32_fits(const struct ir_insn *insn, uint64_t imm)
{
    uint16_t fl = ir_op_info[insn->op].flags;
    if ((fl & IR_F_SIZED) && insn->size == 32)
        return true;
    if ((fl & IR_F_MEM) && (insn->size & IR_MO_SIZE) != IR_MO_64)
        return true;
    return x64_fits_s32((int64_t)imm);
}

bool be_imm_fits(enum be_imm_class cls, const struct ir_insn *insn, uint64_t imm)
{
    switch (cls) {
    case BE_IMM_ANY:    return true;
    case BE_IMM_SHIFT:  return true;
    case BE_IMM_ZERO:   return imm == 0;
    case BE_IMM_MEMOFF:         /* with the displacement folded in, as mem_op needs */
        return x64_fits_s32((int64_t)imm) && x64_fits_s32((int64_t)(imm + (uint64_t)insn->aux[0]));
    case BE_IMM_LOGIC:  return imm32_fits(insn, insn->op == IR_andc ? ~imm : imm);
    case BE_IMM_ARITH:  return imm32_fits(insn, imm);
    default:            return false;
    }
}
