/* sys_proc_stat.c -- the guest's own /proc/self/stat and status (and
 * those of /proc/PID, /proc/self/task/TID, /proc/thread-self of itself).
 * The host's files describe ferry's process: its code, data and stack
 * addresses (stat's start_code, end_code, start_stack, start_data,
 * end_data, start_brk), its whole address space (vsize, VmSize, VmExe,
 * VmLib, VmStk, VmData: ferry's binary, code cache, reservations) and its
 * threads (an emulator's own: qemu-user's) and its own signal
 * dispositions and masks (stat's signal, blocked, sigignore,
 * sigcatch; status's SigPnd, SigBlk, SigIgn, SigCgt: ferry catches
 * SIGSEGV and the others it forwards).  The guest's file is the host's,
 * taken from the same directory (a thread's own), with those fields the
 * guest's: its program's bounds as its loader recorded them
 * (loader/ld_program.c), its initial stack, its emulated break, its
 * argv/envp strings (where the kernel could not be told: sys_proc_mm.c),
 * its mappings as its maps shows them (sys_maps.c), its dispositions,
 * the file's thread's mask and pending set (sys_thread.c), its threads --
 * and the size of the descriptor table it would have (FDSize: ferry's
 * own descriptors sit at the top of the space).  The
 * rest (ids, times, RSS, context switches) is the host's, which is the
 * process's.  Made when the file is opened, like maps. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys_internal.h"
#include "sys_sigframe.h"
#include "translator.h"

#define SYS_PAGE 4096ull

/* The host file being filtered: its directory's thread. */
static __thread struct {
    char path[320];
    long tid;                           /* the thread it describes */
} sys_proc_stat_file;

/* The guest's signal sets: pending and blocked of the file's thread
 * (known: a guest thread of this process), ignored and caught. */
struct sys_proc_sigs {
    bool known;
    uint64_t pending, blocked, ignored, caught;
};

static void sys_proc_sigs(struct sys_proc_sigs *s)
{
    const struct sys_signals *act = sys_signal_actions();
    long tid = sys_proc_stat_file.tid;
    *s = (struct sys_proc_sigs){ .known = tid == gettid(), .pending = sys_tsig.pending,
                                 .blocked = sys_tsig.blocked };
    if (!s->known)
        s->known = sys_thread_signals_of((pid_t)tid, &s->blocked, &s->pending);
    for (int sig = 1; sig <= SYS_NSIG; sig++) {
        uint64_t h = act->action[sig].handler;     /* the guest's SIG_DFL 0, SIG_IGN 1 */
        if (h == 1)
            s->ignored |= SYS_SIGBIT(sig);
        else if (h > 1)
            s->caught |= SYS_SIGBIT(sig);
    }
}

/* stat's fields (1-based, the kernel's order) the guest's values replace. */
static bool sys_proc_stat_field(int k, unsigned long long *v)
{
    static __thread struct sys_maps_totals t;
    static __thread struct sys_proc_sigs s;
    const struct ld_bounds *b = &sys_proc.bounds;
    if (k == 4) {                       /* the first numeric field: take the sums once */
        sys_maps_totals(&t);
        sys_proc_sigs(&s);
    }
    switch (k) {
    case 20: *v = (unsigned long long)sys_thread_count(); return true;
    case 23: *v = t.total; return true;
    case 26: *v = b->start_code; return b->end_code != 0;
    case 27: *v = b->end_code; return b->end_code != 0;
    case 28: *v = sys_proc.start_stack; return sys_proc.start_stack != 0;
    /* the obsolete signal fields: the first 31 signals only, as the kernel prints them */
    case 31: *v = s.pending & 0x7fffffff; return s.known;
    case 32: *v = s.blocked & 0x7fffffff; return s.known;
    case 33: *v = s.ignored & 0x7fffffff; return true;
    case 34: *v = s.caught & 0x7fffffff; return true;
    case 45: *v = b->start_data; return b->end_data != 0;
    case 46: *v = b->end_data; return b->end_data != 0;
    case 47: *v = sys_proc.brk_start; return sys_proc.brk_start != 0;
    case 48: *v = sys_proc.arg_start; return sys_proc.arg_end != 0;
    case 49: *v = sys_proc.arg_end; return sys_proc.arg_end != 0;
    case 50: *v = sys_proc.env_start; return sys_proc.env_end != 0;
    case 51: *v = sys_proc.env_end; return sys_proc.env_end != 0;
    default: return false;
    }
}

/* "pid (comm) S f4 f5 ... f52": the comm may hold spaces and parentheses,
 * so the numeric fields start after its last ')'. */
static void sys_proc_stat_line(FILE *out, const char *line)
{
    const char *p = strrchr(line, ')');
    if (!p || strlen(p) < 4) {
        fputs(line, out);
        return;
    }
    fprintf(out, "%.*s", (int)(p + 4 - line), line);    /* through the state and its space */
    p += 4;
    for (int k = 4; *p && *p != '\n'; k++) {
        size_t len = strcspn(p, " \n");
        unsigned long long v;
        if (sys_proc_stat_field(k, &v))
            fprintf(out, "%llu", v);
        else
            fprintf(out, "%.*s", (int)len, p);
        p += len;
        if (*p == ' ')
            fputc(*p++, out);
    }
    fputs(p, out);
}

