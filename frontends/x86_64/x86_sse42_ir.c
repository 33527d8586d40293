/* x86_sse42_ir.c -- pcmpistri (and pcmpistrm) as IR for the forms glibc
 * runs (issue 8).
 *
 * glibc 2.36's SSE4.2 string functions use pcmpistri with imm8 0x02 and
 * 0x12 (strcspn/strpbrk, strspn: equal any), 0x1a and 0x3a (strcmp,
 * strncmp, strcasecmp and friends: equal each) and nothing else of the
 * family (docs/status.md lists them).  Inline here: byte elements (imm8
 * bit 0 clear; signed and unsigned are the same for equality), equal any
 * or equal each, every polarity, either index or mask form: 64 imm8
 * values (bit 7 is ignored), for pcmpistri and pcmpistrm.  The
 * vector work is three lane-mask ops (vmskz, vmskeq, vmskany in
 * ir_ops.def); lengths, validity, polarity, the index and EFLAGS are
 * scalar IR on 16-bit masks, so the optimizer drops the flags where
 * nothing reads them.  Words, ranges, equal ordered and the
 * explicit-length forms stay the exact C helper (x86_sse42_str.c, which
 * is also the reference these ops are tested against: tests/insn).
 */
#include "x86_internal.h"
#include "x86_sse.h"

/* ---- the ops' exact C forms (fn(env, d, s, imm): d is a, s is b) ---- */

static uint64_t lane_mask(const x86_xmm *x, const x86_xmm *y, int mode)
{
    uint64_t m = 0;
    for (int i = 0; i < 16; i++)
        m |= (uint64_t)(mode ? x->b[i] == 0 : x->b[i] == y->b[i]) << i;
    return m;
}

static uint64_t sse42_mskeq(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)
{
    (void)imm;
    return lane_mask(sse_reg(env, d), sse_reg(env, s), 0);
}

static uint64_t sse42_mskz(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)
{
    (void)d, (void)imm;
    return lane_mask(sse_reg(env, s), NULL, 1);
}

static uint64_t sse42_mskany(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)
{
    const x86_xmm *a = sse_reg(env, d), *b = sse_reg(env, s);
    uint64_t m = 0;
    (void)imm;
    for (int k = 0; k < 16 && a->b[k]; k++)
        for (int i = 0; i < 16; i++)
            m |= (uint64_t)(b->b[i] == a->b[k]) << i;
    return m;
}

static const struct ir_helper h_mskeq = { (void *)sse42_mskeq, "sse42_mskeq", 3, 1, 0 };
static const struct ir_helper h_mskz = { (void *)sse42_mskz, "sse42_mskz", 3, 1, 0 };
static const struct ir_helper h_mskany = { (void *)sse42_mskany, "sse42_mskany", 3, 1, 0 };

/* ---- the lowering ---- */

/* A lane-mask op on the XMM registers (or temporaries) a and b. */
static ir_ref mask_op(struct x86_dc *dc, enum ir_op op, const struct ir_helper *h, int a, int b)
{
    int32_t oa = sse_xmm_off(a), ob = sse_xmm_off(b);
    struct ir_insn *i = ir_vec(dc->b, op, IR_VE_8,
                               ir_vec_pack(op == IR_vmskz ? ob : oa, oa, ob, 0), h);
    ir_ref r = ir_temp(dc->b);
    i->args[0] = r;
    return r;
}

static ir_ref op32(struct x86_dc *dc, enum ir_op op, ir_ref a, ir_ref b)
{
    return x86_op2(dc, op, 4, a, b);
}

static ir_ref k32(struct x86_dc *dc, uint64_t v) { return x86_imm(dc, v); }

/* Valid lanes: those below the first zero one, from the zero-lane mask:
 * t = z | 1 << 16 (no zero lane: 16 valid), (t - 1) & ~t. */
static ir_ref valid_lanes(struct x86_dc *dc, ir_ref z)
{
    ir_ref t = op32(dc, IR_or, z, k32(dc, 0x10000));
    return op32(dc, IR_andc, op32(dc, IR_sub, t, k32(dc, 1)), t);
}

/* IntRes1 of the aggregation imm8[3:2] (0 equal any, 2 equal each). */
static ir_ref aggregate(struct x86_dc *dc, unsigned imm, int a, int b, ir_ref va, ir_ref vb)
{
    if (((imm >> 2) & 3) == 0)          /* valid b[j] equal to a valid a[i] */
        return op32(dc, IR_and, mask_op(dc, IR_vmskany, &h_mskany, a, b), vb);
    /* equal each: both valid and equal, or both invalid */
    ir_ref eq = op32(dc, IR_and, mask_op(dc, IR_vmskeq, &h_mskeq, a, b), op32(dc, IR_and, va, vb));
    return op32(dc, IR_or, eq, op32(dc, IR_xor, op32(dc, IR_or, va, vb), k32(dc, 0xffff)));
}

/* IntRes2: polarity imm8[5:4] (1 negate, 3 negate the valid b lanes). */
static ir_ref polarity(struct x86_dc *dc, unsigned imm, ir_ref r1, ir_ref vb)
{
    switch ((imm >> 4) & 3) {
    case 1:  return op32(dc, IR_xor, r1, k32(dc, 0xffff));
    case 3:  return op32(dc, IR_xor, r1, vb);
    default: return r1;
    }
}

