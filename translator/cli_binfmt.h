/* cli_binfmt.h -- ferry's binfmt_misc entry (cli_binfmt.c), for the
 * command line (cli_ferry.c) only. */
#ifndef FERRY_CLI_BINFMT_H
#define FERRY_CLI_BINFMT_H

#include <stdbool.h>

#define CLI_BINFMT_NAME "ferry-x86_64"

struct cli_binfmt {
    const char *action;         /* "register", "unregister", "status", or NULL */
    const char *name;           /* the entry: CLI_BINFMT_NAME unless --binfmt-name */
    const char *interpreter;    /* ferry's absolute path, registered as the handler */
    const char *magic;          /* --binfmt-magic (tests); NULL: x86-64 ELF */
    unsigned offset;            /* of magic */
    bool persistent;            /* --persistent: the F flag */
};

/* Carries out b->action; returns ferry's exit status (one line on stderr
 * for a failure). */
int cli_binfmt_run(const struct cli_binfmt *b);

/* Option values; 0, or -1 for a bad one. */
int cli_binfmt_action(struct cli_binfmt *b, const char *action);
int cli_binfmt_magic(struct cli_binfmt *b, const char *arg);

#endif
