/* x86_string.c -- movs stos lods cmps scas at every size.  Single forms
 * are plain IR; rep/repe/repne forms call C helpers that loop on the
 * CPU state (honouring the direction flag).  An fs/gs prefix moves the
 * source (rsi) operand of movs/lods/cmps; the 0x67 prefix makes them use
 * esi/edi/ecx (addresses and updates wrap at 32 bits, a 32-bit register
 * write zeroes the upper half).  Capstone's movsd and cmpsd
 * ids are also SSE2 instructions: their rows are here, and hand those
 * encodings to the SSE rows (x86_sse_table.c).
 */
#include "x86_internal.h"

enum str_op { STR_MOVS, STR_STOS, STR_LODS, STR_CMPS, STR_SCAS };

struct str_info { unsigned id; uint8_t op, bytes; };

static const struct str_info str_infos[] = {
    { X86_INS_MOVSB, STR_MOVS, 1 }, { X86_INS_MOVSW, STR_MOVS, 2 },
    { X86_INS_MOVSD, STR_MOVS, 4 }, { X86_INS_MOVSQ, STR_MOVS, 8 },
    { X86_INS_STOSB, STR_STOS, 1 }, { X86_INS_STOSW, STR_STOS, 2 },
    { X86_INS_STOSD, STR_STOS, 4 }, { X86_INS_STOSQ, STR_STOS, 8 },
    { X86_INS_LODSB, STR_LODS, 1 }, { X86_INS_LODSW, STR_LODS, 2 },
    { X86_INS_LODSD, STR_LODS, 4 }, { X86_INS_LODSQ, STR_LODS, 8 },
    { X86_INS_CMPSB, STR_CMPS, 1 }, { X86_INS_CMPSW, STR_CMPS, 2 },
    { X86_INS_CMPSD, STR_CMPS, 4 }, { X86_INS_CMPSQ, STR_CMPS, 8 },
    { X86_INS_SCASB, STR_SCAS, 1 }, { X86_INS_SCASW, STR_SCAS, 2 },
    { X86_INS_SCASD, STR_SCAS, 4 }, { X86_INS_SCASQ, STR_SCAS, 8 },
};

/* (A switch first: x86_may_fault asks this of every instruction.) */
static const struct str_info *str_info_of(unsigned id)
{
    switch (id) {
    case X86_INS_MOVSB: case X86_INS_MOVSW: case X86_INS_MOVSD: case X86_INS_MOVSQ:
    case X86_INS_STOSB: case X86_INS_STOSW: case X86_INS_STOSD: case X86_INS_STOSQ:
    case X86_INS_LODSB: case X86_INS_LODSW: case X86_INS_LODSD: case X86_INS_LODSQ:
    case X86_INS_CMPSB: case X86_INS_CMPSW: case X86_INS_CMPSD: case X86_INS_CMPSQ:
    case X86_INS_SCASB: case X86_INS_SCASW: case X86_INS_SCASD: case X86_INS_SCASQ:
        break;
    default:
        return NULL;
    }
    for (size_t i = 0; i < sizeof(str_infos) / sizeof(str_infos[0]); i++)
        if (str_infos[i].id == id) return &str_infos[i];
    return NULL;
}

bool x86_string_id(unsigned id) { return str_info_of(id) != NULL; }

static bool prefix_byte(uint8_t b)
{
    return b == 0x66 || b == 0xf2 || b == 0xf3 || b == 0x67 || b == 0x64 || b == 0x65 ||
           b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 || (b & 0xf0) == 0x40;
}

/* Element size from the encoding: capstone 4 names some prefixed forms
 * wrongly (66 f3 a5 comes out as "rep movsd"). */
static int element_bytes(const struct x86_dc *dc)
{
    const cs_insn *ci = dc->insn;
    bool opsize = false;
    if (!(dc->x->opcode[0] & 1)) return 1;
    if (dc->x->rex & 8) return 8;
    for (int i = 0; i < ci->size - 1 && prefix_byte(ci->bytes[i]); i++)
        if (ci->bytes[i] == 0x66) opsize = true;
    return opsize ? 2 : 4;
}

/* The repeat prefix from the encoding, the last f2/f3 of the prefixes:
 * capstone 4 reports none for f2 before movsw/movsd (a5), which it takes
 * for SSE's movsd, so those ran once (FEX's Primary_A4_REPNE tests). */
static uint8_t rep_prefix(const struct x86_dc *dc)
{
    const cs_insn *ci = dc->insn;
    uint8_t rep = 0;
    for (int i = 0; i < ci->size - 1 && prefix_byte(ci->bytes[i]); i++)
        if (ci->bytes[i] == 0xf2 || ci->bytes[i] == 0xf3) rep = ci->bytes[i];
    return rep;
}

static const x86_reg acc_of[4] = { X86_REG_AL, X86_REG_AX, X86_REG_EAX, X86_REG_RAX };

/* What the prefixes change: the source's segment base (IR_NONE for
 * none: cs/ds/es/ss are no-ops in 64-bit mode), 32-bit addressing. */
struct str_env { ir_ref seg; bool a32; };

