/* sys_strace.c -- --strace output in QEMU's -strace style:
 *
 *   1234 openat(AT_FDCWD,"/etc/passwd",O_RDONLY|O_CLOEXEC) = 3
 *   1234 open("/nope",O_RDONLY) = -1 errno=2 (No such file or directory)
 *
 * Each row's fmt says how to print each argument:
 *   d int   l long   u unsigned   x hex   p pointer   s string   o octal
 *   F dirfd   O open flags   P mmap prot   M mmap flags   S signal
 *   A string array (execve argv/envp)
 *   a an address the call does not read or write then (mmap's, clone's
 *     stack), printed as p; p tells sys_stack_args.c the kernel may
 *     access the memory it points to
 * Guest strings are read directly (guest addresses are host addresses)
 * once sys_guest.c has checked that they are readable. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "sys_internal.h"

#define SYS_STRACE_STR_MAX 48
#define SYS_STRACE_ARRAY_MAX 8

struct sys_bit_name { uint64_t bit; const char *name; };

static const struct sys_bit_name sys_open_names[] = {
    { 01, "O_WRONLY" }, { 02, "O_RDWR" }, { 0100, "O_CREAT" }, { 0200, "O_EXCL" },
    { 0400, "O_NOCTTY" }, { 01000, "O_TRUNC" }, { 02000, "O_APPEND" },
    { 04000, "O_NONBLOCK" }, { 010000, "O_DSYNC" }, { 020000, "O_ASYNC" },
    { 040000, "O_DIRECT" }, { 0100000, "O_LARGEFILE" }, { 0200000, "O_DIRECTORY" },
    { 0400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" },
    { 04000000, "O_SYNC" }, { 010000000, "O_PATH" }, { 020000000, "O_TMPFILE" }, { 0, NULL },
};
static const struct sys_bit_name sys_prot_names[] = {
    { 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
    { 0x01000000, "PROT_GROWSDOWN" }, { 0x02000000, "PROT_GROWSUP" }, { 0, NULL },
};
static const struct sys_bit_name sys_map_names[] = {
    { 0x01, "MAP_SHARED" }, { 0x02, "MAP_PRIVATE" }, { 0x10, "MAP_FIXED" },
    { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" }, { 0x100, "MAP_GROWSDOWN" },
    { 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" },
    { 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" }, { 0x10000, "MAP_NONBLOCK" },
    { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
    { 0x100000, "MAP_FIXED_NOREPLACE" }, { 0, NULL },
};

static void sys_print_bits(FILE *f, uint64_t v, const struct sys_bit_name *t, const char *zero)
{
    int first = 1;
    if (zero)
        fputs(zero, f), first = 0;
    for (; t->name; t++)
        if (v & t->bit) {
            fprintf(f, "%s%s", first ? "" : "|", t->name);
            v &= ~t->bit, first = 0;
        }
    if (v || first)
        fprintf(f, "%s%#llx", first ? "" : "|", (unsigned long long)v);
}

static void sys_print_string(FILE *f, uint64_t g)
{
    const char *s = sys_ptr(g);
    long len = sys_guest_strnlen(g, SYS_STRACE_STR_MAX + 1);
    if (len < 0) {
        fprintf(f, g ? "%#llx" : "NULL", (unsigned long long)g);
        return;
    }
    fputc('"', f);
    for (long i = 0; i < len && i < SYS_STRACE_STR_MAX; i++)
        fprintf(f, s[i] >= 32 && s[i] < 127 && s[i] != '"' ? "%c" : "\\%03o",
                (unsigned char)s[i]);
    fputs(len > SYS_STRACE_STR_MAX ? "\"..." : "\"", f);
}

static void sys_print_array(FILE *f, uint64_t g)
{
    const uint64_t *v = sys_ptr(g);
    int i;
    if (!sys_guest_access_ok(g, 8, 0)) {
        sys_print_string(f, g);
        return;
    }
    fputc('[', f);
    for (i = 0; v[i] && i < SYS_STRACE_ARRAY_MAX && sys_guest_access_ok(g + 8 * (i + 1), 8, 0); i++) {
        fputs(i ? "," : "", f);
        sys_print_string(f, v[i]);
    }
    fputs(v[i] ? ",...]" : "]", f);
}

static void sys_print_pointer(FILE *f, uint64_t v)
{
    if (v)
        fprintf(f, "%#llx", (unsigned long long)v);
    else
        fputs("NULL", f);
}

static void sys_print_arg(FILE *f, char kind, uint64_t v)
{
    switch (kind) {
    case 'd': fprintf(f, "%d", (int)v); break;
    case 'l': fprintf(f, "%lld", (long long)v); break;
    case 'u': fprintf(f, "%llu", (unsigned long long)v); break;
    case 'o': fprintf(f, "%#llo", (unsigned long long)v); break;
    case 'p': case 'a': sys_print_pointer(f, v); break;
    case 's': sys_print_string(f, v); break;
    case 'A': sys_print_array(f, v); break;
    case 'F': (int)v == -100 ? (void)fputs("AT_FDCWD", f) : (void)fprintf(f, "%d", (int)v); break;
    case 'O': sys_print_bits(f, v, sys_open_names, v & 3 ? NULL : "O_RDONLY"); break;
    case 'P': sys_print_bits(f, v, sys_prot_names, v ? NULL : "PROT_NONE"); break;
    case 'M': sys_print_bits(f, v, sys_map_names, NULL); break;
    case 'S': fprintf(f, "%d", (int)v); break;
    default:  fprintf(f, "%#llx", (unsigned long long)v); break;
    }
}

static const char *sys_arg_kinds(const struct sys_entry *e)
{
    return !e || !e->fmt ? "xxxxxx" : e->fmt[0] == '!' ? e->fmt + 1 : e->fmt;
}

static void sys_print_call(FILE *f, const struct sys_entry *e, uint64_t nr, const uint64_t *a)
{
    const char *k = sys_arg_kinds(e);
    if (e)
        fprintf(f, "%d %s(", (int)getpid(), e->name);
    else
        fprintf(f, "%d syscall_%llu(", (int)getpid(), (unsigned long long)nr);
    for (int i = 0; i < 6 && k[i] && k[i] != '='; i++) {
        fputs(i ? "," : "", f);
        sys_print_arg(f, k[i], a[i]);
    }
    fputc(')', f);
}

/* Lines are built in memory and written at once: with stderr unbuffered,
 * piecewise output of forked processes would interleave mid-line. */
