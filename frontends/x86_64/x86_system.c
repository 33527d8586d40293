/* x86_system.c -- the privileged instructions of system mode
 * (fe_x86_64_system): hlt, cli/sti, popf with IF, in/out, lgdt/lidt/ltr,
 * mov to/from control registers, rdmsr/wrmsr, invlpg, swapgs, iretq and
 * int $n.  Looked at before the user-mode table and only in system mode
 * (x86_sys_translate), so user mode keeps raising SIGSEGV/SIGILL for
 * them.  Events for the run loop (an interrupt window, hlt, an exception
 * to deliver) leave translated code with TR_EXIT_REQUEST or
 * TR_EXIT_SIGSEGV; the loop is the accelerator's (system/accel_tcg.c).
 */
#include <stddef.h>
#include <string.h>

#include "frontend.h"
#include "x86_internal.h"
#include "x86_system.h"

#define SYS_OFF(field) ((int32_t)offsetof(struct x86_sys_cpu, sys.field))

static struct x86_sys_cpu *sys_of(void *env) { return env; }
static bool cpl3(const struct x86_sys_cpu *c) { return (c->sys.cs & 3) == 3; }

/* ---- helpers (run on the vCPU's thread, env first) ---------------------- */

static _Noreturn void raise_event(struct x86_sys_cpu *c, int vector, bool has_err, uint64_t err,
                                  uint64_t pc)
{
    c->sys.event = (struct x86_sys_event){ vector, has_err, err };
    tr_raise(&c->cpu.rt, TR_EXIT_SIGSEGV, pc);
}


/* Privileged instructions at CPL 3 raise #GP(0) before doing anything
 * (in/out, cli, sti too: IOPL is 0 here, and no I/O bitmap is read). */
static uint64_t helper_cpl0(void *env, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (cpl3(c))
        raise_event(c, X86_EXC_GP, true, 0, pc);
    return 0;
}
static const struct ir_helper helper_cpl0_desc = {
    (void *)helper_cpl0, "sys_cpl0", 1, 0, IR_HELPER_RW_GLOBALS };

/* syscall: RCX = next RIP, R11 = RFLAGS, RFLAGS &= ~SFMASK, CS/SS from
 * STAR[47:32], RIP = LSTAR, CPL 0 (#UD without EFER.SCE). */
static uint64_t helper_syscall(void *env, uint64_t pc, uint64_t next_pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (!(c->sys.efer & X86_EFER_SCE))
        raise_event(c, X86_EXC_UD, false, 0, pc);
    uint64_t flags = x86_get_eflags(&c->cpu);
    c->cpu.regs[X86_RCX] = next_pc;
    c->cpu.regs[X86_R11] = flags;
    x86_set_eflags(&c->cpu, (flags & ~c->sys.sfmask & ~0x10000ull) | 2);
    c->sys.cs = (c->sys.star >> 32) & 0xfffc;
    c->sys.ss = c->sys.cs + 8;
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, c->sys.lstar);
}
static const struct ir_helper helper_syscall_desc = {
    (void *)helper_syscall, "sys_syscall", 2, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* sysretq: RIP = RCX, RFLAGS = R11, CS/SS from STAR[63:48], CPL 3. */
static uint64_t helper_sysret(void *env, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (!(c->sys.efer & X86_EFER_SCE))
        raise_event(c, X86_EXC_UD, false, 0, pc);
    if (cpl3(c) || (c->cpu.regs[X86_RCX] >> 47 != 0 && c->cpu.regs[X86_RCX] >> 47 != 0x1ffff))
        raise_event(c, X86_EXC_GP, true, 0, pc);
    uint64_t base = (c->sys.star >> 48) & 0xffff;
    x86_set_eflags(&c->cpu, (c->cpu.regs[X86_R11] & 0x3c7fd7) | 2);
    c->sys.cs = (base + 16) | 3;
    c->sys.ss = (base + 8) | 3;
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, c->cpu.regs[X86_RCX]);
}
static const struct ir_helper helper_sysret_desc = {
    (void *)helper_sysret, "sys_sysret", 1, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

static uint64_t helper_io(void *env, uint64_t port, uint64_t bytes, uint64_t out, uint64_t value)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (out) {
        c->sys.hooks->io_out(c, (uint16_t)port, (unsigned)bytes, value);
        return 0;
    }
    return c->sys.hooks->io_in(c, (uint16_t)port, (unsigned)bytes);
}
static const struct ir_helper helper_io_desc = { (void *)helper_io, "sys_io", 4, 1, 0 };

