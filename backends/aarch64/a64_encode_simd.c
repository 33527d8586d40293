/* a64_encode_simd.c -- the Advanced SIMD and scalar floating-point
 * encoding classes as pure functions (Arm ARM "Data Processing --
 * Scalar Floating-Point and Advanced SIMD", and the SIMD&FP loads and
 * stores).  Fields are masked as in a64_encode.c.
 */
#include "a64_encode_simd.h"

#define F(v, bits, pos) ((((uint32_t)(v)) & ((1u << (bits)) - 1)) << (pos))
#define REG_N_D(rn, rd) (F(rn, 5, 5) | F(rd, 5, 0))
#define QU(q, u) (F(q, 1, 30) | F(u, 1, 29))

uint32_t a64_simd_3same(bool q, enum a64_simd_3same_op op, unsigned size,
                        unsigned rm, unsigned rn, unsigned rd)
{
    return QU(q, op >> 5) | F(0x0e, 5, 24) | F(size, 2, 22) | F(1, 1, 21) | F(rm, 5, 16) |
           F(op, 5, 11) | F(1, 1, 10) | REG_N_D(rn, rd);
}

uint32_t a64_simd_2misc(bool q, enum a64_simd_2misc_op op, unsigned size, unsigned rn,
                        unsigned rd)
{
    return QU(q, op >> 5) | F(0x0e, 5, 24) | F(size, 2, 22) | F(0x10, 5, 17) |
           F(op, 5, 12) | F(2, 2, 10) | REG_N_D(rn, rd);
}

uint32_t a64_simd_umaxv(bool q, unsigned size, unsigned rn, unsigned rd)
{
    return QU(q, 1) | F(0x0e, 5, 24) | F(size, 2, 22) | F(0x18, 5, 17) | F(0x0a, 5, 12) |
           F(2, 2, 10) | REG_N_D(rn, rd);
}

uint32_t a64_simd_uminv(bool q, unsigned size, unsigned rn, unsigned rd)
{
    return QU(q, 1) | F(0x0e, 5, 24) | F(size, 2, 22) | F(0x18, 5, 17) | F(0x1a, 5, 12) |
           F(2, 2, 10) | REG_N_D(rn, rd);
}

uint32_t a64_simd_addhn(bool q, unsigned size, unsigned rm, unsigned rn, unsigned rd)
{
    return QU(q, 0) | F(0x0e, 5, 24) | F(size, 2, 22) | F(1, 1, 21) | F(rm, 5, 16) |
           F(0x4, 4, 12) | REG_N_D(rn, rd);
}

/* imm5 = index:10 selects a halfword; opcode 0111 (umov). */
uint32_t a64_simd_umov_h(unsigned index, unsigned rn, unsigned rd)
{
    return F(0x70, 8, 21) | F(index << 2 | 2, 5, 16) | F(0x7, 4, 11) | F(1, 1, 10) |
           REG_N_D(rn, rd);
}

/* imm5 = index:1 selects a byte. */
uint32_t a64_simd_umov_b(unsigned index, unsigned rn, unsigned rd)
{
    return F(0x70, 8, 21) | F(index << 1 | 1, 5, 16) | F(0x7, 4, 11) | F(1, 1, 10) |
           REG_N_D(rn, rd);
}

uint32_t a64_simd_mull(bool q, bool is_unsigned, unsigned size, unsigned rm, unsigned rn,
                       unsigned rd)
{
    return QU(q, is_unsigned) | F(0x0e, 5, 24) | F(size, 2, 22) | F(1, 1, 21) |
           F(rm, 5, 16) | F(0xc, 4, 12) | REG_N_D(rn, rd);
}

/* immh:immb is esize + shift for left shifts, 2 * esize - shift for
 * right shifts. */
uint32_t a64_simd_shift_imm(bool q, enum a64_simd_shift_op op, unsigned esize_log2,
                            unsigned shift, unsigned rn, unsigned rd)
{
    unsigned esize = 8u << esize_log2;
    bool left = op == A64_V_SHL || op == A64_V_SSHLL;
    unsigned immhb = left ? esize + shift : 2 * esize - shift;
    return QU(q, op >> 5) | F(0x1e, 6, 23) | F(immhb, 7, 16) | F(op, 5, 11) | F(1, 1, 10) |
           REG_N_D(rn, rd);
}

uint32_t a64_simd_permute(bool q, enum a64_simd_perm_op op, unsigned size, unsigned rm,
                          unsigned rn, unsigned rd)
{
    return F(q, 1, 30) | F(0x0e, 5, 24) | F(size, 2, 22) | F(rm, 5, 16) | F(op, 3, 12) |
           F(2, 2, 10) | REG_N_D(rn, rd);
}

