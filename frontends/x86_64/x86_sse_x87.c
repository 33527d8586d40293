/* x86_sse_x87.c -- the x87 FPU: every D8..DF instruction is translated
 * to one call of x86_sse_helper_x87 with its opcode and ModRM byte (and
 * effective address), and the helper carries it out on the register
 * stack.  glibc needs x87 for long double (printf %Lf, strtold) and reads
 * the control word for the rounding mode.
 *
 * Where the state lives: in the guest CPU state, env->x87 (stack, tags,
 * status; zeroed is the fninit state) and env->fcw (set by reset).  All
 * exceptions are masked.  Arithmetic, stores, fprem, fscale and the BCD
 * instructions are the soft x87's (x86_x87_bridge.h, bit-exact, all
 * flags); transcendental instructions use the host's long double.
 */
#include <string.h>

#include "x86_internal.h"      /* x86_flags_sync, for fcmov */
#include "x86_sse.h"
#include "x86_sse_x87_value.h"
#include "x86_x87_bridge.h"

static uint16_t sse_x87_fcw(const struct x86_cpu *env)
{
    return env->fcw;
}

static void sse_x87_set_fcw(struct x86_cpu *env, uint16_t fcw)
{
    env->fcw = fcw;
}

/* ---- the register stack ------------------------------------------------ */

static unsigned x87_phys(const struct x87 *x, int i)
{
    return (x->top + (unsigned)i) & 7;
}

static bool x87_is_empty(const struct x87 *x, int i)
{
    return !(x->valid >> x87_phys(x, i) & 1);
}

/* Reading an empty register is a stack underflow: masked, it reads as
 * the indefinite. */
static f80 x87_read(struct x87 *x, int i)
{
    if (x87_is_empty(x, i)) {
        x->exc |= X87_IE | X87_SF;
        x->cc &= ~X87_C1;
        return f80_indefinite();
    }
    return x->st[x87_phys(x, i)];
}

static void x87_write(struct x87 *x, int i, f80 v)
{
    x->st[x87_phys(x, i)] = v;
    x->valid |= 1u << x87_phys(x, i);
}

static void x87_push(struct x87 *x, f80 v)
{
    x->top = (x->top - 1) & 7;
    if (!x87_is_empty(x, 0)) {                  /* stack overflow */
        x->exc |= X87_IE | X87_SF;
        x->cc |= X87_C1;
        v = f80_indefinite();
    }
    x87_write(x, 0, v);
}

static void x87_pop(struct x87 *x)
{
    x->valid &= ~(1u << x87_phys(x, 0));
    x->top = (x->top + 1) & 7;
}

static uint16_t x87_status(const struct x87 *x)
{
    return (uint16_t)(x->exc | x->cc | (x->top & 7) << 11);
}

static void x87_set_status(struct x87 *x, uint16_t sw)
{
    x->exc = sw & 0x7f;
    x->cc = sw & (X87_C0 | X87_C1 | X87_C2 | X87_C3);
    x->top = (sw >> 11) & 7;
}

static void x87_init(struct x86_cpu *env, struct x87 *x)
{
    memset(x, 0, sizeof *x);
    sse_x87_set_fcw(env, X87_FCW_RESET);
}

/* ---- comparisons ------------------------------------------------------- */

static void x87_compare_cc(struct x87 *x, f80 a, f80 b, bool quiet)
{
    int c = x87_compare(a, b);
    bool snan = (f80_is_nan(a) && !(a.m & F80_QUIET)) || (f80_is_nan(b) && !(b.m & F80_QUIET));
    if (c == 2 && (!quiet || snan))
        x->exc |= X87_IE;
    x->cc &= ~(X87_C0 | X87_C1 | X87_C2 | X87_C3);
    x->cc |= c == -1 ? X87_C0 : c == 0 ? X87_C3 : c == 2 ? X87_C0 | X87_C2 | X87_C3 : 0;
}

/* fcomi/fucomi: ZF PF CF like ucomisd. */
static uint64_t x87_compare_eflags(struct x87 *x, f80 a, f80 b, bool quiet)
{
    x87_compare_cc(x, a, b, quiet);
    x->cc &= ~(X87_C0 | X87_C2 | X87_C3);
    int c = x87_compare(a, b);
    return c == -1 ? X86_CF : c == 0 ? X86_ZF : c == 2 ? X86_ZF | X86_PF | X86_CF : 0;
}