static uint64_t helper_write_cr(void *env, uint64_t n, uint64_t v, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    switch (n) {
    case 0: c->sys.cr0 = v | 0x10; break;          /* ET is hard-wired */
    case 2: c->sys.cr2 = v; return 0;
    case 3: c->sys.cr3 = v; break;
    case 4: c->sys.cr4 = v; break;
    case 8: c->sys.cr8 = v & 15; return 0;
    default: raise_event(c, X86_EXC_UD, false, 0, pc);
    }
    if ((c->sys.cr0 & X86_CR0_PG) && (c->sys.efer & X86_EFER_LME))
        c->sys.efer |= X86_EFER_LMA;
    c->sys.hooks->tlb_flush(c, 0, true);
    return 0;
}
static const struct ir_helper helper_write_cr_desc = {
    (void *)helper_write_cr, "sys_write_cr", 3, 0, IR_HELPER_RW_GLOBALS };

static uint64_t helper_read_cr(void *env, uint64_t n, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    switch (n) {
    case 0: return c->sys.cr0;
    case 2: return c->sys.cr2;
    case 3: return c->sys.cr3;
    case 4: return c->sys.cr4;
    case 8: return c->sys.cr8;
    default: raise_event(c, X86_EXC_UD, false, 0, pc);
    }
}
static const struct ir_helper helper_read_cr_desc = {
    (void *)helper_read_cr, "sys_read_cr", 2, 1, IR_HELPER_RW_GLOBALS };

/* The MSRs the tiny guests and Linux's early boot touch, by number. */
static uint64_t *msr_slot(struct x86_sys_cpu *c, uint32_t msr)
{
    switch (msr) {
    case 0x1b: return &c->sys.apic_base;
    case 0x1a0: return &c->sys.misc_enable;
    case 0x277: return &c->sys.pat;
    case 0xc0000080: return &c->sys.efer;
    case 0xc0000081: return &c->sys.star;
    case 0xc0000082: return &c->sys.lstar;
    case 0xc0000083: return &c->sys.cstar;
    case 0xc0000084: return &c->sys.sfmask;
    case 0xc0000100: return &c->cpu.fs_base;
    case 0xc0000101: return &c->cpu.gs_base;
    case 0xc0000102: return &c->sys.kernel_gs_base;
    case 0xc0000103: return &c->sys.tsc_aux;
    default: return NULL;
    }
}

static uint64_t helper_rdmsr(void *env, uint64_t msr, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if ((uint32_t)msr == 0x10)                      /* TSC */
        return x86_helper_rdtsc.fn ? ((uint64_t (*)(void *))x86_helper_rdtsc.fn)(env) : 0;
    uint64_t *slot = msr_slot(c, (uint32_t)msr);
    if (!slot)
        raise_event(c, X86_EXC_GP, true, 0, pc);
    return *slot;
}
static const struct ir_helper helper_rdmsr_desc = {
    (void *)helper_rdmsr, "sys_rdmsr", 2, 1, IR_HELPER_RW_GLOBALS };

