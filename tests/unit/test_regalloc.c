/* test_regalloc.c -- execution tests of the register allocator and the
 * host backend: IR blocks built by hand run through regalloc + backend
 * behind the real prologue, and the env afterwards is compared with the
 * same computation written in plain C (the host C compiler is the oracle). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "backend.h"
#include "regalloc.h"
#include "tr_internal.h"
#include "../atomic_ref.h"

#define NG 16
#define CODE_SIZE (1u << 20)

struct test_env {
    struct tr_runtime rt;
    uint64_t g[NG];
    uint64_t other[4];
};

static struct ir_globals globals;
static ir_ref G[NG];
static uint8_t *code_mem, *code_ptr, *code_first;
static const uint8_t *epilogue;
static uint64_t (*enter)(void *, const void *);
static struct ir_block blk;
static const char *gnames[NG] = { "g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7",
                                  "g8", "g9", "g10", "g11", "g12", "g13", "g14", "g15" };

static void setup(void)
{
    code_mem = mmap(NULL, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(code_mem != MAP_FAILED);
    globals.count = 0;
    for (int k = 0; k < NG; k++)
        G[k] = ir_global_declare(&globals, gnames[k], (int32_t)offsetof(struct test_env, g[k]));
    struct be_code c = { .start = code_mem, .ptr = code_mem, .end = code_mem + CODE_SIZE - 4096 };
    enter = (uint64_t (*)(void *, const void *))be_emit_prologue(&c, &globals);
    epilogue = c.epilogue;
    code_ptr = code_first = c.ptr;
}

static void teardown(void) { munmap(code_mem, CODE_SIZE); }

TestSuite(regalloc, .init = setup, .fini = teardown);

static struct ir_block *new_block(void)
{
    ir_block_init(&blk, &globals, 0x1000);
    return &blk;
}

/* One allocator state for every test (each run resets it). */
static struct ra_state *ra_st(void)
{
    static struct ra_state *st;
    return st ? st : (st = ra_state_new());
}

static uint8_t *emit(struct ir_block *b, struct tr_block *tb)
{
    const char *err = ir_validate(b);
    cr_assert_null(err, "%s", err);
    if (code_ptr > code_mem + CODE_SIZE - 65536)
        code_ptr = code_first;
    struct be_code c = { .start = code_ptr, .ptr = code_ptr, .end = code_mem + CODE_SIZE - 4096,
                         .epilogue = epilogue, .tb = tb };
    c.jump_site[0] = c.jump_site[1] = UINT32_MAX;
    cr_assert(ra_emit_block(ra_st(), &c, b));
    if (tb) {
        tb->code = c.start;
        memcpy(tb->jump_site, c.jump_site, sizeof(c.jump_site));
    }
    code_ptr = c.ptr;
    return c.start;
}

/* Ends the block, emits it, runs it; returns the exit code. */
static uint64_t run(struct ir_block *b, struct test_env *env)
{
    ir_exit_code(b, 0x2000, TR_EXIT_SYSCALL);
    return enter(env, emit(b, NULL));
}

/* ---- the C oracle ---- */

static uint64_t c_rot(uint64_t a, unsigned n, int size, bool left)
{
    uint64_t m = size == 32 ? 0xffffffffull : ~0ull;
    a &= m;
    n &= (unsigned)size - 1;
    if (!left)
        n = (unsigned)(size - (int)n) & ((unsigned)size - 1);
    return n ? ((a << n) | (a >> (size - (int)n))) & m : a;
}

