/* x86_compat.c -- compatibility mode in a 64-bit process, as Linux with
 * IA32 emulation gives it: a far transfer to __USER32_CS (0x23) runs the
 * target as 32-bit code.  The mode is the translation-mode bit
 * X86_TB_CODE32 (blocks are looked up, chained and cached per mode), so
 * switching it is tr_set_mode's work; the decoder then reads 32-bit code
 * (x86_translate.c: code_bits from the block's mode). */
#include "x86_internal.h"

bool x86_compat_mode(const struct x86_cpu *cpu)
{
    return (cpu->rt.tb_mode & X86_TB_CODE32) != 0;
}

void x86_set_compat_mode(struct x86_cpu *cpu, bool on)
{
    uint32_t others = cpu->rt.tb_mode & ~X86_TB_CODE32;
    tr_set_mode(cpu, others | (on ? X86_TB_CODE32 : 0));
}

uint16_t x86_user_cs(const struct x86_cpu *cpu)
{
    return x86_compat_mode(cpu) ? X86_USER32_CS : X86_USER_CS;
}

/* The selector first: x86_machine_ia32() may run a native probe (a child
 * process), which every sigreturn to 64-bit code has no need of. */
bool x86_seg_user32(uint16_t sel)
{
    return (sel & 0xfffc) == (X86_USER32_CS & 0xfffc) && x86_machine_ia32();
}

/* ---- null data segments ---- */

static bool legacy_prefix(uint8_t b)
{
    return b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x66 || b == 0x67 || b == 0x2e ||
           b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65;
}

/* The segment register of a memory operand: the last override prefix,
 * else ss for an esp/ebp base, else the default (ds; es for a string
 * instruction's destination). */
static int operand_sreg(const struct x86_dc *dc, x86_reg base, int dflt)
{
    int s = -1;
    for (int i = 0; i < dc->insn->size && legacy_prefix(dc->insn->bytes[i]); i++) {
        switch (dc->insn->bytes[i]) {
        case 0x2e: s = X86_SREG_CS; break;
        case 0x36: s = X86_SREG_SS; break;
        case 0x3e: s = X86_SREG_DS; break;
        case 0x26: s = X86_SREG_ES; break;
        case 0x64: s = X86_SREG_FS; break;
        case 0x65: s = X86_SREG_GS; break;
        }
    }
    if (s >= 0 && dflt != X86_SREG_ES)
        return s;
    if (base == X86_REG_ESP || base == X86_REG_EBP || base == X86_REG_SP || base == X86_REG_BP)
        return X86_SREG_SS;
    return dflt;
}

/* In compatibility mode a 64-bit process's ds and es hold the null
 * selector until it loads them (Linux starts it with 0): an access
 * through a null segment is #GP(0) there, SIGSEGV (measured natively).
 * ss and cs are never null at CPL 3.  64-bit code: nothing. */
/* when: IR_NONE, or a value that must be non-zero for the access to
 * happen (a rep prefix's count: ecx 0 touches no memory). */
static void check_sreg(struct x86_dc *dc, int s, ir_ref when)
{
    if (s == X86_SREG_CS || s == X86_SREG_SS)
        return;
    ir_ref sel = x86_new(dc);
    ir_ld_env(dc->b, IR_MO_16, sel, X86_ENV_OFF(sel[s]));
    ir_ref idx = x86_op2(dc, IR_and, 8, sel, x86_imm(dc, 0xfffc));
    if (when == IR_NONE) {
        ir_brexit(dc->b, IR_EQ, 64, idx, x86_imm(dc, 0), dc->pc, TR_EXIT_SIGSEGV);
        return;
    }
    ir_ref null = x86_setcond(dc, IR_EQ, 64, idx, x86_imm(dc, 0));
    ir_ref bad = x86_op2(dc, IR_and, 8, null, x86_setcond(dc, IR_NE, 64, when, x86_imm(dc, 0)));
    ir_brexit(dc->b, IR_NE, 64, bad, x86_imm(dc, 0), dc->pc, TR_EXIT_SIGSEGV);
}

void x86_compat_seg_check(struct x86_dc *dc, const cs_x86_op *op)
{
    if (dc->code32 && !dc->system)
        check_sreg(dc, operand_sreg(dc, op->mem.base, X86_SREG_DS), IR_NONE);
}

void x86_compat_str_check(struct x86_dc *dc, bool src, bool dst, bool rep)
{
    if (!dc->code32 || dc->system)
        return;
    ir_ref when = rep ? x86_trunc(dc, x86_get_reg(dc, X86_RCX), dc->x->addr_size == 2 ? 2 : 4)
                      : IR_NONE;
    if (src) check_sreg(dc, operand_sreg(dc, X86_REG_ESI, X86_SREG_DS), when);
    if (dst) check_sreg(dc, X86_SREG_ES, when);
}
