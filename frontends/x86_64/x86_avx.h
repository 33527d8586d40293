/* x86_avx.h -- internals of the AVX translator (VEX-encoded instructions:
 * AVX, and the 128/256-bit operand plumbing AVX2, FMA3 and F16C share):
 * the VEX prefix, YMM operands as two 128-bit halves in env, the row type
 * of the VEX dispatch rows and the generic emitters.
 *
 * State: YMMi is env->xmm[i] (bits 127:0) and env->ymm_hi[i] (255:128).
 * Legacy SSE leaves ymm_hi alone; a VEX.128 form writing an XMM register
 * zeroes ymm_hi of it; a VEX.256 form writes both halves.  Memory sources
 * are loaded into env->avx_tmp[0..1] (low, high half),
 * env->avx_tmp[2..3] is scratch for operand aliasing (avx_vop3) and
 * avx_tmp[4..5] holds a third operand set aside (blendv masks, FMA).
 *
 * The vector IR ops are 128-bit and compute d = op(a, b) on env offsets,
 * with their exact C helper computing d = op(d, b) (x86_sse.h): a 256-bit
 * form is the op on the low halves and again on the high halves, and
 * avx_vop3 turns VEX's non-destructive d = op(a, b) into the helper's
 * shape (copies a to d first; b saved first when it is d).  Lane-crossing
 * forms (vperm2f128, vinsertf128, broadcasts, ...) are moves or C helpers.
 *
 * HOW TO ADD A VEX INSTRUCTION
 *  - Dispatch: a VEX-encoded instruction only ever finds rows whose opform
 *    is X86_OPF_VEX (vex[] in x86_dispatch.c; ANY rows too, for BMI), so a
 *    VEX form never runs its legacy SSE row (capstone gives some of them
 *    the same id, e.g. vcvtsi2sd) and a form without a row is SIGILL.
 *  - A row (struct avx_row, AVX_INSN(ID) for the dispatch columns), in a
 *    table file exporting a struct x86_row_set listed in x86_dispatch.c:
 *    x86_avx_table.c (AVX float/move), x86_avx_int_table.c (VEX integer
 *    forms; AVX2 adds its 256-bit forms there), x86_fma.c, x86_f16c.c.
 *    The macros of x86_avx_rows.h cover the usual shapes:
 *      AV (ID, op, size, helper, mem, fl): a vector IR op per 128-bit half,
 *         operands (dst, src1 = VEX.vvvv, src2 = r/m [, imm8]), the SSE
 *         helper as the op's exact form;
 *      AV1(...): the same without vvvv (dst, r/m [, imm8]), unary ops;
 *      AH (ID, helper, mem, fl) / AH1: an SSE-style C helper
 *         fn(env, d, s, imm) per half (d = fn(d, s)), same operand shapes;
 *      AE / AEV / AEM / AEH (ID, emitter, ...): an emitter avx_emit_NAME
 *         with the row's mem bytes, vimm, flags, op and helper for it.
 *    mem = memory source bytes of the VEX.128 form (doubled at 256 unless
 *    AVX_FIXED); fl: AVX_128 (VEX.256 is #UD), AVX_256 (VEX.128 is #UD),
 *    AVX_IMM (the helper/op imm is the imm8), AVX_SCALAR (VEX.L ignored,
 *    128-bit result).  E.g. AVX2's vpaddb ymm is the VEX.128 row of
 *    x86_avx_int_table.c without AVX_128; the shifts' emitter
 *    (avx_emit_shifti) already does 256 bits; avx_emit_broadcast
 *    does the register forms of vbroadcastss/sd (AVX2's) too.
 *  - An instruction capstone 4 cannot decode (GFNI, AVX-VNNI, VAES and
 *    VPCLMULQDQ at VEX.256) gets decoded as a same-shape encoding with its
 *    own id (X86_FERRY_INS_*) by x86_isa_alias.c; its rows are ordinary
 *    (x86_gfni.c, x86_vnni.c, x86_crypto.c).
 *  - x86_avx_translate checks VEX.vvvv == 1111b for forms with at most two
 *    non-imm operands (but the imm8 shifts) before the row's emitter.
 *  - Emitters check every operand before emitting IR and return false
 *    for shapes the instruction lacks (then SIGILL).  Finish with
 *    avx_write_done(dc, reg, wide): zeroes the upper half after VEX.128.
 *  - Tests: tests/insn/avx_vec.h's YCASE runs one form on YMM0-3 (upper
 *    halves set) and prints all 256 bits, the memory operand and MXCSR;
 *    avx.c, avx_move.c, fma.c, f16c.c use it.
 */