static uint64_t helper_wrmsr(void *env, uint64_t msr, uint64_t v, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t *slot = msr_slot(c, (uint32_t)msr);
    if ((uint32_t)msr == 0x10)
        return 0;                                   /* TSC writes: ignored */
    if (!slot)
        raise_event(c, X86_EXC_GP, true, 0, pc);
    if ((uint32_t)msr == 0xc0000080)                /* EFER: LMA follows LME with paging */
        v = (v & ~X86_EFER_LMA) | (c->sys.efer & X86_EFER_LMA);
    *slot = v;
    if ((uint32_t)msr == 0xc0000080)
        c->sys.hooks->tlb_flush(c, 0, true);
    return 0;
}
static const struct ir_helper helper_wrmsr_desc = {
    (void *)helper_wrmsr, "sys_wrmsr", 3, 0, IR_HELPER_RW_GLOBALS };

static uint64_t helper_invlpg(void *env, uint64_t va)
{
    struct x86_sys_cpu *c = sys_of(env);
    c->sys.hooks->tlb_flush(c, va, false);
    return 0;
}
static const struct ir_helper helper_invlpg_desc = { (void *)helper_invlpg, "sys_invlpg", 1, 0, 0 };

static uint64_t helper_swapgs(void *env)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t t = c->cpu.gs_base;
    c->cpu.gs_base = c->sys.kernel_gs_base;
    c->sys.kernel_gs_base = t;
    return 0;
}
static const struct ir_helper helper_swapgs_desc = {
    (void *)helper_swapgs, "sys_swapgs", 0, 0, IR_HELPER_RW_GLOBALS };

/* Every flag, IF included (CPL 0); back to the loop, which may now
 * deliver a pending interrupt. */
