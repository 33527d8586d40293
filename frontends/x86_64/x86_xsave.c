/* x86_xsave.c -- the XSAVE feature set for the state ferry implements,
 * XCR0 = 7 (x87, SSE, AVX's YMM_Hi128): XSAVE, XSAVEOPT, XSAVEC, XRSTOR in
 * the standard and the compacted form, XGETBV(0) = XCR0 and XGETBV(1) =
 * XINUSE.  CPUID leaf 0xD (x86_cpuid.c) describes the area: the legacy
 * region (0..511), the header (512..575), YMM_Hi128 at 576 (256 bytes,
 * bits 255:128 of YMM0-15), 832 bytes in all.  With XCR0 = 7 the
 * compacted form lays the components out exactly as the standard one.
 * No XSAVES (supervisor state): #UD.  On a machine without AVX
 * (x86_xcr0) XCR0 = 3: YMM_Hi128 is neither saved nor restored, and an
 * XSTATE_BV or XCOMP_BV with bit 2 is #GP, as on such a CPU.
 *
 * XINUSE is "differs from the init state" (this AMD host tracks YMM that
 * way too; its x87/SSE bits are stickier: set by any use, cleared only by
 * an initialising XRSTOR or vzeroall).  What each form writes, as this CPU
 * does (RFBM = EDX:EAX & XCR0):
 *   XSAVE     every component of RFBM; MXCSR (and MXCSR_MASK) if RFBM has
 *             SSE or AVX; XSTATE_BV[i] = XINUSE[i] for i in RFBM, its
 *             other bits and the rest of the header untouched.
 *   XSAVEOPT  the same but components not in use are not written (the
 *             CPU may also skip in-use components unmodified since an
 *             XRSTOR from the same address; ferry never does, which is
 *             one of the behaviours the SDM allows).
 *   XSAVEC    components of RFBM & XINUSE (MXCSR with SSE only);
 *             XSTATE_BV = RFBM & XINUSE, XCOMP_BV = RFBM | bit 63; header
 *             bytes 16..63 untouched.
 * XRSTOR loads component i of RFBM from memory if XSTATE_BV[i], else
 * initialises it.  MXCSR: standard form, loaded from memory if RFBM has
 * SSE or AVX; compacted form (XCOMP_BV bit 63), loaded if RFBM and
 * XSTATE_BV have SSE, set to 0x1f80 if RFBM has SSE and XSTATE_BV not.
 * #GP (SIGSEGV), changing nothing: an area not 64-byte aligned; standard
 * form: XSTATE_BV bits outside XCR0, header bytes 8..23 not zero (bytes
 * 24..63 are not checked, as on this CPU); compacted form: XCOMP_BV bits
 * outside XCR0, XSTATE_BV bits outside XCOMP_BV, header bytes 16..63 not
 * zero; and a reserved MXCSR bit in a value being loaded.
 */
#include <string.h>

#include "x86_internal.h"
#include "x86_sse.h"

#define XCR0_VALUE x86_xcr0()
#define XS_COMPACTED (1ull << 63)
enum { XS_FCW = 0, XS_MXCSR = 24, XS_ST0 = 32, XS_XMM0 = 160, XS_XMM_END = 416,
       XS_HEADER = 512, XS_YMM = X86_XSAVE_YMM, XS_END = X86_XSAVE_SIZE };
_Static_assert(XS_END - XS_YMM == sizeof(((struct x86_cpu *)0)->ymm_hi), "YMM_Hi128 size");

enum xs_form { XS_STANDARD, XS_OPT, XS_COMPACT };

static const uint8_t x87_init[XS_MXCSR] = { 0x7f, 0x03 };

_Noreturn static void xs_gp(struct x86_cpu *c)
{
    tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
}

static uint64_t xs_rfbm(const struct x86_cpu *c)
{
    return ((c->regs[X86_RDX] & 0xffffffffull) << 32 | (c->regs[X86_RAX] & 0xffffffffull)) &
           XCR0_VALUE;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return false;
    return true;
}

static uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* XINUSE from the state and its FXSAVE image: x87 not as fninit leaves it
 * (with zero registers); SSE registers not zero or MXCSR not default; YMM
 * upper halves not zero. */
