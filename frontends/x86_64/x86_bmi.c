/* x86_bmi.c -- the BMI1, BMI2, ADX and MOVBE general-register
 * instructions: andn bextr blsi blsmsk blsr (BMI1; tzcnt is in
 * x86_bits.c), bzhi mulx pdep pext rorx sarx shlx shrx (BMI2), adcx adox,
 * movbe.  All but pdep/pext are IR; those two are C helpers (a bit loop;
 * neither host has one instruction for them that AArch64 shares).
 *
 * Flags, as measured on the AMD host (the SDM leaves AF, PF and some SF
 * undefined): andn blsi blsmsk blsr bzhi set PF ZF SF from the result,
 * clear AF and OF, and set CF their own way; bextr sets ZF and PF from the
 * result, sets AF and clears SF, CF and OF.  Lazy kind X86_CC_BMI1.
 * Intel (measured on Sapphire Rapids, session 18) clears PF after all of
 * them and AF after bextr too; the rest as on AMD.
 */
#include "x86_internal.h"

/* The flags of a BMI1 result: PF/ZF/SF of r as `from_result` picks,
 * ORed with `fixed` (CF as 0/1 in bit 0, and/or AF). */
static void bmi1_flags(struct x86_dc *dc, int bytes, ir_ref r, ir_ref fixed, uint64_t from_result)
{
    if (x86_machine()->intel) from_result &= ~(uint64_t)X86_PF;
    x86_flags_set(dc, X86_CC_BMI1, bytes, r, fixed, x86_imm(dc, from_result), IR_NONE);
}

#define PZS (X86_PF | X86_ZF | X86_SF)

static void h_andn(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref a = x86_read(dc, x86_opnd(dc, 1), bytes), b = x86_read(dc, x86_opnd(dc, 2), bytes);
    ir_ref r = x86_op2(dc, IR_andc, bytes, b, a);
    x86_operand_write(dc, d, r);
    bmi1_flags(dc, bytes, r, x86_imm(dc, 0), PZS);
}

/* n < bits ? (1 << n) - 1 : all ones (n is a 0..255 count). */
static ir_ref low_mask(struct x86_dc *dc, ir_ref n, int bits)
{
    ir_ref m = x86_op2(dc, IR_sub, 8, x86_op2(dc, IR_shl, 8, x86_imm(dc, 1), n), x86_imm(dc, 1));
    struct x86_cmp big = { IR_GEU, 64, n, x86_imm(dc, (uint64_t)bits) };
    return x86_select(dc, &big, x86_imm(dc, ~0ull), m);
}

static void h_bextr(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size, bits = bytes * 8;
    ir_ref src = x86_read(dc, x86_opnd(dc, 1), bytes), ctl = x86_read(dc, x86_opnd(dc, 2), bytes);
    ir_ref start = x86_trunc(dc, ctl, 1), len = x86_new(dc);
    ir_extract(dc->b, len, ctl, 8, 8);
    struct x86_cmp out = { IR_GEU, 64, start, x86_imm(dc, (uint64_t)bits) };
    ir_ref sh = x86_select(dc, &out, x86_imm(dc, 0), x86_op2(dc, IR_shr, 8, src, start));
    ir_ref r = x86_op2(dc, IR_and, bytes, sh, low_mask(dc, len, bits));
    x86_operand_write(dc, d, r);
    bmi1_flags(dc, bytes, r, x86_imm(dc, x86_machine()->intel ? 0 : X86_AF), X86_PF | X86_ZF);
}

enum blsx { BLSI, BLSMSK, BLSR };

static void blsx(struct x86_dc *dc, enum blsx k)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref s = x86_read(dc, x86_opnd(dc, 1), bytes), r, cf;
    if (k == BLSI) {
        r = x86_op2(dc, IR_and, bytes, s, x86_op2(dc, IR_sub, bytes, x86_imm(dc, 0), s));
        cf = x86_setcond(dc, IR_NE, x86_ir_size(bytes), s, x86_imm(dc, 0));
    } else {
        ir_ref m1 = x86_op2(dc, IR_sub, bytes, s, x86_imm(dc, 1));
        r = x86_op2(dc, k == BLSR ? IR_and : IR_xor, bytes, s, m1);
        cf = x86_setcond(dc, IR_EQ, x86_ir_size(bytes), s, x86_imm(dc, 0));
    }
    x86_operand_write(dc, d, r);
    bmi1_flags(dc, bytes, r, cf, PZS);
}

