/* loader.h -- maps an x86-64 ELF program (static, or dynamically linked
 * with its interpreter; a "#!" script runs its interpreter) and builds its
 * initial stack exactly as the Linux kernel does.  Also the rules the
 * loader and the syscall layer share: "#!" lines and the -L sysroot.
 *
 * The loader is a leaf: what it needs from the rest of ferry (the CPU's
 * AT_HWCAP bits, ...) comes in as struct ld_params, and what it mapped
 * goes back as struct ld_image for the caller to hand on.  ld_elf.h is
 * its ELF reader, also used by ferry-system. */
#ifndef FERRY_LOADER_H
#define FERRY_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the guest's initial auxv says about the CPU. */
struct ld_params {
    uint64_t hwcap, hwcap2;     /* AT_HWCAP, AT_HWCAP2 */
    const char *platform;       /* AT_PLATFORM string, e.g. "x86_64" */
    bool place_shared;          /* the interpreter at its slot (ld_place.c) */
    uint32_t minsigstksz;       /* AT_MINSIGSTKSZ: the signal frame's worst case */
};

/* The guest's address space (set by syscalls/sys_guest_va.c before
 * loading; ld_va_set): its top, Linux's TASK_SIZE (0x7ffffffff000 on
 * x86-64, lower on a host with fewer VA bits or under
 * FERRY_DEBUG_VA_CEILING), where the stack's top goes, and -- on a host
 * whose own mappings may lie above that top -- the function that maps
 * guest memory below it (mmap's arguments; hint: where to try first;
 * NULL: the host's mmap).  Without ld_va_set: x86-64's layout, mmap. */
struct ld_va {
    uint64_t task_size, stack_top;
    void *(*map)(void *hint, size_t len, int prot, int flags, int fd, long off);
};
void ld_va_set(const struct ld_va *va);

/* One mapping the loader made: its pages and their protection as the
 * guest sees it (PROT_*: code is also host-readable for the decoder). */
struct ld_mapping {
    uint64_t start, len;
    int prot;
};
#define LD_MAX_MAPPINGS 72

/* The program's code and data as Linux's load_elf_binary records them
 * (mm->start_code ..., /proc/PID/stat fields 26, 27, 45, 46; status's
 * VmExe): the lowest executable PT_LOAD's address and the end of the
 * executable ones' file bytes; the highest PT_LOAD's address and the end
 * of all file bytes.  Load bias added. */
struct ld_bounds {
    uint64_t start_code, end_code, start_data, end_data;
};

/* What ld_load_program mapped.  Strings are malloc'ed and live as long
 * as the guest. */
struct ld_image {
    uint64_t entry;             /* first guest pc (the interpreter's entry, if any) */
    uint64_t stack_pointer;     /* initial guest rsp (points at argc) */
    uint64_t brk_start;         /* page-aligned end of the highest segment */
    uint64_t load_bias;         /* 0 for ET_EXEC, chosen base for (static-)PIE */
    uint64_t phdr, phent, phnum;
    struct ld_bounds bounds;            /* the program's code and data */
    uint64_t stack_start, stack_end;    /* the main stack's pages at start */
    uint64_t stack_floor;               /* how far it may grow down unasked (the room;
                                         * below: a guard gap; further as Linux
                                         * decides, syscalls/sys_stack_grow.c) */
    uint64_t stack_hole;                /* the low end of the PROT_NONE reservation
                                         * of both, 0 without one (ld_stack.c) */
    bool stack_exec;                    /* its pages executable (PT_GNU_STACK) */
    uint64_t vdso_start, vdso_end;      /* the vDSO's pages (ld_vdso.c), 0 without one;
                                         * its data pages right below (ld_vdso_layout) */
    const char *interp;         /* the interpreter as opened (after -L), or NULL */
    uint64_t interp_base;       /* its load bias (AT_BASE), 0 without one */
    const char *exe_path;       /* what the guest's /proc/self/exe is: the real
                                 * path of the program run (a script's interpreter) */
    /* Every mapping made (segments of the program and its interpreter,
     * the gaps between them, the stack), in order: where two overlap the
     * later one is what the guest has.  The caller hands them on to
     * whatever tracks the guest's mappings. */
    struct ld_mapping maps[LD_MAX_MAPPINGS];
    int n_maps;
};