static uint64_t xs_inuse(const struct x86_cpu *c, const uint8_t *img)
{
    uint32_t mx;
    uint64_t u = 0;
    memcpy(&mx, img + XS_MXCSR, 4);
    if (memcmp(img, x87_init, XS_MXCSR) || !all_zero(img + XS_ST0, XS_XMM0 - XS_ST0)) u |= 1;
    if (mx != SSE_MXCSR_DEFAULT || !all_zero(img + XS_XMM0, XS_XMM_END - XS_XMM0)) u |= 2;
    if (!all_zero(c->ymm_hi, sizeof c->ymm_hi)) u |= 4;
    return u;
}

/* The bytes a form touches: the legacy region and header, and YMM_Hi128
 * when the component is in the requested (compacted: listed) set. */
static size_t xs_extent(uint64_t components)
{
    return components & 4 ? XS_END : XS_YMM;
}

/* #GP before #PF; then the area must be accessible (x86_guard.c). */
static uint8_t *xs_area(struct x86_cpu *c, uint64_t addr, size_t len, bool write)
{
    if (addr & 63) xs_gp(c);
    if (write)
        x86_guest_probe_area(c, addr, len, x86_machine()->intel ? 0 : 1);
    else
        x86_guest_probe(c, addr, len, false);
    return tr_guest_ptr(c, addr);
}

static void xs_put_components(struct x86_cpu *c, uint8_t *p, const uint8_t *img, uint64_t which)
{
    if (which & 1) {
        memcpy(p, img, XS_MXCSR);
        memcpy(p + XS_ST0, img + XS_ST0, XS_XMM0 - XS_ST0);
    }
    if (which & 2) memcpy(p + XS_XMM0, img + XS_XMM0, XS_XMM_END - XS_XMM0);
    if (which & 4) memcpy(p + XS_YMM, c->ymm_hi, sizeof c->ymm_hi);
}

/* wide: REX.W, the 64-bit layout of the x87 pointers (else FIP/FCS,
 * FDP/FDS as fxsave without REX.W). */
static void xs_save(struct x86_cpu *c, uint8_t *p, uint64_t rfbm, enum xs_form form, bool wide)
{
    uint8_t img[X86_FXSAVE_SIZE];
    sse_fpstate_save_layout(c, img, wide);
    uint64_t inuse = xs_inuse(c, img) & rfbm;
    xs_put_components(c, p, img, form == XS_STANDARD ? rfbm : inuse);
    if (form == XS_COMPACT ? inuse & 2 : rfbm & 6)
        memcpy(p + XS_MXCSR, img + XS_MXCSR, 8);          /* MXCSR, MXCSR_MASK */
    uint64_t bv = form == XS_COMPACT ? inuse : (ld64(p + XS_HEADER) & ~rfbm) | inuse;
    memcpy(p + XS_HEADER, &bv, 8);
    if (form == XS_COMPACT) {
        uint64_t xc = rfbm | XS_COMPACTED;
        memcpy(p + XS_HEADER + 8, &xc, 8);
    }
}

/* XSAVE's effect on the area p (x86_cpu.h; signal frames use it too). */
void x86_xsave_image(struct x86_cpu *c, uint8_t *p, uint64_t rfbm)
{
    xs_save(c, p, rfbm & XCR0_VALUE, XS_STANDARD, true);
}

/* 0 if XRSTOR accepts the header (XSTATE_BV in *bv), -1 for its #GP. */
static int xs_header(const uint8_t *p, uint64_t *bv)
{
    const uint8_t *h = p + XS_HEADER;
    uint64_t xc = ld64(h + 8);
    *bv = ld64(h);
    if (xc & XS_COMPACTED)
        return (xc & ~(XCR0_VALUE | XS_COMPACTED)) || (*bv & ~xc) || !all_zero(h + 16, 48) ? -1 : 0;
    return (*bv & ~XCR0_VALUE) || xc || !all_zero(h + 16, 8) ? -1 : 0;
}

static bool xs_compacted(const uint8_t *p)
{
    return ld64(p + XS_HEADER + 8) & XS_COMPACTED;
}

