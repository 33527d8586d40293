/* x86_avx.c -- the VEX translator's core (see x86_avx.h): the VEX prefix,
 * YMM operands as two env halves, memory sources of up to 256 bits, the
 * upper-half rule, the 128-bit step with VEX's non-destructive operands,
 * and the handler of every VEX row with its generic forms.
 */
#include "x86_avx.h"
#include "x86_internal.h"
#include "x86_decode_quirks.h"

_Static_assert(offsetof(struct avx_row, insn) == 0, "dc->row is the avx_row");
_Static_assert(offsetof(struct x86_cpu, avx_tmp) + 96 < 0x10000, "vector ops pack 16-bit offsets");

/* ---- the VEX prefix ---- */

static bool avx_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: case 0x67:
    case 0x66: case 0xf0: case 0xf2: case 0xf3:
        return true;
    default:
        return (b & 0xf0) == 0x40;  /* REX */
    }
}

/* Index of the C4/C5 byte, or -1.  In compatibility mode C4/C5 with a
 * memory operand are les/lds (capstone's ids say so), 66 allowed. */
static int avx_vex_at(const struct x86_dc *dc)
{
    if (dc->insn->id == X86_INS_LES || dc->insn->id == X86_INS_LDS)
        return -1;
    const uint8_t *p = dc->insn->bytes;
    int n = dc->insn->size, i = 0;
    while (i < n && avx_legacy_prefix(p[i]))
        i++;
    return i + 2 < n && (p[i] == 0xc4 || p[i] == 0xc5) ? i : -1;
}

bool x86_is_vex(const struct x86_dc *dc)
{
    return !x86_plain_start(dc->insn->bytes, dc->insn->size) && avx_vex_at(dc) >= 0;
}

bool avx_vex(const struct x86_dc *dc, struct avx_vex *v)
{
    int i = avx_vex_at(dc);
    if (i < 0)
        return false;
    const uint8_t *p = dc->insn->bytes;
    for (int k = 0; k < i; k++)
        if (p[k] == 0x66 || p[k] == 0xf0 || p[k] == 0xf2 || p[k] == 0xf3 || (p[k] & 0xf0) == 0x40)
            return false;
    uint8_t last = p[i] == 0xc5 ? p[i + 1] : p[i + 2];
    v->map = p[i] == 0xc5 ? 1 : p[i + 1] & 0x1f;
    v->w = p[i] == 0xc5 ? 0 : last >> 7;
    v->vvvv = (~last >> 3) & 15;
    v->l = last >> 2 & 1;
    v->pp = last & 3;
    return true;
}

/* A 66, F0, F2, F3 or REX before a VEX prefix is #UD; capstone 4 decodes
 * them.  avx_vex() refuses them for the vector forms; this covers every
 * VEX instruction, the general-register ones too (andn, bextr, shlx ...,
 * found by FEX's VEX tests widened with prefixes, session 23). */
bool x86_vex_prefixed(const struct x86_dc *dc)
{
    struct avx_vex v;
    return x86_is_vex(dc) && !avx_vex(dc, &v);
}

/* VEX.W0-only forms (VEX.W1 is #UD; capstone decodes them either way). */
bool x86_vex_w_reserved(const struct x86_dc *dc)
{
    struct avx_vex v;
    switch (dc->insn->id) {
    case X86_INS_VPERMILPS: case X86_INS_VPERMILPD: case X86_INS_VPERMPS: case X86_INS_VPERMD:
    case X86_INS_VMASKMOVPS: case X86_INS_VMASKMOVPD: case X86_INS_VPSRAVD:
    case X86_INS_VPBLENDD: case X86_INS_VPERM2F128: case X86_INS_VPERM2I128:
    case X86_INS_VINSERTF128: case X86_INS_VINSERTI128: case X86_INS_VBLENDVPS:
    case X86_INS_VBLENDVPD: case X86_INS_VPBLENDVB:
    /* (found by a VEX field sweep after FEX's ASM tests, session 22) */
    case X86_INS_VTESTPS: case X86_INS_VTESTPD: case X86_INS_VCVTPH2PS: case X86_INS_VCVTPS2PH:
    case X86_INS_VBROADCASTSS: case X86_INS_VBROADCASTSD: case X86_INS_VBROADCASTF128:
    case X86_INS_VPBROADCASTB: case X86_INS_VPBROADCASTW: case X86_INS_VPBROADCASTD:
    case X86_INS_VPBROADCASTQ: case X86_INS_VEXTRACTF128: case X86_INS_VEXTRACTI128:
        return avx_vex(dc, &v) && v.w;
    default:
        return false;
    }
}

