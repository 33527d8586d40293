/* x64_reloc.c -- host addresses in blocks for the persistent translation
 * cache (backend.h: be_reloc_note / be_reloc_patch): an absolute address
 * is a movabs imm64, a jump or call into the code cache a rel32; both are
 * rewritten in place where the block lands. */
#include <string.h>

#include "x64_backend.h"


/* reg = addr, always the imm64 form; listed when the block is cacheable. */
void x64_emit_movi_addr(struct be_code *c, int reg, const void *addr, enum be_reloc_kind kind)
{
    x64_emit_mov_r_imm64(c, reg, (uint64_t)(uintptr_t)addr);
    if (c->relocs)
        be_reloc_note(c, c->ptr - 8, kind, X64_FORM_ABS64, addr);
}

/* jmp/call rel32 to code-cache code (the epilogue, the vector stub). */
void x64_emit_rel32_code(struct be_code *c, uint8_t opcode, const uint8_t *target)
{
    if (opcode == 0xe8)
        x64_emit_call_rel32(c, target);
    else
        x64_emit_jmp_rel32(c, target);
    if (c->relocs)
        be_reloc_note(c, c->ptr - 4, BE_RELOC_CODE, X64_FORM_REL32, target);
}

bool be_reloc_patch(uint8_t *code, uint32_t code_size, intptr_t rw_delta,
                    const struct be_reloc *r, uint64_t target)
{
    uint8_t *at = code + r->offset;
    if (r->offset > code_size || code_size - r->offset < (r->form == X64_FORM_ABS64 ? 8u : 4u))
        return false;
    if (r->form == X64_FORM_ABS64) {
        memcpy(at + rw_delta, &target, 8);
        return true;
    }
    int64_t rel = (int64_t)(target - (uint64_t)(uintptr_t)(at + 4));
    if (r->form != X64_FORM_REL32 || !x64_fits_s32(rel))
        return false;
    int32_t v = (int32_t)rel;
    memcpy(at + rw_delta, &v, 4);
    return true;
}

/* x86 keeps instruction fetch coherent with stores. */
void be_code_written(uint8_t *code, size_t len)
{
    (void)code;
    (void)len;
}
