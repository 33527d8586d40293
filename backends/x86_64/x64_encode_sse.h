/* x64_encode_sse.h -- x86-64 encoders of the SSE forms the vector ops use
 * (checked against objdump by tests/unit/test_x86_64_backend.c).  An SSE
 * opcode is 0x0fXX, 0x0f38XX or 0x0f3aXX after its mandatory prefix; the
 * ModRM reg field is an XMM register, or a general register for the
 * conversions to integers, and so is rm. */
#ifndef FERRY_X64_ENCODE_SSE_H
#define FERRY_X64_ENCODE_SSE_H

#include "x64_encode.h"

/* Mandatory prefixes: ps forms none, pd/integer 66, ss F3, sd F2. */
enum x64_sse_pfx { X64_PNONE = 0, X64_P_66 = 0x66, X64_P_F3 = 0xf3, X64_P_F2 = 0xf2 };

/* op reg, rm (register direct); w sets REX.W (64-bit integer operand). */
void x64_emit_sse_rr(struct be_code *c, enum x64_sse_pfx p, bool w, uint32_t opc,
                     int reg, int rm);
/* op reg, [base + disp] (loads; stores by their opcode). */
void x64_emit_sse_rm(struct be_code *c, enum x64_sse_pfx p, uint32_t opc, int reg,
                     int base, int32_t disp);
/* movdqu xmm, [base + disp] and back. */
void x64_emit_movdqu_load(struct be_code *c, int xmm, int base, int32_t disp);
void x64_emit_movdqu_store(struct be_code *c, int base, int32_t disp, int xmm);
/* AVX's VEX.128 forms of the same opcodes (the low 128 bits; VEX.128
 * zeroes the rest of the ymm register, so no upper state is left dirty),
 * by the manual's operand-encoding classes; the prefix p becomes VEX.pp,
 * the 0F/0F38/0F3A escape VEX.mmmmm.  Register direct only.
 * RVM: op reg, vvvv, rm -- the nondestructive three-operand form. */
void x64_emit_vex_rvm(struct be_code *c, enum x64_sse_pfx p, uint32_t opc, int reg,
                      int vvvv, int rm);
/* VMI: op vvvv, rm, imm8 with ModRM.reg an opcode extension (the shifts
 * by immediate: 66 0F 71-73 /ext); the caller emits the imm8. */
void x64_emit_vex_vmi(struct be_code *c, enum x64_sse_pfx p, uint32_t opc, int ext,
                      int vvvv, int rm);
/* lahf: SF ZF AF PF CF into AH. */
void x64_emit_lahf(struct be_code *c);

#endif
