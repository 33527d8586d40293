/* ld_elf.c -- opens an ELF file or memory image, rejects what the caller
 * cannot run (not ELF, wrong machine or type, truncated or absurd
 * headers, as Linux's binfmt_elf.c judges them) and reads the program
 * header table; the one ELF reader of ferry and ferry-system (ld_elf.h).
 * What the program headers must say is the caller's: ld_program.c for
 * user-mode programs, system/boot_elf.c for kernels. */
#include <errno.h>
#include <fcntl.h>
#include <elf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ld_internal.h"

/* binfmt_elf.c's load_elf_phdrs: at most ELF_MIN_ALIGN bytes of them. */
#define LD_ELF_PHDRS_MAX 4096

int ld_elf_fail(struct ld_elf *e, enum ld_elf_error error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->why, sizeof e->why, fmt, ap);
    va_end(ap);
    e->error = error;
    return error;
}

static const struct { int machine; const char *name; } ld_machine_names[] = {
    { EM_X86_64, "x86-64" },      { EM_386, "i386" },
    { EM_AARCH64, "AArch64" },    { EM_ARM, "ARM" },
    { EM_RISCV, "RISC-V" },       { EM_PPC64, "PowerPC64" },
    { EM_PPC, "PowerPC" },        { EM_S390, "s390" },
    { EM_MIPS, "MIPS" },          { EM_SPARCV9, "SPARC64" },
    { EM_IA_64, "IA-64" },        { EM_LOONGARCH, "LoongArch" },
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
    case ET_EXEC: return "EXEC";
    case ET_DYN:  return "DYN";
    case ET_CORE: return "CORE (core dump)";
    default:      return "unknown";
    }
}

int ld_elf_read(const struct ld_elf *e, void *dst, uint64_t len, uint64_t off)
{
    if (e->data) {
        if (off > e->file_size || e->file_size - off < len)
            return errno = EIO, -1;
        memcpy(dst, e->data + off, len);
        return 0;
    }
    for (uint8_t *p = dst; len > 0;) {
        ssize_t n = pread(e->fd, p, len, (off_t)off);
        if (n <= 0)
            return n == 0 ? (errno = EIO, -1) : -1;
        p += n, len -= (uint64_t)n, off += (uint64_t)n;
    }
    return 0;
}

/* The program binfmt_misc's O flag opened for ferry (AT_EXECFD): read
 * through that descriptor, since the user of an execute-only (0711)
 * program cannot open it. */
static const char *ld_exec_path;
static int ld_exec_fd = -1;

void ld_exec_fd_set(const char *path, int fd)
{
    ld_exec_path = path;
    ld_exec_fd = fd;
}

int ld_exec_fd_of(const char *path)
{
    return ld_exec_path && ld_exec_fd >= 0 && !strcmp(path, ld_exec_path) ? ld_exec_fd : -1;
}

/* Opened without blocking, so a FIFO is refused at once (as the kernel's
 * execve does, with EACCES) instead of waiting for a writer. */
static int ld_open_path(const char *path)
{
    if (ld_exec_path && ld_exec_fd >= 0 && !strcmp(path, ld_exec_path))
        return fcntl(ld_exec_fd, F_DUPFD_CLOEXEC, 0);
    return open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
}

