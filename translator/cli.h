/* cli.h -- the command-line helper shared by ferry and ferry-system: each
 * program declares its options once, as rows of a table, and the helper
 * turns them into getopt_long's arrays, parses, prints the help and reports
 * a bad command line as one line on stderr.  Program code only: the engine
 * never parses a command line. */
#ifndef FERRY_CLI_H
#define FERRY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What a row does when its option is seen. */
enum cli_kind {
    CLI_END,                    /* the row that ends a table (all zero) */
    CLI_FLAG,                   /* sets a bool in the context to true */
    CLI_STRING,                 /* stores the value (a const char *) in the context */
    CLI_CALL,                   /* calls a handler with the context and the value */
    CLI_HELP,                   /* prints the help on stdout and exits with status 0 */
};

/* Returns 0, or non-zero for a bad value (the helper then reports it; a
 * handler with a better message prints it and exits itself). */
typedef int cli_handler(void *ctx, char *value);

struct cli_option {
    const char *name;           /* long name without "--", or NULL */
    char letter;                /* short option letter, or 0 */
    const char *value_name;     /* "FILE" for an option with a value; NULL: a flag */
    const char *help;           /* one line; '\n' continues it under itself */
    enum cli_kind kind;
    size_t offset;              /* CLI_FLAG, CLI_STRING: where in the context */
    cli_handler *call;          /* CLI_CALL */
};

/* Row targets; the _Generic only compiles for a field of the right type. */
#define CLI_SET_FLAG(type, field) \
    .kind = CLI_FLAG, .offset = _Generic(((type *)0)->field, bool: offsetof(type, field))
#define CLI_SET_STRING(type, field) \
    .kind = CLI_STRING, .offset = _Generic(((type *)0)->field, const char *: offsetof(type, field))
#define CLI_CALL(fn) .kind = CLI_CALL, .call = (fn)

struct cli_program {
    const char *name;           /* "ferry": usage line and the prefix of every error */
    const char *synopsis;       /* what follows the name in the usage line */
    const struct cli_option *options;   /* ends with a CLI_END row */
};

/* Parses the options of argv[1..] in order, up to the first operand (never
 * past it: a guest program's own options stay its own) or "--".  Returns
 * the index of the first operand (argc if none), or -1 after printing one
 * line "NAME: ..." on stderr; each program picks its exit status. */
int cli_parse(const struct cli_program *p, void *ctx, int argc, char **argv);

/* The usage line and one line per option (more with '\n' in the help). */
void cli_usage(const struct cli_program *p, FILE *out);

#endif
