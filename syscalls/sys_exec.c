/* sys_exec.c -- execve: the new program must run translated too, so ferry
 * re-executes itself (ferry_opts.self_exe) with the same options and the
 * guest's program, arguments and environment.  Programs starting with
 * "#!" run their interpreter under ferry, as the kernel would run it.
 * Targets ferry cannot load fail here with ENOEXEC (like the kernel), so
 * the guest (e.g. execvp falling back to /bin/sh) can react.
 *
 * A guest argv[0] different from the path (busybox applets!) travels in
 * FERRY_EXEC_ARGV0, which the new process takes out of the environment
 * (sys_start.c); "--" ends ferry's options so any program name is safe. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "loader.h"
#include "options.h"
#include "sys_exec.h"
#include "sys_handlers.h"

#define SYS_EXEC_MAX_OPTS 12

struct sys_argv {
    char **v;
    size_t n, cap;
};

static int sys_argv_add(struct sys_argv *av, const char *s)
{
    if (av->n + 2 > av->cap) {
        size_t cap = av->cap ? 2 * av->cap : 64;
        char **v = realloc(av->v, cap * sizeof *v);
        if (!v)
            return -1;
        av->v = v, av->cap = cap;
    }
    av->v[av->n++] = (char *)s;
    av->v[av->n] = NULL;
    return 0;
}

/* "-d in_asm,ir" from the log mask. */
static void sys_exec_log_option(struct sys_argv *av, char *buf, size_t len)
{
    buf[0] = 0;
    for (unsigned i = 0; i < LOG_ITEMS; i++)
        if (ferry_opts.log_mask & (1u << i))
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "",
                     ferry_log_names[i]);
    if (buf[0])
        sys_argv_add(av, "-d"), sys_argv_add(av, buf);
}

/* ferry's own options, as they were given to this process. */
static void sys_exec_options(struct sys_argv *av, char *logbuf, char *sizebuf)
{
    sys_argv_add(av, ferry_opts.self_exe ? ferry_opts.self_exe : "ferry");
    if (ferry_opts.strace)
        sys_argv_add(av, "--strace");
    if (ferry_opts.stats)
        sys_argv_add(av, "--stats");
    if (ferry_opts.perfmap)
        sys_argv_add(av, "--perfmap");
    if (ferry_opts.ras >= 0)
        sys_argv_add(av, ferry_opts.ras ? "--ras" : "--no-ras");
    if (ferry_opts.check_ir)
        sys_argv_add(av, "--check-ir");
    if (ferry_opts.tcache_dir)
        sys_argv_add(av, "--tcache"), sys_argv_add(av, ferry_opts.tcache_dir);
    else
        sys_argv_add(av, "--no-tcache");
    if (ferry_opts.tcache_size) {
        snprintf(sizebuf + 32, 32, "%llu", ferry_opts.tcache_size);
        sys_argv_add(av, "--tcache-size"), sys_argv_add(av, sizebuf + 32);
    }
    sys_exec_log_option(av, logbuf, 64);
    if (x86_cpu_model_selected())
        sys_argv_add(av, "-cpu"), sys_argv_add(av, x86_cpu_model_selected());
    if (ferry_opts.log_path)
        sys_argv_add(av, "--log-append"), sys_argv_add(av, ferry_opts.log_path);
    if (ld_sysroot_get())
        sys_argv_add(av, "-L"), sys_argv_add(av, ld_sysroot_get());
    if (ferry_opts.code_cache_size >= (1u << 20)) {
        snprintf(sizebuf, 32, "%zu", ferry_opts.code_cache_size >> 20);
        sys_argv_add(av, "--cache-size"), sys_argv_add(av, sizebuf);
    }
}

/* 0: an x86-64 program ferry loads, with its interpreter if it has one;
 * else -errno as the kernel says: a missing interpreter is ENOENT (so
 * execvp does not retry the program as a shell script), one that cannot
 * be opened as a regular file EACCES (its errno says it all), a bad one
 * ELIBBAD; ferry says which interpreter on its log, since no errno can. */