static uint64_t c_binop(enum ir_op op, int size, uint64_t a, uint64_t b)
{
    if (size == 32) {
        uint32_t x = (uint32_t)a, y = (uint32_t)b;
        switch (op) {
        case IR_add: return (uint32_t)(x + y);
        case IR_sub: return (uint32_t)(x - y);
        case IR_mul: return (uint32_t)(x * y);
        case IR_and: return x & y;
        case IR_or:  return x | y;
        case IR_xor: return x ^ y;
        case IR_andc: return x & ~y;
        case IR_shl: return (uint32_t)(x << (y & 31));
        case IR_shr: return x >> (y & 31);
        case IR_sar: return (uint32_t)((int32_t)x >> (y & 31));
        case IR_rotl: return c_rot(a, (unsigned)y, 32, true);
        case IR_rotr: return c_rot(a, (unsigned)y, 32, false);
        default: break;
        }
    }
    switch (op) {
    case IR_add: return a + b;
    case IR_sub: return a - b;
    case IR_mul: return a * b;
    case IR_and: return a & b;
    case IR_or:  return a | b;
    case IR_xor: return a ^ b;
    case IR_andc: return a & ~b;
    case IR_shl: return a << (b & 63);
    case IR_shr: return a >> (b & 63);
    case IR_sar: return (uint64_t)((int64_t)a >> (b & 63));
    case IR_rotl: return c_rot(a, (unsigned)b, 64, true);
    case IR_rotr: return c_rot(a, (unsigned)b, 64, false);
    case IR_mulhu: return (uint64_t)(((unsigned __int128)a * b) >> 64);
    case IR_mulhs: return (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
    default: return 0;
    }
}

static const uint64_t samples[] = {
    0, 1, 2, 7, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000,
    0xffffffff, 0x100000000, 0x123456789abcdef0, 0x8000000000000000, 0x7fffffffffffffff,
    0xffffffffffffffff, 0xfffffffffffffffe, 0xdeadbeefcafebabe, 0x00000000ffff0000,
};
#define NS (sizeof(samples) / sizeof(samples[0]))

static uint64_t rnd(void)
{
    return ((uint64_t)rand() << 40) ^ ((uint64_t)rand() << 20) ^ (uint64_t)rand();
}

static uint64_t sample(int k) { return k < (int)NS ? samples[k] : rnd(); }

static const enum ir_op binops[] = {
    IR_add, IR_sub, IR_mul, IR_and, IR_or, IR_xor, IR_andc,
    IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr,
};

/* Operand shapes: which values the op reads and writes. */
enum shape { S_FRESH, S_DST_A, S_DST_B, S_SAME, S_CONST_B, S_TEMPS, S_NSHAPES };

static void build_binop(struct ir_block *b, enum ir_op op, int size, enum shape s, uint64_t cb)
{
    ir_ref t0, t1;
    switch (s) {
    case S_FRESH:   ir_binop(b, op, size, G[2], G[0], G[1]); break;
    case S_DST_A:   ir_binop(b, op, size, G[0], G[0], G[1]); break;
    case S_DST_B:   ir_binop(b, op, size, G[1], G[0], G[1]); break;
    case S_SAME:    ir_binop(b, op, size, G[2], G[0], G[0]); break;
    case S_CONST_B: ir_binop(b, op, size, G[2], G[0], ir_const(b, cb)); break;
    default:
        t0 = ir_temp(b), t1 = ir_temp(b);
        ir_mov(b, t0, G[0]);
        ir_mov(b, t1, G[1]);
        ir_binop(b, op, size, t1, t0, t1);
        ir_mov(b, G[3], t1);
        break;
    }
}

static void expect_binop(struct test_env *e, enum ir_op op, int size, enum shape s,
                         uint64_t a, uint64_t bv, uint64_t cb)
{
    switch (s) {
    case S_FRESH:   e->g[2] = c_binop(op, size, a, bv); break;
    case S_DST_A:   e->g[0] = c_binop(op, size, a, bv); break;
    case S_DST_B:   e->g[1] = c_binop(op, size, a, bv); break;
    case S_SAME:    e->g[2] = c_binop(op, size, a, a); break;
    case S_CONST_B: e->g[2] = c_binop(op, size, a, cb); break;
    default:        e->g[3] = c_binop(op, size, a, bv); break;
    }
}

static void check_binop(enum ir_op op, int size, enum shape s, uint64_t a, uint64_t bv)
{
    struct test_env env = { 0 }, want;
    uint64_t cb = bv;
    env.g[0] = a;
    env.g[1] = bv;
    for (int k = 2; k < NG; k++)
        env.g[k] = 0x5555000000000000ull + (uint64_t)k;
    want = env;
    build_binop(new_block(), op, size, s, cb);
    expect_binop(&want, op, size, s, a, bv, cb);
    cr_assert_eq(run(&blk, &env), TR_EXIT_SYSCALL);
    for (int k = 0; k < NG; k++)
        cr_assert_eq(env.g[k], want.g[k], "%s_i%d shape %d a=%#lx b=%#lx: g%d = %#lx, C says %#lx",
                     ir_op_info[op].name, size, s, a, bv, k, env.g[k], want.g[k]);
    cr_assert_eq(env.rt.pc, 0x2000);
}

Test(regalloc, binary_ops_match_c)
{
    srand(1);
    for (size_t o = 0; o < sizeof(binops) / sizeof(binops[0]); o++)
        for (int size = 32; size <= 64; size += 32)
            for (int s = 0; s < S_NSHAPES; s++)
                for (int k = 0; k < (int)NS + 8; k++)
                    check_binop(binops[o], size, (enum shape)s, sample(k), sample((k * 7 + 3) % ((int)NS + 8)));
}

Test(regalloc, mul_high_matches_c)
{
    srand(2);
    for (int k = 0; k < (int)NS + 16; k++) {
        check_binop(IR_mulhu, 64, S_FRESH, sample(k), sample((k * 5 + 1) % (int)NS));
        check_binop(IR_mulhs, 64, S_DST_B, sample(k), sample((k * 3 + 2) % (int)NS));
        check_binop(IR_mulhs, 64, S_TEMPS, rnd(), rnd());
    }
}

/* ---- unary ops, extensions, bit fields ---- */

static uint64_t c_unop(enum ir_op op, int size, uint64_t a)
{
    uint64_t m = size == 32 ? 0xffffffffull : ~0ull;
    switch (op) {
    case IR_neg: return (0 - a) & m;
    case IR_not: return ~a & m;
    case IR_ext8u: return (uint8_t)a;
    case IR_ext8s: return (uint64_t)(int8_t)a;
    case IR_ext16u: return (uint16_t)a;
    case IR_ext16s: return (uint64_t)(int16_t)a;
    case IR_ext32u: return (uint32_t)a;
    case IR_ext32s: return (uint64_t)(int32_t)a;
    case IR_bswap: return size == 32 ? __builtin_bswap32((uint32_t)a) : __builtin_bswap64(a);
    case IR_clz: return (a & m) == 0 ? (uint64_t)size
                      : (uint64_t)(size == 32 ? __builtin_clz((uint32_t)a) : __builtin_clzll(a));
    case IR_ctz: return (a & m) == 0 ? (uint64_t)size : (uint64_t)__builtin_ctzll(a & m);
    default: return 0;
    }
}

Test(regalloc, unary_ops_match_c)
{
    static const enum ir_op ops[] = { IR_neg, IR_not, IR_ext8u, IR_ext8s, IR_ext16u, IR_ext16s,
                                      IR_ext32u, IR_ext32s, IR_bswap, IR_clz, IR_ctz };
    srand(3);
    for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
        for (int size = 32; size <= 64; size += 32)
            for (int k = 0; k < (int)NS + 8; k++) {
                uint64_t a = sample(k);
                struct test_env env = { .g = { a } };
                struct ir_block *b = new_block();
                ir_emit(b, ops[o], size, G[1], G[0], IR_NONE);
                ir_emit(b, ops[o], size, G[0], G[0], IR_NONE);
                run(b, &env);
                uint64_t want = c_unop(ops[o], size, a);
                cr_assert_eq(env.g[1], want, "%s_i%d(%#lx) = %#lx, C says %#lx",
                             ir_op_info[ops[o]].name, size, a, env.g[1], want);
                cr_assert_eq(env.g[0], want);
            }
}

static uint64_t c_mask(int len) { return len == 64 ? ~0ull : (1ull << len) - 1; }

Test(regalloc, extract_and_deposit_match_c)
{
    static const int fields[][2] = { {0, 8}, {8, 8}, {0, 16}, {0, 32}, {32, 32}, {0, 64},
                                     {3, 5}, {16, 16}, {63, 1}, {1, 62}, {0, 1}, {5, 40}, {40, 24} };
    srand(4);
    for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
        for (int k = 0; k < 12; k++) {
            int pos = fields[f][0], len = fields[f][1];
            uint64_t a = sample(k + 12), v = rnd(), m = c_mask(len) << pos;
            struct test_env env = { .g = { a, v } };
            struct ir_block *b = new_block();
            ir_extract(b, G[2], G[0], pos, len);
            ir_deposit(b, G[3], G[0], G[1], pos, len);
            ir_deposit(b, G[4], G[0], ir_const(b, v), pos, len);
            ir_deposit(b, G[1], G[0], G[1], pos, len);
            run(b, &env);
            uint64_t dep = (a & ~m) | ((v << pos) & m);
            cr_assert_eq(env.g[2], (a >> pos) & c_mask(len), "extract %d,%d", pos, len);
            cr_assert_eq(env.g[3], dep, "deposit %d,%d: %#lx vs %#lx", pos, len, env.g[3], dep);
            cr_assert_eq(env.g[4], dep, "deposit const %d,%d", pos, len);
            cr_assert_eq(env.g[1], dep, "deposit into b %d,%d", pos, len);
        }
}

/* ---- comparisons ---- */

static bool c_cond(enum ir_cond c, uint64_t a, uint64_t b, int size)
{
    if (size == 32)
        a = (uint32_t)a, b = (uint32_t)b;
    int64_t sa = size == 32 ? (int32_t)a : (int64_t)a, sb = size == 32 ? (int32_t)b : (int64_t)b;
    switch (c) {
    case IR_EQ: return a == b;      case IR_NE: return a != b;
    case IR_LT: return sa < sb;     case IR_GE: return sa >= sb;
    case IR_LE: return sa <= sb;    case IR_GT: return sa > sb;
    case IR_LTU: return a < b;      case IR_GEU: return a >= b;
    case IR_LEU: return a <= b;     case IR_GTU: return a > b;
    case IR_TSTEQ: return (a & b) == 0;
    default: return (a & b) != 0;
    }
}

static void check_conds(enum ir_cond c, int size, uint64_t a, uint64_t bv)
{
    struct test_env env = { .g = { a, bv, 111, 222 } };
    struct ir_block *b = new_block();
    ir_setcond(b, c, size, G[4], G[0], G[1]);
    ir_setcond(b, c, size, G[5], G[0], ir_const(b, bv));
    ir_movcond(b, c, size, G[6], G[0], G[1], G[2], G[3]);
    ir_movcond(b, c, size, G[2], G[0], ir_const(b, bv), G[2], G[3]);
    ir_brcond(b, c, size, G[0], G[1], 0x3000, 1);
    bool want = c_cond(c, a, bv, size);
    uint64_t code = run(b, &env);
    cr_assert_eq(env.g[4], want, "setcond %s_i%d %#lx %#lx", ir_cond_names[c], size, a, bv);
    cr_assert_eq(env.g[5], want, "setcond const %s_i%d %#lx %#lx", ir_cond_names[c], size, a, bv);
    cr_assert_eq(env.g[6], want ? 111u : 222u, "movcond %s", ir_cond_names[c]);
    cr_assert_eq(env.g[2], want ? 111u : 222u, "movcond into vtrue %s", ir_cond_names[c]);
    cr_assert_eq(code, want ? TR_EXIT_CHAIN1 : TR_EXIT_SYSCALL, "brcond %s", ir_cond_names[c]);
    cr_assert_eq(env.rt.pc, want ? 0x3000u : 0x2000u);
}

Test(regalloc, conditions_match_c)
{
    srand(5);
    for (int c = 0; c < IR_NUM_CONDS; c++)
        for (int size = 32; size <= 64; size += 32)
            for (int k = 0; k < (int)NS + 4; k++) {
                check_conds((enum ir_cond)c, size, sample(k), sample((k * 11 + 5) % (int)NS));
                check_conds((enum ir_cond)c, size, sample(k), sample(k));
            }
}

/* ---- memory ---- */

Test(regalloc, loads_and_stores_match_c)
{
    uint8_t buf[32], want[32];
    for (unsigned mo = 0; mo < 8; mo++) {
        for (int k = 0; k < 32; k++)
            buf[k] = (uint8_t)(0x81 + 13 * k);
        memcpy(want, buf, sizeof(buf));
        struct test_env env = { .g = { (uint64_t)(uintptr_t)buf, 0x8899aabbccddeeffull } };
        struct ir_block *b = new_block();
        ir_ld(b, mo, G[2], G[0]);
        ir_ref t = ir_temp(b);
        ir_binop(b, IR_add, 64, t, G[0], ir_const(b, 8));
        if (!(mo & IR_MO_SIGN)) {
            ir_st(b, mo, t, G[1]);
            ir_binop(b, IR_add, 64, t, G[0], ir_const(b, 16));
            ir_st(b, mo, t, ir_const(b, 0x1122334455667788ull & (mo == 3 ? 0x7fffffffull : ~0ull)));
        }
        ir_ld_env(b, mo, G[3], (int32_t)offsetof(struct test_env, g[1]));
        ir_st_env(b, mo & 3, G[1], (int32_t)offsetof(struct test_env, other[0]));
        run(b, &env);
        int n = 1 << (mo & 3);
        uint64_t v = 0;
        memcpy(&v, want, (size_t)n);
        if ((mo & IR_MO_SIGN) && n < 8)
            v = (uint64_t)(((int64_t)(v << (64 - 8 * n))) >> (64 - 8 * n));
        cr_assert_eq(env.g[2], v, "ld memop %u", mo);
        if (!(mo & IR_MO_SIGN)) {
            uint64_t sv = 0x8899aabbccddeeffull, cv = 0x1122334455667788ull & (mo == 3 ? 0x7fffffffull : ~0ull);
            memcpy(want + 8, &sv, (size_t)n);
            memcpy(want + 16, &cv, (size_t)n);
            cr_assert_arr_eq(buf, want, 32, "st memop %u", mo);
        }
        uint64_t ev = 0, g1 = 0x8899aabbccddeeffull;
        memcpy(&ev, &g1, (size_t)n);
        if ((mo & IR_MO_SIGN) && n < 8)
            ev = (uint64_t)(((int64_t)(ev << (64 - 8 * n))) >> (64 - 8 * n));
        cr_assert_eq(env.g[3], ev, "ld_env memop %u", mo);
        uint64_t st_want = 0;
        memcpy(&st_want, &g1, (size_t)n);
        cr_assert_eq(env.other[0], st_want, "st_env memop %u", mo & 3);
    }
}

/* ---- helper calls ---- */

static uint64_t helper_mix(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    struct test_env *t = env;
    return a * 3 + b * 5 + c * 7 + d * 11 + e * 13 + t->other[1];
}

static uint64_t helper_bump(void *env, uint64_t a)
{
    struct test_env *t = env;
    t->g[0] += a;
    t->g[7] = t->g[5] + 1;
    return t->g[0];
}

static const struct ir_helper h_mix = { (void *)helper_mix, "mix", 5, 1, 0 };
static const struct ir_helper h_bump = { (void *)helper_bump, "bump", 1, 1, IR_HELPER_RW_GLOBALS };

Test(regalloc, helper_calls_match_c)
{
    struct test_env env = { .g = { 10, 20, 30, 40, 50, 60 }, .other = { 0, 1000 } };
    struct ir_block *b = new_block();
    ir_ref t[4];
    for (int k = 0; k < 4; k++) {
        t[k] = ir_temp(b);
        ir_binop(b, IR_add, 64, t[k], G[k], ir_const(b, (uint64_t)k));
    }
    ir_ref args[5] = { t[0], t[1], G[2], ir_const(b, 0x123456789ull), t[3] };
    ir_call(b, &h_mix, G[8], args);
    ir_binop(b, IR_add, 64, G[5], G[5], ir_const(b, 1));      /* dirty before the call */
    ir_ref a2[5] = { t[2] };
    ir_call(b, &h_bump, G[9], a2);
    ir_binop(b, IR_add, 64, G[10], t[0], t[1]);               /* temps live across calls */
    ir_binop(b, IR_add, 64, G[11], G[0], G[7]);               /* reloaded after the call */
    run(b, &env);
    uint64_t t0 = 10, t1 = 21, t2 = 32, t3 = 43;
    cr_assert_eq(env.g[8], t0 * 3 + t1 * 5 + 30 * 7 + 0x123456789ull * 11 + t3 * 13 + 1000);
    cr_assert_eq(env.g[5], 61);
    cr_assert_eq(env.g[0], 10 + t2);
    cr_assert_eq(env.g[9], 10 + t2);
    cr_assert_eq(env.g[7], 62);
    cr_assert_eq(env.g[10], t0 + t1);
    cr_assert_eq(env.g[11], 10 + t2 + 62);
}

/* ---- register pressure ---- */

Test(regalloc, spills_under_pressure_match_c)
{
    enum { NT = 40 };
    struct test_env env = { 0 };
    uint64_t want[NT], sum = 0;
    for (int k = 0; k < NG; k++)
        env.g[k] = rnd();
    struct ir_block *b = new_block();
    ir_ref t[NT];
    for (int k = 0; k < NT; k++) {
        t[k] = ir_temp(b);
        ir_binop(b, IR_mul, 64, t[k], G[k % NG], ir_const(b, (uint64_t)(2 * k + 1)));
        ir_binop(b, IR_xor, 64, G[(k + 5) % NG], G[(k + 5) % NG], t[k]);
    }
    uint64_t g[NG];
    memcpy(g, env.g, sizeof(g));
    for (int k = 0; k < NT; k++) {
        want[k] = g[k % NG] * (uint64_t)(2 * k + 1);
        g[(k + 5) % NG] ^= want[k];
    }
    ir_ref acc = ir_temp(b);
    ir_movi(b, acc, 0);
    for (int k = NT - 1; k >= 0; k--) {
        ir_binop(b, IR_rotl, 64, acc, acc, ir_const(b, 7));
        ir_binop(b, IR_add, 64, acc, acc, t[k]);
        sum = ((sum << 7) | (sum >> 57)) + want[k];
    }
    ir_mov(b, G[15], acc);
    g[15] = sum;
    run(b, &env);
    for (int k = 0; k < NG; k++)
        cr_assert_eq(env.g[k], g[k], "g%d", k);
}

/* ---- exits and chaining ---- */

/* exit_indirect probes the thread's jump cache through env (all empty). */
static struct tr_jmp_entry *empty_jmp_cache(void)
{
    /* (own, never-matching and the two tables of dead fields) */
    static _Alignas(TR_JMP_ALIGN) struct tr_jmp_entry cache[4 * TR_JMP_SIZE_MAX];
    tc_clear_jmp_cache(cache);
    return cache;
}

Test(regalloc, exits_and_chaining)
{
    struct test_env env = { .g = { 5 }, .rt.jmp_cache = empty_jmp_cache() };
    struct tr_block ta = { 0 }, tb = { 0 };
    struct ir_block *b = new_block();
    ir_binop(b, IR_add, 64, G[0], G[0], ir_const(b, 1));
    ir_goto_tb(b, 0x4000, 0);
    uint8_t *a_code = emit(b, &ta);
    cr_assert_eq(enter(&env, a_code), TR_EXIT_CHAIN0);
    cr_assert_eq(env.rt.pc, 0x4000);
    cr_assert_eq(env.rt.exit_tb, &ta);
    cr_assert_eq(env.g[0], 6);

    b = new_block();
    ir_binop(b, IR_mul, 64, G[0], G[0], ir_const(b, 10));
    ir_exit_indirect(b, G[0]);
    uint8_t *b_code = emit(b, &tb);
    be_patch_jump(a_code + ta.jump_site[0], 0, b_code);
    cr_assert_eq(enter(&env, a_code), TR_EXIT_INDIRECT);
    cr_assert_eq(env.g[0], 70);
    cr_assert_eq(env.rt.pc, 70);
}

/* The optimizer must not change what a block computes. */
Test(regalloc, optimized_block_matches_c)
{
    struct test_env env = { .g = { 3, 4 } };
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b);
    ir_movi(b, t, 6);
    ir_binop(b, IR_mul, 64, u, t, ir_const(b, 7));            /* 42 */
    ir_binop(b, IR_add, 64, G[2], G[0], u);
    ir_mov(b, t, G[1]);
    ir_binop(b, IR_add, 64, G[1], G[1], ir_const(b, 1));
    ir_binop(b, IR_add, 64, G[3], t, ir_const(b, 0));         /* old g1 */
    ir_binop(b, IR_sub, 32, G[4], G[0], G[0]);
    ir_ref dead = ir_temp(b);
    ir_binop(b, IR_mul, 64, dead, G[0], G[0]);
    ir_exit_code(b, 0x2000, TR_EXIT_SYSCALL);
    ir_optimize(b);
    enter(&env, emit(b, NULL));
    cr_assert_eq(env.g[2], 3 + 6 * 7);
    cr_assert_eq(env.g[1], 5);
    cr_assert_eq(env.g[3], 4);
    cr_assert_eq(env.g[4], 0);
}

