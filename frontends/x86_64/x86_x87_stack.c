/* x86_x87_stack.c -- the x87 register stack (env->x87: ST(i), TOP, tags,
 * condition codes and exception bits), the status and tag words, the
 * comparisons that set C3 C2 C0 or EFLAGS, and the memory images of the
 * whole state: fnstenv/fldenv, fnsave/frstor and the x87 part of
 * fxsave/fxrstor.  The control word is env->fcw.
 */
#include <string.h>

#include "x86_sse.h"
#include "x86_x87.h"

unsigned x87_phys(const struct x87 *x, int i)
{
    return (x->top + (unsigned)i) & 7;
}

bool x87_is_empty(const struct x87 *x, int i)
{
    return !(x->valid >> x87_phys(x, i) & 1);
}

/* Reading an empty register is a stack underflow: masked, it reads as
 * the indefinite. */
f80 x87_read(struct x87 *x, int i)
{
    if (x87_is_empty(x, i)) {
        x->exc |= X87_IE | X87_SF;
        x->cc &= ~X87_C1;
        return f80_indefinite();
    }
    return x->st[x87_phys(x, i)];
}

void x87_write(struct x87 *x, int i, f80 v)
{
    x->st[x87_phys(x, i)] = v;
    x->valid |= 1u << x87_phys(x, i);
}

void x87_push(struct x87 *x, f80 v)
{
    x->top = (x->top - 1) & 7;
    if (!x87_is_empty(x, 0)) {                  /* stack overflow */
        x->exc |= X87_IE | X87_SF;
        x->cc |= X87_C1;
        v = f80_indefinite();
    }
    x87_write(x, 0, v);
}

void x87_pop(struct x87 *x)
{
    x->valid &= ~(1u << x87_phys(x, 0));
    x->top = (x->top + 1) & 7;
}

/* ES (bit 7) and B (bit 15): an unmasked exception is pending. */
uint16_t x87_status(const struct x87 *x, uint16_t fcw)
{
    uint16_t es = x87_unmasked(x, fcw) ? 0x8080 : 0;
    return (uint16_t)(x->exc | x->cc | (x->top & 7) << 11 | es);
}

static void x87_set_status(struct x87 *x, uint16_t sw)
{
    x->exc = sw & 0x7f;                 /* ES and B follow from exc and FCW */
    x->cc = sw & (X87_C0 | X87_C1 | X87_C2 | X87_C3);
    x->top = (sw >> 11) & 7;
}

/* fninit (and fnsave after its store): control, status and tag words are
 * reset, but the registers keep their contents, which MMX can still read
 * and fxsave still shows. */
void x87_init(struct x86_cpu *env)
{
    struct x87 *x = &env->x87;
    x->top = 0;
    x->valid = 0;
    x->cc = 0;
    x->exc = 0;
    env->fcw = X87_FCW_RESET;
    env->x87_ptr.fip = env->x87_ptr.fdp = 0;
    env->x87_ptr.fop = env->x87_ptr.fcs = env->x87_ptr.fds = 0;
}

/* ---- comparisons ------------------------------------------------------- */

/* -1 0 1, or 2 unordered: NaNs and unsupported encodings (unnormals,
 * pseudo-infinities, pseudo-NaNs), which are invalid even for fucom. */
static int x87_order(f80 a, f80 b)
{
    return f80_is_unsupported(a) || f80_is_unsupported(b) ? 2 : x87_compare(a, b);
}

void x87_compare_cc(struct x87 *x, f80 a, f80 b, bool quiet)
{
    int c = x87_order(a, b);
    bool snan = (f80_is_nan(a) && !(a.m & F80_QUIET)) || (f80_is_nan(b) && !(b.m & F80_QUIET));
    if (c == 2 && (!quiet || snan || f80_is_unsupported(a) || f80_is_unsupported(b)))
        x->exc |= X87_IE;
    if (c != 2 && (f80_is_denormal(a) || f80_is_denormal(b)))
        x->exc |= X87_DE;
    x->cc &= ~(X87_C0 | X87_C1 | X87_C2 | X87_C3);
    x->cc |= c == -1 ? X87_C0 : c == 0 ? X87_C3 : c == 2 ? X87_C0 | X87_C2 | X87_C3 : 0;
}

/* fcomi/fucomi: ZF PF CF like ucomisd; C0-C3 stay as they were (measured
 * on Intel: after fprem's quotient bits, fucomi and fcomip keep C3 C1 C0;
 * an empty operand's read clears C1). */
