/* x86_x87_ops.c -- the x87 helpers called from translated code, one per
 * operation (see X87_HELPERS in x86_x87.h).  Their arguments were decoded
 * at translation time (x86_x87_translate.c): register numbers, operation
 * codes, pop counts, and memory values already loaded by IR; values to
 * store are returned and stored by IR.  Arithmetic, conversions, fprem,
 * fscale, BCD and the transcendentals are the bit-exact soft x87's
 * (x86_x87_bridge.h, some through x86_sse_x87_math.c).
 */
#include <string.h>

#include "x86_x87.h"
#include "translator.h"
#include "x86_x87_bridge.h"

/* Each X87_INNER(name) is wrapped by x87_h_name (x86_x87_wait.c). */
static void x87_pops(struct x87 *x, uint64_t n)
{
    while (n--)
        x87_pop(x);
}

static f80 x87_mem_value(uint64_t kind, uint64_t v)
{
    switch (kind) {
    case X87_M_F32: return x87_from_f32((uint32_t)v);
    case X87_M_F64: return x87_from_f64(v);
    case X87_M_I16: return x87_from_int((int16_t)v);
    case X87_M_I32: return x87_from_int((int32_t)v);
    default:        return x87_from_int((int64_t)v);
    }
}

/* A denormal m32/m64 operand sets DE as it is loaded (it becomes a
 * normal 80-bit value), unless ST0 is a NaN or unsupported. */
static void x87_mem_denormal(struct x87 *x, f80 st0, uint64_t kind, uint64_t v)
{
    if (f80_is_nan(st0) || f80_is_unsupported(st0))
        return;
    bool den = kind == X87_M_F32 ? (v & 0x7f800000u) == 0 && (v & 0x7fffffu) != 0
             : kind == X87_M_F64 && (v & 0x7ff0000000000000ull) == 0 && (v & 0xfffffffffffffull) != 0;
    if (den)
        x->exc |= X87_DE;
}

/* ST(d) = ST(a) op ST(b), then e pops. */
X87_INNER(arith, 5)
{
    struct x87 *x = &env->x87;
    f80 va = x87_read(x, (int)b), vb = x87_read(x, (int)c);
    x87_write(x, (int)d, x87_arith(x, env->fcw, (enum x87_op)a, va, vb));
    x87_pops(x, e);
    return 0;
}

X87_INNER(arith_m, 3)
{
    struct x87 *x = &env->x87;
    f80 v = x87_read(x, 0);
    uint16_t before = x->exc;
    x->exc = 0;
    x87_write(x, 0, x87_arith(x, env->fcw, (enum x87_op)a, v, x87_mem_value(b, c)));
    if (!(x->exc & X87_ZE))                 /* a division by zero reports only ZE */
        x87_mem_denormal(x, v, b, c);
    x->exc |= before;
    return 0;
}

X87_INNER(com, 3)
{
    x87_compare_cc(&env->x87, x87_read(&env->x87, 0), x87_read(&env->x87, (int)a), b);
    x87_pops(&env->x87, c);
    return 0;
}

X87_INNER(com_m, 3)
{
    x87_mem_denormal(&env->x87, x87_read(&env->x87, 0), a, b);
    x87_compare_cc(&env->x87, x87_read(&env->x87, 0), x87_mem_value(a, b), false);
    x87_pops(&env->x87, c);
    return 0;
}

X87_INNER(comi, 3)
{
    uint64_t fl = x87_compare_eflags(&env->x87, x87_read(&env->x87, 0),
                                     x87_read(&env->x87, (int)a), b);
    x87_pops(&env->x87, c);
    return fl;
}

/* The loads, fst/fstp to a register, fxch and ffree clear C1 (set again
 * by a stack overflow or underflow) and keep C0 C2 C3 (measured on
 * Intel after fprem's quotient bits). */
X87_INNER(fld, 1)
{
    env->x87.cc &= ~X87_C1;
    x87_push(&env->x87, x87_read(&env->x87, (int)a));
    return 0;
}

/* fld m32/m64 quiets a signalling NaN (IE); fild is exact. */
X87_INNER(fld_m, 2)
{
    f80 v = x87_mem_value(a, b);
    x87_mem_denormal(&env->x87, (f80){ 0, 0 }, a, b);
    env->x87.cc &= ~X87_C1;
    if (a <= X87_M_F64 && f80_is_nan(v)) {
        env->x87.exc |= (v.m & F80_QUIET) ? 0 : X87_IE;
        v.m |= F80_QUIET;
    }
    x87_push(&env->x87, v);
    return 0;
}

X87_INNER(fld_m80, 2)
{
    env->x87.cc &= ~X87_C1;
    x87_push(&env->x87, (f80){ a, (uint16_t)b });
    return 0;
}

X87_INNER(fld_const, 1)
{
    env->x87.cc &= ~X87_C1;             /* before the push: overflow sets it */
    x87_push(&env->x87, x87_constant(env->fcw, (int)a));
    return 0;
}

