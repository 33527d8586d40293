/* a64_encode_simd.h -- A64 encoders of the Advanced SIMD and floating-point
 * classes the vector ops use, one per Arm ARM encoding class (pure
 * functions, checked against objdump by tests/unit/test_aarch64_backend.c).
 * Vector registers are 0..31; q selects the 128-bit form (Q = 1).  size is
 * the class's size field: log2 of the element bytes for integers, for the
 * float classes (a << 1) | sz with sz 0 = single, 1 = double.
 */
#ifndef FERRY_A64_ENCODE_SIMD_H
#define FERRY_A64_ENCODE_SIMD_H

#include <stdbool.h>
#include <stdint.h>

#include "a64_encode.h"

/* opcode of Advanced SIMD three same (U in bit 5 of the value here). */
enum a64_simd_3same_op {
    A64_V_ADD = 0x10, A64_V_SUB = 0x30, A64_V_SQADD = 0x01, A64_V_UQADD = 0x21,
    A64_V_SQSUB = 0x05, A64_V_UQSUB = 0x25, A64_V_CMGT = 0x06, A64_V_CMHI = 0x26,
    A64_V_CMEQ = 0x31, A64_V_SMAX = 0x0c, A64_V_UMAX = 0x2c, A64_V_SMIN = 0x0d,
    A64_V_UMIN = 0x2d, A64_V_URHADD = 0x22, A64_V_MUL = 0x13, A64_V_UABD = 0x2e,
    A64_V_ADDP = 0x17,
    /* logical: opcode 00011, the operation in U:size */
    A64_V_LOGIC = 0x03,
    /* float (size = a:sz) */
    A64_V_FADD = 0x1a, A64_V_FMUL = 0x3b, A64_V_FDIV = 0x3f, A64_V_FCMEQ = 0x1c,
    A64_V_FCMGE = 0x3c, A64_V_FACGE = 0x3d,
};
/* U:size of the logical three-same forms. */
enum a64_simd_logic { A64_V_AND = 0, A64_V_BIC = 1, A64_V_ORR = 2, A64_V_ORN = 3,
                      A64_V_EOR = 4, A64_V_BSL = 5, A64_V_BIT = 6, A64_V_BIF = 7 };
uint32_t a64_simd_3same(bool q, enum a64_simd_3same_op op, unsigned size,
                        unsigned rm, unsigned rn, unsigned rd);
static inline uint32_t a64_simd_logic(bool q, enum a64_simd_logic l, unsigned rm,
                                      unsigned rn, unsigned rd)
{ return a64_simd_3same(q, A64_V_LOGIC | (l & 4) << 3, l & 3, rm, rn, rd); }
/* Float sizes of the three-same and two-reg-misc classes. */
static inline unsigned a64_fsz(bool dbl, bool a) { return (unsigned)a << 1 | dbl; }

/* opcode of Advanced SIMD two-register miscellaneous (U in bit 5). */
enum a64_simd_2misc_op {
    A64_V_CMEQ0 = 0x09, A64_V_FCMEQ0 = 0x0d, A64_V_FABS = 0x0f, A64_V_FSQRT = 0x3f,
    A64_V_SCVTF = 0x1d, A64_V_FCVTZS = 0x1b, A64_V_FCVTNS = 0x1a, A64_V_FCVTL = 0x17,
    A64_V_FCVTN = 0x16, A64_V_XTN = 0x12, A64_V_SQXTN = 0x14, A64_V_SQXTUN = 0x32,
    A64_V_UADDLP = 0x22, A64_V_NOT = 0x25, A64_V_CMLT0 = 0x0a,
};
uint32_t a64_simd_2misc(bool q, enum a64_simd_2misc_op op, unsigned size, unsigned rn,
                        unsigned rd);

/* Across lanes: umaxv, uminv. */
uint32_t a64_simd_umaxv(bool q, unsigned size, unsigned rn, unsigned rd);
uint32_t a64_simd_uminv(bool q, unsigned size, unsigned rn, unsigned rd);

/* Three different: smull/umull (q: the "2" forms on the high halves). */
uint32_t a64_simd_mull(bool q, bool is_unsigned, unsigned size, unsigned rm, unsigned rn,
                       unsigned rd);
/* Three different: addhn (q: addhn2, into the high half), size the narrow
 * elements': the high halves of the wide sums n + m. */
uint32_t a64_simd_addhn(bool q, unsigned size, unsigned rm, unsigned rn, unsigned rd);

/* Copy: umov wd, vn.h[index]; umov wd, vn.b[index]. */
uint32_t a64_simd_umov_h(unsigned index, unsigned rn, unsigned rd);
uint32_t a64_simd_umov_b(unsigned index, unsigned rn, unsigned rd);

