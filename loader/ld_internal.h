/* ld_internal.h -- what the loader's pieces (ELF checks, segment mapping,
 * stack building) share: the parsed, validated view of one program. */
#ifndef FERRY_LD_INTERNAL_H
#define FERRY_LD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

#define LD_MAX_SEGMENTS 16
#define LD_PAGE_SIZE 4096ull        /* the x86-64 guest's page size */
#define LD_STACK_SIZE (8ull << 20)
#define LD_USER_TOP 0x00007ffffffff000ull   /* end of x86-64 user space */
#define LD_DYN_BASE 0x0000555555554000ull   /* Linux's ELF_ET_DYN_BASE */
#define LD_INTERP_MAX 4096                  /* PATH_MAX: the kernel's PT_INTERP limit */

#define LD_PAGE_DOWN(x) ((x) & ~(LD_PAGE_SIZE - 1))
#define LD_PAGE_UP(x) (((x) + LD_PAGE_SIZE - 1) & ~(LD_PAGE_SIZE - 1))

struct ld_segment {
    uint64_t vaddr, memsz, offset, filesz;
    int prot;                       /* PROT_* */
    int index;                      /* in the program header table */
};

struct ld_elf {
    const char *path;
    int fd;
    uint64_t file_size;
    int type;                       /* ET_EXEC / ET_DYN */
    uint64_t entry, phoff;
    uint64_t phnum, phentsize;
    uint64_t phdr_vaddr;            /* program headers in memory (unbiased) */
    struct ld_segment seg[LD_MAX_SEGMENTS];
    int nseg;
    uint64_t lo, hi;                /* page-aligned span of all segments */
    char why[512];                  /* reason of a rejection */
    char interp[LD_INTERP_MAX];     /* PT_INTERP path; "" for static programs */
};

/* ld_elf_check.c: opens and validates `path`; returns 0, or 126/127 with
 * e->why set.  On success e->fd is open (ld_elf_close closes it). */
int ld_elf_open(const char *path, struct ld_elf *e);
void ld_elf_close(struct ld_elf *e);

/* ld_map.c: maps the segments (an ET_DYN near `hint`, 0: anywhere);
 * returns the load bias or sets e->why and returns (uint64_t)-1. */
uint64_t ld_map_segments(struct ld_elf *e, uint64_t hint);

/* ld_stack.c: allocates the guest stack and builds the initial process
 * stack; returns the initial rsp or 0 with e->why set. */
struct ld_auxv_info {
    uint64_t phdr, phent, phnum, entry;
    const char *execfn;
    uint64_t base;                  /* AT_BASE: the interpreter's load bias */
};

/* ld_script.c: if *path is a "#!" script, *path becomes its interpreter
 * and *argv the interpreter's (malloc'ed, kept for the guest's life);
 * 0, or 126 with why set. */
int ld_script_resolve(const char **path, char *const **argv, char *why, size_t len);

/* ld_interp.c: opens main's interpreter (under the sysroot first); 0, or
 * 126/127 with main->why set ("cannot find interpreter ..."). */
int ld_interp_open(struct ld_elf *main, struct ld_elf *interp);
/* Maps it; its load bias, or (uint64_t)-1 with main->why set. */
uint64_t ld_interp_map(struct ld_elf *main, struct ld_elf *interp);
uint64_t ld_build_stack(char *const argv[], char *const envp[],
                        const struct ld_auxv_info *ai, struct ld_elf *e);

/* Writes the stack image into [base, base+size) (whose guest address is
 * the same) and returns the rsp; used by ld_build_stack and tests. */
uint64_t ld_stack_fill(uint8_t *base, size_t size, char *const argv[],
                       char *const envp[], const struct ld_auxv_info *ai);

#endif
