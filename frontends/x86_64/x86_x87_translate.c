/* x86_x87_translate.c -- translation of the x87 instructions (opcodes
 * D8..DF), and the x87 family's rows of the dispatch table: a row per
 * capstone id, all with one handler.  The opcode and ModRM byte are
 * decoded here, at translation time, into one call of a specific helper
 * (x86_x87_ops.c) with the decoded register numbers and operation codes
 * as constants.  Memory operands are loaded and results stored by IR;
 * EFLAGS (fcomi family) and AX (fnstsw ax) are written by IR from the
 * helper's result; the fcmov condition is evaluated in IR.  Encodings not
 * handled here are SIGILL.
 */
#include "x86_internal.h"
#include "x86_sse.h"
#include "x86_x87.h"

/* Every helper gets the guest state synced to env first: it may raise
 * SIGFPE (a pending unmasked exception, x86_x87_wait.c) or fault on guest
 * memory. */
#define X87_HDEF(name, n, mem) \
    static const struct ir_helper x87_hdef_##name = { \
        (void *)x87_h_##name, "x87_" #name, n, 1, IR_HELPER_RW_GLOBALS, \
    };
X87_HELPERS(X87_HDEF)

/* Emits h(env, a...) with constant arguments; returns its result. */
static ir_ref x87_call(struct x86_dc *dc, const struct ir_helper *h, const ir_ref *args)
{
    ir_ref ret = ir_temp(dc->b);
    if (h->flags & IR_HELPER_RW_GLOBALS)
        x86_sync_pc(dc);
    ir_call(dc->b, h, ret, args);
    return ret;
}

#define K(v) ir_const(dc->b, (uint64_t)(v))
#define CALL(name, ...) x87_call(dc, &x87_hdef_##name, (const ir_ref[IR_MAX_ARGS]){ __VA_ARGS__ })
#define CALL0(name) x87_call(dc, &x87_hdef_##name, (const ir_ref[IR_MAX_ARGS]){ 0 })

/* ---- memory forms ------------------------------------------------------ */

static const uint8_t x87_kind_bytes[] = {
    [X87_M_F32] = 4, [X87_M_F64] = 8, [X87_M_I16] = 2, [X87_M_I32] = 4, [X87_M_I64] = 8,
};

/* D8 DA DC DE: ST0 = ST0 op m (reg 2, 3: fcom, fcomp). */
static bool x87_mem_arith(struct x86_dc *dc, int kind, int reg, ir_ref ea)
{
    ir_ref v = x86_load(dc, x87_kind_bytes[kind], ea);
    if (reg == 2 || reg == 3)
        CALL(com_m, K(kind), v, K(reg == 3));
    else
        CALL(arith_m, K(reg), K(kind), v);
    return true;
}

static void x87_mem_load(struct x86_dc *dc, int kind, ir_ref ea)
{
    CALL(fld_m, K(kind), x86_load(dc, x87_kind_bytes[kind], ea));
}

static void x87_mem_store(struct x86_dc *dc, int kind, bool truncate, bool pop, ir_ref ea)
{
    x86_store(dc, x87_kind_bytes[kind], ea, CALL(fst_m, K(kind), K(truncate), K(pop), ea));
}

static void x87_mem_m80(struct x86_dc *dc, bool store, ir_ref ea)
{
    if (store) {
        CALL(fst_m80, ea);
        return;
    }
    ir_ref hi = ir_temp(dc->b);
    ir_binop(dc->b, IR_add, 64, hi, ea, K(8));
    ir_ref m = x86_load(dc, 8, ea);
    CALL(fld_m80, m, x86_load(dc, 2, hi));
}

/* With a 0x66 prefix: the 16-bit layouts (14-byte environment). */
static void x87_mem_image(struct x86_dc *dc, int which, ir_ref ea)
{
    bool small = x86_has_prefix(dc, X86_PREFIX_OPSIZE);
    CALL(image, K(which | (small ? X87_IMAGE_16BIT : 0)), ea);
}

