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
/* lahf: SF ZF AF PF CF into AH. */
void x64_emit_lahf(struct be_code *c);

#endif
