/* x86_segment.c -- segments in 64-bit mode: which base an fs/gs prefix
 * adds to a memory operand (any instruction: integer, SSE, x87, string),
 * rdfsbase/rdgsbase/wrfsbase/wrgsbase (FSGSBASE, which Linux enables
 * for user space and reports in AT_HWCAP2), lsl/lar/verr/verw on the
 * descriptors of Linux's GDT a user selector can name and on the
 * process's LDT (x86_ldt.c), and the segment loads of mov/pop sreg and
 * lss/lfs/lgs (fs/gs take an LDT descriptor's base).
 *
 * In 64-bit mode the cs/ds/es/ss prefixes are ignored, wherever they
 * stand; of several fs/gs prefixes the last one counts (measured: "fs gs"
 * reads gs, "gs ds" reads gs).  Capstone reports the last segment prefix of
 * any kind, so the prefix bytes are scanned here instead.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>

#include "translator.h"
#include "x86_internal.h"
#include "x86_translate.h"

static bool is_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e: case 0x26:
    case 0x64: case 0x65: case 0x66: case 0x67:
        return true;
    default:
        return false;
    }
}

ir_ref x86_seg_base(const struct x86_dc *dc)
{
    ir_ref seg = IR_NONE;
    for (int i = 0; i < dc->insn->size && is_legacy_prefix(dc->insn->bytes[i]); i++) {
        if (dc->insn->bytes[i] == 0x64) seg = x86_g_fs_base;
        else if (dc->insn->bytes[i] == 0x65) seg = x86_g_gs_base;
    }
    return seg;
}

/* rdfsbase/rdgsbase r32/r64: the 32-bit forms read the low half. */
static void read_base(struct x86_dc *dc, ir_ref base)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    ir_ref v = x86_new(dc);
    ir_mov(dc->b, v, base);
    x86_operand_write(dc, d, d->size == 4 ? x86_trunc(dc, v, 4) : v);
}

/* wrfsbase/wrgsbase r32/r64: the 32-bit forms zero-extend.  (Linux lets
 * user space write any canonical base; ferry takes any value.) */
static void write_base(struct x86_dc *dc, ir_ref base)
{
    ir_mov(dc->b, base, x86_operand_read(dc, x86_opnd(dc, 0)));
}

static void h_rdfsbase(struct x86_dc *dc) { read_base(dc, x86_g_fs_base); }
static void h_rdgsbase(struct x86_dc *dc) { read_base(dc, x86_g_gs_base); }
static void h_wrfsbase(struct x86_dc *dc) { write_base(dc, x86_g_fs_base); }
static void h_wrgsbase(struct x86_dc *dc) { write_base(dc, x86_g_gs_base); }

/* ---- descriptors: Linux's GDT and the process's LDT ---- */

/* A descriptor's fields (the SDM's layout of the 8 bytes). */
#define D_TYPE(d)  ((unsigned)((d) >> 40) & 15)
#define D_S(d)     (((d) >> 44) & 1)
#define D_DPL(d)   ((unsigned)((d) >> 45) & 3)
#define D_P(d)     (((d) >> 47) & 1)
#define D_G(d)     (((d) >> 55) & 1)
#define T_CODE 8u           /* type bits of code/data segments (S = 1) */
#define T_CONFORMING 4u
#define T_READ 2u           /* code: readable */
#define T_WRITE 2u          /* data: writable */

/* What Linux's GDT gives user space (any RPL: the DPL is 3): __USER_DS
 * (entry 5), __USER_CS (6) and __CPUNODE_SEG (15, its limit the cpu and
 * node, as the vDSO's getcpu reads it).  The 32-bit code segment
 * __USER32_CS (4, 0x23) is there when the kernel has IA32 emulation
 * (x86_machine_ia32(); measured on this Intel host: lar 0x23 0xcffb00,
 * lsl 0xffffffff, verr yes, mov ds/es/fs/gs 0x23 runs), else absent (the
 * AMD host measured: #GP(0x20)).  A far transfer to it enters
 * compatibility mode (x86_compat.c); one to an LDT code segment is
 * refused (x86_seg_compat_code).  Everything else is
 * kernel-only, the TSS or absent: 0, no descriptor. */
