/* exec_vec.c -- the vector IR ops on AArch64 (a64_vec.c): integer forms
 * against C references on random vectors; the float fast path against
 * its slow path (which of the two runs for ordinary, denormal, NaN and
 * underflow-boundary operands and a nonzero MXCSR mode, and that the
 * host FPSR is restored before the helper runs); and the slow-path stub's
 * contract: every allocatable register survives the helper, outputs come
 * back in their register; the crypto ops (a64_vec_crypto.c) by identities
 * of the AES steps and a C carry-less product.  (The x86 semantics of every op are checked
 * end to end by the instruction difftests, tests/insn.) */
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>

#include "exec_common.h"

#define VOFF(k) ((int32_t)(offsetof(struct xt_env, pad) + 16 * (k)))
#define REGS_OFF ((int32_t)(offsetof(struct xt_env, pad) + 16 * 64))

typedef union { uint8_t b[16]; uint16_t w[8]; uint32_t d[4]; uint64_t q[2];
                int8_t sb[16]; int16_t sw[8]; int32_t sd[4]; float f[4]; double fd[2]; } vec;

static vec *slot(int k) { return (vec *)(xt_env.pad + 16 * k); }

/* Registers translated code keeps values in: temporaries, pinned globals
 * (x18, the jump-cache table, is loaded again after the stub: below). */
static const int alloc_regs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                  20, 21, 22, 23, 24, 25, 26, 27, 28, 29 };
#define N_ALLOC ((int)(sizeof alloc_regs / sizeof alloc_regs[0]))

/* ---- the slow-path helper: records the call, writes a marker ---- */

static int helper_calls;
static uint64_t helper_args[3];
static uint32_t fpsr_in_helper;

static uint32_t read_fpsr(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpsr" : "=r"(v));
    return (uint32_t)v;
}

static void write_fpsr(uint32_t v)
{
    __asm__ volatile("msr fpsr, %0" : : "r"((uint64_t)v));
}

/* Clobbers what a C function may (a big local array, calls). */
static uint64_t mark_helper(void *env, uint64_t d, uint64_t s, uint64_t imm)
{
    volatile uint8_t scratch[512];
    memset((void *)scratch, 0x5a, sizeof scratch);
    helper_calls++;
    helper_args[0] = d, helper_args[1] = s, helper_args[2] = imm;
    fpsr_in_helper = read_fpsr();
    memset((char *)env + d, 0xa5, 16);
    return 0xfeedf00d00000000ull | scratch[7];
}
static const struct ir_helper h_mark = { (void *)mark_helper, "mark", 3, 0, 0 };
static const struct ir_helper h_mark_out = { (void *)mark_helper, "mark", 3, 1, 0 };

static struct ir_insn vop(enum ir_op op, unsigned size, int d, int a, int b, unsigned imm,
                          const struct ir_helper *h)
{
    return (struct ir_insn){ .op = op, .size = (uint8_t)size,
                             .aux = { ir_vec_pack(VOFF(d), VOFF(a), VOFF(b), imm),
                                      (int64_t)(intptr_t)h } };
}

/* Runs one op (inputs in registers 9 and 10, output in 11) and exits. */
static void run(const struct ir_insn *i, uint64_t in0, uint64_t in1)
{
    struct be_code c = xt_block();
    struct be_arg out[1] = { { .reg = 11 } }, in[2] = { { .reg = 9 }, { .reg = 10 } };
    be_emit_movi(&c, 9, in0);
    be_emit_movi(&c, 10, in1);
    be_emit_movi(&c, 11, 0x1111);
    uint8_t *before = c.ptr;
    be_emit_insn(&c, i, out, in);
    XT_CHECK(c.ptr - before <= BE_MAX_INSN_BYTES, "%s emitted %ld bytes",
             ir_op_info[i->op].name, (long)(c.ptr - before));
    be_emit_st_env(&c, 11, REGS_OFF);
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x401000, TR_EXIT_SYSCALL } };
    be_emit_insn(&c, &exit, NULL, NULL);
    xt_run(&c);
}

static void random_vec(vec *v)
{
    v->q[0] = xt_random();
    v->q[1] = xt_random();
}

/* ---- integer ops against C ---- */

