/* x86_xsave.c -- XSAVE, XRSTOR (standard form) and XGETBV for the state
 * ferry implements: XCR0 = 3 (x87 and SSE), CPUID leaf 0xD sub-leaf 0
 * says so (sizes 576: the legacy region and the header), sub-leaf 1
 * advertises none of XSAVEOPT/XSAVEC/XGETBV1/XSAVES, so those are #UD
 * (no rows: SIGILL), as on a CPU without them.
 *
 * XSAVE with RFBM = EDX:EAX & XCR0 writes the x87 region (bit 0), MXCSR
 * and the XMM registers (bit 1), and XSTATE_BV[i] = XINUSE[i] for i in
 * RFBM; the rest of the area is untouched.  XINUSE is "differs from the
 * init state" here (hardware tracks it more stickily: a component used
 * since the last XRSTOR that initialised it stays in use).  XRSTOR loads
 * component i from memory if XSTATE_BV[i], else initialises it; MXCSR
 * is loaded whenever RFBM[1].  #GP (SIGSEGV): an area not 64-byte
 * aligned, XSTATE_BV bits outside XCR0, header bytes 8..23 (XCOMP_BV and
 * the next word) not zero -- bytes 24..63 are not checked, as on this CPU
 * -- and reserved MXCSR bits.
 */
#include <string.h>

#include "x86_internal.h"
#include "x86_sse.h"

#define XCR0_VALUE X86_XCR0
enum { XS_FCW = 0, XS_MXCSR = 24, XS_ST0 = 32, XS_XMM0 = 160, XS_XMM_END = 416,
       XS_HEADER = 512 };

_Noreturn static void xs_gp(struct x86_cpu *c)
{
    tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
}