/* ---- memory operands ------------------------------------------------ */

static uint64_t x87_load_bits(uint64_t ea, int bytes)
{
    uint64_t v = 0;
    memcpy(&v, (const void *)(uintptr_t)ea, bytes);
    return v;
}

static void x87_store_bits(uint64_t ea, uint64_t v, int bytes)
{
    memcpy((void *)(uintptr_t)ea, &v, bytes);
}

static f80 x87_load_float(uint64_t ea, int bytes)
{
    if (bytes == 4)
        return x87_from_f32((uint32_t)x87_load_bits(ea, 4));
    if (bytes == 8)
        return x87_from_f64(x87_load_bits(ea, 8));
    f80 v;
    memcpy(&v.m, (const void *)(uintptr_t)ea, 8);
    memcpy(&v.se, (const void *)(uintptr_t)(ea + 8), 2);
    return v;
}

static void x87_store_float(struct x87 *x, uint16_t fcw, uint64_t ea, int bytes, f80 v)
{
    if (bytes == 4) {
        x87_store_bits(ea, x87_to_f32(x, fcw, v), 4);
    } else if (bytes == 8) {
        x87_store_bits(ea, x87_to_f64(x, fcw, v), 8);
    } else {
        memcpy((void *)(uintptr_t)ea, &v.m, 8);
        memcpy((void *)(uintptr_t)(ea + 8), &v.se, 2);
    }
}

static int64_t x87_load_int(uint64_t ea, int bytes)
{
    uint64_t v = x87_load_bits(ea, bytes);
    int shift = 64 - 8 * bytes;
    return (int64_t)(v << shift) >> shift;
}

/* Full tag word: 00 valid, 01 zero, 10 special, 11 empty. */
static uint16_t x87_tag_word(const struct x87 *x)
{
    uint16_t tw = 0;
    for (int i = 0; i < 8; i++) {
        f80 v = x->st[i];
        unsigned t = !(x->valid >> i & 1) ? 3 : f80_is_zero(v) ? 1
                   : ((v.se & F80_EXP_MAX) == 0 || (v.se & F80_EXP_MAX) == F80_EXP_MAX ||
                      !(v.m & F80_INT_BIT)) ? 2 : 0;
        tw |= (uint16_t)(t << (2 * i));
    }
    return tw;
}

/* fnstenv: 28-byte protected-mode image (instruction/operand pointers 0);
 * then all x87 exceptions become masked, as on hardware. */
static void x87_store_env(struct x86_cpu *env, struct x87 *x, uint64_t ea)
{
    uint8_t img[28] = { 0 };
    uint16_t fcw = sse_x87_fcw(env), sw = x87_status(x), tw = x87_tag_word(x);
    memcpy(img + 0, &fcw, 2);
    memcpy(img + 4, &sw, 2);
    memcpy(img + 8, &tw, 2);
    memcpy((void *)(uintptr_t)ea, img, sizeof img);
    sse_x87_set_fcw(env, fcw | 0x3f);
}

static void x87_load_env(struct x86_cpu *env, struct x87 *x, uint64_t ea)
{
    const uint8_t *img = (const uint8_t *)(uintptr_t)ea;
    uint16_t fcw, sw, tw;
    memcpy(&fcw, img + 0, 2);
    memcpy(&sw, img + 4, 2);
    memcpy(&tw, img + 8, 2);
    sse_x87_set_fcw(env, fcw);
    x87_set_status(x, sw);
    x->valid = 0;
    for (int i = 0; i < 8; i++)
        x->valid |= (uint8_t)(((tw >> (2 * i) & 3) != 3) << i);
}

/* fnsave/frstor: the environment, then ST(0)..ST(7), 10 bytes each. */
static void x87_save(struct x86_cpu *env, struct x87 *x, uint64_t ea, bool restore)
{
    if (restore)
        x87_load_env(env, x, ea);
    else
        x87_store_env(env, x, ea);
    for (int i = 0; i < 8; i++) {
        uint64_t at = ea + 28 + 10 * i;
        if (restore)
            x->st[x87_phys(x, i)] = x87_load_float(at, 10);
        else
            x87_store_float(x, 0, at, 10, x->st[x87_phys(x, i)]);
    }
    if (!restore)
        x87_init(env, x);
}