/* Env forwarding in the optimizer must keep loads after stores exact,
 * including partial overwrites and helper calls in between. */
static uint64_t helper_poke(void *env, uint64_t v)
{
    ((struct test_env *)env)->other[2] = v * 3;
    return 0;
}
static const struct ir_helper h_poke = { (void *)helper_poke, "poke", 1, 0, 0 };

Test(regalloc, env_forwarding_matches_c)
{
    struct test_env env = { .g = { 0x1111222233334444ull, 0x5555666677778888ull },
                            .other = { 1, 2, 3, 4 } };
    int32_t o0 = (int32_t)offsetof(struct test_env, other[0]);
    int32_t o1 = (int32_t)offsetof(struct test_env, other[1]);
    int32_t o2 = (int32_t)offsetof(struct test_env, other[2]);
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b);
    ir_st_env(b, IR_MO_64, G[0], o0);
    ir_ld_env(b, IR_MO_64, G[2], o0);              /* = g0 */
    ir_st_env(b, IR_MO_16, G[1], o0 + 2);          /* partial overwrite */
    ir_ld_env(b, IR_MO_64, G[3], o0);
    ir_ld_env(b, IR_MO_64, t, o1);
    ir_binop(b, IR_add, 64, t, t, ir_const(b, 5));
    ir_ld_env(b, IR_MO_64, G[4], o1);              /* still the old word */
    ir_st_env(b, IR_MO_64, t, o2);
    ir_call(b, &h_poke, IR_NONE, &t);              /* rewrites other[2] */
    ir_ld_env(b, IR_MO_64, G[5], o2);
    ir_ld_env(b, IR_MO_64, u, o0);
    ir_mov(b, G[6], u);
    static uint64_t guest_word;
    ir_ld_env(b, IR_MO_64, u, o1);                 /* known ... */
    ir_st(b, IR_MO_64, ir_const(b, (uint64_t)(uintptr_t)&guest_word), ir_const(b, 77));
    ir_ld_env(b, IR_MO_64, G[7], o1);              /* ... across a guest store (never env) */
    ir_exit_code(b, 0x2000, TR_EXIT_SYSCALL);
    ir_optimize(b);
    enter(&env, emit(b, NULL));
    uint64_t w0 = 0x1111222233334444ull, w1 = 0x5555666677778888ull;
    uint64_t patched = (w0 & ~0xffff0000ull) | ((w1 & 0xffff) << 16);
    cr_assert_eq(env.g[2], w0);
    cr_assert_eq(env.g[3], patched);
    cr_assert_eq(env.g[4], 2);
    cr_assert_eq(env.g[5], (2 + 5) * 3);
    cr_assert_eq(env.g[6], patched);
    cr_assert_eq(env.other[0], patched);
    cr_assert_eq(env.g[7], 2);
    cr_assert_eq(guest_word, 77);
}

