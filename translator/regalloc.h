/* regalloc.h -- the register allocator that turns one optimised IR block
 * into host code through the backend (regalloc.c, regalloc_live.c). */
#ifndef FERRY_REGALLOC_H
#define FERRY_REGALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "ir.h"

/* Per insn: bit k set when args[k] is a temp that is not used after the
 * insn (for an output: its result is never read). */
void ra_liveness(const struct ir_block *b, uint8_t *dies);

/* Emits b into c. Returns false when c ran out of room (c->end). */
bool ra_emit_block(struct be_code *c, const struct ir_block *b);

#endif
