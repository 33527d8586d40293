/* a64_encode.h -- A64 instruction encoders, one per Arm ARM encoding class,
 * plus the aliases (mov, lsl #n, cmp, cset, ...) built on top of them.
 *
 * Every encoder is a pure function returning the 32-bit instruction word,
 * so the encoders can be checked against a real disassembler on any host.
 * Field names follow the Arm ARM.  Register number 31 means XZR/WZR or SP
 * depending on the class, exactly as in the architecture.
 */
#ifndef FERRY_A64_ENCODE_H
#define FERRY_A64_ENCODE_H

#include <stdbool.h>
#include <stdint.h>

enum { A64_ZR = 31, A64_SP = 31, A64_LR = 30, A64_FP = 29 };

/* Condition field values (the `cond` of b.cond, csel, ...). */
enum a64_cond {
    A64_EQ, A64_NE, A64_HS, A64_LO, A64_MI, A64_PL, A64_VS, A64_VC,
    A64_HI, A64_LS, A64_GE, A64_LT, A64_GT, A64_LE, A64_AL,
};
static inline enum a64_cond a64_cond_invert(enum a64_cond c) { return c ^ 1; }

enum a64_shift { A64_LSL, A64_LSR, A64_ASR, A64_ROR };

/* opc of the logical classes; with N=1 they become bic/orn/eon/bics. */
enum a64_logic_opc { A64_AND, A64_ORR, A64_EOR, A64_ANDS };
/* opc of move wide. */
enum a64_movw_opc { A64_MOVN = 0, A64_MOVZ = 2, A64_MOVK = 3 };
/* opc of the bitfield class. */
enum a64_bitfield_opc { A64_SBFM, A64_BFM, A64_UBFM };
/* opcode of data-processing (2 source). */
enum a64_dp2_opcode {
    A64_UDIV = 2, A64_SDIV = 3, A64_LSLV = 8, A64_LSRV = 9, A64_ASRV = 10, A64_RORV = 11,
};
/* opcode of data-processing (1 source). */
enum a64_dp1_opcode { A64_RBIT = 0, A64_REV16 = 1, A64_REV32 = 2, A64_REV64 = 3, A64_CLZ = 4 };
/* opc of load/store (size is log2 bytes). */
enum a64_ldst_opc { A64_STR = 0, A64_LDR = 1, A64_LDRS_X = 2, A64_LDRS_W = 3 };
/* option of the register-offset load/store form. */
enum a64_extend { A64_UXTW = 2, A64_LSL_X = 3, A64_SXTW = 6, A64_SXTX = 7 };
/* Indexing of load/store pair. */
enum a64_pair_mode { A64_PAIR_POST = 1, A64_PAIR_OFFSET = 2, A64_PAIR_PRE = 3 };
/* opc of unconditional branch (register). */
enum a64_branch_reg_opc { A64_BR = 0, A64_BLR = 1, A64_RET = 2 };

/* Data processing -- immediate. */
uint32_t a64_add_sub_imm(bool sf, bool sub, bool set_flags, bool shift12,
                         unsigned imm12, unsigned rn, unsigned rd);
uint32_t a64_logical_imm(bool sf, enum a64_logic_opc opc, unsigned n_immr_imms,
                         unsigned rn, unsigned rd);
uint32_t a64_move_wide_imm(bool sf, enum a64_movw_opc opc, unsigned hw,
                           unsigned imm16, unsigned rd);
uint32_t a64_bitfield(bool sf, enum a64_bitfield_opc opc, unsigned immr,
                      unsigned imms, unsigned rn, unsigned rd);
uint32_t a64_extr(bool sf, unsigned rm, unsigned imms, unsigned rn, unsigned rd);
uint32_t a64_pc_rel_adr(int32_t offset, unsigned rd);

/* Data processing -- register. */
uint32_t a64_add_sub_shifted_reg(bool sf, bool sub, bool set_flags, enum a64_shift shift,
                                 unsigned rm, unsigned imm6, unsigned rn, unsigned rd);
/* option: 0-3 UXTB/H/W/X, 4-7 SXTB/H/W/X; Rn and Rd are SP for 31. */
uint32_t a64_add_sub_ext_reg(bool sf, bool sub, bool set_flags, unsigned option,
                             unsigned imm3, unsigned rm, unsigned rn, unsigned rd);
