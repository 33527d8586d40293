/* test_cli.c -- the command-line helper (translator/cli.c): rows applied in
 * order, parsing stops at the first operand or "--", every bad command
 * line is exactly one line on stderr, and the help comes from the rows. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct t_opts {
    bool verbose;
    const char *file;
    long number;
    int quiet_calls;
};

static int t_number(void *ctx, char *value)
{
    char *end;
    long n = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0')
        return -1;
    ((struct t_opts *)ctx)->number = n;
    return 0;
}

static int t_quiet(void *ctx, char *unused)
{
    ((struct t_opts *)ctx)->quiet_calls++;
    return 0;
}

static const struct cli_option t_rows[] = {
    { "verbose", 'v', NULL, "say more", CLI_SET_FLAG(struct t_opts, verbose) },
    { "file", 'f', "FILE", "read FILE\nthen more", CLI_SET_STRING(struct t_opts, file) },
    { "number", 0, "N", "a number", CLI_CALL(t_number) },
    { "numeral", 0, NULL, "shares a prefix with --number", CLI_CALL(t_quiet) },
    { NULL, 'q', NULL, "short only", CLI_CALL(t_quiet) },
    { 0 }
};

static const struct cli_program t_program = { .name = "prog", .synopsis = "[OPTIONS] ARG", .options = t_rows };

#define ARGC(argv) ((int)(sizeof(argv) / sizeof((argv)[0])) - 1)

Test(cli, rows_apply_in_order_up_to_the_first_operand)
{
    struct t_opts o = { 0 };
    char *argv[] = { "prog", "-v", "--file", "a", "-q", "--number=42", "-fb", "guest", "-q", "--verbose", NULL };
    cr_assert_eq(cli_parse(&t_program, &o, ARGC(argv), argv), 7);
    cr_assert(o.verbose);
    cr_assert_str_eq(o.file, "b");              /* the last one wins */
    cr_assert_eq(o.number, 42);
    cr_assert_eq(o.quiet_calls, 1);             /* the guest's -q is not ours */
}

Test(cli, double_dash_ends_the_options)
{
    struct t_opts o = { 0 };
    char *argv[] = { "prog", "-q", "--", "-v", NULL };
    cr_assert_eq(cli_parse(&t_program, &o, ARGC(argv), argv), 3);
    cr_assert(!o.verbose);
}

Test(cli, no_operand_returns_argc)
{
    struct t_opts o = { 0 };
    char *argv[] = { "prog", "--numb", "7", NULL };    /* a unique prefix */
    cr_assert_eq(cli_parse(&t_program, &o, ARGC(argv), argv), 3);
    cr_assert_eq(o.number, 7);
}

Test(cli, parses_again_from_the_start)
{
    struct t_opts o = { 0 };
    char *first[] = { "prog", "-v", "x", NULL }, *second[] = { "prog", "-q", "-q", NULL };
    cr_assert_eq(cli_parse(&t_program, &o, ARGC(first), first), 2);
    cr_assert_eq(cli_parse(&t_program, &o, ARGC(second), second), 3);
    cr_assert_eq(o.quiet_calls, 2);
}

/* bad ARGV...: cli_parse fails with exactly the line WANT on stderr. */
#define BAD(want, ...) do { \
        struct t_opts o = { 0 }; \
        char *argv[] = { "prog", __VA_ARGS__, NULL }; \
        cr_assert_eq(cli_parse(&t_program, &o, ARGC(argv), argv), -1); \
        fflush(stderr); \
        cr_assert_stderr_eq_str(want "\n"); \
    } while (0)

Test(cli, unknown_long_option, .init = cr_redirect_stderr)
{
    BAD("prog: unknown option '--frob'", "-v", "--frob=1", "x");
}

Test(cli, unknown_short_option, .init = cr_redirect_stderr)
{
    BAD("prog: unknown option '-x'", "-vx", "x");
}

Test(cli, ambiguous_prefix, .init = cr_redirect_stderr)
{
    BAD("prog: ambiguous option '--num'", "--num", "1", "x");
}

Test(cli, missing_value_long, .init = cr_redirect_stderr)
{
    BAD("prog: option '--file' needs a value", "-v", "--file");
}

Test(cli, missing_value_short, .init = cr_redirect_stderr)
{
    BAD("prog: option '-f' needs a value", "-vf");
}

Test(cli, value_for_a_flag, .init = cr_redirect_stderr)
{
    BAD("prog: option '--verbose' takes no value", "--verbose=yes", "x");
}

Test(cli, bad_value_from_a_handler, .init = cr_redirect_stderr)
{
    BAD("prog: bad value for --number: '4x'", "--number", "4x", "x");
}

Test(cli, help_comes_from_the_rows)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    cli_usage(&t_program, f);
    fclose(f);
    cr_assert_str_eq(text,
        "usage: prog [OPTIONS] ARG\n"
        "  -v, --verbose   say more\n"
        "  -f, --file FILE read FILE\n"
        "                  then more\n"
        "  --number N      a number\n"
        "  --numeral       shares a prefix with --number\n"
        "  -q              short only\n");
    free(text);
}
