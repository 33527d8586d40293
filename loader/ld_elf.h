/* ld_elf.h -- reading an ELF file, shared by ferry's program loader and
 * ferry-system's kernel loader: the file (or an image already in memory)
 * is checked against what the caller accepts and its program headers are
 * read once; segments and notes are then read on demand.  Where segments
 * go (virtual or physical addresses, host or guest memory) is the
 * caller's business. */
#ifndef FERRY_LD_ELF_H
#define FERRY_LD_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* What went wrong, for callers that word their own messages. */
enum ld_elf_error {
    LD_ELF_OK,
    LD_ELF_MISSING,         /* no such file (a shell says 127) */
    LD_ELF_UNREADABLE,      /* cannot open or read it, or not a regular file */
    LD_ELF_NOT_ELF,         /* no ELF magic, or a truncated ELF header */
    LD_ELF_UNSUPPORTED,     /* class, byte order, machine or type not accepted */
    LD_ELF_BAD_PHDRS,       /* program header table missing, malformed or truncated */
    LD_ELF_BAD_SEGMENT,     /* a segment inconsistent with itself or the file */
};

/* What the caller can run: one machine, 64-bit little-endian, these types;
 * kernels may also be ELFCLASS32 (EM_386 or `machine`), as QEMU's PVH
 * loader takes them: their headers are widened to the Elf64 forms. */
struct ld_elf_accept {
    int machine;            /* EM_X86_64 */
    unsigned types;         /* LD_ELF_TYPE(ET_EXEC) | ... */
    int class32;            /* nonzero: ELFCLASS32 accepted too (kernels only) */
};
#define LD_ELF_TYPE(t) (1u << (t))

struct ld_elf {
    const char *path;       /* for messages */
    int fd;                 /* the open file, or -1 (memory image, or closed) */
    const uint8_t *data;    /* the memory image, or NULL */
    uint64_t file_size;
    int type;               /* e_type */
    int class32;            /* an ELFCLASS32 file (ph widened to Elf64_Phdr) */
    uint64_t entry, phoff, phnum, phentsize;
    Elf64_Phdr *ph;         /* the phnum program headers (owned) */
    enum ld_elf_error error;
    char why[512];          /* reason of a rejection, one line */
};

/* Open and check a file / an image of `size` bytes at `data` (which must
 * outlive e).  Return LD_ELF_OK, or the error with e->why set (and e
 * closed).  ld_elf_close releases what an open holds; closing twice is
 * harmless. */
enum ld_elf_error ld_elf_open(const char *path, const struct ld_elf_accept *acc, struct ld_elf *e);
enum ld_elf_error ld_elf_open_mem(const void *data, uint64_t size, const char *path,
                                  const struct ld_elf_accept *acc, struct ld_elf *e);
void ld_elf_close(struct ld_elf *e);

/* Reads len bytes at file offset off; 0, or -1 with errno set. */
int ld_elf_read(const struct ld_elf *e, void *dst, uint64_t len, uint64_t off);

/* Program header `index` (a PT_LOAD) fits in the file and its memory:
 * LD_ELF_OK or LD_ELF_BAD_SEGMENT with e->why set. */
enum ld_elf_error ld_elf_check_segment(struct ld_elf *e, int index);

/* The descriptor of the first note `name`/`type` in the PT_NOTE segment
 * ph: copies up to len bytes of it to desc and returns its size, or -1
 * if there is no such (well-formed) note. */
int64_t ld_elf_find_note(const struct ld_elf *e, const Elf64_Phdr *ph, const char *name,
                         uint32_t type, void *desc, size_t len);

#endif
