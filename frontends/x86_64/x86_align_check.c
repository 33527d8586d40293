/* x86_align_check.c -- alignment checking, #AC (user mode, issue 10).
 *
 * Linux runs user code with CR0.AM set, so with EFLAGS.AC set a data
 * access that is not aligned to its size raises #AC, which Linux delivers
 * as SIGBUS, BUS_ADRALN, si_addr 0, trap 17, error 0, rip at the
 * instruction, nothing of it done, AC still set in the frame (and in the
 * handler: Linux does not clear it).  Measured on an Intel Ice Lake server
 * (tests/guest/align_check_matrix.c; docs/status.md has the table):
 *  - checked: every access of 2, 4 or 8 bytes at its size, explicit or
 *    implicit -- loads, stores, read-modify-writes, locked ops, the stack
 *    (push, pop, call, ret, leave, enter, pushf), each element of a string
 *    op, MMX, the scalar SSE/AVX forms (movss, movsd, movq, pinsr*, pextr*,
 *    broadcasts, pmovzx of 8 bytes, ldmxcsr); an x87 m80 at 8 (Intel's
 *    8 + 2-byte parts: the first part's test), fbld/fbstp at 8, the x87
 *    environments at 4 (2 with 0x66), maskmovq/maskmovdqu's [rdi] at 8
 *    whatever the mask, lret/iret's pops;
 *  - not checked: bytes, accesses of 16 or 32 bytes (movups, vmovups,
 *    vaddps's operands, vmaskmovps), vcvtph2ps's m64 and vcvtps2ph's
 *    store, gathers' elements, lea, prefetch, clflush, nop;
 *    forms that require alignment raise #GP first (movaps, cmpxchg16b,
 *    fxsave, xsave: their own checks);
 *  - #AC comes before a page fault of the same access.
 * The mode bit X86_TB_AC follows AC (x86_ac_sync; popf leaves its block
 * when it changes AC, x86_single_step.c): its blocks get, before each
 * guest access of 2-8 bytes an instruction emitted, a test of the
 * address's low bits and a brexit TR_EXIT_ALIGN_CHECK at the instruction
 * (the state a host fault at that access would leave: precise as the
 * fault map); the rep strings test their first element before their
 * helper (x86_string.c), and the helpers that access an operand
 * themselves (x87 m80 stores, fbld/fbstp, the environments, maskmov*,
 * far returns) have their test before the call.  Blocks of other modes
 * pay nothing.
 */
#include <string.h>

#include "x86_internal.h"

void x86_ac_sync(struct x86_cpu *cpu)
{
    uint32_t mode = cpu->rt.tb_mode & ~X86_TB_AC;
    tr_set_mode(cpu, mode | ((cpu->eflags_rest & X86_AC) ? X86_TB_AC : 0));
}

bool x86_ac_mode(const struct x86_dc *dc)
{
    return (dc->b->mode & X86_TB_AC) && !dc->system;
}

/* Instructions whose small operand the CPU does not check. */
static bool unchecked_insn(unsigned id)
{
    return id == X86_INS_VCVTPH2PS || id == X86_INS_VCVTPS2PH;
}

/* The memory operand, or NULL. */
static const cs_x86_op *mem_operand(const struct x86_dc *dc)
{
    for (int k = 0; k < dc->x->op_count; k++)
        if (dc->x->operands[k].type == X86_OP_MEM)
            return &dc->x->operands[k];
    return NULL;
}

/* Instructions whose helper accesses memory itself: the alignment the
 * CPU checks (measured), 0 for others. */
static unsigned helper_align(const struct x86_dc *dc)
{
    const cs_x86_op *m = mem_operand(dc);
    switch (dc->insn->id) {
    case X86_INS_FSTP:
        return m && m->size == 10 ? 8 : 0;          /* fstp m80 (fld m80 loads as IR) */
    case X86_INS_FBLD: case X86_INS_FBSTP:
        return 8;
    case X86_INS_FNSTENV: case X86_INS_FLDENV: case X86_INS_FNSAVE: case X86_INS_FRSTOR:
        return x86_has_prefix(dc, X86_PREFIX_OPSIZE) ? 2 : 4;
    case X86_INS_MASKMOVQ: case X86_INS_MASKMOVDQU: case X86_INS_VMASKMOVDQU:
        return 8;                                   /* at [rdi], whatever the mask */
    case X86_INS_RETFQ: case X86_INS_IRETQ:         /* the pops at [rsp] */
        return 8;
    case X86_INS_RETF: case X86_INS_IRET: case X86_INS_IRETD:
        return 4;
    default:
        return 0;
    }
}