#ifndef FERRY_X86_AVX_H
#define FERRY_X86_AVX_H

#include <stdbool.h>
#include <stdint.h>

#include "x86_dispatch.h"
#include "x86_sse.h"

/* ---- the VEX prefix ---- */

struct avx_vex {
    uint8_t l;          /* VEX.L: 1 = 256-bit */
    uint8_t w;          /* VEX.W */
    uint8_t vvvv;       /* the extra register operand (un-inverted) */
    uint8_t pp;         /* implied prefix: 0 none, 1 66, 2 F3, 3 F2 */
    uint8_t map;        /* 1: 0F, 2: 0F38, 3: 0F3A */
};
/* Is the current instruction VEX-encoded (C4/C5 after legacy prefixes)? */
bool x86_is_vex(const struct x86_dc *dc);
bool x86_vex_w_reserved(const struct x86_dc *dc);   /* W1 on a W0-only form: #UD */
bool x86_vex_prefixed(const struct x86_dc *dc);     /* 66/F0/F2/F3/REX before VEX: #UD */
/* An instruction of an extension the imitated machine lacks: #UD
 * (x86_host_ext.c). */
bool x86_lacked_extension(const struct x86_dc *dc);
/* F3 0F C7 /7 (capstone 4's rdseed id with an F3 before the 0F): rdpid,
 * whose extension x86_rand.c checks. */
bool x86_rdpid_form(const struct x86_dc *dc);
/* Decodes its VEX prefix; false if it has none or a 66/F2/F3/F0/REX
 * prefix precedes it (#UD). */
bool avx_vex(const struct x86_dc *dc, struct avx_vex *v);

/* ---- operands: a YMM register or temporary as two env offsets ---- */

struct avx_opnd {
    int32_t lo, hi;     /* env offsets of bits 127:0 and 255:128 */
    int reg;            /* 0..15, or -1 for a temporary */
};
#define AVX_TMP_MEM 0       /* env->avx_tmp[0..1]: memory source */
#define AVX_TMP_SCRATCH 1   /* env->avx_tmp[2..3]: aliasing copies */
#define AVX_TMP_EXTRA 2     /* env->avx_tmp[4..5]: a third operand set aside */

/* XMM/YMM register number of a register operand, or -1. */
int avx_reg(const cs_x86_op *op);
struct avx_opnd avx_regop(int r);
struct avx_opnd avx_tmpop(int tmp);
/* Is the instruction a 256-bit form (VEX.L)? */
bool avx_wide(const struct x86_dc *dc);
/* A source operand: the register, or memory (`bytes`: 4, 8, 16 or 32)
 * loaded into the memory temporary, zero-extended to 32 bytes.  Returns
 * false (having emitted nothing) for other operand kinds. */
bool avx_src_ok(const cs_x86_op *op);
struct avx_opnd avx_src(struct x86_dc *dc, const cs_x86_op *op, int bytes);
/* Stores `bytes` (4, 8, 16 or 32) of o to the memory operand. */
void avx_store(struct x86_dc *dc, const cs_x86_op *mem, struct avx_opnd o, int bytes);
/* Copies 16 bytes between env offsets; zeroes 16 bytes. */
void avx_copy16(struct x86_dc *dc, int32_t dst, int32_t src);
void avx_zero16(struct x86_dc *dc, int32_t dst);
/* After writing register r: VEX.128 (wide false) zeroes its upper half. */
void avx_write_done(struct x86_dc *dc, int r, bool wide);
/* The block's MXCSR mode value, the input 0 of float vector ops
 * (x86_sse_vec.c). */
ir_ref sse_mxcsr_mode(struct x86_dc *dc);

/* One 128-bit step d = op(a, b) as the vector op `op` (with its exact
 * helper h; float ops get the MXCSR mode), or as the SSE-style helper h
 * when op is 0; handles d == b != a.  avx_vop3 does both halves when
 * wide. */
struct avx_step {
    uint16_t op;                    /* enum ir_op, or 0: call helper */
    uint8_t size;                   /* enum ir_vec_size */
    unsigned imm;
    const struct ir_helper *h;
};
void avx_vop_half(struct x86_dc *dc, const struct avx_step *st, int32_t d, int32_t a, int32_t b);
void avx_vop3(struct x86_dc *dc, const struct avx_step *st, struct avx_opnd d,
              struct avx_opnd a, struct avx_opnd b, bool wide);
/* avx_vop3 whose high half takes imm_hi (blends and vpermilpd by imm8:
 * each half its own bits of the imm8). */
