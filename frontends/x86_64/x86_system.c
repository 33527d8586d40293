/* x86_system.c -- translating the privileged instructions of system
 * mode (fe_x86_64_system): hlt, cli/sti, popf with IF, in/out,
 * lgdt/lidt/sgdt/sidt/ltr/str/lldt/sldt, mov to/from control and segment
 * registers, pop of segment registers, far jmp/call/ret, rdmsr/wrmsr,
 * invlpg, swapgs, iretq, int $n, syscall/sysretq, cpuid, verr/verw, each
 * privileged one behind a CPL 0 check (their C helpers:
 * x86_system_helpers.c); and the frontend itself, which decodes a vCPU's
 * blocks as 32-bit code while its CS is a 32-bit segment, and as 16-bit
 * code with segment bases in real mode (an AP after INIT/SIPI).  Looked
 * at before the user-mode table and only in system mode
 * (x86_sys_translate), so user mode keeps raising SIGSEGV/SIGILL for
 * them.  Events for the run loop (an interrupt window, hlt, an exception
 * to deliver) leave translated code with TR_EXIT_REQUEST or
 * TR_EXIT_SIGSEGV; the loop is the accelerator's (system/accel_tcg.c).
 */
#include <stddef.h>
#include <string.h>

#include "frontend.h"
#include "translator.h"
#include "x86_internal.h"
#include "x86_system.h"

#define SYS_OFF(field) ((int32_t)offsetof(struct x86_sys_cpu, sys.field))

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

/* Back to the loop after sti: an interrupt held back may now be taken,
 * but only after the next instruction when this sti set IF (the
 * interrupt shadow: `sti; hlt` wakes after the hlt; SDM vol. 2, STI).
 * shadow_pc = IF was set ? none : next_pc, as next_pc | -(IF >> 9). */
static void t_sti(struct x86_dc *dc)
{
    ir_ref rest = env_ld(dc, X86_ENV_OFF(eflags_rest));
    ir_ref was = x86_op2(dc, IR_shr, 8, x86_op2(dc, IR_and, 8, rest, x86_imm(dc, X86_EFLAGS_IF)),
                         x86_imm(dc, 9));
    ir_ref none = x86_op2(dc, IR_sub, 8, x86_imm(dc, 0), was);
    ir_st_env(dc->b, IR_MO_64, x86_op2(dc, IR_or, 8, none, x86_imm(dc, dc->next_pc)),
              SYS_OFF(shadow_pc));
    ir_st_env(dc->b, IR_MO_64, x86_get_reg(dc, X86_RCX), SYS_OFF(shadow_rcx));
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
    ir_ref v = x86_call(dc, &x86_sys_helper_io, port, x86_imm(dc, reg->size), x86_imm(dc, 0),
                        x86_imm(dc, 0), IR_NONE);
    x86_operand_write(dc, reg, v);
}

static void t_out(struct x86_dc *dc)
{
    const cs_x86_op *reg = x86_opnd(dc, 1);
    ir_ref port = x86_read(dc, x86_opnd(dc, 0), 2);
    x86_call(dc, &x86_sys_helper_io, port, x86_imm(dc, reg->size), x86_imm(dc, 1),
             x86_operand_read(dc, reg), IR_NONE);
}

ir_ref x86_sys_seg_base(struct x86_dc *dc, int seg)
{
    return env_ld(dc, SYS_OFF(seg_base[seg]));
}

/* The base's size in lgdt/lidt/sgdt/sidt: 8 bytes in 64-bit mode, else 4
 * (real mode without an operand-size prefix: 3 of them count). */
static int dtable_base_bytes(const struct x86_dc *dc)
{
    return dc->code16 ? 4 : x86_stack_word(dc);
}

/* lgdt/lidt m16&64 (m16&32 in 32-bit code): limit, then base. */
static void t_load_dtable(struct x86_dc *dc)
{
    bool idt = dc->insn->id == X86_INS_LIDT;
    ir_ref ea = x86_ea(dc, x86_opnd(dc, 0));
    ir_ref limit = x86_load(dc, 2, ea);
    ir_ref base = x86_load(dc, dtable_base_bytes(dc), x86_op2(dc, IR_add, 8, ea, x86_imm(dc, 2)));
    if (dc->code16 && !x86_has_prefix(dc, X86_PREFIX_OPSIZE))
        base = x86_op2(dc, IR_and, 8, base, x86_imm(dc, 0xffffff));
    ir_st_env(dc->b, IR_MO_64, limit, idt ? SYS_OFF(idt_limit) : SYS_OFF(gdt_limit));
    ir_st_env(dc->b, IR_MO_64, base, idt ? SYS_OFF(idt_base) : SYS_OFF(gdt_base));
}

/* sgdt/sidt m16&64 (m16&32 in 32-bit code): limit, then base (not
 * privileged: no UMIP). */
