/* machine_rerun.h -- the second half of a guest test that checks ferry
 * on an imitated machine lacking an extension: the program runs itself
 * again (argv[1] "again") with FERRY_X86_MACHINE naming this CPU's vendor
 * and WORDS (e.g. "noavx").  Natively the variable means nothing and the
 * same lines print; under ferry the machine lacks what WORDS name. */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int machine_rerun(char **argv, const char *words)
{
    unsigned a, b, c, d;
    char name[64];
    __cpuid(0, a, b, c, d);
    snprintf(name, sizeof name, "%s,%s", b == 0x756e6547 ? "intel" : "amd", words);
    setenv("FERRY_X86_MACHINE", name, 1);
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "again", (char *)NULL);
    perror("execl");
    return 1;
}