static uint64_t gdt_desc(unsigned idx)
{
    switch (idx) {
    case 4: return x86_machine_ia32() ? 0x00cffb000000ffffull : 0;
    case 5: return 0x00cff3000000ffffull;
    case 6: return 0x00affb000000ffffull;
    case 15: {
        unsigned cpu = 0, node = 0;
        getcpu(&cpu, &node);
        uint32_t limit = (node << 12) | (cpu & 0xfff);
        return 0x0040f50000000000ull | (limit & 0xffff) | (uint64_t)(limit >> 16 & 15) << 48;
    }
    default: return 0;
    }
}

/* The LDT's entry idx as the CPU finds it: none past nr_entries, and
 * none at all where the CPU never sees the table (a PVM guest kernel). */
static uint64_t ldt_desc(unsigned idx)
{
    uint64_t d = x86_ldt_get(idx);
    return d && x86_machine_ldt_seen() ? d : 0;
}

/* The descriptor a selector names: the GDT's (TI = 0) or the LDT's
 * (TI = 1, within its nr_entries); 0 when there is none. */
static uint64_t desc_of(uint16_t sel)
{
    unsigned idx = sel >> 3;
    return sel & 4 ? ldt_desc(idx) : idx < 16 ? gdt_desc(idx) : 0;
}

static uint32_t desc_limit(uint64_t d)
{
    uint32_t limit = (uint32_t)(d & 0xffff) | (uint32_t)(d >> 32 & 0xf0000);
    return D_G(d) ? limit << 12 | 0xfff : limit;
}

static uint64_t desc_base(uint64_t d)
{
    return (d >> 16 & 0xffffff) | (d >> 32 & 0xff000000);
}

/* A code or data segment the selector's RPL and CPL 3 may use: the
 * DPL must be 3 but for conforming code.  (Linux's LDT entries all have
 * DPL 3 and S = 1; a cleared one is all zero: not a segment.) */
static bool desc_usable(uint64_t d)
{
    if (!D_S(d))
        return false;
    bool conforming = (D_TYPE(d) & (T_CODE | T_CONFORMING)) == (T_CODE | T_CONFORMING);
    return conforming || D_DPL(d) == 3;
}

static bool desc_readable(uint64_t d)
{
    return !(D_TYPE(d) & T_CODE) || (D_TYPE(d) & T_READ);
}

static bool desc_writable(uint64_t d)
{
    return !(D_TYPE(d) & T_CODE) && (D_TYPE(d) & T_WRITE);
}

/* Does sel name a code segment CPL 3 could run that is not 64-bit (L = 0):
 * Linux's __USER32_CS with IA32 emulation, or an LDT code segment (Linux
 * sets no L there)?  ferry runs only __USER32_CS's compatibility mode
 * (x86_compat.c); x86_helpers.c refuses and logs the rest. */
bool x86_seg_compat_code(uint16_t sel)
{
    uint64_t d = desc_of(sel);
    bool code = D_S(d) && (D_TYPE(d) & T_CODE);
    return (sel & 0xfffc) && code && desc_usable(d) && D_P(d) && !(d >> 53 & 1);
}

/* ---- lsl lar verr verw ---- */

enum desc_query { DESC_LSL, DESC_LAR, DESC_VERR, DESC_VERW };
#define DESC_OK (1ull << 63)

/* None of them looks at P.  lar gives bits 8-23 of the high word with
 * the limit's bits 19:16 (as this AMD host does; the SDM leaves them
 * undefined).  Returns DESC_OK | the value, or 0. */
static uint64_t desc_query(struct x86_cpu *env, uint64_t sel, uint64_t q)
{
    (void)env;
    uint64_t d = desc_of((uint16_t)sel);
    if (!desc_usable(d))
        return 0;
    switch (q) {
    case DESC_LSL:  return DESC_OK | desc_limit(d);
    case DESC_LAR:  return DESC_OK | (d >> 32 & 0x00ffff00);
    case DESC_VERR: return desc_readable(d) ? DESC_OK : 0;
    default:        return desc_writable(d) ? DESC_OK : 0;
    }
}

static const struct ir_helper desc_helper = { (void *)desc_query, "desc_query", 2, 1, 0 };

/* The offset's size of a far pointer m16:32/64 (no 0x66): 8 with REX.W
 * on Intel, 4 on AMD, which ignores REX.W there (measured, both). */
int x86_far_offset_bytes(const struct x86_dc *dc)
{
    return (dc->x->rex & 8) && x86_machine()->intel ? 8 : 4;
}