/* status's lines the guest's values replace: a "Key:\t" and its value. */
static bool sys_proc_status_value(const char *line, char *out, size_t size)
{
    static __thread struct sys_maps_totals t;
    static __thread struct sys_proc_sigs s;
    const struct ld_bounds *b = &sys_proc.bounds;
    uint64_t text = b->end_code ? ((b->end_code + SYS_PAGE - 1) & ~(SYS_PAGE - 1)) -
                                      (b->start_code & ~(SYS_PAGE - 1))
                                : 0;
    if (!strncmp(line, "Name:", 5)) {   /* the first line: take the sums once */
        sys_maps_totals(&t);
        sys_proc_sigs(&s);
        return false;
    }
    static const struct {
        const char *key;
        int kind;                       /* 0: a size in kB, 1: a signal set, 2: a count */
    } keys[] = { { "VmSize:", 0 }, { "VmExe:", 0 }, { "VmLib:", 0 }, { "VmStk:", 0 },
                 { "VmData:", 0 }, { "SigPnd:", 1 }, { "SigBlk:", 1 }, { "SigIgn:", 1 },
                 { "SigCgt:", 1 }, { "Threads:", 2 } };
    const uint64_t value[] = { t.total, text, t.exec > text ? t.exec - text : 0, t.stack, t.data,
                               s.pending, s.blocked, s.ignored, s.caught,
                               (uint64_t)sys_thread_count() };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strncmp(line, keys[i].key, strlen(keys[i].key)) != 0)
            continue;
        if (keys[i].kind == 1 && i < 7 && !s.known)
            return false;               /* not a guest thread's: the host's */
        if (keys[i].kind == 0)
            snprintf(out, size, "%s\t%8llu kB\n", keys[i].key, (unsigned long long)value[i] / 1024);
        else if (keys[i].kind == 1)
            snprintf(out, size, "%s\t%016llx\n", keys[i].key, (unsigned long long)value[i]);
        else
            snprintf(out, size, "%s\t%llu\n", keys[i].key, (unsigned long long)value[i]);
        return true;
    }
    return false;
}

/* FDSize: the kernel's table for the guest's highest open number -- 64
 * slots (BITS_PER_LONG), else the power of two above that number
 * (alloc_fdtable).  A table grows and never shrinks: a number the guest
 * closed again is not known here. */
static bool sys_proc_fd_size(char *out, size_t size)
{
    DIR *d = opendir("/proc/self/fd");
    long top = -1;
    if (!d)
        return false;                   /* (no number free: the host's line) */
    int own = dirfd(d);
    for (struct dirent *e; (e = readdir(d));) {
        long fd = strtol(e->d_name, NULL, 10);
        if (e->d_name[0] != '.' && fd != own && !sys_ferry_fd_is((int)fd) && fd > top)
            top = fd;
    }
    closedir(d);
    unsigned long slots = 64;
    while (slots < (unsigned long)top + 1)
        slots *= 2;
    snprintf(out, size, "FDSize:\t%lu\n", slots);
    return true;
}

static void sys_proc_status_line(FILE *out, const char *line)
{
    char guest[64];
    if (!strncmp(line, "FDSize:", 7) && sys_proc_fd_size(guest, sizeof guest))
        fputs(guest, out);
    else
        fputs(sys_proc_status_value(line, guest, sizeof guest) ? guest : line, out);
}

static int sys_proc_stat_fill(int fd)
{
    return sys_synth_filter(fd, sys_proc_stat_file.path, sys_proc_stat_line, NULL);
}

static int sys_proc_status_fill(int fd)
{
    return sys_synth_filter(fd, sys_proc_stat_file.path, sys_proc_status_line, NULL);
}

/* The host's dir/leaf, and the thread dir ("/proc/N" or "/proc/N/task/T")
 * is.  Under an emulator (qemu-user makes up its own /proc/self/stat and
 * /proc/PID/stat: 44 fields, most 0) the process's file is read as its
 * leader's task file, which the emulator passes to the kernel. */
static void sys_proc_stat_of(const char *dir, const char *leaf)
{
    const char *task = strstr(dir, "/task/");
    long pid = strtol(dir + 6, NULL, 10);
    sys_proc_stat_file.tid = task ? strtol(task + 6, NULL, 10) : pid;
    if (!task && tr_code_emulated(sys_engine))
        snprintf(sys_proc_stat_file.path, sizeof sys_proc_stat_file.path, "%s/task/%ld/%s", dir,
                 pid, leaf);
    else
        snprintf(sys_proc_stat_file.path, sizeof sys_proc_stat_file.path, "%s/%s", dir, leaf);
}

int64_t sys_proc_stat_open(const char *dir, int host_flags)
{
    if (!sys_engine)
        return SYS_MAPS_NOT_OURS;
    sys_proc_stat_of(dir, "stat");
    return sys_synth_open("stat", host_flags, sys_proc_stat_fill);
}

int64_t sys_proc_status_open(const char *dir, int host_flags)
{
    if (!sys_engine)
        return SYS_MAPS_NOT_OURS;
    sys_proc_stat_of(dir, "status");
    return sys_synth_open("status", host_flags, sys_proc_status_fill);
}