static uint64_t xs_rfbm(const struct x86_cpu *c)
{
    return ((c->regs[X86_RDX] & 0xffffffffull) << 32 | (c->regs[X86_RAX] & 0xffffffffull)) &
           XCR0_VALUE;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

/* XINUSE from the current state's image: x87 not as fninit leaves it
 * (with zero registers), SSE registers not zero or MXCSR not default. */
static uint64_t xs_inuse(const uint8_t *img)
{
    static const uint8_t x87_init[XS_MXCSR] = { 0x7f, 0x03 };
    uint32_t mx;
    uint64_t u = 0;
    memcpy(&mx, img + XS_MXCSR, 4);
    if (memcmp(img, x87_init, XS_MXCSR) || !all_zero(img + XS_ST0, XS_XMM0 - XS_ST0)) u |= 1;
    if (mx != SSE_MXCSR_DEFAULT || !all_zero(img + XS_XMM0, XS_XMM_END - XS_XMM0)) u |= 2;
    return u;
}

/* #GP before #PF; then the whole area must be accessible (x86_guard.c). */
static uint8_t *xs_area(struct x86_cpu *c, uint64_t addr, bool write)
{
    if (addr & 63) xs_gp(c);
    x86_guest_probe(c, addr, X86_XSAVE_SIZE, write);
    return tr_guest_ptr(c, addr);
}

/* XSAVE's effect on the area p (x86_cpu.h; signal frames use it too). */
void x86_xsave_image(struct x86_cpu *c, uint8_t *p, uint64_t rfbm)
{
    uint8_t img[X86_FXSAVE_SIZE];
    uint64_t bv;
    rfbm &= XCR0_VALUE;
    x86_fpstate_save(c, img);
    if (rfbm & 1) {
        memcpy(p, img, XS_MXCSR);
        memcpy(p + XS_ST0, img + XS_ST0, XS_XMM0 - XS_ST0);
    }
    if (rfbm & 2) {
        memcpy(p + XS_MXCSR, img + XS_MXCSR, 8);
        memcpy(p + XS_XMM0, img + XS_XMM0, XS_XMM_END - XS_XMM0);
    }
    memcpy(&bv, p + XS_HEADER, 8);
    bv = (bv & ~rfbm) | (xs_inuse(img) & rfbm);
    memcpy(p + XS_HEADER, &bv, 8);
}

/* XRSTOR's effect from the area p; -1 (#GP), changing nothing, for a bad
 * header or reserved MXCSR bits. */
int x86_xrstor_image(struct x86_cpu *c, const uint8_t *p, uint64_t rfbm)
{
    static const uint8_t x87_init[XS_MXCSR] = { 0x7f, 0x03 };
    uint8_t img[X86_FXSAVE_SIZE];
    uint64_t bv;
    rfbm &= XCR0_VALUE;
    memcpy(&bv, p + XS_HEADER, 8);
    if ((bv & ~XCR0_VALUE) || !all_zero(p + XS_HEADER + 8, 16)) return -1;
    x86_fpstate_save(c, img);
    if (rfbm & 1) {
        bool load = bv & 1;
        memcpy(img, load ? p : x87_init, XS_MXCSR);
        if (load) memcpy(img + XS_ST0, p + XS_ST0, XS_XMM0 - XS_ST0);
        else memset(img + XS_ST0, 0, XS_XMM0 - XS_ST0);
    }
    if (rfbm & 2) {
        memcpy(img + XS_MXCSR, p + XS_MXCSR, 4);
        if (bv & 2) memcpy(img + XS_XMM0, p + XS_XMM0, XS_XMM_END - XS_XMM0);
        else memset(img + XS_XMM0, 0, XS_XMM_END - XS_XMM0);
    }
    return x86_fpstate_restore(c, img);
}

static uint64_t helper_xsave(void *env, uint64_t addr)
{
    struct x86_cpu *c = env;
    x86_xsave_image(c, xs_area(c, addr, true), xs_rfbm(c));
    return 0;
}

static uint64_t helper_xrstor(void *env, uint64_t addr)
{
    struct x86_cpu *c = env;
    if (x86_xrstor_image(c, xs_area(c, addr, false), xs_rfbm(c)) != 0) xs_gp(c);
    return 0;
}

/* xgetbv: XCR0 for ecx = 0; any other ecx is #GP (no XGETBV1). */
static uint64_t helper_xgetbv(void *env)
{
    struct x86_cpu *c = env;
    if ((uint32_t)c->regs[X86_RCX] != 0) xs_gp(c);
    c->regs[X86_RAX] = XCR0_VALUE & 0xffffffffull;
    c->regs[X86_RDX] = XCR0_VALUE >> 32;
    return 0;
}

#define RW_RAISE (IR_HELPER_RW_GLOBALS)
static const struct ir_helper xsave_h = { (void *)helper_xsave, "xsave", 1, 0, RW_RAISE };
static const struct ir_helper xrstor_h = { (void *)helper_xrstor, "xrstor", 1, 0, RW_RAISE };
static const struct ir_helper xgetbv_h = { (void *)helper_xgetbv, "xgetbv", 0, 0, RW_RAISE };

static void xs_call(struct x86_dc *dc, const struct ir_helper *h)
{
    const cs_x86_op *m = x86_opnd(dc, 0);
    if (dc->x->op_count != 1 || m->type != X86_OP_MEM) {
        x86_raise_sigill(dc);
        return;
    }
    ir_ref ea = x86_ea(dc, m);
    x86_sync_pc(dc);
    x86_call(dc, h, ea, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static void h_xsave(struct x86_dc *dc) { xs_call(dc, &xsave_h); }

static void h_xrstor(struct x86_dc *dc)
{
    xs_call(dc, &xrstor_h);
    sse_mode_changed(dc);
}

static void h_xgetbv(struct x86_dc *dc)
{
    x86_sync_pc(dc);
    x86_call(dc, &xgetbv_h, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static const struct x86_insn_row xsave_rows[] = {
    X86_ROW(XSAVE, h_xsave, PASS, 0),
    X86_ROW(XSAVE64, h_xsave, PASS, 0),
    X86_ROW(XRSTOR, h_xrstor, PASS, 0),
    X86_ROW(XRSTOR64, h_xrstor, PASS, 0),
    X86_ROW(XGETBV, h_xgetbv, PASS, 0),
};
const struct x86_row_set x86_xsave_rows = X86_ROW_SET("xsave", xsave_rows);