static void ref_int(enum ir_op op, unsigned e, const vec *a, const vec *b, unsigned imm, vec *r)
{
    vec t = { 0 };
    switch (op) {
    case IR_vadd:   for (int k = 0; k < 16; k++) t.b[k] = a->b[k] + b->b[k]; break;
    case IR_vsubs:  for (int k = 0; k < 8; k++) { int v = a->sw[k] - b->sw[k];
                        t.sw[k] = v > 32767 ? 32767 : v < -32768 ? -32768 : v; } break;
    case IR_vcmpgt: for (int k = 0; k < 4; k++) t.d[k] = a->sd[k] > b->sd[k] ? ~0u : 0; break;
    case IR_vmulhu: for (int k = 0; k < 8; k++) t.w[k] = (uint16_t)((uint32_t)a->w[k] * b->w[k] >> 16); break;
    case IR_vmaddw:
        for (int k = 0; k < 4; k++)
            t.d[k] = (uint32_t)(a->sw[2 * k] * b->sw[2 * k] + a->sw[2 * k + 1] * b->sw[2 * k + 1]);
        break;
    case IR_vsadu:
        for (int k = 0; k < 16; k++)
            t.q[k / 8] += a->b[k] > b->b[k] ? a->b[k] - b->b[k] : b->b[k] - a->b[k];
        break;
    case IR_vziphi: for (int k = 0; k < 4; k++) { t.w[2 * k] = a->w[4 + k]; t.w[2 * k + 1] = b->w[4 + k]; } break;
    case IR_vpackus: for (int k = 0; k < 8; k++) { int x = a->sw[k], y = b->sw[k];
                        t.b[k] = x < 0 ? 0 : x > 255 ? 255 : x; t.b[8 + k] = y < 0 ? 0 : y > 255 ? 255 : y; } break;
    case IR_vshuf2: t.d[0] = a->d[imm & 3]; t.d[1] = a->d[imm >> 2 & 3];
                    t.d[2] = b->d[imm >> 4 & 3]; t.d[3] = b->d[imm >> 6 & 3]; break;
    case IR_vtbl:   for (int k = 0; k < 16; k++) t.b[k] = b->b[k] & 0x80 ? 0 : a->b[b->b[k] & 15]; break;
    case IR_vsari:  for (int k = 0; k < 8; k++) t.sw[k] = (int16_t)(a->sw[k] >> (imm > 15 ? 15 : imm)); break;
    case IR_valignr:
        for (unsigned k = 0; k < 16; k++)
            t.b[k] = k + imm < 16 ? b->b[k + imm] : k + imm < 32 ? a->b[k + imm - 16] : 0;
        break;
    default:        /* vshrb */
        for (int k = 0; k < 16; k++) t.b[k] = k + imm < 16 ? a->b[k + imm] : 0;
        break;
    }
    *r = t;
}

static void test_int_ops(void)
{
    static const struct { enum ir_op op; unsigned e; } ops[] = {
        { IR_vadd, IR_VE_8 }, { IR_vsubs, IR_VE_16 }, { IR_vcmpgt, IR_VE_32 },
        { IR_vmulhu, IR_VE_16 }, { IR_vmaddw, IR_VE_16 }, { IR_vsadu, IR_VE_8 },
        { IR_vziphi, IR_VE_16 }, { IR_vpackus, IR_VE_16 }, { IR_vshuf2, IR_VE_32 },
        { IR_vtbl, IR_VE_8 }, { IR_vsari, IR_VE_16 }, { IR_vshrb, IR_VE_8 },
        { IR_valignr, IR_VE_8 },
    };
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++)
        for (int n = 0; n < 40; n++) {
            vec a, b, want;
            random_vec(&a);
            random_vec(&b);
            unsigned imm = (unsigned)xt_random() & (n & 1 ? 0xff : 0x13);
            *slot(0) = a, *slot(1) = b;
            helper_calls = 0;
            struct ir_insn i = vop(ops[k].op, ops[k].e, 0, 0, 1, imm, &h_mark);
            run(&i, 0, 0);
            ref_int(ops[k].op, ops[k].e, &a, &b, imm, &want);
            XT_CHECK(!memcmp(slot(0), &want, 16) && helper_calls == 0,
                     "%s imm %#x: got %016lx%016lx want %016lx%016lx", ir_op_info[ops[k].op].name,
                     imm, (unsigned long)slot(0)->q[1], (unsigned long)slot(0)->q[0],
                     (unsigned long)want.q[1], (unsigned long)want.q[0]);
        }
}

/* ---- crypto ops: host AES/PMULL, or the helper with be_soft_crypto ---- */