static struct str_env str_env_of(struct x86_dc *dc)
{
    return (struct str_env){ x86_seg_base(dc), dc->x->addr_size == 4 };
}

/* The address in register reg (rsi: with the segment base). */
static ir_ref str_addr(struct x86_dc *dc, const struct str_env *e, int reg)
{
    ir_ref a = x86_get_reg(dc, reg);
    if (e->a32) a = x86_trunc(dc, a, 4);
    if (reg == X86_RSI && e->seg != IR_NONE) a = x86_op2(dc, IR_add, 8, a, e->seg);
    return a;
}

/* reg += df * bytes */
static void advance(struct x86_dc *dc, const struct str_env *e, int reg, int bytes)
{
    ir_ref step = x86_op2(dc, IR_shl, 8, x86_g_df, x86_imm(dc, (uint64_t)x86_log2(bytes)));
    x86_set_reg(dc, reg, x86_op2(dc, IR_add, e->a32 ? 4 : 8, x86_get_reg(dc, reg), step));
}

static void string_once(struct x86_dc *dc, const struct str_info *si, const struct str_env *e)
{
    int n = si->bytes;
    ir_ref a, b;
    x86_compat_str_check(dc, si->op != STR_STOS && si->op != STR_SCAS,
                         si->op != STR_LODS, false);
    switch (si->op) {
    case STR_MOVS:
        x86_store(dc, n, str_addr(dc, e, X86_RDI), x86_load(dc, n, str_addr(dc, e, X86_RSI)));
        advance(dc, e, X86_RSI, n); advance(dc, e, X86_RDI, n);
        break;
    case STR_STOS:
        x86_store(dc, n, str_addr(dc, e, X86_RDI), x86_gpr_read(dc, acc_of[x86_log2(n)]));
        advance(dc, e, X86_RDI, n);
        break;
    case STR_LODS:
        x86_gpr_write(dc, acc_of[x86_log2(n)], x86_load(dc, n, str_addr(dc, e, X86_RSI)));
        advance(dc, e, X86_RSI, n);
        break;
    case STR_CMPS:
        a = x86_load(dc, n, str_addr(dc, e, X86_RSI));
        b = x86_load(dc, n, str_addr(dc, e, X86_RDI));
        x86_flags_set(dc, X86_CC_SUB, n, x86_arith(dc, IR_sub, n, a, b), b, IR_NONE, a);
        advance(dc, e, X86_RSI, n); advance(dc, e, X86_RDI, n);
        break;
    case STR_SCAS:
        a = x86_gpr_read(dc, acc_of[x86_log2(n)]);
        b = x86_load(dc, n, str_addr(dc, e, X86_RDI));
        x86_flags_set(dc, X86_CC_SUB, n, x86_arith(dc, IR_sub, n, a, b), b, IR_NONE, a);
        advance(dc, e, X86_RDI, n);
        break;
    }
}

/* #AC (x86_align_check.c) before the helper: a misaligned first
 * element, unless the count is zero (every element then is as aligned). */
static void rep_align_check(struct x86_dc *dc, const struct str_info *si, const struct str_env *e)
{
    if (si->bytes == 1)
        return;
    ir_ref addrs = x86_imm(dc, 0);
    if (si->op != STR_STOS && si->op != STR_SCAS)
        addrs = x86_op2(dc, IR_or, 8, addrs, str_addr(dc, e, X86_RSI));
    if (si->op != STR_LODS)
        addrs = x86_op2(dc, IR_or, 8, addrs, str_addr(dc, e, X86_RDI));
    ir_ref count = x86_get_reg(dc, X86_RCX);
    if (e->a32) count = x86_trunc(dc, count, 4);
    ir_ref low = x86_op2(dc, IR_and, 8, addrs, x86_imm(dc, si->bytes - 1u));
    ir_ref bad = x86_op2(dc, IR_and, 8, x86_setcond(dc, IR_NE, 64, low, x86_imm(dc, 0)),
                         x86_setcond(dc, IR_NE, 64, count, x86_imm(dc, 0)));
    ir_brexit(dc->b, IR_NE, 64, bad, x86_imm(dc, 0), dc->pc, TR_EXIT_ALIGN_CHECK);
}

static void string_rep(struct x86_dc *dc, const struct str_info *si, bool repne,
                       const struct str_env *e)
{
    static const struct ir_helper *const helpers[] = {
        &x86_helper_rep_movs, &x86_helper_rep_stos, &x86_helper_rep_lods,
        &x86_helper_rep_cmps, &x86_helper_rep_scas };
    bool sets_flags = si->op == STR_CMPS || si->op == STR_SCAS;
    x86_compat_str_check(dc, si->op != STR_STOS && si->op != STR_SCAS,
                         si->op != STR_LODS, true);
    if (x86_ac_mode(dc)) rep_align_check(dc, si, e);
    /* A fault in the helper (an unmapped page, a stack overflow into the
     * guard gap) becomes a guest signal at this instruction: env must hold
     * the whole state, flags included, for the signal context. */
    x86_sync_pc(dc);
    x86_flags_sync(dc);
    x86_call(dc, helpers[si->op], x86_imm(dc, si->bytes), x86_imm(dc, repne),
             e->seg == IR_NONE ? x86_imm(dc, 0) : e->seg, x86_imm(dc, e->a32), IR_NONE);
    if (sets_flags) x86_flags_clobbered(dc);
}

