/* x86_bcd.c -- the instructions that exist only outside 64-bit mode (the
 * decoder produces them for 32-bit code only): the decimal adjusts daa das
 * aaa aas aam aad, salc, into, bound, arpl, les/lds.  They are rare, so
 * the decimal adjusts run in one C helper (x86_bcd_eval, a pure function
 * of ax, the flags and the immediate) instead of IR.  The flags the SDM
 * leaves undefined are set as this Intel host sets them (measured over
 * every ax and input CF/AF: tests/guest/compat_bcd.c). */
#include "x86_internal.h"

#define CPU(env) ((struct x86_cpu *)(env))

/* BEGIN MODEL */
enum { X86_BCD_DAA, X86_BCD_DAS, X86_BCD_AAA, X86_BCD_AAS, X86_BCD_AAM, X86_BCD_AAD };

static uint32_t bcd_szp(uint32_t v)
{
    v &= 0xff;
    uint32_t f = (v & 0x80 ? X86_SF : 0) | (v == 0 ? X86_ZF : 0);
    return f | (__builtin_parity(v) ? 0 : X86_PF);
}

/* daa/das (SDM); OF, undefined there, is clear on this Intel host in
 * every case (measured). */
static uint32_t bcd_daa(uint32_t ax, uint32_t fl, bool sub)
{
    uint32_t al = ax & 0xff, old = al, cf = 0, af = 0;
    if ((al & 0xf) > 9 || (fl & X86_AF)) {
        cf = (fl & X86_CF) || (sub ? al < 6 : al > 0xf9);
        al = (sub ? al - 6 : al + 6) & 0xff;
        af = 1;
    }
    if (old > 0x99 || (fl & X86_CF)) {
        al = (sub ? al - 0x60 : al + 0x60) & 0xff;
        cf = 1;
    }
    uint32_t f = bcd_szp(al) | (cf ? X86_CF : 0) | (af ? X86_AF : 0);
    return (ax & 0xff00) | al | f << 16;
}

/* aaa/aas: ax +- 0x106 (16-bit: al's carry or borrow reaches ah, as
 * measured), then al &= 0xf; SZP from the final al, OF clear. */
static uint32_t bcd_aaa(uint32_t ax, uint32_t fl, bool sub)
{
    uint32_t f = 0;
    if ((ax & 0xf) > 9 || (fl & X86_AF)) {
        ax = (sub ? ax - 0x106 : ax + 0x106) & 0xffff;
        f = X86_AF | X86_CF;
    }
    ax &= 0xff0f;
    return ax | (f | bcd_szp(ax)) << 16;
}

/* aam: ah = al / base, al = al % base (base 0 is #DE, the caller's). */
static uint32_t bcd_aam(uint32_t ax, uint32_t base)
{
    uint32_t al = ax & 0xff;
    ax = (al / base) << 8 | al % base;
    return ax | bcd_szp(ax) << 16;
}

/* aad: al = al + ah * base, flags as that 8-bit add sets them. */
static uint32_t bcd_aad(uint32_t ax, uint32_t base)
{
    uint32_t a = ax & 0xff, b = (ax >> 8) * base & 0xff, r = (a + b) & 0xff;
    uint32_t f = bcd_szp(r) | (a + b > 0xff ? X86_CF : 0) | ((a ^ b ^ r) & 0x10 ? X86_AF : 0);
    f |= (~(a ^ b) & (a ^ r) & 0x80) ? X86_OF : 0;
    return r | f << 16;
}

/* ax and the six arithmetic flags after op: ax | flags << 16. */
uint32_t x86_bcd_eval(int op, uint32_t ax, uint32_t flags, uint32_t imm)
{
    switch (op) {
    case X86_BCD_DAA: return bcd_daa(ax, flags, false);
    case X86_BCD_DAS: return bcd_daa(ax, flags, true);
    case X86_BCD_AAA: return bcd_aaa(ax, flags, false);
    case X86_BCD_AAS: return bcd_aaa(ax, flags, true);
    case X86_BCD_AAM: return bcd_aam(ax, imm);
    default: return bcd_aad(ax, imm);
    }
}
/* END MODEL */

/* ---- the helpers ---- */

