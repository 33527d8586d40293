/* sys_maps.c -- the guest's /proc/self/maps (and /proc/PID/maps,
 * /proc/thread-self/maps of itself): the host's list filtered to what the
 * guest has (the engine's map of its mappings, sys_ferry_mem.c), with the
 * guest's protections, its stack named [stack], its emulated program
 * break [heap] and its vDSO's parts (sys_vdso.c) [vvar], [vvar_vclock]
 * and [vdso].  ferry's own
 * mappings (its binary, libraries, heap, code cache, thread stacks, the
 * host's vdso) are not there, as they are not in a native process.  The
 * text is made when the file is opened, into a memfd the guest reads like
 * the real file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_internal.h"
#include "translator.h"

/* The name the guest sees for [lo, hi): the host's, [stack]/[heap], or
 * a part of the vDSO's (sys_vdso.c). */
static const char *sys_maps_name(uint64_t lo, const char *host_name)
{
    if (lo >= sys_proc.stack_start && lo < sys_proc.stack_end)
        return "[stack]";
    if (lo >= sys_proc.brk_start && lo < sys_proc.brk_mapped)
        return "[heap]";
    const char *vdso = sys_vdso_name(lo);
    return vdso ? vdso : host_name;
}

/* One line in the kernel's layout: the name starts at column 74. */
static void sys_maps_print(FILE *out, uint64_t lo, uint64_t hi, int prot, char shared,
                           unsigned long long off, const char *dev, unsigned long long inode,
                           const char *nm)
{
    int w = fprintf(out, "%08llx-%08llx %c%c%c%c %08llx %s %llu ", (unsigned long long)lo,
                    (unsigned long long)hi, prot & 1 ? 'r' : '-', prot & 2 ? 'w' : '-',
                    prot & 4 ? 'x' : '-', shared, off, dev, inode);
    fprintf(out, "%*s%s\n", *nm ? (w < 73 ? 73 - w : 0) : 0, "", nm);
}

/* The main stack's runs, held back to print as one line: the host's
 * mappings it grew by (sys_stack_grow.c) stay apart from the first one
 * after a fork (their anon_vma differs), natively it is one mapping. */
static __thread struct {
    uint64_t lo, hi;
    int prot;
} sys_maps_stack;

static void sys_maps_stack_flush(FILE *out)
{
    if (sys_maps_stack.hi)
        sys_maps_print(out, sys_maps_stack.lo, sys_maps_stack.hi, sys_maps_stack.prot, 'p', 0,
                       "00:00", 0, "[stack]");
    sys_maps_stack.hi = 0;
}

/* Whether the run [a, end) was taken into the held stack line. */
static bool sys_maps_stack_run(FILE *out, uint64_t a, uint64_t end, int prot, const char *nm)
{
    if (strcmp(nm, "[stack]") != 0) {
        sys_maps_stack_flush(out);
        return false;
    }
    if (sys_maps_stack.hi && (sys_maps_stack.hi != a || sys_maps_stack.prot != prot))
        sys_maps_stack_flush(out);
    if (!sys_maps_stack.hi)
        sys_maps_stack.lo = a, sys_maps_stack.prot = prot;
    sys_maps_stack.hi = end;
    return true;
}

/* The end of the guest's run at a in the host's mapping [a, hi), its
 * guest protection in *prot (-1: not the guest's). */
static uint64_t sys_maps_run_end(uint64_t a, uint64_t hi, int *prot)
{
    uint64_t end;
    *prot = tr_map_extent(sys_engine, a, &end);
    end = end > hi ? hi : end;
    /* the heap is a line of its own, as natively, even where the host
     * merged it with the bss below it (both anonymous) */
    if (a < sys_proc.brk_start && end > sys_proc.brk_start)
        end = sys_proc.brk_start;
    return sys_vdso_cut(a, end);        /* [vvar], [vvar_vclock], [vdso]: a line each */
}

