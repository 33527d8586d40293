/* x86_cmpxchg16b.c -- cmpxchg16b m128 as a plain, NON-atomic IR sequence,
 * so that CPUID can advertise CX16 (part of x86-64-v2).  It is correct
 * for a single guest thread only; the atomics/threads work replaces it
 * with an atomic translation (its table entry, looked up before the SSE
 * table where this one lives, takes precedence).  A misaligned operand
 * raises #GP (SIGSEGV), as on hardware.
 *
 * RDX:RAX == m128 ? (ZF = 1, m128 = RCX:RBX) : (ZF = 0, RDX:RAX = m128);
 * memory is written in both cases, as the hardware does; other flags keep
 * their values.
 */
#include "x86_internal.h"
#include "x86_sse.h"

/* #GP unless 16-byte aligned: Linux delivers it as SIGSEGV. */
static uint64_t cx16_check_alignment(void *env, uint64_t addr)
{
    struct x86_cpu *c = env;
    if (addr & 15)
        tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
    return 0;
}

static const struct ir_helper cx16_alignment_helper = {
    (void *)cx16_check_alignment, "cmpxchg16b_align", 1, 0, IR_HELPER_RW_GLOBALS,
};

static ir_ref cx16_select(struct x86_dc *dc, ir_ref equal, ir_ref t, ir_ref f)
{
    struct x86_cmp c = { IR_NE, 64, equal, x86_imm(dc, 0) };
    return x86_select(dc, &c, t, f);
}

bool sse_emit_cmpxchg16b(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *m = &dc->x->operands[0];
    if (dc->x->op_count != 1 || m->type != X86_OP_MEM)
        return false;
    ir_ref lo_addr = x86_ea(dc, m);
    x86_sync_pc(dc);
    x86_call(dc, &cx16_alignment_helper, lo_addr, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_ref hi_addr = x86_op2(dc, IR_add, 8, lo_addr, x86_imm(dc, 8));
    ir_ref lo = x86_load(dc, 8, lo_addr), hi = x86_load(dc, 8, hi_addr);
    ir_ref rax = x86_get_reg(dc, X86_RAX), rdx = x86_get_reg(dc, X86_RDX);
    ir_ref diff = x86_op2(dc, IR_or, 8, x86_op2(dc, IR_xor, 8, lo, rax),
                          x86_op2(dc, IR_xor, 8, hi, rdx));
    ir_ref eq = x86_setcond(dc, IR_EQ, 64, diff, x86_imm(dc, 0));
    x86_store(dc, 8, lo_addr, cx16_select(dc, eq, x86_get_reg(dc, X86_RBX), lo));
    x86_store(dc, 8, hi_addr, cx16_select(dc, eq, x86_get_reg(dc, X86_RCX), hi));
    x86_set_reg(dc, X86_RAX, cx16_select(dc, eq, rax, lo));
    x86_set_reg(dc, X86_RDX, cx16_select(dc, eq, rdx, hi));
    if (!x86_flags_live(dc))
        return true;
    ir_ref f = x86_op2(dc, IR_andc, 8, x86_flags_eflags(dc), x86_imm(dc, X86_ZF));
    f = x86_op2(dc, IR_or, 8, f, x86_op2(dc, IR_shl, 8, eq, x86_imm(dc, 6)));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, f, IR_NONE, IR_NONE);
    return true;
}
