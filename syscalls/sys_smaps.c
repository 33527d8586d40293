/* sys_smaps.c -- the guest's own /proc/self/smaps and smaps_rollup (and
 * /proc/PID/..., thread-self's of itself).  The host's smaps is ferry's
 * process: its binary, code cache and reservations, and the guest's
 * memory in the host's mappings, which are cut and merged otherwise than
 * the guest's (a program's r-x and r-- segments are both host-readable
 * pages of one file and merge).  The guest's smaps has a block for each
 * line of its maps (sys_maps.c), with that line as its header: Size is
 * the run's, the page-count fields (Rss, Pss, Private_Dirty, ...) the
 * host mapping's own where the run is the whole of it, else the host's
 * shared out by the run's share of the mapping's pages (the host does not
 * count a part of a mapping: an estimate, whole 4 kB pages), VmFlags the
 * host's with rd, wr and ex as the guest's protection; then [vsyscall]'s
 * block, empty.  smaps_rollup is the sum of those blocks under one header
 * from the first to the last mapping, its fields in the host's order
 * (Pss_Anon, Pss_File, Pss_Shmem from each block's Anonymous and kind).
 * Made when the file is opened, like maps. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys_internal.h"

#define SYS_SMAPS_FIELDS 48

/* One host block's lines after its header ("Size:   12 kB", ...). */
struct sys_smaps_block {
    char header[4200];
    char field[SYS_SMAPS_FIELDS][128];
    int n;
};

/* The rollup's sums, by field name, in the order first seen. */
struct sys_smaps_sums {
    char name[SYS_SMAPS_FIELDS][32];
    unsigned long long kb[SYS_SMAPS_FIELDS];
    int n;
    uint64_t lo, hi;                    /* the first and last mapping's bounds */
};

struct sys_smaps_out {
    FILE *out;                          /* NULL: sums only */
    const struct sys_smaps_block *b;
    struct sys_smaps_sums *sums;
};

static void sys_smaps_add(struct sys_smaps_sums *s, const char *name, size_t len,
                          unsigned long long kb)
{
    int i = 0;
    while (i < s->n && (strlen(s->name[i]) != len || strncmp(s->name[i], name, len)))
        i++;
    if (i == s->n && s->n < SYS_SMAPS_FIELDS && len < sizeof s->name[0])
        snprintf(s->name[s->n++], sizeof s->name[0], "%.*s", (int)len, name);
    if (i < s->n)
        s->kb[i] += kb;
}

/* VmFlags with rd, wr, ex as prot says and the host's others. */
static void sys_smaps_vmflags(FILE *out, const char *host, int prot)
{
    fputs("VmFlags:", out);
    static const char *const own[] = { "rd", "wr", "ex" };
    for (int i = 0; i < 3; i++)
        if (prot & (1 << i))
            fprintf(out, " %s", own[i]);
    for (const char *p = host + 8; *p == ' ' && p[1] && p[1] != '\n'; p += 3)
        if (strncmp(p + 1, "rd", 2) && strncmp(p + 1, "wr", 2) && strncmp(p + 1, "ex", 2))
            fprintf(out, " %.2s", p + 1);
    fputs(" \n", out);
}

/* A "Name:   N kB" field of the run: the whole mapping's, or its share. */
static unsigned long long sys_smaps_share(const struct sys_maps_run *r, const char *name,
                                          unsigned long long kb)
{
    uint64_t pages = (r->host_hi - r->host_lo) / 4096, own = (r->hi - r->lo) / 4096;
    if (!strncmp(name, "Size:", 5))
        return (r->hi - r->lo) / 1024;
    if (!strncmp(name, "KernelPageSize:", 15) || !strncmp(name, "MMUPageSize:", 12) ||
        own == pages || !pages)
        return kb;
    return kb / 4 * own / pages * 4;
}

static void sys_smaps_run(void *ctx, const struct sys_maps_run *r)
{
    struct sys_smaps_out *o = ctx;
    if (o->out)
        sys_maps_print_run(o->out, r);
    if (!o->sums->hi)
        o->sums->lo = r->lo;
    o->sums->hi = r->hi;
    unsigned long long anon = 0, pss = 0;
    for (int i = 0; i < o->b->n; i++) {
        const char *f = o->b->field[i];
        size_t len = strcspn(f, ":");
        unsigned long long kb;
        if (!strncmp(f, "VmFlags:", 8)) {
            if (o->out)
                sys_smaps_vmflags(o->out, f, r->prot);
        } else if (f[len] == ':' && sscanf(f + len + 1, "%llu kB", &kb) == 1 && strstr(f, " kB")) {
            kb = sys_smaps_share(r, f, kb);
            if (o->out)
                fprintf(o->out, "%.*s%*llu kB\n", (int)len + 1, f, (int)(23 - len), kb);
            sys_smaps_add(o->sums, f, len, kb);
            anon = !strncmp(f, "Anonymous:", 10) ? kb : anon;
            pss = !strncmp(f, "Pss:", 4) ? kb : pss;
        } else if (o->out) {
            fputs(f, o->out);
        }
    }
    anon = anon < pss ? anon : pss;     /* the rollup's split of Pss */
    bool shmem = r->shared == 's' && !r->inode;
    sys_smaps_add(o->sums, "Pss_Anon", 8, anon);
    sys_smaps_add(o->sums, "Pss_File", 8, shmem ? 0 : pss - anon);
    sys_smaps_add(o->sums, "Pss_Shmem", 9, shmem ? pss - anon : 0);
}

