/* x86_fault_flags.c -- exact arithmetic flags at a fault (issue 10).
 *
 * Lazy flags are written to env only where something reads them, so a
 * fault between a flag producer and a later full flag writer would show
 * the signal handler older flags.  A signal handler is the only way the
 * guest can see them there: without a handler for a fault signal the
 * process dies.  So blocks of the translation mode X86_TB_PRECISE (set
 * while the guest has a handler for SIGSEGV, SIGBUS or SIGFPE) treat every
 * instruction that may fault as a reader of the flags from before it, in
 * the block and at its exits (x86_translate.c's liveness passes): the
 * flags are synced before it (in a register the fault map records, stored
 * to env only at exits and around helpers).  Other blocks pay nothing.
 * System mode's blocks are all precise (x86_translate.c): a kernel's #PF
 * handler is always there, and the exception frame holds RFLAGS.
 * What "may fault" means lives here too.
 */
#include "x86_internal.h"
#include "x86_sse.h"

/* Memory operands that are never accessed. */
static bool no_access(unsigned id)
{
    switch (id) {
    case X86_INS_LEA: case X86_INS_NOP: case X86_INS_PREFETCH: case X86_INS_PREFETCHNTA:
    case X86_INS_PREFETCHT0: case X86_INS_PREFETCHT1: case X86_INS_PREFETCHT2:
    case X86_INS_PREFETCHW:
        return true;
    default:
        return false;
    }
}

/* The stack's and the string instructions' implicit operands, division
 * (#DE). */
static bool implicit_fault(unsigned id)
{
    switch (id) {
    case X86_INS_PUSH: case X86_INS_POP: case X86_INS_PUSHFQ: case X86_INS_POPFQ:
    case X86_INS_PUSHF: case X86_INS_POPF: case X86_INS_PUSHFD: case X86_INS_POPFD:
    case X86_INS_LEAVE: case X86_INS_ENTER:
    case X86_INS_CALL: case X86_INS_RET: case X86_INS_XLATB:
    case X86_INS_DIV: case X86_INS_IDIV:
        return true;
    default:
        return x86_string_id(id);
    }
}

static bool in_group(const cs_insn *ci, int lo, int hi)
{
    for (int k = 0; k < ci->detail->groups_count; k++)
        if (ci->detail->groups[k] >= lo && ci->detail->groups[k] <= hi) return true;
    return false;
}

bool x86_may_fault(const cs_insn *ci)
{
    const cs_x86 *x = &ci->detail->x86;
    if (no_access(ci->id)) return false;
    for (int k = 0; k < x->op_count; k++)
        if (x->operands[k].type == X86_OP_MEM) return true;
    return in_group(ci, X86_GRP_FPU, X86_GRP_FPU) || implicit_fault(ci->id);
}

/* In blocks of X86_TB_XM, SIMD floating-point instructions raise #XM. */
static bool simd_insn(const cs_insn *ci)
{
    return in_group(ci, X86_GRP_SSE1, X86_GRP_SSSE3) ||     /* SSE1 ... SSE4A, SSSE3 */
           in_group(ci, X86_GRP_AVX, X86_GRP_AVX2) || in_group(ci, X86_GRP_F16C, X86_GRP_FMA);
}

bool x86_fault_point(const cs_insn *ci, bool xm)
{
    return x86_may_fault(ci) || (xm && simd_insn(ci));
}

/* After an insn whose flags from before were synced only for its own
 * fault (nothing reads them later, before a full writer): the cc globals
 * need not reach env, so the allocator drops them unstored; a later sync
 * writes the state again. */
void x86_flags_fault_only(struct x86_dc *dc)
{
    struct x86_flags_state *f = dc->flags;
    /* (A CF override's or an inc/dec's over an unknown state keeps older
     * fields in the globals.) */
    if (!f->known || f->dirty || f->kind == X86_CC_CF_OVER || x86_cc_incdec_over(f->kind)) return;
    ir_discard(dc->b, x86_g_cc_op);
    ir_discard(dc->b, x86_g_cc_dst);
    ir_discard(dc->b, x86_g_cc_src);
    ir_discard(dc->b, x86_g_cc_src2);
    f->dirty = true;
    f->g_op = -1;           /* env keeps an older state */
}

bool x86_precise_block(const struct ir_block *b)
{
    return (b->mode & X86_TB_PRECISE) != 0;
}

void x86_precise_faults(struct x86_cpu *env, bool on)
{
    uint32_t mode = env->rt.tb_mode & ~X86_TB_PRECISE;
    tr_set_mode(env, mode | (on ? X86_TB_PRECISE : 0));
}
