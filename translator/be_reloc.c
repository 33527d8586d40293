/* be_reloc.c -- the list of host-address fields a backend keeps while it
 * emits a block for the persistent translation cache (backend.h,
 * be_reloc_note).  A file of its own so that code linking a backend
 * without the cache (the backends' unit and execution tests) does not pull
 * in the cache and, with it, the code cache. */
#include <stdint.h>

#include "backend.h"

void be_reloc_note(struct be_code *c, const uint8_t *field, enum be_reloc_kind kind,
                   unsigned form, const void *target)
{
    struct be_relocs *r = c->relocs;
    if (r->n == BE_MAX_RELOCS) {
        r->overflow = true;
        return;
    }
    r->r[r->n++] = (struct be_reloc){ .offset = (uint32_t)(field - c->start), .kind = (uint8_t)kind,
                                      .form = (uint8_t)form, .target = (uint64_t)(uintptr_t)target };
}
