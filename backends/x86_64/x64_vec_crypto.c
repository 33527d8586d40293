/* x64_vec_crypto.c -- the vector crypto ops (vaesenc .. vclmul,
 * ir_ops.def) as the host's own AES-NI and PCLMULQDQ instructions when
 * CPUID has them and be_soft_crypto is off; otherwise x64_vec.c calls the
 * op's C helper.  The guest's semantics are the host's, so each op is one
 * instruction on registers of the env-slot cache (backends/vcache.c):
 *     w = a;  aesenc w, b  (aeskeygenassist/pclmulqdq: with the imm8);  d = w
 * and w stays d's cached copy, so a round loop whose state and keys live
 * in guest XMM registers runs from xmm8-xmm15.  No slow path.
 * Scratch: none beyond the cache registers it picks (x64_vec.c's).
 */
#include <sys/platform/x86.h>    /* the C library's CPUID record: no CPUID of libgcc's at start-up */

#include "x64_backend.h"
#include "x64_encode_sse.h"
#include "x64_vec.h"

bool be_soft_crypto;

/* 66-prefixed forms: opcode, whether an imm8 follows, which CPUID bit. */
struct crypto_form {
    uint32_t opc;
    bool imm, clmul;
};
static const struct crypto_form crypto_forms[IR_NUM_OPS] = {
    [IR_vaesenc] = { 0x0f38dc, false, false },  [IR_vaesencl] = { 0x0f38dd, false, false },
    [IR_vaesdec] = { 0x0f38de, false, false },  [IR_vaesdecl] = { 0x0f38df, false, false },
    [IR_vaesimc] = { 0x0f38db, false, false },  [IR_vaeskga]  = { 0x0f3adf, true, false },
    [IR_vclmul]  = { 0x0f3a44, true, true },
};

static bool host_has(bool clmul)
{
    return clmul ? CPU_FEATURE_ACTIVE(PCLMULQDQ) : CPU_FEATURE_ACTIVE(AES);
}

static void load(struct be_code *c, int xmm, int32_t off)
{
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

bool x64_emit_vec_crypto(struct be_code *c, const struct ir_insn *i)
{
    const struct crypto_form *f = &crypto_forms[i->op];
    if (!f->opc || be_soft_crypto || !host_has(f->clmul))
        return false;
    int32_t d = ir_vec_d(i), a = ir_vec_a(i);
    int ra = vcache_find(a);
    int rb = slot_reg(c, ir_vec_b(i), ra);
    int w;
    if (ra >= 0 && a == d) {
        w = ra;                     /* d's own copy, overwritten in place */
    } else {
        w = vcache_pick(ra, rb);
        if (ra >= 0)
            x64_emit_sse_rr(c, X64_P_66, false, 0x0f6f, w, ra);    /* movdqa */
        else
            load(c, w, a);
    }
    x64_emit_sse_rr(c, X64_P_66, false, f->opc, w, rb);
    if (f->imm)
        x64_emit_byte(c, (uint8_t)ir_vec_imm(i));
    x64_emit_movdqu_store(c, X64_ENV, x64_env_disp(d), w);
    vcache_forget(d, 16);
    vcache_set(w, d);
    return true;
}