/* ---- mov/pop to and from ds es fs gs ss (user mode) ---- */

enum { SEG_ES = X86_SREG_ES, SEG_CS = X86_SREG_CS, SEG_SS = X86_SREG_SS, SEG_DS = X86_SREG_DS,
       SEG_FS = X86_SREG_FS, SEG_GS = X86_SREG_GS };

static int seg_index(x86_reg r)
{
    switch (r) {
    case X86_REG_ES: return SEG_ES;
    case X86_REG_CS: return SEG_CS;
    case X86_REG_SS: return SEG_SS;
    case X86_REG_DS: return SEG_DS;
    case X86_REG_FS: return SEG_FS;
    case X86_REG_GS: return SEG_GS;
    default: return -1;
    }
}

bool x86_is_seg_reg(x86_reg r) { return seg_index(r) >= 0; }

/* A load at CPL 3 in 64-bit mode (the SDM's mov/pop checks, measured on
 * Linux for the GDT): ds/es/fs/gs take the null selector (0-3) or a
 * readable code/data segment the DPL allows, ss only a writable data
 * segment with RPL and DPL 3; anything else is #GP(selector), a segment
 * not present #NP (ss: #SS).  In 64-bit mode only fs and gs use the
 * base; the null selector gives them base 0 (as Intel CPUs and AMD's
 * with NullSelectorClearsBase do). */
int x86_seg_check(int seg, uint16_t sel, uint64_t *base)
{
    *base = 0;
    if (seg != SEG_SS && !(sel & 0xfffc))
        return 0;
    uint64_t d = desc_of(sel);
    bool ok = seg == SEG_SS ? (sel & 3) == 3 && desc_usable(d) && desc_writable(d)
                            : desc_usable(d) && desc_readable(d);
    if (!ok)
        return 13;
    if (!D_P(d))
        return seg == SEG_SS ? 12 : 11;
    *base = desc_base(d);
    return 0;
}

/* #GP is SIGSEGV, #NP and #SS are SIGBUS (Linux's do_error_trap), all
 * with SI_KERNEL and the selector as error code; nothing changes. */
static _Noreturn void seg_fault(struct x86_cpu *c, int trap, uint16_t sel)
{
    c->rt.fault.err = sel & 0xfffc;
    if (trap == 13)
        tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
    c->rt.fault.sig = SIGBUS;
    c->rt.fault.code = 0x80;            /* SI_KERNEL */
    c->rt.fault.addr = 0;
    c->rt.fault.trapno = (uint64_t)trap;
    tr_raise(&c->rt, TR_EXIT_HOST_FAULT, c->rt.pc);
}

static uint64_t load_seg_user(void *env, uint64_t seg, uint64_t sel)
{
    struct x86_cpu *c = env;
    uint64_t base;
    int trap = x86_seg_check((int)seg, (uint16_t)sel, &base);
    if (trap)
        seg_fault(c, trap, (uint16_t)sel);
    c->sel[seg] = (uint16_t)sel;
    if (seg == SEG_FS)
        c->fs_base = base;
    if (seg == SEG_GS)
        c->gs_base = base;
    return 0;
}

static const struct ir_helper load_seg_helper = {
    (void *)load_seg_user, "load_seg_user", 2, 0, IR_HELPER_RW_GLOBALS };

/* cs reads Linux's __USER_CS; the others what was loaded (ss starts as
 * __USER_DS).  (System mode has its own mov-sreg path: x86_system.c.) */
ir_ref x86_seg_read(struct x86_dc *dc, x86_reg r)
{
    int i = seg_index(r);
    if (i == SEG_CS || i < 0 || dc->system)       /* (blocks are per mode: x86_compat.c) */
        return x86_imm(dc, i != SEG_CS ? 0 : dc->code32 && !dc->system ? X86_USER32_CS : 0x33);
    ir_ref v = x86_new(dc);
    ir_ld_env(dc->b, IR_MO_16, v, X86_ENV_OFF(sel[i]));
    return v;
}

void x86_seg_write(struct x86_dc *dc, x86_reg r, ir_ref sel)
{
    int i = seg_index(r);
    if (dc->system || i == SEG_CS)
        return;
    x86_flags_sync(dc);
    x86_sync_pc(dc);
    x86_call(dc, &load_seg_helper, x86_imm(dc, (uint64_t)i), sel, IR_NONE, IR_NONE, IR_NONE);
}