bool avx_wide(const struct x86_dc *dc)
{
    struct avx_vex v;
    return avx_vex(dc, &v) && v.l;
}

/* ---- operands ---- */

int avx_reg(const cs_x86_op *op)
{
    if (op->type != X86_OP_REG)
        return -1;
    if (op->reg >= X86_REG_YMM0 && op->reg <= X86_REG_YMM15)
        return (int)(op->reg - X86_REG_YMM0);
    return x86_xmm_index(op->reg);
}

struct avx_opnd avx_regop(int r)
{
    return (struct avx_opnd){ X86_ENV_OFF(xmm) + 16 * r, X86_ENV_OFF(ymm_hi) + 16 * r, r };
}

struct avx_opnd avx_tmpop(int tmp)
{
    int32_t lo = X86_ENV_OFF(avx_tmp) + 32 * tmp;
    return (struct avx_opnd){ lo, lo + 16, -1 };
}

bool avx_src_ok(const cs_x86_op *op)
{
    return op->type == X86_OP_MEM || avx_reg(op) >= 0;
}

static ir_ref avx_ea_plus(struct x86_dc *dc, ir_ref ea, int k)
{
    if (!k)
        return ea;
    ir_ref a = ir_temp(dc->b);
    ir_binop(dc->b, IR_add, 64, a, ea, ir_const(dc->b, (uint64_t)k));
    return a;
}

static void avx_vmem(struct x86_dc *dc, enum ir_op op, ir_ref ea, int32_t off, int bytes,
                     unsigned flags)
{
    ir_vec(dc->b, op, IR_VE_8 | flags, ir_vec_pack(off, off, off, (unsigned)bytes), NULL)->args[0] = ea;
}

struct avx_opnd avx_src(struct x86_dc *dc, const cs_x86_op *op, int bytes)
{
    if (op->type != X86_OP_MEM)
        return avx_regop(avx_reg(op));
    struct avx_opnd t = avx_tmpop(AVX_TMP_MEM);
    ir_ref ea = x86_ea(dc, op);
    avx_vmem(dc, IR_vld, ea, t.lo, bytes > 16 ? 16 : bytes, 0);
    if (bytes > 16)
        avx_vmem(dc, IR_vld, avx_ea_plus(dc, ea, 16), t.hi, bytes - 16, 0);
    else
        avx_zero16(dc, t.hi);
    return t;
}

void avx_store(struct x86_dc *dc, const cs_x86_op *mem, struct avx_opnd o, int bytes)
{
    ir_ref ea = x86_ea(dc, mem);
    unsigned aligned = x86_vst_aligned(dc, mem);
    unsigned pair = bytes > 16 ? IR_V_PAIR_LO : 0;
    avx_vmem(dc, IR_vst, ea, o.lo, bytes > 16 ? 16 : bytes, aligned | pair);
    if (bytes > 16)
        avx_vmem(dc, IR_vst, avx_ea_plus(dc, ea, 16), o.hi, bytes - 16, aligned | IR_V_PAIR_HI);
}

void avx_copy16(struct x86_dc *dc, int32_t dst, int32_t src)
{
    if (dst != src)
        ir_vec(dc->b, IR_vmov, IR_VE_8, ir_vec_pack(dst, dst, src, 16), NULL);
}

void avx_zero16(struct x86_dc *dc, int32_t dst)
{
    ir_ref zero = ir_const(dc->b, 0);
    ir_st_env(dc->b, IR_MO_64, zero, dst);
    ir_st_env(dc->b, IR_MO_64, zero, dst + 8);
}

