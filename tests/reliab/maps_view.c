/* maps_view.c -- what the guest sees of its address space: the names in
 * /proc/self/maps (minus the kernel's [vdso]/[vvar]/[vsyscall]: ferry's
 * vDSO has no [vvar] pages, tests/guest/vdso.c compares it), whether its stack variable lies in [stack] and
 * its brk heap in [heap]; then calls over addresses it does not have
 * (ferry's memory, under ferry): munmap of [4 GiB, 96 TiB) returns 0 and
 * MAP_FIXED/mprotect/munmap around the stack succeed or fail cleanly. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int in_named(const char *want, unsigned long addr)
{
    char line[4200];
    int found = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && strstr(line, want) && lo <= addr && addr < hi)
            found = 1;
    }
    if (f)
        fclose(f);
    return found;
}

static void names(void)
{
    char line[4200], last[4200] = "";
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f)) {
        char *name = strchr(line, '/') ? strrchr(line, '/') + 1 : strchr(line, '[');
        if (!name || strstr(name, "[vdso]") || strstr(name, "[vvar") || strstr(name, "[vsyscall]") ||
            !strcmp(name, last))
            continue;
        printf("name %s", name);
        strcpy(last, name);
    }
    if (f)
        fclose(f);
}

static void foreign_calls(void)
{
    printf("munmap [4G,96T) = %d\n", munmap((void *)(4ul << 30), (96ul << 40) - (4ul << 30)));
    char local;
    unsigned long sp = (unsigned long)&local & ~4095ul;
    int ok = 1;
    for (unsigned long a = sp - (512ul << 20); a < sp - (16ul << 20); a += 1ul << 20) {
        errno = 0;
        if (mprotect((void *)a, 4096, PROT_READ) == 0 || errno != ENOMEM)
            ok = 0;
        void *p = mmap((void *)a, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (p == MAP_FAILED && errno != ENOMEM)
            ok = 0;
        if (p != MAP_FAILED) {
            memset(p, 1, 4096);
            ok &= munmap(p, 4096) == 0;
        }
        ok &= munmap((void *)a, 4096) == 0;
    }
    printf("calls over addresses the guest does not have: %s\n", ok ? "clean" : "wrong");
}

int main(void)
{
    char local;
    char *heap = sbrk(0);
    sbrk(4096);
    names();
    printf("stack variable in [stack]: %d\n", in_named("[stack]", (unsigned long)&local));
    printf("brk in [heap]: %d\n", in_named("[heap]", (unsigned long)heap));
    foreign_calls();
    printf("still alive\n");
    return 0;
}