/* fxsave/fxrstor (x86_sse_state.c): FCW, FSW, abridged tags, ST(i). */
void sse_x87_fxsave(struct x86_cpu *env, uint8_t *p)
{
    struct x87 *x = &env->x87;
    uint16_t fcw = sse_x87_fcw(env), sw = x87_status(x);
    uint8_t ftw = x->valid;
    memcpy(p + 0, &fcw, 2);
    memcpy(p + 2, &sw, 2);
    p[4] = ftw;
    for (int i = 0; i < 8; i++)
        x87_store_float(x, 0, (uintptr_t)(p + 32 + 16 * i), 10, x->st[x87_phys(x, i)]);
}

void sse_x87_fxrstor(struct x86_cpu *env, const uint8_t *p)
{
    struct x87 *x = &env->x87;
    uint16_t fcw, sw;
    memcpy(&fcw, p + 0, 2);
    memcpy(&sw, p + 2, 2);
    sse_x87_set_fcw(env, fcw);
    x87_set_status(x, sw);
    x->valid = p[4];
    for (int i = 0; i < 8; i++)
        x->st[x87_phys(x, i)] = x87_load_float((uintptr_t)(p + 32 + 16 * i), 10);
}

/* ---- the arithmetic group (D8 DA DC DE) ------------------------------- */

/* dest = a op b; reg 2/3 compare st0 with b (3 pops). */
static void x87_group(struct x86_cpu *env, struct x87 *x, int reg, f80 a, f80 b, int dest, bool pop)
{
    if (reg == 2 || reg == 3)
        x87_compare_cc(x, x87_read(x, 0), b, false);
    else
        x87_write(x, dest, x87_arith(x, sse_x87_fcw(env), (enum x87_op)reg, a, b));
    if (pop || reg == 3)
        x87_pop(x);
}

static f80 x87_group_operand(int op, uint64_t ea)
{
    switch (op) {
    case 0:  return x87_load_float(ea, 4);
    case 4:  return x87_load_float(ea, 8);
    case 2:  return x87_from_int(x87_load_int(ea, 4));
    default: return x87_from_int(x87_load_int(ea, 2));
    }
}

/* ---- memory forms of D9 DB DD DF --------------------------------------- */

enum x87_mem_kind {
    XM_NONE, XM_LDF, XM_LDI, XM_STF, XM_STI, XM_STT, XM_LDENV, XM_STENV,
    XM_LDCW, XM_STCW, XM_RSTOR, XM_SAVE, XM_STSW, XM_FBLD, XM_FBSTP,
};
static const struct { uint8_t kind, bytes, pop; } x87_mem_ops[4][8] = {
    { { XM_LDF, 4, 0 }, { XM_NONE, 0, 0 }, { XM_STF, 4, 0 }, { XM_STF, 4, 1 },
      { XM_LDENV, 0, 0 }, { XM_LDCW, 0, 0 }, { XM_STENV, 0, 0 }, { XM_STCW, 0, 0 } },
    { { XM_LDI, 4, 0 }, { XM_STT, 4, 1 }, { XM_STI, 4, 0 }, { XM_STI, 4, 1 },
      { XM_NONE, 0, 0 }, { XM_LDF, 10, 0 }, { XM_NONE, 0, 0 }, { XM_STF, 10, 1 } },
    { { XM_LDF, 8, 0 }, { XM_STT, 8, 1 }, { XM_STF, 8, 0 }, { XM_STF, 8, 1 },
      { XM_RSTOR, 0, 0 }, { XM_NONE, 0, 0 }, { XM_SAVE, 0, 0 }, { XM_STSW, 0, 0 } },
    { { XM_LDI, 2, 0 }, { XM_STT, 2, 1 }, { XM_STI, 2, 0 }, { XM_STI, 2, 1 },
      { XM_FBLD, 10, 0 }, { XM_LDI, 8, 0 }, { XM_FBSTP, 10, 1 }, { XM_STI, 8, 1 } },
};