uint64_t x87_compare_eflags(struct x87 *x, f80 a, f80 b, bool quiet)
{
    uint16_t cc = x->cc;
    x87_compare_cc(x, a, b, quiet);
    x->cc = cc;
    int c = x87_order(a, b);
    return c == -1 ? X86_CF : c == 0 ? X86_ZF : c == 2 ? X86_ZF | X86_PF | X86_CF : 0;
}

/* ---- memory images ----------------------------------------------------- */

static void x87_put_f80(uint8_t *p, f80 v)
{
    memcpy(p, &v.m, 8);
    memcpy(p + 8, &v.se, 2);
}

static f80 x87_get_f80(const uint8_t *p)
{
    f80 v;
    memcpy(&v.m, p, 8);
    memcpy(&v.se, p + 8, 2);
    return v;
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

/* The environment: control, status and tag words, then the instruction
 * and operand pointers.  32-bit layout: 28 bytes, each word in a 4-byte
 * slot, FIP, FCS | FOP << 16, FDP, FDS; 16-bit layout (0x66 prefix): 14
 * bytes of words, the pointers' low halves and selectors (no FOP). */
static unsigned env_bytes(bool small) { return small ? 14 : 28; }
static unsigned env_slot(bool small) { return small ? 2 : 4; }

static void env_put_pointers(const struct x86_cpu *env, uint8_t *img, bool small)
{
    uint32_t fip = (uint32_t)env->x87_ptr.fip, fdp = (uint32_t)env->x87_ptr.fdp;
    uint32_t cs_op = env->x87_ptr.fcs | (uint32_t)env->x87_ptr.fop << 16;
    unsigned s = env_slot(small);
    memcpy(img + 3 * s, &fip, s);
    memcpy(img + 4 * s, small ? (const void *)&env->x87_ptr.fcs : (const void *)&cs_op, s);
    memcpy(img + 5 * s, &fdp, s);
    memcpy(img + 6 * s, &env->x87_ptr.fds, 2);
}

/* Intel (CPUID.7.0:EBX[13], FCS and FDS deprecated; measured on a Sapphire
 * Rapids with fldenv/xrstor of nonzero selectors) stores them as 0 in
 * every image whatever was loaded; AMD keeps what was loaded. */
static void x87_deprecate_selectors(struct x86_cpu *env)
{
    if (x86_machine()->intel)
        env->x87_ptr.fcs = env->x87_ptr.fds = 0;
}

static void env_get_pointers(struct x86_cpu *env, const uint8_t *img, bool small)
{
    uint32_t fip = 0, fdp = 0, cs_op = 0;
    unsigned s = env_slot(small);
    memcpy(&fip, img + 3 * s, s);
    memcpy(&cs_op, img + 4 * s, s);
    memcpy(&fdp, img + 5 * s, s);
    memcpy(&env->x87_ptr.fds, img + 6 * s, 2);
    env->x87_ptr.fip = fip;
    env->x87_ptr.fdp = fdp;
    env->x87_ptr.fcs = (uint16_t)cs_op;
    env->x87_ptr.fop = small ? env->x87_ptr.fop : (uint16_t)(cs_op >> 16 & 0x7ff);
    x87_deprecate_selectors(env);
}

/* fnstenv: then all x87 exceptions become masked, as on hardware. */
void x87_store_env(struct x86_cpu *env, uint64_t ea, bool small)
{
    uint8_t img[28] = { 0 };
    uint16_t words[3] = { env->fcw, x87_status(&env->x87, env->fcw), x87_tag_word(&env->x87) };
    for (int i = 0; i < 3; i++)
        memcpy(img + i * env_slot(small), &words[i], 2);
    env_put_pointers(env, img, small);
    /* The 28-byte image's reserved upper halves (of FCW, FSW, FTW and the
     * operand selector's dword) are all ones, as this CPU stores them. */
    static const uint8_t reserved[] = { 2, 6, 10, 26 };
    for (size_t i = 0; !small && i < sizeof reserved; i++)
        img[reserved[i]] = img[reserved[i] + 1] = 0xff;
    x86_guest_probe_area(env, ea, env_bytes(small), env_slot(small));
    memcpy(tr_guest_ptr(env, ea), img, env_bytes(small));
    env->fcw = words[0] | 0x3f;
}

void x87_load_env(struct x86_cpu *env, uint64_t ea, bool small)
{
    x86_guest_probe(env, ea, env_bytes(small), false);
    const uint8_t *img = tr_guest_ptr(env, ea);
    uint16_t sw, tw;
    memcpy(&env->fcw, img, 2);
    memcpy(&sw, img + env_slot(small), 2);
    memcpy(&tw, img + 2 * env_slot(small), 2);
    env_get_pointers(env, img, small);
    x87_set_status(&env->x87, sw);
    env->x87.valid = 0;
    for (int i = 0; i < 8; i++)
        env->x87.valid |= (uint8_t)(((tw >> (2 * i) & 3) != 3) << i);
}

/* fnsave/frstor: the environment, then ST(0)..ST(7), 10 bytes each. */
void x87_save(struct x86_cpu *env, uint64_t ea, bool small)
{
    struct x87 *x = &env->x87;
    uint64_t regs = ea + env_bytes(small);
    x86_guest_probe_area(env, ea, env_bytes(small) + 80, env_slot(small));
    x87_store_env(env, ea, small);
    for (int i = 0; i < 8; i++)
        x87_put_f80(tr_guest_ptr(env, regs + 10 * i), x->st[x87_phys(x, i)]);
    x87_init(env);
}

void x87_restore(struct x86_cpu *env, uint64_t ea, bool small)
{
    struct x87 *x = &env->x87;
    uint64_t regs = ea + env_bytes(small);
    x86_guest_probe(env, ea, env_bytes(small) + 80, false);
    x87_load_env(env, ea, small);
    for (int i = 0; i < 8; i++)
        x->st[x87_phys(x, i)] = x87_get_f80(tr_guest_ptr(env, regs + 10 * i));
}

/* The pointers of an FXSAVE image: with REX.W (wide) FIP and FDP of 64
 * bits at 8 and 16, else FIP, FCS at 8, 12 and FDP, FDS at 16, 20. */
static void fx_put_pointers(const struct x86_cpu *env, uint8_t *p, bool wide)
{
    memcpy(p + 6, &env->x87_ptr.fop, 2);
    if (wide) {
        memcpy(p + 8, &env->x87_ptr.fip, 8);
        memcpy(p + 16, &env->x87_ptr.fdp, 8);
        return;
    }
    memcpy(p + 8, &env->x87_ptr.fip, 4);
    memcpy(p + 12, &env->x87_ptr.fcs, 2);
    memcpy(p + 16, &env->x87_ptr.fdp, 4);
    memcpy(p + 20, &env->x87_ptr.fds, 2);
}

static void fx_get_pointers(struct x86_cpu *env, const uint8_t *p, bool wide)
{
    uint32_t fip = 0, fdp = 0;
    memcpy(&env->x87_ptr.fop, p + 6, 2);
    env->x87_ptr.fop &= 0x7ff;
    env->x87_ptr.fcs = env->x87_ptr.fds = 0;
    if (wide) {
        memcpy(&env->x87_ptr.fip, p + 8, 8);
        memcpy(&env->x87_ptr.fdp, p + 16, 8);
        return;
    }
    memcpy(&fip, p + 8, 4);
    memcpy(&env->x87_ptr.fcs, p + 12, 2);
    memcpy(&fdp, p + 16, 4);
    memcpy(&env->x87_ptr.fds, p + 20, 2);
    env->x87_ptr.fip = fip;
    env->x87_ptr.fdp = fdp;
    x87_deprecate_selectors(env);
}

/* fxsave/fxrstor (x86_sse_state.c): FCW, FSW, abridged tags, the x87
 * pointers, ST(i).  This AMD stores the pointers only while an unmasked
 * exception is pending (ES), zeros otherwise; Intel (measured on a Sapphire
 * Rapids, fxsave/xsave in both layouts) always stores them; fxrstor loads
 * them. */
void sse_x87_fxsave(struct x86_cpu *env, uint8_t *p, bool wide)
{
    struct x87 *x = &env->x87;
    uint16_t sw = x87_status(x, env->fcw);
    memcpy(p + 0, &env->fcw, 2);
    memcpy(p + 2, &sw, 2);
    p[4] = x->valid;
    if ((sw & 0x80) || x86_machine()->intel)
        fx_put_pointers(env, p, wide);
    for (int i = 0; i < 8; i++)
        x87_put_f80(p + 32 + 16 * i, x->st[x87_phys(x, i)]);
}

void sse_x87_fxrstor(struct x86_cpu *env, const uint8_t *p, bool wide)
{
    struct x87 *x = &env->x87;
    uint16_t sw;
    memcpy(&env->fcw, p + 0, 2);
    memcpy(&sw, p + 2, 2);
    x87_set_status(x, sw);
    x->valid = p[4];
    fx_get_pointers(env, p, wide);
    for (int i = 0; i < 8; i++)
        x->st[x87_phys(x, i)] = x87_get_f80(p + 32 + 16 * i);
}
