/* proc_strings.h -- shared by the /proc guest tests (proc_environ,
 * proc_environ_other, proc_paths): a file read whole, and its
 * NUL-separated strings printed, sorted where asked (under qemu-user, the
 * AArch64 build's host, a process's environment is in reverse order). */
#ifndef PROC_STRINGS_H
#define PROC_STRINGS_H
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole file at dirfd/path into out (NUL-terminated); its length or
 * -errno when it does not open. */
static long proc_slurp(int dirfd, const char *path, char *out, size_t cap)
{
    int fd = openat(dirfd, path, O_RDONLY);
    if (fd < 0)
        return -errno;
    long n = 0, got;
    while (n < (long)cap - 1 && (got = read(fd, out + n, cap - 1 - (size_t)n)) > 0)
        n += got;
    close(fd);
    out[n] = 0;
    return n;
}

static int proc_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The strings in text's first n bytes, each as " [s]", then a newline. */
static void proc_print_strings(char *text, long n, int sorted)
{
    char *entry[1024];
    int k = 0;
    for (long i = 0; i < n && k < 1024; i += (long)strlen(text + i) + 1)
        entry[k++] = text + i;
    if (sorted)
        qsort(entry, (size_t)k, sizeof entry[0], proc_cmp);
    for (int i = 0; i < k; i++)
        printf(" [%s]", entry[i]);
    printf("\n");
}
#endif