struct sys_line {
    char buf[2048];
    FILE *f;
};

static FILE *sys_line_open(struct sys_line *l)
{
    l->f = fmemopen(l->buf, sizeof l->buf, "w");
    return l->f;
}

static void sys_line_emit(struct sys_line *l)
{
    fclose(l->f);
    l->buf[sizeof l->buf - 2] = '\n';
    fwrite(l->buf, 1, strnlen(l->buf, sizeof l->buf - 1), ferry_log);
    fflush(ferry_log);
}

void sys_strace_call(const struct sys_entry *e, uint64_t nr, const uint64_t *a)
{
    struct sys_line l;
    if (!e || !e->fmt || e->fmt[0] != '!' || !sys_line_open(&l))
        return;
    sys_print_call(l.f, e, nr, a);
    fputc('\n', l.f);
    sys_line_emit(&l);
}

static void sys_print_result(FILE *f, const struct sys_entry *e, int64_t ret)
{
    if (ret == -513)        /* TR_SYSCALL_WOKEN: runs again after the signal */
        fprintf(f, " = ? ERESTARTSYS (a signal came first: restarted)\n");
    else if (ret < 0 && ret >= -4095)
        fprintf(f, " = -1 errno=%d (%s)\n", (int)-ret, strerror((int)-ret));
    else if (e && e->fmt && strstr(e->fmt, "=x"))
        fprintf(f, " = %#llx\n", (unsigned long long)ret);
    else
        fprintf(f, " = %lld\n", (long long)ret);
}

void sys_strace_result(const struct sys_entry *e, uint64_t nr, const uint64_t *a, int64_t ret)
{
    struct sys_line l;
    if (!sys_line_open(&l))
        return;
    if (e && e->fmt && e->fmt[0] == '!')
        fprintf(l.f, "%d %s", (int)getpid(), e->name);
    else
        sys_print_call(l.f, e, nr, a);
    sys_print_result(l.f, e, ret);
    sys_line_emit(&l);
}