/* More live temps than registers + spill slots: emission fails cleanly
 * (the translator then retranslates a shorter block), no crash. */
Test(regalloc, too_many_live_temps_fail_cleanly)
{
    enum { NT = TR_SPILL_SLOTS + 24 };
    struct ir_block *b = new_block();
    ir_ref t[NT];
    for (int k = 0; k < NT; k++) {
        t[k] = ir_temp(b);
        ir_binop(b, IR_add, 64, t[k], G[k % NG], ir_const(b, (uint64_t)k));
    }
    for (int k = 0; k < NT; k++)
        ir_binop(b, IR_xor, 64, G[0], G[0], t[k]);
    ir_exit_code(b, 0x2000, TR_EXIT_SYSCALL);
    cr_assert_null(ir_validate(b));
    struct be_code c = { .start = code_ptr, .ptr = code_ptr, .end = code_mem + CODE_SIZE - 4096,
                         .epilogue = epilogue };
    c.jump_site[0] = c.jump_site[1] = UINT32_MAX;
    cr_assert(!ra_emit_block(ra_st(), &c, b));
    cr_assert(ra_spill_overflow(ra_st()));
}

/* ---- atomics (x86-64 backend: lock xadd, xchg, cmpxchg loops) ---- */

static uint64_t atomic_word;

