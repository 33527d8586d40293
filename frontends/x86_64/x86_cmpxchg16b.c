/* x86_cmpxchg16b.c -- cmpxchg16b m128, atomically on every host.
 *
 * RDX:RAX == m128 ? (ZF = 1, m128 = RCX:RBX) : (ZF = 0, RDX:RAX = m128);
 * other flags keep their values.  IR has no 128-bit values, so one helper
 * does the whole compare-and-swap with the compiler's 16-byte atomic
 * (libatomic: `lock cmpxchg16b` on x86-64 hosts, an LDAXP/STLXP loop or
 * CASP on AArch64 hosts), which is atomic against other threads' locked
 * instructions on the same memory.  A misaligned operand raises #GP
 * (SIGSEGV), as on hardware.  With or without a lock prefix the
 * translation is the same (an atomic access is a valid unlocked one).
 */
#include "x86_internal.h"

typedef unsigned __int128 cx16_u128;

static cx16_u128 cx16_pair(uint64_t hi, uint64_t lo)
{
    return (cx16_u128)hi << 64 | lo;
}

/* Returns ZF (1 when the swap happened); on failure RDX:RAX = m128. */
static uint64_t cx16_compare_exchange(void *env, uint64_t addr)
{
    struct x86_cpu *c = env;
    if (addr & 15)
        tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
    x86_guest_probe(c, addr, 16, true);     /* a locked write, even when unequal */
    cx16_u128 expected = cx16_pair(c->regs[X86_RDX], c->regs[X86_RAX]);
    cx16_u128 desired = cx16_pair(c->regs[X86_RCX], c->regs[X86_RBX]);
    if (__atomic_compare_exchange_n((cx16_u128 *)tr_guest_ptr(env, addr), &expected, desired, false,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return 1;
    c->regs[X86_RAX] = (uint64_t)expected;
    c->regs[X86_RDX] = (uint64_t)(expected >> 64);
    return 0;
}

static const struct ir_helper cx16_helper = {
    (void *)cx16_compare_exchange, "cmpxchg16b", 1, 1, IR_HELPER_RW_GLOBALS,
};

void x86_emit_cmpxchg16b(struct x86_dc *dc)
{
    const cs_x86_op *m = &dc->x->operands[0];
    if (dc->x->op_count != 1 || m->type != X86_OP_MEM) {
        x86_raise_sigill(dc);
        return;
    }
    ir_ref addr = x86_ea(dc, m);
    x86_sync_pc(dc);
    ir_ref zf = x86_call(dc, &cx16_helper, addr, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    if (!x86_flags_live(dc))
        return;
    ir_ref f = x86_op2(dc, IR_andc, 8, x86_flags_eflags(dc), x86_imm(dc, X86_ZF));
    f = x86_op2(dc, IR_or, 8, f, x86_op2(dc, IR_shl, 8, zf, x86_imm(dc, 6)));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, f, IR_NONE, IR_NONE);
}
