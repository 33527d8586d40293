/* elf_cases.h -- the malformed-ELF cases, shared by the unit tests
 * (tests/unit/test_loader.c) and the CLI check's generator (gen_bad_elf.c).
 *
 * Each case turns the bytes of a good static x86-64 program into a bad
 * one and says how ferry must refuse it: exit status and the reason that
 * follows "ferry: PATH: ".  The reasons are ferry's own wording. */
#ifndef FERRY_TESTS_ELF_CASES_H
#define FERRY_TESTS_ELF_CASES_H

#include <elf.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct elf_bytes {
    uint8_t *data;
    size_t size;
};

static Elf64_Ehdr *elf_eh(struct elf_bytes *b) { return (Elf64_Ehdr *)b->data; }

static Elf64_Phdr *elf_ph(struct elf_bytes *b, int i)
{
    return (Elf64_Phdr *)(b->data + elf_eh(b)->e_phoff) + i;
}

/* The n-th PT_LOAD (0-based), or NULL. */
static Elf64_Phdr *elf_load(struct elf_bytes *b, int n)
{
    for (int i = 0; i < elf_eh(b)->e_phnum; i++)
        if (elf_ph(b, i)->p_type == PT_LOAD && n-- == 0)
            return elf_ph(b, i);
    return NULL;
}

static void mut_not_elf(struct elf_bytes *b) { b->data[1] = 'X'; }
static void mut_text(struct elf_bytes *b) { memcpy(b->data, "#hello\n", 7), b->size = 7; }
static void mut_empty(struct elf_bytes *b) { b->size = 0; }
static void mut_short_header(struct elf_bytes *b) { b->size = 40; }
/* EI_CLASS alone is ignored (Linux runs such a file); a 32-bit program's
 * program headers are Elf32_Phdr-sized too. */
static void mut_class32(struct elf_bytes *b)
{
    b->data[EI_CLASS] = ELFCLASS32;
    elf_eh(b)->e_phentsize = sizeof(Elf32_Phdr);
}
static void mut_aarch64(struct elf_bytes *b) { elf_eh(b)->e_machine = EM_AARCH64; }
static void mut_i386(struct elf_bytes *b) { elf_eh(b)->e_machine = EM_386; }
static void mut_rel(struct elf_bytes *b) { elf_eh(b)->e_type = ET_REL; }
static void mut_core(struct elf_bytes *b) { elf_eh(b)->e_type = ET_CORE; }
static void mut_phdrs_past_eof(struct elf_bytes *b) { elf_eh(b)->e_phoff = b->size - 16; }
static void mut_truncated(struct elf_bytes *b) { b->size = elf_load(b, 1)->p_offset + 64; }

static void mut_no_load(struct elf_bytes *b)
{
    for (int i = 0; i < elf_eh(b)->e_phnum; i++)
        if (elf_ph(b, i)->p_type == PT_LOAD)
            elf_ph(b, i)->p_type = PT_NULL;
}

/* The directory the fixtures are written to: interpreter cases name
 * other fixtures (absolute paths, as PT_INTERP usually is). */
static const char *elf_case_dir = ".";

/* A PT_NOTE becomes PT_INTERP naming `len` bytes of `interp` appended to
 * the file (the buffer has room: see ELF_CASE_SLACK). */
static void elf_set_interp(struct elf_bytes *b, const char *interp, size_t len)
{
    for (int i = 0; i < elf_eh(b)->e_phnum; i++) {
        Elf64_Phdr *ph = elf_ph(b, i);
        if (ph->p_type != PT_NOTE && ph->p_type != PT_GNU_STACK)
            continue;
        memcpy(b->data + b->size, interp, len);
        *ph = (Elf64_Phdr){ .p_type = PT_INTERP, .p_flags = PF_R, .p_offset = b->size,
                            .p_filesz = len, .p_memsz = len, .p_align = 1 };
        b->size += len;
        return;
    }
}

/* PT_INTERP naming the fixture `name` (written before this one). */
static void elf_interp_fixture(struct elf_bytes *b, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.elf", elf_case_dir, name);
    elf_set_interp(b, path, strlen(path) + 1);
}

