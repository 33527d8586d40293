/* x86_sse_xm.c -- SIMD floating-point exceptions (#XM): an SSE/AVX/FMA/
 * F16C instruction raising an exception that MXCSR leaves unmasked
 * delivers SIGFPE at itself (Linux: si_code from MXCSR's flags and masks,
 * trap number 19, error 0), with its destination -- register, EFLAGS,
 * general register, memory -- unchanged and MXCSR's flags set as the CPU
 * sets them.
 *
 * Cost where nothing is unmasked (the default): none.  "Some exception
 * unmasked" is a bit of the vCPU's translation mode (X86_TB_XM,
 * tr_set_mode), set wherever MXCSR is written (sse_mxcsr_write: ldmxcsr,
 * fxrstor, xrstor, signal delivery and return); the instructions that load
 * MXCSR end their block, so the rest runs in blocks of the new mode.
 * Blocks of that mode wrap each floating-point instruction (x86_xm_id) in
 * two helper calls: xm_begin snapshots the state the instruction may
 * write and sets the sticky flags aside (env->mxcsr_held), so the
 * instruction's own flags show alone (every float op runs its exact C
 * helper there: the block's MXCSR mode value is nonzero); xm_end decides,
 * restores and raises, or merges the flags back.  A form that stores to
 * memory calls x86_xm_end before its store.
 *
 * Which flags the CPU records when it stops (measured on this AMD, same
 * as the SDM's rules): an unmasked pre-computation exception (IE, DE, ZE)
 * in any element records only the pre-computation flags of all elements;
 * otherwise every flag the masked operation would raise.  With OE or UE
 * unmasked the helpers judge an overflowing or tiny element by its result
 * rounded with an unbounded exponent (x86_float_rules.h judged_flags: OE
 * alone for an exact overflow, UE for an exact tiny result): the SSE/AVX
 * arithmetic (haddps/addsubps too), FMA, cvtsd2ss/cvtpd2ps and their VEX
 * forms, vcvtps2ph; dpps/dppd stop after the multiplies when those raise
 * an unmasked exception, and keep the multiplies' flags when an add stops
 * on an unmasked DE (sse_step_stops).
 */
#include <string.h>

#include "x86_internal.h"
#include "x86_sse.h"
#include "x86_sse_float.h"
#include "x86_x87.h"
#include "x86_avx.h"
#include "translator.h"

#define XM_PRE (SSE_MXCSR_IE | SSE_MXCSR_DE | SSE_MXCSR_ZE)
#define XM_FLAGS 0x3fu
#define TRAP_XM 19

/* ---- which instructions: every form that can raise a SIMD FP exception */

