/* x86_sse_state.c -- SSE control state and instructions without data
 * results: ldmxcsr/stmxcsr, fxsave/fxrstor (with the x87 state of
 * x86_x87_stack.c), maskmovdqu, and the fences,
 * prefetches and clflush, which need no IR in a user-mode translator whose
 * memory accesses are host accesses in program order.
 */
#include <string.h>

#include "x86_internal.h"
#include "x86_sse.h"
#include "x86_sse_float.h"
#include "x86_x87.h"

bool sse_emit_nop(struct x86_dc *dc, const struct sse_row *row)
{
    return true;
}

static ir_ref sse_call_state(struct x86_dc *dc, const struct sse_row *row,
                             uint64_t d, ir_ref s, uint64_t imm)
{
    ir_ref args[3] = { ir_const(dc->b, d), s, ir_const(dc->b, imm) };
    ir_ref ret = row->helper.has_result ? ir_temp(dc->b) : IR_NONE;
    if (row->helper.flags & IR_HELPER_RW_GLOBALS)
        x86_sync_pc(dc);
    ir_call(dc->b, &row->helper, ret, args);
    return ret;
}

static bool sse_mem_only(const struct x86_dc *dc)
{
    return dc->x->op_count == 1 && dc->x->operands[0].type == X86_OP_MEM;
}

bool sse_emit_ldmxcsr(struct x86_dc *dc, const struct sse_row *row)
{
    if (!sse_mem_only(dc))
        return false;
    ir_ref v = ir_temp(dc->b);
    ir_ld(dc->b, IR_MO_32, v, x86_ea(dc, &dc->x->operands[0]));
    sse_call_state(dc, row, 0, v, 0);
    x86_xm_mode_check(dc);
    return true;
}

bool sse_emit_stmxcsr(struct x86_dc *dc, const struct sse_row *row)
{
    if (!sse_mem_only(dc))
        return false;
    ir_ref ea = x86_ea(dc, &dc->x->operands[0]);
    ir_ref v = sse_call_state(dc, row, 0, ir_const(dc->b, 0), 0);
    ir_st(dc->b, IR_MO_32, ea, v);
    return true;
}

bool sse_emit_fxsave(struct x86_dc *dc, const struct sse_row *row)
{
    if (!sse_mem_only(dc))
        return false;
    /* imm: REX.W (fxsave64/fxrstor64), the 64-bit layout of the x87 pointers */
    bool wide = dc->insn->id == X86_INS_FXSAVE64 || dc->insn->id == X86_INS_FXRSTOR64;
    sse_call_state(dc, row, 0, x86_ea(dc, &dc->x->operands[0]), wide);
    return true;
}

bool sse_emit_fxrstor(struct x86_dc *dc, const struct sse_row *row)
{
    if (!sse_emit_fxsave(dc, row))
        return false;
    x86_xm_mode_check(dc);
    return true;
}

/* maskmovdqu xmm1, xmm2: bytes of xmm1 selected by xmm2's byte sign bits
 * go to [rdi] (edi under 0x67; fs/gs apply).  Helper arguments: d = xmm1,
 * s = address, imm = xmm2. */
bool sse_emit_maskmovdqu(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]), m = sse_op_xmm(&ops[1]);
    if (d < 0 || m < 0)
        return false;
    ir_ref a = x86_gpr_read(dc, dc->x->addr_size == 4 ? X86_REG_EDI : X86_REG_RDI);
    ir_ref seg = x86_seg_base(dc);
    if (seg != IR_NONE) {
        ir_ref t = ir_temp(dc->b);
        ir_binop(dc->b, IR_add, 64, t, a, seg);
        a = t;
    }
    sse_call_state(dc, row, d, a, m);
    return true;
}

/* Zen 5's fxsave says 0x2ffff: MM is writable where CPUID has MisAlignSse
 * (/proc/cpuinfo "misalignsse"); Intel's and the rest say 0xffff. */
uint32_t sse_mxcsr_valid(void)
{
    return 0xffffu | (x86_machine()->misalign_sse ? SSE_MXCSR_MM : 0);
}

/* A reserved MXCSR bit raises #GP, which Linux delivers as SIGSEGV. */
static void sse_check_mxcsr(struct x86_cpu *env, uint32_t v)
{
    if (v & ~sse_mxcsr_valid())
        tr_raise(&env->rt, TR_EXIT_SIGSEGV, env->rt.pc);
}

SSE_HELPER(ldmxcsr)
{
    sse_check_mxcsr(env, (uint32_t)s);
    sse_mxcsr_write(env, (uint32_t)s);
    return 0;
}

SSE_HELPER(stmxcsr)
{
    return sse_mxcsr_read(env);
}

/* FXSAVE image offsets (64-bit layout); the x87 part (bytes 0..159) is
 * x86_x87_stack.c's. */
enum { FX_MXCSR = 24, FX_MXCSR_MASK = 28, FX_XMM0 = 160 };

static void fxsave_image(struct x86_cpu *env, uint8_t *p, bool wide)
{
    uint32_t mx = sse_mxcsr_read(env), mask = sse_mxcsr_valid();
    memset(p, 0, FX_XMM0);
    sse_x87_fxsave(env, p, wide);
    memcpy(p + FX_MXCSR, &mx, 4);
    memcpy(p + FX_MXCSR_MASK, &mask, 4);
    memcpy(p + FX_XMM0, env->xmm, sizeof env->xmm);
}

