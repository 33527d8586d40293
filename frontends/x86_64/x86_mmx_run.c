/* x86_mmx_run.c -- the run-time helper of every MMX arithmetic, shuffle,
 * extract/insert and conversion form: it lays the 64-bit operands out in
 * env->xmm_tmp (enum mmx_shape), calls the SSE helper of the 128-bit
 * form on them, and takes the MMX result from the low quadword.
 */
#include "x86_mmx.h"

#define MMX_T0 SSE_TMP0
#define MMX_T1 (SSE_TMP0 + 1)

/* The 64-bit source: MMi, or the memory operand IR loaded into T1. */
static uint64_t mmx_source(const struct x86_cpu *env, uint64_t s)
{
    return s < 8 ? mmx_get(env, (unsigned)s) : env->xmm_tmp[1].q[0];
}

static void mmx_tmp_set(struct x86_cpu *env, int t, uint64_t lo, uint64_t hi)
{
    env->xmm_tmp[t].q[0] = lo;
    env->xmm_tmp[t].q[1] = hi;
}

static void mmx_arrange(struct x86_cpu *env, enum mmx_shape shape, uint64_t a, uint64_t b)
{
    switch (shape) {
    case MMX_S_CONCAT: mmx_tmp_set(env, 0, a, b); mmx_tmp_set(env, 1, a, b); break;
    case MMX_S_HIGH:   mmx_tmp_set(env, 0, a >> 32, 0); mmx_tmp_set(env, 1, b >> 32, 0); break;
    case MMX_S_DUPA:   mmx_tmp_set(env, 0, a, a); mmx_tmp_set(env, 1, b, 0); break;
    case MMX_S_ALIGN:  mmx_tmp_set(env, 0, 0, 0); mmx_tmp_set(env, 1, b, a); break;
    default:           mmx_tmp_set(env, 0, a, 0); mmx_tmp_set(env, 1, b, 0); break;
    }
}

static uint64_t mmx_imm(const struct mmx_row *row, uint64_t imm)
{
    return row->shape == MMX_S_WORD ? imm & 3 : imm;
}

/* mm d <- fn(mm d, mm/m64 s) */
static void mmx_run_mm(struct x86_cpu *env, const struct mmx_row *row,
                       uint64_t d, uint64_t s, uint64_t imm)
{
    mmx_arrange(env, row->shape, mmx_get(env, (unsigned)d), mmx_source(env, s));
    row->fn(env, MMX_T0, MMX_T1, mmx_imm(row, imm));
    mmx_set(env, (unsigned)d, env->xmm_tmp[0].q[0]);
}

/* gpr <- fn(mm s) */
static uint64_t mmx_run_gpr_mm(struct x86_cpu *env, const struct mmx_row *row,
                               uint64_t s, uint64_t imm)
{
    mmx_tmp_set(env, 1, mmx_source(env, s), 0);
    uint64_t r = row->fn(env, MMX_T0, MMX_T1, mmx_imm(row, imm));
    mmx_enter(env);
    return r;
}

/* mm d <- fn(mm d, value) */
static void mmx_run_mm_gpr(struct x86_cpu *env, const struct mmx_row *row,
                           uint64_t d, uint64_t value, uint64_t imm)
{
    mmx_tmp_set(env, 0, mmx_get(env, (unsigned)d), 0);
    row->fn(env, MMX_T0, value, mmx_imm(row, imm));
    mmx_set(env, (unsigned)d, env->xmm_tmp[0].q[0]);
}

/* Conversions: fn is the packed-dword form (cvtdq2ps, cvtps2dq, ...).
 * For the mm -> xmm forms s is MMi or MMX_SRC_MEM, and only a register
 * source makes the x87 -> MMX transition; for the xmm -> mm forms s is
 * an XMM index or MMX_SRC_MEM. */
static void mmx_run_cvt(struct x86_cpu *env, const struct mmx_row *row, uint64_t d, uint64_t s)
{
    if (row->shape == MMX_CVT_MM_TO_XMM_LO || row->shape == MMX_CVT_MM_TO_XMM) {
        mmx_tmp_set(env, 1, mmx_source(env, s), 0);
        row->fn(env, MMX_T0, MMX_T1, 0);
        env->xmm[d & 15].q[0] = env->xmm_tmp[0].q[0];
        if (row->shape == MMX_CVT_MM_TO_XMM)
            env->xmm[d & 15].q[1] = env->xmm_tmp[0].q[1];
        if (s < 8)
            mmx_enter(env);
        return;
    }
    x86_xmm src = *sse_reg(env, s);
    if (row->shape == MMX_CVT_XMM_LO_TO_MM)
        src.q[1] = 0;
    env->xmm_tmp[1] = src;
    row->fn(env, MMX_T0, MMX_T1, 0);
    mmx_set(env, (unsigned)d, env->xmm_tmp[0].q[0]);
}

uint64_t x86_mmx_run(struct x86_cpu *env, uint64_t row_index, uint64_t d, uint64_t s, uint64_t imm)
{
    const struct mmx_row *row = mmx_row_at(row_index);
    switch (row->form) {
    case MMX_F_GPR_MM: return mmx_run_gpr_mm(env, row, s, imm);
    case MMX_F_MM_GPR: mmx_run_mm_gpr(env, row, d, s, imm); return 0;
    case MMX_F_CVT:    mmx_run_cvt(env, row, d, s); return 0;
    default:           mmx_run_mm(env, row, d, s, imm); return 0;
    }
}