static void t_store_dtable(struct x86_dc *dc)
{
    bool idt = dc->insn->id == X86_INS_SIDT;
    ir_ref ea = x86_ea(dc, x86_opnd(dc, 0));
    x86_store(dc, 2, ea, env_ld(dc, idt ? SYS_OFF(idt_limit) : SYS_OFF(gdt_limit)));
    x86_store(dc, dtable_base_bytes(dc), x86_op2(dc, IR_add, 8, ea, x86_imm(dc, 2)),
              env_ld(dc, idt ? SYS_OFF(idt_base) : SYS_OFF(gdt_base)));
}

/* str/sldt r/m16: a register destination gets the selector zero-extended. */
static void t_store_selector(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    ir_ref v = env_ld(dc, dc->insn->id == X86_INS_STR ? SYS_OFF(tr) : SYS_OFF(ldtr));
    if (d->type == X86_OP_MEM)
        x86_store(dc, 2, x86_ea(dc, d), v);
    else
        x86_operand_write(dc, d, v);
}

/* lldt: the selector only (descriptors are looked up in the GDT alone). */
static void t_lldt(struct x86_dc *dc)
{
    ir_st_env(dc->b, IR_MO_64, x86_read(dc, x86_opnd(dc, 0), 2), SYS_OFF(ldtr));
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
        ir_ref v = x86_call(dc, &x86_sys_helper_read_cr, x86_imm(dc, cr_number(s->reg)), pc, IR_NONE,
                            IR_NONE, IR_NONE);
        x86_set_reg(dc, x86_gpr_num(d->reg), v);
        return true;
    }
    if (cr_number(d->reg) < 0)
        return false;
    x86_flags_sync(dc);
    x86_call(dc, &x86_sys_helper_write_cr, x86_imm(dc, cr_number(d->reg)),
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
    ir_ref v = x86_call(dc, &x86_sys_helper_rdmsr, x86_get_reg(dc, X86_RCX), x86_imm(dc, dc->pc),
                        IR_NONE, IR_NONE, IR_NONE);
    x86_set_reg(dc, X86_RAX, x86_trunc(dc, v, 4));
    x86_set_reg(dc, X86_RDX, x86_op2(dc, IR_shr, 8, v, x86_imm(dc, 32)));
}

static void t_wrmsr(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    x86_call(dc, &x86_sys_helper_wrmsr, x86_trunc(dc, x86_get_reg(dc, X86_RCX), 4), edx_eax(dc),
             x86_imm(dc, dc->pc), IR_NONE, IR_NONE);
    x86_end_exit(dc, dc->next_pc, TR_EXIT_REQUEST);
}

static void t_invlpg(struct x86_dc *dc)
{
    x86_call(dc, &x86_sys_helper_invlpg, x86_ea(dc, x86_opnd(dc, 0)), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static void t_swapgs(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    x86_call(dc, &x86_sys_helper_swapgs, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static void t_popf(struct x86_dc *dc)
{
    int word = x86_stack_bytes(dc);
    ir_ref sp = x86_get_reg(dc, X86_RSP);
    ir_ref v = x86_load(dc, word, x86_stack_addr(dc, sp));
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_add, 8, sp, x86_imm(dc, (uint64_t)word)));
    x86_call(dc, &x86_sys_helper_popf, v, x86_imm(dc, dc->next_pc), IR_NONE, IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->next_pc, TR_EXIT_REQUEST);  /* not reached: the helper leaves */
}

static void t_iretq(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    x86_call(dc, &x86_sys_helper_iretq, x86_imm(dc, dc->pc), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->pc, TR_EXIT_REQUEST);       /* not reached */
}

static void t_lret(struct x86_dc *dc)
{
    uint64_t extra = dc->x->op_count ? (uint64_t)x86_opnd(dc, 0)->imm & 0xffff : 0;
    x86_flags_sync(dc);
    x86_call(dc, &x86_sys_helper_lret, x86_imm(dc, dc->insn->id == X86_INS_RETFQ ? 8 : 4),
             x86_imm(dc, extra), x86_imm(dc, dc->pc), IR_NONE, IR_NONE);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->pc, TR_EXIT_REQUEST);       /* not reached */
}

/* int $n: through the IDT (a software interrupt: the gate's DPL is
 * checked), returning after the instruction. */
static void t_int(struct x86_dc *dc)
{
    uint64_t n = (uint64_t)x86_opnd(dc, 0)->imm & 0xff;
    ir_st_env(dc->b, IR_MO_32, x86_imm(dc, n), SYS_OFF(event.vector));
    ir_st_env(dc->b, IR_MO_32, x86_imm(dc, 0), SYS_OFF(event.has_err));
    ir_st_env(dc->b, IR_MO_64, x86_imm(dc, dc->next_pc - dc->pc), SYS_OFF(event.soft));
    x86_end_exit(dc, dc->next_pc, TR_EXIT_SIGSEGV);
}

/* ljmp/lcall ptr16:32 (two immediates: selector, offset) or m16:32/m16:64
 * (offset, then selector; m16:16 in real mode): the helper checks the code
 * segment in the GDT and switches between 32- and 64-bit code (real mode:
 * no descriptor, see x86_system_helpers.c). */
static void far_target(struct x86_dc *dc, ir_ref *sel, ir_ref *off)
{
    const cs_x86_op *a = x86_opnd(dc, 0);
    if (dc->x->op_count == 2) {
        *sel = x86_imm(dc, (uint64_t)a->imm & 0xffff);
        *off = x86_imm(dc, (uint64_t)x86_opnd(dc, 1)->imm & 0xffffffffull);
        return;
    }
    bool opsize = x86_has_prefix(dc, X86_PREFIX_OPSIZE);
    int bytes = (dc->x->rex & 8) ? 8 : dc->code16 ? (opsize ? 4 : 2) : opsize ? 2 : 4;
    ir_ref ea = x86_ea(dc, a);
    *off = x86_load(dc, bytes, ea);
    *sel = x86_load(dc, 2, x86_op2(dc, IR_add, 8, ea, x86_imm(dc, (uint64_t)bytes)));
}

static void t_far_jmp(struct x86_dc *dc)
{
    ir_ref sel, off;
    far_target(dc, &sel, &off);
    x86_call(dc, &x86_sys_helper_far_jmp, sel, off, x86_imm(dc, dc->pc), IR_NONE, IR_NONE);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->pc, TR_EXIT_REQUEST);       /* not reached */
}