/* The guest's vDSO as Linux's x86-64 map_vdso lays it out in the kernel
 * release the guest sees (uname's, the host's: ld_vdso_layout decides
 * once), the same on every host (no x86-64 kernel to copy on the
 * others): its data pages first, [vvar] then [vvar_vclock] (pvclock,
 * hvclock; 0 bytes, no such mapping, before 6.13), read-only and unused
 * by ferry's vDSO, then [vdso], its image's size (Linux's images are 2
 * pages; ferry's are smaller, padded).  release is major * 100 + minor
 * (6.18: 618), for the rules that changed between releases (sys_vdso.c).
 * docs/status.md says how each boundary is known. */
struct ld_vdso_layout {
    uint64_t vvar, vclock, vdso;        /* bytes */
    int release;
};
#define LD_VDSO_SIZE 0x2000ull
const struct ld_vdso_layout *ld_vdso_layout(void);

/* A guest vDSO image (ld_vdso.c): its bytes, *size of them; the 64-bit
 * one, or with compat the 32-bit one (ARCH_MAP_VDSO_32). */
const uint8_t *ld_vdso_bytes(bool compat, size_t *size);

/* Loads `path`. argv[0] is the guest's argv[0]. On failure, writes a
 * one-line message "ferry: PATH: REASON" to errbuf and returns the exit
 * status a shell would use (126 not executable / bad format, 127 missing);
 * returns 0 on success. */
int ld_load_program(const char *path, char *const argv[], char *const envp[],
                    const struct ld_params *params, struct ld_image *img,
                    char *errbuf, size_t errlen);

/* Whether ld_load_program could load the ELF program `path`, without
 * mapping anything: 0, or 126/127 with the reason in why; *interp says
 * whether the program is fine but its interpreter is not, and how (the
 * kernel's errno differs: EACCES when it cannot be opened as a regular
 * file, ELIBBAD when its contents are refused). */
enum ld_interp_fault { LD_INTERP_FINE, LD_INTERP_BAD, LD_INTERP_UNREADABLE };
int ld_check_program(const char *path, enum ld_interp_fault *interp, char *why, size_t len);

/* ld_place.c: while the persistent translation cache is on, shared
 * objects are mapped at an address derived from their file's identity
 * (st), the same in every run.  Maps len bytes there (mmap's other
 * arguments as given; never over an existing mapping) or returns
 * MAP_FAILED: then the caller maps as usual. */
struct stat;
void *ld_place_map(const struct stat *st, size_t len, int prot, int flags, int fd, long off);
/* The same at the slot of `id`, for what has no file (the vDSO). */
void *ld_place_map_id(uint64_t id, size_t len, int prot, int flags, int fd, long off);
/* Whether fd is a regular file holding an x86-64 ELF shared object (or
 * PIE: ET_DYN); fills *st. */
bool ld_place_is_shared_object(int fd, struct stat *st);

/* ld_elf.c: the program at `path` is read through fd (binfmt_misc's
 * AT_EXECFD) instead of being opened; fd -1 ends that. */
void ld_exec_fd_set(const char *path, int fd);

/* ld_symbols.c: the function symbols of the ELF file `path` (NULL if it
 * cannot be read), and the name of the function holding file offset off
 * (NULL if none does); for naming guest code in profiles. */
struct ld_symbols;
struct ld_symbols *ld_symbols_load(const char *path);
const char *ld_symbols_lookup(const struct ld_symbols *s, uint64_t off);
void ld_symbols_free(struct ld_symbols *s);

/* ld_shebang.c: parses "#!interp [arg]" in head; returns 1 (filled in),
 * 0 (not a script) or -1 (empty interpreter). */
int ld_shebang_parse(const char *head, size_t len, char *interp, size_t ilen,
                     char *arg, size_t alen);

/* ld_sysroot.c: the guest file-system prefix (-L DIR).  Sets DIR (made
 * absolute); "/" means none; -1 if DIR is no directory. */
int ld_sysroot_set(const char *dir);
/* The absolute DIR, or NULL when there is none. */
const char *ld_sysroot_get(void);
/* DIR + path if that name exists under DIR, else path.  follow: the last
 * component is followed if it is an absolute symbolic link (open, stat,
 * exec), not for lstat/readlink.  The result stays valid for the next
 * three calls in this thread. */
const char *ld_sysroot_path(const char *path, int follow);

#endif