/* ZF = the query succeeded; lsl/lar write the value only then (a 32-bit
 * destination zero-extended, a failed one left whole). */
static void h_desc(struct x86_dc *dc, enum desc_query q)
{
    bool to_reg = q == DESC_LSL || q == DESC_LAR;
    ir_ref sel = x86_operand_read(dc, x86_opnd(dc, to_reg ? 1 : 0));
    ir_ref r = x86_call(dc, &desc_helper, sel, x86_imm(dc, q), IR_NONE, IR_NONE, IR_NONE);
    struct x86_cmp ok = { IR_LT, 64, r, x86_imm(dc, 0) };
    if (to_reg) {
        const cs_x86_op *d = x86_opnd(dc, 0);
        int n = x86_gpr_num(d->reg);
        if (d->size == 2) {
            x86_operand_write(dc, d, x86_select(dc, &ok, r, x86_operand_read(dc, d)));
        } else {
            ir_ref v = x86_trunc(dc, r, 4);
            x86_set_reg(dc, n, x86_select(dc, &ok, v, x86_get_reg(dc, n)));
        }
    }
    ir_ref zf = x86_select(dc, &ok, x86_imm(dc, X86_ZF), x86_imm(dc, 0));
    ir_ref f = x86_op2(dc, IR_andc, 8, x86_flags_eflags(dc), x86_imm(dc, X86_ZF));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, x86_op2(dc, IR_or, 8, f, zf), IR_NONE, IR_NONE);
}

/* lss/lfs/lgs r, m16:16/32/64: the offset, then the selector after it.
 * The selector loads first (a #GP leaves the register alone).  REX.W
 * makes it m16:64 on Intel (the SDM; measured on this Sapphire Rapids:
 * lgs rax reads 8 bytes of offset, the selector at +8), not on the AMD
 * measured: 32 bits there (x86_far_offset_bytes).  System mode keeps
 * these #UD, as before. */
static void far_load(struct x86_dc *dc, x86_reg seg)
{
    const cs_x86_op *d = x86_opnd(dc, 0), *m = x86_opnd(dc, 1);
    if (dc->system || m->type != X86_OP_MEM || d->type != X86_OP_REG) {
        x86_raise_sigill(dc);
        return;
    }
    int bytes = d->size == 2 ? 2 : x86_far_offset_bytes(dc);
    ir_ref ea = x86_ea(dc, m);
    ir_ref off = x86_load(dc, bytes, ea);
    ir_ref sel = x86_load(dc, 2, x86_op2(dc, IR_add, 8, ea, x86_imm(dc, (uint64_t)bytes)));
    x86_seg_write(dc, seg, sel);
    if (bytes == 2)
        x86_operand_write(dc, d, off);
    else
        x86_set_reg(dc, x86_gpr_num(d->reg), off);
}

static void h_lss(struct x86_dc *dc) { far_load(dc, X86_REG_SS); }
static void h_lfs(struct x86_dc *dc) { far_load(dc, X86_REG_FS); }
static void h_lgs(struct x86_dc *dc) { far_load(dc, X86_REG_GS); }

static void h_lsl(struct x86_dc *dc) { h_desc(dc, DESC_LSL); }
static void h_lar(struct x86_dc *dc) { h_desc(dc, DESC_LAR); }
static void h_verr(struct x86_dc *dc) { h_desc(dc, DESC_VERR); }
static void h_verw(struct x86_dc *dc) { h_desc(dc, DESC_VERW); }

static const struct x86_insn_row segment_rows[] = {
    X86_ROW(RDFSBASE, h_rdfsbase, PASS, 0),
    X86_ROW(RDGSBASE, h_rdgsbase, PASS, 0),
    X86_ROW(WRFSBASE, h_wrfsbase, PASS, 0),
    X86_ROW(WRGSBASE, h_wrgsbase, PASS, 0),
    X86_ROW(LSL, h_lsl, READ, 0), X86_ROW(LAR, h_lar, READ, 0),
    X86_ROW(VERR, h_verr, READ, 0), X86_ROW(VERW, h_verw, READ, 0),
    X86_ROW(LSS, h_lss, PASS, 0), X86_ROW(LFS, h_lfs, PASS, 0), X86_ROW(LGS, h_lgs, PASS, 0),
};
const struct x86_row_set x86_segment_rows = X86_ROW_SET("segment", segment_rows);
