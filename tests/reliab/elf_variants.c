/* elf_variants.c -- writes variants of an x86-64 ELF program that Linux's
 * binfmt_elf.c accepts although they are unusual; check-reliab.sh runs
 * each natively and under ferry and compares.
 *   elf_variants IN OUTPREFIX
 * writes OUTPREFIX.align (every PT_LOAD's p_align not a power of two),
 * .phdr (PT_PHDR's address bogus: the kernel computes AT_PHDR itself),
 * .swap (the first two PT_LOADs swapped in the table) and .overlap (the
 * second PT_LOAD starts a page earlier, over the first one's last page),
 * .lower (the second PT_LOAD 1 MiB lower, below the first) and .onto (the
 * second PT_LOAD at the first one's page: the program breaks, natively
 * too -- the kernel runs such files, it does not refuse them). */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *buf;
static long size;

static Elf64_Phdr *phdrs(unsigned char *b) { return (Elf64_Phdr *)(b + ((Elf64_Ehdr *)b)->e_phoff); }
static int phnum(unsigned char *b) { return ((Elf64_Ehdr *)b)->e_phnum; }

static int nth_load(unsigned char *b, int n)
{
    for (int i = 0; i < phnum(b); i++)
        if (phdrs(b)[i].p_type == PT_LOAD && n-- == 0)
            return i;
    return -1;
}

static void emit(const char *prefix, const char *suffix, void (*mutate)(unsigned char *))
{
    unsigned char *b = malloc(size);
    char path[4096];
    memcpy(b, buf, size);
    mutate(b);
    snprintf(path, sizeof path, "%s.%s", prefix, suffix);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, size, f) != (size_t)size) {
        perror(path);
        exit(1);
    }
    fclose(f);
    free(b);
}

static void m_align(unsigned char *b)
{
    for (int i = 0; i < phnum(b); i++)
        if (phdrs(b)[i].p_type == PT_LOAD)
            phdrs(b)[i].p_align = 0x3000;
}

static void m_phdr(unsigned char *b)
{
    for (int i = 0; i < phnum(b); i++)
        if (phdrs(b)[i].p_type == PT_PHDR)
            phdrs(b)[i].p_vaddr = phdrs(b)[i].p_paddr = 0x12345000;
}

static void m_swap(unsigned char *b)
{
    int i = nth_load(b, 0), j = nth_load(b, 1);
    Elf64_Phdr t = phdrs(b)[i];
    phdrs(b)[i] = phdrs(b)[j];
    phdrs(b)[j] = t;
}

static void m_overlap(unsigned char *b)
{
    Elf64_Phdr *p = &phdrs(b)[nth_load(b, 1)];
    if (p->p_offset < 0x1000)
        return;
    p->p_vaddr -= 0x1000, p->p_paddr -= 0x1000, p->p_offset -= 0x1000;
    p->p_filesz += 0x1000, p->p_memsz += 0x1000;
}

static void m_lower(unsigned char *b) { phdrs(b)[nth_load(b, 1)].p_vaddr -= 0x100000; }

static void m_onto(unsigned char *b)
{
    Elf64_Phdr *p0 = &phdrs(b)[nth_load(b, 0)], *p1 = &phdrs(b)[nth_load(b, 1)];
    p1->p_vaddr = p0->p_vaddr + ((p1->p_offset - p0->p_offset) & 4095);
}

int main(int argc, char **argv)
{
    FILE *f = argc == 3 ? fopen(argv[1], "rb") : NULL;
    if (!f) {
        fprintf(stderr, "usage: elf_variants IN OUTPREFIX\n");
        return 2;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    buf = malloc(size);
    if (fread(buf, 1, size, f) != (size_t)size)
        return 1;
    fclose(f);
    emit(argv[2], "align", m_align);
    emit(argv[2], "phdr", m_phdr);
    emit(argv[2], "swap", m_swap);
    emit(argv[2], "overlap", m_overlap);
    emit(argv[2], "lower", m_lower);
    emit(argv[2], "onto", m_onto);
    return 0;
}