uint32_t a64_logical_shifted_reg(bool sf, enum a64_logic_opc opc, bool invert,
                                 enum a64_shift shift, unsigned rm, unsigned imm6,
                                 unsigned rn, unsigned rd);
uint32_t a64_data_proc_1src(bool sf, enum a64_dp1_opcode opcode, unsigned rn, unsigned rd);
uint32_t a64_data_proc_2src(bool sf, enum a64_dp2_opcode opcode, unsigned rm,
                            unsigned rn, unsigned rd);
/* op54:op31:o0 selects madd/msub/smulh/umulh... */
uint32_t a64_data_proc_3src(bool sf, unsigned op31, bool o0, unsigned rm,
                            unsigned ra, unsigned rn, unsigned rd);
uint32_t a64_cond_select(bool sf, bool op, unsigned op2, unsigned rm,
                         enum a64_cond cond, unsigned rn, unsigned rd);

/* Loads and stores; size = log2 of the access in bytes. */
uint32_t a64_load_store_unsigned_imm(unsigned size, enum a64_ldst_opc opc,
                                     unsigned imm12, unsigned rn, unsigned rt);
uint32_t a64_load_store_unscaled_imm(unsigned size, enum a64_ldst_opc opc,
                                     int imm9, unsigned rn, unsigned rt);
uint32_t a64_load_store_reg_offset(unsigned size, enum a64_ldst_opc opc, unsigned rm,
                                   enum a64_extend option, bool scaled,
                                   unsigned rn, unsigned rt);
uint32_t a64_load_store_pair(bool load, enum a64_pair_mode mode, int imm7_scaled,
                             unsigned rt2, unsigned rn, unsigned rt);

/* Exclusives (size = log2 bytes) and barriers. */
uint32_t a64_load_store_exclusive(unsigned size, bool load, bool acq_rel, unsigned rs,
                                  unsigned rn, unsigned rt);
uint32_t a64_stlr(unsigned size, unsigned rn, unsigned rt);
uint32_t a64_mrs_tpidr(unsigned rt);
enum { A64_DMB_ISH = 0xb };
uint32_t a64_dmb(unsigned option);

/* Branches; offsets are in bytes from the branch itself. */
uint32_t a64_uncond_branch_imm(bool link, int32_t offset);
uint32_t a64_cond_branch_imm(enum a64_cond cond, int32_t offset);
uint32_t a64_compare_branch_imm(bool sf, bool nonzero, int32_t offset, unsigned rt);
uint32_t a64_test_branch_imm(bool nonzero, unsigned bit, int32_t offset, unsigned rt);
uint32_t a64_uncond_branch_reg(enum a64_branch_reg_opc opc, unsigned rn);

static inline bool a64_branch26_reaches(int64_t offset)
{ return offset >= -(1 << 27) && offset < (1 << 27) && !(offset & 3); }
static inline bool a64_branch19_reaches(int64_t offset)
{ return offset >= -(1 << 20) && offset < (1 << 20) && !(offset & 3); }

/* Logical (bitmask) immediates: encodes v (its low `size` bits, size 32 or
 * 64) as N:immr:imms (13 bits) for a64_logical_imm().  Fails for 0, all
 * ones and values that are not a rotated run of ones replicated. */
bool a64_bitmask_encode(uint64_t v, int size, unsigned *n_immr_imms);

/* add/sub immediate: imm12, optionally shifted left by 12. */
static inline bool a64_arith_imm_fits(uint64_t v)
{ return v < 4096 || (!(v & 0xfff) && v < (4096 << 12)); }

/* Materialising constants: the shortest movz/movn/movk or orr sequence
 * writing imm into rd.  Returns the number of words written (1..4). */
int a64_movi_sequence(uint32_t out[4], unsigned rd, uint64_t imm);

