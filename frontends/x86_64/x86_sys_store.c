/* x86_sys_store.c -- the system-register stores user mode may run:
 * sldt, str, smsw, sgdt and sidt (0f 00 /0 /1, 0f 01 /0 /1 /4).
 *
 * Without UMIP (CR4.UMIP clear, as on the AMD host measured) the CPU runs them
 * at CPL 3 and shows the kernel's values; with UMIP Linux spoofs the same
 * kind of answer for 64-bit processes.  Linux's are fixed but for the
 * tables' bases: LDTR 0 (no LDT: modify_ldt is ENOSYS here), TR
 * GDT_ENTRY_TSS * 8 = 0x40, CR0 0x80050033 (PG AM WP NE ET MP PE), GDT
 * limit 0x7f (16 entries), IDT limit 0xfff (256 gates).  The bases are the
 * per-CPU tables' kernel addresses (different per CPU and boot): ferry
 * answers an address of that kind, cpu 0's in Linux's non-randomised
 * cpu_entry_area.  System mode translates its own (x86_system.c) and keeps
 * smsw #UD, as before.
 *
 * With UMIP (x86_machine()->umip: CR4.UMIP set, as on this Intel Sapphire
 * Rapids host) each of them is #GP at CPL 3 and Linux's umip.c emulates
 * it for 64-bit processes too, with its own rules (measured here):
 *   - sldt: GDT_ENTRY_LDT * 8 = 0x50 once the process has an LDT
 *     (modify_ldt wrote one), else 0; str 0x40; smsw CR0 0x80050033;
 *   - a register destination gets operand-size bytes copied into the saved
 *     register: 16 bits merge, 32 bits leave bits 63:32 alone (native
 *     `sldt eax` on 0x1111222233334444 gives 0x1111222200000000), 64 whole;
 *     memory gets 2 bytes;
 *   - sgdt/sidt: limit 0 and the dummy bases 0xfffffffffffe0000 (GDT),
 *     0xffffffffffff0000 (IDT), 10 bytes; their register forms stay #UD
 *     (the CPU checks that before UMIP's #GP);
 *   - a memory answer is written by copy_to_user: outside user space
 *     (non-canonical, the kernel half, past USER_PTR_MAX) nothing, else
 *     byte by byte up to the first byte it cannot write; when short,
 *     SIGSEGV SEGV_MAPERR at the operand's start, error code 6 (U W,
 *     never P), trap 14, the instruction not done -- on a read-only page
 *     too (force_sig_info_umip_fault).  A C helper does that store.
 */
#include <signal.h>
#include <string.h>

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

/* ---- UMIP: Linux's emulation (umip.c) ---- */

#define UMIP_LDTR       0x50    /* GDT_ENTRY_LDT * 8, when the process has an LDT */
#define UMIP_GDT_BASE   0xfffffffffffe0000ull
#define UMIP_IDT_BASE   0xffffffffffff0000ull

/* What umip.c answers, as the bytes it copies to memory (at most 10). */
enum umip_kind { UMIP_SLDT, UMIP_STR, UMIP_SMSW, UMIP_SGDT, UMIP_SIDT };

/* umip.c's sldt: 0x50 if the process has an LDT (x86_ldt.c), else 0. */
static uint64_t umip_ldtr(void *env)
{
    (void)env;
    return x86_ldt_count() ? UMIP_LDTR : 0;
}

static const struct ir_helper umip_ldtr_helper = { (void *)umip_ldtr, "umip_ldtr", 0, 1, 0 };

static size_t umip_answer(unsigned kind, uint8_t out[10])
{
    uint64_t v = kind == UMIP_SLDT ? umip_ldtr(NULL) : kind == UMIP_STR ? LINUX_TR : LINUX_CR0;
    if (kind == UMIP_SGDT || kind == UMIP_SIDT) {
        uint64_t base = kind == UMIP_SGDT ? UMIP_GDT_BASE : UMIP_IDT_BASE;
        memset(out, 0, 2);
        memcpy(out + 2, &base, 8);
        return 10;
    }
    out[0] = (uint8_t)v, out[1] = (uint8_t)(v >> 8);
    return 2;
}

/* Linux's USER_PTR_MAX without LAM (TASK_SIZE_MAX - 1): access_ok wants
 * addr + len at or below it. */
#define UMIP_USER_PTR_MAX 0x7fffffffefffull

struct umip_byte { uint64_t addr; uint8_t v; };

static void umip_put(struct x86_cpu *c, void *arg)
{
    const struct umip_byte *b = arg;
    *(volatile uint8_t *)tr_guest_ptr(c, b->addr) = b->v;
}

/* copy_to_user: how many bytes it wrote (all, or up to the first that
 * faults; none outside user space). */
