/* x86_atomic.c -- locked instructions: `lock`-prefixed read-modify-writes
 * of memory (add adc sub sbb and or xor inc dec neg not xadd cmpxchg
 * cmpxchg8b; bt* in x86_bits.c), xchg with memory (always locked), and
 * mfence.  Each becomes one atomic IR op returning the old memory value;
 * the result and the flags are then computed from it as the plain forms
 * do.  These are the `atomic` column of the instructions' rows (x86_alu.c,
 * x86_mov.c); a lock prefix on an instruction whose row has none, or on a
 * register destination, is #UD (SIGILL), as on hardware.  (cmpxchg16b,
 * 128 bits wide, is one atomic helper: x86_cmpxchg16b.c.)
 */
#include "x86_internal.h"

static unsigned memop(int bytes) { return (unsigned)x86_log2(bytes); }

/* old = *(ea of operand 0) OP val, atomically. */
static ir_ref rmw(struct x86_dc *dc, enum ir_atomic_op op, ir_ref val)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    ir_ref old = x86_new(dc);
    ir_atomic_rmw(dc->b, memop(d->size), op, old, x86_ea(dc, d), val);
    return old;
}

static ir_ref neg64(struct x86_dc *dc, ir_ref v)
{
    return x86_op2(dc, IR_sub, 8, x86_imm(dc, 0), v);
}

/* add/sub/and/or/xor: memory += src (sub adds -src). */
static void lock_binop(struct x86_dc *dc, enum ir_op op, int kind)
{
    static const uint8_t aop[IR_NUM_OPS] = { [IR_add] = IR_ATOMIC_ADD, [IR_sub] = IR_ATOMIC_ADD,
        [IR_and] = IR_ATOMIC_AND, [IR_or] = IR_ATOMIC_OR, [IR_xor] = IR_ATOMIC_XOR };
    int bytes = x86_opnd(dc, 0)->size;
    ir_ref b = x86_read(dc, x86_opnd(dc, 1), bytes);
    ir_ref old = rmw(dc, (enum ir_atomic_op)aop[op], op == IR_sub ? neg64(dc, b) : b);
    ir_ref r = x86_arith(dc, op, bytes, old, b);
    x86_flags_set(dc, kind, bytes, r, b, IR_NONE, old);
}

static void h_add(struct x86_dc *dc) { lock_binop(dc, IR_add, X86_CC_ADD); }
static void h_sub(struct x86_dc *dc) { lock_binop(dc, IR_sub, X86_CC_SUB); }
static void h_and(struct x86_dc *dc) { lock_binop(dc, IR_and, X86_CC_LOGIC); }
static void h_or(struct x86_dc *dc)  { lock_binop(dc, IR_or, X86_CC_LOGIC); }
static void h_xor(struct x86_dc *dc) { lock_binop(dc, IR_xor, X86_CC_LOGIC); }

/* adc/sbb: memory +- (src + CF). */
static void lock_carry(struct x86_dc *dc, enum ir_op op, int kind)
{
    int bytes = x86_opnd(dc, 0)->size;
    ir_ref cin = x86_flags_cf(dc), b = x86_read(dc, x86_opnd(dc, 1), bytes);
    ir_ref delta = x86_op2(dc, IR_add, 8, b, cin);
    ir_ref old = rmw(dc, IR_ATOMIC_ADD, op == IR_sub ? neg64(dc, delta) : delta);
    ir_ref r = x86_arith(dc, op, bytes, x86_op2(dc, op, bytes, old, b), cin);
    x86_flags_set(dc, kind, bytes, r, b, cin, old);
}

static void h_adc(struct x86_dc *dc) { lock_carry(dc, IR_add, X86_CC_ADC); }
static void h_sbb(struct x86_dc *dc) { lock_carry(dc, IR_sub, X86_CC_SBB); }

/* inc/dec keep CF (captured before the new state replaces it). */
static void lock_incdec(struct x86_dc *dc, enum ir_op op, int kind)
{
    int bytes = x86_opnd(dc, 0)->size;
    ir_ref cf = IR_NONE;
    if (x86_flags_live(dc))
        cf = dc->flags->cf_live ? x86_flags_cf(dc) : x86_imm(dc, 0);
    ir_ref old = rmw(dc, IR_ATOMIC_ADD, x86_imm(dc, op == IR_add ? 1 : ~0ull));
    ir_ref r = x86_arith(dc, op, bytes, old, x86_imm(dc, 1));
    x86_flags_set(dc, kind, bytes, r, cf, IR_NONE, IR_NONE);
}