/* The return address is pushed as CS, then RIP, each of the operand size
 * (4 bytes, or 8 with REX.W). */
static void t_far_call(struct x86_dc *dc)
{
    ir_ref sel, off;
    far_target(dc, &sel, &off);
    int word = (dc->x->rex & 8) ? 8 : 4;
    x86_call(dc, &x86_sys_helper_far_call, sel, off, x86_imm(dc, (uint64_t)word),
             x86_imm(dc, dc->pc), x86_imm(dc, dc->next_pc));
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->pc, TR_EXIT_REQUEST);       /* not reached */
}

static void t_nop(struct x86_dc *dc) {}

/* verr/verw r/m16: ZF = the segment could be read / written at this level
 * (Linux runs verw only to flush CPU buffers: MDS). */
static void t_verify_segment(struct x86_dc *dc)
{
    ir_ref sel = x86_read(dc, x86_opnd(dc, 0), 2);
    ir_ref ok = x86_call(dc, &x86_sys_helper_verify_seg, sel,
                         x86_imm(dc, dc->insn->id == X86_INS_VERW), IR_NONE, IR_NONE, IR_NONE);
    ir_ref f = x86_op2(dc, IR_andc, 8, x86_flags_eflags(dc), x86_imm(dc, X86_ZF));
    x86_flags_set_eflags(dc, x86_op2(dc, IR_or, 8, f, x86_op2(dc, IR_shl, 8, ok, x86_imm(dc, 6))));
}