/* The register a helper's implicit operand is at, or -1. */
static int implicit_reg(unsigned id)
{
    switch (id) {
    case X86_INS_MASKMOVQ: case X86_INS_MASKMOVDQU: case X86_INS_VMASKMOVDQU:
        return X86_RDI;
    case X86_INS_RETFQ: case X86_INS_IRETQ: case X86_INS_RETF: case X86_INS_IRET:
    case X86_INS_IRETD:
        return X86_RSP;
    default:
        return -1;
    }
}

/* The bytes a guest access of insn i touches (0: not a guest access). */
static unsigned access_bytes(const struct ir_insn *i)
{
    switch (i->op) {
    case IR_ld: case IR_st:
        return (i->size & IR_MO_HOST) ? 0 : (unsigned)ir_memop_bytes((unsigned)i->size);
    case IR_atomic_rmw: case IR_atomic_cas:
        return (unsigned)ir_memop_bytes((unsigned)i->size);
    case IR_vld: case IR_vst:
        return ir_vec_imm(i);
    default:
        return 0;
    }
}

static ir_ref access_base(const struct ir_insn *i)
{
    return i->op == IR_ld || i->op == IR_atomic_rmw || i->op == IR_atomic_cas ? i->args[1]
                                                                               : i->args[0];
}

static int64_t access_disp(const struct ir_insn *i)
{
    return i->op == IR_ld || i->op == IR_st ? i->aux[0] : 0;
}

/* Emits at the block's end: #AC unless (base + disp) is a multiple of align. */
static void emit_test(struct x86_dc *dc, ir_ref base, int64_t disp, unsigned align)
{
    ir_ref a = base;
    if ((uint64_t)disp & (align - 1))
        a = x86_op2(dc, IR_add, 8, base, x86_imm(dc, (uint64_t)disp));
    ir_ref low = x86_op2(dc, IR_and, 8, a, x86_imm(dc, align - 1));
    ir_brexit(dc->b, IR_NE, 64, low, x86_imm(dc, 0), dc->pc, TR_EXIT_ALIGN_CHECK);
}

/* Moves insns [from, n_insns) to position at (the ones there after them). */
static void move_tail_to(struct ir_block *b, int at, int from)
{
    struct ir_insn tmp[32];
    int count = b->n_insns - from;
    if (count > 32 || count <= 0)
        return;
    memcpy(tmp, &b->insns[from], sizeof(tmp[0]) * (size_t)count);
    memmove(&b->insns[at + count], &b->insns[at], sizeof(tmp[0]) * (size_t)(from - at));
    memcpy(&b->insns[at], tmp, sizeof(tmp[0]) * (size_t)count);
}

/* The helper's operand: tested before the instruction's first call. */
static void helper_check(struct x86_dc *dc, int first, unsigned align)
{
    struct ir_block *b = dc->b;
    int reg = implicit_reg(dc->insn->id);
    const cs_x86_op *m = reg < 0 ? mem_operand(dc) : NULL;
    if (reg < 0 && !m)
        return;
    int end = b->n_insns;
    ir_ref addr = m ? x86_ea(dc, m) : x86_get_reg(dc, reg);
    int call = first;                   /* the first call after addr's definition */
    for (int k = first; k < end; k++)
        if (ir_op_info[b->insns[k].op].n_out && b->insns[k].args[0] == addr)
            call = k + 1;
    while (call < end && b->insns[call].op != IR_call)
        call++;
    emit_test(dc, addr, 0, align);
    if (!b->overflow && call < end)
        move_tail_to(b, call, end);
}

/* Where access k's test goes: before it, or before the helper calls
 * that come between its address's definition and it (x87 stores: the
 * helper that pops the stack makes the value; #AC leaves the stack as it
 * was), never before an earlier access or exit of the instruction. */
static int test_at(const struct ir_block *b, int first, int k)
{
    ir_ref addr = access_base(&b->insns[k]);
    int at = k;
    for (int j = k - 1; j >= first; j--) {
        const struct ir_insn *p = &b->insns[j];
        if ((ir_op_info[p->op].n_out && p->args[0] == addr) || access_bytes(p) ||
            p->op == IR_brexit)
            break;
        if (p->op == IR_call)
            at = j;
    }
    return at;
}

void x86_ac_checks(struct x86_dc *dc, int first)
{
    struct ir_block *b = dc->b;
    if (!dc->insn || unchecked_insn(dc->insn->id))
        return;
    unsigned align = helper_align(dc);
    if (align) {
        helper_check(dc, first, align);
        return;
    }
    for (int k = first; k < b->n_insns && !b->overflow; k++) {
        const struct ir_insn *i = &b->insns[k];
        unsigned bytes = access_bytes(i);
        if (bytes < 2 || bytes > 8)
            continue;
        int end = b->n_insns, at = test_at(b, first, k);
        emit_test(dc, access_base(i), access_disp(i), bytes);
        if (b->overflow)
            return;
        move_tail_to(b, at, end);
        k += b->n_insns - end;
    }
}
