/* x86_isa_alias.h -- GFNI, AVX-VNNI and the VEX.256 VAES/VPCLMULQDQ
 * forms, which capstone 4 cannot decode (x86_isa_alias.c). */
#ifndef FERRY_X86_ISA_ALIAS_H
#define FERRY_X86_ISA_ALIAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capstone/capstone.h>

/* Decodes the instruction at code (size bytes readable) into ci if it is
 * one of them: ci keeps the guest's bytes, with the instruction's id. */
bool x86_isa_alias(csh cs, const uint8_t *code, size_t size, uint64_t pc, cs_insn *ci);

#endif