static int64_t sys_exec_check_elf_here(const char *path)
{
    char why[512];
    enum ld_interp_fault fault;
    int st = ld_check_program(path, &fault, why, sizeof why);
    if (st == 0 || fault == LD_INTERP_FINE)
        return st == 0 ? 0 : st == 127 ? -ENOENT : -ENOEXEC;
    if (fault == LD_INTERP_UNREADABLE && st != 127)
        return -EACCES;
    fprintf(ferry_log, "ferry: %s: %s\n", path, why);
    fflush(ferry_log);
    return st == 127 ? -ENOENT : -ELIBBAD;
}

/* The program's first bytes, from its path or (execveat) its readable
 * descriptor `pfd`. */
static int64_t sys_exec_read_head_here(const char *path, int pfd, char *head, size_t len, size_t *got)
{
    if (pfd < 0 ? access(path, X_OK) != 0 : faccessat(pfd, "", X_OK, AT_EMPTY_PATH) != 0)
        return -errno;
    /* without blocking: the kernel refuses anything but a regular file
     * (a FIFO, a device) with EACCES, and so does ferry, at once */
    int fd = pfd >= 0 ? dup(pfd) : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -EACCES;
    }
    ssize_t n = pread(fd, head, len, 0);
    close(fd);
    *got = n > 0 ? (size_t)n : 0;
    return 0;
}

/* The guest took every number (ferry gave its own up to it: soft = hard
 * RLIMIT_NOFILE): the exec's checks open the program and a script's
 * interpreter from a descriptor table of their own (sys_fd_private.c),
 * as the kernel needs no number for them either.  Known by the head's
 * EMFILE (*private_fds), which the same exec's ELF checks are given. */
struct sys_exec_check {
    const char *path;
    int pfd;
    char *head;                         /* NULL: the ELF check */
    size_t len, *got;
    int64_t r;
};

static void sys_exec_check_in(void *p)
{
    struct sys_exec_check *c = p;
    c->r = c->head ? sys_exec_read_head_here(c->path, c->pfd, c->head, c->len, c->got)
                   : sys_exec_check_elf_here(c->path);
}

static int64_t sys_exec_read_head(const char *path, int pfd, char *head, size_t len, size_t *got,
                                  bool *private_fds)
{
    struct sys_exec_check c = { path, pfd, head, len, got, 0 };
    int64_t r = sys_exec_read_head_here(path, pfd, head, len, got);
    *private_fds = r == -EMFILE && sys_ferry_fd_short(1) && sys_fd_private_run(sys_exec_check_in, &c, pfd);
    return *private_fds ? c.r : r;
}

/* (pfd: execveat's descriptor the check reads, ld_exec_fd_set) */
static int64_t sys_exec_check_elf(const char *path, int pfd, bool private_fds)
{
    struct sys_exec_check c = { path, pfd, NULL, 0, NULL, 0 };
    if (private_fds && sys_fd_private_run(sys_exec_check_in, &c, pfd))
        return c.r;
    return sys_exec_check_elf_here(path);
}

/* ferry's binary for the new ferry, whatever its path holds by then (a
 * relink writes a new file that has no x bit until it ends: an exec by
 * path fails with EACCES): an inherited copy of the descriptor main.c
 * kept (SYS_EXEC_SELF_ENV) and, while /proc shows it, its name there for
 * execs by name (qemu-user 7.2 has no execveat; an exec wrapper, the
 * kernel's binfmt_misc open that name).  -1 and "" when not passed. */
static int sys_exec_self_pass = -1;
static char sys_exec_self_proc[32];

/* The host kernel cannot run ferry's own binary: ferry itself runs under
 * an emulator (how the AArch64 build is tested here).  FERRY_EXEC_WRAPPER
 * names it; without it, qemu-user for ferry's architecture is tried. */
static const char *sys_exec_wrapper(char *buf, size_t len)
{
    const char *w = getenv(SYS_EXEC_WRAPPER_ENV);
    struct utsname u;
    if (w && *w)
        return w;
    if (uname(&u) != 0)
        return NULL;
    snprintf(buf, len, "qemu-%s -L /", u.machine);
    return buf;
}

