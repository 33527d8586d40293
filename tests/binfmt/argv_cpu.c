/* argv_cpu.c -- prints its argv; with --cpu also the CPUID brand string,
 * which tells whether it ran under ferry; with --ids its real and
 * effective user and group ids and AT_SECURE (binfmt_misc's C flag); with
 * --exec PROGRAM ARGS... it then execs PROGRAM, with --exec-as NAME
 * PROGRAM ARGS... it execs PROGRAM with argv[0] NAME, which only
 * binfmt_misc's P flag keeps (check-binfmt.sh). */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static void print_brand(void)
{
    unsigned r[12];
    for (unsigned l = 0; l < 3; l++)
        __cpuid(0x80000002 + l, r[4 * l], r[4 * l + 1], r[4 * l + 2], r[4 * l + 3]);
    printf("cpu: %.48s\n", (char *)r);
}

int main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    if (argc > 1 && strcmp(argv[1], "--cpu") == 0)
        print_brand();
    if (argc > 1 && strcmp(argv[1], "--ids") == 0)
        printf("uid %d euid %d gid %d egid %d secure %lu\n", (int)getuid(), (int)geteuid(),
               (int)getgid(), (int)getegid(), getauxval(AT_SECURE));
    if (argc > 2 && strcmp(argv[1], "--exec") == 0) {
        fflush(stdout);
        execv(argv[2], &argv[2]);
        perror("execv");
        return 126;
    }
    if (argc > 3 && strcmp(argv[1], "--exec-as") == 0) {
        fflush(stdout);
        char *prog = argv[3];
        argv[3] = argv[2];
        execv(prog, &argv[3]);
        perror("execv");
        return 126;
    }
    return argc;
}