/* The image's x87 and SSE parts as XRSTOR leaves them. */
static void xs_load_legacy(uint8_t *img, const uint8_t *p, uint64_t rfbm, uint64_t bv)
{
    static const uint32_t mxcsr_init = SSE_MXCSR_DEFAULT;
    if (rfbm & 1) {
        memcpy(img, bv & 1 ? p : x87_init, XS_MXCSR);
        if (bv & 1) memcpy(img + XS_ST0, p + XS_ST0, XS_XMM0 - XS_ST0);
        else memset(img + XS_ST0, 0, XS_XMM0 - XS_ST0);
    }
    if (rfbm & 2) {
        if (bv & 2) memcpy(img + XS_XMM0, p + XS_XMM0, XS_XMM_END - XS_XMM0);
        else memset(img + XS_XMM0, 0, XS_XMM_END - XS_XMM0);
    }
    if (!xs_compacted(p) ? rfbm & 6 : rfbm & 2)
        memcpy(img + XS_MXCSR, xs_compacted(p) && !(bv & 2) ? (const void *)&mxcsr_init
                                                            : (const void *)(p + XS_MXCSR), 4);
}


/* wide as xs_save's; the x87 state goes through the image unchanged when
 * RFBM leaves it out (the 32-bit layout would drop the pointers' upper
 * halves). */
static int xs_restore(struct x86_cpu *c, const uint8_t *p, uint64_t rfbm, bool wide)
{
    uint8_t img[X86_FXSAVE_SIZE];
    uint64_t bv;
    rfbm &= XCR0_VALUE;
    wide = wide || !(rfbm & 1);
    if (xs_header(p, &bv) != 0) return -1;
    sse_fpstate_save_layout(c, img, wide);
    xs_load_legacy(img, p, rfbm, bv);
    if (sse_fpstate_restore_layout(c, img, wide) != 0) return -1;
    if (rfbm & 4) {
        if (bv & 4) memcpy(c->ymm_hi, p + XS_YMM, sizeof c->ymm_hi);
        else memset(c->ymm_hi, 0, sizeof c->ymm_hi);
    }
    return 0;
}

/* XRSTOR's effect from the area p (either form); -1 (#GP), changing
 * nothing, for a bad header or reserved MXCSR bits. */
int x86_xrstor_image(struct x86_cpu *c, const uint8_t *p, uint64_t rfbm)
{
    return xs_restore(c, p, rfbm, true);
}

/* How many bytes of the area XRSTOR reads (the header says). */
size_t x86_xrstor_extent(const uint8_t *p, uint64_t rfbm)
{
    uint64_t bv = ld64(p + XS_HEADER);
    return xs_extent(rfbm & bv & XCR0_VALUE);
}

static void xs_save_at(struct x86_cpu *c, uint64_t addr, enum xs_form form, bool wide)
{
    uint64_t rfbm = xs_rfbm(c);
    xs_save(c, xs_area(c, addr, xs_extent(rfbm), true), rfbm, form, wide);
}

/* Helper arguments: the area's address, REX.W. */
static uint64_t helper_xsave(void *env, uint64_t addr, uint64_t wide)
{
    xs_save_at(env, addr, XS_STANDARD, wide);
    return 0;
}

static uint64_t helper_xsaveopt(void *env, uint64_t addr, uint64_t wide)
{
    xs_save_at(env, addr, XS_OPT, wide);
    return 0;
}

static uint64_t helper_xsavec(void *env, uint64_t addr, uint64_t wide)
{
    xs_save_at(env, addr, XS_COMPACT, wide);
    return 0;
}

/* The header first (#GP), then the components it loads (#PF). */
static uint64_t helper_xrstor(void *env, uint64_t addr, uint64_t wide)
{
    struct x86_cpu *c = env;
    uint64_t rfbm = xs_rfbm(c), bv;
    const uint8_t *p = xs_area(c, addr, XS_YMM, false);
    if (xs_header(p, &bv) != 0) xs_gp(c);
    xs_area(c, addr, x86_xrstor_extent(p, rfbm), false);
    if (xs_restore(c, p, rfbm, wide) != 0) xs_gp(c);
    return 0;
}

/* XCR0 as the machine has it: x87|SSE|AVX, or x87|SSE where it lacks AVX
 * (x86_machine.c; CPUID leaf 0xD says the same). */
uint64_t x86_xcr0(void)
{
    return x86_machine_has(X86_FEAT_AVX) ? X86_XCR0 : X86_XCR0 & 3;
}

