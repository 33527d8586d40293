/* sys_proc_path.c -- which of ferry's made-up /proc files a guest path
 * names, however it names it.  The host's /proc files of ferry's process
 * are ferry's (its maps, command line, environment, limits, binary, the
 * host's CPU); the guest must see its own (sys_maps.c, sys_cmdline.c,
 * sys_environ.c, sys_limits.c, sys_cpuinfo.c, and its program for exe).
 * A program reaches them by many names: /proc/self/maps, /proc/PID/maps
 * with its pid (or any of its threads' ids) as a number, /proc/thread-self
 * and /proc/self/task/TID of any of its threads (one mm: the process's
 * file), openat(fd of "/proc/self", "maps"), openat(fd of "/proc",
 * "self/maps"), "maps" after chdir("/proc/self"), /proc/self/fd/N/maps
 * with N a /proc directory, "..", repeated and trailing slashes.  So the
 * path is resolved as the kernel does, by the kernel: the directory part
 * is looked up (relative to the guest's dirfd or cwd) and named by its
 * /proc/self/fd link, and only the last component is matched against
 * the table below -- done only for paths whose last component is one of
 * the table's names, so other paths cost a string compare.  One resolver
 * for every call that takes a path (open, stat, access, readlink, exec). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys_internal.h"

static int64_t sys_proc_exe_open(int host_flags);

/* The table: a file's name and, for the guest's own process, the opener
 * of the guest's view (SYS_MAPS_NOT_OURS: the host's file is right) --
 * open_in for the files a thread has its own of, given the directory
 * (/proc/N or /proc/N/task/T) whose host file it filters. */
static const struct sys_proc_file {
    const char *leaf;
    bool in_pid_dir;            /* under /proc/PID (or its task/TID), else under /proc */
    int64_t (*open)(int host_flags);
    int64_t (*open_in)(const char *dir, int host_flags);
} sys_proc_files[] = {
    { "maps", true, sys_maps_open, NULL },
    { "smaps", true, sys_smaps_open, NULL },
    { "smaps_rollup", true, sys_smaps_rollup_open, NULL },
    { "cmdline", true, sys_cmdline_open, NULL },
    { "environ", true, sys_environ_open, NULL },
    { "limits", true, sys_limits_open, NULL },
    { "exe", true, sys_proc_exe_open, NULL },
    { "auxv", true, sys_auxv_open, NULL },
    { "stat", true, NULL, sys_proc_stat_open },
    { "status", true, NULL, sys_proc_status_open },
    { "cpuinfo", false, sys_cpuinfo_open, NULL },
};

enum { SYS_PROC_NFILES = sizeof sys_proc_files / sizeof sys_proc_files[0] };

/* /proc/self/exe opened: the guest's program.  With O_NOFOLLOW (not
 * O_PATH) the kernel refuses the link itself (ELOOP), as the host does. */
static int64_t sys_proc_exe_open(int host_flags)
{
    if (!sys_proc.exe_path || ((host_flags & O_NOFOLLOW) && !(host_flags & O_PATH)))
        return SYS_MAPS_NOT_OURS;
    int fd = open(sys_proc.exe_path, host_flags & ~O_NOFOLLOW);
    return fd < 0 ? -errno : fd;
}

static const struct sys_proc_file *sys_proc_file_named(const char *leaf, const char *only)
{
    if (only && strcmp(leaf, only) != 0)
        return NULL;
    for (int k = 0; k < SYS_PROC_NFILES; k++)
        if (!strcmp(sys_proc_files[k].leaf, leaf))
            return &sys_proc_files[k];
    return NULL;
}

/* The directory fd names (its /proc/self/fd link), into out; false if
 * it has none (no /proc, a closed descriptor). */
static bool sys_proc_fd_path(int fd, char *out, size_t size)
{
    char link[48];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, size - 1);
    if (n <= 0 || (size_t)n >= size - 1)
        return false;
    out[n] = 0;
    return true;
}

/* Component c (len bytes) of a path appended to out (at *n), "." and
 * ".." taken as the kernel takes them (".." of "/" is "/"). */
static bool sys_proc_lexical_step(const char *c, size_t len, char *out, size_t *n, size_t size)
{
    if (len == 0 || (len == 1 && c[0] == '.'))
        return true;
    if (len == 2 && c[0] == '.' && c[1] == '.') {
        while (*n > 0 && out[--*n] != '/')
            ;
        out[*n] = 0;
        return true;
    }
    if (*n + 1 + len >= size)
        return false;
    out[(*n)++] = '/';
    memcpy(out + *n, c, len);
    *n += len;
    out[*n] = 0;
    return true;
}

/* An absolute directory named without the kernel, when no descriptor
 * number is free to look it up (a guest that filled its space, then
 * reads /proc/self/exe to exec itself): components taken one by one,
 * /proc/self and /proc/thread-self as the links the kernel has there. */
static bool sys_proc_dir_lexical(const char *dir, char *out, size_t size)
{
    size_t n = 0;
    out[0] = 0;
    for (const char *c = dir; *c;) {
        const char *end = strchrnul(c, '/');
        if (!sys_proc_lexical_step(c, (size_t)(end - c), out, &n, size))
            return false;
        char link[64];
        if (!strcmp(out, "/proc/self"))
            snprintf(link, sizeof link, "/proc/%d", (int)getpid());
        else if (!strcmp(out, "/proc/thread-self"))
            snprintf(link, sizeof link, "/proc/%d/task/%d", (int)getpid(), (int)gettid());
        else
            link[0] = 0;
        if (link[0] && strlen(link) < size)
            n = (size_t)(stpcpy(out, link) - out);
        c = *end ? end + 1 : end;
    }
    if (n == 0)
        strcpy(out, "/");
    return true;
}

