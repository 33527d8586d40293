/* sys_perfmap.c -- --perfmap: writes /tmp/perf-PID.map as translated
 * blocks appear, one "HOSTADDR SIZE NAME" line each (the format perf reads
 * for JIT code), so that `perf report` names guest functions ("x86:NAME")
 * next to ferry's own.  The name comes from the guest ELF file mapped at
 * the block's pc (guest and ferry share one address space, so the host's
 * /proc/self/maps shows it) and that file's symbol table; code without a
 * symbol is "x86:FILE+0xOFFSET", anonymous code "x86:0xPC".  The mapping
 * list is re-read when a pc is outside every mapping it knows. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "sys_internal.h"

#define PERFMAP_MAX_MAPS 1024
#define PERFMAP_MAX_FILES 256

struct perfmap_map { uint64_t lo, hi, off; int file; };   /* file: index, or -1 */
struct perfmap_file { char *path; struct ld_symbols *syms; bool loaded; };

static struct {
    FILE *out;
    pid_t pid;                  /* the process `out` belongs to (fork) */
    struct perfmap_map map[PERFMAP_MAX_MAPS];
    int n_maps;
    struct perfmap_file file[PERFMAP_MAX_FILES];
    int n_files;
} pm;

static int file_index(const char *path)
{
    for (int k = 0; k < pm.n_files; k++)
        if (!strcmp(pm.file[k].path, path))
            return k;
    if (pm.n_files == PERFMAP_MAX_FILES)
        return -1;
    pm.file[pm.n_files].path = strdup(path);
    return pm.file[pm.n_files].path ? pm.n_files++ : -1;
}

static void read_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4200], path[4096];
    unsigned long lo, hi, off;
    pm.n_maps = 0;
    while (f && pm.n_maps < PERFMAP_MAX_MAPS && fgets(line, sizeof(line), f)) {
        path[0] = 0;
        if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095[^\n]", &lo, &hi, &off, path) < 3)
            continue;
        pm.map[pm.n_maps++] = (struct perfmap_map){
            lo, hi, off, path[0] == '/' ? file_index(path) : -1 };
    }
    if (f)
        fclose(f);
}

static const struct perfmap_map *find_map(uint64_t pc)
{
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < pm.n_maps; k++)
            if (pc >= pm.map[k].lo && pc < pm.map[k].hi)
                return &pm.map[k];
        if (pass == 0)
            read_maps();
    }
    return NULL;
}

static const struct ld_symbols *file_symbols(struct perfmap_file *f)
{
    if (!f->loaded) {
        f->syms = ld_symbols_load(f->path);
        f->loaded = true;
    }
    return f->syms;
}

static void write_name(uint64_t pc)
{
    const struct perfmap_map *m = find_map(pc);
    if (!m || m->file < 0) {
        fprintf(pm.out, "x86:0x%" PRIx64 "\n", pc);
        return;
    }
    struct perfmap_file *f = &pm.file[m->file];
    uint64_t off = m->off + (pc - m->lo);
    const char *name = ld_symbols_lookup(file_symbols(f), off);
    const char *base = strrchr(f->path, '/');
    if (name)
        fprintf(pm.out, "x86:%s\n", name);
    else
        fprintf(pm.out, "x86:%s+0x%" PRIx64 "\n", base ? base + 1 : f->path, off);
}

/* The file of this process (a forked child writes its own). */
static bool open_output(void)
{
    pid_t pid = getpid();
    if (pm.out && pm.pid == pid)
        return true;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)pid);
    pm.out = sys_ferry_fopen(path, "a");
    pm.pid = pid;
    return pm.out != NULL;
}

void sys_perfmap_block(void *opaque, uint64_t guest_pc, uint32_t guest_size,
                       const void *code, uint32_t code_size)
{
    if (!open_output())
        return;
    fprintf(pm.out, "%" PRIxPTR " %x ", (uintptr_t)code, code_size);
    write_name(guest_pc);
    fflush(pm.out);
}
