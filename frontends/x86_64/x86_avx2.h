/* x86_avx2.h -- AVX2's emitters and helpers (x86_avx2.c: lane-crossing
 * and split-immediate forms, vpmovmskb, vpbroadcast, VEX string
 * compares; x86_avx2_mem.c: vpmaskmov and the gathers), used by the rows of
 * x86_avx2_table.c.  The AVX plumbing they stand on is x86_avx.h.
 *
 * Helpers that see both halves of a YMM operand take it packed as
 * lo | hi << 32 (env offsets, struct avx_opnd); per-half helpers have the
 * SSE signature (x86_sse.h) with env offsets for d and s.
 */
#ifndef FERRY_X86_AVX2_H
#define FERRY_X86_AVX2_H

#include "x86_avx.h"

#define AVX2_HELPER(name) \
    uint64_t x86_avx2_helper_##name(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)
#define AVX2_H(fn, res, fl) { (void *)x86_avx2_helper_##fn, "avx2_" #fn, 3, res, fl }

/* per half, d = f(d, s) */
AVX2_HELPER(psllvd); AVX2_HELPER(psllvq); AVX2_HELPER(psrlvd); AVX2_HELPER(psrlvq);
AVX2_HELPER(psravd); AVX2_HELPER(pblendd);
/* whole YMM (packed operands) */
AVX2_HELPER(permd); AVX2_HELPER(permq); AVX2_HELPER(pmovx);

avx_emit_fn avx2_emit_movmsk, avx2_emit_pbroadcast, avx2_emit_split_imm, avx2_emit_permd,
    avx2_emit_permq, avx2_emit_pmovx, avx2_emit_pcmpstr, avx2_emit_maskmov, avx2_emit_gather;

/* capstone 4 cannot decode vbroadcasti128: x86_translate.c decodes the
 * vbroadcastf128 it equals instead (alias: the bytes with the opcode
 * changed; false for anything else). */
bool x86_avx2_alias(const uint8_t *code, size_t size, uint8_t alias[15]);

#endif