/* Shift by immediate; esize_log2 is log2 of the element bits - 3. */
enum a64_simd_shift_op { A64_V_SHL = 0x0a, A64_V_SSHR = 0x00, A64_V_USHR = 0x20,
                         A64_V_SSHLL = 0x14 };
uint32_t a64_simd_shift_imm(bool q, enum a64_simd_shift_op op, unsigned esize_log2,
                            unsigned shift, unsigned rn, unsigned rd);

/* Permute: uzp1 1, trn1 2, zip1 3, uzp2 5, trn2 6, zip2 7. */
enum a64_simd_perm_op { A64_V_UZP1 = 1, A64_V_ZIP1 = 3, A64_V_UZP2 = 5, A64_V_ZIP2 = 7 };
uint32_t a64_simd_permute(bool q, enum a64_simd_perm_op op, unsigned size, unsigned rm,
                          unsigned rn, unsigned rd);
uint32_t a64_simd_ext(bool q, unsigned rm, unsigned imm4, unsigned rn, unsigned rd);
/* ins (mov Vd.T[dst], Vn.T[src]), T of 1 << size bytes. */
uint32_t a64_simd_ins_elem(unsigned size, unsigned dst, unsigned src, unsigned rn, unsigned rd);
uint32_t a64_simd_tbl1(bool q, unsigned rm, unsigned rn, unsigned rd);

/* Modified immediate: op, cmode, the 8-bit abcdefgh. */
uint32_t a64_simd_mod_imm(bool q, bool op, unsigned cmode, unsigned imm8, unsigned rd);
static inline uint32_t a64_simd_movi16b(unsigned rd, unsigned imm8)     /* movi v.16b */
{ return a64_simd_mod_imm(true, false, 0xe, imm8, rd); }
static inline uint32_t a64_simd_movi4s_lsl(unsigned rd, unsigned imm8, unsigned shift)
{ return a64_simd_mod_imm(true, false, (shift / 8) << 1, imm8, rd); }
static inline uint32_t a64_simd_mvni4s_lsl(unsigned rd, unsigned imm8, unsigned shift)
{ return a64_simd_mod_imm(true, true, (shift / 8) << 1, imm8, rd); }
static inline uint32_t a64_simd_movi2d_ones(unsigned rd)                /* movi v.2d, #-1 */
{ return a64_simd_mod_imm(true, true, 0xe, 0xff, rd); }

/* Scalar floating point (ftype 0 single, 1 double). */
enum a64_fp_2src_op { A64_FMUL = 0, A64_FDIV = 1, A64_FADD = 2, A64_FSUB = 3 };
uint32_t a64_fp_2src(unsigned ftype, enum a64_fp_2src_op op, unsigned rm, unsigned rn,
                     unsigned rd);
enum a64_fp_1src_op { A64_FSQRT = 3, A64_FCVT_TO_S = 4, A64_FCVT_TO_D = 5 };
uint32_t a64_fp_1src(unsigned ftype, enum a64_fp_1src_op op, unsigned rn, unsigned rd);
uint32_t a64_fp_compare(unsigned ftype, bool signaling, unsigned rm, unsigned rn);
/* Conversions between FP and general registers (rmode:opcode). */
enum a64_fp_int_op { A64_FCVTNS_G = 0x00, A64_SCVTF_G = 0x02, A64_FMOV_TO_G = 0x06,
                     A64_FMOV_FROM_G = 0x07, A64_FCVTZS_G = 0x18 };
uint32_t a64_fp_int(bool sf, unsigned ftype, enum a64_fp_int_op op, unsigned rn, unsigned rd);

/* SIMD&FP loads and stores; size_log2 of the access: 2 s, 3 d, 4 q. */
uint32_t a64_fp_ldst_unsigned_imm(unsigned size_log2, bool load, unsigned imm12,
                                  unsigned rn, unsigned rt);
uint32_t a64_fp_ldst_unscaled_imm(unsigned size_log2, bool load, int imm9, unsigned rn,
                                  unsigned rt);
uint32_t a64_fp_ldst_reg_offset(unsigned size_log2, bool load, unsigned rm, unsigned rn,
                                unsigned rt);
/* stp qt, qt2, [rn, #imm7 * 16] (signed offset). */
uint32_t a64_fp_stp_q(int imm7_scaled, unsigned rt2, unsigned rn, unsigned rt);
/* ldp/stp qt, qt2 at [rn, #imm7 * 16], pre- or post-indexed or not. */
uint32_t a64_fp_pair_q(bool load, enum a64_pair_mode mode, int imm7_scaled, unsigned rt2,
                       unsigned rn, unsigned rt);

/* The FP status register (mrs/msr fpsr). */
uint32_t a64_mrs_fpsr(unsigned rt);
uint32_t a64_msr_fpsr(unsigned rt);

#endif
