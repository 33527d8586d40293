/* dyn_main.c -- a dynamically linked program whose interpreter and one
 * library exist only under the test sysroot (check-dyn.sh); it also reads a
 * file by an absolute path that the sysroot shadows. */
#include <math.h>
#include <stdio.h>

const char *dyn_lib_greeting(void);
extern int dyn_lib_counter;

int main(int argc, char **argv)
{
    char line[128] = "(none)";
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (f && !fgets(line, sizeof line, f))
        line[0] = 0;
    printf("%s\n%s, then %d\nsqrt(2) = %.12f\nfile: %s", dyn_lib_greeting(), dyn_lib_greeting(),
           dyn_lib_counter, sqrt(2.0), line);
    return f ? 0 : 5;
}
