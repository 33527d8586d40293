/* a64_reloc.c -- host addresses in blocks for the persistent translation
 * cache (backend.h: be_reloc_note / be_reloc_patch): an address loaded
 * into a register is the full movz + 3 movk (four instructions, whatever
 * its halfwords; a helper's three, below), and a branch into the code cache or to a
 * helper is a b/bl imm26 whose offset is rewritten where the block lands.
 *
 * The fixed length holds also for blocks that are not cached, for helpers
 * and code-cache addresses: where ferry's code lands (its own size, ASLR)
 * then never changes the length of emitted code, so neither do the golden
 * files.  A block record's address (the chain stubs' x16) is heap memory,
 * always three halfwords: it keeps the short form when not cached.
 * A helper's address (BE_RELOC_HOST: ferry's own code) is three words,
 * movz + 2 movk, when its top halfword is zero, as it is for every
 * user-space address with 48-bit virtual addresses (a 52-bit address
 * space gives one above 2^48 only to an mmap that asks for it): SHA-256's
 * helper calls spent 3.3 % of their run on `movk #0, lsl #48`.  Loaded
 * from the translation cache where the helper is above 2^48, the block is
 * translated again (patch_mov, as an out-of-reach branch). */
#include "a64_emit.h"

enum { A64_FORM_MOV4 = 1, A64_FORM_B26 = 2, A64_FORM_MOV3 = 3 };

/* rd = addr; a listed, rewritable field when the block is cacheable. */
void a64_emit_movi_addr(struct be_code *c, unsigned rd, const void *addr, enum be_reloc_kind kind)
{
    uint64_t v = (uint64_t)(uintptr_t)addr;
    if (!c->relocs && kind == BE_RELOC_BLOCK) {
        a64_emit_movi_inline(c, (int)rd, v);
        return;
    }
    unsigned n = kind == BE_RELOC_HOST && !(v >> 48) ? 3 : 4;
    if (c->relocs)
        be_reloc_note(c, c->ptr, kind, n == 3 ? A64_FORM_MOV3 : A64_FORM_MOV4, addr);
    a64_put(c, a64_move_wide_imm(true, A64_MOVZ, 0, v & 0xffff, rd));
    for (unsigned hw = 1; hw < n; hw++)
        a64_put(c, a64_move_wide_imm(true, A64_MOVK, hw, (v >> (16 * hw)) & 0xffff, rd));
}

/* A b (or bl) to target (kind: in the code cache or ferry's own code)
 * when it reaches; else false.  A cached block whose branch no longer
 * reaches where it is loaded is translated again (be_reloc_patch fails). */
bool a64_emit_branch_to(struct be_code *c, const void *target, bool link, enum be_reloc_kind kind)
{
    int64_t off = a64_offset_to(c, target);
    if (!a64_branch26_reaches(off))
        return false;
    if (c->relocs)
        be_reloc_note(c, c->ptr, kind, A64_FORM_B26, target);
    a64_put(c, a64_uncond_branch_imm(link, (int32_t)off));
    return true;
}

bool a64_emit_branch_code(struct be_code *c, const void *target, bool link)
{
    return a64_emit_branch_to(c, target, link, BE_RELOC_CODE);
}

/* n halfwords of v into movz + movks; false when v has more. */
static bool patch_mov(uint32_t *w, unsigned n, uint64_t v)
{
    if (n < 4 && v >> (16 * n))
        return false;
    for (unsigned hw = 0; hw < n; hw++) {
        uint32_t keep = w[hw] & ~(0xffffu << 5);
        w[hw] = keep | (uint32_t)((v >> (16 * hw)) & 0xffff) << 5;
    }
    return true;
}

static bool patch_b26(uint32_t *w, const uint8_t *at, uint64_t target)
{
    int64_t off = (int64_t)(target - (uint64_t)(uintptr_t)at);
    if (!a64_branch26_reaches(off))
        return false;
    *w = (*w & 0xfc000000u) | ((uint32_t)(off >> 2) & 0x03ffffffu);
    return true;
}

bool be_reloc_patch(uint8_t *code, uint32_t code_size, intptr_t rw_delta,
                    const struct be_reloc *r, uint64_t target)
{
    uint8_t *at = code + r->offset;
    uint32_t w[4];
    bool ok;
    unsigned n = r->form == A64_FORM_MOV4 ? 4 : r->form == A64_FORM_MOV3 ? 3 : 1;
    if (r->offset > code_size || code_size - r->offset < 4 * n)
        return false;
    if (n > 1) {
        __builtin_memcpy(w, at + rw_delta, 4 * n);
        ok = patch_mov(w, n, target);
        if (ok)
            __builtin_memcpy(at + rw_delta, w, 4 * n);
        return ok;
    }
    if (r->form != A64_FORM_B26)
        return false;
    __builtin_memcpy(w, at + rw_delta, 4);
    ok = patch_b26(w, at, target);
    if (ok)
        __builtin_memcpy(at + rw_delta, w, 4);
    return ok;
}

void be_code_written(uint8_t *code, size_t len)
{
    __builtin___clear_cache((char *)code, (char *)code + len);
}