static void sys_exec_wrapped(struct sys_argv *av, char **envp)
{
    char buf[128];
    const char *wrapper = sys_exec_wrapper(buf, sizeof buf);
    struct sys_argv wv = { 0 };
    char *copy = wrapper ? strdup(wrapper) : NULL, *save = NULL;
    for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
        sys_argv_add(&wv, t);
    for (size_t i = 0; wv.n && i < av->n; i++)      /* the wrapper opens the file ferry runs from */
        sys_argv_add(&wv, i == 0 && sys_exec_self_proc[0] ? sys_exec_self_proc : av->v[i]);
    if (wv.n)
        execvpe(wv.v[0], wv.v, envp);
    free(wv.v);
    free(copy);
    errno = ENOEXEC;
}

/* ferry's binary through the descriptor main.c kept (no /proc needed,
 * valid after a guest chroot) unless the guest closed or replaced it;
 * else by its path. */
/* The descriptor's slot among ferry's own (sys_ferry_fd.c), so the
 * guest's dup2/close cannot take it; NULL: it stays at ferry_opts.self_fd. */
static const int *sys_self_fd_slot;

/* Under an emulator the exec'ed ferry is started by it (qemu-user), and
 * it needs a number of its own for that (its libraries, ferry's binary):
 * there the descriptor of ferry's binary is not given up to the guest
 * (sys_ferry_fd_give_up) but kept as the number an exec lends -- a full
 * space then holds one number fewer for the guest than natively.  A
 * kernel-started ferry needs none (sys_fd_private.c). */
bool sys_exec_self_reserve(const int *slot)
{
    /* (a ferry started by a lent exec may have no memfd to tell it is
     * emulated by: it keeps the number it was lent) */
    return slot && slot == sys_self_fd_slot && (tr_code_emulated(sys_engine) || ferry_opts.self_lent);
}

void sys_exec_self_fd_adopt(void)
{
    if (ferry_opts.self_fd < 0)
        return;
    /* in place only where the ferry before lent the number: a ferry
     * started short of numbers otherwise takes none of the guest's */
    if (ferry_opts.self_lent) {
        sys_self_fd_slot = sys_ferry_fd_adopt_in_place(ferry_opts.self_fd);
        sys_ferry_fd_droppable(sys_self_fd_slot);
        return;
    }
    sys_self_fd_slot = sys_ferry_fd_adopt(ferry_opts.self_fd);
    sys_ferry_fd_droppable(sys_self_fd_slot);
    if (!sys_self_fd_slot && ferry_opts.self_fd < FERRY_SELF_FD_MIN) {
        close(ferry_opts.self_fd);      /* main.c kept it at a guest number */
        ferry_opts.self_fd = -1;
    }
}

/* The guest's argv when the new ferry may run under it (an ELF program,
 * not a script: the kernel shows a script's interpreter line), else NULL;
 * and how many of the argv's first words are ferry's (up to the path). */
static char **sys_exec_shown_argv;
static size_t sys_exec_prefix_words;

/* argv and envp for the new ferry: the guest's argv, with ferry's prefix
 * in SYS_EXEC_PREFIX_ENV; false (keep ferry's argv) when a word holds the
 * separator or memory is short. */
static bool sys_exec_hide_prefix(struct sys_argv *av, char **envp, char ***argv_out,
                                 char ***envp_out)
{
    size_t len = sizeof SYS_EXEC_PREFIX_ENV + 1, n = 0;
    if (!sys_exec_shown_argv || !sys_exec_shown_argv[0])
        return false;
    for (size_t i = 0; i < sys_exec_prefix_words; i++) {
        if (strchr(av->v[i], SYS_EXEC_PREFIX_SEP))
            return false;
        len += strlen(av->v[i]) + 1;
    }
    while (envp && envp[n])
        n++;
    char *var = malloc(len), **env = malloc((n + 2) * sizeof *env);
    if (!var || !env) {
        free(var), free(env);
        return false;
    }
    char *p = var + sprintf(var, "%s=", SYS_EXEC_PREFIX_ENV);
    for (size_t i = 0; i < sys_exec_prefix_words; i++)
        p += sprintf(p, "%s%c", av->v[i], i + 1 < sys_exec_prefix_words ? SYS_EXEC_PREFIX_SEP : 0);
    memcpy(env, envp, n * sizeof *env);
    env[n] = var, env[n + 1] = NULL;
    *argv_out = sys_exec_shown_argv, *envp_out = env;
    return true;
}

