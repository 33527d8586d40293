/* cli_ferry.h -- ferry's command line (cli_ferry.c), for main.c only. */
#ifndef FERRY_CLI_FERRY_H
#define FERRY_CLI_FERRY_H

#include <stdbool.h>

/* The guest program to run: its path and its argv (argv[0] as the command
 * line, binfmt_misc's P flag or -0 say). */
struct cli_ferry_guest {
    const char *path;
    char **argv;
};

/* Applies ferry's options (none when binfmt_misc started ferry with its P
 * flag), then the FERRY_* / QEMU_* environment variables for what they
 * left unset, to ferry_opts, and fills *g.  `self` is ferry's own path,
 * which --binfmt register registers (--binfmt exits after its action).
 * Returns the index in argv of the guest program's path.  A bad command
 * line ends the process (one line on stderr, status 2); -h, --version,
 * -d help and -cpu help end it with status 0. */
int cli_ferry_parse(int argc, char **argv, const char *self, struct cli_ferry_guest *g);

#endif