/* D9 DB DD DF memory forms, by (opcode >> 1 & 3, reg). */
static bool x87_mem_other(struct x86_dc *dc, int row, int reg, ir_ref ea)
{
    switch (row << 3 | reg) {
    case 000: x87_mem_load(dc, X87_M_F32, ea); return true;         /* D9 */
    case 002: case 003: x87_mem_store(dc, X87_M_F32, false, reg == 3, ea); return true;
    case 004: x87_mem_image(dc, 1, ea); return true;                /* fldenv */
    case 005: CALL(fldcw, x86_load(dc, 2, ea)); return true;
    case 006: x87_mem_image(dc, 0, ea); return true;                /* fnstenv */
    case 007: x86_store(dc, 2, ea, CALL0(fnstcw)); return true;
    case 010: x87_mem_load(dc, X87_M_I32, ea); return true;         /* DB */
    case 011: x87_mem_store(dc, X87_M_I32, true, true, ea); return true;
    case 012: case 013: x87_mem_store(dc, X87_M_I32, false, reg == 3, ea); return true;
    case 015: x87_mem_m80(dc, false, ea); return true;
    case 017: x87_mem_m80(dc, true, ea); return true;
    case 020: x87_mem_load(dc, X87_M_F64, ea); return true;         /* DD */
    case 021: x87_mem_store(dc, X87_M_I64, true, true, ea); return true;
    case 022: case 023: x87_mem_store(dc, X87_M_F64, false, reg == 3, ea); return true;
    case 024: x87_mem_image(dc, 3, ea); return true;                /* frstor */
    case 026: x87_mem_image(dc, 2, ea); return true;                /* fnsave */
    case 027: x86_store(dc, 2, ea, CALL0(fnstsw)); return true;
    case 030: x87_mem_load(dc, X87_M_I16, ea); return true;         /* DF */
    case 031: x87_mem_store(dc, X87_M_I16, true, true, ea); return true;
    case 032: case 033: x87_mem_store(dc, X87_M_I16, false, reg == 3, ea); return true;
    case 034: CALL(fbld, ea); return true;
    case 035: x87_mem_load(dc, X87_M_I64, ea); return true;
    case 036: CALL(fbstp, ea); return true;
    case 037: x87_mem_store(dc, X87_M_I64, false, true, ea); return true;
    default:  return false;
    }
}

/* The opcode FOP records (11 bits: opcode byte's low 3, ModRM), for the
 * helper to commit (x86_x87_wait.c). */
static void x87_next_op(struct x86_dc *dc, uint32_t mem)
{
    uint32_t fop = (uint32_t)(dc->x->opcode[0] & 7) << 8 | dc->x->modrm;
    ir_st_env(dc->b, IR_MO_32, ir_const(dc->b, fop | mem), X86_ENV_OFF(x87_ptr.next));
}

static bool x87_mem(struct x86_dc *dc, int op, int reg)
{
    static const int8_t arith_kind[4] = { X87_M_F32, X87_M_I32, X87_M_F64, X87_M_I16 };
    if (dc->x->op_count < 1 || dc->x->operands[0].type != X86_OP_MEM)
        return false;
    if ((op == 1 && reg == 1) || (op == 3 && (reg == 4 || reg == 6)) || (op == 5 && reg == 5))
        return false;                                   /* reserved: no IR emitted */
    ir_ref ea = x86_ea(dc, &dc->x->operands[0]);
    ir_st_env(dc->b, IR_MO_64, ea, X86_ENV_OFF(x87_ptr.next_fdp));
    x87_next_op(dc, X87_NEXT_MEM);
    if (!(op & 1))
        return x87_mem_arith(dc, arith_kind[op >> 1], reg, ea);
    return x87_mem_other(dc, op >> 1, reg, ea);
}

/* ---- register forms ---------------------------------------------------- */