static void x87_mem_other(struct x86_cpu *env, struct x87 *x, int kind, uint64_t ea)
{
    uint16_t v;
    switch (kind) {
    case XM_LDENV: x87_load_env(env, x, ea); break;
    case XM_STENV: x87_store_env(env, x, ea); break;
    case XM_LDCW:  memcpy(&v, (const void *)(uintptr_t)ea, 2); sse_x87_set_fcw(env, v); break;
    case XM_STCW:  x87_store_bits(ea, sse_x87_fcw(env), 2); break;
    case XM_RSTOR: x87_save(env, x, ea, true); break;
    case XM_SAVE:  x87_save(env, x, ea, false); break;
    case XM_FBLD:  x87_push(x, x87_soft_fbld((const uint8_t *)(uintptr_t)ea)); break;
    case XM_FBSTP:
        x87_soft_fbstp(x, sse_x87_fcw(env), x87_read(x, 0), (uint8_t *)(uintptr_t)ea);
        x87_pop(x);
        break;
    default:       x87_store_bits(ea, x87_status(x), 2); break;
    }
}

static void x87_mem(struct x86_cpu *env, struct x87 *x, int op, int reg, uint64_t ea)
{
    uint16_t fcw = sse_x87_fcw(env);
    if (!(op & 1)) {
        x87_group(env, x, reg, x87_read(x, 0), x87_group_operand(op, ea), 0, false);
        return;
    }
    int kind = x87_mem_ops[op >> 1][reg].kind, bytes = x87_mem_ops[op >> 1][reg].bytes;
    if (kind == XM_LDF || kind == XM_LDI) {
        f80 v = kind == XM_LDF ? x87_load_float(ea, bytes) : x87_from_int(x87_load_int(ea, bytes));
        if (bytes < 10 && f80_is_nan(v)) {                 /* fld m32/m64 quiets */
            x->exc |= (v.m & F80_QUIET) ? 0 : X87_IE;
            v.m |= F80_QUIET;
        }
        x87_push(x, v);
        return;
    }
    if (kind == XM_STF || kind == XM_STI || kind == XM_STT) {
        f80 v = x87_read(x, 0);
        if (kind == XM_STF)
            x87_store_float(x, fcw, ea, bytes, v);
        else
            x87_store_bits(ea, (uint64_t)x87_to_int(x, fcw, v, 8 * bytes, kind == XM_STT), bytes);
        if (x87_mem_ops[op >> 1][reg].pop)
            x87_pop(x);
        return;
    }
    x87_mem_other(env, x, kind, ea);
}

/* ---- register forms ---------------------------------------------------- */

/* fcmov conditions, DA/DB reg 0..3: b, e, be, u (DB: negated). */
static bool x87_fcmov_cond(struct x86_cpu *env, int reg)
{
    static const uint32_t mask[4] = { X86_CF, X86_ZF, X86_CF | X86_ZF, X86_PF };
    return (x86_get_eflags(env) & mask[reg]) != 0;
}

/* D9 E0..FF: one-operand instructions on ST(0). */
/* D9 E5..F7 that do not read ST(0): fxam, constants, fdecstp/fincstp. */
static bool x87_d9_no_operand(struct x86_cpu *env, struct x87 *x, int modrm)
{
    if (modrm == 0xe5)
        x->cc = x87_examine(x->st[x87_phys(x, 0)], x87_is_empty(x, 0));
    else if (modrm >= 0xe8 && modrm <= 0xee)
        x87_push(x, x87_constant(sse_x87_fcw(env), modrm - 0xe8));
    else if (modrm == 0xf6 || modrm == 0xf7)
        x->top = (x->top + (modrm == 0xf6 ? 7 : 1)) & 7;
    else
        return false;
    if (modrm != 0xe5)
        x->cc &= ~X87_C1;
    return true;
}