/* slot d = op(slot a, slot b, imm); whether the helper ran. */
static bool crypto_run(enum ir_op op, int d, int a, int b, unsigned imm)
{
    helper_calls = 0;
    struct ir_insn i = vop(op, op == IR_vclmul ? IR_VE_64 : IR_VE_8, d, a, b, imm, &h_mark);
    run(&i, 0, 0);
    return helper_calls != 0;
}

static void clmul_ref(uint64_t a, uint64_t b, vec *r)
{
    r->q[0] = r->q[1] = 0;
    for (int k = 0; k < 64; k++)
        if (b >> k & 1) {
            r->q[0] ^= a << k;
            r->q[1] ^= k ? a >> (64 - k) : 0;
        }
}

/* The ops' values, by identities of the AES steps (the x86 semantics are
 * the difftests' business, tests/insn/crypto.c) and carry-less products
 * against C; then every op takes the helper with be_soft_crypto. */
static void test_crypto(void)
{
    static const enum ir_op ops[] = { IR_vaesenc, IR_vaesencl, IR_vaesdec, IR_vaesdecl,
                                      IR_vaesimc, IR_vclmul };
    bool aes = getauxval(AT_HWCAP) & HWCAP_AES, pmull = getauxval(AT_HWCAP) & HWCAP_PMULL;
    vec zero = { 0 }, x, k, want;
    for (int n = 0; n < 20; n++) {
        random_vec(&x), random_vec(&k);
        /* aesdeclast(aesenclast(x, 0), k) = x ^ k */
        *slot(0) = x, *slot(1) = zero, *slot(2) = k;
        XT_CHECK(crypto_run(IR_vaesencl, 0, 0, 1, 0) == !aes, "vaesencl: helper iff no AES");
        crypto_run(IR_vaesdecl, 0, 0, 2, 0);
        XT_CHECK(slot(0)->q[0] == (x.q[0] ^ k.q[0]) && slot(0)->q[1] == (x.q[1] ^ k.q[1]),
                 "aesdeclast(aesenclast(x, 0), k)");
        /* aesimc(aesenc(x, 0)) = aesenclast(x, 0); aesdec(x, k) = aesimc(aesdeclast(x, 0)) ^ k */
        *slot(3) = x, *slot(4) = x;
        crypto_run(IR_vaesenc, 3, 3, 1, 0);
        crypto_run(IR_vaesimc, 3, 3, 3, 0);
        crypto_run(IR_vaesencl, 4, 4, 1, 0);
        XT_CHECK(!memcmp(slot(3), slot(4), 16), "aesimc(aesenc(x, 0))");
        *slot(3) = x, *slot(4) = x;
        crypto_run(IR_vaesdec, 3, 3, 2, 0);
        crypto_run(IR_vaesdecl, 4, 4, 1, 0);
        crypto_run(IR_vaesimc, 4, 4, 4, 0);
        slot(4)->q[0] ^= k.q[0], slot(4)->q[1] ^= k.q[1];
        XT_CHECK(!memcmp(slot(3), slot(4), 16), "aesdec(x, k)");
        for (unsigned sel = 0; sel < 4; sel++) {
            unsigned imm = (sel & 1) | (sel & 2) << 3 | (n & 1 ? 0xee : 0);
            *slot(5) = x, *slot(6) = k;
            XT_CHECK(crypto_run(IR_vclmul, 5, 5, 6, imm) == !pmull, "vclmul: helper iff no PMULL");
            clmul_ref(x.q[imm & 1], k.q[imm >> 4 & 1], &want);
            XT_CHECK(!memcmp(slot(5), &want, 16), "vclmul imm %#x", imm);
        }
    }
    XT_CHECK(crypto_run(IR_vaeskga, 0, 0, 1, 1), "vaeskga: the helper");
    be_soft_crypto = true;
    for (unsigned k2 = 0; k2 < sizeof ops / sizeof ops[0]; k2++)
        XT_CHECK(crypto_run(ops[k2], 0, 0, 1, 0), "%s with be_soft_crypto: the helper",
                 ir_op_info[ops[k2]].name);
    be_soft_crypto = false;
}

/* ---- float ops: fast path or helper ---- */

/* vfmul on binary64 lanes a, b (mode in input 0): whether the helper ran,
 * and the fast path's product otherwise. */
static bool fmul_slow(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1, uint64_t mode)
{
    slot(2)->q[0] = a0, slot(2)->q[1] = a1, slot(3)->q[0] = b0, slot(3)->q[1] = b1;
    helper_calls = 0;
    struct ir_insn i = vop(IR_vfmul, IR_VE_64, 2, 2, 3, 0, &h_mark);
    run(&i, mode, 0);
    if (helper_calls)
        return true;
    double x, y, got;
    memcpy(&x, &a0, 8), memcpy(&y, &b0, 8), memcpy(&got, &slot(2)->q[0], 8);
    XT_CHECK(got == x * y, "fast vfmul lane 0");
    return false;
}

