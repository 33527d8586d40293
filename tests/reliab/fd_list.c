/* fd_list.c -- the guest's descriptor listings: /proc/self/fd, fdinfo, the
 * /proc/PID and /proc/thread-self spellings.  ferry's own descriptors (its
 * log under --strace/-d/-D/--stats) are never listed; the native run is
 * the oracle.  Each listing is printed sorted, without the directory's own
 * descriptor. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_number(const void *a, const void *b)
{
    return atoi(*(char *const *)a) - atoi(*(char *const *)b);
}

static void list(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        printf("%s: cannot open\n", path);
        return;
    }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
            names[n++] = strdup(e->d_name);
    qsort(names, (size_t)n, sizeof(names[0]), by_number);
    printf("%s:", strchr(path + 6, '/'));
    for (int k = 0; k < n; k++)
        printf(" %s", names[k]);
    printf("\n");
    closedir(d);
}

int main(void)
{
    char own[64];
    list("/proc/self/fd");
    list("/proc/self/fdinfo");
    snprintf(own, sizeof own, "/proc/%d/fd", (int)getpid());
    list(own);
    list("/proc/thread-self/fd");
    FILE *f = fopen("/proc/self/fdinfo/2", "r");      /* still readable */
    printf("fdinfo/2 %s\n", f ? "opens" : "does not open");
    if (f)
        fclose(f);
    return 0;
}
