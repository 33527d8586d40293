/* x64_vec_crypto.c -- the vector crypto ops (vaesenc .. vclmul, vsha1rnds4
 * .. vsha256msg2: ir_ops.def) as the host's own AES-NI, PCLMULQDQ and SHA
 * instructions when CPUID has them and be_soft_crypto is off; otherwise
 * x64_vec.c calls the op's C helper.  The guest's semantics are the host's, so each op is one
 * instruction on registers of the env-slot cache (backends/vcache.c):
 *     w = a;  aesenc w, b  (aeskeygenassist/pclmulqdq: with the imm8);  d = w
 * and w stays d's cached copy, so a round loop whose state and keys live
 * in guest XMM registers runs from xmm8-xmm15.  With AVX the AES rounds
 * and pclmulqdq take their VEX form, vaesenc w, a, b: no copy of a.  sha256rnds2's implicit
 * third source goes to the host's xmm0.  No slow path.
 * Scratch: xmm0 (x64_vec.c's).
 */
#include "x64_backend.h"
#include "x64_encode_sse.h"
#include "x64_host.h"
#include "x64_vec.h"

bool be_soft_crypto;

enum { F_AES = X64_HOST_AES, F_CLMUL = X64_HOST_PCLMUL, F_SHA = X64_HOST_SHA };

/* Opcode, mandatory prefix, whether an imm8 follows, which host feature,
 * whether a VEX.128 three-operand form exists (AVX: the AES rounds and
 * vpclmulqdq read a from its cached register instead of a copy). */
struct crypto_form {
    uint32_t opc;
    enum x64_sse_pfx pfx;
    bool imm;
    uint8_t feature;
    bool rvm;
};
#define F66(o, imm, f, rvm) { 0x##o, X64_P_66, imm, f, rvm }
#define FNP(o, imm) { 0x##o, X64_PNONE, imm, F_SHA, false }
static const struct crypto_form crypto_forms[IR_NUM_OPS] = {
    [IR_vaesenc] = F66(0f38dc, false, F_AES, true), [IR_vaesencl] = F66(0f38dd, false, F_AES, true),
    [IR_vaesdec] = F66(0f38de, false, F_AES, true), [IR_vaesdecl] = F66(0f38df, false, F_AES, true),
    [IR_vaesimc] = F66(0f38db, false, F_AES, false), [IR_vaeskga] = F66(0f3adf, true, F_AES, false),
    [IR_vclmul]  = F66(0f3a44, true, F_CLMUL, true),
    [IR_vsha1rnds4] = FNP(0f3acc, true), [IR_vsha1nexte] = FNP(0f38c8, false),
    [IR_vsha1msg1] = FNP(0f38c9, false), [IR_vsha1msg2] = FNP(0f38ca, false),
    [IR_vsha256rnds2] = FNP(0f38cb, false), [IR_vsha256msg1] = FNP(0f38cc, false),
    [IR_vsha256msg2] = FNP(0f38cd, false),
};

static void load(struct be_code *c, int xmm, int32_t off)
{
    x64_vec_env_read(off, 16);
    x64_emit_movdqu_load(c, xmm, X64_ENV, x64_env_disp(off));
}

/* A cache register holding slot off: its copy, else loaded into a new one. */
static int slot_reg(struct be_code *c, int32_t off, int avoid)
{
    int r = vcache_find(off);
    if (r >= 0)
        return r;
    r = vcache_pick(avoid, -1);
    load(c, r, off);
    vcache_set(r, off);
    return r;
}

/* Host xmm0 (scratch) = slot off, for sha256rnds2. */
static void sha256_xmm0(struct be_code *c, int32_t off)
{
    int r = vcache_find(off);
    if (r >= 0)
        x64_emit_sse_rr(c, X64_P_66, false, 0x0f6f, 0, r);     /* movdqa */
    else
        load(c, 0, off);
}

bool x64_emit_vec_crypto(struct be_code *c, const struct ir_insn *i)
{
    const struct crypto_form *f = &crypto_forms[i->op];
    if (!f->opc || be_soft_crypto || !x64_host_has(f->feature))
        return false;
    int32_t d = ir_vec_d(i), a = ir_vec_a(i);
    int ra = vcache_find(a);
    int rb = slot_reg(c, ir_vec_b(i), ra);
    int w, r1;
    if (ra >= 0 && a == d) {
        w = r1 = ra;                /* d's own copy, overwritten in place */
    } else {
        w = r1 = vcache_pick(ra, rb);
        if (ra >= 0 && f->rvm && x64_host_has(X64_HOST_AVX))
            r1 = ra;                /* read in place by the VEX form */
        else if (ra >= 0)
            x64_emit_sse_rr(c, X64_P_66, false, 0x0f6f, w, ra);    /* movdqa */
        else
            load(c, w, a);
    }
    if (i->op == IR_vsha256rnds2)   /* the implicit third source, in the host's xmm0 */
        sha256_xmm0(c, (int32_t)ir_vec_imm(i));
    if (r1 == w)
        x64_emit_sse_rr(c, f->pfx, false, f->opc, w, rb);
    else
        x64_emit_vex_rvm(c, f->pfx, f->opc, w, r1, rb);
    if (f->imm)
        x64_emit_byte(c, (uint8_t)ir_vec_imm(i));
    x64_vec_store_result(c, w);
    return true;
}