/* ---- Aliases, written as the Arm ARM defines them. ---- */
static inline uint32_t a64_mov(bool sf, unsigned rd, unsigned rm)
{ return a64_logical_shifted_reg(sf, A64_ORR, false, A64_LSL, rm, 0, A64_ZR, rd); }
static inline uint32_t a64_mov_sp(unsigned rd, unsigned rn)   /* mov to/from sp */
{ return a64_add_sub_imm(true, false, false, false, 0, rn, rd); }
static inline uint32_t a64_lsl_imm(bool sf, unsigned rd, unsigned rn, unsigned s)
{ unsigned w = sf ? 64 : 32; return a64_bitfield(sf, A64_UBFM, (w - s) % w, w - 1 - s, rn, rd); }
static inline uint32_t a64_lsr_imm(bool sf, unsigned rd, unsigned rn, unsigned s)
{ return a64_bitfield(sf, A64_UBFM, s, sf ? 63 : 31, rn, rd); }
static inline uint32_t a64_asr_imm(bool sf, unsigned rd, unsigned rn, unsigned s)
{ return a64_bitfield(sf, A64_SBFM, s, sf ? 63 : 31, rn, rd); }
static inline uint32_t a64_ror_imm(bool sf, unsigned rd, unsigned rn, unsigned s)
{ return a64_extr(sf, rn, s, rn, rd); }
static inline uint32_t a64_ubfx(bool sf, unsigned rd, unsigned rn, unsigned lsb, unsigned width)
{ return a64_bitfield(sf, A64_UBFM, lsb, lsb + width - 1, rn, rd); }
static inline uint32_t a64_sbfx(bool sf, unsigned rd, unsigned rn, unsigned lsb, unsigned width)
{ return a64_bitfield(sf, A64_SBFM, lsb, lsb + width - 1, rn, rd); }
static inline uint32_t a64_bfi(bool sf, unsigned rd, unsigned rn, unsigned lsb, unsigned width)
{ unsigned w = sf ? 64 : 32; return a64_bitfield(sf, A64_BFM, (w - lsb) % w, width - 1, rn, rd); }
static inline uint32_t a64_ubfiz(bool sf, unsigned rd, unsigned rn, unsigned lsb, unsigned width)
{ unsigned w = sf ? 64 : 32; return a64_bitfield(sf, A64_UBFM, (w - lsb) % w, width - 1, rn, rd); }
static inline uint32_t a64_cmp(bool sf, unsigned rn, unsigned rm)
{ return a64_add_sub_shifted_reg(sf, true, true, A64_LSL, rm, 0, rn, A64_ZR); }
static inline uint32_t a64_tst(bool sf, unsigned rn, unsigned rm)
{ return a64_logical_shifted_reg(sf, A64_ANDS, false, A64_LSL, rm, 0, rn, A64_ZR); }
static inline uint32_t a64_cset(bool sf, unsigned rd, enum a64_cond cond)
{ return a64_cond_select(sf, false, 1, A64_ZR, a64_cond_invert(cond), A64_ZR, rd); }
static inline uint32_t a64_csel(bool sf, unsigned rd, unsigned rn, unsigned rm, enum a64_cond cond)
{ return a64_cond_select(sf, false, 0, rm, cond, rn, rd); }
static inline uint32_t a64_neg(bool sf, unsigned rd, unsigned rm)
{ return a64_add_sub_shifted_reg(sf, true, false, A64_LSL, rm, 0, A64_ZR, rd); }
static inline uint32_t a64_mvn(bool sf, unsigned rd, unsigned rm)
{ return a64_logical_shifted_reg(sf, A64_ORR, true, A64_LSL, rm, 0, A64_ZR, rd); }
static inline uint32_t a64_mul(bool sf, unsigned rd, unsigned rn, unsigned rm)
{ return a64_data_proc_3src(sf, 0, false, rm, A64_ZR, rn, rd); }
static inline uint32_t a64_umulh(unsigned rd, unsigned rn, unsigned rm)
{ return a64_data_proc_3src(true, 6, false, rm, A64_ZR, rn, rd); }
static inline uint32_t a64_smulh(unsigned rd, unsigned rn, unsigned rm)
{ return a64_data_proc_3src(true, 2, false, rm, A64_ZR, rn, rd); }
static inline uint32_t a64_ret(void) { return a64_uncond_branch_reg(A64_RET, A64_LR); }

#endif