/* [vsyscall]'s block: the fields of the last block, empty. */
static void sys_smaps_vsyscall(FILE *out, const struct sys_smaps_block *b)
{
    sys_maps_print_run(out, &sys_maps_vsyscall_run);
    for (int i = 0; i < b->n; i++) {
        const char *f = b->field[i];
        size_t len = strcspn(f, ":");
        bool page = !strncmp(f, "Size:", 5) || !strncmp(f, "KernelPageSize:", 15) ||
                    !strncmp(f, "MMUPageSize:", 12);
        if (!strncmp(f, "VmFlags:", 8))
            fputs("VmFlags: ex \n", out);
        else if (strstr(f, " kB"))
            fprintf(out, "%.*s%*d kB\n", (int)len + 1, f, (int)(23 - len), page ? 4 : 0);
        else
            fprintf(out, "%.*s%*d\n", (int)len + 1, f, (int)(23 - len), 0);
    }
}

static void sys_smaps_flush(struct sys_smaps_out *o)
{
    if (o->b->header[0])
        sys_maps_runs(o->b->header, sys_smaps_run, o);
}

/* A mapping's header line ("lo-hi perms ..."), not a "Name: value" one. */
static bool sys_smaps_is_header(const char *line)
{
    size_t key = strcspn(line, " ");
    return key && line[key - 1] != ':';
}

/* The guest's blocks from the host's smaps: out (may be NULL) and sums. */
static int sys_smaps_walk(FILE *out, struct sys_smaps_sums *sums)
{
    struct sys_smaps_block *b = calloc(1, sizeof *b);
    struct sys_smaps_out o = { out, b, sums };
    char line[4200];
    FILE *in = b ? fopen("/proc/self/smaps", "re") : NULL;
    if (!in) {
        free(b);
        return b ? -EIO : -ENOMEM;
    }
    while (fgets(line, sizeof line, in)) {
        if (sys_smaps_is_header(line)) {
            sys_smaps_flush(&o);
            snprintf(b->header, sizeof b->header, "%s", line);
            b->n = 0;
        } else if (b->n < SYS_SMAPS_FIELDS) {
            snprintf(b->field[b->n++], sizeof b->field[0], "%.127s", line);
        }
    }
    fclose(in);
    sys_smaps_flush(&o);
    if (out)
        sys_smaps_vsyscall(out, b);
    free(b);
    return 0;
}

static int sys_smaps_fill(int fd)
{
    struct sys_smaps_sums sums = { .n = 0 };
    FILE *out = fdopen(dup(fd), "w");
    int r = out ? sys_smaps_walk(out, &sums) : -EIO;
    if (out)
        fclose(out);
    return r ? r : lseek(fd, 0, SEEK_SET) == 0 ? 0 : -errno;
}

/* The rollup: the host's lines, each field the guest's sum. */
static __thread const struct sys_smaps_sums *sys_smaps_rollup_sums;

static void sys_smaps_rollup_line(FILE *out, const char *line)
{
    const struct sys_smaps_sums *s = sys_smaps_rollup_sums;
    size_t len = strcspn(line, ":");
    if (sys_smaps_is_header(line)) {
        struct sys_maps_run head = { .lo = s->lo, .hi = s->hi, .shared = 'p', .dev = "00:00",
                                     .name = "[rollup]" };
        sys_maps_print_run(out, &head);
        return;
    }
    for (int i = 0; i < s->n; i++)
        if (strlen(s->name[i]) == len && !strncmp(s->name[i], line, len)) {
            fprintf(out, "%.*s%*llu kB\n", (int)len + 1, line, (int)(23 - len), s->kb[i]);
            return;
        }
    fputs(line, out);
}

static int sys_smaps_rollup_fill(int fd)
{
    struct sys_smaps_sums *sums = calloc(1, sizeof *sums);
    int r = sums ? sys_smaps_walk(NULL, sums) : -ENOMEM;
    sys_smaps_rollup_sums = sums;
    if (!r)
        r = sys_synth_filter(fd, "/proc/self/smaps_rollup", sys_smaps_rollup_line, NULL);
    sys_smaps_rollup_sums = NULL;
    free(sums);
    return r;
}

int64_t sys_smaps_open(int host_flags)
{
    if (!sys_engine)
        return SYS_MAPS_NOT_OURS;
    return sys_synth_open("smaps", host_flags, sys_smaps_fill);
}

int64_t sys_smaps_rollup_open(int host_flags)
{
    if (!sys_engine)
        return SYS_MAPS_NOT_OURS;
    return sys_synth_open("smaps_rollup", host_flags, sys_smaps_rollup_fill);
}