static void x87_d9_special(struct x86_cpu *env, struct x87 *x, int modrm)
{
    uint16_t fcw = sse_x87_fcw(env);
    if (x87_d9_no_operand(env, x, modrm))
        return;
    f80 a = x87_read(x, 0), r, b;
    switch (modrm) {
    case 0xe4: x87_compare_cc(x, a, (f80){ 0, 0 }, false); return;             /* ftst */
    case 0xf1: case 0xf9: case 0xf3:                       /* fyl2x fyl2xp1 fpatan */
        b = x87_read(x, 1);
        r = modrm == 0xf3 ? x87_atan2(fcw, b, a) : x87_ylog2x(fcw, b, a, modrm == 0xf9);
        x87_write(x, 1, r);
        x87_pop(x);
        return;
    case 0xf2: x87_write(x, 0, x87_unary(x, fcw, 0xf2, a)); x87_push(x, x87_constant(fcw, 0)); break;
    case 0xf4:
        if (f80_is_nan(a) && !(a.m & F80_QUIET))
            x->exc |= X87_IE;
        x87_extract(a, &r, &b);
        x87_write(x, 0, r);
        x87_push(x, b);
        break;
    case 0xf5: case 0xf8:                                   /* fprem1, fprem */
        x87_write(x, 0, x87_soft_remainder(x, a, x87_read(x, 1), modrm == 0xf5, &x->cc));
        return;
    case 0xfb:
        b = x87_unary(x, fcw, 0xff, a);
        x87_write(x, 0, x87_unary(x, fcw, 0xfe, a));
        x87_push(x, b);
        break;
    case 0xfd: x87_write(x, 0, x87_soft_scale(x, fcw, a, x87_read(x, 1))); return;
    default:
        x87_write(x, 0, x87_unary(x, fcw, modrm, a));
    }
    x->cc &= ~X87_C2;
}

static void x87_d9(struct x86_cpu *env, struct x87 *x, int modrm)
{
    int i = modrm & 7, reg = (modrm >> 3) & 7;
    if (reg == 0) {
        x87_push(x, x87_read(x, i));
    } else if (reg == 1) {                                  /* fxch */
        f80 a = x87_read(x, 0), b = x87_read(x, i);
        x87_write(x, 0, b);
        x87_write(x, i, a);
    } else if (modrm >= 0xe0) {
        x87_d9_special(env, x, modrm);
    }
}

/* Register forms, one function per opcode byte; the result is EFLAGS
 * (fcomi family) or AX (fnstsw ax) where the instruction has one. */
typedef uint64_t x87_reg_fn(struct x86_cpu *env, struct x87 *x, int op, int modrm);

static uint64_t x87_reg_d8(struct x86_cpu *env, struct x87 *x, int op, int modrm)
{
    x87_group(env, x, (modrm >> 3) & 7, x87_read(x, 0), x87_read(x, modrm & 7), 0, false);
    return 0;
}

/* DC / DE: ST(i) = ST(i) op ST(0) (DE pops); sub/div are reversed
 * relative to D8, hence reg ^ 1. */
static uint64_t x87_reg_dc_de(struct x86_cpu *env, struct x87 *x, int op, int modrm)
{
    int i = modrm & 7, reg = (modrm >> 3) & 7;
    if (modrm == 0xd9 && op == 6) {                         /* fcompp */
        x87_compare_cc(x, x87_read(x, 0), x87_read(x, 1), false);
        x87_pop(x);
        x87_pop(x);
        return 0;
    }
    x87_group(env, x, reg >= 4 ? reg ^ 1 : reg, x87_read(x, i), x87_read(x, 0), i, op == 6);
    return 0;
}

static uint64_t x87_reg_d9(struct x86_cpu *env, struct x87 *x, int op, int modrm)
{
    x87_d9(env, x, modrm);
    return 0;
}

/* DA / DB: fcmov, fucompp, fnclex, fninit, fucomi, fcomi. */
static uint64_t x87_reg_da_db(struct x86_cpu *env, struct x87 *x, int op, int modrm)
{
    int i = modrm & 7, reg = (modrm >> 3) & 7;
    if (reg < 4) {
        if (x87_fcmov_cond(env, reg) != (op == 3))
            x87_write(x, 0, x87_read(x, i));
    } else if (modrm == 0xe9 && op == 2) {                  /* fucompp */
        x87_compare_cc(x, x87_read(x, 0), x87_read(x, 1), true);
        x87_pop(x);
        x87_pop(x);
    } else if (modrm == 0xe2) {
        x->exc = 0;                                         /* fnclex */
    } else if (modrm == 0xe3) {
        x87_init(env, x);
    } else {
        return x87_compare_eflags(x, x87_read(x, 0), x87_read(x, i), reg == 5);
    }
    return 0;
}

/* DD: ffree, fst/fstp ST(i), fucom/fucomp. */
static uint64_t x87_reg_dd(struct x86_cpu *env, struct x87 *x, int op, int modrm)
{
    int i = modrm & 7, reg = (modrm >> 3) & 7;
    if (reg == 0) {
        x->valid &= ~(1u << x87_phys(x, i));
    } else if (reg == 2 || reg == 3) {
        x87_write(x, i, x87_read(x, 0));
    } else {
        x87_compare_cc(x, x87_read(x, 0), x87_read(x, i), true);
    }
    if (reg == 3 || reg == 5)
        x87_pop(x);
    return 0;
}