static void t_syscall(struct x86_dc *dc)
{
    x86_flags_sync(dc);
    x86_call(dc, &x86_sys_helper_syscall, x86_imm(dc, dc->pc), x86_imm(dc, dc->next_pc), IR_NONE,
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
    x86_call(dc, &x86_sys_helper_sysret, x86_imm(dc, dc->pc), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_flags_clobbered(dc);
    dc->block_ended = true;
    ir_exit_code(dc->b, dc->pc, TR_EXIT_REQUEST);       /* not reached */
}

/* Instructions only CPL 0 may run: the check first, then the handler. */
static bool privileged(unsigned id)
{
    switch (id) {
    case X86_INS_HLT: case X86_INS_CLI: case X86_INS_STI: case X86_INS_IN: case X86_INS_OUT:
    case X86_INS_LGDT: case X86_INS_LIDT: case X86_INS_LTR: case X86_INS_LLDT: case X86_INS_RDMSR:
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

/* Which segment register a helper loads: its number in the SDM's order. */
static int seg_number(x86_reg r)
{
    switch (r) {
    case X86_REG_ES: return 0;
    case X86_REG_SS: return 2;
    case X86_REG_DS: return 3;
    case X86_REG_FS: return 4;
    case X86_REG_GS: return 5;
    default: return -1;
    }
}

/* mov sreg, r/m16 (and pop sreg): the helper checks the selector against
 * the GDT and loads fs/gs bases (mov to cs does not exist; flat data
 * segments are assumed otherwise: 64-bit mode ignores their bases and
 * limits, and Linux's 32-bit entry uses flat ones). */
static void load_seg(struct x86_dc *dc, x86_reg r, ir_ref sel)
{
    x86_call(dc, &x86_sys_helper_load_seg, x86_imm(dc, (uint64_t)seg_number(r)), sel,
             x86_imm(dc, dc->pc), IR_NONE, IR_NONE);
    if (r != X86_REG_SS)
        return;
    ir_st_env(dc->b, IR_MO_64, x86_imm(dc, dc->next_pc), SYS_OFF(shadow_pc));     /* its shadow */
    ir_st_env(dc->b, IR_MO_64, x86_get_reg(dc, X86_RCX), SYS_OFF(shadow_rcx));
}

/* mov r/m, sreg reads the selector. */
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
    if (d->type != X86_OP_REG || seg_number(d->reg) < 0)
        return false;
    load_seg(dc, d->reg, x86_read(dc, s, 2));
    return true;
}

/* pop ds/es/ss/fs/gs: a stack slot, the selector in its low 16 bits. */
static bool t_pop_seg(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    if (dc->x->op_count != 1 || d->type != X86_OP_REG || seg_number(d->reg) < 0)
        return false;
    int word = x86_stack_bytes(dc);
    ir_ref sp = x86_get_reg(dc, X86_RSP);
    load_seg(dc, d->reg, x86_load(dc, 2, x86_stack_addr(dc, sp)));
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_add, 8, sp, x86_imm(dc, (uint64_t)word)));
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
        x86_call(dc, &x86_sys_helper_cpl0, x86_imm(dc, dc->pc), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
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
    case X86_INS_LLDT: t_lldt(dc); return true;
    case X86_INS_SGDT: case X86_INS_SIDT: t_store_dtable(dc); return true;
    case X86_INS_STR: case X86_INS_SLDT: t_store_selector(dc); return true;
    case X86_INS_MOV: return t_mov_seg(dc) || t_mov_cr(dc);
    case X86_INS_RDMSR: t_rdmsr(dc); return true;
    case X86_INS_WRMSR: t_wrmsr(dc); return true;
    case X86_INS_INVLPG: t_invlpg(dc); return true;
    case X86_INS_SWAPGS: t_swapgs(dc); return true;
    case X86_INS_POPFQ: case X86_INS_POPFD: t_popf(dc); return true;
    case X86_INS_POP: return t_pop_seg(dc);
    case X86_INS_LJMP: t_far_jmp(dc); return true;
    case X86_INS_LCALL: t_far_call(dc); return true;
    case X86_INS_IRETQ: t_iretq(dc); return true;
    case X86_INS_RETF: case X86_INS_RETFQ: t_lret(dc); return true;
    case X86_INS_INT: t_int(dc); return true;
    case X86_INS_WBINVD: case X86_INS_INVD: t_nop(dc); return true;
    case X86_INS_VERR: case X86_INS_VERW: t_verify_segment(dc); return true;
    case X86_INS_PAUSE:
        x86_call(dc, &x86_sys_helper_pause, x86_imm(dc, dc->pc), IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        return true;
    case X86_INS_CPUID:
        x86_call(dc, &x86_sys_helper_cpuid, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        return true;
    default: return false;
    }
}

/* ---- the system-mode frontend ------------------------------------------- */

void x86_disas(FILE *out, const struct tr_guest_mem *mem, uint64_t pc, size_t size);

/* The vCPU translating decides the mode: 32-bit code while its CS is a
 * 32-bit segment (the run loop drops blocks of the other mode when it
 * changes, so blocks keyed by pc alone stay right). */
static void sys_translate_block(struct ir_block *b, const struct tr_guest_mem *mem, uint64_t pc,
                                int max_insns)
{
    const struct x86_sys_cpu *c = tr_current_env();
    int bits = !c ? 64 : c->sys.code16 ? 16 : c->sys.code32 ? 32 : 64;
    x86_translate_block_mode(b, mem, pc, max_insns, true, bits, c ? c->sys.seg_base[X86_SEG_CS] : 0);
}

/* As after INIT: interrupts off, FPU/SSE defaults, no pending event. */
static void sys_reset(void *env)
{
    struct x86_sys_cpu *c = env;
    c->cpu.mxcsr = 0x1f80;
    c->cpu.fcw = X87_FCW_RESET;
    x86_set_eflags(&c->cpu, 2);
    c->sys.event.vector = -1;
    c->sys.shadow_pc = X86_NO_SHADOW;
    c->sys.pat = 0x0007040600070406ull;
    c->sys.misc_enable = 1;             /* fast strings on, as firmware leaves it */
}

const struct fe_guest fe_x86_64_system = {
    .name = "x86_64-system",
    .env_size = sizeof(struct x86_sys_cpu),
    .declare_globals = x86_declare_globals,
    .translate = sys_translate_block,
    .disas = x86_disas,
    .reset = sys_reset,
};