static void h_blsi(struct x86_dc *dc)   { blsx(dc, BLSI); }
static void h_blsmsk(struct x86_dc *dc) { blsx(dc, BLSMSK); }
static void h_blsr(struct x86_dc *dc)   { blsx(dc, BLSR); }

/* bzhi: clear from bit n (index[7:0]) up; CF when n is past the size. */
static void h_bzhi(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size, bits = bytes * 8;
    ir_ref src = x86_read(dc, x86_opnd(dc, 1), bytes);
    ir_ref n = x86_trunc(dc, x86_read(dc, x86_opnd(dc, 2), bytes), 1);
    ir_ref r = x86_op2(dc, IR_and, bytes, src, low_mask(dc, n, bits));
    x86_operand_write(dc, d, r);
    bmi1_flags(dc, bytes, r, x86_setcond(dc, IR_GEU, 64, n, x86_imm(dc, (uint64_t)bits)), PZS);
}

/* mulx hi, lo, r/m: rdx * r/m, flags untouched; with hi == lo the
 * register gets the high half. */
static void h_mulx(struct x86_dc *dc)
{
    const cs_x86_op *hi = x86_opnd(dc, 0), *lo = x86_opnd(dc, 1);
    int bytes = hi->size;
    ir_ref a = x86_trunc(dc, x86_get_reg(dc, X86_RDX), bytes);
    ir_ref b = x86_read(dc, x86_opnd(dc, 2), bytes), h, l;
    if (bytes == 8) {
        l = x86_op2(dc, IR_mul, 8, a, b);
        h = x86_op2(dc, IR_mulhu, 8, a, b);
    } else {
        ir_ref p = x86_op2(dc, IR_mul, 8, a, b);
        l = x86_trunc(dc, p, 4);
        h = x86_op2(dc, IR_shr, 8, p, x86_imm(dc, 32));
    }
    x86_operand_write(dc, lo, l);
    x86_operand_write(dc, hi, h);
}

static void h_rorx(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref s = x86_read(dc, x86_opnd(dc, 1), bytes);
    uint64_t n = (uint64_t)x86_opnd(dc, 2)->imm & (uint64_t)(bytes * 8 - 1);
    x86_operand_write(dc, d, x86_op2(dc, IR_rotr, bytes, s, x86_imm(dc, n)));
}

/* sarx/shlx/shrx: the IR shifts take the count modulo the size, as these
 * do; flags untouched. */
static void shift_x(struct x86_dc *dc, enum ir_op op)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref s = x86_read(dc, x86_opnd(dc, 1), bytes), n = x86_read(dc, x86_opnd(dc, 2), bytes);
    x86_operand_write(dc, d, x86_op2(dc, op, bytes, s, n));
}

static void h_sarx(struct x86_dc *dc) { shift_x(dc, IR_sar); }
static void h_shlx(struct x86_dc *dc) { shift_x(dc, IR_shl); }
static void h_shrx(struct x86_dc *dc) { shift_x(dc, IR_shr); }

/* ---- pdep / pext (C helpers) -------------------------------------------- */

static uint64_t helper_pdep(void *env, uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    (void)env;
    for (uint64_t bit = 1; mask; bit <<= 1, mask &= mask - 1)
        if (src & bit) r |= mask & -mask;
    return r;
}

static uint64_t helper_pext(void *env, uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    (void)env;
    for (uint64_t bit = 1; mask; bit <<= 1, mask &= mask - 1)
        if (src & mask & -mask) r |= bit;
    return r;
}

static const struct ir_helper helper_pdep_h = { (void *)helper_pdep, "pdep", 2, 1, 0 };
static const struct ir_helper helper_pext_h = { (void *)helper_pext, "pext", 2, 1, 0 };

