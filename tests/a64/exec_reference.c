/* exec_reference.c -- what each IR op computes, written as plain C on the
 * host: the oracle for the AArch64 execution tests (see ir_ops.def). */
#include "exec_common.h"

const uint64_t xt_values[] = {
    0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000,
    0x1001, 0x7fff, 0x8000, 0xffff, 0x10000, 0xfff000, 0x1000000, 0x7fffffff,
    0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x100000000, 0x1ffffffff,
    0x00ff00ff00ff00ff, 0x5555555555555555, 0xf0f0f0f0f0f0f0f0, 0x0000ffff0000ffff,
    0x123456789abcdef0, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000001,
    0xfffffffffffff000, 0xfffffffffffff001, 0xffffffff00000000, 0xfffffffffffffffe,
    0xffffffffffffffff, 0x00000000ffff0000, 0xdeadbeef, 0xcafebabe12345678,
};
const int xt_n_values = sizeof xt_values / sizeof xt_values[0];

uint64_t xt_random(void)
{
    static uint64_t s = 0x9e3779b97f4a7c15ull;
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    return s;
}

static uint64_t trunc_to(uint64_t v, int size) { return size == 32 ? (uint32_t)v : v; }
static int64_t signed_at(uint64_t v, int size) { return size == 32 ? (int32_t)v : (int64_t)v; }
static uint64_t low_mask(unsigned len) { return len >= 64 ? ~0ull : (1ull << len) - 1; }

bool xt_cond_holds(enum ir_cond c, uint64_t a, uint64_t b, int size)
{
    uint64_t ua = trunc_to(a, size), ub = trunc_to(b, size);
    int64_t sa = signed_at(a, size), sb = signed_at(b, size);
    switch (c) {
    case IR_EQ: return ua == ub;   case IR_NE: return ua != ub;
    case IR_LT: return sa < sb;    case IR_GE: return sa >= sb;
    case IR_LE: return sa <= sb;   case IR_GT: return sa > sb;
    case IR_LTU: return ua < ub;   case IR_GEU: return ua >= ub;
    case IR_LEU: return ua <= ub;  case IR_GTU: return ua > ub;
    case IR_TSTEQ: return (ua & ub) == 0;
    default: return (ua & ub) != 0;
    }
}

static uint64_t rotate_right(uint64_t v, unsigned s, int size)
{
    v = trunc_to(v, size);
    s &= size - 1;
    return s == 0 ? v : trunc_to((v >> s) | (v << (size - s)), size);
}

static uint64_t shift_op(enum ir_op op, uint64_t a, uint64_t b, int size)
{
    unsigned s = b & (size - 1);
    switch (op) {
    case IR_shl:  return trunc_to(a << s, size);
    case IR_shr:  return trunc_to(a, size) >> s;
    case IR_sar:  return trunc_to((uint64_t)(signed_at(a, size) >> s), size);
    case IR_rotl: return rotate_right(a, (size - s) & (size - 1), size);
    default:      return rotate_right(a, s, size);
    }
}

static uint64_t count_op(enum ir_op op, uint64_t a, int size)
{
    a = trunc_to(a, size);
    if (a == 0) return size;
    if (op == IR_ctz) return __builtin_ctzll(a);
    return __builtin_clzll(a) - (64 - size);
}

static uint64_t bitfield_op(const struct ir_insn *i, uint64_t a, uint64_t b)
{
    unsigned pos = i->aux[0], len = i->aux[1];
    if (i->op == IR_extract) return (a >> pos) & low_mask(len);
    if (i->op == IR_sextract) {
        uint64_t f = (a >> pos) & low_mask(len), sign = 1ull << (len - 1);
        return (f ^ sign) - sign;
    }
    uint64_t mask = low_mask(len) << pos;
    return (a & ~mask) | ((b << pos) & mask);
}

static uint64_t extend_op(enum ir_op op, uint64_t a)
{
    switch (op) {
    case IR_ext8u:  return (uint8_t)a;   case IR_ext8s:  return (uint64_t)(int8_t)a;
    case IR_ext16u: return (uint16_t)a;  case IR_ext16s: return (uint64_t)(int16_t)a;
    case IR_ext32u: return (uint32_t)a;  default:        return (uint64_t)(int32_t)a;
    }
}

uint64_t xt_reference(const struct ir_insn *i, const uint64_t *v)
{
    int size = i->size == 32 ? 32 : 64;
    uint64_t a = v[0], b = v[1];
    switch (i->op) {
    case IR_mov:   return a;
    case IR_add:   return trunc_to(a + b, size);
    case IR_sub:   return trunc_to(a - b, size);
    case IR_mul:   return trunc_to(a * b, size);
    case IR_mulhu: return (uint64_t)(((unsigned __int128)a * b) >> 64);
    case IR_mulhs: return (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
    case IR_and:   return trunc_to(a & b, size);
    case IR_or:    return trunc_to(a | b, size);
    case IR_xor:   return trunc_to(a ^ b, size);
    case IR_andc:  return trunc_to(a & ~b, size);
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
        return shift_op(i->op, a, b, size);
    case IR_neg:   return trunc_to(-a, size);
    case IR_not:   return trunc_to(~a, size);
    case IR_extract: case IR_sextract: case IR_deposit: return bitfield_op(i, a, b);
    case IR_bswap: return size == 32 ? __builtin_bswap32(a) : __builtin_bswap64(a);
    case IR_clz: case IR_ctz: return count_op(i->op, a, size);
    case IR_setcond: return xt_cond_holds(i->cond, a, b, size);
    case IR_movcond: return xt_cond_holds(i->cond, a, b, size) ? v[2] : v[3];
    default: return extend_op(i->op, a);
    }
}
