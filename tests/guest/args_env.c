/* args_env.c -- what the loader puts on the initial stack: argc, argv,
 * selected environment variables and auxv values that do not depend on
 * address randomization (page size, phnum, phent, uid, the entry point of
 * a non-PIE binary, AT_SECURE, the platform string, hwcap nonzero). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

//@args: first "second" 3 -x --long=value
//@env: FERRY_A=alpha FERRY_B=beta=gamma EMPTY=

extern char **environ;

int main(int argc, char **argv)
{
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
    printf("argv[0] ends with the program name: %d\n",
           strstr(argv[0], "args_env") != NULL);
    const char *names[] = { "FERRY_A", "FERRY_B", "EMPTY", "LANG", "PATH", "UNSET_VAR" };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        printf("%s=%s\n", names[i], v ? v : "(unset)");
    }
    int n = 0;
    for (char **e = environ; *e; e++)
        n++;
    printf("environ entries %d\n", n);
    printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
    printf("AT_PHENT %lu\n", getauxval(AT_PHENT));
    printf("AT_PHNUM %lu\n", getauxval(AT_PHNUM));
    printf("AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu\n", getauxval(AT_UID),
           getauxval(AT_EUID), getauxval(AT_GID), getauxval(AT_EGID));
    printf("AT_SECURE %lu\n", getauxval(AT_SECURE));
    printf("AT_RANDOM present %d\n", getauxval(AT_RANDOM) != 0);
    const char *plat = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM %s\n", plat ? plat : "(none)");
    printf("AT_HWCAP nonzero %d\n", getauxval(AT_HWCAP) != 0);
    unsigned long entry = getauxval(AT_ENTRY);
    extern char _start[];
    printf("AT_ENTRY is _start: %d\n", entry == (unsigned long)_start);
    printf("sysconf page size %ld\n", sysconf(_SC_PAGESIZE));
    return argc;
}