/* The descriptor of ferry's binary, -1 if the guest closed or replaced it. */
static int sys_exec_self_fd(void)
{
    struct stat st;
    int fd = sys_self_fd_slot ? __atomic_load_n(sys_self_fd_slot, __ATOMIC_ACQUIRE) : ferry_opts.self_fd;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == ferry_opts.self_dev &&
        st.st_ino == ferry_opts.self_ino)
        return fd;
    return -1;
}

/* No number free for ferry's own opens over an execve and no room over
 * the soft limit (soft = hard, sys_ferry_fd_exec_room): the descriptor of
 * ferry's binary is closed and its number lent to them; it is opened
 * again last, as the same file (sys_exec_self_reopen), close-on-exec: the
 * new ferry, as short of numbers, opens its /proc/self/exe only once its
 * program and interpreter are loaded (main.c). */
static bool sys_exec_self_lent;

static void sys_exec_self_lend(void)
{
    if (sys_exec_self_fd() < 0 || !sys_ferry_fd_short(2))
        return;
    if (sys_self_fd_slot)
        sys_ferry_fd_release(sys_self_fd_slot);
    else
        close(ferry_opts.self_fd);
    sys_self_fd_slot = NULL;
    ferry_opts.self_fd = -1;
    sys_exec_self_lent = true;
}

/* The lent descriptor again, if /proc/self/exe or ferry's path still
 * name the same file; -1 if not. */
static int sys_exec_self_reopen(void)
{
    const char *names[] = { "/proc/self/exe", ferry_opts.self_exe };
    struct stat st;
    for (int k = 0; k < 2; k++) {
        int fd = names[k] ? open(names[k], O_PATH | O_CLOEXEC) : -1;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == ferry_opts.self_dev &&
            st.st_ino == ferry_opts.self_ino)
            return ferry_opts.self_fd = fd;
        if (fd >= 0)
            close(fd);
    }
    return -1;
}

/* After a failed execve: the lent descriptor is ferry's own again. */
static void sys_exec_self_unlend(void)
{
    if (!sys_exec_self_lent)
        return;
    sys_exec_self_lent = false;
    if (ferry_opts.self_fd < 0 && sys_exec_self_reopen() < 0)
        return;
    sys_self_fd_slot = sys_ferry_fd_adopt_in_place(ferry_opts.self_fd);
    sys_ferry_fd_droppable(sys_self_fd_slot);
    if (sys_self_fd_slot)
        ferry_opts.self_fd = *sys_self_fd_slot;
    sys_exec_self_pass = -1;
    sys_exec_self_proc[0] = 0;
}

/* Fills sys_exec_self_pass/_proc (sys_exec_run closes the copy again if
 * the exec fails); nothing when ferry has no path to name it by. */
static void sys_exec_self_pass_open(void)
{
    struct stat st;
    int fd = ferry_opts.self_exe ? sys_exec_self_fd() : -1;
    sys_exec_self_proc[0] = 0;
    if (sys_exec_self_lent) {           /* for execveat, not passed */
        if (ferry_opts.self_exe)
            sys_exec_self_reopen();
        return;
    }
    sys_exec_self_pass = fd >= 0 ? fcntl(fd, F_DUPFD, 3) : -1;
    if (sys_exec_self_pass < 0)
        return;
    snprintf(sys_exec_self_proc, sizeof sys_exec_self_proc, "/proc/self/fd/%d", sys_exec_self_pass);
    if (stat(sys_exec_self_proc, &st) != 0 || st.st_dev != ferry_opts.self_dev ||
        st.st_ino != ferry_opts.self_ino)
        sys_exec_self_proc[0] = 0;      /* no /proc (a chroot): by path */
}

static void sys_exec_self_pass_close(void)
{
    if (sys_exec_self_lent) {
        sys_exec_self_unlend();
        return;
    }
    if (sys_exec_self_pass >= 0)
        close(sys_exec_self_pass);
    sys_exec_self_pass = -1;
    sys_exec_self_proc[0] = 0;
}

static void sys_exec_self(struct sys_argv *av, char **envp)
{
    char **argv = av->v, **env = envp;
    bool hidden = sys_exec_hide_prefix(av, envp, &argv, &env);
    int fd = sys_exec_self_fd();
    if (fd >= 0)
        syscall(SYS_execveat, fd, "", argv, env, AT_EMPTY_PATH);
    if (sys_exec_self_proc[0])
        execve(sys_exec_self_proc, argv, env);
    if (ferry_opts.self_exe && (!sys_exec_self_proc[0] || errno != ENOEXEC))
        execve(av->v[0], argv, env);
    if (hidden) {                   /* both failed: the variable is env's last */
        int e = errno;
        size_t n = 0;
        while (env[n + 1])
            n++;
        free(env[n]);
        free(env);
        errno = e;
    }
}