/* The old value lands in a global; the address and value are temps that
 * die at the op, so the output may take one of their registers. */
Test(regalloc, atomic_rmw_matches_c)
{
    for (unsigned mo = 0; mo < 4; mo++)
        for (int op = 0; op < IR_NUM_ATOMIC_OPS; op++) {
            uint64_t m = mo == 3 ? ~0ull : (1ull << (8 << mo)) - 1, old = rnd(), v = rnd();
            atomic_word = old;
            struct test_env env = { .g = { (uint64_t)(uintptr_t)&atomic_word, v } };
            struct ir_block *b = new_block();
            ir_ref addr = ir_temp(b), val = ir_temp(b), d = ir_temp(b);
            ir_mov(b, addr, G[0]);
            ir_mov(b, val, G[1]);
            ir_atomic_rmw(b, mo, (enum ir_atomic_op)op, d, addr, val);
            ir_mov(b, G[2], d);
            run(b, &env);
            cr_assert_eq(atomic_word, (old & ~m) | (atomic_ref_apply(op, old & m, v) & m), "op %d mo %u", op, mo);
            cr_assert_eq(env.g[2], old & m, "op %d mo %u: old value", op, mo);
        }
}

Test(regalloc, atomic_cas_matches_c)
{
    for (unsigned mo = 0; mo < 4; mo++)
        for (int equal = 0; equal < 2; equal++) {
            uint64_t m = mo == 3 ? ~0ull : (1ull << (8 << mo)) - 1, old = rnd(), nv = rnd();
            uint64_t expected = equal ? (old & m) | (rnd() & ~m) : old ^ 1;
            atomic_word = old;
            struct test_env env = { .g = { (uint64_t)(uintptr_t)&atomic_word, expected, nv } };
            struct ir_block *b = new_block();
            ir_atomic_cas(b, mo, G[3], G[0], G[1], G[2]);
            ir_emit(b, IR_fence, 64, IR_NONE, IR_NONE, IR_NONE);
            run(b, &env);
            cr_assert_eq(atomic_word, equal ? (old & ~m) | (nv & m) : old, "mo %u equal %d", mo, equal);
            cr_assert_eq(env.g[3], old & m, "mo %u equal %d: old value", mo, equal);
        }
}

