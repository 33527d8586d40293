#!/usr/bin/env python3
"""tc_bigcode.py N -- prints a C program of N small functions whose
translated code outgrows the code cache's alias window (tc_views.c trims
the writable alias of code more than ~1 MiB behind the newest), run twice:
the second pass takes branches the first did not, so blocks translated
(or restored) long ago now chain to new ones -- patches into old code
whose alias pages were let go (tc_views_patch_jump writes those with
pwrite).  Prints one checksum per pass; the output must equal the
native run's.  With an argument, a second thread is started (and joined)
first: from then on patches must be atomic stores, never pwrite.  With
the argument "wait", no thread: the program waits for a line on stdin
after printing (check-tcache.sh looks at its mappings meanwhile).  With
"truncate FILE", no thread: FILE (the cache file, under ferry) is
truncated first, while ferry has it mapped (a file this large is mapped,
not copied)."""
import sys

n = int(sys.argv[1])
out = ['#include <pthread.h>', '#include <stdio.h>', '#include <string.h>', '#include <unistd.h>', '']
for i in range(n):
    k = [(i * 2654435761 + j * 40503) & 0xffffffff for j in range(6)]
    out.append(f'''__attribute__((noinline)) static unsigned f{i}(unsigned x, int pass)
{{
    unsigned r = x * {k[0]}u + {k[1]}u;
    if (pass == 0) {{
        r ^= r >> 7;
        r += {k[2]}u;
        r = (r ^ (r >> 11)) * {k[3] | 1}u;
        r = (r ^ (r >> 5)) + {k[4]}u;
        r = (r ^ (r >> 13)) * {k[5] | 1}u;
    }} else {{
        r = (r << 3) - x;
        if (r & 1)
            r ^= {k[3]}u;
        else
            r -= {k[4]}u;
    }}
    return r + (x >> {i % 13 + 1}) * {k[5] | 1}u;
}}''')
out.append('static unsigned (*const fns[])(unsigned, int) = {')
out += [f'    f{i},' for i in range(n)]
out.append('};\n')
out.append('static unsigned run(int pass)\n{\n    unsigned acc = (unsigned)pass + 1;\n'
           '    for (unsigned i = 0; i < sizeof fns / sizeof fns[0]; i++)\n'
           '        acc = fns[i](acc, pass);\n    return acc;\n}\n')
out.append('static void *idle(void *arg) { return arg; }\n')
out.append('int main(int argc, char **argv)\n{\n    pthread_t t;\n'
           '    int wait = argc > 1 && argv[1][0] == \'w\';\n'
           '    int cut = argc > 2 && !strcmp(argv[1], "truncate");\n'
           '    if (cut && truncate(argv[2], 0) != 0)\n'
           '        return 2;\n'
           '    if (argc > 1 && !wait && !cut && (pthread_create(&t, NULL, idle, NULL) || pthread_join(t, NULL)))\n'
           '        return 1;\n'
           '    for (int pass = 0; pass < 2; pass++)\n'
           '        printf("pass %d: %08x\\n", pass, run(pass));\n'
           '    fflush(stdout);\n'
           '    if (wait)\n'
           '        getchar();\n'
           '    return 0;\n}')
print('\n'.join(out))
