/* x86_align.c -- the general-protection faults (#GP: SIGSEGV, SI_KERNEL,
 * trap 13, si_addr 0, at the instruction with nothing changed) the CPU
 * raises for operands it refuses, as IR brexit checks:
 *  - a misaligned memory operand of an SSE form that requires alignment:
 *    the legacy (non-VEX) SSE and AES/PCLMULQDQ forms with a 16-byte
 *    memory operand, but movups/movupd/movdqu/lddqu, the SSE4.2 string
 *    compares and, on AMD only, SHA (measured on AMD Zen 5; on this Intel
 *    Sapphire Rapids sha1msg1 and the others with a misaligned m128 are #GP
 *    like any legacy SSE form, x86_machine()->intel); of the VEX forms only the
 *    aligned moves (vmovaps/vmovapd/vmovdqa, vmovnt*), at their operand's
 *    size (16 or 32).  One and + branch per such access, nothing elsewhere;
 *    in AMD's misaligned SSE mode (MXCSR.MM, x86_machine misalign_sse)
 *    only the legacy aligned moves keep the check;
 *  - an indirect jmp, call or ret to a non-canonical address: #GP at the
 *    jump itself, before the call's push or the ret's pop (this AMD; a
 *    canonical target that cannot be fetched is a page fault at the target
 *    as before).  Three ops per indirect transfer.
 * The helpers that take whole areas (fxsave, xsave, cmpxchg16b) check their
 * own alignment.
 */
#include "x86_internal.h"
#include "x86_avx.h"

static bool in_set(const struct x86_insn_row *r, const struct x86_row_set *s)
{
    const char *p = (const char *)r, *first = (const char *)s->first;
    return p >= first && p < first + s->count * s->stride;
}

static bool legacy_unaligned_ok(unsigned id)
{
    switch (id) {
    case X86_INS_MOVUPS: case X86_INS_MOVUPD: case X86_INS_MOVDQU: case X86_INS_LDDQU:
    case X86_INS_PCMPESTRI: case X86_INS_PCMPESTRM: case X86_INS_PCMPISTRI:
    case X86_INS_PCMPISTRM:
    case X86_INS_COMISS: case X86_INS_COMISD:   /* m32/m64 (capstone 4 says 16 bytes) */
        return true;
    default:
        return false;
    }
}

/* The legacy SHA forms: unaligned m128 allowed on AMD, #GP on Intel. */
static bool sha_unaligned_ok(unsigned id)
{
    switch (id) {
    case X86_INS_SHA1RNDS4: case X86_INS_SHA1NEXTE: case X86_INS_SHA1MSG1:
    case X86_INS_SHA1MSG2: case X86_INS_SHA256RNDS2: case X86_INS_SHA256MSG1:
    case X86_INS_SHA256MSG2:
        return !x86_machine()->intel;
    default:
        return false;
    }
}

static bool vex_aligned_move(unsigned id)
{
    switch (id) {
    case X86_INS_VMOVAPS: case X86_INS_VMOVAPD: case X86_INS_VMOVDQA:
    case X86_INS_VMOVNTPS: case X86_INS_VMOVNTPD: case X86_INS_VMOVNTDQ:
    case X86_INS_VMOVNTDQA:
        return true;
    default:
        return false;
    }
}

/* The legacy forms misaligned SSE mode leaves #GP (Zen 5: also fxsave and
 * cmpxchg16b, whose helpers check). */
static bool legacy_aligned_move(unsigned id)
{
    switch (id) {
    case X86_INS_MOVAPS: case X86_INS_MOVAPD: case X86_INS_MOVDQA:
    case X86_INS_MOVNTPS: case X86_INS_MOVNTPD: case X86_INS_MOVNTDQ: case X86_INS_MOVNTDQA:
        return true;
    default:
        return false;
    }
}