/* main.c, first thing: a ferry started by sys_exec_self with the guest's
 * argv gets its own words back ("ferry", options, "--", path, then the
 * guest's argv[1..]); the variable leaves the environment. */
char **sys_exec_take_prefix(int *argc, char **argv)
{
    const char *v = getenv(SYS_EXEC_PREFIX_ENV);
    char *copy = v ? strdup(v) : NULL;
    size_t words = 1;
    if (!copy || *argc < 1)
        return argv;
    for (const char *p = copy; *p; p++)
        words += *p == SYS_EXEC_PREFIX_SEP;
    char **out = malloc((words + (size_t)*argc) * sizeof *out);
    if (!out)
        return argv;
    size_t n = 0;
    for (char *p = copy, *q; (q = strchr(p, SYS_EXEC_PREFIX_SEP)) || *p; p = q + 1) {
        out[n++] = p;
        if (!q)
            break;
        *q = 0;
    }
    for (int i = 1; i < *argc; i++)
        out[n++] = argv[i];
    out[n] = NULL;
    *argc = (int)n;
    unsetenv(SYS_EXEC_PREFIX_ENV);
    return out;
}

/* execveat's program travels to the new ferry as an inherited
 * descriptor (SYS_EXEC_FD_ENV); -1 when the program is a path. */
static int sys_exec_pass_fd = -1;

static char **sys_exec_env_self(void);

static int64_t sys_exec_run(struct sys_argv *av, char **guest_argv, char **envp)
{
    fflush(stdout);
    fflush(ferry_log);
    for (size_t i = 1; guest_argv && guest_argv[0] && guest_argv[i]; i++)
        sys_argv_add(av, guest_argv[i]);
    tr_tcache_save(sys_engine);         /* (before the copy of ferry's binary: a lent number) */
    envp = sys_exec_env_self();
    sys_exec_pass_mask(true);
    sys_ferry_fd_pass(true, NULL, 0);
    sys_vfork_send();
    sys_exec_self(av, envp);
    if (errno == ENOEXEC)
        sys_exec_wrapped(av, envp);
    int64_t r = -errno;
    sys_exec_self_pass_close();
    sys_ferry_fd_pass(false, NULL, 0);
    sys_exec_pass_mask(false);
    free(av->v);
    if (sys_exec_pass_fd >= 0)
        close(sys_exec_pass_fd);
    return r;
}

/* ferry does not know its own binary (started by binfmt_misc's F flag in
 * a chroot without /proc): the kernel's binfmt_misc runs ferry again;
 * options travel in the environment (FERRY_*, QEMU_*). */
static int64_t sys_exec_by_kernel(const char *path, int pfd, char **argv, char **envp)
{
    tr_tcache_save(sys_engine);
    sys_exec_pass_mask(true);
    sys_vfork_send();
    sys_rlimit_mem_make_real();         /* the kernel's program starts with the guest's */
    sys_ferry_fd_started();
    if (pfd >= 0)
        syscall(SYS_execveat, pfd, "", argv, envp, AT_EMPTY_PATH);
    else
        execve(path, argv, envp);
    int64_t r = -errno;
    sys_rlimit_mem_unmake_real();
    sys_exec_pass_mask(false);
    return r;
}

/* The name the new process gets (/proc/PID/comm), when it is not its
 * program's: a script's own name, execveat's file name. */
static char sys_exec_comm[64];

/* The guest environment, plus FERRY_EXEC_ARGV0 when argv[0] != path,
 * ferry's FERRY_EXEC_WRAPPER, FERRY_EXEC_FD, FERRY_EXEC_COMM,
 * FERRY_EXEC_LOG_FD, FERRY_EXEC_NOFILE_HARD, FERRY_EXEC_NOFILE_SOFT,
 * FERRY_EXEC_RLIMIT_MEM, FERRY_EXEC_KEPT_IGN and FERRY_DEBUG_VA_CEILING (FERRY_EXEC_SELF comes
 * last, sys_exec_env_self). */
