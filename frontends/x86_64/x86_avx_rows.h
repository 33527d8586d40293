/* x86_avx_rows.h -- the row macros of the VEX tables (x86_avx_table.c,
 * x86_avx_int_table.c, x86_fma.c, x86_f16c.c); see x86_avx.h for what
 * the forms and flags mean.
 */
#ifndef FERRY_X86_AVX_ROWS_H
#define FERRY_X86_AVX_ROWS_H

#include "x86_avx.h"

#define AVX_SSE_HELPER(fn) { (void *)x86_sse_helper_##fn, "sse_" #fn, 3, 0, 0 }

/* a vector IR op per half: (dst, vvvv, r/m) and (dst, r/m) */
#define AV(ID, op, size, fn, mem, fl) \
    { AVX_INSN(ID), AVX_F_BIN, mem, fl, IR_##op, size, 0, AVX_SSE_HELPER(fn), NULL }
#define AV1(ID, op, size, fn, mem, fl) \
    { AVX_INSN(ID), AVX_F_UN, mem, fl, IR_##op, size, 0, AVX_SSE_HELPER(fn), NULL }
/* ... with the op's imm given */
#define AVI(ID, op, size, fn, mem, fl, vimm) \
    { AVX_INSN(ID), AVX_F_BIN, mem, fl, IR_##op, size, vimm, AVX_SSE_HELPER(fn), NULL }
#define AV1I(ID, op, size, fn, mem, fl, vimm) \
    { AVX_INSN(ID), AVX_F_UN, mem, fl, IR_##op, size, vimm, AVX_SSE_HELPER(fn), NULL }
/* an SSE-style helper fn(env, d, s, imm) per half */
#define AH(ID, fn, mem, fl)  { AVX_INSN(ID), AVX_F_BIN, mem, fl, 0, 0, 0, AVX_SSE_HELPER(fn), NULL }
#define AH1(ID, fn, mem, fl) { AVX_INSN(ID), AVX_F_UN, mem, fl, 0, 0, 0, AVX_SSE_HELPER(fn), NULL }
/* ... a helper of another family: h is a struct ir_helper initializer */
#define AHX(ID, form, h, mem, fl) { AVX_INSN(ID), AVX_F_##form, mem, fl, 0, 0, 0, h, NULL }
/* an emitter (avx_emit_NAME), with mem bytes / vimm / flags for it */
#define AE(ID, emit) { AVX_INSN(ID), AVX_F_EMIT, 0, 0, 0, 0, 0, { 0 }, avx_emit_##emit }
#define AEV(ID, emit, vimm, fl) { AVX_INSN(ID), AVX_F_EMIT, 0, fl, 0, 0, vimm, { 0 }, avx_emit_##emit }
#define AEM(ID, emit, mem, vimm, fl) \
    { AVX_INSN(ID), AVX_F_EMIT, mem, fl, 0, 0, vimm, { 0 }, avx_emit_##emit }
/* an emitter with a helper / op of its own */
#define AEH(ID, emit, h, mem, fl, op, size, vimm) \
    { AVX_INSN(ID), AVX_F_EMIT, mem, fl, op, size, vimm, h, avx_emit_##emit }
/* a helper defined with AVX_HELPER (x86_avx_fp.c & co) */
#define AVX_OWN_HELPER(fn, res) { (void *)x86_avx_helper_##fn, "avx_" #fn, 3, res, 0 }

#endif