/* ECX: the lowest set bit (imm8[6] clear) or the highest, 16 if none. */
static ir_ref index_of(struct x86_dc *dc, unsigned imm, ir_ref r2)
{
    ir_ref t = x86_new(dc);
    if (!(imm & 0x40)) {
        ir_unop(dc->b, IR_ctz, 32, t, op32(dc, IR_or, r2, k32(dc, 0x10000)));
        return t;
    }
    ir_unop(dc->b, IR_clz, 32, t, r2);
    struct x86_cmp none = { IR_EQ, 32, r2, k32(dc, 0) };
    return x86_select(dc, &none, k32(dc, 16), op32(dc, IR_xor, t, k32(dc, 31)));
}

/* (v != ne) << bit */
static ir_ref flag_if(struct x86_dc *dc, ir_ref v, uint64_t ne, unsigned bit)
{
    ir_ref f = x86_setcond(dc, IR_NE, 32, v, k32(dc, ne));
    return bit ? op32(dc, IR_shl, f, k32(dc, bit)) : f;
}

/* CF: IntRes2 nonzero; ZF: b has a zero lane (not all 16 valid); SF: a
 * has one (from a's valid lanes where equal each computed them, else its
 * zero lanes: the values live anyway, so nothing else stays live for the
 * flags); OF: IntRes2 bit 0; AF, PF clear. */
static ir_ref eflags_of(struct x86_dc *dc, ir_ref r2, ir_ref vb, ir_ref va, ir_ref za)
{
    ir_ref f = op32(dc, IR_or, flag_if(dc, r2, 0, 0), flag_if(dc, vb, 0xffff, 6));
    f = op32(dc, IR_or, f, va != IR_NONE ? flag_if(dc, va, 0xffff, 7) : flag_if(dc, za, 0, 7));
    return op32(dc, IR_or, f, op32(dc, IR_shl, op32(dc, IR_and, r2, k32(dc, 1)), k32(dc, 11)));
}

static bool inline_form(unsigned imm)
{
    return !(imm & 1) && !(imm & 4);    /* bytes; equal any or equal each */
}

/* The bits b[0..7] as bytes of 0xff or 0: spread to one bit per byte
 * (bit i in byte i), that byte's top bit by adding 0x7f (no carries:
 * each byte is 0 or one bit), then 0x01 per byte times 0xff. */
static ir_ref bits_to_bytes(struct x86_dc *dc, ir_ref bits)
{
    ir_ref t = x86_op2(dc, IR_mul, 8, bits, x86_imm(dc, 0x0101010101010101ull));
    t = x86_op2(dc, IR_and, 8, t, x86_imm(dc, 0x8040201008040201ull));
    t = x86_op2(dc, IR_add, 8, t, x86_imm(dc, 0x7f7f7f7f7f7f7f7full));
    t = x86_op2(dc, IR_and, 8, t, x86_imm(dc, 0x8080808080808080ull));
    t = x86_op2(dc, IR_shr, 8, t, x86_imm(dc, 7));
    return x86_op2(dc, IR_mul, 8, t, x86_imm(dc, 0xff));
}

/* pcmpistrm: XMM0 = IntRes2 zero-extended (imm8[6] clear) or a byte of
 * ones per set bit. */
static void write_mask(struct x86_dc *dc, unsigned imm, ir_ref r2)
{
    ir_ref lo = r2, hi = x86_imm(dc, 0);
    if (imm & 0x40) {
        lo = bits_to_bytes(dc, op32(dc, IR_and, r2, k32(dc, 0xff)));
        hi = bits_to_bytes(dc, op32(dc, IR_shr, r2, k32(dc, 8)));
    }
    ir_st_env(dc->b, IR_MO_64, lo, sse_xmm_off(0));
    ir_st_env(dc->b, IR_MO_64, hi, sse_xmm_off(0) + 8);
}

/* pcmpistri/pcmpistrm xmm, xmm/m128, imm8: the inline forms, else the
 * helper. */
static bool emit_istr(struct x86_dc *dc, const struct sse_row *row, bool mask)
{
    const cs_x86_op *ops = dc->x->operands;
    unsigned imm = dc->insn->bytes[dc->insn->size - 1];
    int a = sse_op_xmm(&ops[0]);
    if (!inline_form(imm) || a < 0 || dc->x->op_count != 3 ||
        (ops[1].type == X86_OP_REG && sse_op_xmm(&ops[1]) < 0))
        return sse_emit_pcmpstr(dc, row);
    int b = sse_source(dc, &ops[1], 16);
    if (b < 0)
        return false;
    ir_ref za = mask_op(dc, IR_vmskz, &h_mskz, a, a), zb = mask_op(dc, IR_vmskz, &h_mskz, b, b);
    ir_ref vb = valid_lanes(dc, zb);
    ir_ref va = ((imm >> 2) & 3) ? valid_lanes(dc, za) : IR_NONE;
    ir_ref r2 = polarity(dc, imm, aggregate(dc, imm, a, b, va, vb), vb);
    if (mask)
        write_mask(dc, imm, r2);
    else
        x86_gpr_write(dc, X86_REG_ECX, index_of(dc, imm, r2));
    x86_flags_set_eflags(dc, eflags_of(dc, r2, vb, va, za));
    return true;
}

bool sse_emit_pcmpistri(struct x86_dc *dc, const struct sse_row *row)
{
    return emit_istr(dc, row, false);
}

bool sse_emit_pcmpistrm(struct x86_dc *dc, const struct sse_row *row)
{
    return emit_istr(dc, row, true);
}