static void test_float_paths(void)
{
    uint64_t one = 0x3ff0000000000000ull, two = 0x4000000000000000ull;
    XT_CHECK(!fmul_slow(one, two, two, one, 0), "ordinary operands: fast path");
    XT_CHECK(fmul_slow(one, two, two, one, 0x2000), "MXCSR mode nonzero: helper");
    XT_CHECK(fmul_slow(1, two, two, one, 0), "denormal a: helper");
    XT_CHECK(fmul_slow(one, two, two, 0x000fffffffffffffull, 0), "denormal b lane 1: helper");
    XT_CHECK(fmul_slow(one, 0x7ff8000000000000ull, two, one, 0), "NaN operand: helper");
    XT_CHECK(fmul_slow(0x7ff0000000000000ull, one, 0, one, 0), "inf * 0: helper");
    XT_CHECK(fmul_slow(0x3fefffffffffffffull, one, 0x0010000000000001ull, one, 0),
             "product rounding to the smallest normal: helper");
    XT_CHECK(!fmul_slow(0, 0x8000000000000000ull, one, two, 0), "zeros: fast path");
    XT_CHECK(helper_args[0] == (uint64_t)VOFF(2) && helper_args[1] == (uint64_t)VOFF(3),
             "helper gets d and b offsets");
    /* the host flags are restored before the helper: 0 * inf raises IOC */
    write_fpsr(0x10);                                   /* IXC from "earlier" */
    fmul_slow(0x7ff0000000000000ull, one, 0, one, 0);
    XT_CHECK(fpsr_in_helper == 0x10, "FPSR at the helper %#x", fpsr_in_helper);
    write_fpsr(0);
    /* every float op takes the helper with a nonzero mode */
    static const enum ir_op fops[] = { IR_vfadd, IR_vfsub, IR_vfdiv, IR_vfsqrt, IR_vfmin,
                                       IR_vfmax, IR_vfcmp, IR_vcvtf2f, IR_vcvti2fv, IR_vcvtf2iv };
    for (unsigned k = 0; k < sizeof fops / sizeof fops[0]; k++) {
        helper_calls = 0;
        struct ir_insn i = vop(fops[k], IR_VE_32, 2, 2, 3, 1, &h_mark);
        run(&i, 1, 0);
        XT_CHECK(helper_calls == 1 && slot(2)->q[0] == 0xa5a5a5a5a5a5a5a5ull,
                 "%s with a nonzero mode", ir_op_info[fops[k]].name);
    }
}

/* Outputs of the helper (vfcomi, vcvtf2i) and vcvti2f's value input. */
static void test_slow_outputs(void)
{
    helper_calls = 0;
    struct ir_insn comi = vop(IR_vfcomi, IR_VE_64 | IR_V_SCALAR, 2, 2, 3, 0, &h_mark_out);
    run(&comi, 5, 0);
    XT_CHECK(helper_calls == 1 && *(uint64_t *)(void *)(xt_env.pad + 16 * 64) >> 32 == 0xfeedf00d,
             "vfcomi: the helper's result in the output register");
    struct ir_insn cvt = vop(IR_vcvti2f, IR_VE_32 | IR_V_SCALAR, 2, 2, 2, 8, &h_mark);
    run(&cvt, 7, 0x123456789ull);
    XT_CHECK(helper_args[1] == 0x123456789ull && helper_args[2] == 8, "vcvti2f value to the helper");
    slot(3)->q[0] = 0x4059000000000000ull;                  /* 100.0 */
    struct ir_insn f2i = vop(IR_vcvtf2i, IR_VE_64 | IR_V_SCALAR, 3, 3, 3, 0x104, &h_mark_out);
    run(&f2i, 0, 0);
    XT_CHECK(*(uint64_t *)(void *)(xt_env.pad + 16 * 64) == 100, "vcvtf2i fast result");
    slot(3)->q[0] = 0x41f0000000000000ull;                  /* 2^32: out of int32 range */
    helper_calls = 0;
    run(&f2i, 0, 0);
    XT_CHECK(helper_calls == 1 && *(uint64_t *)(void *)(xt_env.pad + 16 * 64) >> 32 == 0xfeedf00d,
             "vcvtf2i out of range: helper's result");
}

