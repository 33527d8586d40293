/* sys_start.c -- the guest process's start: what ferry's execve passed in
 * the environment (the guest's argv[0], sys_exec.h) is taken back out,
 * the program is loaded with the x86-64 CPU's auxv values, and the
 * syscall layer learns about the image the loader mapped (the program
 * break, /proc/self/exe) and hands its mappings to the engine. */
#include <stdlib.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "sys_exec.h"
#include "sys_internal.h"
#include "sys_sigframe.h"
#include "syscalls.h"

/* The test hooks, never the guest's. */
static bool sys_start_is_debug_hook(const char *var)
{
    static const char debug_va[] = SYS_EXEC_VA_CEILING_ENV "=", debug_stack[] = SYS_STACK_DEBUG_ENV "=";
    return strncmp(var, debug_va, sizeof debug_va - 1) == 0 ||
           strncmp(var, debug_stack, sizeof debug_stack - 1) == 0;
}

/* ferry's execve passes a guest argv[0] that differs from the program
 * path in SYS_EXEC_ARGV0_ENV, and no FERRY_EXEC_* variable belongs to the
 * guest's environment, nor the test hooks FERRY_DEBUG_VA_CEILING and
 * FERRY_DEBUG_STACK_HOLE.  Returns the argv[0] found, or NULL.  The new
 * environment is malloc'ed and lives as long as the guest. */
static const char *sys_start_env(char *const **envp)
{
    static const char key[] = SYS_EXEC_ARGV0_ENV "=", private[] = SYS_EXEC_PRIVATE_PREFIX;
    const char *argv0 = NULL;
    size_t n = 0, out = 0;
    while (*envp && (*envp)[n])
        n++;
    char **env = malloc((n + 1) * sizeof *env);
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp((*envp)[i], key, sizeof key - 1) == 0)
            argv0 = (*envp)[i] + sizeof key - 1;
        else if (strncmp((*envp)[i], private, sizeof private - 1) != 0 &&
                 !sys_start_is_debug_hook((*envp)[i]))
            env[out++] = (*envp)[i];
    }
    env[out] = NULL;
    *envp = env;
    unsetenv(SYS_EXEC_ARGV0_ENV);
    return argv0;
}

static void sys_start_argv0(char *const **argv, const char *argv0)
{
    size_t argc = 0;
    while (*argv && (*argv)[argc])
        argc++;
    char **av = argv0 && argc ? malloc((argc + 1) * sizeof *av) : NULL;
    if (!av)
        return;
    memcpy(av, *argv, (argc + 1) * sizeof *av);
    av[0] = (char *)argv0;
    *argv = av;
}

void sys_process_init(const struct ld_image *img)
{
    sys_proc.exe_path = img->exe_path;
    sys_proc.stack_start = img->stack_start;
    sys_proc.stack_end = img->stack_end;
    sys_stack_grow_init(img);
    sys_cmdline_started(img->stack_pointer);
    sys_environ_started(img->stack_pointer);
    sys_auxv_started(img->stack_pointer);
    sys_proc.bounds = img->bounds;
    sys_proc.start_stack = img->stack_pointer;
    sys_proc_mm_publish();
    sys_vdso_started(img->vdso_start);
    sys_ferry_fd_init();
    sys_exec_self_fd_adopt();
    sys_proc.brk_start = sys_proc.brk_cur = sys_proc.brk_mapped = img->brk_start;
    sys_rlimit_mem_image(img);
}

void sys_process_mapped(const struct ld_image *img)
{
    for (int k = 0; k < img->n_maps; k++)
        tr_map_changed(sys_engine, TR_MAP, img->maps[k].start, img->maps[k].len,
                       img->maps[k].prot);
}

/* The kernel names a process (/proc/PID/comm: ps, top, pgrep, killall)
 * after the file it executes -- a script's own name, not its
 * interpreter's; for execveat the file's name -- which the ferry before
 * the guest's exec passes in SYS_EXEC_COMM_ENV; ferry's process is named
 * after its guest. */
static void sys_start_comm(const char *path)
{
    const char *comm = getenv(SYS_EXEC_COMM_ENV);
    const char *slash = strrchr(path, '/');
    prctl(PR_SET_NAME, comm ? comm : slash ? slash + 1 : path, 0, 0, 0);
    unsetenv(SYS_EXEC_COMM_ENV);
}

int sys_exec_passed_fd(void)
{
    const char *v = getenv(SYS_EXEC_FD_ENV);
    char *end;
    long fd = v ? strtol(v, &end, 10) : -1;
    unsetenv(SYS_EXEC_FD_ENV);
    return fd >= 0 && fd < INT32_MAX && v && *v && !*end ? (int)fd : -1;
}

int sys_exec_passed_self(char **path)
{
    const char *v = getenv(SYS_EXEC_SELF_ENV);
    char *end;
    long fd = v ? strtol(v, &end, 10) : -1;
    bool ok = v && end != v && *end == ':' && end[1] == '/' && fd >= 0 && fd < INT32_MAX;
    *path = ok ? strdup(end + 1) : NULL;
    unsetenv(SYS_EXEC_SELF_ENV);
    if (ok && *path)
        return (int)fd;
    if (ok)
        close((int)fd);
    return -1;
}

bool sys_exec_passed_lent(void)
{
    const char *v = getenv(SYS_EXEC_SELF_LENT_ENV);
    bool lent = v && strcmp(v, "1") == 0;
    unsetenv(SYS_EXEC_SELF_LENT_ENV);
    return lent;
}

int sys_process_load(const char *path, char *const argv[], char *const envp[],
                     struct ld_image *img, char *errbuf, size_t errlen)
{
    const struct ld_params params = { .hwcap = x86_cpuid_hwcap(), .hwcap2 = x86_cpuid_hwcap2(),
                                      .platform = "x86_64", .place_shared = ferry_opts.tcache_dir != NULL,
                                      .minsigstksz = sys_sigframe_min_stack() };
    sys_rlimit_mem_init();              /* before ferry's own memory is mapped */
    sys_start_argv0(&argv, sys_start_env(&envp));
    sys_va_init();
    sys_stack_debug_before_load();
    int st = ld_load_program(path, argv, envp, &params, img, errbuf, errlen);
    if (st == 0)
        sys_start_comm(path);
    if (st == 0)
        sys_process_init(img);
    return st;
}