static size_t umip_copy_out(struct x86_cpu *c, uint64_t addr, const uint8_t *data, size_t n)
{
    if (addr + n < addr || addr + n > UMIP_USER_PTR_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        struct umip_byte b = { addr + i, data[i] };
        if (!x86_guarded(c, umip_put, &b))
            return i;
    }
    return n;
}

/* The memory form: the answer stored, or force_sig_info_umip_fault's
 * signal (dispatch.c keeps an error code that has U). */
static void umip_mem_store(void *env, uint64_t addr, uint64_t kind)
{
    struct x86_cpu *c = env;
    uint8_t data[10];
    size_t n = umip_answer((unsigned)kind, data);
    if (umip_copy_out(c, addr, data, n) == n)
        return;
    c->rt.fault.sig = SIGSEGV;
    c->rt.fault.addr = addr;
    c->rt.fault.code = 1;               /* SEGV_MAPERR */
    c->rt.fault.trapno = 14;
    c->rt.fault.err = 6;                /* X86_PF_USER | X86_PF_WRITE */
    tr_raise(&c->rt, TR_EXIT_HOST_FAULT, c->rt.pc);
}

static const struct ir_helper umip_mem_helper = {
    (void *)umip_mem_store, "umip_mem_store", 2, 0, IR_HELPER_RW_GLOBALS,
};

/* umip.c's register write: the low operand-size bytes of the saved
 * register, the rest kept (no 32-bit zero-extension); memory: the
 * answer's bytes through umip_mem_store. */
static void umip_store(struct x86_dc *dc, enum umip_kind kind)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    if (d->type == X86_OP_MEM) {
        ir_ref ea = x86_ea(dc, d);
        x86_sync_pc(dc);
        x86_call(dc, &umip_mem_helper, ea, x86_imm(dc, kind), IR_NONE, IR_NONE, IR_NONE);
        return;
    }
    if (kind >= UMIP_SGDT) {            /* register forms: #UD before UMIP's #GP */
        x86_raise_sigill(dc);
        return;
    }
    ir_ref v = kind == UMIP_SLDT ? x86_call(dc, &umip_ldtr_helper, IR_NONE, IR_NONE, IR_NONE,
                                            IR_NONE, IR_NONE)
             : x86_imm(dc, kind == UMIP_STR ? LINUX_TR : LINUX_CR0);
    if (d->size == 2) {
        x86_operand_write(dc, d, x86_op2(dc, IR_and, 8, v, x86_imm(dc, 0xffff)));
        return;
    }
    int n = x86_gpr_num(d->reg);
    if (d->size == 4) {
        ir_ref high = x86_op2(dc, IR_and, 8, x86_get_reg(dc, n), x86_imm(dc, ~0xffffffffull));
        v = x86_op2(dc, IR_or, 8, high, v);
    }
    x86_set_reg(dc, n, v);
}

static void h_sldt(struct x86_dc *dc)
{
    if (dc->system) x86_raise_sigill(dc);
    else if (x86_machine()->umip)
        umip_store(dc, UMIP_SLDT);
    else store_word(dc, LINUX_LDTR);
}

static void h_str(struct x86_dc *dc)
{
    if (dc->system) x86_raise_sigill(dc);
    else if (x86_machine()->umip) umip_store(dc, UMIP_STR);
    else store_word(dc, LINUX_TR);
}

static void h_smsw(struct x86_dc *dc)
{
    if (dc->system) x86_raise_sigill(dc);
    else if (x86_machine()->umip) umip_store(dc, UMIP_SMSW);
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

/* Under UMIP umip.c answers limit 0 and its dummy bases (umip_answer). */
static void h_sgdt(struct x86_dc *dc)
{
    if (x86_machine()->umip && !dc->system) umip_store(dc, UMIP_SGDT);
    else store_table(dc, LINUX_GDT_LIMIT, LINUX_GDT_BASE);
}

static void h_sidt(struct x86_dc *dc)
{
    if (x86_machine()->umip && !dc->system) umip_store(dc, UMIP_SIDT);
    else store_table(dc, LINUX_IDT_LIMIT, LINUX_IDT_BASE);
}

static const struct x86_insn_row sys_store_rows[] = {
    X86_ROW(SLDT, h_sldt, PASS, 0), X86_ROW(STR, h_str, PASS, 0),
    X86_ROW(SMSW, h_smsw, PASS, 0),
    X86_ROW(SGDT, h_sgdt, PASS, 0), X86_ROW(SIDT, h_sidt, PASS, 0),
};
const struct x86_row_set x86_sys_store_rows = X86_ROW_SET("sys_store", sys_store_rows);