/* The standard-form area's size under that XCR0 (CPUID.(0xD,0) EBX/ECX,
 * the signal frame's xstate_size): 576 bytes without AVX. */
uint32_t x86_xsave_size(void)
{
    return (x86_xcr0() & 4) ? X86_XSAVE_SIZE : X86_XSAVE_MIN_SIZE;
}

/* xgetbv: XCR0 for ecx = 0, XINUSE & XCR0 for ecx = 1 (XGETBV1); any
 * other ecx is #GP. */
static uint64_t helper_xgetbv(void *env)
{
    struct x86_cpu *c = env;
    uint32_t which = (uint32_t)c->regs[X86_RCX];
    uint64_t v = XCR0_VALUE;
    if (which > 1) xs_gp(c);
    if (which == 1) {
        uint8_t img[X86_FXSAVE_SIZE];
        x86_fpstate_save(c, img);
        v = xs_inuse(c, img);
    }
    c->regs[X86_RAX] = v & 0xffffffffull;
    c->regs[X86_RDX] = v >> 32;
    return 0;
}

#define RW_RAISE (IR_HELPER_RW_GLOBALS)
static const struct ir_helper xsave_h = { (void *)helper_xsave, "xsave", 2, 0, RW_RAISE };
static const struct ir_helper xsaveopt_h = { (void *)helper_xsaveopt, "xsaveopt", 2, 0, RW_RAISE };
static const struct ir_helper xsavec_h = { (void *)helper_xsavec, "xsavec", 2, 0, RW_RAISE };
static const struct ir_helper xrstor_h = { (void *)helper_xrstor, "xrstor", 2, 0, RW_RAISE };
static const struct ir_helper xgetbv_h = { (void *)helper_xgetbv, "xgetbv", 0, 0, RW_RAISE };

static void xs_call(struct x86_dc *dc, const struct ir_helper *h)
{
    const cs_x86_op *m = x86_opnd(dc, 0);
    /* 66/F2/F3 make 0F AE and 0F C7 other instructions (F3 0F AE /6 is
     * clrssbsy, which capstone calls xsaveopt): #UD here */
    if (dc->x->op_count != 1 || m->type != X86_OP_MEM || x86_fence_prefixed(dc)) {
        x86_raise_sigill(dc);
        return;
    }
    ir_ref ea = x86_ea(dc, m);
    unsigned id = dc->insn->id;
    bool wide = id == X86_INS_XSAVE64 || id == X86_INS_XSAVEOPT64 || id == X86_INS_XSAVEC64 ||
                id == X86_INS_XRSTOR64;
    x86_sync_pc(dc);
    x86_call(dc, h, ea, ir_const(dc->b, wide), IR_NONE, IR_NONE, IR_NONE);
}

static void h_xsave(struct x86_dc *dc) { xs_call(dc, &xsave_h); }
static void h_xsaveopt(struct x86_dc *dc) { xs_call(dc, &xsaveopt_h); }
static void h_xsavec(struct x86_dc *dc) { xs_call(dc, &xsavec_h); }

static void h_xrstor(struct x86_dc *dc)
{
    xs_call(dc, &xrstor_h);
    if (!dc->block_ended)
        x86_xm_mode_check(dc);
}

static void h_xgetbv(struct x86_dc *dc)
{
    x86_sync_pc(dc);
    x86_call(dc, &xgetbv_h, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static const struct x86_insn_row xsave_rows[] = {
    X86_ROW(XSAVE, h_xsave, PASS, 0),
    X86_ROW(XSAVE64, h_xsave, PASS, 0),
    X86_ROW(XSAVEOPT, h_xsaveopt, PASS, 0),
    X86_ROW(XSAVEOPT64, h_xsaveopt, PASS, 0),
    X86_ROW(XSAVEC, h_xsavec, PASS, 0),
    X86_ROW(XSAVEC64, h_xsavec, PASS, 0),
    X86_ROW(XRSTOR, h_xrstor, PASS, 1),       /* MXCSR: ends the block (x86_sse_xm.c) */
    X86_ROW(XRSTOR64, h_xrstor, PASS, 1),
    X86_ROW(XGETBV, h_xgetbv, PASS, 0),
};
const struct x86_row_set x86_xsave_rows = X86_ROW_SET("xsave", xsave_rows);
