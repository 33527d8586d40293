/* ld_program.c -- what a user-mode x86-64 program's program headers must
 * say for ferry to run it (over ld_elf.c's format checks), by the rules of
 * Linux's binfmt_elf.c: PT_LOAD segments inside user space whose file
 * bytes are page-congruent with their addresses (the kernel's mmap needs
 * that; a segment without file bytes maps nothing from the file), in any
 * order and possibly overlapping (each maps over the ones before it);
 * p_align is only a hint (the kernel ignores one that is not a power of
 * two); a well-formed PT_INTERP.  Collects the segments, the
 * interpreter's name and where the program headers are in memory. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ld_internal.h"

/* ET_EXEC and ET_DYN (PIE, static-PIE, ld.so itself) x86-64 programs. */
static const struct ld_elf_accept ld_user_programs = {
    EM_X86_64, LD_ELF_TYPE(ET_EXEC) | LD_ELF_TYPE(ET_DYN)
};

/* Every rejection here is the shell's "cannot execute" (126). */
static int ld_reject(struct ld_program *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->elf.why, sizeof p->elf.why, fmt, ap);
    va_end(ap);
    return 126;
}

/* The kernel's rules: 2..PATH_MAX bytes in the file, NUL-terminated. */
static int ld_read_interp(const Elf64_Phdr *ph, struct ld_program *p)
{
    if (ph->p_filesz < 2 || ph->p_filesz > sizeof p->interp)
        return ld_reject(p, "bad PT_INTERP (size %llu)", (unsigned long long)ph->p_filesz);
    if (ph->p_offset > p->elf.file_size || p->elf.file_size - ph->p_offset < ph->p_filesz)
        return ld_reject(p, "truncated: PT_INTERP past end of file");
    if (ld_elf_read(&p->elf, p->interp, ph->p_filesz, ph->p_offset) != 0 ||
        p->interp[ph->p_filesz - 1] != 0 || p->interp[0] == 0) {
        p->interp[0] = 0;
        return ld_reject(p, "bad PT_INTERP (not a NUL-terminated path)");
    }
    return 0;
}

static int ld_prot_of(uint32_t flags)
{
    return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
           (flags & PF_X ? PROT_EXEC : 0);
}

/* One PT_LOAD: sizes and file bounds (ld_elf.c), then address range,
 * alignment and order. */
static int ld_check_load(const Elf64_Phdr *ph, int index, struct ld_program *p)
{
    if (ld_elf_check_segment(&p->elf, index) != LD_ELF_OK)
        return 126;
    if (ph->p_vaddr >= LD_USER_TOP || LD_USER_TOP - ph->p_vaddr < ph->p_memsz)
        return ld_reject(p, "absurd segment %d: address range 0x%llx+0x%llx", index,
                         (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz);
    if (ph->p_filesz && (ph->p_vaddr - ph->p_offset) % LD_PAGE_SIZE != 0)
        return ld_reject(p, "misaligned segment %d", index);
    if (p->nseg == LD_MAX_SEGMENTS)
        return ld_reject(p, "too many segments");
    p->seg[p->nseg++] = (struct ld_segment){ ph->p_vaddr, ph->p_memsz, ph->p_offset,
                                             ph->p_filesz, ld_prot_of(ph->p_flags), index };
    return 0;
}

/* Where the program headers are in memory, as the kernel computes AT_PHDR
 * (since Linux 5.18): from the PT_LOAD whose file bytes hold them, 0 (the
 * load bias) if none does.  PT_PHDR is not trusted: a static-PIE with a
 * bogus one must still find its headers. */
static void ld_find_phdr(struct ld_program *p)
{
    p->phdr_vaddr = 0;
    for (int i = 0; i < p->nseg; i++)
        if (p->elf.phoff >= p->seg[i].offset && p->elf.phoff < p->seg[i].offset + p->seg[i].filesz)
            p->phdr_vaddr = p->seg[i].vaddr + (p->elf.phoff - p->seg[i].offset);
}

void ld_program_bounds(const struct ld_program *p, struct ld_bounds *b)
{
    *b = (struct ld_bounds){ .start_code = UINT64_MAX };   /* (no PF_X: the kernel's ~0) */
    for (int i = 0; i < p->nseg; i++) {
        const struct ld_segment *s = &p->seg[i];
        uint64_t file_end = s->vaddr + s->filesz;
        if ((s->prot & PROT_EXEC) && s->vaddr < b->start_code)
            b->start_code = s->vaddr;
        if ((s->prot & PROT_EXEC) && file_end > b->end_code)
            b->end_code = file_end;
        b->start_data = s->vaddr > b->start_data ? s->vaddr : b->start_data;
        b->end_data = file_end > b->end_data ? file_end : b->end_data;
    }
}

static int ld_scan_phdrs(struct ld_program *p)
{
    for (int i = 0; i < (int)p->elf.phnum; i++) {
        const Elf64_Phdr *ph = &p->elf.ph[i];
        if (ph->p_type == PT_INTERP && !p->interp[0] && ld_read_interp(ph, p))
            return 126;
        if (ph->p_type == PT_GNU_STACK)
            p->exec_stack = (ph->p_flags & PF_X) != 0;
        if (ph->p_type == PT_LOAD && ph->p_memsz > 0 && ld_check_load(ph, i, p))
            return 126;
    }
    if (p->nseg == 0)
        return ld_reject(p, "no loadable segment (PT_LOAD)");
    p->lo = UINT64_MAX;
    p->hi = 0;
    for (int i = 0; i < p->nseg; i++) {
        uint64_t lo = LD_PAGE_DOWN(p->seg[i].vaddr), hi = LD_PAGE_UP(p->seg[i].vaddr + p->seg[i].memsz);
        p->lo = lo < p->lo ? lo : p->lo;
        p->hi = hi > p->hi ? hi : p->hi;
    }
    ld_find_phdr(p);
    return 0;
}

int ld_program_open(const char *path, struct ld_program *p)
{
    memset(p, 0, sizeof *p);
    enum ld_elf_error err = ld_elf_open(path, &ld_user_programs, &p->elf);
    if (err != LD_ELF_OK)
        return err == LD_ELF_MISSING ? 127 : 126;
    int st = ld_scan_phdrs(p);
    if (st)
        ld_elf_close(&p->elf);
    return st;
}
