/* x86_sse3.c -- helpers of the SSE3 instructions: addsub, horizontal
 * add/sub (ps/pd) and the duplicating moves movddup/movshdup/movsldup.
 * Each arithmetic lane is one x86 operation (x86_sse_float.c rules:
 * first-operand NaN, DAZ/FTZ, MXCSR rounding and flags); the horizontal
 * forms compute every lane before writing, as d may equal s.
 */
#include "x86_sse.h"
#include "x86_sse_float.h"

/* r[i] = op[i](a[i], b[i]) on `lanes` single-precision lanes. */
static void sse3_lanes32(struct x86_cpu *env, uint32_t r[4], const uint32_t a[4],
                         const uint32_t b[4], const enum sse_fop op[4])
{
    bool plain = !(env->mxcsr & SSE_MXCSR_MODE_BITS);
    int saved = sse_round_enter(env);       /* also for the host DE */
    for (int i = 0; i < 4; i++)
        r[i] = plain ? sse_f32_op_default(env, op[i], a[i], b[i])
                     : sse_f32_op(env, op[i], a[i], b[i]);
    sse_round_leave(saved);
}

static void sse3_lanes64(struct x86_cpu *env, uint64_t r[2], const uint64_t a[2],
                         const uint64_t b[2], const enum sse_fop op[2])
{
    bool plain = !(env->mxcsr & SSE_MXCSR_MODE_BITS);
    int saved = sse_round_enter(env);       /* also for the host DE */
    for (int i = 0; i < 2; i++)
        r[i] = plain ? sse_f64_op_default(env, op[i], a[i], b[i])
                     : sse_f64_op(env, op[i], a[i], b[i]);
    sse_round_leave(saved);
}

SSE_HELPER(addsubps)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    static const enum sse_fop op[4] = { SSE_FSUB, SSE_FADD, SSE_FSUB, SSE_FADD };
    uint32_t r[4];
    sse3_lanes32(env, r, D->d, S->d, op);
    memcpy(D->d, r, 16);
    return 0;
}

SSE_HELPER(addsubpd)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    static const enum sse_fop op[2] = { SSE_FSUB, SSE_FADD };
    uint64_t r[2];
    sse3_lanes64(env, r, D->q, S->q, op);
    memcpy(D->q, r, 16);
    return 0;
}

/* Pairs: r0 = D0 op D1, r1 = D2 op D3, r2 = S0 op S1, r3 = S2 op S3. */
static void sse3_hps(struct x86_cpu *env, uint64_t d, uint64_t s, enum sse_fop f)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    const uint32_t a[4] = { D->d[0], D->d[2], S->d[0], S->d[2] };
    const uint32_t b[4] = { D->d[1], D->d[3], S->d[1], S->d[3] };
    const enum sse_fop op[4] = { f, f, f, f };
    uint32_t r[4];
    sse3_lanes32(env, r, a, b, op);
    memcpy(D->d, r, 16);
}

static void sse3_hpd(struct x86_cpu *env, uint64_t d, uint64_t s, enum sse_fop f)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    const uint64_t a[2] = { D->q[0], S->q[0] };
    const uint64_t b[2] = { D->q[1], S->q[1] };
    const enum sse_fop op[2] = { f, f };
    uint64_t r[2];
    sse3_lanes64(env, r, a, b, op);
    memcpy(D->q, r, 16);
}

SSE_HELPER(haddps) { sse3_hps(env, d, s, SSE_FADD); return 0; }
SSE_HELPER(hsubps) { sse3_hps(env, d, s, SSE_FSUB); return 0; }
SSE_HELPER(haddpd) { sse3_hpd(env, d, s, SSE_FADD); return 0; }
SSE_HELPER(hsubpd) { sse3_hpd(env, d, s, SSE_FSUB); return 0; }

/* movddup reads only the low quadword (m64 for memory sources). */
SSE_HELPER(movddup)
{
    uint64_t v = sse_reg(env, s)->q[0];
    x86_xmm *D = sse_reg(env, d);
    D->q[0] = v;
    D->q[1] = v;
    return 0;
}

/* Odd (movshdup) or even (movsldup) dwords duplicated into both of a pair. */
static void sse3_dup32(struct x86_cpu *env, uint64_t d, uint64_t s, int odd)
{
    const x86_xmm *S = sse_reg(env, s);
    uint32_t lo = S->d[odd], hi = S->d[2 + odd];
    x86_xmm *D = sse_reg(env, d);
    D->d[0] = D->d[1] = lo;
    D->d[2] = D->d[3] = hi;
}

SSE_HELPER(movshdup) { sse3_dup32(env, d, s, 1); return 0; }
SSE_HELPER(movsldup) { sse3_dup32(env, d, s, 0); return 0; }
