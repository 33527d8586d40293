/* ld_elf_check.c -- opens a program with libelf and rejects everything
 * ferry cannot run (wrong format, class, machine, type, truncated or
 * absurd headers, a malformed PT_INTERP), collecting its PT_LOAD segments
 * and the interpreter's name. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ld_internal.h"

/* Sets the rejection reason; returns `status` for tail calls. */
static int ld_reject(struct ld_elf *e, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->why, sizeof e->why, fmt, ap);
    va_end(ap);
    return status;
}

static const struct { int machine; const char *name; } ld_machine_names[] = {
    { EM_386, "i386" },           { EM_AARCH64, "AArch64" },
    { EM_ARM, "ARM" },            { EM_RISCV, "RISC-V" },
    { EM_PPC64, "PowerPC64" },    { EM_PPC, "PowerPC" },
    { EM_S390, "s390" },          { EM_MIPS, "MIPS" },
    { EM_SPARCV9, "SPARC64" },    { EM_IA_64, "IA-64" },
    { EM_LOONGARCH, "LoongArch" },
};

static const char *ld_machine_name(int machine, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof ld_machine_names / sizeof ld_machine_names[0]; i++)
        if (ld_machine_names[i].machine == machine)
            return ld_machine_names[i].name;
    snprintf(buf, len, "machine %d", machine);
    return buf;
}

static const char *ld_type_name(int type)
{
    switch (type) {
    case ET_NONE: return "NONE";
    case ET_REL:  return "REL (relocatable object)";
    case ET_CORE: return "CORE (core dump)";
    default:      return "unknown";
    }
}

/* open(2) failures become the statuses a shell uses. */
static int ld_open_file(const char *path, struct ld_elf *e)
{
    struct stat st;
    e->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (e->fd < 0)
        return ld_reject(e, errno == ENOENT || errno == ENOTDIR ? 127 : 126,
                         "%s", strerror(errno));
    if (fstat(e->fd, &st) != 0)
        return ld_reject(e, 126, "%s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return ld_reject(e, 126, "Is a directory");
    if (!S_ISREG(st.st_mode))
        return ld_reject(e, 126, "not a regular file");
    e->file_size = (uint64_t)st.st_size;
    return 0;
}

/* e_ident checks, done before trusting any other header field. */
static int ld_check_ident(Elf *elf, struct ld_elf *e)
{
    size_t n = 0;
    const char *id = elf_getident(elf, &n);
    if (elf_kind(elf) != ELF_K_ELF || !id || n < EI_NIDENT)
        return ld_reject(e, 126, "not an ELF file");
    if (id[EI_CLASS] == ELFCLASS32)
        return ld_reject(e, 126, "wrong ELF class ELFCLASS32 (32-bit programs are not supported)");
    if (id[EI_CLASS] != ELFCLASS64)
        return ld_reject(e, 126, "bad ELF class %d", id[EI_CLASS]);
    if (id[EI_DATA] != ELFDATA2LSB)
        return ld_reject(e, 126, "not a little-endian ELF file");
    return 0;
}

static int ld_check_ehdr(const GElf_Ehdr *eh, struct ld_elf *e)
{
    char buf[32];
    if (eh->e_machine != EM_X86_64)
        return ld_reject(e, 126, "wrong machine %s (only x86-64 programs are supported)",
                         ld_machine_name(eh->e_machine, buf, sizeof buf));
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return ld_reject(e, 126, "not an executable (ELF type %s)", ld_type_name(eh->e_type));
    if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM || eh->e_phentsize != sizeof(Elf64_Phdr))
        return ld_reject(e, 126, "bad program header table");
    if (eh->e_phoff >= e->file_size ||
        e->file_size - eh->e_phoff < (uint64_t)eh->e_phnum * eh->e_phentsize)
        return ld_reject(e, 126, "truncated: program headers past end of file");
    e->type = eh->e_type;
    e->entry = eh->e_entry;
    e->phoff = eh->e_phoff;
    e->phnum = eh->e_phnum;
    e->phentsize = eh->e_phentsize;
    return 0;
}

/* The kernel's rules: 2..PATH_MAX bytes in the file, NUL-terminated. */
static int ld_read_interp(const GElf_Phdr *ph, struct ld_elf *e)
{
    if (ph->p_filesz < 2 || ph->p_filesz > sizeof e->interp)
        return ld_reject(e, 126, "bad PT_INTERP (size %llu)", (unsigned long long)ph->p_filesz);
    if (ph->p_offset > e->file_size || e->file_size - ph->p_offset < ph->p_filesz)
        return ld_reject(e, 126, "truncated: PT_INTERP past end of file");
    ssize_t got = pread(e->fd, e->interp, ph->p_filesz, (off_t)ph->p_offset);
    if (got != (ssize_t)ph->p_filesz || e->interp[got - 1] != 0 || e->interp[0] == 0) {
        e->interp[0] = 0;
        return ld_reject(e, 126, "bad PT_INTERP (not a NUL-terminated path)");
    }
    return 0;
}

static int ld_prot_of(uint32_t flags)
{
    return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
           (flags & PF_X ? PROT_EXEC : 0);
}

