/* a64_encode.c -- the A64 encoding classes as pure functions.
 *
 * One function per class of the Arm ARM's "A64 instruction set encoding"
 * tables; each places its fields at the documented bit positions and
 * masks them, so an out-of-range field can never corrupt a neighbour.
 */
#include "a64_encode.h"

#define F(v, bits, pos) ((((uint32_t)(v)) & ((1u << (bits)) - 1)) << (pos))
#define REG_N_D(rn, rd) (F(rn, 5, 5) | F(rd, 5, 0))

uint32_t a64_add_sub_imm(bool sf, bool sub, bool set_flags, bool shift12,
                         unsigned imm12, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(sub, 1, 30) | F(set_flags, 1, 29) | F(0x22, 6, 23) |
           F(shift12, 1, 22) | F(imm12, 12, 10) | REG_N_D(rn, rd);
}

uint32_t a64_logical_imm(bool sf, enum a64_logic_opc opc, unsigned n_immr_imms,
                         unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(opc, 2, 29) | F(0x24, 6, 23) | F(n_immr_imms, 13, 10) |
           REG_N_D(rn, rd);
}

uint32_t a64_move_wide_imm(bool sf, enum a64_movw_opc opc, unsigned hw,
                           unsigned imm16, unsigned rd)
{
    return F(sf, 1, 31) | F(opc, 2, 29) | F(0x25, 6, 23) | F(hw, 2, 21) |
           F(imm16, 16, 5) | F(rd, 5, 0);
}

/* N must equal sf in the bitfield and extract classes. */
uint32_t a64_bitfield(bool sf, enum a64_bitfield_opc opc, unsigned immr,
                      unsigned imms, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(opc, 2, 29) | F(0x26, 6, 23) | F(sf, 1, 22) |
           F(immr, 6, 16) | F(imms, 6, 10) | REG_N_D(rn, rd);
}

uint32_t a64_extr(bool sf, unsigned rm, unsigned imms, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(0x27, 6, 23) | F(sf, 1, 22) | F(rm, 5, 16) |
           F(imms, 6, 10) | REG_N_D(rn, rd);
}

uint32_t a64_pc_rel_adr(int32_t offset, unsigned rd)
{
    return F(offset, 2, 29) | F(0x10, 5, 24) | F(offset >> 2, 19, 5) | F(rd, 5, 0);
}

uint32_t a64_add_sub_shifted_reg(bool sf, bool sub, bool set_flags, enum a64_shift shift,
                                 unsigned rm, unsigned imm6, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(sub, 1, 30) | F(set_flags, 1, 29) | F(0x0b, 5, 24) |
           F(shift, 2, 22) | F(rm, 5, 16) | F(imm6, 6, 10) | REG_N_D(rn, rd);
}

uint32_t a64_add_sub_ext_reg(bool sf, bool sub, bool set_flags, unsigned option,
                             unsigned imm3, unsigned rm, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(sub, 1, 30) | F(set_flags, 1, 29) | F(0x0b, 5, 24) |
           F(1, 1, 21) | F(rm, 5, 16) | F(option, 3, 13) | F(imm3, 3, 10) | REG_N_D(rn, rd);
}

uint32_t a64_logical_shifted_reg(bool sf, enum a64_logic_opc opc, bool invert,
                                 enum a64_shift shift, unsigned rm, unsigned imm6,
                                 unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(opc, 2, 29) | F(0x0a, 5, 24) | F(shift, 2, 22) |
           F(invert, 1, 21) | F(rm, 5, 16) | F(imm6, 6, 10) | REG_N_D(rn, rd);
}

uint32_t a64_data_proc_1src(bool sf, enum a64_dp1_opcode opcode, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(1, 1, 30) | F(0xd6, 8, 21) | F(opcode, 6, 10) | REG_N_D(rn, rd);
}

uint32_t a64_data_proc_2src(bool sf, enum a64_dp2_opcode opcode, unsigned rm,
                            unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(0xd6, 8, 21) | F(rm, 5, 16) | F(opcode, 6, 10) | REG_N_D(rn, rd);
}

uint32_t a64_data_proc_3src(bool sf, unsigned op31, bool o0, unsigned rm,
                            unsigned ra, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(0x1b, 5, 24) | F(op31, 3, 21) | F(rm, 5, 16) |
           F(o0, 1, 15) | F(ra, 5, 10) | REG_N_D(rn, rd);
}

uint32_t a64_cond_select(bool sf, bool op, unsigned op2, unsigned rm,
                         enum a64_cond cond, unsigned rn, unsigned rd)
{
    return F(sf, 1, 31) | F(op, 1, 30) | F(0xd4, 8, 21) | F(rm, 5, 16) |
           F(cond, 4, 12) | F(op2, 2, 10) | REG_N_D(rn, rd);
}

