/* x86_sse41_int.c -- helpers of the SSE4.1 (and SSE4.2 pcmpgtq) packed
 * integer instructions that work lane by lane: blends (immediate and
 * XMM0-selected), signed/unsigned min/max of the widths SSE2 lacked,
 * pmulld, pmuldq, packusdw, pcmpeqq/pcmpgtq and the pmovsx/pmovzx
 * widening moves.
 */
#include <string.h>

#include "x86_sse.h"

/* Lane i of the destination from lane i of the source when `pick` holds;
 * a and b are the destination's and the source's lane. */
#define SSE41_LANES(name, field, n, T, expr)                    \
    SSE_HELPER(name)                                            \
    {                                                           \
        x86_xmm *D = sse_reg(env, d);                           \
        const x86_xmm *S = sse_reg(env, s);                     \
        const x86_xmm *X0 = &env->xmm[0];                       \
        (void)X0;                                               \
        for (int i = 0; i < n; i++) {                           \
            T a = D->field[i], b = S->field[i];                 \
            D->field[i] = (expr);                               \
        }                                                       \
        return 0;                                               \
    }

/* blends: an imm8 bit per lane, or the top bit of XMM0's lane */
SSE41_LANES(blendps, d, 4, uint32_t, imm >> i & 1 ? b : a)
SSE41_LANES(blendpd, q, 2, uint64_t, imm >> i & 1 ? b : a)
SSE41_LANES(pblendw, w, 8, uint16_t, imm >> i & 1 ? b : a)
SSE41_LANES(pblendvb, b, 16, uint8_t, X0->b[i] >> 7 ? b : a)
SSE41_LANES(blendvps, d, 4, uint32_t, X0->d[i] >> 31 ? b : a)
SSE41_LANES(blendvpd, q, 2, uint64_t, X0->q[i] >> 63 ? b : a)

SSE41_LANES(pminsb, sb, 16, int8_t, a < b ? a : b)
SSE41_LANES(pmaxsb, sb, 16, int8_t, a > b ? a : b)
SSE41_LANES(pminsd, sd, 4, int32_t, a < b ? a : b)
SSE41_LANES(pmaxsd, sd, 4, int32_t, a > b ? a : b)
SSE41_LANES(pminuw, w, 8, uint16_t, a < b ? a : b)
SSE41_LANES(pmaxuw, w, 8, uint16_t, a > b ? a : b)
SSE41_LANES(pminud, d, 4, uint32_t, a < b ? a : b)
SSE41_LANES(pmaxud, d, 4, uint32_t, a > b ? a : b)
SSE41_LANES(pmulld, d, 4, uint32_t, a * b)
SSE41_LANES(pcmpeqq, q, 2, uint64_t, a == b ? ~0ull : 0)
SSE41_LANES(pcmpgtq, sq, 2, int64_t, a > b ? -1 : 0)

/* Even signed dwords multiplied into full 64-bit products. */
SSE_HELPER(pmuldq)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 2; i++)
        D->sq[i] = (int64_t)D->sd[2 * i] * S->sd[2 * i];
    return 0;
}

static inline uint16_t sse41_sat_u16(int32_t v)
{
    return (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : v);
}

SSE_HELPER(packusdw)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 4; i++) {
        r.w[i] = sse41_sat_u16(D->sd[i]);
        r.w[4 + i] = sse41_sat_u16(S->sd[i]);
    }
    *D = r;
    return 0;
}

/* pmovsx/pmovzx: the low 16/`to` lanes of `from` bytes each, widened to
 * `to` bytes (memory sources load exactly the bytes needed). */
static void sse41_widen(struct x86_cpu *env, uint64_t d, uint64_t s, int from, int to,
                        bool sign)
{
    const x86_xmm *S = sse_reg(env, s);
    x86_xmm r;
    for (int i = 0; i < 16 / to; i++) {
        uint64_t v = 0;
        memcpy(&v, &S->b[i * from], (size_t)from);
        int unused = 64 - 8 * from;
        if (sign && (v >> (8 * from - 1) & 1))
            v |= ~0ull << (64 - unused);
        memcpy(&r.b[i * to], &v, (size_t)to);
    }
    *sse_reg(env, d) = r;
}

#define SSE41_PMOV(sx, zx, from, to) \
    SSE_HELPER(sx) { sse41_widen(env, d, s, from, to, true); return 0; } \
    SSE_HELPER(zx) { sse41_widen(env, d, s, from, to, false); return 0; }

SSE41_PMOV(pmovsxbw, pmovzxbw, 1, 2)
SSE41_PMOV(pmovsxbd, pmovzxbd, 1, 4)
SSE41_PMOV(pmovsxbq, pmovzxbq, 1, 8)
SSE41_PMOV(pmovsxwd, pmovzxwd, 2, 4)
SSE41_PMOV(pmovsxwq, pmovzxwq, 2, 8)
SSE41_PMOV(pmovsxdq, pmovzxdq, 4, 8)