static uint64_t bcd_helper(void *env, uint64_t op, uint64_t imm)
{
    struct x86_cpu *c = CPU(env);
    if (op == X86_BCD_AAM && (imm & 0xff) == 0)
        tr_raise(&c->rt, TR_EXIT_SIGFPE, c->rt.pc);      /* aam 0: #DE */
    uint32_t fl = (uint32_t)x86_cc_compute(c->cc_op, c->cc_dst, c->cc_src, c->cc_src2);
    uint32_t r = x86_bcd_eval((int)op, (uint32_t)c->regs[X86_RAX] & 0xffff, fl, (uint32_t)imm & 0xff);
    c->regs[X86_RAX] = (c->regs[X86_RAX] & ~0xffffull) | (r & 0xffff);
    c->cc_op = X86_CC_OP(X86_CC_EFLAGS, 8);
    c->cc_src = (r >> 16) & X86_ARITH_FLAGS;
    return 0;
}

static const struct ir_helper bcd_helper_desc = {
    (void *)bcd_helper, "bcd", 2, 0, IR_HELPER_RW_GLOBALS };

/* A trap or fault Linux delivers as SIGSEGV with SI_KERNEL and trap
 * number `trap` (gates 4 and 5 are open to user space), at `pc`, when
 * cond is not 0. */
static uint64_t trap_if_helper(void *env, uint64_t cond, uint64_t trap, uint64_t pc)
{
    struct x86_cpu *c = CPU(env);
    if (!cond)
        return 0;
    c->rt.fault.trapno = trap;
    tr_raise(&c->rt, TR_EXIT_SIGSEGV, pc);
}

static const struct ir_helper trap_if_desc = {
    (void *)trap_if_helper, "trap_if", 3, 0, IR_HELPER_RW_GLOBALS };

/* ---- the rows ---- */

/* User mode's 32-bit code: the faulting ones and the segment loads are
 * modelled as Linux delivers them; system mode keeps them #UD. */
static bool user32(struct x86_dc *dc)
{
    if (dc->code32 && !dc->system)
        return true;
    x86_raise_sigill(dc);
    return false;
}

/* Everything here is #UD in 64-bit mode. */
static bool bcd_valid(struct x86_dc *dc)
{
    if (dc->code32 || dc->code16)
        return true;
    x86_raise_sigill(dc);
    return false;
}

