/* cli_ferry.h -- ferry's command line (cli_ferry.c), for main.c only. */
#ifndef FERRY_CLI_FERRY_H
#define FERRY_CLI_FERRY_H

#include <stdbool.h>

/* Applies FERRY_LOG and FERRY_LD_PREFIX, then ferry's options (none when
 * binfmt_misc started ferry with its P flag) to ferry_opts.  Returns the
 * index in argv of the guest program's path; *preserve_argv0 is set when
 * the next argument is the guest's own argv[0] (the P flag) rather than
 * its first argument.  A bad command line ends the process (one line on
 * stderr, status 2); -h and --version end it with status 0. */
int cli_ferry_parse(int argc, char **argv, bool *preserve_argv0);

#endif
