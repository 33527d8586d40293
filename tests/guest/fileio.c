/* fileio.c -- stdio and POSIX file I/O in the working directory: fopen,
 * fwrite/fread, fseek/ftell, fgets, rename, unlink, stat sizes, lseek/pread,
 * mkdir and a sorted directory listing (readdir order itself is not stable). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(const char *path)
{
    DIR *d = opendir(path);
    char *names[64];
    int n = 0;
    struct dirent *e;
    if (!d) {
        perror("opendir");
        return;
    }
    while ((e = readdir(d)) && n < 64)
        names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_names);
    for (int i = 0; i < n; i++) {
        char full[512];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        if (stat(full, &st) == 0)
            printf("  %s %s %lld\n", names[i], S_ISDIR(st.st_mode) ? "dir" : "file",
                   S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
        free(names[i]);
    }
}

int main(void)
{
    FILE *f = fopen("data.bin", "w+b");
    if (!f) {
        perror("fopen");
        return 1;
    }
    for (int i = 0; i < 10000; i++)
        fwrite(&i, sizeof i, 1, f);
    printf("ftell after write %ld\n", ftell(f));
    fseek(f, 4 * 1234, SEEK_SET);
    int v = 0;
    fread(&v, sizeof v, 1, f);
    printf("value at 1234: %d\n", v);
    fseek(f, -8, SEEK_END);
    fread(&v, sizeof v, 1, f);
    printf("value at end-2: %d, ftell %ld\n", v, ftell(f));
    fclose(f);

    FILE *t = fopen("text.txt", "w");
    for (int i = 0; i < 50; i++)
        fprintf(t, "line %d: %s\n", i, i % 2 ? "odd" : "even");
    fclose(t);
    t = fopen("text.txt", "r");
    char line[128];
    int lines = 0;
    while (fgets(line, sizeof line, t))
        if (++lines % 10 == 0)
            printf("read %s", line);
    fclose(t);

    int fd = open("data.bin", O_RDONLY);
    printf("lseek end %lld\n", (long long)lseek(fd, 0, SEEK_END));
    pread(fd, &v, sizeof v, 4 * 777);
    printf("pread 777: %d\n", v);
    close(fd);

    mkdir("sub", 0755);
    mkdir("sub/inner", 0755);
    rename("text.txt", "sub/moved.txt");
    FILE *e = fopen("sub/empty", "w");
    fclose(e);
    printf("listing .\n");
    list_dir(".");
    printf("listing sub\n");
    list_dir("sub");
    printf("unlink %d %d, missing file: %s\n", unlink("sub/empty"),
           unlink("sub/empty"), fopen("nope", "r") ? "opened?" : "not found");
    char cwd[4096];
    printf("getcwd ok %d\n", getcwd(cwd, sizeof cwd) != NULL);
    return 0;
}