#define XM_FP4(OP) X(OP##PS) X(OP##SS) X(OP##PD) X(OP##SD)
#define XM_CMP8(SH) X(CMPEQ##SH) X(CMPLT##SH) X(CMPLE##SH) X(CMPUNORD##SH) X(CMPNEQ##SH) \
    X(CMPNLT##SH) X(CMPNLE##SH) X(CMPORD##SH)
#define XM_VCMP(SH) X(VCMP##SH) X(VCMPEQ##SH) X(VCMPLT##SH) X(VCMPLE##SH) X(VCMPUNORD##SH) \
    X(VCMPNEQ##SH) X(VCMPNLT##SH) X(VCMPNLE##SH) X(VCMPORD##SH) X(VCMPEQ_UQ##SH) \
    X(VCMPNGE##SH) X(VCMPNGT##SH) X(VCMPFALSE##SH) X(VCMPNEQ_OQ##SH) X(VCMPGE##SH) \
    X(VCMPGT##SH) X(VCMPTRUE##SH) X(VCMPEQ_OS##SH) X(VCMPLT_OQ##SH) X(VCMPLE_OQ##SH) \
    X(VCMPUNORD_S##SH) X(VCMPNEQ_US##SH) X(VCMPNLT_UQ##SH) X(VCMPNLE_UQ##SH) \
    X(VCMPORD_S##SH) X(VCMPEQ_US##SH) X(VCMPNGE_UQ##SH) X(VCMPNGT_UQ##SH) \
    X(VCMPFALSE_OS##SH) X(VCMPNEQ_OS##SH) X(VCMPGE_OQ##SH) X(VCMPGT_OQ##SH) X(VCMPTRUE_US##SH)
#define XM_IDS(X) \
    XM_FP4(ADD) XM_FP4(SUB) XM_FP4(MUL) XM_FP4(DIV) XM_FP4(MIN) XM_FP4(MAX) XM_FP4(SQRT) \
    XM_FP4(VADD) XM_FP4(VSUB) XM_FP4(VMUL) XM_FP4(VDIV) XM_FP4(VMIN) XM_FP4(VMAX) XM_FP4(VSQRT) \
    X(CMPPS) X(CMPSS) X(CMPPD) X(CMPSD) XM_CMP8(PS) XM_CMP8(SS) XM_CMP8(PD) XM_CMP8(SD) \
    XM_VCMP(PS) XM_VCMP(SS) XM_VCMP(PD) XM_VCMP(SD) \
    X(COMISS) X(COMISD) X(UCOMISS) X(UCOMISD) X(VCOMISS) X(VCOMISD) X(VUCOMISS) X(VUCOMISD) \
    X(CVTSI2SS) X(CVTSI2SD) X(CVTSS2SD) X(CVTSD2SS) X(CVTSS2SI) X(CVTSD2SI) X(CVTTSS2SI) \
    X(CVTTSD2SI) X(CVTDQ2PS) X(CVTPS2DQ) X(CVTTPS2DQ) X(CVTPD2DQ) X(CVTTPD2DQ) X(CVTPS2PD) \
    X(CVTPD2PS) X(CVTPI2PS) X(CVTPS2PI) X(CVTTPS2PI) X(CVTPD2PI) X(CVTTPD2PI) \
    X(VCVTSI2SS) X(VCVTSI2SD) X(VCVTSS2SD) X(VCVTSD2SS) X(VCVTSS2SI) X(VCVTSD2SI) \
    X(VCVTTSS2SI) X(VCVTTSD2SI) X(VCVTDQ2PS) X(VCVTPS2DQ) X(VCVTTPS2DQ) X(VCVTPD2DQ) \
    X(VCVTPD2DQX) X(VCVTTPD2DQ) X(VCVTTPD2DQX) X(VCVTPS2PD) X(VCVTPD2PS) X(VCVTPD2PSX) \
    X(ADDSUBPS) X(ADDSUBPD) X(HADDPS) X(HADDPD) X(HSUBPS) X(HSUBPD) \
    X(VADDSUBPS) X(VADDSUBPD) X(VHADDPS) X(VHADDPD) X(VHSUBPS) X(VHSUBPD) \
    X(ROUNDPS) X(ROUNDPD) X(ROUNDSS) X(ROUNDSD) X(DPPS) X(DPPD) \
    X(VROUNDPS) X(VROUNDPD) X(VROUNDSS) X(VROUNDSD) X(VDPPS) X(VDPPD)

static bool xm_listed[X86_INS_ENDING];

static void __attribute__((constructor)) xm_list_ids(void)
{
#define X(ID) xm_listed[X86_INS_##ID] = true;
    XM_IDS(X)
#undef X
}

static bool in_set(const struct x86_insn_row *r, const struct x86_row_set *s)
{
    const char *p = (const char *)r, *first = (const char *)s->first;
    return p >= first && p < first + s->count * s->stride;
}

/* Is the current instruction one that xm_begin/xm_end wrap? */
static bool x86_xm_insn(const struct x86_dc *dc)
{
    if (!dc->row)
        return false;
    return (dc->insn->id < X86_INS_ENDING && xm_listed[dc->insn->id]) || in_set(dc->row, &x86_fma_rows) ||
           in_set(dc->row, &x86_f16c_rows);
}

/* ---- the translation mode bit ---- */

/* After an instruction that may change the mode (ldmxcsr, fxrstor, xrstor:
 * they end their block): while the vCPU's mode is still the block's, the
 * block's usual (chainable) exit follows; otherwise it leaves for the
 * dispatcher, which finds the successor of the new mode -- a chained jump
 * would keep running blocks of the old one. */
void x86_xm_mode_check(struct x86_dc *dc)
{
    if (dc->step)                   /* its trap leaves for the dispatcher anyway */
        return;
    ir_ref mode = ir_temp(dc->b);
    x86_flags_sync(dc);
    ir_ld_env(dc->b, IR_MO_32, mode, TR_OFFSET_TB_MODE);
    ir_brexit(dc->b, IR_NE, 32, mode, ir_const(dc->b, dc->b->mode), dc->next_pc,
              TR_EXIT_INDIRECT);
}

/* Both MXCSR bits of the mode: X86_TB_XM (a mask clear) implies
 * X86_TB_MXCSR (a control bit not the default). */
void x86_xm_mode_update(struct x86_cpu *env)
{
    uint32_t masks = env->mxcsr & 0x1f80u, controls = env->mxcsr & (0xffc0u | SSE_MXCSR_MM);
    uint32_t others = env->rt.tb_mode & ~(X86_TB_XM | X86_TB_MXCSR);
    tr_set_mode(env, others | (masks != 0x1f80u ? X86_TB_XM : 0) |
                     (controls != SSE_MXCSR_DEFAULT ? X86_TB_MXCSR : 0));
}

/* ---- the runtime check ---- */

/* What the instruction may write: general registers, lazy flags, XMM/YMM,
 * the x87/MMX registers.  One per host thread (= vCPU), used between a
 * begin and its end. */
static __thread struct {
    uint64_t regs[16], cc[4];
    x86_xmm xmm[16], ymm_hi[16];
    struct x87 x87;
} xm_saved;

static void xm_snapshot(struct x86_cpu *env, bool restore)
{
#define XM_COPY(field) restore ? memcpy(&env->field, &xm_saved.field, sizeof xm_saved.field) \
                               : memcpy(&xm_saved.field, &env->field, sizeof xm_saved.field)
    XM_COPY(regs);
    XM_COPY(xmm);
    XM_COPY(ymm_hi);
    XM_COPY(x87);
#undef XM_COPY
    uint64_t *cc[4] = { &env->cc_op, &env->cc_dst, &env->cc_src, &env->cc_src2 };
    for (int i = 0; i < 4; i++) {
        if (restore)
            *cc[i] = xm_saved.cc[i];
        else
            xm_saved.cc[i] = *cc[i];
    }
}

static uint64_t xm_begin(struct x86_cpu *env)
{
    uint32_t mx = sse_mxcsr_read(env);
    xm_snapshot(env, false);
    sse_mxcsr_write(env, mx & ~XM_FLAGS);
    env->mxcsr_held = mx & XM_FLAGS;
    return 0;
}

/* si_code as Linux derives it for #XM (fpu__exception_code): from all of
 * MXCSR's flags whose exception is unmasked. */
static int xm_fpe_code(uint32_t mxcsr)
{
    uint32_t err = mxcsr & XM_FLAGS & ~(mxcsr >> 7);
    if (err & SSE_MXCSR_IE) return 7;           /* FPE_FLTINV */
    if (err & SSE_MXCSR_ZE) return 3;           /* FPE_FLTDIV */
    if (err & SSE_MXCSR_OE) return 4;           /* FPE_FLTOVF */
    if (err & (SSE_MXCSR_DE | SSE_MXCSR_UE)) return 5;  /* FPE_FLTUND */
    return 6;                                   /* FPE_FLTRES */
}

static uint64_t xm_end(struct x86_cpu *env)
{
    uint32_t held = env->mxcsr_held;
    env->mxcsr_held = 0;
    uint32_t raised = sse_mxcsr_read(env) & XM_FLAGS;
    uint32_t unmasked = ~(env->mxcsr >> 7) & XM_FLAGS;
    uint32_t recorded = raised & XM_PRE & unmasked ? raised & XM_PRE : raised;
    if (!(recorded & unmasked)) {
        env->mxcsr |= held;
        return 0;
    }
    xm_snapshot(env, true);
    sse_mxcsr_write(env, (env->mxcsr & ~XM_FLAGS) | held | recorded);
    env->rt.fault.code = xm_fpe_code(env->mxcsr);
    env->rt.fault.trapno = TRAP_XM;
    tr_raise(&env->rt, TR_EXIT_SIGFPE, env->rt.pc);
}

static const struct ir_helper xm_begin_h = { (void *)xm_begin, "xm_begin", 0, 0,
                                             IR_HELPER_RW_GLOBALS };
static const struct ir_helper xm_end_h = { (void *)xm_end, "xm_end", 0, 0, IR_HELPER_RW_GLOBALS };

void x86_xm_end(struct x86_dc *dc)
{
    if (!dc->xm_open)
        return;
    dc->xm_open = false;
    x86_call(dc, &xm_end_h, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

void x86_xm_translate(struct x86_dc *dc, x86_handler fn)
{
    if (!(dc->b->mode & X86_TB_XM) || !x86_xm_insn(dc)) {
        fn(dc);
        return;
    }
    x86_flags_sync(dc);             /* the handler sees the flags from before */
    x86_sync_pc(dc);
    x86_call(dc, &xm_begin_h, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    dc->xm_open = true;
    fn(dc);
    if (dc->block_ended)            /* SIGILL: the state was not touched */
        dc->xm_open = false;
    x86_xm_end(dc);
}