void avx_write_done(struct x86_dc *dc, int r, bool wide)
{
    if (!wide)
        avx_zero16(dc, avx_regop(r).hi);
}

/* ---- the 128-bit step ---- */

static void avx_step_emit(struct x86_dc *dc, const struct avx_step *st, int32_t d, int32_t a,
                          int32_t b)
{
    if (!st->op) {
        ir_ref args[3] = { ir_const(dc->b, (uint64_t)d), ir_const(dc->b, (uint64_t)b),
                           ir_const(dc->b, st->imm) };
        ir_call(dc->b, st->h, IR_NONE, args);
        return;
    }
    const struct ir_op_info *info = &ir_op_info[st->op];
    ir_ref mode = info->n_in && !info->n_out ? sse_mxcsr_mode(dc) : IR_NONE;
    struct ir_insn *i = ir_vec(dc->b, st->op, st->size, ir_vec_pack(d, a, b, st->imm), st->h);
    i->args[0] = mode;
}

/* Integer lane ops whose two sources may swap (op(a, b) = op(b, a) bit
 * for bit; float ops are not: the first source's NaN wins). */
static bool avx_commutes(enum ir_op op)
{
    switch (op) {
    case IR_vand: case IR_vor: case IR_vxor: case IR_vadd: case IR_vadds: case IR_vaddus:
    case IR_vmul: case IR_vmulhs: case IR_vmulhu: case IR_vmulwu: case IR_vmaddw:
    case IR_vcmpeq: case IR_vmins: case IR_vmaxs: case IR_vminu: case IR_vmaxu:
    case IR_vavgu: case IR_vsadu:
        return true;
    default:
        return false;
    }
}

/* d = op(a, b) for one 128-bit half.  An IR vector op of packed lanes
 * takes a apart from d (the backends read it where it is: x86-64 hosts
 * with AVX emit VEX three-operand forms, AArch64's are three-operand; a
 * helper on the slow path gets a copied to d first); scalar forms, whose
 * other lanes come from a, and helper calls get d = a first.  d = op(a, d)
 * of an op that commutes is d = op(d, a): in place. */
void avx_vop_half(struct x86_dc *dc, const struct avx_step *st, int32_t d, int32_t a, int32_t b)
{
    if (st->op && d == b && d != a && avx_commutes((enum ir_op)st->op)) {
        avx_step_emit(dc, st, d, d, a);
        return;
    }
    if (st->op && !(st->size & IR_V_SCALAR) && d != b) {
        avx_step_emit(dc, st, d, a, b);
        return;
    }
    if (d != a) {
        if (d == b) {               /* the copy of a would clobber b */
            int32_t s = avx_tmpop(AVX_TMP_SCRATCH).lo;
            avx_copy16(dc, s, b);
            b = s;
        }
        avx_copy16(dc, d, a);
    }
    avx_step_emit(dc, st, d, d, b);
}

void avx_vop3(struct x86_dc *dc, const struct avx_step *st, struct avx_opnd d,
              struct avx_opnd a, struct avx_opnd b, bool wide)
{
    avx_vop_half(dc, st, d.lo, a.lo, b.lo);
    if (wide)
        avx_vop_half(dc, st, d.hi, a.hi, b.hi);
}

void avx_vop3_split(struct x86_dc *dc, const struct avx_step *st, struct avx_opnd d,
                    struct avx_opnd a, struct avx_opnd b, bool wide, unsigned imm_hi)
{
    struct avx_step hi = *st;
    hi.imm = imm_hi;
    avx_vop_half(dc, st, d.lo, a.lo, b.lo);
    if (wide)
        avx_vop_half(dc, &hi, d.hi, a.hi, b.hi);
}

/* ---- helper calls ---- */

ir_ref avx_call(struct x86_dc *dc, const struct ir_helper *h, uint64_t a0, uint64_t a1, uint64_t a2)
{
    ir_ref args[3] = { ir_const(dc->b, a0), ir_const(dc->b, a1), ir_const(dc->b, a2) };
    ir_ref r = h->has_result ? ir_temp(dc->b) : IR_NONE;
    ir_call(dc->b, h, r, args);
    return r;
}

