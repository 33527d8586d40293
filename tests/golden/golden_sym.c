/* golden_sym.c -- the golden driver's symbol table: the sized function and
 * object symbols of its own ELF file, relocated to where the binary runs
 * (static-pie: anywhere), so that helper addresses in host code print as
 * helper names whatever the layout of the build. */
#include <fcntl.h>
#include <stdbool.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"

struct gd_sym {
    uint64_t addr, size;
    const char *name;
};
static struct gd_sym *syms;
static size_t n_syms;

static _Noreturn void sym_fatal(const char *what, const char *path)
{
    fprintf(stderr, "golden: %s: %s\n", path, what);
    exit(1);
}

static int by_addr(const void *a, const void *b)
{
    const struct gd_sym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool wanted(const GElf_Sym *s)
{
    int t = GELF_ST_TYPE(s->st_info);
    return (t == STT_FUNC || t == STT_OBJECT) && s->st_size && s->st_value;
}

static void add_section(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
    syms = realloc(syms, (n_syms + n) * sizeof(*syms));
    if (!d || (n && !syms))
        sym_fatal("cannot read the symbol table", "self");
    for (size_t k = 0; k < n; k++) {
        GElf_Sym s;
        if (!gelf_getsym(d, (int)k, &s) || !wanted(&s))
            continue;
        const char *name = elf_strptr(elf, sh->sh_link, s.st_name);
        if (name && *name)
            syms[n_syms++] = (struct gd_sym){ s.st_value, s.st_size, strdup(name) };
    }
}

/* Load bias: where main runs minus where the file says it is. */
static void relocate(void)
{
    extern int main(int, char **);
    for (size_t k = 0; k < n_syms; k++) {
        if (strcmp(syms[k].name, "main"))
            continue;
        uint64_t bias = (uint64_t)(uintptr_t)main - syms[k].addr;
        for (size_t j = 0; j < n_syms; j++)
            syms[j].addr += bias;
        return;
    }
    sym_fatal("no symbol main", "self");
}

void gd_sym_load(const char *path)
{
    elf_version(EV_CURRENT);
    int fd = open(path, O_RDONLY);
    Elf *elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ, NULL);
    if (!elf)
        sym_fatal("cannot open as ELF", path);
    for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
            add_section(elf, scn, &sh);
    }
    if (!n_syms)
        sym_fatal("no symbols (stripped?)", path);
    relocate();
    qsort(syms, n_syms, sizeof(*syms), by_addr);
}

const char *gd_sym_name(uint64_t addr, char *buf, size_t len)
{
    size_t lo = 0, hi = n_syms;
    while (lo < hi) {                       /* first symbol above addr */
        size_t mid = (lo + hi) / 2;
        if (syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k-- > 0 && addr - syms[k].addr < (1u << 20);) {
        if (addr - syms[k].addr >= syms[k].size)
            continue;
        if (addr == syms[k].addr)
            snprintf(buf, len, "%s", syms[k].name);
        else
            snprintf(buf, len, "%s+0x%llx", syms[k].name, (unsigned long long)(addr - syms[k].addr));
        return buf;
    }
    return NULL;
}
