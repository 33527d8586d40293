/* chroot_tcache.c -- a process that chroots and exits leaves nothing in
 * its new root.  Found by `make deb-sweep` (a translated /usr/sbin/chroot
 * left its cache file in the chroot's /tmp/ferry-tcache): ferry's
 * persistent translation cache wrote its files by path, so after the
 * guest's chroot(2) they went to the same path inside the new root.  Here
 * a child chroots into an empty directory that has the cache directory's
 * path (FERRY_TCACHE, else ferry's default), runs code its parent never ran
 * (enough new translations to be worth saving) and exits; the parent
 * counts the regular files the new root then holds: none, as natively. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <regex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int files;

static int count(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)path, (void)st, (void)f;
    files += type == FTW_F;
    return 0;
}

static int drop(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)st, (void)f;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* mkdir -p ROOT/DIR */
static void make_path(const char *root, const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", root, dir);
    for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); *s++ = '/') {
        *s = 0;
        mkdir(p, 0700);
    }
    mkdir(p, 0700);
}

/* Code the parent never runs: a regular expression compiled and matched. */
static int child_work(void)
{
    regex_t re;
    if (regcomp(&re, "^([a-z]+)-([0-9]{2,})(\\.[a-z]+)?$", REG_EXTENDED) != 0)
        return -1;
    regmatch_t m[4];
    int hit = regexec(&re, "ferry-37.tcache", 4, m, 0) == 0 ? (int)(m[2].rm_eo - m[2].rm_so) : -1;
    regfree(&re);
    return hit;
}

int main(void)
{
    char root[] = "/tmp/chroot_tcache.XXXXXX", dir[4096];
    const char *env = getenv("FERRY_TCACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (env && env[0] == '/')
        snprintf(dir, sizeof dir, "%s", env + 1);
    else if (xdg && xdg[0] == '/')
        snprintf(dir, sizeof dir, "%s/ferry", xdg + 1);
    else
        snprintf(dir, sizeof dir, "%s/.cache/ferry", home && home[0] == '/' ? home + 1 : "root");
    if (!mkdtemp(root))
        return perror("mkdtemp"), 1;
    make_path(root, dir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = chroot(root) == 0;
        if (!ok && errno == EPERM && unshare(CLONE_NEWUSER) == 0)
            ok = chroot(root) == 0;     /* (not root: a user namespace's) */
        printf("child: chroot %s, match %d\n", ok ? "done" : "refused", child_work());
        exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    nftw(root, count, 16, FTW_PHYS);
    printf("regular files in the new root: %d\n", files);
    nftw(root, drop, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