static void h_inc(struct x86_dc *dc) { lock_incdec(dc, IR_add, X86_CC_INC); }
static void h_dec(struct x86_dc *dc) { lock_incdec(dc, IR_sub, X86_CC_DEC); }

static void h_neg(struct x86_dc *dc)
{
    int bytes = x86_opnd(dc, 0)->size;
    ir_ref zero = x86_imm(dc, 0), old = rmw(dc, IR_ATOMIC_RSUB, zero);
    ir_ref r = x86_arith(dc, IR_sub, bytes, zero, old);
    x86_flags_set(dc, X86_CC_SUB, bytes, r, old, IR_NONE, zero);
}

static void h_not(struct x86_dc *dc)
{
    rmw(dc, IR_ATOMIC_XOR, x86_imm(dc, x86_mask(x86_opnd(dc, 0)->size)));
}

static void h_xadd(struct x86_dc *dc)
{
    const cs_x86_op *s = x86_opnd(dc, 1);
    int bytes = x86_opnd(dc, 0)->size;
    ir_ref b = x86_operand_read(dc, s), old = rmw(dc, IR_ATOMIC_ADD, b);
    ir_ref r = x86_arith(dc, IR_add, bytes, old, b);
    x86_operand_write(dc, s, old);
    x86_flags_set(dc, X86_CC_ADD, bytes, r, b, IR_NONE, old);
}

/* xchg reg, mem or xchg mem, reg: locked with or without the prefix. */
static void h_xchg(struct x86_dc *dc)
{
    const cs_x86_op *m = x86_opnd(dc, 0), *r = x86_opnd(dc, 1);
    if (m->type != X86_OP_MEM) {
        const cs_x86_op *t = m;
        m = r, r = t;
    }
    ir_ref old = x86_new(dc);
    ir_atomic_rmw(dc->b, memop(m->size), IR_ATOMIC_XCHG, old, x86_ea(dc, m),
                  x86_operand_read(dc, r));
    x86_operand_write(dc, r, old);
}

static x86_reg acc_reg(int bytes)
{
    static const x86_reg r[4] = { X86_REG_AL, X86_REG_AX, X86_REG_EAX, X86_REG_RAX };
    return r[x86_log2(bytes)];
}

/* The accumulator gets the old value on failure (eax: upper half of rax
 * kept on success, as h_cmpxchg does). */
static void h_cmpxchg(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref acc = x86_gpr_read(dc, acc_reg(bytes)), src = x86_operand_read(dc, x86_opnd(dc, 1));
    ir_ref rax = x86_get_reg(dc, X86_RAX), old = x86_new(dc);
    ir_atomic_cas(dc->b, memop(bytes), old, x86_ea(dc, d), acc, src);
    struct x86_cmp eq = { IR_EQ, x86_ir_size(bytes), acc, old };
    ir_ref diff = x86_arith(dc, IR_sub, bytes, acc, old);
    if (bytes == 4)
        x86_set_reg(dc, X86_RAX, x86_select(dc, &eq, rax, old));
    else
        x86_gpr_write(dc, acc_reg(bytes), old);
    x86_flags_set(dc, X86_CC_SUB, bytes, diff, old, IR_NONE, acc);
}

static ir_ref pair(struct x86_dc *dc, int hi, int lo)
{
    return x86_op2(dc, IR_or, 8, x86_trunc(dc, x86_get_reg(dc, lo), 4),
                   x86_op2(dc, IR_shl, 8, x86_get_reg(dc, hi), x86_imm(dc, 32)));
}

/* edx:eax == m64 ? m64 = ecx:ebx, ZF=1 : edx:eax = m64, ZF=0. */
static void h_cmpxchg8b(struct x86_dc *dc)
{
    ir_ref expected = pair(dc, X86_RDX, X86_RAX), desired = pair(dc, X86_RCX, X86_RBX);
    ir_ref flags = x86_flags_live(dc) ? x86_flags_eflags(dc) : IR_NONE, old = x86_new(dc);
    ir_atomic_cas(dc->b, IR_MO_64, old, x86_ea(dc, x86_opnd(dc, 0)), expected, desired);
    struct x86_cmp eq = { IR_EQ, 64, expected, old };
    ir_ref rax = x86_get_reg(dc, X86_RAX), rdx = x86_get_reg(dc, X86_RDX);
    x86_set_reg(dc, X86_RAX, x86_select(dc, &eq, rax, x86_trunc(dc, old, 4)));
    x86_set_reg(dc, X86_RDX, x86_select(dc, &eq, rdx,
                                       x86_op2(dc, IR_shr, 8, old, x86_imm(dc, 32))));
    if (flags == IR_NONE) return;
    ir_ref zf = x86_select(dc, &eq, x86_imm(dc, X86_ZF), x86_imm(dc, 0));
    flags = x86_op2(dc, IR_andc, 8, flags, x86_imm(dc, X86_ZF));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, x86_op2(dc, IR_or, 8, flags, zf),
                  IR_NONE, IR_NONE);
}

