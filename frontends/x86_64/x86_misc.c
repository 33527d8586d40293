/* x86_misc.c -- instructions with no family: nop/endbr64/endbr32/pause/prefetch/
 * fences, flag bits (clc stc cmc cld std lahf sahf), cpuid, rdtsc, xlat.
 */
#include "x86_internal.h"

static void h_nop(struct x86_dc *dc) { (void)dc; }

/* lfence/sfence; with 66/F2/F3 another, here #UD, instruction (incssp...). */
static void h_fence_nop(struct x86_dc *dc)
{
    if (x86_fence_prefixed(dc)) x86_raise_sigill(dc);
}

/* clc stc cmc: a new CF over the older flags (only when read later). */
static void h_clc(struct x86_dc *dc) { x86_flags_set_cf(dc, x86_imm(dc, 0)); }
static void h_stc(struct x86_dc *dc) { x86_flags_set_cf(dc, x86_imm(dc, 1)); }

static void h_cmc(struct x86_dc *dc)
{
    if (!x86_flags_live(dc)) return;
    x86_flags_set_cf(dc, x86_op2(dc, IR_xor, 8, x86_flags_cf(dc), x86_imm(dc, 1)));
}
static void h_cld(struct x86_dc *dc) { ir_movi(dc->b, x86_g_df, 1); }
static void h_std(struct x86_dc *dc) { ir_movi(dc->b, x86_g_df, (uint64_t)-1); }

#define LAHF_BITS (X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF)

static void h_lahf(struct x86_dc *dc)
{
    ir_ref f = x86_op2(dc, IR_and, 8, x86_flags_eflags(dc), x86_imm(dc, LAHF_BITS));
    x86_gpr_write(dc, X86_REG_AH, x86_op2(dc, IR_or, 8, f, x86_imm(dc, 2)));
}

static void h_sahf(struct x86_dc *dc)
{
    if (!x86_flags_live(dc)) return;
    ir_ref ah = x86_gpr_read(dc, X86_REG_AH);
    ir_ref of = x86_op2(dc, IR_and, 8, x86_flags_eflags(dc), x86_imm(dc, X86_OF));
    ir_ref f = x86_op2(dc, IR_or, 8, of, x86_op2(dc, IR_and, 8, ah, x86_imm(dc, LAHF_BITS)));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, f, IR_NONE, IR_NONE);
}

/* With CPUID faulting possible (x86_machine()->cpuid_fault) the helper
 * may raise #GP at the instruction: the pc and flags are synced first. */
static void h_cpuid(struct x86_dc *dc)
{
    if (x86_machine()->cpuid_fault) {
        x86_flags_sync(dc);
        x86_sync_pc(dc);
    }
    x86_call(dc, &x86_helper_cpuid, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static void h_rdtsc(struct x86_dc *dc)
{
    ir_ref t = x86_call(dc, &x86_helper_rdtsc, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_gpr_write(dc, X86_REG_EAX, t);
    x86_gpr_write(dc, X86_REG_EDX, x86_op2(dc, IR_shr, 8, t, x86_imm(dc, 32)));
}

/* xlat: al = [rbx + al] (ebx + al, wrapping, under 0x67; fs/gs apply) */
static void h_xlat(struct x86_dc *dc)
{
    ir_ref addr = x86_op2(dc, IR_add, 8, x86_get_reg(dc, X86_RBX), x86_gpr_read(dc, X86_REG_AL));
    ir_ref seg = x86_seg_base(dc);
    if (dc->x->addr_size == 4) addr = x86_trunc(dc, addr, 4);
    if (seg != IR_NONE) addr = x86_op2(dc, IR_add, 8, addr, seg);
    x86_gpr_write(dc, X86_REG_AL, x86_load(dc, 1, addr));
}

#define NOP(name) X86_ROW(name, h_nop, PASS, 0)
static const struct x86_insn_row misc_rows[] = {
    NOP(NOP), NOP(ENDBR64), NOP(ENDBR32), NOP(PAUSE), NOP(PREFETCH), NOP(PREFETCHW), NOP(PREFETCHNTA),
    NOP(PREFETCHT0), NOP(PREFETCHT1), NOP(PREFETCHT2),
    X86_ROW(LFENCE, h_fence_nop, PASS, 0), X86_ROW(SFENCE, h_fence_nop, PASS, 0),
    X86_ROW(CLC, h_clc, PASS, 0),
    X86_ROW(STC, h_stc, PASS, 0),
    X86_ROW(CMC, h_cmc, PASS, 0),
    X86_ROW(CLD, h_cld, PASS, 0),
    X86_ROW(STD, h_std, PASS, 0),
    X86_ROW(LAHF, h_lahf, READ, 0),
    X86_ROW(SAHF, h_sahf, PASS, 0),
    X86_ROW(CPUID, h_cpuid, PASS, 0),
    X86_ROW(RDTSC, h_rdtsc, PASS, 0),
    X86_ROW(XLATB, h_xlat, PASS, 0),
};
const struct x86_row_set x86_misc_rows = X86_ROW_SET("misc", misc_rows);