/* size:111:V=0:01:opc:imm12:Rn:Rt; imm12 counts units of the access size. */
uint32_t a64_load_store_unsigned_imm(unsigned size, enum a64_ldst_opc opc,
                                     unsigned imm12, unsigned rn, unsigned rt)
{
    return F(size, 2, 30) | F(7, 3, 27) | F(1, 2, 24) | F(opc, 2, 22) |
           F(imm12, 12, 10) | REG_N_D(rn, rt);
}

uint32_t a64_load_store_unscaled_imm(unsigned size, enum a64_ldst_opc opc,
                                     int imm9, unsigned rn, unsigned rt)
{
    return F(size, 2, 30) | F(7, 3, 27) | F(opc, 2, 22) | F(imm9, 9, 12) | REG_N_D(rn, rt);
}

uint32_t a64_load_store_reg_offset(unsigned size, enum a64_ldst_opc opc, unsigned rm,
                                   enum a64_extend option, bool scaled,
                                   unsigned rn, unsigned rt)
{
    return F(size, 2, 30) | F(7, 3, 27) | F(opc, 2, 22) | F(1, 1, 21) | F(rm, 5, 16) |
           F(option, 3, 13) | F(scaled, 1, 12) | F(2, 2, 10) | REG_N_D(rn, rt);
}

/* 64-bit integer pairs only (opc=10); imm7 counts 8-byte units. */
uint32_t a64_load_store_pair(bool load, enum a64_pair_mode mode, int imm7_scaled,
                             unsigned rt2, unsigned rn, unsigned rt)
{
    return F(2, 2, 30) | F(5, 3, 27) | F(mode, 3, 23) | F(load, 1, 22) |
           F(imm7_scaled, 7, 15) | F(rt2, 5, 10) | REG_N_D(rn, rt);
}

/* Load/store exclusive: ldxr/ldaxr (load; acq_rel = acquire) and
 * stxr/stlxr (store; acq_rel = release, status in rs). */
uint32_t a64_load_store_exclusive(unsigned size, bool load, bool acq_rel, unsigned rs,
                                  unsigned rn, unsigned rt)
{
    return F(size, 2, 30) | F(8, 6, 24) | F(load, 1, 22) | F(load ? 0x1f : rs, 5, 16) |
           F(acq_rel, 1, 15) | F(0x1f, 5, 10) | REG_N_D(rn, rt);
}

/* stlr (store-release, no exclusive): the ordered form's o2 bit. */
uint32_t a64_stlr(unsigned size, unsigned rn, unsigned rt)
{
    return a64_load_store_exclusive(size, false, true, 0x1f, rn, rt) | F(1, 1, 23);
}

/* mrs xt, tpidr_el0: the thread pointer, one per host thread. */
uint32_t a64_mrs_tpidr(unsigned rt) { return 0xd53bd040u | F(rt, 5, 0); }

/* dmb with CRm = option (0xb: ish). */
uint32_t a64_dmb(unsigned option)
{
    return 0xd50330bfu | F(option, 4, 8);
}

uint32_t a64_uncond_branch_imm(bool link, int32_t offset)
{
    return F(link, 1, 31) | F(5, 5, 26) | F(offset >> 2, 26, 0);
}

uint32_t a64_cond_branch_imm(enum a64_cond cond, int32_t offset)
{
    return F(0x54, 8, 24) | F(offset >> 2, 19, 5) | F(cond, 4, 0);
}

uint32_t a64_compare_branch_imm(bool sf, bool nonzero, int32_t offset, unsigned rt)
{
    return F(sf, 1, 31) | F(0x1a, 6, 25) | F(nonzero, 1, 24) | F(offset >> 2, 19, 5) |
           F(rt, 5, 0);
}

/* tbz/tbnz rt, #bit, offset (bit 0-63; imm14: +-32 KiB) */
uint32_t a64_test_branch_imm(bool nonzero, unsigned bit, int32_t offset, unsigned rt)
{
    return F(bit >> 5, 1, 31) | F(0x1b, 6, 25) | F(nonzero, 1, 24) | F(bit & 31, 5, 19) |
           F(offset >> 2, 14, 5) | F(rt, 5, 0);
}

uint32_t a64_uncond_branch_reg(enum a64_branch_reg_opc opc, unsigned rn)
{
    return F(0x6b, 7, 25) | F(opc, 4, 21) | F(0x1f, 5, 16) | F(rn, 5, 5);
}
