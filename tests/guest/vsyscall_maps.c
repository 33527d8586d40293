/* vsyscall_maps.c -- the [vsyscall] line of /proc/self/maps.  Programs
 * (Linux's own vsyscall tests, old static binaries' startup checks) read
 * it to learn whether the page is there and executable before calling
 * 0xffffffffff600000; the guest sees the line Linux shows (xonly: --xp). */
#include <stdio.h>
#include <string.h>

int main(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    if (!maps) {
        perror("/proc/self/maps");
        return 1;
    }
    while (fgets(line, sizeof line, maps)) {
        if (!strstr(line, "[vsyscall]"))
            continue;
        fputs(line, stdout);
        found++;
    }
    fclose(maps);
    printf("%d [vsyscall] line(s)\n", found);
    return 0;
}
