/* fuzz_elf.c -- libFuzzer harness for the ELF loader's reading and
 * acceptance checks: the input is a program file.  It goes through
 * ld_program_open (via a memfd, so the pread path is the one ferry uses:
 * ELF format checks, PT_LOAD/PT_INTERP/PT_GNU_STACK rules, AT_PHDR), then
 * through ld_elf_open_mem with ferry-system's kernel rules and the note
 * scanner, through the profiles' symbol reader and the "#!" parser.  Nothing is mapped: mapping at
 * the program's fixed addresses is ld_map.c's and stays out of reach. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ld_internal.h"

static int fz_memfd = -1;
static char fz_path[64];

static void fz_elf_program(const uint8_t *data, size_t size)
{
    static struct ld_program p;
    if (fz_memfd < 0) {
        fz_memfd = memfd_create("fuzz-elf", 0);
        snprintf(fz_path, sizeof fz_path, "/proc/self/fd/%d", fz_memfd);
    }
    if (ftruncate(fz_memfd, 0) != 0 || pwrite(fz_memfd, data, size, 0) != (ssize_t)size)
        return;
    if (ld_program_open(fz_path, &p) != 0)
        return;
    /* What ld_map_segments and the stack builder read from a program
     * that passed: every segment inside [lo, hi), AT_PHDR inside it. */
    for (int i = 0; i < p.nseg; i++)
        if (p.seg[i].vaddr < p.lo || p.seg[i].vaddr + p.seg[i].memsz > p.hi)
            __builtin_trap();
    ld_elf_close(&p.elf);
}

/* The symbol reader for profiles (ld_symbols.c) reads the same files. */
static void fz_symbols(const uint8_t *data, size_t size)
{
    struct ld_symbols *s = ld_symbols_load(fz_path);
    for (size_t i = 0; i + 8 <= size && i < 64; i += 8) {
        uint64_t off;
        memcpy(&off, data + i, 8);
        ld_symbols_lookup(s, off % (size + 1));
    }
    ld_symbols_free(s);
}

static void fz_elf_kernel(const uint8_t *data, size_t size)
{
    static const struct ld_elf_accept kernels = { EM_X86_64, LD_ELF_TYPE(ET_EXEC), .class32 = 1 };
    struct ld_elf e;
    uint8_t desc[16];
    if (ld_elf_open_mem(data, size, "fuzz", &kernels, &e) != LD_ELF_OK)
        return;
    for (int i = 0; i < (int)e.phnum; i++) {
        if (e.ph[i].p_type == PT_NOTE)
            ld_elf_find_note(&e, &e.ph[i], "Xen", 18, desc, sizeof desc);
        if (e.ph[i].p_type == PT_LOAD)
            ld_elf_check_segment(&e, i);
    }
    ld_elf_close(&e);
}

static void fz_shebang(const uint8_t *data, size_t size)
{
    char interp[256], arg[256];
    ld_shebang_parse((const char *)data, size, interp, sizeof interp, arg, sizeof arg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_elf_program(data, size);
    fz_symbols(data, size);
    fz_elf_kernel(data, size);
    fz_shebang(data, size);
    return 0;
}
