/* x86_sse41_lane.c -- helpers of the SSE4.1 instructions that pick single
 * lanes or reduce a register: pinsrb/d/q, pextrb/d/q and extractps
 * (results go to a general register or memory, x86_sse_ext.c), insertps,
 * ptest (EFLAGS), phminposuw and mpsadbw.
 */
#include "x86_sse.h"

/* s is the value of the general register or memory operand. */
SSE_HELPER(pinsrb) { sse_reg(env, d)->b[imm & 15] = (uint8_t)s; return 0; }
SSE_HELPER(pinsrd) { sse_reg(env, d)->d[imm & 3] = (uint32_t)s; return 0; }
SSE_HELPER(pinsrq) { sse_reg(env, d)->q[imm & 1] = s; return 0; }

SSE_HELPER(pextrb) { return sse_reg(env, s)->b[imm & 15]; }
SSE_HELPER(pextrd) { return sse_reg(env, s)->d[imm & 3]; }
SSE_HELPER(pextrq) { return sse_reg(env, s)->q[imm & 1]; }

/* imm[7:6] source lane (a memory source is the single dword loaded into
 * xmm_tmp, whatever imm says), imm[5:4] destination lane, imm[3:0] lanes
 * zeroed afterwards. */
SSE_HELPER(insertps)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    uint32_t v = s >= 16 ? S->d[0] : S->d[(imm >> 6) & 3];
    D->d[(imm >> 4) & 3] = v;
    for (int i = 0; i < 4; i++)
        if (imm >> i & 1)
            D->d[i] = 0;
    return 0;
}

/* ZF: (d AND s) == 0, CF: (NOT d AND s) == 0; the other flags clear. */
SSE_HELPER(ptest)
{
    const x86_xmm *D = sse_reg(env, d), *S = sse_reg(env, s);
    uint64_t and = (D->q[0] & S->q[0]) | (D->q[1] & S->q[1]);
    uint64_t andn = (~D->q[0] & S->q[0]) | (~D->q[1] & S->q[1]);
    return (and ? 0 : X86_ZF) | (andn ? 0 : X86_CF);
}

/* The smallest unsigned word (first one on ties) and its index. */
SSE_HELPER(phminposuw)
{
    const x86_xmm *S = sse_reg(env, s);
    int best = 0;
    for (int i = 1; i < 8; i++)
        if (S->w[i] < S->w[best])
            best = i;
    x86_xmm *D = sse_reg(env, d);
    D->q[0] = S->w[best] | (uint64_t)best << 16;
    D->q[1] = 0;
    return 0;
}

/* Eight sums of absolute differences of 4-byte blocks: destination
 * blocks start at byte 4*imm[2] + i, the source block at 4*imm[1:0]. */
SSE_HELPER(mpsadbw)
{
    x86_xmm *D = sse_reg(env, d), r;
    const x86_xmm *S = sse_reg(env, s);
    int doff = (imm & 4) ? 4 : 0, soff = (int)(imm & 3) * 4;
    for (int i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (int k = 0; k < 4; k++) {
            int a = D->b[doff + i + k], b = S->b[soff + k];
            sum += (unsigned)(a > b ? a - b : b - a);
        }
        r.w[i] = (uint16_t)sum;
    }
    *D = r;
    return 0;
}