struct avx_results avx_call_halves(struct x86_dc *dc, const struct ir_helper *h, struct avx_opnd d,
                                   struct avx_opnd s, uint64_t imm, uint64_t imm_hi, bool wide)
{
    struct avx_results r = { avx_call(dc, h, (uint64_t)d.lo, (uint64_t)s.lo, imm), IR_NONE };
    if (wide)
        r.hi = avx_call(dc, h, (uint64_t)d.hi, (uint64_t)s.hi, imm_hi);
    return r;
}

/* ---- rows ---- */

unsigned avx_row_imm(const struct x86_dc *dc, const struct avx_row *row)
{
    if (row->flags & AVX_IMM)
        return dc->insn->bytes[dc->insn->size - 1];
    return row->vimm;
}

bool avx_row_width(const struct x86_dc *dc, const struct avx_row *row, bool *wide)
{
    struct avx_vex v;
    if (!avx_vex(dc, &v))
        return false;
    *wide = v.l && !(row->flags & AVX_SCALAR);
    if (row->flags & AVX_SCALAR)
        return true;
    return !(v.l ? row->flags & AVX_128 : row->flags & AVX_256);
}

bool avx_ops_dst_src(const struct x86_dc *dc, const struct avx_row *row, int *d, bool *wide)
{
    const cs_x86_op *ops = dc->x->operands;
    *d = avx_reg(&ops[0]);
    return dc->x->op_count == 2 && *d >= 0 && avx_src_ok(&ops[1]) && avx_row_width(dc, row, wide);
}

int avx_mem_bytes(const struct avx_row *row, bool wide)
{
    return wide && !(row->flags & AVX_FIXED) ? 2 * row->mem_bytes : row->mem_bytes;
}

static bool avx_emit_generic(struct x86_dc *dc, const struct avx_row *row, bool binary)
{
    const cs_x86_op *ops = dc->x->operands;
    int n = dc->x->op_count;
    bool wide;
    if (n > 0 && ops[n - 1].type == X86_OP_IMM)
        n--;
    if (!avx_row_width(dc, row, &wide) || n != (binary ? 3 : 2))
        return false;
    int d = avx_reg(&ops[0]), a = binary ? avx_reg(&ops[1]) : d;
    const cs_x86_op *src = &ops[n - 1];
    if (d < 0 || a < 0 || !avx_src_ok(src))
        return false;
    struct avx_step st = { row->vop, row->vsize, avx_row_imm(dc, row), &row->helper };
    struct avx_opnd s = avx_src(dc, src, avx_mem_bytes(row, wide));
    avx_vop3(dc, &st, avx_regop(d), avx_regop(a), s, wide);
    avx_write_done(dc, d, wide);
    return true;
}

bool avx_emit_bin(struct x86_dc *dc, const struct avx_row *row)
{
    return avx_emit_generic(dc, row, true);
}

bool avx_emit_un(struct x86_dc *dc, const struct avx_row *row)
{
    return avx_emit_generic(dc, row, false);
}

/* Forms with at most two operands besides an imm8 have no VEX.vvvv
 * operand (but the shifts by imm8, whose destination it is): vvvv must
 * be 1111b, else #UD. */
static bool avx_vvvv_ok(const struct x86_dc *dc, const struct avx_row *row)
{
    struct avx_vex v;
    int n = dc->x->op_count;
    if (n > 0 && dc->x->operands[n - 1].type == X86_OP_IMM)
        n--;
    if (n > 2 || row->emit == avx_emit_shifti || !avx_vex(dc, &v))
        return true;
    return v.vvvv == 0;
}

void x86_avx_translate(struct x86_dc *dc)
{
    const struct avx_row *row = (const struct avx_row *)dc->row;
    bool ok;
    if (!avx_vvvv_ok(dc, row)) {
        x86_raise_sigill(dc);
        return;
    }
    switch (row->form) {
    case AVX_F_BIN: ok = avx_emit_bin(dc, row); break;
    case AVX_F_UN:  ok = avx_emit_un(dc, row); break;
    default:        ok = row->emit(dc, row); break;
    }
    if (!ok)
        x86_raise_sigill(dc);
}
