/* x86_sys_store.c -- the system-register stores user mode may run:
 * sldt, str, smsw, sgdt and sidt (0f 00 /0 /1, 0f 01 /0 /1 /4).
 *
 * Without UMIP (CR4.UMIP clear, as on the hosts measured) the CPU runs them
 * at CPL 3 and shows the kernel's values; with UMIP Linux spoofs the same
 * kind of answer for 64-bit processes.  Linux's are fixed but for the
 * tables' bases: LDTR 0 (no LDT: modify_ldt is ENOSYS here), TR
 * GDT_ENTRY_TSS * 8 = 0x40, CR0 0x80050033 (PG AM WP NE ET MP PE), GDT
 * limit 0x7f (16 entries), IDT limit 0xfff (256 gates).  The bases are the
 * per-CPU tables' kernel addresses (different per CPU and boot): ferry
 * answers an address of that kind, cpu 0's in Linux's non-randomised
 * cpu_entry_area.  System mode translates its own (x86_system.c) and keeps
 * smsw #UD, as before.
 */
#include "x86_internal.h"

#define LINUX_LDTR      0x0
#define LINUX_TR        0x40
#define LINUX_CR0       0x80050033u
#define LINUX_GDT_LIMIT 0x7f
#define LINUX_IDT_LIMIT 0xfff
#define LINUX_GDT_BASE  0xfffffe0000001000ull
#define LINUX_IDT_BASE  0xfffffe0000000000ull

/* r/m16 to memory, or a register: 16 bits merge, 32 and 64 zero-extend. */
static void store_word(struct x86_dc *dc, uint64_t v)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    if (d->type == X86_OP_MEM) {
        x86_store(dc, 2, x86_ea(dc, d), x86_imm(dc, v & 0xffff));
        return;
    }
    x86_operand_write(dc, d, x86_imm(dc, d->size == 2 ? v & 0xffff : v));
}

static void h_sldt(struct x86_dc *dc)
{
    if (dc->system) x86_raise_sigill(dc);
    else store_word(dc, LINUX_LDTR);
}

static void h_str(struct x86_dc *dc)
{
    if (dc->system) x86_raise_sigill(dc);
    else store_word(dc, LINUX_TR);
}

static void h_smsw(struct x86_dc *dc)
{
    if (dc->system) x86_raise_sigill(dc);
    else store_word(dc, LINUX_CR0);
}

/* m16&64: the limit, then the base (REX.W changes nothing in 64-bit mode). */
static void store_table(struct x86_dc *dc, uint64_t limit, uint64_t base)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    if (dc->system || d->type != X86_OP_MEM) {
        x86_raise_sigill(dc);
        return;
    }
    ir_ref ea = x86_ea(dc, d);
    x86_store(dc, 2, ea, x86_imm(dc, limit));
    x86_store(dc, 8, x86_op2(dc, IR_add, 8, ea, x86_imm(dc, 2)), x86_imm(dc, base));
}

static void h_sgdt(struct x86_dc *dc) { store_table(dc, LINUX_GDT_LIMIT, LINUX_GDT_BASE); }
static void h_sidt(struct x86_dc *dc) { store_table(dc, LINUX_IDT_LIMIT, LINUX_IDT_BASE); }

static const struct x86_insn_row sys_store_rows[] = {
    X86_ROW(SLDT, h_sldt, PASS, 0), X86_ROW(STR, h_str, PASS, 0),
    X86_ROW(SMSW, h_smsw, PASS, 0),
    X86_ROW(SGDT, h_sgdt, PASS, 0), X86_ROW(SIDT, h_sidt, PASS, 0),
};
const struct x86_row_set x86_sys_store_rows = X86_ROW_SET("sys_store", sys_store_rows);
