/* cli_binfmt.c -- `ferry --binfmt register|unregister|status`: ferry's
 * entry in binfmt_misc (docs/binfmt.md), so the kernel hands x86-64
 * programs to ferry.  Program code only (main.c's command line). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli_binfmt.h"

#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
/* QEMU's x86-64 magic and mask: a 64-bit little-endian ELF header (the
 * padding of e_ident zero) with e_type ET_EXEC or ET_DYN and e_machine
 * EM_X86_64; the kernel decodes the \x escapes. */
#define BINFMT_X86_64_MAGIC \
    "\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x3e\\x00"
#define BINFMT_X86_64_MASK \
    "\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff"
/* P: argv[0] preserved; O: the kernel opens the program (AT_EXECFD), so
 * execute-only programs run; C: setuid/setgid programs get their
 * credentials (implies O).  --persistent adds F (QEMU's word for it):
 * ferry is opened now, so the entry works in chroots without ferry. */
#define BINFMT_FLAGS "POC"
#define BINFMT_ENTRY_MAX 8192

static int binfmt_fail(const char *what, const char *detail)
{
    fprintf(stderr, "ferry: --binfmt: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 1;
}

static int binfmt_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* binfmt_misc must be mounted; saying how beats a bare ENOENT. */
static int binfmt_mounted(void)
{
    if (access(BINFMT_DIR "/register", F_OK) == 0)
        return 1;
    binfmt_fail("binfmt_misc is not mounted",
                "mount -t binfmt_misc binfmt_misc " BINFMT_DIR);
    return 0;
}

static void binfmt_entry_path(const struct cli_binfmt *b, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", BINFMT_DIR, b->name);
}

/* binfmt_misc is asked before the kernel's own ELF loader: on an x86-64
 * host the x86-64 entry would take every native program (ferry too, in a
 * loop), so only test entries (--binfmt-magic) are registered there. */
static bool binfmt_native_host(void)
{
    struct utsname u;
    return uname(&u) == 0 && !strcmp(u.machine, "x86_64");
}

/* ":NAME:M:OFFSET:MAGIC:MASK:INTERPRETER:FLAGS" */
static int binfmt_register(const struct cli_binfmt *b)
{
    char line[BINFMT_ENTRY_MAX];
    if (!b->magic && binfmt_native_host())
        return binfmt_fail("refused on an x86-64 host",
                           "the entry would run every native program through ferry");
    const char *magic = b->magic ? b->magic : BINFMT_X86_64_MAGIC;
    const char *mask = b->magic ? "" : BINFMT_X86_64_MASK;
    snprintf(line, sizeof line, ":%s:M:%u:%s:%s:%s:%s%s", b->name, b->offset, magic, mask,
             b->interpreter, BINFMT_FLAGS, b->persistent ? "F" : "");
    if (binfmt_write(BINFMT_DIR "/register", line) == 0) {
        printf("ferry: registered %s -> %s (flags %s%s)\n", b->name, b->interpreter, BINFMT_FLAGS,
               b->persistent ? "F" : "");
        return 0;
    }
    if (errno == EEXIST)
        return binfmt_fail(b->name, "already registered (ferry --binfmt unregister first)");
    return binfmt_fail("cannot register", strerror(errno));
}

static int binfmt_unregister(const struct cli_binfmt *b)
{
    char path[512];
    binfmt_entry_path(b, path, sizeof path);
    if (binfmt_write(path, "-1") == 0) {
        printf("ferry: unregistered %s\n", b->name);
        return 0;
    }
    return binfmt_fail(b->name, errno == ENOENT ? "not registered" : strerror(errno));
}

/* The kernel's own description of the entry (enabled, interpreter, flags,
 * offset, magic, mask); status 0 if registered, 1 if not. */
static int binfmt_status(const struct cli_binfmt *b)
{
    char path[512], buf[BINFMT_ENTRY_MAX];
    binfmt_entry_path(b, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("%s: not registered\n", b->name);
        return 1;
    }
    printf("%s: registered\n", b->name);
    while (fgets(buf, sizeof buf, f))
        printf("  %s", buf);
    fclose(f);
    return 0;
}

int cli_binfmt_run(const struct cli_binfmt *b)
{
    if (!b->interpreter && !strcmp(b->action, "register"))
        return binfmt_fail("cannot find ferry's own path", "no /proc/self/exe");
    if (!binfmt_mounted())
        return 1;
    if (!strcmp(b->action, "register"))
        return binfmt_register(b);
    if (!strcmp(b->action, "unregister"))
        return binfmt_unregister(b);
    return binfmt_status(b);
}

/* "OFFSET:MAGIC": a test entry matching MAGIC (plain bytes) at OFFSET. */
int cli_binfmt_magic(struct cli_binfmt *b, const char *arg)
{
    char *end;
    unsigned long off = strtoul(arg, &end, 10);
    if (end == arg || *end != ':' || off > 128 || !end[1] || strpbrk(end + 1, ":\\\n"))
        return -1;
    b->offset = (unsigned)off;
    b->magic = end + 1;
    return 0;
}

int cli_binfmt_action(struct cli_binfmt *b, const char *action)
{
    if (strcmp(action, "register") && strcmp(action, "unregister") && strcmp(action, "status"))
        return -1;
    b->action = action;
    return 0;
}