/* A block starting with exit_request leaves at once when it is set. */
Test(regalloc, exit_request_leaves_when_set)
{
    for (uint32_t req = 0; req < 2; req++) {
        struct test_env env = { .g = { 1 }, .rt.exit_request = req };
        struct ir_block *b = new_block();
        ir_exit_request(b, 0x4242);
        ir_binop(b, IR_add, 64, G[0], G[0], ir_const(b, 1));
        cr_assert_eq(run(b, &env), req ? TR_EXIT_REQUEST : TR_EXIT_SYSCALL);
        cr_assert_eq(env.rt.pc, req ? 0x4242 : 0x2000);
        cr_assert_eq(env.g[0], req ? 1 : 2);
    }
}

/* A guard load only backward chains need (translate.c gives every block
 * one on a host with be_desc.guard_every_block, both hosts since session
 * 43): the block's first instruction, every other entry past it
 * (be_code.entry_off, where the dispatcher, the jump cache and forward
 * chains come in); behind anything else it is entered at its start. */
Test(regalloc, backward_only_guard_is_skipped_by_other_entries)
{
    cr_assert(be_host.request_guard && be_host.guard_every_block);
    for (int flags = 0; flags < 2; flags++) {
        struct ir_block *b = new_block();
        ir_exit_request(b, 0x4242);
        b->insns[0].aux[1] = IR_REQUEST_GUARD | (flags ? IR_REQUEST_BACKWARD_ONLY : 0);
        ir_binop(b, IR_add, 64, G[0], G[0], ir_const(b, 1));
        ir_exit_code(b, 0x2000, TR_EXIT_SYSCALL);
        struct be_code c = { .start = code_ptr, .ptr = code_ptr, .end = code_mem + CODE_SIZE - 4096,
                             .epilogue = epilogue };
        c.jump_site[0] = c.jump_site[1] = UINT32_MAX;
        cr_assert(ra_emit_block(ra_st(), &c, b));
        code_ptr = c.ptr;
        cr_assert(be_guard_load_at((uintptr_t)c.start), "the guard first");
        if (!flags) {
            cr_assert_eq(c.entry_off, 0, "a guard every entry runs");
            continue;
        }
        cr_assert_gt(c.entry_off, 0);
        cr_assert(!be_guard_load_at((uintptr_t)c.start + c.entry_off), "the entry past it");
        struct test_env env = { .g = { 1 } };
        cr_assert_eq(enter(&env, c.start + c.entry_off), TR_EXIT_SYSCALL);
        cr_assert_eq(env.g[0], 2);
    }
}

