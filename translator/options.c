/* options.c -- the global options, the log stream and ferry_exit(), shared
 * by every module (kept out of main.c so unit tests link them too). */
#include <unistd.h>

#include "options.h"
#include "translator.h"

struct ferry_options ferry_opts = { .code_cache_size = 64u << 20 };
FILE *ferry_log;

__attribute__((constructor)) static void options_init_log(void)
{
    ferry_log = stderr;
}

_Noreturn void ferry_exit(int status)
{
    if (ferry_opts.stats)
        tr_print_stats();
    fflush(ferry_log);
    _exit(status);
}
