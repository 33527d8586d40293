/* x86_ssse3.c -- helpers of the SSSE3 instructions on XMM registers:
 * pshufb, horizontal add/sub (wrapping and saturating), pmaddubsw,
 * pmulhrsw, palignr, pabs and psign.  The 64-bit MMX forms run these
 * same helpers (x86_mmx_run.c).  Results that mix lanes are built in a
 * local register first, as d may equal s.
 */
#include "x86_sse.h"

static inline int ssse3_sat16(int v)
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

/* Byte i of the result: source byte's top bit zeroes it, else its low
 * nibble selects a byte of the destination. */
SSE_HELPER(pshufb)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 16; i++)
        r.b[i] = S->b[i] & 0x80 ? 0 : D->b[S->b[i] & 15];
    *D = r;
    return 0;
}

enum ssse3_hop { HADD, HSUB, HADDS, HSUBS };

static int ssse3_hword(enum ssse3_hop op, int a, int b)
{
    switch (op) {
    case HADD:  return a + b;
    case HSUB:  return a - b;
    case HADDS: return ssse3_sat16(a + b);
    default:    return ssse3_sat16(a - b);
    }
}

/* Adjacent word pairs of the destination fill the low half, the
 * source's the high half. */
static void ssse3_hw(struct x86_cpu *env, uint64_t d, uint64_t s, enum ssse3_hop op)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 4; i++) {
        r.w[i] = (uint16_t)ssse3_hword(op, D->sw[2 * i], D->sw[2 * i + 1]);
        r.w[4 + i] = (uint16_t)ssse3_hword(op, S->sw[2 * i], S->sw[2 * i + 1]);
    }
    *D = r;
}

static void ssse3_hd(struct x86_cpu *env, uint64_t d, uint64_t s, bool sub)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 2; i++) {
        r.d[i] = sub ? D->d[2 * i] - D->d[2 * i + 1] : D->d[2 * i] + D->d[2 * i + 1];
        r.d[2 + i] = sub ? S->d[2 * i] - S->d[2 * i + 1] : S->d[2 * i] + S->d[2 * i + 1];
    }
    *D = r;
}

SSE_HELPER(phaddw)  { ssse3_hw(env, d, s, HADD); return 0; }
SSE_HELPER(phsubw)  { ssse3_hw(env, d, s, HSUB); return 0; }
SSE_HELPER(phaddsw) { ssse3_hw(env, d, s, HADDS); return 0; }
SSE_HELPER(phsubsw) { ssse3_hw(env, d, s, HSUBS); return 0; }
SSE_HELPER(phaddd)  { ssse3_hd(env, d, s, false); return 0; }
SSE_HELPER(phsubd)  { ssse3_hd(env, d, s, true); return 0; }

/* Unsigned destination bytes times signed source bytes, pairs summed
 * with signed saturation into words. */
SSE_HELPER(pmaddubsw)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 8; i++)
        r.w[i] = (uint16_t)ssse3_sat16(D->b[2 * i] * S->sb[2 * i] +
                                       D->b[2 * i + 1] * S->sb[2 * i + 1]);
    *D = r;
    return 0;
}

/* (a*b >> 14) + 1 >> 1; -32768 * -32768 wraps to 0x8000 as on x86.  The
 * shifts are done on an offset non-negative value so that no signed
 * right shift of a negative number is involved. */
SSE_HELPER(pmulhrsw)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 8; i++) {
        uint32_t p = (uint32_t)((int32_t)D->sw[i] * S->sw[i]) + 0x80000000u;
        D->w[i] = (uint16_t)((((p >> 14) + 1) >> 1) - 0x10000u);
    }
    return 0;
}

/* Destination:source as one 32-byte value, shifted right imm bytes. */
SSE_HELPER(palignr)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (unsigned i = 0; i < 16; i++) {
        unsigned k = i + (unsigned)(imm & 0xff);
        r.b[i] = k < 16 ? S->b[k] : k < 32 ? D->b[k - 16] : 0;
    }
    *D = r;
    return 0;
}

SSE_HELPER(pabsb)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 16; i++)
        r.b[i] = (uint8_t)(S->sb[i] < 0 ? -S->sb[i] : S->sb[i]);
    *D = r;
    return 0;
}

SSE_HELPER(pabsw)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 8; i++)
        r.w[i] = (uint16_t)(S->sw[i] < 0 ? -S->sw[i] : S->sw[i]);
    *D = r;
    return 0;
}

SSE_HELPER(pabsd)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 4; i++)
        r.d[i] = S->sd[i] < 0 ? 0u - S->d[i] : S->d[i];
    *D = r;
    return 0;
}

/* psign: negate (wrapping), zero or keep by the sign of the source lane. */
#define SSSE3_PSIGN(name, field, ufield, n, UT)                         \
    SSE_HELPER(name)                                                    \
    {                                                                   \
        x86_xmm *D = sse_reg(env, d);                                   \
        const x86_xmm *S = sse_reg(env, s);                             \
        for (int i = 0; i < n; i++) {                                   \
            UT a = D->ufield[i];                                        \
            D->ufield[i] = S->field[i] < 0 ? (UT)(0u - a) : S->field[i] ? a : 0; \
        }                                                               \
        return 0;                                                       \
    }

SSSE3_PSIGN(psignb, sb, b, 16, uint8_t)
SSSE3_PSIGN(psignw, sw, w, 8, uint16_t)
SSSE3_PSIGN(psignd, sd, d, 4, uint32_t)