X87_INNER(fst, 2)
{
    env->x87.cc &= ~X87_C1;
    x87_write(&env->x87, (int)a, x87_read(&env->x87, 0));
    x87_pops(&env->x87, b);
    return 0;
}

/* An unmasked IE, OE or UE on a store: memory keeps its bytes (the
 * helper returns them for IR to store back) and nothing is popped. */
static const uint8_t x87_store_bytes[] = { [X87_M_F32] = 4, [X87_M_F64] = 8, [X87_M_I16] = 2,
                                            [X87_M_I32] = 4, [X87_M_I64] = 8 };

static uint64_t x87_store_kept(struct x86_cpu *env, uint64_t kind, uint64_t ea)
{
    uint64_t old = 0;
    memcpy(&old, tr_guest_ptr(env, ea), x87_store_bytes[kind]);
    return old;
}

/* The value of ST0 converted for a store of kind a (integers: b = fisttp)
 * at address d. */
X87_INNER(fst_m, 4)
{
    struct x87 *x = &env->x87;
    /* A store that faults leaves the stack and the status word alone: the
     * page is probed before anything changes (the store itself is IR's). */
    x86_guest_probe(env, d, x87_store_bytes[a], true);
    f80 v = x87_read(x, 0);
    uint64_t r;
    if (a == X87_M_F32)
        r = x87_to_f32(x, env->fcw, v);
    else if (a == X87_M_F64)
        r = x87_to_f64(x, env->fcw, v);
    else
        r = (uint64_t)x87_to_int(x, env->fcw, v, a == X87_M_I16 ? 16 : a == X87_M_I32 ? 32 : 64, b);
    uint16_t unmasked = x->exc & ~env->fcw & (X87_IE | X87_OE | X87_UE);  /* exc: this insn's */
    if (unmasked & (X87_OE | X87_UE)) {             /* reported alone (measured) */
        x->exc &= (uint16_t)~0x20;
        x->cc &= ~X87_C1;
    }
    if (unmasked)
        return x87_store_kept(env, a, d);
    x87_pops(x, c);
    return r;
}

/* An m80's 10 bytes at a, written in the machine's parts (Intel: 8, then
 * 2; x86_m80_first_part), each probed first: a fault in the second part
 * leaves the first written, as the CPU does, and the x87 as it was before
 * the instruction (`before`). */
static void x87_put_m80(struct x86_cpu *env, uint64_t a, const uint8_t *img,
                        const struct x87 *before)
{
    size_t first = x86_m80_first_part(env);
    memcpy(tr_guest_ptr(env, a), img, first);
    if (first < 10) {
        struct x87 now = env->x87;
        env->x87 = *before;
        x86_guest_probe(env, a + first, 10 - first, true);
        env->x87 = now;
    }
    memcpy(tr_guest_ptr(env, a + first), img + first, 10 - first);
}

/* fstp m80 (a: address): the 10 bytes written here, after a probe, so
 * that a faulting store or an unmasked IE (empty ST0) leaves memory and
 * the stack alone. */
X87_INNER(fst_m80, 1)
{
    struct x87 *x = &env->x87, before = env->x87;
    x86_guest_probe(env, a, x86_m80_first_part(env), true);
    f80 v = x87_read(x, 0);
    if (x->exc & ~env->fcw & X87_IE)
        return 0;
    x->cc &= ~X87_C1;                   /* exact: never rounded up */
    uint8_t img[10];
    memcpy(img, &v.m, 8);
    memcpy(img + 8, &v.se, 2);
    x87_put_m80(env, a, img, &before);
    x87_pop(x);
    return 0;
}

X87_INNER(fxch, 1)
{
    struct x87 *x = &env->x87;
    x->cc &= ~X87_C1;
    f80 v0 = x87_read(x, 0), vi = x87_read(x, (int)a);
    x87_write(x, 0, vi);
    x87_write(x, (int)a, v0);
    return 0;
}

X87_INNER(ffree, 2)
{
    env->x87.cc &= ~X87_C1;
    env->x87.valid &= ~(1u << x87_phys(&env->x87, (int)a));
    x87_pops(&env->x87, b);
    return 0;
}

X87_INNER(fcmov, 2)
{
    if (b)
        x87_write(&env->x87, 0, x87_read(&env->x87, (int)a));
    return 0;
}

/* fsin fcos fptan fsincos leave an operand of 2^63 or more alone and set
 * C2 (the guest reduces it and retries). */
static bool x87_trig_out_of_range(struct x87 *x, f80 v)
{
    if (x87_soft_trig_in_range(v))
        return false;
    x->cc |= X87_C2;
    return true;
}

X87_INNER(unary, 1)
{
    struct x87 *x = &env->x87;
    f80 v = x87_read(x, 0);
    if ((a == 0xfe || a == 0xff) && x87_trig_out_of_range(x, v))
        return 0;
    x87_write(x, 0, x87_unary(x, env->fcw, (int)a, v));
    x->cc &= ~X87_C2;
    return 0;
}

