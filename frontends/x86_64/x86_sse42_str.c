/* x86_sse42_str.c -- the SSE4.2 string compares pcmpestri, pcmpestrm,
 * pcmpistri and pcmpistrm, following the SDM's description: imm8[1:0]
 * element format (unsigned/signed bytes/words), imm8[3:2] aggregation
 * (equal any, ranges, equal each, equal ordered) with its rules for
 * invalid elements (past the string end), imm8[5:4] polarity, imm8[6]
 * index or mask form.  glibc's SSE4.2 string functions depend on every
 * detail, flags included.
 *
 * Helpers return EFLAGS in bits 32+ and (index forms) ECX in bits 0..31;
 * the mask forms write XMM0.  imm bit 8 carries REX.W for the explicit
 * length forms (RAX/RDX instead of EAX/EDX).
 */
#include "x86_sse.h"

struct pcmpstr {
    int n;                  /* elements: 16 bytes or 8 words */
    int la, lb;             /* valid elements of a (op0) and b (op1) */
    int32_t a[16], b[16];   /* elements, sign- or zero-extended */
};

static void pcmpstr_elems(int32_t *out, const x86_xmm *x, unsigned fmt)
{
    for (int i = 0; i < (fmt & 1 ? 8 : 16); i++) {
        switch (fmt & 3) {
        case 0:  out[i] = x->b[i]; break;
        case 1:  out[i] = x->w[i]; break;
        case 2:  out[i] = x->sb[i]; break;
        default: out[i] = x->sw[i]; break;
        }
    }
}

/* Implicit length: elements before the first zero one. */
static int pcmpstr_implicit_len(const int32_t *e, int n)
{
    int i = 0;
    while (i < n && e[i])
        i++;
    return i;
}

/* Explicit length: |reg| saturated to n (computed unsigned: no overflow). */
static int pcmpstr_explicit_len(uint64_t reg, bool wide, int n)
{
    int64_t v = wide ? (int64_t)reg : (int64_t)(int32_t)reg;
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return mag > (uint64_t)n ? n : (int)mag;
}

/* imm[3:2] = 0: b[j] equals any valid a[i]. */
static unsigned pcmpstr_equal_any(const struct pcmpstr *p)
{
    unsigned r = 0;
    for (int j = 0; j < p->lb; j++)
        for (int i = 0; i < p->la; i++)
            if (p->a[i] == p->b[j])
                r |= 1u << j;
    return r;
}

/* 1: b[j] within any valid pair a[2k] <= b[j] <= a[2k+1]. */
static unsigned pcmpstr_ranges(const struct pcmpstr *p)
{
    unsigned r = 0;
    for (int j = 0; j < p->lb; j++)
        for (int i = 0; i + 1 < p->la; i += 2)
            if (p->a[i] <= p->b[j] && p->b[j] <= p->a[i + 1])
                r |= 1u << j;
    return r;
}

/* 2: a[j] == b[j]; both invalid counts as equal, one invalid as not. */
static unsigned pcmpstr_equal_each(const struct pcmpstr *p)
{
    unsigned r = 0;
    for (int j = 0; j < p->n; j++) {
        bool va = j < p->la, vb = j < p->lb;
        if (va && vb ? p->a[j] == p->b[j] : !va && !vb)
            r |= 1u << j;
    }
    return r;
}

/* 3: the valid part of a occurs in b at position j; an invalid a[i]
 * matches anything, a valid one never matches an invalid b[k]. */
static unsigned pcmpstr_equal_ordered(const struct pcmpstr *p)
{
    unsigned r = 0;
    for (int j = 0; j < p->n; j++) {
        bool match = true;
        for (int i = 0, k = j; k < p->n && match; i++, k++) {
            if (i >= p->la)
                break;
            match = k < p->lb && p->a[i] == p->b[k];
        }
        if (match)
            r |= 1u << j;
    }
    return r;
}

static unsigned (*const pcmpstr_aggregate[4])(const struct pcmpstr *) = {
    pcmpstr_equal_any, pcmpstr_ranges, pcmpstr_equal_each, pcmpstr_equal_ordered,
};

/* IntRes2: IntRes1 after the polarity of imm[5:4]. */
static unsigned pcmpstr_result(const struct pcmpstr *p, unsigned imm)
{
    unsigned all = (1u << p->n) - 1, r = pcmpstr_aggregate[(imm >> 2) & 3](p);
    switch ((imm >> 4) & 3) {
    case 1:  return ~r & all;
    case 3:  return (r ^ ((1u << p->lb) - 1)) & all;
    default: return r;
    }
}

static uint64_t pcmpstr_flags(const struct pcmpstr *p, unsigned res)
{
    uint64_t f = 0;
    if (res)
        f |= X86_CF;
    if (p->lb < p->n)
        f |= X86_ZF;
    if (p->la < p->n)
        f |= X86_SF;
    if (res & 1)
        f |= X86_OF;
    return f;
}

/* Loads both operands; explicit lengths come from RAX/RDX (EAX/EDX). */
static void pcmpstr_load(struct x86_cpu *env, struct pcmpstr *p, uint64_t d, uint64_t s,
                         uint64_t imm, bool explicit_len)
{
    p->n = imm & 1 ? 8 : 16;
    pcmpstr_elems(p->a, sse_reg(env, d), (unsigned)imm);
    pcmpstr_elems(p->b, sse_reg(env, s), (unsigned)imm);
    if (explicit_len) {
        bool wide = imm >> 8 & 1;
        p->la = pcmpstr_explicit_len(env->regs[X86_RAX], wide, p->n);
        p->lb = pcmpstr_explicit_len(env->regs[X86_RDX], wide, p->n);
    } else {
        p->la = pcmpstr_implicit_len(p->a, p->n);
        p->lb = pcmpstr_implicit_len(p->b, p->n);
    }
}

/* ECX: index of the lowest (imm[6] = 0) or highest set bit, n if none. */
static uint64_t pcmpstr_index(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm,
                              bool explicit_len)
{
    struct pcmpstr p;
    pcmpstr_load(env, &p, d, s, imm, explicit_len);
    unsigned res = pcmpstr_result(&p, (unsigned)imm);
    uint64_t idx = (uint64_t)p.n;
    if (res)
        idx = imm & 0x40 ? 31u - (unsigned)__builtin_clz(res) : (unsigned)__builtin_ctz(res);
    return pcmpstr_flags(&p, res) << 32 | idx;
}

/* XMM0: the bits (imm[6] = 0) or a byte/word mask per element. */
static uint64_t pcmpstr_mask(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm,
                             bool explicit_len)
{
    struct pcmpstr p;
    pcmpstr_load(env, &p, d, s, imm, explicit_len);
    unsigned res = pcmpstr_result(&p, (unsigned)imm);
    x86_xmm r = { .q = { 0, 0 } };
    if (!(imm & 0x40))
        r.q[0] = res;
    else
        for (int i = 0; i < p.n; i++) {
            if (p.n == 8)
                r.w[i] = res >> i & 1 ? 0xffff : 0;
            else
                r.b[i] = res >> i & 1 ? 0xff : 0;
        }
    env->xmm[0] = r;
    return pcmpstr_flags(&p, res) << 32;
}

SSE_HELPER(pcmpestri) { return pcmpstr_index(env, d, s, imm, true); }
SSE_HELPER(pcmpistri) { return pcmpstr_index(env, d, s, imm, false); }
SSE_HELPER(pcmpestrm) { return pcmpstr_mask(env, d, s, imm, true); }
SSE_HELPER(pcmpistrm) { return pcmpstr_mask(env, d, s, imm, false); }