uint32_t a64_simd_ext(bool q, unsigned rm, unsigned imm4, unsigned rn, unsigned rd)
{
    return F(q, 1, 30) | F(0x2e, 6, 24) | F(rm, 5, 16) | F(imm4, 4, 11) | REG_N_D(rn, rd);
}

uint32_t a64_simd_ins_elem(unsigned size, unsigned dst, unsigned src, unsigned rn, unsigned rd)
{
    unsigned imm5 = (dst << (size + 1)) | (1u << size), imm4 = src << size;
    return F(0x6e, 8, 24) | F(imm5, 5, 16) | F(imm4, 4, 11) | F(1, 1, 10) | REG_N_D(rn, rd);
}

uint32_t a64_simd_tbl1(bool q, unsigned rm, unsigned rn, unsigned rd)
{
    return F(q, 1, 30) | F(0x0e, 8, 24) | F(rm, 5, 16) | REG_N_D(rn, rd);
}

uint32_t a64_simd_mod_imm(bool q, bool op, unsigned cmode, unsigned imm8, unsigned rd)
{
    return QU(q, op) | F(0x1e0, 10, 19) | F(imm8 >> 5, 3, 16) | F(cmode, 4, 12) |
           F(1, 1, 10) | F(imm8, 5, 5) | F(rd, 5, 0);
}

uint32_t a64_fp_2src(unsigned ftype, enum a64_fp_2src_op op, unsigned rm, unsigned rn,
                     unsigned rd)
{
    return F(0x1e, 8, 24) | F(ftype, 2, 22) | F(1, 1, 21) | F(rm, 5, 16) | F(op, 4, 12) |
           F(2, 2, 10) | REG_N_D(rn, rd);
}

uint32_t a64_fp_1src(unsigned ftype, enum a64_fp_1src_op op, unsigned rn, unsigned rd)
{
    return F(0x1e, 8, 24) | F(ftype, 2, 22) | F(1, 1, 21) | F(op, 6, 15) | F(0x10, 5, 10) |
           REG_N_D(rn, rd);
}

uint32_t a64_fp_compare(unsigned ftype, bool signaling, unsigned rm, unsigned rn)
{
    return F(0x1e, 8, 24) | F(ftype, 2, 22) | F(1, 1, 21) | F(rm, 5, 16) | F(8, 6, 10) |
           F(rn, 5, 5) | F(signaling, 1, 4);
}

uint32_t a64_fp_int(bool sf, unsigned ftype, enum a64_fp_int_op op, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(0x1e, 8, 24) | F(ftype, 2, 22) | F(1, 1, 21) | F(op, 5, 16) |
           REG_N_D(rn, rd);
}

/* size:opc of the SIMD&FP register forms: q is size 00 with opc 1x. */
static uint32_t fp_size_opc(unsigned size_log2, bool load)
{
    unsigned size = size_log2 & 3, opc = (size_log2 == 4 ? 2 : 0) | load;
    return F(size, 2, 30) | F(opc, 2, 22);
}

uint32_t a64_fp_ldst_unsigned_imm(unsigned size_log2, bool load, unsigned imm12,
                                  unsigned rn, unsigned rt)
{
    return fp_size_opc(size_log2, load) | F(0x3d, 6, 24) | F(imm12, 12, 10) | REG_N_D(rn, rt);
}

uint32_t a64_fp_stp_q(int imm7_scaled, unsigned rt2, unsigned rn, unsigned rt)
{
    return a64_fp_pair_q(false, A64_PAIR_OFFSET, imm7_scaled, rt2, rn, rt);
}

uint32_t a64_fp_pair_q(bool load, enum a64_pair_mode mode, int imm7_scaled, unsigned rt2,
                       unsigned rn, unsigned rt)
{
    return F(2, 2, 30) | F(0xb, 4, 26) | F(mode, 3, 23) | F(load, 1, 22) |
           F(imm7_scaled, 7, 15) | F(rt2, 5, 10) | REG_N_D(rn, rt);
}

uint32_t a64_fp_ldst_unscaled_imm(unsigned size_log2, bool load, int imm9, unsigned rn,
                                  unsigned rt)
{
    return fp_size_opc(size_log2, load) | F(0x3c, 6, 24) | F(imm9, 9, 12) | REG_N_D(rn, rt);
}

/* [rn, rm] with option LSL (011), unscaled. */
uint32_t a64_fp_ldst_reg_offset(unsigned size_log2, bool load, unsigned rm, unsigned rn,
                                unsigned rt)
{
    return fp_size_opc(size_log2, load) | F(0x3c, 6, 24) | F(1, 1, 21) | F(rm, 5, 16) |
           F(3, 3, 13) | F(2, 2, 10) | REG_N_D(rn, rt);
}

uint32_t a64_mrs_fpsr(unsigned rt) { return 0xd53b4420u | F(rt, 5, 0); }
uint32_t a64_msr_fpsr(unsigned rt) { return 0xd51b4420u | F(rt, 5, 0); }