bool sys_maps_runs(const char *line, void (*each)(void *ctx, const struct sys_maps_run *r), void *ctx)
{
    unsigned long long lo, hi, off, inode;
    char perms[8], dev[16], name[4096] = "";
    if (sscanf(line, "%llx-%llx %7s %llx %15s %llu %4095[^\n]", &lo, &hi, perms, &off, dev, &inode,
               name) < 6)
        return false;
    for (uint64_t a = lo, end; a < hi; a = end) {
        struct sys_maps_run r = { .host_lo = lo, .host_hi = hi, .lo = a, .shared = perms[3],
                                  .dev = dev, .inode = inode };
        r.hi = end = sys_maps_run_end(a, hi, &r.prot);
        if (r.prot < 0)
            continue;
        r.name = sys_maps_name(a, name + strspn(name, " "));
        /* the vDSO's host pages may be merged with a neighbour's */
        r.off = sys_vdso_name(a) ? 0 : off + (a - lo);
        each(ctx, &r);
    }
    return true;
}

void sys_maps_print_run(FILE *out, const struct sys_maps_run *r)
{
    sys_maps_print(out, r->lo, r->hi, r->prot, r->shared, r->off, r->dev, r->inode, r->name);
}

static void sys_maps_run_line(void *out, const struct sys_maps_run *r)
{
    if (!sys_maps_stack_run(out, r->lo, r->hi, r->prot, r->name))
        sys_maps_print_run(out, r);
}

/* One host line, cut to the runs the guest has. */
static void sys_maps_line(FILE *out, const char *line)
{
    sys_maps_runs(line, sys_maps_run_line, out);
}

/* The kernel's counts of the guest's mappings (mm->total_vm, exec_vm,
 * stack_vm, data_vm), from the runs its maps shows. */
static void sys_maps_count(void *totals, const struct sys_maps_run *r)
{
    struct sys_maps_totals *t = totals;
    uint64_t len = r->hi - r->lo;
    t->total += len;
    if (r->lo >= sys_proc.stack_start && r->lo < sys_proc.stack_end)
        t->stack += len;
    else if ((r->prot & 4) && !(r->prot & 2))
        t->exec += len;
    else if ((r->prot & 2) && r->shared == 'p')
        t->data += len;
}

void sys_maps_totals(struct sys_maps_totals *t)
{
    char line[4200];
    FILE *in = fopen("/proc/self/maps", "re");
    *t = (struct sys_maps_totals){ 0 };
    while (in && fgets(line, sizeof line, in))
        sys_maps_runs(line, sys_maps_count, t);
    if (in)
        fclose(in);
}

/* Linux's [vsyscall] line (vsyscall=xonly: execute only), on every host:
 * ferry emulates the page's three entry points (x86_vsyscall.c) and
 * programs look for the line before they call them. */
const struct sys_maps_run sys_maps_vsyscall_run = {
    .lo = 0xffffffffff600000ull, .hi = 0xffffffffff601000ull, .prot = 4, .shared = 'p',
    .dev = "00:00", .name = "[vsyscall]",
};

static void sys_maps_vsyscall(FILE *out)
{
    sys_maps_stack_flush(out);
    sys_maps_print_run(out, &sys_maps_vsyscall_run);
}

/* Copies the host's HOST_PATH into fd through each_line, then end (may be
 * NULL) writes what follows; 0 or -errno.  Shared by the files made from
 * the host's own (maps, limits). */
int sys_synth_filter(int fd, const char *host_path, void (*each_line)(FILE *out, const char *line),
                     void (*end)(FILE *out))
{
    FILE *in = fopen(host_path, "re");
    FILE *out = fdopen(dup(fd), "w");
    char line[4200];
    if (!in || !out) {
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        return -EIO;
    }
    while (fgets(line, sizeof line, in))
        each_line(out, line);
    if (end)
        end(out);
    fclose(in);
    fclose(out);
    return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -errno;
}

static int sys_maps_fill(int fd)
{
    return sys_synth_filter(fd, "/proc/self/maps", sys_maps_line, sys_maps_vsyscall);
}

int64_t sys_synth_open(const char *name, int host_flags, int (*fill)(int fd))
{
    if ((host_flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;
    int fd = (int)syscall(SYS_memfd_create, name, (host_flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
    if (fd < 0)
        return -errno;
    int r = fill(fd);
    if (r) {
        close(fd);
        return r;
    }
    return fd;
}

int64_t sys_maps_open(int host_flags)
{
    if (!sys_engine)
        return SYS_MAPS_NOT_OURS;
    return sys_synth_open("maps", host_flags, sys_maps_fill);
}