/* fyl2x fyl2xp1 fpatan: ST1 = f(ST0, ST1), pop. */
static void x87_binary_pop(struct x86_cpu *env, uint64_t op)
{
    static const uint8_t fn[] = { [X87_FYL2X] = 0xf1, [X87_FYL2XP1] = 0xf9, [X87_FPATAN] = 0xf3 };
    struct x87 *x = &env->x87;
    f80 a = x87_read(x, 0), b = x87_read(x, 1);
    x87_write(x, 1, x87_soft_trans(x, env->fcw, fn[op], a, b));
    x87_pop(x);
}

/* fxtract: IE for a signalling NaN or an unsupported encoding, ZE for a
 * zero (exponent -inf), DE for a denormal. */
static uint16_t x87_extract_flags(f80 a)
{
    if (f80_is_unsupported(a))
        return X87_IE;
    if (f80_is_nan(a))
        return (a.m & F80_QUIET) ? 0 : X87_IE;
    if (f80_is_zero(a))
        return X87_ZE;
    return (a.se & F80_EXP_MAX) == 0 ? X87_DE : 0;
}

/* Operations on ST0 (and ST1) that push a second result or set C2. */
static void x87_st0_op(struct x86_cpu *env, uint64_t op)
{
    struct x87 *x = &env->x87;
    uint16_t fcw = env->fcw;
    f80 a = x87_read(x, 0), r, b;
    switch (op) {
    case X87_FTST: x87_compare_cc(x, a, (f80){ 0, 0 }, false); return;
    case X87_FPREM: case X87_FPREM1:
        x87_write(x, 0, x87_soft_remainder(x, a, x87_read(x, 1), op == X87_FPREM1, &x->cc));
        return;
    case X87_FSCALE: x87_write(x, 0, x87_soft_scale(x, fcw, a, x87_read(x, 1))); return;
    case X87_FPTAN:
        if (x87_trig_out_of_range(x, a))
            return;
        r = x87_unary(x, fcw, 0xf2, a);
        x87_write(x, 0, r);
        x87_push(x, f80_is_nan(r) ? r : x87_constant(fcw, 0));  /* a NaN twice */
        break;
    case X87_FXTRACT:
        x->exc |= x87_extract_flags(a);
        x87_extract(a, &r, &b);
        x87_write(x, 0, r);
        x->cc &= ~X87_C1;                      /* as the loads (measured) */
        x87_push(x, b);
        break;
    default:                                               /* fsincos */
        if (x87_trig_out_of_range(x, a))
            return;
        r = x87_unary(x, fcw, 0xfe, a);
        b = x87_unary(x, fcw, 0xff, a);     /* C1 is the cosine's (measured) */
        x87_write(x, 0, r);
        x87_push(x, b);
    }
    x->cc &= ~X87_C2;
}

X87_INNER(misc, 1)
{
    struct x87 *x = &env->x87;
    switch (a) {
    case X87_FNCLEX: x->exc = 0; break;
    case X87_FNINIT: x87_init(env); break;
    case X87_FDECSTP: case X87_FINCSTP:
        x->top = (x->top + (a == X87_FDECSTP ? 7 : 1)) & 7;
        x->cc &= ~X87_C1;
        break;
    case X87_FXAM: x->cc = x87_examine(x->st[x87_phys(x, 0)], x87_is_empty(x, 0)); break;
    case X87_FYL2X: case X87_FYL2XP1: case X87_FPATAN: x87_binary_pop(env, a); break;
    default: x87_st0_op(env, a);
    }
    return 0;
}

X87_INNER(fldcw, 1)
{
    env->fcw = (uint16_t)a;
    return 0;
}

X87_INNER(fnstcw, 0)
{
    return env->fcw;
}

X87_INNER(fnstsw, 0)
{
    return x87_status(&env->x87, env->fcw);
}

X87_INNER(fbld, 1)
{
    x86_guest_probe(env, a, 10, false);
    env->x87.cc &= ~X87_C1;
    x87_push(&env->x87, x87_soft_fbld(tr_guest_ptr(env, a)));
    return 0;
}

X87_INNER(fbstp, 1)
{
    uint8_t bcd[10];
    struct x87 before = env->x87;
    x86_guest_probe(env, a, x86_m80_first_part(env), true);
    x87_soft_fbstp(&env->x87, env->fcw, x87_read(&env->x87, 0), bcd);
    if (env->x87.exc & ~env->fcw & X87_IE)
        return 0;                       /* unmasked: memory and the stack kept */
    x87_put_m80(env, a, bcd, &before);
    x87_pop(&env->x87);
    return 0;
}

X87_INNER(image, 2)
{
    bool small = a & X87_IMAGE_16BIT;
    switch (a & 3) {
    case 0:  x87_store_env(env, b, small); break;
    case 1:  x87_load_env(env, b, small); break;
    case 2:  x87_save(env, b, small); break;
    default: x87_restore(env, b, small); break;
    }
    return 0;
}

X87_INNER(fwait, 1)
{
    return 0;
}