static uint64_t helper_popf(void *env, uint64_t v, uint64_t next_pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t keep = cpl3(c) ? X86_EFLAGS_IF | 0x3000 : 0;     /* IF, IOPL: CPL 0 only */
    v = (v & 0x3f7fd7 & ~keep) | (x86_get_eflags(&c->cpu) & keep);
    x86_set_eflags(&c->cpu, v | 2);
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, next_pc);
}
static const struct ir_helper helper_popf_desc = {
    (void *)helper_popf, "sys_popf", 2, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* iretq to the same privilege level: RIP, CS, RFLAGS, RSP, SS. */
static uint64_t helper_iretq(void *env, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t f[5];
    if (!x86_sys_read(c, c->cpu.regs[X86_RSP], f, sizeof f)
        || (cpl3(c) && (f[1] & 3) != 3))           /* no way up from CPL 3 */
        raise_event(c, X86_EXC_GP, true, f[1] & 0xfffc, pc);
    uint64_t keep = cpl3(c) ? X86_EFLAGS_IF | 0x3000 : 0;
    uint64_t flags = (f[2] & 0x3f7fd7 & ~keep) | (x86_get_eflags(&c->cpu) & keep);
    c->sys.cs = f[1] & 0xffff;
    x86_set_eflags(&c->cpu, flags | 2);
    c->cpu.regs[X86_RSP] = f[3];
    c->sys.ss = f[4] & 0xffff;
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, f[0]);
}
static const struct ir_helper helper_iretq_desc = {
    (void *)helper_iretq, "sys_iretq", 1, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* ---- translation --------------------------------------------------------- */

static ir_ref env_ld(struct x86_dc *dc, int32_t off)
{
    ir_ref t = x86_new(dc);
    ir_ld_env(dc->b, IR_MO_64, t, off);
    return t;
}

static void set_if(struct x86_dc *dc, bool on)
{
    ir_ref rest = env_ld(dc, X86_ENV_OFF(eflags_rest));
    rest = x86_op2(dc, on ? IR_or : IR_andc, 8, rest, x86_imm(dc, X86_EFLAGS_IF));
    ir_st_env(dc->b, IR_MO_64, rest, X86_ENV_OFF(eflags_rest));
}

static void t_cli(struct x86_dc *dc) { set_if(dc, false); }

/* Back to the loop after sti: an interrupt held back may now be taken. */
static void t_sti(struct x86_dc *dc)
{
    set_if(dc, true);
    x86_end_exit(dc, dc->next_pc, TR_EXIT_REQUEST);
}

static void t_hlt(struct x86_dc *dc)
{
    ir_st_env(dc->b, IR_MO_64, x86_imm(dc, 1), SYS_OFF(halted));
    x86_end_exit(dc, dc->next_pc, TR_EXIT_REQUEST);
}

static void t_in(struct x86_dc *dc)
{
    const cs_x86_op *reg = x86_opnd(dc, 0);
    ir_ref port = x86_read(dc, x86_opnd(dc, 1), 2);
    ir_ref v = x86_call(dc, &helper_io_desc, port, x86_imm(dc, reg->size), x86_imm(dc, 0),
                        x86_imm(dc, 0), IR_NONE);
    x86_operand_write(dc, reg, v);
}

static void t_out(struct x86_dc *dc)
{
    const cs_x86_op *reg = x86_opnd(dc, 1);
    ir_ref port = x86_read(dc, x86_opnd(dc, 0), 2);
    x86_call(dc, &helper_io_desc, port, x86_imm(dc, reg->size), x86_imm(dc, 1),
             x86_operand_read(dc, reg), IR_NONE);
}

/* lgdt/lidt m16&64: limit, then base. */
static void t_load_dtable(struct x86_dc *dc)
{
    bool idt = dc->insn->id == X86_INS_LIDT;
    ir_ref ea = x86_ea(dc, x86_opnd(dc, 0));
    ir_ref limit = x86_load(dc, 2, ea);
    ir_ref base = x86_load(dc, 8, x86_op2(dc, IR_add, 8, ea, x86_imm(dc, 2)));
    ir_st_env(dc->b, IR_MO_64, limit, idt ? SYS_OFF(idt_limit) : SYS_OFF(gdt_limit));
    ir_st_env(dc->b, IR_MO_64, base, idt ? SYS_OFF(idt_base) : SYS_OFF(gdt_base));
}

static void t_ltr(struct x86_dc *dc)
{
    ir_st_env(dc->b, IR_MO_64, x86_read(dc, x86_opnd(dc, 0), 2), SYS_OFF(tr));
}

static int cr_number(x86_reg r)
{
    return r >= X86_REG_CR0 && r <= X86_REG_CR15 ? (int)(r - X86_REG_CR0) : -1;
}

/* mov crN, reg / mov reg, crN; false for any other mov. */
static bool t_mov_cr(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    if (dc->x->op_count != 2 || d->type != X86_OP_REG || s->type != X86_OP_REG)
        return false;
    ir_ref pc = x86_imm(dc, dc->pc);
    if (cr_number(s->reg) >= 0) {
        x86_flags_sync(dc);
        ir_ref v = x86_call(dc, &helper_read_cr_desc, x86_imm(dc, cr_number(s->reg)), pc, IR_NONE,
                            IR_NONE, IR_NONE);
        x86_set_reg(dc, x86_gpr_num(d->reg), v);
        return true;
    }
    if (cr_number(d->reg) < 0)
        return false;
    x86_flags_sync(dc);
    x86_call(dc, &helper_write_cr_desc, x86_imm(dc, cr_number(d->reg)),
             x86_get_reg(dc, x86_gpr_num(s->reg)), pc, IR_NONE, IR_NONE);
    x86_end_exit(dc, dc->next_pc, TR_EXIT_REQUEST);     /* paging may have changed */
    return true;
}

static ir_ref edx_eax(struct x86_dc *dc)
{
    ir_ref hi = x86_op2(dc, IR_shl, 8, x86_get_reg(dc, X86_RDX), x86_imm(dc, 32));
    return x86_op2(dc, IR_or, 8, hi, x86_trunc(dc, x86_get_reg(dc, X86_RAX), 4));
}

static void t_rdmsr(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    ir_ref v = x86_call(dc, &helper_rdmsr_desc, x86_get_reg(dc, X86_RCX), x86_imm(dc, dc->pc),
                        IR_NONE, IR_NONE, IR_NONE);
    x86_set_reg(dc, X86_RAX, x86_trunc(dc, v, 4));
    x86_set_reg(dc, X86_RDX, x86_op2(dc, IR_shr, 8, v, x86_imm(dc, 32)));
}

static void t_wrmsr(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    x86_call(dc, &helper_wrmsr_desc, x86_trunc(dc, x86_get_reg(dc, X86_RCX), 4), edx_eax(dc),
             x86_imm(dc, dc->pc), IR_NONE, IR_NONE);
    x86_end_exit(dc, dc->next_pc, TR_EXIT_REQUEST);
}

static void t_invlpg(struct x86_dc *dc)
{
    x86_call(dc, &helper_invlpg_desc, x86_ea(dc, x86_opnd(dc, 0)), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static void t_swapgs(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    x86_call(dc, &helper_swapgs_desc, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static void t_popf(struct x86_dc *dc)
{
    ir_ref sp = x86_get_reg(dc, X86_RSP);
    ir_ref v = x86_load(dc, 8, sp);
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_add, 8, sp, x86_imm(dc, 8)));
    x86_call(dc, &helper_popf_desc, v, x86_imm(dc, dc->next_pc), IR_NONE, IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->next_pc, TR_EXIT_REQUEST);  /* not reached: the helper leaves */
}

static void t_iretq(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    x86_call(dc, &helper_iretq_desc, x86_imm(dc, dc->pc), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->pc, TR_EXIT_REQUEST);       /* not reached */
}

/* int $n: through the IDT, returning after the instruction. */
static void t_int(struct x86_dc *dc)
{
    uint64_t n = (uint64_t)x86_opnd(dc, 0)->imm & 0xff;
    ir_st_env(dc->b, IR_MO_32, x86_imm(dc, n), SYS_OFF(event.vector));
    ir_st_env(dc->b, IR_MO_32, x86_imm(dc, 0), SYS_OFF(event.has_err));
    x86_end_exit(dc, dc->next_pc, TR_EXIT_SIGSEGV);
}

static void t_nop(struct x86_dc *dc) {}

static void t_syscall(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    x86_call(dc, &helper_syscall_desc, x86_imm(dc, dc->pc), x86_imm(dc, dc->next_pc), IR_NONE,
             IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->next_pc, TR_EXIT_REQUEST);  /* not reached */
}

static void t_sysret(struct x86_dc *dc)
{
    if (!(dc->x->rex & 8)) {            /* 32-bit sysret: no compatibility mode */
        x86_raise_sigill(dc);
        return;
    }
    x86_flags_sync(dc);
    x86_call(dc, &helper_sysret_desc, x86_imm(dc, dc->pc), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->pc, TR_EXIT_REQUEST);       /* not reached */
}

/* Instructions only CPL 0 may run: the check first, then the handler. */
static bool privileged(unsigned id)
{
    switch (id) {
    case X86_INS_HLT: case X86_INS_CLI: case X86_INS_STI: case X86_INS_IN: case X86_INS_OUT:
    case X86_INS_LGDT: case X86_INS_LIDT: case X86_INS_LTR: case X86_INS_RDMSR:
    case X86_INS_WRMSR: case X86_INS_INVLPG: case X86_INS_SWAPGS: case X86_INS_WBINVD:
    case X86_INS_INVD:
        return true;
    default:
        return false;
    }
}

/* The env field of a segment register's selector, or -1. */
static int32_t seg_field(x86_reg r)
{
    switch (r) {
    case X86_REG_CS: return SYS_OFF(cs);
    case X86_REG_SS: return SYS_OFF(ss);
    case X86_REG_DS: return SYS_OFF(ds);
    case X86_REG_ES: return SYS_OFF(es);
    case X86_REG_FS: return SYS_OFF(fs_sel);
    case X86_REG_GS: return SYS_OFF(gs_sel);
    default: return -1;
    }
}

/* mov sreg, r/m16 and mov r/m, sreg: the selector only (mov to cs does
 * not exist; 64-bit mode ignores the data segments' bases and limits). */
static bool t_mov_seg(struct x86_dc *dc)
{
    if (dc->insn->id != X86_INS_MOV || dc->x->op_count != 2)
        return false;
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    if (s->type == X86_OP_REG && seg_field(s->reg) >= 0) {
        ir_ref v = env_ld(dc, seg_field(s->reg));
        x86_operand_write(dc, d, d->size == 8 ? v : x86_trunc(dc, v, 2));
        return true;
    }
    if (d->type != X86_OP_REG || seg_field(d->reg) < 0 || d->reg == X86_REG_CS)
        return false;
    ir_st_env(dc->b, IR_MO_64, x86_read(dc, s, 2), seg_field(d->reg));
    return true;
}

static bool is_mov_cr(const struct x86_dc *dc)
{
    return dc->insn->id == X86_INS_MOV && dc->x->op_count == 2
           && x86_opnd(dc, 0)->type == X86_OP_REG && x86_opnd(dc, 1)->type == X86_OP_REG
           && (cr_number(x86_opnd(dc, 0)->reg) >= 0 || cr_number(x86_opnd(dc, 1)->reg) >= 0);
}

bool x86_sys_translate(struct x86_dc *dc)
{
    if (privileged(dc->insn->id) || is_mov_cr(dc)) {
        x86_flags_sync(dc);
        x86_call(dc, &helper_cpl0_desc, x86_imm(dc, dc->pc), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    }
    switch (dc->insn->id) {
    case X86_INS_SYSCALL: t_syscall(dc); return true;
    case X86_INS_SYSRET: t_sysret(dc); return true;
    case X86_INS_HLT: t_hlt(dc); return true;
    case X86_INS_CLI: t_cli(dc); return true;
    case X86_INS_STI: t_sti(dc); return true;
    case X86_INS_IN: t_in(dc); return true;
    case X86_INS_OUT: t_out(dc); return true;
    case X86_INS_LGDT: case X86_INS_LIDT: t_load_dtable(dc); return true;
    case X86_INS_LTR: t_ltr(dc); return true;
    case X86_INS_MOV: return t_mov_seg(dc) || t_mov_cr(dc);
    case X86_INS_RDMSR: t_rdmsr(dc); return true;
    case X86_INS_WRMSR: t_wrmsr(dc); return true;
    case X86_INS_INVLPG: t_invlpg(dc); return true;
    case X86_INS_SWAPGS: t_swapgs(dc); return true;
    case X86_INS_POPFQ: t_popf(dc); return true;
    case X86_INS_IRETQ: t_iretq(dc); return true;
    case X86_INS_INT: t_int(dc); return true;
    case X86_INS_WBINVD: case X86_INS_INVD: t_nop(dc); return true;
    default: return false;
    }
}

/* ---- the system-mode frontend ------------------------------------------- */

void x86_disas(FILE *out, const struct tr_guest_mem *mem, uint64_t pc, size_t size);

static void sys_translate_block(struct ir_block *b, const struct tr_guest_mem *mem, uint64_t pc,
                                int max_insns)
{
    x86_translate_block_mode(b, mem, pc, max_insns, true);
}

/* As after INIT: interrupts off, FPU/SSE defaults, no pending event. */
static void sys_reset(void *env)
{
    struct x86_sys_cpu *c = env;
    c->cpu.mxcsr = 0x1f80;
    c->cpu.fcw = X87_FCW_RESET;
    x86_set_eflags(&c->cpu, 2);
    c->sys.event.vector = -1;
    c->sys.pat = 0x0007040600070406ull;
}

const struct fe_guest fe_x86_64_system = {
    .name = "x86_64-system",
    .env_size = sizeof(struct x86_sys_cpu),
    .declare_globals = x86_declare_globals,
    .translate = sys_translate_block,
    .disas = x86_disas,
    .reset = sys_reset,
};
