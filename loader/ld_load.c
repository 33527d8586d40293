/* ld_load.c -- ld_load_program(): check the program (and its interpreter,
 * if it is dynamically linked), map them, build the stack, and tell the
 * syscall layer where the program break starts. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ld_internal.h"
#include "sys_exec.h"
#include "syscalls.h"

/* ferry's execve passes a guest argv[0] that differs from the program
 * path in SYS_EXEC_ARGV0_ENV, and no FERRY_EXEC_* variable belongs to the
 * guest's environment.  Returns the argv[0] found, or NULL.  The new
 * environment is malloc'ed and lives as long as the guest. */
static const char *ld_guest_env(char *const **envp)
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
        else if (strncmp((*envp)[i], private, sizeof private - 1) != 0)
            env[out++] = (*envp)[i];
    }
    env[out] = NULL;
    *envp = env;
    unsetenv(SYS_EXEC_ARGV0_ENV);
    return argv0;
}

static void ld_replace_argv0(char *const **argv, const char *argv0)
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

static int ld_report(const char *path, const struct ld_elf *e, int status,
                     char *errbuf, size_t errlen)
{
    snprintf(errbuf, errlen, "ferry: %s: %s", path, e->why);
    return status;
}

/* The syscall layer's view of the new process (brk, /proc/self/exe). */
static void ld_publish(const char *path, const struct ld_image *img)
{
    static char exe[PATH_MAX];
    if (!realpath(path, exe))
        snprintf(exe, sizeof exe, "%s", path);
    sys_proc.exe_path = exe;
    sys_proc.brk_start = sys_proc.brk_cur = sys_proc.brk_mapped = img->brk_start;
}

/* Opens the program and its interpreter; both are checked before
 * anything is mapped. */
static int ld_open_all(const char *path, struct ld_elf *e, struct ld_elf *interp)
{
    int st = ld_elf_open(path, e);
    if (st == 0 && e->interp[0] && (st = ld_interp_open(e, interp)) != 0)
        ld_elf_close(e);
    return st;
}

/* Maps both; the first guest pc (the interpreter's entry, if any) and
 * the main program's load bias, or -1 with e->why set. */
static int ld_map_all(struct ld_elf *e, struct ld_elf *interp, uint64_t *bias,
                      struct ld_auxv_info *ai, uint64_t *pc)
{
    *bias = ld_map_segments(e, LD_DYN_BASE);
    ld_elf_close(e);
    if (*bias == (uint64_t)-1) {
        if (e->interp[0])
            ld_elf_close(interp);
        return -1;
    }
    *ai = (struct ld_auxv_info){ e->phdr_vaddr + *bias, e->phentsize, e->phnum,
                                 e->entry + *bias, NULL, 0 };
    *pc = ai->entry;
    if (!e->interp[0])
        return 0;
    if ((ai->base = ld_interp_map(e, interp)) == (uint64_t)-1)
        return -1;
    *pc = interp->entry + ai->base;
    return 0;
}

int ld_load_program(const char *path, char *const argv[], char *const envp[],
                    struct ld_image *img, char *errbuf, size_t errlen)
{
    static struct ld_elf e, interp;     /* large (PT_INTERP names): not on the stack */
    struct ld_auxv_info ai;
    uint64_t bias, pc;
    const char *execfn = path;
    ld_replace_argv0(&argv, ld_guest_env(&envp));
    int st = ld_script_resolve(&path, &argv, e.why, sizeof e.why);
    if (st)
        return ld_report(execfn, &e, st, errbuf, errlen);
    st = ld_open_all(path, &e, &interp);
    if (st)
        return ld_report(path, &e, st, errbuf, errlen);
    if (ld_map_all(&e, &interp, &bias, &ai, &pc) != 0)
        return ld_report(path, &e, 126, errbuf, errlen);
    ai.execfn = execfn;
    uint64_t sp = ld_build_stack(argv, envp, &ai, &e);
    if (!sp)
        return ld_report(path, &e, 126, errbuf, errlen);
    *img = (struct ld_image){ .entry = pc, .stack_pointer = sp, .brk_start = e.hi + bias,
                              .load_bias = bias, .phdr = ai.phdr, .phent = ai.phent,
                              .phnum = ai.phnum };
    ld_publish(path, img);
    return 0;
}