static bool has_mem_operand(const struct x86_dc *dc)
{
    for (int i = 0; i < dc->x->op_count; i++)
        if (dc->x->operands[i].type == X86_OP_MEM) return true;
    return false;
}

/* A lock byte among the legacy prefixes.  Capstone keeps one prefix per
 * group, and F0 shares group 1 with F2/F3: "f0 f2 0f 38 f1" (lock crc32)
 * reports only F2, so the bytes are read (lock there is #UD). */
static bool lock_byte(const struct x86_dc *dc)
{
    for (unsigned i = 0; i < dc->insn->size; i++) {
        switch (dc->insn->bytes[i]) {
        case 0xf0: return true;
        case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e: case 0x26:
        case 0x64: case 0x65: case 0x66: case 0x67: continue;
        default: return false;
        }
    }
    return false;
}

bool x86_is_locked(const struct x86_dc *dc)
{
    return x86_has_prefix(dc, 0xf0) || lock_byte(dc) ||
           (dc->insn->id == X86_INS_XCHG && has_mem_operand(dc));
}

/* A lock prefix needs a memory destination: on a register it is #UD. */
static bool mem_dest(struct x86_dc *dc)
{
    if (x86_opnd(dc, 0)->type == X86_OP_MEM) return true;
    x86_raise_sigill(dc);
    return false;
}

/* The rows' atomic column (x86_alu.c, x86_mov.c). */
void x86_atomic_add(struct x86_dc *dc) { if (mem_dest(dc)) h_add(dc); }
void x86_atomic_sub(struct x86_dc *dc) { if (mem_dest(dc)) h_sub(dc); }
void x86_atomic_and(struct x86_dc *dc) { if (mem_dest(dc)) h_and(dc); }
void x86_atomic_or(struct x86_dc *dc)  { if (mem_dest(dc)) h_or(dc); }
void x86_atomic_xor(struct x86_dc *dc) { if (mem_dest(dc)) h_xor(dc); }
void x86_atomic_adc(struct x86_dc *dc) { if (mem_dest(dc)) h_adc(dc); }
void x86_atomic_sbb(struct x86_dc *dc) { if (mem_dest(dc)) h_sbb(dc); }
void x86_atomic_inc(struct x86_dc *dc) { if (mem_dest(dc)) h_inc(dc); }
void x86_atomic_dec(struct x86_dc *dc) { if (mem_dest(dc)) h_dec(dc); }
void x86_atomic_neg(struct x86_dc *dc) { if (mem_dest(dc)) h_neg(dc); }
void x86_atomic_not(struct x86_dc *dc) { if (mem_dest(dc)) h_not(dc); }
void x86_atomic_xadd(struct x86_dc *dc) { if (mem_dest(dc)) h_xadd(dc); }
void x86_atomic_cmpxchg(struct x86_dc *dc) { if (mem_dest(dc)) h_cmpxchg(dc); }
void x86_atomic_cmpxchg8b(struct x86_dc *dc) { if (mem_dest(dc)) h_cmpxchg8b(dc); }
void x86_atomic_cmpxchg16b(struct x86_dc *dc) { if (mem_dest(dc)) x86_emit_cmpxchg16b(dc); }

/* xchg with memory is locked with or without the prefix, whichever
 * operand the memory is; lock xchg of two registers is #UD. */
void x86_atomic_xchg(struct x86_dc *dc)
{
    if (has_mem_operand(dc)) h_xchg(dc);
    else x86_raise_sigill(dc);
}

static void h_mfence(struct x86_dc *dc)
{
    if (x86_fence_prefixed(dc)) {           /* 66/F2/F3 0F AE F0+r: #UD here */
        x86_raise_sigill(dc);
        return;
    }
    ir_emit(dc->b, IR_fence, 64, IR_NONE, IR_NONE, IR_NONE);
}

static const struct x86_insn_row atomic_rows[] = {
    X86_ROW(MFENCE, h_mfence, PASS, 0),
};
const struct x86_row_set x86_atomic_rows = X86_ROW_SET("atomic", atomic_rows);
