/* ir_fold.c -- evaluates one IR operation on constant inputs, exactly as
 * the hosts would compute it (used by constant folding). */
#include "ir_fold.h"

static uint64_t trunc_size(uint64_t v, int size)
{
    return size == 32 ? (uint32_t)v : v;
}

static uint64_t rotate_left(uint64_t v, unsigned n, int size)
{
    n &= (unsigned)size - 1;
    v = trunc_size(v, size);
    if (n == 0)
        return v;
    return trunc_size((v << n) | (v >> (size - n)), size);
}

static uint64_t shift_op(enum ir_op op, uint64_t a, uint64_t b, int size)
{
    unsigned n = (unsigned)b & ((unsigned)size - 1);
    switch (op) {
    case IR_shl:  return trunc_size(a << n, size);
    case IR_shr:  return trunc_size(a, size) >> n;
    case IR_sar:  return size == 32 ? (uint32_t)((int32_t)a >> n) : (uint64_t)((int64_t)a >> n);
    case IR_rotl: return rotate_left(a, n, size);
    default:      return rotate_left(a, (unsigned)size - n, size);   /* rotr */
    }
}

static uint64_t count_zeros(enum ir_op op, uint64_t a, int size)
{
    a = trunc_size(a, size);
    if (a == 0)
        return (uint64_t)size;
    if (op == IR_ctz)
        return (uint64_t)__builtin_ctzll(a);
    return (uint64_t)(__builtin_clzll(a) - (64 - size));
}

static uint64_t field_mask(int64_t len)
{
    return len >= 64 ? ~0ull : (1ull << len) - 1;
}

static uint64_t deposit(uint64_t a, uint64_t v, int64_t pos, int64_t len)
{
    uint64_t m = field_mask(len) << pos;
    return (a & ~m) | ((v << pos) & m);
}

static uint64_t arith_op(const struct ir_insn *i, const uint64_t *in)
{
    uint64_t a = in[0], b = in[1];
    switch ((enum ir_op)i->op) {
    case IR_add:  return trunc_size(a + b, i->size);
    case IR_sub:  return trunc_size(a - b, i->size);
    case IR_mul:  return trunc_size(a * b, i->size);
    case IR_and:  return trunc_size(a & b, i->size);
    case IR_or:   return trunc_size(a | b, i->size);
    case IR_xor:  return trunc_size(a ^ b, i->size);
    case IR_andc: return trunc_size(a & ~b, i->size);
    case IR_neg:  return trunc_size(-a, i->size);
    case IR_not:  return trunc_size(~a, i->size);
    case IR_mulhu: return (uint64_t)(((unsigned __int128)a * b) >> 64);
    case IR_mulhs: return (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
    default:      return shift_op((enum ir_op)i->op, a, b, i->size);
    }
}

static uint64_t ext_op(enum ir_op op, uint64_t a)
{
    switch (op) {
    case IR_ext8u:  return (uint8_t)a;
    case IR_ext8s:  return (uint64_t)(int64_t)(int8_t)a;
    case IR_ext16u: return (uint16_t)a;
    case IR_ext16s: return (uint64_t)(int64_t)(int16_t)a;
    case IR_ext32u: return (uint32_t)a;
    default:        return (uint64_t)(int64_t)(int32_t)a;       /* ext32s */
    }
}

bool ir_fold_eval(const struct ir_insn *i, const uint64_t *in, uint64_t *out)
{
    switch ((enum ir_op)i->op) {
    case IR_mov:     *out = in[0]; return true;
    case IR_add: case IR_sub: case IR_mul: case IR_mulhu: case IR_mulhs:
    case IR_and: case IR_or: case IR_xor: case IR_andc: case IR_shl: case IR_shr:
    case IR_sar: case IR_rotl: case IR_rotr: case IR_neg: case IR_not:
        *out = arith_op(i, in);
        return true;
    case IR_ext8u: case IR_ext8s: case IR_ext16u: case IR_ext16s:
    case IR_ext32u: case IR_ext32s:
        *out = ext_op((enum ir_op)i->op, in[0]);
        return true;
    case IR_extract: *out = (in[0] >> i->aux[0]) & field_mask(i->aux[1]); return true;
    case IR_sextract: {
        uint64_t f = (in[0] >> i->aux[0]) & field_mask(i->aux[1]), sign = 1ull << (i->aux[1] - 1);
        *out = (f ^ sign) - sign;
        return true;
    }
    case IR_deposit: *out = deposit(in[0], in[1], i->aux[0], i->aux[1]); return true;
    case IR_bswap:
        *out = i->size == 32 ? __builtin_bswap32((uint32_t)in[0]) : __builtin_bswap64(in[0]);
        return true;
    case IR_clz: case IR_ctz:
        *out = count_zeros((enum ir_op)i->op, in[0], i->size);
        return true;
    case IR_setcond: *out = ir_cond_eval(i->cond, in[0], in[1], i->size); return true;
    case IR_movcond: *out = ir_cond_eval(i->cond, in[0], in[1], i->size) ? in[2] : in[3]; return true;
    default:         return false;
    }
}
