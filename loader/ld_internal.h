/* ld_internal.h -- what the user-mode loader's pieces (program checks,
 * segment mapping, interpreter, scripts, stack building) share: the
 * parsed, validated view of one program. */
#ifndef FERRY_LD_INTERNAL_H
#define FERRY_LD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ld_elf.h"
#include "loader.h"

#define LD_MAX_SEGMENTS 16
#define LD_PAGE_SIZE 4096ull        /* the x86-64 guest's page size */
#define LD_STACK_DEFAULT (8ull << 20)     /* RLIMIT_STACK when it cannot be read */
#define LD_STACK_MIN (128ull << 10)       /* Linux's minimum stack */
#define LD_STACK_MAX (1ull << 30)         /* for an unlimited RLIMIT_STACK */
#define LD_STACK_ROOM_MIN (128ull << 20) /* Linux's mmap_base gap: at least 128 MiB */
#define LD_STACK_GUARD (1ull << 20)       /* Linux's stack_guard_gap: 256 pages */
#define LD_STACK_AS_SHARE 16              /* the stack's reservation: at most 1/16 of RLIMIT_AS */
#define LD_STACK_PAD (1ull << 30)         /* more reserved where the usual top is taken (ld_stack.c) */
#define LD_STACK_TOP 0x00007ff000000000ull /* below the host's own stack and vdso */
#define LD_USER_TOP 0x00007ffffffff000ull   /* end of x86-64 user space */
#define LD_DYN_BASE 0x0000555555554000ull   /* Linux's ELF_ET_DYN_BASE */
#define LD_INTERP_MAX 4096                  /* PATH_MAX: the kernel's PT_INTERP limit */

#define LD_PAGE_DOWN(x) ((x) & ~(LD_PAGE_SIZE - 1))
#define LD_PAGE_UP(x) (((x) + LD_PAGE_SIZE - 1) & ~(LD_PAGE_SIZE - 1))

/* ld_elf.c: sets e->why and e->error; returns error (for tail calls). */
int ld_elf_fail(struct ld_elf *e, enum ld_elf_error error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct ld_segment {
    uint64_t vaddr, memsz, offset, filesz;
    int prot;                       /* PROT_* */
    int index;                      /* in the program header table */
};

struct ld_program {
    struct ld_elf elf;              /* the file; elf.why: reason of a rejection */
    uint64_t phdr_vaddr;            /* program headers in memory (unbiased) */
    struct ld_segment seg[LD_MAX_SEGMENTS];
    int nseg;
    uint64_t lo, hi;                /* page-aligned span of all segments */
    char interp[LD_INTERP_MAX];     /* PT_INTERP path; "" for static programs */
    bool exec_stack;                /* PT_GNU_STACK asks for PF_X */
    bool place_by_file;             /* ET_DYN at its file's slot (ld_place.c) */
};

/* ld_program.c: the program's code and data bounds (unbiased), as
 * Linux's load_elf_binary computes them for mm->start_code etc. */
void ld_program_bounds(const struct ld_program *p, struct ld_bounds *b);

/* ld_program.c: opens and validates an x86-64 program; returns 0, or
 * 126/127 with p->elf.why set.  On success the file is open
 * (ld_elf_close(&p->elf) closes it). */
int ld_program_open(const char *path, struct ld_program *p);

/* ld_map.c: maps the segments (an ET_DYN near `hint`, 0: anywhere),
 * noting the mappings in img; returns the load bias or sets the why and
 * returns (uint64_t)-1. */
uint64_t ld_map_segments(struct ld_program *p, uint64_t hint, struct ld_image *img);

/* ld_map.c: the guest's address space as ld_va_set gave it (x86-64's
 * by default); mmap through its map function (anywhere below its top,
 * trying hint first); Linux's ELF_ET_DYN_BASE for that top (two thirds
 * of it: 0x555555554000 on x86-64). */
const struct ld_va *ld_va_get(void);
void *ld_va_mmap(void *hint, size_t len, int prot, int flags, int fd, long off);
uint64_t ld_dyn_base(void);

/* ld_load.c: notes a mapping in img->maps. */
void ld_note_mapping(struct ld_image *img, uint64_t start, uint64_t end, int prot);

/* ld_vdso.c: maps the guest's vDSO (at its slot of the placed region when
 * `place`: the translation cache is on), notes it in img; its address (the
 * auxv's AT_SYSINFO_EHDR), or 0 without one. */
uint64_t ld_map_vdso(struct ld_image *img, bool place);
/* A reservation, each segment and each page two segments share: two
 * programs and the stack always fit. */
_Static_assert(2 * (1 + 2 * LD_MAX_SEGMENTS) + 1 <= LD_MAX_MAPPINGS, "room for every mapping");

/* ld_script.c: if *path is a "#!" script, *path becomes its interpreter
 * and *argv the interpreter's (malloc'ed, kept for the guest's life);
 * 0, or 126 with why set. */
int ld_script_resolve(const char **path, char *const **argv, char *why, size_t len);

/* ld_interp.c: opens main's interpreter (under the sysroot first); 0, or
 * 126/127 with main's why set ("cannot find interpreter ..."). */
int ld_interp_open(struct ld_program *main, struct ld_program *interp);
/* Maps it (noting the mappings in img); its load bias, or (uint64_t)-1
 * with main's why set. */
uint64_t ld_interp_map(struct ld_program *main, struct ld_program *interp, struct ld_image *img,
                       bool place_by_file);

/* ld_stack.c: allocates the guest stack (noted in img) and builds the
 * initial process stack; returns the initial rsp or 0 with why set. */
struct ld_auxv_info {
    uint64_t phdr, phent, phnum, entry;
    const char *execfn;
    uint64_t base;                  /* AT_BASE: the interpreter's load bias */
    const struct ld_params *params; /* AT_HWCAP, AT_HWCAP2, AT_PLATFORM */
    bool exec_stack;                /* the stack is executable (PT_GNU_STACK PF_X) */
    uint64_t vdso;                  /* AT_SYSINFO_EHDR, 0: none (no entry) */
};
uint64_t ld_build_stack(char *const argv[], char *const envp[],
                        const struct ld_auxv_info *ai, struct ld_image *img,
                        char *why, size_t len);

/* Writes the stack image into [base, base+size) (whose guest address is
 * the same) and returns the rsp; used by ld_build_stack and tests. */
uint64_t ld_stack_fill(uint8_t *base, size_t size, char *const argv[],
                       char *const envp[], const struct ld_auxv_info *ai);

/* The descriptor ld_exec_fd_set gave for path (ld_elf.c), or -1. */
int ld_exec_fd_of(const char *path);

#endif