void avx_vop3_split(struct x86_dc *dc, const struct avx_step *st, struct avx_opnd d,
                    struct avx_opnd a, struct avx_opnd b, bool wide, unsigned imm_hi);

/* A C helper h(a0, a1, a2) with constant arguments (env offsets, imms);
 * returns its result in a new temp, IR_NONE when h has none. */
ir_ref avx_call(struct x86_dc *dc, const struct ir_helper *h, uint64_t a0, uint64_t a1, uint64_t a2);
/* h(d, s, imm) per 128-bit half (the high one when wide, with imm_hi);
 * the halves' results (IR_NONE when absent). */
struct avx_results { ir_ref lo, hi; };
struct avx_results avx_call_halves(struct x86_dc *dc, const struct ir_helper *h, struct avx_opnd d,
                                   struct avx_opnd s, uint64_t imm, uint64_t imm_hi, bool wide);

/* ---- rows ---- */

enum avx_form {
    AVX_F_BIN,      /* dst <- f(vvvv, r/m [, imm8]) per half */
    AVX_F_UN,       /* dst <- f(dst, r/m [, imm8]) per half (no vvvv) */
    AVX_F_EMIT,     /* row->emit does everything */
};
enum {
    AVX_128 = 1,        /* VEX.256 is #UD */
    AVX_256 = 2,        /* VEX.128 is #UD */
    AVX_IMM = 4,        /* the op / helper imm is the imm8 */
    AVX_SCALAR = 8,     /* VEX.L ignored: a 128-bit op */
    AVX_FIXED = 16,     /* mem bytes are not doubled at 256 */
};

struct avx_row;
typedef bool avx_emit_fn(struct x86_dc *dc, const struct avx_row *row);

struct avx_row {
    struct x86_insn_row insn;       /* first: dispatch finds the row by it */
    uint8_t form;                   /* enum avx_form */
    uint8_t mem_bytes;              /* memory source bytes at VEX.128 */
    uint8_t flags;                  /* AVX_128 ... */
    uint16_t vop;                   /* enum ir_op, 0: helper call */
    uint8_t vsize;                  /* enum ir_vec_size */
    uint16_t vimm;                  /* op imm when not AVX_IMM */
    struct ir_helper helper;        /* the op's exact form, or the helper */
    avx_emit_fn *emit;              /* AVX_F_EMIT */
};

#define AVX_INSN(ID) { X86_INS_##ID, x86_avx_translate, X86_FL_READ, 0, X86_OPF_VEX, NULL }

/* The handler of every VEX row (SIGILL for operand shapes a row lacks). */
x86_handler_fn x86_avx_translate;
/* The generic forms, also callable from emitters. */
avx_emit_fn avx_emit_bin, avx_emit_un;
/* The row's imm for the current instruction (imm8 if AVX_IMM). */
unsigned avx_row_imm(const struct x86_dc *dc, const struct avx_row *row);
/* Width of the current instruction under the row's flags; false when the
 * row does not have that width. */
bool avx_row_width(const struct x86_dc *dc, const struct avx_row *row, bool *wide);
/* The two-operand forms (d, r/m): d's register and the width, false for
 * any other operand shape. */
bool avx_ops_dst_src(const struct x86_dc *dc, const struct avx_row *row, int *d, bool *wide);
/* Memory source bytes of the row at this width (mem_bytes, doubled at
 * 256 bits unless AVX_FIXED). */
int avx_mem_bytes(const struct avx_row *row, bool wide);

/* x86_avx_move.c (vimm / mem_bytes select the variant, see there) */
avx_emit_fn avx_emit_mov, avx_emit_movs, avx_emit_movhalf, avx_emit_movhl, avx_emit_movdq,
    avx_emit_zero, avx_emit_broadcast, avx_emit_insert128, avx_emit_extract128,
    avx_emit_perm2f128;
/* x86_avx_fp.c: the forms that are not one op per half */
avx_emit_fn avx_emit_cmp, avx_emit_blend, avx_emit_blendv, avx_emit_legacy, avx_emit_cvt_up,
    avx_emit_cvt_down, avx_emit_cvti2f, avx_emit_movmsk, avx_emit_test, avx_emit_permil,
    avx_emit_maskmov, avx_emit_insert, avx_emit_movddup;
/* x86_avx_int.c */
avx_emit_fn avx_emit_shifti;
/* x86_fma.c, x86_f16c.c, x86_vnni.c */
avx_emit_fn avx_emit_fma, avx_emit_cvtph2ps, avx_emit_cvtps2ph, avx_emit_vnni;

#endif