static void bcd_call(struct x86_dc *dc, int op, uint32_t imm)
{
    if (!bcd_valid(dc))
        return;
    x86_flags_sync(dc);
    x86_sync_pc(dc);
    x86_call(dc, &bcd_helper_desc, x86_imm(dc, (uint64_t)op), x86_imm(dc, imm), IR_NONE,
             IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
}

/* aam/aad's base: the byte after the opcode (d4 ib / d5 ib). */
static uint32_t bcd_imm(const struct x86_dc *dc) { return dc->insn->bytes[dc->insn->size - 1]; }

static void h_daa(struct x86_dc *dc) { bcd_call(dc, X86_BCD_DAA, 0); }
static void h_das(struct x86_dc *dc) { bcd_call(dc, X86_BCD_DAS, 0); }
static void h_aaa(struct x86_dc *dc) { bcd_call(dc, X86_BCD_AAA, 0); }
static void h_aas(struct x86_dc *dc) { bcd_call(dc, X86_BCD_AAS, 0); }
static void h_aam(struct x86_dc *dc) { bcd_call(dc, X86_BCD_AAM, bcd_imm(dc)); }
static void h_aad(struct x86_dc *dc) { bcd_call(dc, X86_BCD_AAD, bcd_imm(dc)); }

/* salc: al = CF ? 0xff : 0, flags kept. */
static void h_salc(struct x86_dc *dc)
{
    if (!bcd_valid(dc))
        return;
    ir_ref cf = x86_op2(dc, IR_and, 8, x86_flags_eflags(dc), x86_imm(dc, X86_CF));
    x86_gpr_write(dc, X86_REG_AL, x86_op2(dc, IR_sub, 8, x86_imm(dc, 0), cf));
}

/* The trap helper's call when cond is non-zero: flags and pc in env
 * first, as the signal frame reads them; ip is where Linux reports it. */
static void trap_if(struct x86_dc *dc, ir_ref cond, int trapno, uint64_t ip)
{
    x86_flags_sync(dc);
    x86_sync_pc(dc);
    x86_call(dc, &trap_if_desc, cond, x86_imm(dc, (uint64_t)trapno), x86_imm(dc, ip), IR_NONE, IR_NONE);
}

/* into: with OF set, #OF, a trap: SIGSEGV, trap 4, at the next insn. */
static void h_into(struct x86_dc *dc)
{
    if (!user32(dc))
        return;
    ir_ref of = x86_op2(dc, IR_and, 8, x86_flags_eflags(dc), x86_imm(dc, X86_OF));
    trap_if(dc, of, 4, dc->next_pc);
}

/* bound r, m: the signed index outside [m, m + size]: #BR, a fault
 * (SIGSEGV, trap 5, at the instruction); both bounds are read first. */
static void h_bound(struct x86_dc *dc)
{
    const cs_x86_op *r = x86_opnd(dc, 0), *m = x86_opnd(dc, 1);
    if (m->type != X86_OP_MEM) {
        x86_raise_sigill(dc);
        return;
    }
    if (!user32(dc))
        return;
    int bytes = r->size;
    ir_ref a = x86_ea(dc, m);
    ir_ref lo = x86_sext(dc, x86_load(dc, bytes, a), bytes);
    ir_ref hi = x86_sext(dc, x86_load(dc, bytes, x86_op2(dc, IR_add, 8, a, x86_imm(dc, (uint64_t)bytes))), bytes);
    ir_ref v = x86_sext(dc, x86_read(dc, r, bytes), bytes);
    ir_ref bad = x86_op2(dc, IR_or, 8, x86_setcond(dc, IR_LT, 64, v, lo),
                         x86_setcond(dc, IR_GT, 64, v, hi));
    trap_if(dc, bad, 5, dc->pc);
}

/* arpl r/m16, r16: the destination's RPL raised to the source's (ZF=1),
 * else ZF=0 and no write; the other flags kept. */
static void h_arpl(struct x86_dc *dc)
{
    if (!user32(dc))
        return;
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    ir_ref dv = x86_read(dc, d, 2);
    ir_ref drpl = x86_op2(dc, IR_and, 8, dv, x86_imm(dc, 3));
    ir_ref srpl = x86_op2(dc, IR_and, 8, x86_read(dc, s, 2), x86_imm(dc, 3));
    struct x86_cmp lt = { IR_LTU, 64, drpl, srpl };
    ir_ref nv = x86_op2(dc, IR_or, 8, x86_op2(dc, IR_andc, 8, dv, x86_imm(dc, 3)), srpl);
    x86_operand_write(dc, d, x86_select(dc, &lt, nv, dv));
    if (!x86_flags_live(dc))
        return;
    ir_ref f = x86_op2(dc, IR_andc, 8, x86_flags_eflags(dc), x86_imm(dc, X86_ZF));
    f = x86_op2(dc, IR_or, 8, f, x86_select(dc, &lt, x86_imm(dc, X86_ZF), x86_imm(dc, 0)));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, f, IR_NONE, IR_NONE);
}

/* les/lds r, m16:32 (m16:16 with 0x66): both parts read, the segment
 * loaded (its checks may fault), then the register written.  With a
 * register operand these bytes are VEX in compatibility mode too. */
static void load_far_ptr(struct x86_dc *dc, x86_reg seg)
{
    const cs_x86_op *r = x86_opnd(dc, 0), *m = x86_opnd(dc, 1);
    if (m->type != X86_OP_MEM) {
        x86_raise_sigill(dc);
        return;
    }
    if (!user32(dc))
        return;
    int bytes = r->size;
    ir_ref a = x86_ea(dc, m);
    ir_ref off = x86_load(dc, bytes, a);
    ir_ref sel = x86_load(dc, 2, x86_op2(dc, IR_add, 8, a, x86_imm(dc, (uint64_t)bytes)));
    x86_seg_write(dc, seg, sel);
    x86_operand_write(dc, r, off);
}

static void h_les(struct x86_dc *dc) { load_far_ptr(dc, X86_REG_ES); }
static void h_lds(struct x86_dc *dc) { load_far_ptr(dc, X86_REG_DS); }

static const struct x86_insn_row bcd_rows[] = {
    X86_ROW(DAA, h_daa, READ, 0), X86_ROW(DAS, h_das, READ, 0),
    X86_ROW(AAA, h_aaa, READ, 0), X86_ROW(AAS, h_aas, READ, 0),
    X86_ROW(AAM, h_aam, READ, 0), X86_ROW(AAD, h_aad, READ, 0),
    X86_ROW(SALC, h_salc, READ, 0), X86_ROW(INTO, h_into, READ, 0),
    X86_ROW(BOUND, h_bound, READ, 0), X86_ROW(ARPL, h_arpl, PASS, 0),
    X86_ROW(LES, h_les, READ, 0), X86_ROW(LDS, h_lds, READ, 0),
};
const struct x86_row_set x86_bcd_rows = X86_ROW_SET("bcd", bcd_rows);
