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

/* One host line, cut to the runs the guest has. */
static void sys_maps_line(FILE *out, const char *line)
{
    unsigned long long lo, hi, off, inode;
    char perms[8], dev[16], name[4096] = "";
    int n = sscanf(line, "%llx-%llx %7s %llx %15s %llu %4095[^\n]", &lo, &hi, perms, &off, dev, &inode, name);
    if (n < 6)
        return;
    for (uint64_t a = lo, end; a < hi; a = end) {
        int prot = tr_map_extent(sys_engine, a, &end);
        end = end > hi ? hi : end;
        /* the heap is a line of its own, as natively, even where the
         * host merged it with the bss below it (both anonymous) */
        if (a < sys_proc.brk_start && end > sys_proc.brk_start)
            end = sys_proc.brk_start;
        end = sys_vdso_cut(a, end);     /* [vvar], [vvar_vclock], [vdso]: a line each */
        if (prot < 0)
            continue;
        const char *nm = sys_maps_name(a, name + strspn(name, " "));
        if (sys_maps_stack_run(out, a, end, prot, nm))
            continue;
        /* the vDSO's host pages may be merged with a neighbour's */
        unsigned long long at = sys_vdso_name(a) ? 0 : off + (a - lo);
        sys_maps_print(out, a, end, prot, perms[3], at, dev, inode, nm);
    }
}

/* Linux's [vsyscall] line (vsyscall=xonly: execute only), on every host:
 * ferry emulates the page's three entry points (x86_vsyscall.c) and
 * programs look for the line before they call them. */
static void sys_maps_vsyscall(FILE *out)
{
    sys_maps_stack_flush(out);
    sys_maps_print(out, 0xffffffffff600000ull, 0xffffffffff601000ull, 4, 'p', 0, "00:00", 0,
                   "[vsyscall]");
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