/* One PT_LOAD: sizes, file bounds, address range and alignment. */
static int ld_check_load(const GElf_Phdr *ph, int index, struct ld_elf *e)
{
    if (ph->p_filesz > ph->p_memsz)
        return ld_reject(e, 126, "bad segment %d: file size larger than memory size", index);
    if (ph->p_offset > e->file_size || e->file_size - ph->p_offset < ph->p_filesz)
        return ld_reject(e, 126, "truncated: segment %d extends past end of file", index);
    if (ph->p_vaddr >= LD_USER_TOP || LD_USER_TOP - ph->p_vaddr < ph->p_memsz)
        return ld_reject(e, 126, "absurd segment %d: address range 0x%llx+0x%llx", index,
                         (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz);
    if ((ph->p_align & (ph->p_align - 1)) != 0 ||
        (ph->p_vaddr - ph->p_offset) % LD_PAGE_SIZE != 0)
        return ld_reject(e, 126, "misaligned segment %d", index);
    if (e->nseg == LD_MAX_SEGMENTS)
        return ld_reject(e, 126, "too many segments");
    if (e->nseg > 0) {
        const struct ld_segment *prev = &e->seg[e->nseg - 1];
        if (ph->p_vaddr < prev->vaddr + prev->memsz)
            return ld_reject(e, 126, "overlapping or unsorted segments %d and %d", prev->index, index);
    }
    e->seg[e->nseg++] = (struct ld_segment){ ph->p_vaddr, ph->p_memsz, ph->p_offset,
                                             ph->p_filesz, ld_prot_of(ph->p_flags), index };
    return 0;
}

/* Where the program headers are in memory: PT_PHDR, else the PT_LOAD
 * whose file range contains them (as the kernel computes AT_PHDR). */
static void ld_find_phdr(struct ld_elf *e, const GElf_Phdr *pt_phdr)
{
    if (pt_phdr) {
        e->phdr_vaddr = pt_phdr->p_vaddr;
        return;
    }
    for (int i = 0; i < e->nseg; i++)
        if (e->phoff >= e->seg[i].offset && e->phoff < e->seg[i].offset + e->seg[i].filesz)
            e->phdr_vaddr = e->seg[i].vaddr + (e->phoff - e->seg[i].offset);
}

static int ld_scan_phdrs(Elf *elf, struct ld_elf *e)
{
    GElf_Phdr ph, phdr_seg;
    const GElf_Phdr *pt_phdr = NULL;
    for (int i = 0; i < (int)e->phnum; i++) {
        if (!gelf_getphdr(elf, i, &ph))
            return ld_reject(e, 126, "bad program header %d", i);
        if (ph.p_type == PT_INTERP && !e->interp[0] && ld_read_interp(&ph, e))
            return 126;
        if (ph.p_type == PT_PHDR)
            phdr_seg = ph, pt_phdr = &phdr_seg;
        if (ph.p_type == PT_LOAD && ph.p_memsz > 0) {
            int st = ld_check_load(&ph, i, e);
            if (st)
                return st;
        }
    }
    if (e->nseg == 0)
        return ld_reject(e, 126, "no loadable segment (PT_LOAD)");
    e->lo = LD_PAGE_DOWN(e->seg[0].vaddr);
    e->hi = LD_PAGE_UP(e->seg[e->nseg - 1].vaddr + e->seg[e->nseg - 1].memsz);
    ld_find_phdr(e, pt_phdr);
    return 0;
}

/* libelf calls a file too short for its header "not ELF"; the magic
 * number says it is a truncated one. */
static int ld_check_short(struct ld_elf *e)
{
    char magic[SELFMAG];
    if (e->file_size >= sizeof(Elf64_Ehdr) || e->file_size < SELFMAG)
        return 0;
    if (pread(e->fd, magic, SELFMAG, 0) == SELFMAG && memcmp(magic, ELFMAG, SELFMAG) == 0)
        return ld_reject(e, 126, "truncated: ELF header past end of file");
    return 0;
}

static int ld_check_elf(struct ld_elf *e)
{
    GElf_Ehdr eh;
    if (ld_check_short(e))
        return 126;
    Elf *elf = elf_begin(e->fd, ELF_C_READ, NULL);
    int st = elf ? ld_check_ident(elf, e) : ld_reject(e, 126, "not an ELF file");
    if (st == 0 && !gelf_getehdr(elf, &eh))
        st = ld_reject(e, 126, "truncated: ELF header past end of file");
    if (st == 0)
        st = ld_check_ehdr(&eh, e);
    if (st == 0)
        st = ld_scan_phdrs(elf, e);
    if (elf)
        elf_end(elf);
    return st;
}

int ld_elf_open(const char *path, struct ld_elf *e)
{
    memset(e, 0, sizeof *e);
    e->path = path;
    e->fd = -1;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ld_reject(e, 126, "libelf: %s", elf_errmsg(-1));
    int st = ld_open_file(path, e);
    if (st == 0)
        st = ld_check_elf(e);
    if (st)
        ld_elf_close(e);
    return st;
}

void ld_elf_close(struct ld_elf *e)
{
    if (e->fd >= 0)
        close(e->fd);
    e->fd = -1;
}
