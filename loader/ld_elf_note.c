/* ld_elf_note.c -- finds one note (name, type -> descriptor) in a PT_NOTE
 * segment, e.g. the Xen PVH entry point of a vmlinux.  Malformed notes
 * end the search: a note is a hint, never a reason to reject a file. */
#include <stdlib.h>
#include <string.h>

#include "ld_elf.h"

#define LD_NOTE_MAX (1u << 20)      /* larger PT_NOTEs are not worth reading */

static uint32_t ld_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Walks the notes in [p, end): name and descriptor are padded to 4 bytes. */
static int64_t ld_note_scan(const uint8_t *p, const uint8_t *end, const char *name,
                            uint32_t type, void *desc, size_t len)
{
    size_t want = strlen(name) + 1;
    while (end - p >= 12) {
        uint32_t namesz = ld_u32(p), descsz = ld_u32(p + 4);
        uint64_t nlen = (namesz + 3ull) & ~3ull, dlen = (descsz + 3ull) & ~3ull;
        if (nlen + dlen > (uint64_t)(end - p - 12))
            return -1;
        if (ld_u32(p + 8) == type && namesz == want && memcmp(p + 12, name, want) == 0) {
            memcpy(desc, p + 12 + nlen, descsz < len ? descsz : len);
            return descsz;
        }
        p += 12 + nlen + dlen;
    }
    return -1;
}

int64_t ld_elf_find_note(const struct ld_elf *e, const Elf64_Phdr *ph, const char *name,
                         uint32_t type, void *desc, size_t len)
{
    if (ph->p_type != PT_NOTE || ph->p_filesz > LD_NOTE_MAX || ph->p_offset > e->file_size ||
        ph->p_filesz > e->file_size - ph->p_offset)
        return -1;
    uint8_t *buf = malloc(ph->p_filesz ? ph->p_filesz : 1);
    int64_t r = -1;
    if (buf && ld_elf_read(e, buf, ph->p_filesz, ph->p_offset) == 0)
        r = ld_note_scan(buf, buf + ph->p_filesz, name, type, desc, len);
    free(buf);
    return r;
}