/* Under 0x67 Intel writes ECX (and movs ESI EDI, stos EDI) even for a
 * zero count, clearing their upper halves (x86_helpers.c rep_none);
 * written before the count is tested, which a nonzero count's iteration
 * does anyway. */
static void a32_zero_count_writes(struct x86_dc *dc, const struct str_info *si, ir_ref count)
{
    x86_set_reg(dc, X86_RCX, count);
    if (si->op == STR_MOVS)
        x86_set_reg(dc, X86_RSI, x86_trunc(dc, x86_get_reg(dc, X86_RSI), 4));
    if (si->op == STR_MOVS || si->op == STR_STOS)
        x86_set_reg(dc, X86_RDI, x86_trunc(dc, x86_get_reg(dc, X86_RDI), 4));
}

/* Single-stepping (x86_single_step.c): one iteration, then the trap at
 * this instruction while it repeats, after it once done; with rcx = 0
 * none (a trap after it).  repe/repne stop early as the CPU does. */
static void string_rep_step(struct x86_dc *dc, const struct str_info *si, bool repne,
                            const struct str_env *e)
{
    int csize = e->a32 ? 4 : 8;
    ir_ref count = x86_get_reg(dc, X86_RCX);
    if (e->a32) count = x86_trunc(dc, count, 4);
    if (e->a32 && x86_machine()->intel)
        a32_zero_count_writes(dc, si, count);
    struct x86_cmp none = { IR_EQ, 64, count, x86_imm(dc, 0) };
    x86_step_branch_only(dc, &none, dc->next_pc);
    string_once(dc, si, e);
    count = x86_op2(dc, IR_sub, csize, count, x86_imm(dc, 1));
    x86_set_reg(dc, X86_RCX, count);
    ir_ref more = x86_setcond(dc, IR_NE, 64, count, x86_imm(dc, 0));
    if (si->op == STR_CMPS || si->op == STR_SCAS) {
        struct x86_cmp z;
        x86_cond(dc, repne ? 5 : 4, &z);        /* ne / e */
        more = x86_op2(dc, IR_and, 8, more, x86_setcond(dc, z.cond, z.size, z.a, z.b));
    }
    struct x86_cmp again = { IR_NE, 64, more, x86_imm(dc, 0) };
    x86_step_branch(dc, &again, dc->pc);
}

static void h_string(struct x86_dc *dc)
{
    const struct str_info *si = str_info_of(dc->insn->id);
    uint8_t op0 = dc->x->opcode[0];
    /* movsd/cmpsd are also SSE2 mnemonics (F2 0F 10 / F2 0F C2): one id,
     * this row; the SSE forms go to their SSE rows. */
    if (dc->insn->id == X86_INS_MOVSD && op0 != 0xa5) {
        x86_translate_row(dc, x86_sse_movsd_row);
        return;
    }
    if (dc->insn->id == X86_INS_CMPSD && op0 != 0xa7) {
        x86_translate_row(dc, x86_sse_cmpsd_row);
        return;
    }
    struct str_info fixed = *si;
    fixed.bytes = (uint8_t)element_bytes(dc);
    struct str_env e = str_env_of(dc);
    uint8_t rep = rep_prefix(dc);
    if ((rep == X86_PREFIX_REP || rep == X86_PREFIX_REPNE) && x86_step_each_iteration(dc))
        string_rep_step(dc, &fixed, rep == X86_PREFIX_REPNE, &e);
    else if (rep == X86_PREFIX_REP || rep == X86_PREFIX_REPNE)
        string_rep(dc, &fixed, rep == X86_PREFIX_REPNE, &e);
    else
        string_once(dc, &fixed, &e);
}

/* movs/stos/lods leave the flags alone; a rep cmps/scas with rcx = 0
 * keeps the old ones, so those count as readers.  movsd is the string
 * move or SSE2's scalar move (one capstone id): neither touches the flags,
 * so it passes them (as a reader it kept a predecessor's flags stored for
 * perl's `movsd xmm0, [mem]`).  cmpsd, string or SSE, stays a reader. */
#define STR(name) X86_ROW(name, h_string, PASS, 0)
#define STR_R(name) X86_ROW(name, h_string, READ, 0)
static const struct x86_insn_row string_rows[] = {
    STR(MOVSB), STR(MOVSW), STR(MOVSD), STR(MOVSQ),
    STR(STOSB), STR(STOSW), STR(STOSD), STR(STOSQ),
    STR(LODSB), STR(LODSW), STR(LODSD), STR(LODSQ),
    STR_R(CMPSB), STR_R(CMPSW), STR_R(CMPSD), STR_R(CMPSQ),
    STR_R(SCASB), STR_R(SCASW), STR_R(SCASD), STR_R(SCASQ),
};
const struct x86_row_set x86_string_rows = X86_ROW_SET("string", string_rows);
