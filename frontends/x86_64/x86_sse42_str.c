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
    unsigned fmt;           /* imm[1:0] */
    x86_xmm a, b;
};

#define PCMP_BYTES_01 0x0101010101010101ull
#define PCMP_BYTES_7F 0x7f7f7f7f7f7f7f7full
#define PCMP_WORDS_7FFF 0x7fff7fff7fff7fffull

/* Element i, sign- or zero-extended by the format (for ranges). */
static int32_t pcmpstr_elem(const x86_xmm *x, unsigned fmt, int i)
{
    switch (fmt & 3) {
    case 0:  return x->b[i];
    case 1:  return x->w[i];
    case 2:  return x->sb[i];
    default: return x->sw[i];
    }
}

/* Bit i set iff element i of the 128-bit value x is zero: exact SWAR
 * zero detection (bit 7/15 of ~(((x & 0x7f..) + 0x7f..) | x)), then the
 * flag bits gathered by a multiply (bytes) or a short loop (words). */
static unsigned pcmpstr_zero_mask(const uint64_t x[2], bool words)
{
    unsigned m = 0;
    for (int h = 0; h < 2; h++) {
        uint64_t lo7 = words ? PCMP_WORDS_7FFF : PCMP_BYTES_7F;
        uint64_t z = ~(((x[h] & lo7) + lo7) | x[h] | lo7);
        if (!words) {
            m |= (unsigned)(((z >> 7) * 0x0102040810204080ull) >> 56) << (8 * h);
        } else {
            for (int k = 0; k < 4; k++)
                m |= (unsigned)(z >> (16 * k + 15) & 1) << (4 * h + k);
        }
    }
    return m;
}

/* b[j] == v, for every j (valid or not). */
static unsigned pcmpstr_eq_mask(const struct pcmpstr *p, uint64_t v)
{
    uint64_t splat = p->n == 8 ? v * 0x0001000100010001ull : v * PCMP_BYTES_01;
    uint64_t x[2] = { p->b.q[0] ^ splat, p->b.q[1] ^ splat };
    return pcmpstr_zero_mask(x, p->n == 8);
}

static uint64_t pcmpstr_raw(const x86_xmm *x, int n, int i)
{
    return n == 8 ? x->w[i] : x->b[i];
}

/* Implicit length: elements before the first zero one. */
static int pcmpstr_implicit_len(const x86_xmm *x, int n)
{
    unsigned z = pcmpstr_zero_mask(x->q, n == 8);
    return z ? __builtin_ctz(z) : n;
}

/* Explicit length: |reg| saturated to n (computed unsigned: no overflow). */
static int pcmpstr_explicit_len(uint64_t reg, bool wide, int n)
{
    int64_t v = wide ? (int64_t)reg : (int64_t)(int32_t)reg;
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return mag > (uint64_t)n ? n : (int)mag;
}

/* Aggregations work on bit masks over the elements j of b: */
static unsigned pcmpstr_low_bits(int n) { return (1u << n) - 1; }

/* imm[3:2] = 0: valid b[j] equals any valid a[i]. */
static unsigned pcmpstr_equal_any(const struct pcmpstr *p)
{
    unsigned r = 0;
    for (int i = 0; i < p->la; i++)
        r |= pcmpstr_eq_mask(p, pcmpstr_raw(&p->a, p->n, i));
    return r & pcmpstr_low_bits(p->lb);
}

/* 1: valid b[j] within any valid pair a[2k] <= b[j] <= a[2k+1]. */
static unsigned pcmpstr_ranges(const struct pcmpstr *p)
{
    unsigned r = 0;
    for (int i = 0; i + 1 < p->la; i += 2) {
        int32_t lo = pcmpstr_elem(&p->a, p->fmt, i), hi = pcmpstr_elem(&p->a, p->fmt, i + 1);
        for (int j = 0; j < p->lb; j++) {
            int32_t v = pcmpstr_elem(&p->b, p->fmt, j);
            r |= (unsigned)(lo <= v && v <= hi) << j;
        }
    }
    return r;
}

/* 2: a[j] == b[j]; both invalid counts as equal, one invalid as not. */
static unsigned pcmpstr_equal_each(const struct pcmpstr *p)
{
    uint64_t x[2] = { p->a.q[0] ^ p->b.q[0], p->a.q[1] ^ p->b.q[1] };
    unsigned eq = pcmpstr_zero_mask(x, p->n == 8);
    unsigned va = pcmpstr_low_bits(p->la), vb = pcmpstr_low_bits(p->lb);
    return (eq & va & vb) | (~va & ~vb & pcmpstr_low_bits(p->n));
}

/* 3: the valid part of a occurs in b at position j: for each valid a[i],
 * b[j + i] must be valid and equal, unless j + i is past the register
 * (those positions match: a substring may run off the end). */
static unsigned pcmpstr_equal_ordered(const struct pcmpstr *p)
{
    unsigned all = pcmpstr_low_bits(p->n), r = all;
    for (int i = 0; i < p->la; i++) {
        unsigned eq = pcmpstr_eq_mask(p, pcmpstr_raw(&p->a, p->n, i));
        unsigned hit = (eq & pcmpstr_low_bits(p->lb)) >> i;
        r &= hit | (all & ~pcmpstr_low_bits(p->n - i));
    }
    return r;
}

static unsigned (*const pcmpstr_aggregate[4])(const struct pcmpstr *) = {
    pcmpstr_equal_any, pcmpstr_ranges, pcmpstr_equal_each, pcmpstr_equal_ordered,
};

/* IntRes2: IntRes1 after the polarity of imm[5:4]. */
static unsigned pcmpstr_result(const struct pcmpstr *p, unsigned imm)
{
    unsigned all = pcmpstr_low_bits(p->n), r = pcmpstr_aggregate[(imm >> 2) & 3](p);
    switch ((imm >> 4) & 3) {
    case 1:  return ~r & all;
    case 3:  return (r ^ pcmpstr_low_bits(p->lb)) & all;
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
    p->fmt = imm & 3;
    p->a = *sse_reg(env, d);
    p->b = *sse_reg(env, s);
    if (explicit_len) {
        bool wide = imm >> 8 & 1;
        p->la = pcmpstr_explicit_len(env->regs[X86_RAX], wide, p->n);
        p->lb = pcmpstr_explicit_len(env->regs[X86_RDX], wide, p->n);
    } else {
        p->la = pcmpstr_implicit_len(&p->a, p->n);
        p->lb = pcmpstr_implicit_len(&p->b, p->n);
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