static struct sys_argv sys_exec_envv;

static char **sys_exec_env(char **envp, const char *argv0, const char *path, char *buf, size_t len)
{
    struct sys_argv env = sys_exec_envv;
    static char wrapper[4096], logfd[64], execfd[64], comm[96], ceiling[64], nofile[64], soft[64];
    static char rlimit_mem[192], kept_ign[64];
    const char *w = getenv(SYS_EXEC_WRAPPER_ENV), *c = getenv(SYS_EXEC_VA_CEILING_ENV);
    env.n = 0;
    for (size_t i = 0; envp && envp[i]; i++)    /* a guest's own prefix would be read first */
        if (strncmp(envp[i], SYS_EXEC_PREFIX_ENV "=", sizeof SYS_EXEC_PREFIX_ENV) != 0)
            sys_argv_add(&env, envp[i]);
    if (w && *w) {
        snprintf(wrapper, sizeof wrapper, "%s=%s", SYS_EXEC_WRAPPER_ENV, w);
        sys_argv_add(&env, wrapper);
    }
    if (c && *c) {
        snprintf(ceiling, sizeof ceiling, "%s=%s", SYS_EXEC_VA_CEILING_ENV, c);
        sys_argv_add(&env, ceiling);
    }
    if (sys_exec_pass_fd >= 0) {
        snprintf(execfd, sizeof execfd, "%s=%d", SYS_EXEC_FD_ENV, sys_exec_pass_fd);
        sys_argv_add(&env, execfd);
    }
    if (sys_exec_comm[0]) {
        snprintf(comm, sizeof comm, "%s=%s", SYS_EXEC_COMM_ENV, sys_exec_comm);
        sys_argv_add(&env, comm);
    }
    sys_ferry_fd_pass(true, logfd, sizeof logfd);
    if (logfd[0])
        sys_argv_add(&env, logfd);
    sys_ferry_fd_nofile_pass(nofile, sizeof nofile);
    if (nofile[0])
        sys_argv_add(&env, nofile);
    sys_ferry_fd_exec_soft_pass(soft, sizeof soft);
    if (soft[0])
        sys_argv_add(&env, soft);
    sys_rlimit_mem_pass(rlimit_mem, sizeof rlimit_mem);
    sys_argv_add(&env, rlimit_mem);
    sys_exec_kept_ignores_env(kept_ign, sizeof kept_ign);
    if (kept_ign[0])
        sys_argv_add(&env, kept_ign);
    if (argv0 && strcmp(argv0, path) != 0) {
        snprintf(buf, len, "%s=%s", SYS_EXEC_ARGV0_ENV, argv0);
        sys_argv_add(&env, buf);
    }
    if (!env.v)
        sys_argv_add(&env, NULL);
    sys_exec_envv = env;
    return env.v;
}

/* The environment with FERRY_EXEC_SELF (opening the descriptor it names),
 * last: after the tcache save, which may need the number; or, when the
 * number was lent, SYS_EXEC_SELF_LENT_ENV. */
static char **sys_exec_env_self(void)
{
    static char self[4200];
    static char lent[] = SYS_EXEC_SELF_LENT_ENV "=1";
    sys_exec_self_pass_open();
    if (sys_exec_self_lent)
        sys_argv_add(&sys_exec_envv, lent);
    else if (sys_exec_self_pass >= 0) {
        snprintf(self, sizeof self, "%s=%d:%s", SYS_EXEC_SELF_ENV, sys_exec_self_pass,
                 ferry_opts.self_exe);
        sys_argv_add(&sys_exec_envv, self);
    }
    return sys_exec_envv.v;
}

static void sys_exec_set_comm(const char *name)
{
    const char *slash = strrchr(name, '/');
    snprintf(sys_exec_comm, sizeof sys_exec_comm, "%s", slash ? slash + 1 : name);
}

/* comm_from_file: the process is named after the file run (execveat of a
 * descriptor), which for a script is its interpreter's real file;
 * private_fds: the checks run in a descriptor table of their own. */
