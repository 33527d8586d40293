/* ld_shebang.c -- the "#!interp [arg]" line of a script, by the kernel's
 * binfmt_script rules (blanks and tabs separate, one optional argument
 * that keeps its inner blanks); used by the loader for a script given on
 * the command line and by execve for one the guest runs. */
#include <stdio.h>
#include <string.h>

#include "loader.h"

int ld_shebang_parse(const char *head, size_t len, char *interp, size_t ilen,
                     char *arg, size_t alen)
{
    char line[256];
    if (len < 2 || head[0] != '#' || head[1] != '!')
        return 0;
    size_t n = 0;
    for (size_t i = 2; i < len && head[i] != '\n' && n < sizeof line - 1; i++)
        line[n++] = head[i] == '\t' ? ' ' : head[i];
    line[n] = 0;
    char *p = line + strspn(line, " ");
    char *end = p + strcspn(p, " ");
    char *rest = end + strspn(end, " ");
    *end = 0;
    for (char *t = rest + strlen(rest); t > rest && t[-1] == ' ';)
        *--t = 0;
    if (!*p)
        return -1;
    snprintf(interp, ilen, "%s", p);
    snprintf(arg, alen, "%s", rest);
    return 1;
}
