/* options.c -- the global options and the log stream, shared by every
 * module (kept out of main.c so unit tests link them too). */
#include <unistd.h>

#include "options.h"

struct ferry_options ferry_opts = { .code_cache_size = 64u << 20, .self_fd = -1, .ras = -1 };
FILE *ferry_log;
const char *const ferry_log_names[LOG_ITEMS] = { "in_asm", "ir", "out_asm", "exec", "unimpl", "flagscan" };

__attribute__((constructor)) static void options_init_log(void)
{
    ferry_log = stderr;
}
