/* x86_avx_helpers.c -- C helpers of the VEX forms without a vector IR op
 * (see x86_avx_helpers.h for the arguments): compares with AVX's 32
 * predicates, register-mask blends, vpermilps/pd, vtestps/pd/vptest, and
 * vmaskmovps/pd, which touch guest memory lane by lane.
 */
#include <string.h>

#include "translator.h"
#include "x86_avx_helpers.h"
#include "x86_sse_float.h"

AVX_HELPER(cmpps)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 4; i++)
        D->d[i] = sse_f32_cmp(env, (int)(imm & 31), D->d[i], S->d[i]) ? ~0u : 0;
    return 0;
}

AVX_HELPER(cmppd)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 2; i++)
        D->q[i] = sse_f64_cmp(env, (int)(imm & 31), D->q[i], S->q[i]) ? ~0ull : 0;
    return 0;
}

AVX_HELPER(cmpss)
{
    x86_xmm *D = sse_reg(env, d);
    D->d[0] = sse_f32_cmp(env, (int)(imm & 31), D->d[0], sse_reg(env, s)->d[0]) ? ~0u : 0;
    return 0;
}

AVX_HELPER(cmpsd)
{
    x86_xmm *D = sse_reg(env, d);
    D->q[0] = sse_f64_cmp(env, (int)(imm & 31), D->q[0], sse_reg(env, s)->q[0]) ? ~0ull : 0;
    return 0;
}

/* d = mask lane's sign ? s : d, lanes of `bytes` bytes. */
static void avx_blendv(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t m, int bytes)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s), *M = sse_reg(env, m);
    for (int i = 0; i < 16; i += bytes)
        if (M->sb[i + bytes - 1] < 0)
            memcpy(&D->b[i], &S->b[i], (size_t)bytes);
}

AVX_HELPER(blendvps) { avx_blendv(env, d, s, imm, 4); return 0; }
AVX_HELPER(blendvpd) { avx_blendv(env, d, s, imm, 8); return 0; }
AVX_HELPER(pblendvb) { avx_blendv(env, d, s, imm, 1); return 0; }

AVX_HELPER(permilpd_imm)
{
    x86_xmm *D = sse_reg(env, d);
    x86_xmm S = *sse_reg(env, s);
    D->q[0] = S.q[imm & 1];
    D->q[1] = S.q[imm >> 1 & 1];
    return 0;
}

AVX_HELPER(permilps_var)
{
    x86_xmm *D = sse_reg(env, d), A = *D;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 4; i++)
        D->d[i] = A.d[S->d[i] & 3];
    return 0;
}

AVX_HELPER(permilpd_var)
{
    x86_xmm *D = sse_reg(env, d), A = *D;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 2; i++)
        D->q[i] = A.q[S->q[i] >> 1 & 1];
    return 0;
}

/* ZF: (d & s) has no selected bit set; CF: (~d & s) has none. */
AVX_HELPER(test)
{
    const x86_xmm *D = sse_reg(env, d), *S = sse_reg(env, s);
    uint64_t sel = imm == 32 ? 0x8000000080000000ull : imm == 64 ? 0x8000000000000000ull : ~0ull;
    uint64_t and = ((D->q[0] & S->q[0]) | (D->q[1] & S->q[1])) & sel;
    uint64_t andn = ((~D->q[0] & S->q[0]) | (~D->q[1] & S->q[1])) & sel;
    return (and ? 0 : X86_ZF) | (andn ? 0 : X86_CF);
}

/* vinsertps: as insertps, the source lane from imm[7:6] unless it is the
 * dword loaded from memory. */
AVX_HELPER(insertps)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    uint32_t v = imm & 0x100 ? S->d[0] : S->d[(imm >> 6) & 3];
    D->d[(imm >> 4) & 3] = v;
    for (int i = 0; i < 4; i++)
        if (imm >> i & 1)
            D->d[i] = 0;
    return 0;
}

/* The selected lanes of one 32-byte access (low half then high half). */
static bool avx_lane_on(struct x86_cpu *env, uint64_t imm, int lane, int bytes)
{
    int per_half = 16 / bytes, h = lane / per_half;
    const x86_xmm *M = sse_reg(env, h ? imm >> 16 & 0xffff : imm & 0xffff);
    return M->sb[(lane % per_half) * bytes + bytes - 1] < 0;
}

AVX_HELPER(maskmov)
{
    int bytes = (imm >> 32 & 0xff) == IR_VE_64 ? 8 : 4;
    bool store = imm >> 40 & 1, wide = imm >> 41 & 1;
    int lanes = (wide ? 32 : 16) / bytes, lo = lanes, hi = -1;
    for (int i = 0; i < lanes; i++)
        if (avx_lane_on(env, imm, i, bytes))
            lo = i < lo ? i : lo, hi = i;
    if (store && hi >= 0)
        x86_masked_store_ends(env, s + (uint64_t)(lo * bytes), s + (uint64_t)(hi * bytes + bytes - 1));
    for (int i = 0; i < lanes; i++)
        if (avx_lane_on(env, imm, i, bytes))
            x86_guest_probe(env, s + (uint64_t)(i * bytes), (size_t)bytes, store);
    uint8_t data[32];
    x86_xmm *R[2] = { sse_reg(env, d & 0xffff), sse_reg(env, d >> 16 & 0xffff) };
    memcpy(data, R[0], 16);
    memcpy(data + 16, R[1], 16);
    for (int i = 0; i < lanes; i++) {
        uint8_t *g = tr_guest_ptr(env, s + (uint64_t)(i * bytes));
        bool on = avx_lane_on(env, imm, i, bytes);
        if (store && on)
            memcpy(g, data + i * bytes, (size_t)bytes);
        else if (!store)
            on ? memcpy(data + i * bytes, g, (size_t)bytes) : memset(data + i * bytes, 0, (size_t)bytes);
    }
    if (!store) {
        memcpy(R[0], data, 16);
        if (wide)
            memcpy(R[1], data + 16, 16);
    }
    return 0;
}

#define AVX_IR_HELPER(name, fn) \
    const struct ir_helper avx_h_##name = { (void *)fn, #name, 3, 0, 0 };
AVX_IR_HELPER(permilpd_imm, x86_avx_helper_permilpd_imm)
AVX_IR_HELPER(permilps_var, x86_avx_helper_permilps_var)
AVX_IR_HELPER(permilpd_var, x86_avx_helper_permilpd_var)
AVX_IR_HELPER(pshufd, x86_sse_helper_pshufd)