/* D9 E0..FF. */
static bool x87_d9_special(struct x86_dc *dc, int low)
{
    static const int8_t misc[32] = {
        [0x04] = X87_FTST, [0x05] = X87_FXAM, [0x11] = X87_FYL2X, [0x12] = X87_FPTAN,
        [0x13] = X87_FPATAN, [0x14] = X87_FXTRACT, [0x15] = X87_FPREM1, [0x16] = X87_FDECSTP,
        [0x17] = X87_FINCSTP, [0x18] = X87_FPREM, [0x19] = X87_FYL2XP1, [0x1b] = X87_FSINCOS,
        [0x1d] = X87_FSCALE,
    };
    int i = low - 0xe0;
    if (low == 0xe0 || low == 0xe1 || low == 0xf0 || low == 0xfa || low == 0xfc || low >= 0xfe)
        CALL(unary, K(low));
    else if (low >= 0xe8 && low <= 0xee)
        CALL(fld_const, K(low - 0xe8));
    else if (misc[i])
        CALL(misc, K(misc[i]));
    else
        return false;
    return true;
}

/* DA DB C0..DF: fcmovcc, DB negated: B E BE U. */
static void x87_fcmov(struct x86_dc *dc, bool negate, int reg, int i)
{
    static const int cc[4] = { 2, 4, 6, 10 };
    struct x86_cmp c;
    x86_cond(dc, cc[reg] ^ negate, &c);
    ir_ref t = ir_temp(dc->b);
    ir_setcond(dc->b, c.cond, c.size, t, c.a, c.b);
    CALL(fcmov, K(i), t);
}

static bool x87_reg(struct x86_dc *dc, int op, int modrm)
{
    int i = modrm & 7, reg = (modrm >> 3) & 7;
    switch (op << 3 | reg) {
    case 000: case 001: case 004: case 005: case 006: case 007:     /* D8 */
        CALL(arith, K(reg), K(0), K(i), K(0), K(0)); return true;
    case 002: case 003: CALL(com, K(i), K(0), K(reg == 3)); return true;
    case 010: CALL(fld, K(i)); return true;                         /* D9 */
    case 011: CALL(fxch, K(i)); return true;
    case 012: if (modrm != 0xd0) return false;                      /* fnop: waits */
        CALL(fwait, K(1)); return true;             /* not a control insn: pointers */
    case 014: case 015: case 016: case 017: return x87_d9_special(dc, modrm);
    case 020: case 021: case 022: case 023: x87_fcmov(dc, false, reg, i); return true;
    case 025: if (modrm != 0xe9) return false;                      /* fucompp */
        CALL(com, K(1), K(1), K(2)); return true;
    case 030: case 031: case 032: case 033: x87_fcmov(dc, true, reg, i); return true;
    case 034: if (modrm != 0xe2 && modrm != 0xe3) return false;
        CALL(misc, K(modrm == 0xe2 ? X87_FNCLEX : X87_FNINIT)); return true;
    case 035: case 036: case 075: case 076:                         /* fcomi family */
        x86_flags_set_eflags(dc, CALL(comi, K(i), K(reg == 5), K(op == 7)));
        return true;
    case 040: case 041: case 044: case 045: case 046: case 047:     /* DC, DE */
    case 060: case 061: case 064: case 065: case 066: case 067:
        CALL(arith, K(reg >= 4 ? reg ^ 1 : reg), K(i), K(0), K(i), K(op == 6)); return true;
    case 042: case 043: CALL(com, K(i), K(0), K(reg == 3)); return true;
    case 063: if (modrm != 0xd9) return false;                      /* fcompp */
        CALL(com, K(1), K(0), K(2)); return true;
    case 050: CALL(ffree, K(i), K(0)); return true;                 /* DD */
    case 052: case 053: CALL(fst, K(i), K(reg == 3)); return true;
    case 054: case 055: CALL(com, K(i), K(1), K(reg == 5)); return true;
    case 070: CALL(ffree, K(i), K(1)); return true;                 /* DF: ffreep */
    case 074: if (modrm != 0xe0) return false;                      /* fnstsw ax */
        x86_gpr_write(dc, X86_REG_AX, CALL0(fnstsw)); return true;
    default: return false;
    }
}