static void fxrstor_image(struct x86_cpu *env, const uint8_t *p, bool wide)
{
    uint32_t mx;
    memcpy(&mx, p + FX_MXCSR, 4);
    sse_check_mxcsr(env, mx);
    sse_x87_fxrstor(env, p, wide);
    sse_mxcsr_write(env, mx);
    memcpy(env->xmm, p + FX_XMM0, sizeof env->xmm);
}

/* #GP for an area not 16-byte aligned, then a precise #PF (x86_guard.c). */
static uint8_t *fx_area(struct x86_cpu *env, uint64_t s, bool write)
{
    if (s & 15)
        tr_raise(&env->rt, TR_EXIT_SIGSEGV, env->rt.pc);
    if (write)
        x86_guest_probe_area(env, s, X86_FXSAVE_SIZE, 0);
    else
        x86_guest_probe(env, s, X86_FXSAVE_SIZE, false);
    return tr_guest_ptr(env, s);
}

/* Under a software MMU (ferry-system) the area is copied in and out
 * through it: its pages need not be contiguous in the host, and a fault
 * there is the guest's #PF (Linux saves and restores user FPU state with
 * fxsave/fxrstor on every context switch and signal). */
static bool fx_copied(struct x86_cpu *env, uint64_t s, bool save, bool wide)
{
    uint8_t img[X86_FXSAVE_SIZE];
    if (!tr_guest_softmmu(env))
        return false;
    if (s & 15)
        tr_raise(&env->rt, TR_EXIT_SIGSEGV, env->rt.pc);
    tr_guest_copy(env, s, img, sizeof img, false);
    if (!save) {
        fxrstor_image(env, img, wide);
        return true;
    }
    fxsave_image(env, img, wide);
    tr_guest_copy(env, s, img, sizeof img, true);
    return true;
}

SSE_HELPER(fxsave)
{
    if (!fx_copied(env, s, true, imm))
        fxsave_image(env, fx_area(env, s, true), imm);
    return 0;
}

SSE_HELPER(fxrstor)
{
    if (!fx_copied(env, s, false, imm))
        fxrstor_image(env, fx_area(env, s, false), imm);
    return 0;
}

/* Signal frames (x86_cpu.h) reuse the fxsave/fxrstor image code. */
void x86_fpstate_save(struct x86_cpu *cpu, uint8_t *img)
{
    sse_fpstate_save_layout(cpu, img, true);   /* the kernel's 64-bit layout */
}

/* The same with the x87 pointers in the 32-bit layout (wide false: FIP,
 * FCS, FDP, FDS), as xsave/xrstor without REX.W use them. */
void sse_fpstate_save_layout(struct x86_cpu *cpu, uint8_t *img, bool wide)
{
    memset(img, 0, X86_FXSAVE_SIZE);
    fxsave_image(cpu, img, wide);
}

int sse_fpstate_restore_layout(struct x86_cpu *cpu, const uint8_t *img, bool wide)
{
    uint32_t mx;
    memcpy(&mx, img + FX_MXCSR, 4);
    if (mx & ~sse_mxcsr_valid())
        return -1;
    fxrstor_image(cpu, img, wide);
    return 0;
}

/* Checked here, not by fxrstor's helper: its #GP would unwind out of the
 * syscall layer; rt_sigreturn turns -1 into SIGSEGV as Linux does. */
int x86_fpstate_restore(struct x86_cpu *cpu, const uint8_t *img)
{
    return sse_fpstate_restore_layout(cpu, img, true);
}

/* Linux's fpu__clear_user_states: the handler gets the init FP state
 * (every XCR0 component: x87, SSE and the YMM upper halves). */
void x86_fpstate_reset(struct x86_cpu *cpu)
{
    memset(&cpu->x87.st, 0, sizeof cpu->x87.st);     /* the init state's registers */
    x87_init(cpu);
    sse_mxcsr_write(cpu, SSE_MXCSR_DEFAULT);
    memset(cpu->xmm, 0, sizeof cpu->xmm);
    memset(cpu->ymm_hi, 0, sizeof cpu->ymm_hi);
}

SSE_HELPER(maskmovdqu)
{
    uint8_t *p = tr_guest_ptr(env, s);
    const x86_xmm *data = sse_reg(env, d), *mask = sse_reg(env, imm);
    uint64_t sel = 0;
    for (int i = 0; i < 16; i++)
        sel |= mask->b[i] & 0x80;
    /* a zero mask writes nothing, but the CPU checks the 16 bytes anyway
     * (the SDM leaves it to the implementation): AMD lowest byte first,
     * Intel the high 8 bytes, then the low 8, whatever the mask (Zen 5,
     * Ice Lake server; user mode only: ferry-system's helpers are not
     * checked for it) */
    bool user = !tr_guest_softmmu(env);
    if (user && x86_machine()->intel)
        x86_guest_probe(env, s + 8, 8, true);
    if (sel || user)
        x86_guest_probe(env, s, 16, true);
    for (int i = 0; i < 16; i++)
        if (mask->b[i] & 0x80)
            p[i] = data->b[i];
    return 0;
}
