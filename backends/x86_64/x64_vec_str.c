/* x64_vec_str.c -- the lane-mask ops of the string compares (vmskeq,
 * vmskz, vmskany: ir_ops.def) and of (v)pmovmskb (vmsks) on x86-64 with
 * SSE2 (pshufb where the host has SSSE3): pcmpeqb and pmovmskb (vmsks:
 * pmovmskb of the slot's cached register when it has one), and for
 * vmskany one splat-compare-or per lane of a below its first zero lane,
 * leaving early past it (glibc's strcspn sets are a few bytes long).  ferry's own translation: never the
 * guest's pcmpistri.  Scratch: xmm0-xmm3, xmm7, rax (x64_vec.c's).
 */
#include <string.h>

#include "x64_backend.h"
#include "x64_encode_sse.h"
#include "x64_host.h"
#include "x64_vec.h"

enum { XA = 0, XB = 1, XACC = 2, XT = 3, XZERO = 7 };

static void sse(struct be_code *c, uint32_t opc, int reg, int rm)
{
    x64_emit_sse_rr(c, X64_P_66, false, opc, reg, rm);
}

static void load(struct be_code *c, int xmm, int32_t off)
{
    x64_emit_movdqu_load(c, xmm, X64_ENV, x64_env_disp(off));
}

static void zero(struct be_code *c, int xmm) { sse(c, 0x0fef, xmm, xmm); }          /* pxor */
static void pcmpeqb(struct be_code *c, int d, int s) { sse(c, 0x0f74, d, s); }
static void pmovmskb(struct be_code *c, int gpr, int xmm) { sse(c, 0x0fd7, gpr, xmm); }
static void movdqa(struct be_code *c, int d, int s) { sse(c, 0x0f6f, d, s); }

/* t = byte 0 of t in every lane: pshufb by zeros, or without SSSE3
 * punpcklbw, pshuflw 0, punpcklqdq. */
static void splat_byte0(struct be_code *c, int t)
{
    if (x64_host_has(X64_HOST_SSSE3)) {
        sse(c, 0x0f3800, t, XZERO);
        return;
    }
    sse(c, 0x0f60, t, t);
    x64_emit_sse_rr(c, X64_P_F2, false, 0x0f70, t, t);
    x64_emit_byte(c, 0);
    sse(c, 0x0f6c, t, t);
}

/* Forward jcc rel32 sites, patched to the end of the op. */
struct fwd { uint8_t *site[17]; int n; };

static void jcc_fwd(struct be_code *c, struct fwd *f, enum x64_cc cc)
{
    f->site[f->n++] = c->ptr;
    x64_emit_jcc_rel32(c, cc, c->ptr);
}

static void patch_fwd(struct be_code *c, const struct fwd *f)
{
    for (int k = 0; k < f->n; k++) {
        int32_t rel = (int32_t)(c->ptr - (f->site[k] + 6));
        memcpy(be_writable(c, f->site[k] + 2), &rel, 4);
    }
}

/* eax = a's first zero lane (16 if none): bsf of the zero mask | 1 << 16. */
static void first_zero(struct be_code *c)
{
    movdqa(c, XT, XA);
    pcmpeqb(c, XT, XZERO);
    pmovmskb(c, X64_RAX, XT);
    x64_emit_alu_rm_imm(c, X64_OR, 0, X64_RAX, 0x10000);
    x64_emit_op_rm_r(c, 0, 0x0fbc, X64_RAX, X64_RAX);
}

/* acc |= (b == a[k]) for k below eax; a is shifted down a byte a step. */
static void equal_any(struct be_code *c)
{
    struct fwd f = { .n = 0 };
    zero(c, XACC);
    x64_emit_test_rm_r(c, 0, X64_RAX, X64_RAX);
    jcc_fwd(c, &f, X64_CC_E);
    for (int k = 0; k < 16; k++) {
        movdqa(c, XT, XA);
        splat_byte0(c, XT);
        pcmpeqb(c, XT, XB);
        sse(c, 0x0feb, XACC, XT);                           /* por */
        if (k == 15)
            break;
        sse(c, 0x0f73, 3, XA);                              /* psrldq a, 1 */
        x64_emit_byte(c, 1);
        x64_emit_alu_rm_imm(c, X64_CMP, 0, X64_RAX, k + 1);
        jcc_fwd(c, &f, X64_CC_BE);
    }
    patch_fwd(c, &f);
}

/* A register holding slot off: the env-slot cache's copy, else loaded
 * into scratch. */
static int slot_reg(struct be_code *c, int32_t off, int scratch)
{
    int r = vcache_find(off);
    if (r >= 0)
        return r;
    load(c, scratch, off);
    return scratch;
}

/* vmsks: pmovmskb of b, and of a into bits 16..31 (vpmovmskb ymm). */
static void sign_mask(struct be_code *c, const struct ir_insn *i, int rd)
{
    pmovmskb(c, rd, slot_reg(c, ir_vec_b(i), XB));
    if (!(ir_vec_imm(i) & 1))
        return;
    int t = rd == X64_RAX ? X64_RCX : X64_RAX;     /* (the output may be in rax) */
    pmovmskb(c, t, slot_reg(c, ir_vec_a(i), XA));
    x64_emit_shift_rm_imm(c, X64_SHL, 0, t, 16);
    x64_emit_alu_rm_r(c, X64_OR, 0, rd, t);
}

bool x64_emit_vec_str(struct be_code *c, const struct ir_insn *i, const struct be_arg *out)
{
    if ((i->size & IR_VE_MASK) != IR_VE_8 || ir_vec_scalar(i))
        return false;
    if (i->op == IR_vmsks) {
        sign_mask(c, i, out[0].reg);
        return true;
    }
    load(c, XB, ir_vec_b(i));
    switch (i->op) {
    case IR_vmskz:
        zero(c, XZERO);
        pcmpeqb(c, XB, XZERO);
        pmovmskb(c, out[0].reg, XB);
        return true;
    case IR_vmskeq:
        load(c, XA, ir_vec_a(i));
        pcmpeqb(c, XB, XA);
        pmovmskb(c, out[0].reg, XB);
        return true;
    default:                                                /* vmskany */
        load(c, XA, ir_vec_a(i));
        zero(c, XZERO);
        first_zero(c);
        equal_any(c);
        pmovmskb(c, out[0].reg, XACC);
        return true;
    }
}