static int64_t sys_exec_script(struct sys_argv *av, const char *path, const char *interp,
                               const char *iarg, char **argv, char **envp, bool comm_from_file,
                               bool private_fds)
{
    interp = ld_sysroot_path(interp, 1);
    if (access(interp, X_OK) != 0)
        return -errno;
    char *real = comm_from_file ? realpath(interp, NULL) : NULL;
    if (real)
        sys_exec_set_comm(real);
    free(real);
    int64_t r = sys_exec_check_elf(interp, -1, private_fds);
    if (r)
        return r;
    sys_argv_add(av, interp);
    if (*iarg)
        sys_argv_add(av, iarg);
    sys_argv_add(av, path);
    return sys_exec_run(av, argv, sys_exec_env(envp, NULL, interp, NULL, 0));
}

/* The ELF check, reading through execveat's descriptor when there is one. */
static int64_t sys_exec_check_program(const char *path, int pfd, bool private_fds)
{
    if (pfd >= 0)
        ld_exec_fd_set(path, pfd);
    int64_t r = sys_exec_check_elf(path, pfd, private_fds);
    if (pfd >= 0)
        ld_exec_fd_set(NULL, -1);
    return r;
}

/* execve, and execveat (sys_execveat.c): the program is `path`, or when
 * pfd >= 0 the readable descriptor pfd, which the guest knows by `path`
 * (/dev/fd/N...; `name`: the file's own name, for comm; `cloexec`: the
 * guest's descriptor is close-on-exec, so a script's interpreter could
 * not open it). */
int64_t sys_exec_program(const char *path, const struct sys_exec_fd *xfd, uint64_t gargv,
                         uint64_t genvp)
{
    char **argv = sys_ptr(gargv), **envp = sys_ptr(genvp);
    char head[256], interp[256], iarg[256], logbuf[64], sizebuf[64];
    static char argv0_env[4096];
    size_t got = 0;
    int pfd = xfd ? xfd->fd : -1;
    struct sys_argv av = { 0 };
    bool private_fds;
    if (!sys_guest_vector_ok(gargv) || !sys_guest_vector_ok(genvp))
        return -EFAULT;
    int64_t r = sys_exec_read_head(path, pfd, head, sizeof head, &got, &private_fds);
    if (r)
        return r;
    int script = ld_shebang_parse(head, got, interp, sizeof interp, iarg, sizeof iarg);
    if (script < 0)
        return -ENOEXEC;
    if (script && xfd && xfd->cloexec)
        return -ENOENT;
    if (!script && (r = sys_exec_check_program(path, pfd, private_fds)) != 0)
        return r;
    if (ferry_opts.self_fd < 0 && !ferry_opts.self_exe)     /* main.c: binfmt_misc runs it */
        return sys_exec_by_kernel(path, pfd, argv, envp);
    sys_exec_comm[0] = 0;
    if (script || xfd)
        sys_exec_set_comm(xfd && xfd->name ? xfd->name : path);
    sys_exec_options(&av, logbuf, sizebuf);
    sys_argv_add(&av, "--");
    if (script)
        return sys_exec_script(&av, path, interp, iarg, argv, envp, xfd && xfd->name, private_fds);
    if (pfd >= 0 && (sys_exec_pass_fd = fcntl(pfd, F_DUPFD, 3)) < 0)
        return -EMFILE;
    sys_argv_add(&av, path);
    sys_exec_shown_argv = argv, sys_exec_prefix_words = av.n;
    r = sys_exec_run(&av, argv, sys_exec_env(envp, argv ? argv[0] : NULL, path, argv0_env,
                                             sizeof argv0_env));
    sys_exec_shown_argv = NULL;
    sys_exec_pass_fd = -1;
    return r;
}

/* Around the whole execve (execveat's own opens too): room for ferry's
 * opens, raised soft limit or a lent number; undone when it fails.  Also
 * around a fork (sys_fork.c), whose copy of the code cache's memfd
 * (tc_views.c) and vfork pipe need numbers, undone in both processes. */
void sys_exec_room(bool begin)
{
    if (!begin) {
        sys_exec_self_unlend();
        sys_ferry_fd_started();
    } else if (!sys_ferry_fd_exec_room()) {
        sys_exec_self_lend();
    }
}

SYS_HANDLER(sys_execve)
{
    sys_exec_room(true);
    int64_t r = sys_exec_program(sys_path_lookup(a[0], 1), NULL, a[1], a[2]);
    sys_exec_room(false);
    return r;
}