/* ---- running out of allocatable registers ---- */

/* The x86-64 host with guest rbx/rsi pinned allocates from four
 * registers: a movcond of four unpinned register inputs (or three and a
 * constant no immediate takes) wants a fifth for its output.  The
 * allocator then borrows a pinned global's register (it aborted with "no
 * register to evict"); the globals pinned and newer in their registers
 * (all dirty here) must come through, as must the borrowed value. */
Test(regalloc, movcond_with_every_register_an_input)
{
    static const enum ir_cond conds[] = { IR_LTU, IR_GE, IR_EQ, IR_NE };
    srand(9);
    for (int n = 0; n < 16; n++) {
        enum ir_cond c = conds[n % 4];
        struct test_env env = { 0 };
        for (int k = 0; k < NG; k++)
            env.g[k] = n & 4 ? rnd() : sample(k + n);
        if (n & 8)
            env.g[9] = env.g[8];
        uint64_t g[NG], big = 0x123456789abcdef0ull ^ (uint64_t)n;
        memcpy(g, env.g, sizeof(g));
        struct ir_block *b = new_block();
        for (int k = 0; k < 8; k++)
            ir_binop(b, IR_add, 64, G[k], G[k], ir_const(b, (uint64_t)k + 1));
        ir_movcond(b, c, 64, G[12], G[8], G[9], G[10], G[11]);
        ir_ref t = ir_temp(b);
        ir_movcond(b, c, 64, t, G[9], G[8], ir_const(b, big), G[13]);
        ir_binop(b, IR_add, 64, G[14], t, G[1]);
        ir_binop(b, IR_xor, 64, G[1], G[1], G[12]);
        ir_binop(b, IR_sub, 64, G[15], G[4], t);
        run(b, &env);
        for (int k = 0; k < 8; k++)
            g[k] += (uint64_t)k + 1;
        g[12] = c_cond(c, g[8], g[9], 64) ? g[10] : g[11];
        uint64_t tv = c_cond(c, g[9], g[8], 64) ? big : g[13];
        g[14] = tv + g[1];
        g[1] ^= g[12];
        g[15] = g[4] - tv;
        for (int k = 0; k < NG; k++)
            cr_assert_eq(env.g[k], g[k], "round %d: g%d", n, k);
    }
}

