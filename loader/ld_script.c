/* ld_script.c -- a program that starts with "#!" runs its interpreter,
 * as the kernel's binfmt_script does: argv becomes interpreter [arg]
 * SCRIPT ARGS..., with the interpreter found under the sysroot (-L)
 * first, and scripts may name scripts up to the kernel's depth. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ld_internal.h"

#define LD_SCRIPT_DEPTH 4       /* the kernel's BINPRM_MAX_RECURSION */
#define LD_SCRIPT_HEAD 256

struct ld_script {
    char interp[LD_SCRIPT_HEAD], arg[LD_SCRIPT_HEAD];
};

/* 1 and the interpreter filled in if path is a script; 0 if not; -1 for
 * an empty "#!" line. */
static int ld_script_read(const char *path, struct ld_script *s)
{
    char head[LD_SCRIPT_HEAD];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);    /* a FIFO: no wait */
    if (fd < 0)
        return 0;                   /* ld_program_open reports it */
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    return ld_shebang_parse(head, n > 0 ? (size_t)n : 0, s->interp, sizeof s->interp, s->arg,
                            sizeof s->arg);
}

/* interp [arg] path argv[1...] (the script's own argv[0] is dropped). */
static char **ld_script_argv(const struct ld_script *s, const char *path, char *const argv[])
{
    size_t argc = 0;
    while (argv && argv[argc])
        argc++;
    char **av = malloc((argc + 4) * sizeof *av);
    size_t n = 0;
    if (!av)
        return NULL;
    av[n++] = strdup(s->interp);
    if (s->arg[0])
        av[n++] = strdup(s->arg);
    av[n++] = strdup(path);
    for (size_t i = 1; i < argc; i++)
        av[n++] = argv[i];
    av[n] = NULL;
    return av;
}

int ld_script_resolve(const char **path, char *const **argv, char *why, size_t len)
{
    static struct ld_script s;
    for (int depth = 0; depth <= LD_SCRIPT_DEPTH; depth++) {
        int st = ld_script_read(*path, &s);
        if (st == 0)
            return 0;
        if (st < 0 || depth == LD_SCRIPT_DEPTH)
            return snprintf(why, len, "%s", st < 0 ? "empty #! line" : "too many levels of #!"),
                   126;
        char **av = ld_script_argv(&s, *path, *argv);
        if (!av)
            return snprintf(why, len, "out of memory"), 126;
        *argv = av;
        *path = strdup(ld_sysroot_path(s.interp, 1));
    }
    return 0;
}