/* pdep/pext r, r, r/m: the 32-bit forms work on zero-extended inputs. */
static void bit_gather(struct x86_dc *dc, const struct ir_helper *h)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref s = x86_read(dc, x86_opnd(dc, 1), bytes), m = x86_read(dc, x86_opnd(dc, 2), bytes);
    x86_operand_write(dc, d, x86_call(dc, h, s, m, IR_NONE, IR_NONE, IR_NONE));
}

static void h_pdep(struct x86_dc *dc) { bit_gather(dc, &helper_pdep_h); }
static void h_pext(struct x86_dc *dc) { bit_gather(dc, &helper_pext_h); }

/* ---- adcx / adox ---------------------------------------------------------- */

/* d += s + carry, where carry is CF (adcx) or OF (adox); only that flag
 * changes, to the carry out. */
static void add_carry_x(struct x86_dc *dc, uint64_t flag)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size, size = x86_ir_size(bytes);
    ir_ref e = x86_flags_eflags(dc);
    ir_ref cin = x86_setcond(dc, IR_TSTNE, 64, e, x86_imm(dc, flag));
    ir_ref a = x86_read(dc, d, bytes), b = x86_read(dc, x86_opnd(dc, 1), bytes);
    ir_ref r = x86_op2(dc, IR_add, bytes, x86_op2(dc, IR_add, bytes, a, b), cin);
    struct x86_cmp c = { IR_NE, 64, cin, x86_imm(dc, 0) };
    ir_ref cout = x86_select(dc, &c, x86_setcond(dc, IR_LEU, size, r, b),
                             x86_setcond(dc, IR_LTU, size, r, b));
    x86_operand_write(dc, d, r);
    if (flag == X86_OF) cout = x86_op2(dc, IR_shl, 8, cout, x86_imm(dc, 11));
    ir_ref f = x86_op2(dc, IR_or, 8, x86_op2(dc, IR_andc, 8, e, x86_imm(dc, flag)), cout);
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, f, IR_NONE, IR_NONE);
}

static void h_adcx(struct x86_dc *dc) { add_carry_x(dc, X86_CF); }
static void h_adox(struct x86_dc *dc) { add_carry_x(dc, X86_OF); }

/* ---- movbe ------------------------------------------------------------------ */

static void h_movbe(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref v = x86_read(dc, x86_opnd(dc, 1), bytes), r = x86_new(dc);
    if (bytes == 2) {
        ir_emit(dc->b, IR_bswap, 32, r, v, IR_NONE);
        r = x86_op2(dc, IR_shr, 4, r, x86_imm(dc, 16));
    } else {
        ir_emit(dc->b, IR_bswap, x86_ir_size(bytes), r, v, IR_NONE);
    }
    x86_operand_write(dc, d, r);
}

static const struct x86_insn_row bmi_rows[] = {
    X86_ROW(ANDN, h_andn, FULL, 0),
    X86_ROW(BEXTR, h_bextr, FULL, 0),
    X86_ROW(BLSI, h_blsi, FULL, 0),
    X86_ROW(BLSMSK, h_blsmsk, FULL, 0),
    X86_ROW(BLSR, h_blsr, FULL, 0),
    X86_ROW(BZHI, h_bzhi, FULL, 0),
    X86_ROW(MULX, h_mulx, PASS, 0),
    X86_ROW(PDEP, h_pdep, PASS, 0),
    X86_ROW(PEXT, h_pext, PASS, 0),
    X86_ROW(RORX, h_rorx, PASS, 0),
    X86_ROW(SARX, h_sarx, PASS, 0),
    X86_ROW(SHLX, h_shlx, PASS, 0),
    X86_ROW(SHRX, h_shrx, PASS, 0),
    X86_ROW(ADCX, h_adcx, READ, 0),
    X86_ROW(ADOX, h_adox, READ, 0),
    X86_ROW(MOVBE, h_movbe, PASS, 0),
};
const struct x86_row_set x86_bmi_rows = X86_ROW_SET("bmi", bmi_rows);