/* Every register holding a value keeps it across the helper. */
static void test_stub_keeps_registers(void)
{
    struct be_code c = xt_block();
    for (int k = 0; k < N_ALLOC; k++)
        be_emit_movi(&c, alloc_regs[k], 0x0101010101010101ull * (uint64_t)(k + 1));
    struct ir_insn i = vop(IR_vfadd, IR_VE_32, 2, 2, 3, 0, &h_mark);
    struct be_arg in[1] = { { .reg = 9 } };
    be_emit_movi(&c, 18, 0x1212);               /* (not the table: the stub loads it) */
    be_emit_insn(&c, &i, NULL, in);             /* x9 nonzero: the helper runs */
    for (int k = 0; k < N_ALLOC; k++)
        be_emit_st_env(&c, alloc_regs[k], REGS_OFF + 8 * k);
    be_emit_st_env(&c, 18, REGS_OFF + 8 * N_ALLOC);
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x401000, TR_EXIT_SYSCALL } };
    be_emit_insn(&c, &exit, NULL, NULL);
    helper_calls = 0;
    xt_run(&c);
    XT_CHECK(helper_calls == 1, "stub: helper ran");
    for (int k = 0; k < N_ALLOC; k++) {
        uint64_t got = *(uint64_t *)(void *)(xt_env.pad + 16 * 64 + 8 * k);
        XT_CHECK(got == 0x0101010101010101ull * (uint64_t)(k + 1), "x%d after the stub: %#lx",
                 alloc_regs[k], (unsigned long)got);
    }
    uint64_t x18 = *(uint64_t *)(void *)(xt_env.pad + 16 * 64 + 8 * N_ALLOC);
    XT_CHECK(x18 == (uint64_t)(uintptr_t)xt_env.rt.jmp_cache, "x18 after the stub: %#lx, not "
             "rt.jmp_cache", (unsigned long)x18);
}

/* The moves: vld/vst of 4, 8, 16 bytes, vmov, vfromg. */
static void test_moves(void)
{
    static uint8_t mem[32];
    for (int n = 4; n <= 16; n *= 2) {
        for (int k = 0; k < 32; k++) mem[k] = (uint8_t)(k * 7 + n);
        memset(slot(4), 0xee, 16);
        struct ir_insn ld = vop(IR_vld, IR_VE_8, 4, 4, 4, (unsigned)n, NULL);
        run(&ld, (uint64_t)(uintptr_t)(mem + 3), 0);
        XT_CHECK(!memcmp(slot(4), mem + 3, (size_t)n) &&
                 (n == 16 || slot(4)->q[1] == 0), "vld %d", n);
        struct ir_insn st = vop(IR_vst, IR_VE_8, 4, 4, 4, (unsigned)n, NULL);
        memset(mem, 0, sizeof mem);
        run(&st, (uint64_t)(uintptr_t)(mem + 5), 0);
        XT_CHECK(!memcmp(mem + 5, slot(4), (size_t)n) && mem[5 + n] == 0 && mem[4] == 0,
                 "vst %d", n);
    }
    random_vec(slot(6));
    struct ir_insn mv = vop(IR_vmov, IR_VE_8, 5, 5, 6, 16, NULL);
    run(&mv, 0, 0);
    XT_CHECK(!memcmp(slot(5), slot(6), 16), "vmov");
    struct ir_insn mv8 = vop(IR_vmov, IR_VE_8, 5, 5, 6, 8, NULL);
    run(&mv8, 0, 0);
    XT_CHECK(slot(5)->q[0] == slot(6)->q[0] && slot(5)->q[1] == 0, "vmov 8 bytes");
    for (unsigned n = 4; n <= 8; n += 4) {
        random_vec(slot(5));
        vec want = *slot(5);
        memcpy(&want, slot(6), n);
        struct ir_insn ml = vop(IR_vmovl, IR_VE_8, 5, 5, 6, n, NULL);
        run(&ml, 0, 0);
        XT_CHECK(!memcmp(slot(5), &want, 16), "vmovl %u", n);
    }
    struct ir_insn fg = vop(IR_vfromg, IR_VE_8, 5, 5, 5, 8, NULL);
    run(&fg, 0x8877665544332211ull, 0);
    XT_CHECK(slot(5)->q[0] == 0x8877665544332211ull && slot(5)->q[1] == 0, "vfromg");
}

void xt_test_vec(void)
{
    test_int_ops();
    test_crypto();
    test_float_paths();
    test_slow_outputs();
    test_stub_keeps_registers();
    test_moves();
}