/* Random blocks of binops, setcond, movcond, moves, helper calls and
 * exits not taken, over pinned and unpinned globals, temps and constants,
 * run and compared with the same steps computed in C: whatever the
 * register pressure, the allocator must neither abort nor lose a value
 * (RB_SEED / RB_N: another seed, more rounds). */
enum { RB_TEMPS = 6, RB_OPS = 40 };

struct rb_state {
    struct ir_block *b;
    ir_ref t[RB_TEMPS];
    uint64_t g[NG], tv[RB_TEMPS];
};

static ir_ref rb_operand(struct rb_state *s, uint64_t *v)
{
    int k = rand() % (NG + RB_TEMPS + 4);
    if (k < NG)
        return *v = s->g[k], G[k];
    if (k < NG + RB_TEMPS)
        return *v = s->tv[k - NG], s->t[k - NG];
    *v = k & 1 ? rnd() : (uint64_t)(rand() % 100);
    return ir_const(s->b, *v);
}

/* A destination: a global (value written into g[]) or a temp. */
static ir_ref rb_dest(struct rb_state *s, uint64_t **slot)
{
    int k = rand() % (NG + RB_TEMPS);
    *slot = k < NG ? &s->g[k] : &s->tv[k - NG];
    return k < NG ? G[k] : s->t[k - NG];
}

static void rb_step(struct rb_state *s)
{
    uint64_t a, bv, cv, ev, *d;
    int size = rand() % 4 ? 64 : 32, what = rand() % 10;
    enum ir_cond c = (enum ir_cond)(rand() % IR_NUM_CONDS);
    ir_ref x = rb_operand(s, &a), y = rb_operand(s, &bv);
    if (what < 3) {
        enum ir_op op = binops[rand() % 6];
        ir_ref dr = rb_dest(s, &d);
        ir_binop(s->b, op, size, dr, x, y);
        *d = c_binop(op, size, a, bv);
    } else if (what < 6) {
        ir_ref rc = rb_operand(s, &cv), re = rb_operand(s, &ev), dr = rb_dest(s, &d);
        ir_movcond(s->b, c, size, dr, x, y, rc, re);
        *d = c_cond(c, a, bv, size) ? cv : ev;
    } else if (what == 8) {             /* an exit not taken: pinned globals back home */
        if (c_cond(c, a, bv, size))
            c = ir_cond_invert(c);
        ir_brcond(s->b, c, size, x, y, 0x3000, 1);
    } else if (what == 9) {             /* a helper reading and writing the globals */
        ir_ref dr = rb_dest(s, &d);
        s->g[0] += a;
        s->g[7] = s->g[5] + 1;
        ir_call(s->b, &h_bump, dr, &x);
        *d = s->g[0];
    } else if (what == 6) {
        ir_ref dr = rb_dest(s, &d);
        ir_setcond(s->b, c, size, dr, x, y);
        *d = c_cond(c, a, bv, size);
    } else if (rand() % 3) {
        ir_ref dr = rb_dest(s, &d);
        ir_mov(s->b, dr, x);
        *d = a;
    } else {
        uint64_t v[5];
        ir_ref args[5];
        for (int k = 0; k < 5; k++)
            args[k] = rb_operand(s, &v[k]);
        ir_ref dr = rb_dest(s, &d);
        ir_call(s->b, &h_mix, dr, args);
        *d = v[0] * 3 + v[1] * 5 + v[2] * 7 + v[3] * 11 + v[4] * 13 + 1000;
    }
}

Test(regalloc, random_blocks_never_run_out)
{
    srand(getenv("RB_SEED") ? atoi(getenv("RB_SEED")) : 11);
    for (int round = 0; round < (getenv("RB_N") ? atoi(getenv("RB_N")) : 300); round++) {
        struct rb_state s = { .b = new_block() };
        struct test_env env = { .other = { 0, 1000 } };
        for (int k = 0; k < NG; k++)
            env.g[k] = s.g[k] = rnd();
        for (int k = 0; k < RB_TEMPS; k++) {
            s.t[k] = ir_temp(s.b);
            ir_mov(s.b, s.t[k], G[(k * 5 + round) % NG]);
            s.tv[k] = s.g[(k * 5 + round) % NG];
        }
        for (int n = 0; n < RB_OPS; n++)
            rb_step(&s);
        ir_exit_code(s.b, 0x2000, TR_EXIT_SYSCALL);
        if (round & 1)
            ir_optimize(s.b);
        enter(&env, emit(s.b, NULL));
        for (int k = 0; k < NG; k++)
            cr_assert_eq(env.g[k], s.g[k], "round %d: g%d", round, k);
    }
}