/* open(2) failures become the statuses a shell uses. */
static int ld_open_file(const char *path, struct ld_elf *e)
{
    struct stat st;
    e->fd = ld_open_path(path);
    if (e->fd < 0)
        return ld_elf_fail(e, errno == ENOENT || errno == ENOTDIR ? LD_ELF_MISSING : LD_ELF_UNREADABLE,
                           "%s", strerror(errno));
    if (fstat(e->fd, &st) != 0)
        return ld_elf_fail(e, LD_ELF_UNREADABLE, "%s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return ld_elf_fail(e, LD_ELF_UNREADABLE, "Is a directory");
    if (!S_ISREG(st.st_mode))
        return ld_elf_fail(e, LD_ELF_UNREADABLE, "%s (not a regular file)", strerror(EACCES));
    e->file_size = (uint64_t)st.st_size;
    return 0;
}

/* As Linux's binfmt_elf.c, only the magic number of e_ident counts: the
 * kernel runs an x86-64 program whose class, byte order or version bytes
 * say otherwise (the header is read as the host's Elf64_Ehdr, both hosts
 * being little-endian). */
static int ld_check_magic(const Elf64_Ehdr *eh, struct ld_elf *e)
{
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return ld_elf_fail(e, LD_ELF_NOT_ELF, "not an ELF file");
    return 0;
}

static uint64_t ld_phdr_size(const struct ld_elf *e)
{
    return e->class32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
}

/* The header's fields are kept even when rejected: callers word their
 * messages by them (e.g. no program headers at all).  The program header
 * table as the kernel takes it: entries of Elf64_Phdr's size, 1 to 4 KiB
 * of them (load_elf_phdrs). */
static int ld_check_ehdr(const Elf64_Ehdr *eh, const struct ld_elf_accept *acc, struct ld_elf *e)
{
    char buf[32], want[32];
    e->type = eh->e_type;
    e->entry = eh->e_entry;
    e->phoff = eh->e_phoff;
    e->phnum = eh->e_phnum;
    e->phentsize = eh->e_phentsize;
    if (eh->e_machine != acc->machine && !(e->class32 && eh->e_machine == EM_386))
        return ld_elf_fail(e, LD_ELF_UNSUPPORTED, "wrong machine %s (only %s programs are supported)",
                           ld_machine_name(eh->e_machine, buf, sizeof buf),
                           ld_machine_name(acc->machine, want, sizeof want));
    if (eh->e_type >= 32 || !(acc->types & LD_ELF_TYPE(eh->e_type)))
        return ld_elf_fail(e, LD_ELF_UNSUPPORTED, "not an executable (ELF type %s)",
                           ld_type_name(eh->e_type));
    if (eh->e_phnum == 0 || eh->e_phentsize != ld_phdr_size(e) ||
        (uint64_t)eh->e_phnum * ld_phdr_size(e) > LD_ELF_PHDRS_MAX)
        return ld_elf_fail(e, LD_ELF_BAD_PHDRS, "bad program header table");
    if (eh->e_phoff >= e->file_size ||
        e->file_size - eh->e_phoff < (uint64_t)eh->e_phnum * eh->e_phentsize)
        return ld_elf_fail(e, LD_ELF_BAD_PHDRS, "truncated: program headers past end of file");
    return 0;
}

/* An ELFCLASS32 program header table, read in place and widened from
 * the end down (an Elf32_Phdr is smaller than its Elf64 form). */
static void ld_widen_phdrs(struct ld_elf *e)
{
    for (uint64_t i = e->phnum; i-- > 0;) {
        Elf32_Phdr p;
        memcpy(&p, (const uint8_t *)e->ph + i * sizeof p, sizeof p);
        e->ph[i] = (Elf64_Phdr){ .p_type = p.p_type, .p_flags = p.p_flags, .p_offset = p.p_offset,
                                 .p_vaddr = p.p_vaddr, .p_paddr = p.p_paddr, .p_filesz = p.p_filesz,
                                 .p_memsz = p.p_memsz, .p_align = p.p_align };
    }
}

static int ld_read_phdrs(struct ld_elf *e)
{
    e->ph = calloc(e->phnum, sizeof *e->ph);
    if (!e->ph)
        return ld_elf_fail(e, LD_ELF_UNREADABLE, "out of memory");
    if (ld_elf_read(e, e->ph, e->phnum * ld_phdr_size(e), e->phoff) != 0)
        return ld_elf_fail(e, LD_ELF_BAD_PHDRS, "truncated: program headers past end of file");
    if (e->class32)
        ld_widen_phdrs(e);
    return 0;
}

/* An ELFCLASS32 header (in the first bytes of *eh) in its Elf64 form. */
static void ld_widen_ehdr(Elf64_Ehdr *eh)
{
    Elf32_Ehdr h;
    memcpy(&h, eh, sizeof h);
    *eh = (Elf64_Ehdr){ .e_type = h.e_type, .e_machine = h.e_machine, .e_version = h.e_version,
                        .e_entry = h.e_entry, .e_phoff = h.e_phoff, .e_shoff = h.e_shoff,
                        .e_flags = h.e_flags, .e_ehsize = h.e_ehsize, .e_phentsize = h.e_phentsize,
                        .e_phnum = h.e_phnum, .e_shentsize = h.e_shentsize,
                        .e_shnum = h.e_shnum, .e_shstrndx = h.e_shstrndx };
    memcpy(eh->e_ident, h.e_ident, EI_NIDENT);
}

/* A file too short for the header: "not ELF" unless the magic number
 * says it is a truncated one.  An ELFCLASS32 file, where the caller takes
 * one, is read as such. */
static int ld_read_ehdr(struct ld_elf *e, Elf64_Ehdr *eh, const struct ld_elf_accept *acc)
{
    memset(eh, 0, sizeof *eh);
    uint64_t n = e->file_size < sizeof *eh ? e->file_size : sizeof *eh;
    if (ld_elf_read(e, eh, n, 0) != 0)
        return ld_elf_fail(e, LD_ELF_UNREADABLE, "%s", strerror(errno));
    if (ld_check_magic(eh, e))
        return e->error;
    e->class32 = acc->class32 && eh->e_ident[EI_CLASS] == ELFCLASS32;
    if (n < (e->class32 ? sizeof(Elf32_Ehdr) : sizeof *eh))
        return ld_elf_fail(e, LD_ELF_NOT_ELF, "truncated: ELF header past end of file");
    if (e->class32)
        ld_widen_ehdr(eh);
    return 0;
}

/* A real 32-bit program fails as a 64-bit one; its class says why. */
static int ld_check_elf(struct ld_elf *e, const struct ld_elf_accept *acc)
{
    Elf64_Ehdr eh;
    int st = ld_read_ehdr(e, &eh, acc);
    if (st == 0)
        st = ld_check_ehdr(&eh, acc, e);
    if (st && st != LD_ELF_NOT_ELF && eh.e_ident[EI_CLASS] == ELFCLASS32 && !e->class32)
        st = ld_elf_fail(e, LD_ELF_UNSUPPORTED,
                         "wrong ELF class ELFCLASS32 (32-bit programs are not supported)");
    if (st == 0)
        st = ld_read_phdrs(e);
    return st;
}

static enum ld_elf_error ld_elf_start(struct ld_elf *e, const char *path)
{
    memset(e, 0, sizeof *e);
    e->path = path;
    e->fd = -1;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ld_elf_fail(e, LD_ELF_UNREADABLE, "libelf: %s", elf_errmsg(-1));
    return LD_ELF_OK;
}

static enum ld_elf_error ld_elf_finish(struct ld_elf *e, int st, const struct ld_elf_accept *acc)
{
    if (st == 0)
        st = ld_check_elf(e, acc);
    if (st)
        ld_elf_close(e);
    return st;
}

enum ld_elf_error ld_elf_open(const char *path, const struct ld_elf_accept *acc, struct ld_elf *e)
{
    int st = ld_elf_start(e, path);
    if (st == 0)
        st = ld_open_file(path, e);
    return ld_elf_finish(e, st, acc);
}

enum ld_elf_error ld_elf_open_mem(const void *data, uint64_t size, const char *path,
                                  const struct ld_elf_accept *acc, struct ld_elf *e)
{
    int st = ld_elf_start(e, path);
    e->data = data;
    e->file_size = size;
    return ld_elf_finish(e, st, acc);
}

void ld_elf_close(struct ld_elf *e)
{
    if (e->fd >= 0)
        close(e->fd);
    e->fd = -1;
    free(e->ph);
    e->ph = NULL;
}

enum ld_elf_error ld_elf_check_segment(struct ld_elf *e, int index)
{
    const Elf64_Phdr *ph = &e->ph[index];
    if (ph->p_filesz > ph->p_memsz)
        return ld_elf_fail(e, LD_ELF_BAD_SEGMENT,
                           "bad segment %d: file size larger than memory size", index);
    if (ph->p_offset > e->file_size || e->file_size - ph->p_offset < ph->p_filesz)
        return ld_elf_fail(e, LD_ELF_BAD_SEGMENT,
                           "truncated: segment %d extends past end of file", index);
    return LD_ELF_OK;
}