#define ELF_CASE_MISSING_INTERP "/nonexistent/ferry-ld.so"
static void mut_interp_missing(struct elf_bytes *b)
{
    elf_set_interp(b, ELF_CASE_MISSING_INTERP, sizeof ELF_CASE_MISSING_INTERP);
}
static void mut_interp_unterminated(struct elf_bytes *b) { elf_set_interp(b, "/lib64/ld", 9); }
static void mut_interp_text(struct elf_bytes *b) { elf_interp_fixture(b, "text"); }
static void mut_interp_aarch64(struct elf_bytes *b) { elf_interp_fixture(b, "aarch64"); }
static void mut_interp_truncated(struct elf_bytes *b) { elf_interp_fixture(b, "short-header"); }
static void mut_interp_dir(struct elf_bytes *b) { elf_set_interp(b, "/", 2); }
static void mut_interp_nested(struct elf_bytes *b) { elf_interp_fixture(b, "interp-missing"); }

static void mut_filesz(struct elf_bytes *b) { elf_load(b, 0)->p_memsz = elf_load(b, 0)->p_filesz - 1; }
static void mut_kernel_addr(struct elf_bytes *b) { elf_load(b, 0)->p_vaddr = 0xffffffff80000000ull; }
static void mut_huge(struct elf_bytes *b) { elf_load(b, 1)->p_memsz = 1ull << 62; }
static void mut_misaligned(struct elf_bytes *b) { elf_load(b, 1)->p_vaddr += 8; }

struct elf_case {
    const char *name;
    void (*mutate)(struct elf_bytes *);
    int status;
    const char *reason;
};

static const struct elf_case elf_cases[] = {
    { "not-elf", mut_not_elf, 126, "not an ELF file" },
    { "text", mut_text, 126, "not an ELF file" },
    { "empty", mut_empty, 126, "not an ELF file" },
    { "short-header", mut_short_header, 126, "truncated: ELF header past end of file" },
    { "class32", mut_class32, 126, "wrong ELF class ELFCLASS32 (32-bit programs are not supported)" },
    { "aarch64", mut_aarch64, 126, "wrong machine AArch64 (only x86-64 programs are supported)" },
    { "i386", mut_i386, 126, "wrong machine i386 (only x86-64 programs are supported)" },
    { "rel", mut_rel, 126, "not an executable (ELF type REL (relocatable object))" },
    { "core", mut_core, 126, "not an executable (ELF type CORE (core dump))" },
    { "phdrs-past-eof", mut_phdrs_past_eof, 126, "truncated: program headers past end of file" },
    { "truncated", mut_truncated, 126, "truncated: segment %d extends past end of file" },
    { "no-load", mut_no_load, 126, "no loadable segment (PT_LOAD)" },
    { "interp-missing", mut_interp_missing, 127,
      "cannot find interpreter " ELF_CASE_MISSING_INTERP " (No such file or directory)" },
    { "interp-unterminated", mut_interp_unterminated, 126,
      "bad PT_INTERP (not a NUL-terminated path)" },
    { "interp-text", mut_interp_text, 126, "bad interpreter %s (not an ELF file)" },
    { "interp-aarch64", mut_interp_aarch64, 126,
      "bad interpreter %s (wrong machine AArch64 (only x86-64 programs are supported))" },
    { "interp-truncated", mut_interp_truncated, 126,
      "bad interpreter %s (truncated: ELF header past end of file)" },
    { "interp-dir", mut_interp_dir, 126, "bad interpreter / (Is a directory)" },
    { "interp-nested", mut_interp_nested, 126,
      "bad interpreter %s (it names an interpreter itself)" },
    { "filesz", mut_filesz, 126, "bad segment %d: file size larger than memory size" },
    { "kernel-addr", mut_kernel_addr, 126, "absurd segment %d: address range %s" },
    { "huge", mut_huge, 126, "absurd segment %d: address range %s" },
    { "misaligned", mut_misaligned, 126, "misaligned segment %d" },
};
#define ELF_N_CASES (sizeof elf_cases / sizeof elf_cases[0])
#define ELF_CASE_SLACK 4160      /* an appended PT_INTERP path */

/* Matches a reason against a pattern where %d stands for a number and
 * %s for any word without spaces. */
static int elf_reason_matches(const char *pat, const char *s)
{
    while (*pat) {
        if (pat[0] == '%' && (pat[1] == 'd' || pat[1] == 's')) {
            const char *start = s;
            while (*s && (pat[1] == 'd' ? (*s >= '0' && *s <= '9') : *s != ' ' && *s != ')'))
                s++;
            if (s == start)
                return 0;
            pat += 2;
        } else if (*pat++ != *s++) {
            return 0;
        }
    }
    return *s == 0;
}

/* A mutated copy of good (free the data). */
static struct elf_bytes elf_case_apply(const struct elf_case *c, const uint8_t *good, size_t size)
{
    struct elf_bytes b = { malloc(size + ELF_CASE_SLACK), size };
    memcpy(b.data, good, size);
    c->mutate(&b);
    return b;
}

#endif