/* The absolute path of the directory that holds path's last component
 * (dir_len bytes of path), looked up from dirfd as the kernel would. */
static bool sys_proc_dir_of(int dirfd, const char *path, size_t dir_len, char *out, size_t size)
{
    if (dir_len == 0 && dirfd == AT_FDCWD)
        return getcwd(out, size) != NULL;
    if (dir_len == 0)
        return sys_proc_fd_path(dirfd, out, size);
    char dir[PATH_MAX];
    memcpy(dir, path, dir_len);
    dir[dir_len] = 0;
    int fd = openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE) && dir[0] == '/')
        return sys_proc_dir_lexical(dir, out, size);
    if (fd < 0)
        return false;
    bool ok = sys_proc_fd_path(fd, out, size);
    close(fd);
    return ok;
}

/* A decimal id at *p (no sign, no leading zero: as /proc names them). */
static bool sys_proc_id(const char **p, long *id)
{
    char *end;
    if (**p < '1' || **p > '9')
        return false;
    *id = strtol(*p, &end, 10);
    *p = end;
    return *id > 0 && *id <= INT_MAX;
}

/* Whether id is this process or one of its threads (/proc/TID works for
 * any thread, though only the leader is listed). */
static bool sys_proc_ours(long id)
{
    char task[48];
    struct stat st;
    if (id == getpid())
        return true;
    snprintf(task, sizeof task, "/proc/self/task/%ld", id);
    return stat(task, &st) == 0;
}

/* dir is "/proc/N" or "/proc/N/task/T": the pid directory part, and
 * whether it is this process's. */
static bool sys_proc_pid_dir(const char *dir, bool *own)
{
    const char *p = dir;
    long pid, tid;
    if (strncmp(p, "/proc/", 6) != 0)
        return false;
    p += 6;
    if (!sys_proc_id(&p, &pid))
        return false;
    if (!strncmp(p, "/task/", 6)) {
        p += 6;
        if (!sys_proc_id(&p, &tid))
            return false;
    }
    if (*p)
        return false;
    *own = sys_proc_ours(pid);
    return true;
}

/* "/proc/N/" exactly (dir_len bytes of path) with N neither this process
 * nor a guest thread: another process's file, the host's, known without
 * a lookup (ps and top open /proc/N/stat and status for every process;
 * not environ, which sys_proc_open filters for another ferry); "/proc/"
 * for a file of the pid directories: the system's (/proc/stat). */
static bool sys_proc_plainly_other(const char *path, size_t dir_len)
{
    const char *p = path + 6;
    long id;
    uint64_t blocked, pending;
    if (dir_len == 6 && !strncmp(path, "/proc/", 6))
        return true;                    /* /proc/stat and the like: the system's */
    if (strncmp(path, "/proc/", 6) != 0 || !sys_proc_id(&p, &id) || p != path + dir_len - 1)
        return false;
    return id != getpid() && !sys_thread_signals_of((pid_t)id, &blocked, &pending);
}

/* The table's file path names (only: just that name), with dir set to
 * its directory and own to whether that is this process's; NULL if none. */
static const struct sys_proc_file *sys_proc_resolve(int dirfd, uint64_t g, const char *only,
                                                    char *dir, size_t size, bool *own)
{
    long len = sys_guest_strnlen(g, PATH_MAX);
    if (len <= 0 || len >= PATH_MAX)
        return NULL;                    /* the host call gives the error */
    const char *path = sys_ptr(g), *slash = strrchr(path, '/');
    const char *leaf = slash ? slash + 1 : path;
    const struct sys_proc_file *f = sys_proc_file_named(leaf, only);
    if (!f || (f->in_pid_dir && strcmp(leaf, "environ") &&
               sys_proc_plainly_other(path, (size_t)(leaf - path))) ||
        !sys_proc_dir_of(dirfd, path, (size_t)(leaf - path), dir, size))
        return NULL;
    if (!f->in_pid_dir) {
        *own = true;
        return !strcmp(dir, "/proc") ? f : NULL;
    }
    return sys_proc_pid_dir(dir, own) ? f : NULL;
}

int64_t sys_proc_open(int dirfd, uint64_t g, int host_flags)
{
    char dir[PATH_MAX + 16];
    bool own;
    const struct sys_proc_file *f = sys_proc_resolve(dirfd, g, NULL, dir, PATH_MAX, &own);
    if (!f)
        return SYS_MAPS_NOT_OURS;
    if (own)
        return f->open_in ? f->open_in(dir, host_flags) : f->open(host_flags);
    if (strcmp(f->leaf, "environ") != 0)
        return SYS_MAPS_NOT_OURS;       /* another process's: the host's file */
    strcat(dir, "/environ");
    return sys_environ_open_other(dir, host_flags);
}

bool sys_proc_names_exe(int dirfd, uint64_t g)
{
    char dir[PATH_MAX];
    bool own;
    return sys_proc.exe_path && sys_proc_resolve(dirfd, g, "exe", dir, sizeof dir, &own) && own;
}