/* Reserved register forms are rejected before any IR is emitted. */
static bool x87_reg_valid(int op, int modrm)
{
    int reg = (modrm >> 3) & 7;
    switch (op) {
    case 1:
        if (reg == 2 || reg == 3)
            return modrm == 0xd0;
        return reg < 4 || (modrm != 0xe2 && modrm != 0xe3 && modrm != 0xe6 && modrm != 0xe7 &&
                           modrm != 0xef);
    case 2: return reg < 4 || modrm == 0xe9;
    case 3: return reg < 4 || modrm == 0xe2 || modrm == 0xe3 || reg == 5 || reg == 6;
    case 5: return reg != 1 && reg < 6;
    case 6: return reg != 2 && (reg != 3 || modrm == 0xd9);
    case 7: return modrm == 0xe0 || reg == 0 || reg == 5 || reg == 6;
    default: return true;
    }
}

static bool x87_translate(struct x86_dc *dc)
{
    int op = dc->x->opcode[0], modrm = dc->x->modrm;
    if (op == 0x9b) {                                   /* wait */
        CALL(fwait, K(0));
        return true;
    }
    if (op < 0xd8 || op > 0xdf)
        return false;
    op &= 7;
    if (modrm < 0xc0)
        return x87_mem(dc, op, (modrm >> 3) & 7);
    if (!x87_reg_valid(op, modrm))
        return false;
    x87_next_op(dc, 0);
    return x87_reg(dc, op, modrm);
}

/* The handler of every x87 row: reserved encodings are SIGILL. */
static void x87_translate_insn(struct x86_dc *dc)
{
    if (!x87_translate(dc))
        x86_raise_sigill(dc);
}

/* Every id capstone decodes from opcodes D8..DF (the unit tests check
 * that against capstone); the handler decodes opcode and ModRM itself. */
#define X87(ID) X86_ROW(ID, x87_translate_insn, READ, 0)
static const struct x86_insn_row x87_rows[] = {
    /* arithmetic */
    X87(FADD), X87(FADDP), X87(FIADD), X87(FSUB), X87(FSUBP), X87(FISUB),
    X87(FSUBR), X87(FSUBRP), X87(FISUBR), X87(FMUL), X87(FMULP), X87(FIMUL),
    X87(FDIV), X87(FDIVP), X87(FIDIV), X87(FDIVR), X87(FDIVRP), X87(FIDIVR),
    X87(FCHS), X87(FABS), X87(FSQRT), X87(FRNDINT), X87(FSCALE), X87(FXTRACT),
    X87(FPREM), X87(FPREM1), X87(F2XM1), X87(FYL2X), X87(FYL2XP1),
    X87(FSIN), X87(FCOS), X87(FSINCOS), X87(FPTAN), X87(FPATAN),
    /* compares */
    X87(FCOM), X87(FCOMP), X87(FCOMPP), X87(FICOM), X87(FICOMP), X87(FUCOM),
    X87(FUCOMP), X87(FUCOMPP), X87(FCOMI), X87(FCOMIP), X87(FUCOMI), X87(FUCOMIP),
    X87(FTST), X87(FXAM),
    /* loads, stores, constants, moves */
    X87(FLD), X87(FILD), X87(FBLD), X87(FST), X87(FSTP), X87(FSTPNCE), X87(FIST),
    X87(FISTP), X87(FISTTP), X87(FBSTP), X87(FLDZ), X87(FLD1), X87(FLDPI),
    X87(FLDL2E), X87(FLDL2T), X87(FLDLG2), X87(FLDLN2), X87(FXCH),
    X87(FCMOVB), X87(FCMOVE), X87(FCMOVBE), X87(FCMOVU), X87(FCMOVNB),
    X87(FCMOVNE), X87(FCMOVNBE), X87(FCMOVNU),
    /* control and state */
    X87(FLDCW), X87(FNSTCW), X87(FNSTSW), X87(FLDENV), X87(FNSTENV), X87(FRSTOR),
    X87(FNSAVE), X87(FNCLEX), X87(FNINIT), X87(FFREE), X87(FFREEP), X87(FDECSTP),
    X87(FINCSTP), X87(FNOP), X87(FSETPM), X87(FDISI8087_NOP), X87(FENI8087_NOP),
    X87(WAIT),          /* 9B alone (capstone splits it from what follows) */
};
const struct x86_row_set x86_x87_rows = X86_ROW_SET("x87", x87_rows);
