/* x86_avx_helpers.h -- the C helpers of the VEX forms (x86_avx_helpers.c),
 * in the SSE helpers' shape uint64_t fn(env, d, s, imm) with d and s env
 * offsets (or XMM indices, see sse_reg), and their ir_helper descriptors.
 */
#ifndef FERRY_X86_AVX_HELPERS_H
#define FERRY_X86_AVX_HELPERS_H

#include "x86_sse.h"

#define AVX_HELPER(name) \
    uint64_t x86_avx_helper_##name(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)

/* cmp*: imm = predicate 0..31; blendv*: imm = the mask's env offset;
 * test*: ZF|CF of a half (imm: 32 / 64 sign bits, 0 every bit: vptest);
 * maskmov: d = data offsets lo | hi << 16, s = guest address, imm =
 * mask offsets lo | hi << 16 | element size << 32 | store << 40 | wide
 * << 41; insertps: imm bit 8 = memory source. */
#define AVX_HELPERS(X) \
    X(cmpps) X(cmppd) X(cmpss) X(cmpsd) X(blendvps) X(blendvpd) X(pblendvb) \
    X(permilpd_imm) X(permilps_var) X(permilpd_var) X(test) X(maskmov) X(insertps)

#define AVX_DECLARE(name) AVX_HELPER(name);
AVX_HELPERS(AVX_DECLARE)
#undef AVX_DECLARE

extern const struct ir_helper avx_h_permilpd_imm, avx_h_permilps_var, avx_h_permilpd_var,
    avx_h_pshufd;

#endif
