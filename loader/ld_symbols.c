/* ld_symbols.c -- the function symbols of an ELF file by file offset, so
 * that guest code can be named (--perfmap): .symtab if the file has one,
 * else .dynsym, each symbol placed at the file offset its address has in
 * the PT_LOAD segment holding it. */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

struct ld_symbol {
    uint64_t off, size;
    char *name;
};

struct ld_symbols {
    struct ld_symbol *sym;
    size_t n, cap;
};

/* The file offset of address vaddr, or UINT64_MAX if no PT_LOAD has it. */
static uint64_t vaddr_to_offset(Elf *elf, uint64_t vaddr)
{
    size_t n;
    GElf_Phdr ph;
    if (elf_getphdrnum(elf, &n) != 0)
        return UINT64_MAX;
    for (size_t k = 0; k < n; k++)
        if (gelf_getphdr(elf, (int)k, &ph) && ph.p_type == PT_LOAD &&
            vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz)
            return vaddr - ph.p_vaddr + ph.p_offset;
    return UINT64_MAX;
}

static void add_symbol(struct ld_symbols *s, uint64_t off, uint64_t size, const char *name)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        struct ld_symbol *p = realloc(s->sym, cap * sizeof(*p));
        if (!p)
            return;
        s->sym = p;
        s->cap = cap;
    }
    s->sym[s->n++] = (struct ld_symbol){ off, size ? size : 1, strdup(name) };
}

static void read_table(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct ld_symbols *s)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    size_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
    GElf_Sym sym;
    for (size_t k = 0; data && k < count; k++) {
        if (!gelf_getsym(data, (int)k, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
            sym.st_shndx == SHN_UNDEF)
            continue;
        const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
        uint64_t off = vaddr_to_offset(elf, sym.st_value);
        if (name && *name && off != UINT64_MAX)
            add_symbol(s, off, sym.st_size, name);
    }
}

/* The section of type `type`, or NULL. */
static Elf_Scn *find_table(Elf *elf, unsigned type, GElf_Shdr *sh)
{
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn))
        if (gelf_getshdr(scn, sh) && sh->sh_type == type)
            return scn;
    return NULL;
}

static int by_offset(const void *a, const void *b)
{
    const struct ld_symbol *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

struct ld_symbols *ld_symbols_load(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);    /* a FIFO: no wait */
    if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
        return fd >= 0 ? (close(fd), NULL) : NULL;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    struct ld_symbols *s = calloc(1, sizeof(*s));
    GElf_Shdr sh;
    Elf_Scn *scn = elf ? find_table(elf, SHT_SYMTAB, &sh) : NULL;
    if (elf && !scn)
        scn = find_table(elf, SHT_DYNSYM, &sh);
    if (s && scn)
        read_table(elf, scn, &sh, s);
    if (elf)
        elf_end(elf);
    close(fd);
    if (s && s->n)
        qsort(s->sym, s->n, sizeof(s->sym[0]), by_offset);
    return s;
}

const char *ld_symbols_lookup(const struct ld_symbols *s, uint64_t off)
{
    size_t lo = 0, hi = s ? s->n : 0;
    while (lo < hi) {                   /* the last symbol starting at or before off */
        size_t mid = (lo + hi) / 2;
        if (s->sym[mid].off <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || off >= s->sym[lo - 1].off + s->sym[lo - 1].size)
        return NULL;
    return s->sym[lo - 1].name;
}

void ld_symbols_free(struct ld_symbols *s)
{
    for (size_t i = 0; s && i < s->n; i++)
        free(s->sym[i].name);
    if (s)
        free(s->sym);
    free(s);
}