/* DF: fnstsw ax, ffreep, fucomip, fcomip. */
static uint64_t x87_reg_df(struct x86_cpu *env, struct x87 *x, int op, int modrm)
{
    int i = modrm & 7, reg = (modrm >> 3) & 7;
    uint64_t fl = 0;
    if (modrm == 0xe0)
        return x87_status(x);
    if (reg == 0)
        x->valid &= ~(1u << x87_phys(x, i));
    else
        fl = x87_compare_eflags(x, x87_read(x, 0), x87_read(x, i), reg == 5);
    x87_pop(x);
    return fl;
}

static x87_reg_fn *const x87_reg_ops[8] = {
    x87_reg_d8, x87_reg_d9, x87_reg_da_db, x87_reg_da_db,
    x87_reg_dc_de, x87_reg_dd, x87_reg_dc_de, x87_reg_df,
};

/* d = opcode << 8 | modrm, s = effective address of a memory operand. */
SSE_HELPER(x87)
{
    int op = (int)(d >> 8) & 7, modrm = (int)d & 0xff;
    if (modrm < 0xc0) {
        x87_mem(env, &env->x87, op, (modrm >> 3) & 7, s);
        return 0;
    }
    return x87_reg_ops[op](env, &env->x87, op, modrm);
}

/* ---- translation ------------------------------------------------------- */

/* Encodings this implementation does not handle (SIGILL). */
static bool x87_supported(int op, int modrm)
{
    int reg = (modrm >> 3) & 7;
    if (modrm < 0xc0)
        return !(op & 1) || x87_mem_ops[op >> 1][reg].kind != XM_NONE;
    switch (op) {
    case 1:
        if (reg == 2 || reg == 3)
            return modrm == 0xd0;                           /* fnop */
        return modrm != 0xe2 && modrm != 0xe3 && modrm != 0xe6 && modrm != 0xe7 && modrm != 0xef;
    case 2: return reg < 4 || modrm == 0xe9;
    case 3: return reg < 4 || modrm == 0xe2 || modrm == 0xe3 || reg == 5 || reg == 6;
    case 5: return reg != 1 && reg < 6;
    case 6: return reg != 2 && (reg != 3 || modrm == 0xd9);
    case 7: return modrm == 0xe0 || reg == 0 || reg == 5 || reg == 6;
    default: return true;
    }
}

/* Which codes return EFLAGS (fcomi family) or AX (fnstsw ax). */
static bool x87_returns_eflags(int op, int modrm)
{
    int reg = (modrm >> 3) & 7;
    return modrm >= 0xc0 && (op == 3 || op == 7) && (reg == 5 || reg == 6);
}

static const struct ir_helper x87_helper = {
    (void *)x86_sse_helper_x87, "sse_x87", 3, 1, IR_HELPER_RW_GLOBALS,
};

bool sse_translate_x87(struct x86_dc *dc)
{
    int op = dc->x->opcode[0], modrm = dc->x->modrm;
    if (op < 0xd8 || op > 0xdf || !x87_supported(op & 7, modrm))
        return false;
    ir_ref ea = ir_const(dc->b, 0);
    if (modrm < 0xc0) {
        if (dc->x->op_count < 1 || dc->x->operands[0].type != X86_OP_MEM)
            return false;
        ea = x86_ea(dc, &dc->x->operands[0]);
    }
    ir_ref args[3] = { ir_const(dc->b, (uint64_t)(op << 8 | modrm)), ea, ir_const(dc->b, 0) };
    ir_ref ret = ir_temp(dc->b);
    x86_sync_pc(dc);
    if ((op == 0xda || op == 0xdb) && modrm >= 0xc0 && modrm < 0xe0)
        x86_flags_sync(dc);                     /* fcmov reads EFLAGS from env */
    ir_call(dc->b, &x87_helper, ret, args);
    if (x87_returns_eflags(op & 7, modrm))
        x86_flags_set_eflags(dc, ret);
    else if ((op & 7) == 7 && modrm == 0xe0)
        x86_gpr_write(dc, X86_REG_AX, ret);
    return true;
}
