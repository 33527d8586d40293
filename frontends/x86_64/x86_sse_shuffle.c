/* x86_sse_shuffle.c -- helpers of the SSE/SSE2 instructions that move
 * lanes around: pack with saturation, unpack (interleave), shuffles,
 * pextrw/pinsrw and the sign-bit masks.  Results are built in a local
 * register first because lanes cross (and d may equal s).
 */
#include <string.h>

#include "x86_sse.h"

static inline int sse_sat(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

SSE_HELPER(packsswb)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 8; i++) {
        r.sb[i] = (int8_t)sse_sat(D->sw[i], -128, 127);
        r.sb[8 + i] = (int8_t)sse_sat(S->sw[i], -128, 127);
    }
    *D = r;
    return 0;
}

SSE_HELPER(packuswb)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 8; i++) {
        r.b[i] = (uint8_t)sse_sat(D->sw[i], 0, 255);
        r.b[8 + i] = (uint8_t)sse_sat(S->sw[i], 0, 255);
    }
    *D = r;
    return 0;
}

SSE_HELPER(packssdw)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 4; i++) {
        r.sw[i] = (int16_t)sse_sat(D->sd[i], -32768, 32767);
        r.sw[4 + i] = (int16_t)sse_sat(S->sd[i], -32768, 32767);
    }
    *D = r;
    return 0;
}

/* Interleaves the low (or high) halves' elements of `size` bytes:
 * d0 s0 d1 s1 ... */
static void sse_unpack(struct x86_cpu *env, uint64_t d, uint64_t s, int size, bool high)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    int base = high ? 8 : 0;
    for (int i = 0; i < 8 / size; i++) {
        memcpy(&r.b[2 * i * size], &D->b[base + i * size], size);
        memcpy(&r.b[(2 * i + 1) * size], &S->b[base + i * size], size);
    }
    *D = r;
}

SSE_HELPER(punpcklbw)  { sse_unpack(env, d, s, 1, false); return 0; }
SSE_HELPER(punpcklwd)  { sse_unpack(env, d, s, 2, false); return 0; }
SSE_HELPER(punpckldq)  { sse_unpack(env, d, s, 4, false); return 0; }
SSE_HELPER(punpcklqdq) { sse_unpack(env, d, s, 8, false); return 0; }
SSE_HELPER(punpckhbw)  { sse_unpack(env, d, s, 1, true); return 0; }
SSE_HELPER(punpckhwd)  { sse_unpack(env, d, s, 2, true); return 0; }
SSE_HELPER(punpckhdq)  { sse_unpack(env, d, s, 4, true); return 0; }
SSE_HELPER(punpckhqdq) { sse_unpack(env, d, s, 8, true); return 0; }
SSE_HELPER(unpcklps)   { sse_unpack(env, d, s, 4, false); return 0; }
SSE_HELPER(unpckhps)   { sse_unpack(env, d, s, 4, true); return 0; }
SSE_HELPER(unpcklpd)   { sse_unpack(env, d, s, 8, false); return 0; }
SSE_HELPER(unpckhpd)   { sse_unpack(env, d, s, 8, true); return 0; }

SSE_HELPER(pshufd)
{
    const x86_xmm *S = sse_reg(env, s);
    x86_xmm r;
    for (int i = 0; i < 4; i++)
        r.d[i] = S->d[(imm >> (2 * i)) & 3];
    *sse_reg(env, d) = r;
    return 0;
}

/* pshuflw / pshufhw: shuffle the words of one half, copy the other. */
static void sse_pshufw(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm, int half)
{
    const x86_xmm *S = sse_reg(env, s);
    x86_xmm r = *S;
    for (int i = 0; i < 4; i++)
        r.w[4 * half + i] = S->w[4 * half + ((imm >> (2 * i)) & 3)];
    *sse_reg(env, d) = r;
}

SSE_HELPER(pshuflw) { sse_pshufw(env, d, s, imm, 0); return 0; }
SSE_HELPER(pshufhw) { sse_pshufw(env, d, s, imm, 1); return 0; }

/* Low half of the result from the destination, high half from the source. */
SSE_HELPER(shufps)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    r.d[0] = D->d[imm & 3];
    r.d[1] = D->d[(imm >> 2) & 3];
    r.d[2] = S->d[(imm >> 4) & 3];
    r.d[3] = S->d[(imm >> 6) & 3];
    *D = r;
    return 0;
}

SSE_HELPER(shufpd)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    r.q[0] = D->q[imm & 1];
    r.q[1] = S->q[(imm >> 1) & 1];
    *D = r;
    return 0;
}

SSE_HELPER(pextrw)
{
    return sse_reg(env, s)->w[imm & 7];
}

/* s is the value of the general register or m16 operand. */
SSE_HELPER(pinsrw)
{
    sse_reg(env, d)->w[imm & 7] = (uint16_t)s;
    return 0;
}

SSE_HELPER(pmovmskb)
{
    const x86_xmm *S = sse_reg(env, s);
    uint64_t m = 0;
    for (int i = 0; i < 16; i++)
        m |= (uint64_t)(S->b[i] >> 7) << i;
    return m;
}

SSE_HELPER(movmskps)
{
    const x86_xmm *S = sse_reg(env, s);
    uint64_t m = 0;
    for (int i = 0; i < 4; i++)
        m |= (uint64_t)(S->d[i] >> 31) << i;
    return m;
}

SSE_HELPER(movmskpd)
{
    const x86_xmm *S = sse_reg(env, s);
    return (S->q[0] >> 63) | (S->q[1] >> 63) << 1;
}