/* May MXCSR.MM be set while this block runs?  MM is a control bit, so
 * MXCSR then differs from 0x1f80 and the block has X86_TB_MXCSR: blocks
 * of the default MXCSR keep the one-branch check. */
static bool mm_may_lift(const struct x86_dc *dc)
{
    return (dc->b->mode & X86_TB_MXCSR) && x86_machine()->misalign_sse &&
           dc->row->opform != X86_OPF_VEX && !legacy_aligned_move(dc->insn->id);
}

/* low, or 0 while MXCSR.MM is set: low >> (MM ? 16 : 0), low < 32. */
static ir_ref mm_gate(struct x86_dc *dc, ir_ref low)
{
    ir_ref mx = ir_temp(dc->b);
    ir_ld_env(dc->b, IR_MO_32, mx, offsetof(struct x86_cpu, mxcsr));
    ir_ref sh = x86_op2(dc, IR_shr, 4, mx, x86_imm(dc, 13));    /* MM (bit 17) to bit 4 */
    sh = x86_op2(dc, IR_and, 4, sh, x86_imm(dc, 16));
    return x86_op2(dc, IR_shr, 8, low, sh);
}

/* Does the current instruction require its vector memory operand aligned
 * to that operand's size? */
bool x86_align_required(const struct x86_dc *dc)
{
    const struct x86_insn_row *r = dc->row;
    if (!r)
        return false;
    if (r->opform == X86_OPF_VEX)
        return vex_aligned_move(dc->insn->id);
    return (in_set(r, &x86_sse_rows) || in_set(r, &x86_crypto_rows) || in_set(r, &x86_gfni_rows)) &&
           !legacy_unaligned_ok(dc->insn->id) && !sha_unaligned_ok(dc->insn->id);
}

/* A page-crossing store needs a probe of the second page first (the
 * backends' probe_page_cross); an aligned one crosses none.  Aligned
 * whenever x86_check_align's test is unconditional (no MXCSR.MM). */
unsigned x86_vst_aligned(const struct x86_dc *dc, const cs_x86_op *op)
{
    return dc->align_required && (op->size == 16 || op->size == 32) && !mm_may_lift(dc)
               ? IR_V_ALIGNED : 0;
}

/* #GP unless ea is aligned (called once per operand, with its address). */
void x86_check_align(struct x86_dc *dc, const cs_x86_op *op, ir_ref ea)
{
    if (!dc->align_required || (op->size != 16 && op->size != 32))
        return;
    ir_ref low = x86_op2(dc, IR_and, 8, ea, x86_imm(dc, op->size - 1u));
    if (mm_may_lift(dc))
        low = mm_gate(dc, low);
    ir_brexit(dc->b, IR_NE, 64, low, x86_imm(dc, 0), dc->pc, TR_EXIT_SIGSEGV);
}

/* #GP unless bits 63:47 of target are all equal. */
void x86_check_canonical(struct x86_dc *dc, ir_ref target)
{
    if (dc->code32 || dc->code16)
        return;
    x86_flags_sync(dc);             /* the handler sees the flags from before */
    ir_ref t = x86_op2(dc, IR_add, 8, target, x86_imm(dc, 1ull << 47));
    t = x86_op2(dc, IR_shr, 8, t, x86_imm(dc, 48));
    ir_brexit(dc->b, IR_NE, 64, t, x86_imm(dc, 0), dc->pc, TR_EXIT_SIGSEGV);
}

/* After a jmp's, ret's or (Intel) call's exit_indirect: the exit may take
 * over the check above, the ret's pop of rsp (`popped` bytes; a call's
 * push: minus its bytes) undone (ir_fold_canonical). */
void x86_canonical_exit(struct x86_dc *dc, uint32_t popped)
{
    if (!dc->code32 && !dc->code16 && !dc->step)   /* (a step's exit is a helper's trap) */
        ir_mark_canonical(dc->b, dc->pc, x86_reg_now(dc, X86_RSP), popped);
}
