/* cli.c -- the table-driven command-line helper (cli.h): builds
 * getopt_long's option array and short-option string from a program's
 * rows, applies each option as it is seen, words every bad command line as
 * one line "NAME: ..." on stderr and prints the help from the same rows. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* getopt_long's value for a row: its letter, or one past every char. */
#define CLI_LONG_ONLY 256
#define CLI_SPELLING_MAX 64

static int cli_count(const struct cli_option *o)
{
    int n = 0;
    while (o[n].kind != CLI_END)
        n++;
    return n;
}

static int cli_value(const struct cli_option *o, int i)
{
    return o[i].letter ? (unsigned char)o[i].letter : CLI_LONG_ONLY + i;
}

static const struct cli_option *cli_row(const struct cli_option *o, int value)
{
    for (int i = 0; o[i].kind != CLI_END; i++)
        if (cli_value(o, i) == value)
            return &o[i];
    return NULL;
}

/* "+": stop at the first operand whatever POSIXLY_CORRECT says (the guest
 * program's arguments are not ours); ":": a missing value returns ':'. */
static void cli_short_options(const struct cli_option *o, char *s)
{
    *s++ = '+', *s++ = ':';
    for (; o->kind != CLI_END; o++)
        if (o->letter) {
            *s++ = o->letter;
            if (o->value_name)
                *s++ = ':';
        }
    *s = '\0';
}

static void cli_long_options(const struct cli_option *o, struct option *lo)
{
    for (int i = 0; o[i].kind != CLI_END; i++)
        if (o[i].name)
            *lo++ = (struct option){ o[i].name, o[i].value_name ? required_argument : no_argument,
                                     NULL, cli_value(o, i) };
    *lo = (struct option){ 0 };
}

/* Every complaint: one line on stderr; returns -1 for cli_parse. */
__attribute__((format(printf, 2, 3)))
static int cli_error(const struct cli_program *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", p->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

/* The option as the user wrote it ("-d" or "--cache-size"), for messages. */
static const char *cli_spelling(const struct cli_option *o, bool is_long, char *buf)
{
    if (is_long || !o->letter)
        return snprintf(buf, CLI_SPELLING_MAX, "--%s", o->name), buf;
    return snprintf(buf, CLI_SPELLING_MAX, "-%c", o->letter), buf;
}

/* Two rows or more start with "--ARG" (getopt_long takes unique prefixes). */
static bool cli_ambiguous(const struct cli_option *o, const char *arg, int len)
{
    int matches = 0;
    for (; o->kind != CLI_END; o++)
        if (o->name && !strncmp(o->name, arg + 2, (size_t)len - 2))
            matches++;
    return matches > 1;
}

/* getopt_long's '?': an unknown or ambiguous option, or a value given to
 * a flag (--stats=1: then optopt is that row's value). */
static int cli_unknown(const struct cli_program *p, char **argv)
{
    char buf[CLI_SPELLING_MAX];
    const char *arg = argv[optind - 1];
    const struct cli_option *o = optopt ? cli_row(p->options, optopt) : NULL;
    if (o)
        return cli_error(p, "option '%s' takes no value", cli_spelling(o, true, buf));
    if (optopt)
        return cli_error(p, "unknown option '-%c'", optopt);
    int len = (int)strcspn(arg, "=");
    if (cli_ambiguous(p->options, arg, len))
        return cli_error(p, "ambiguous option '%.*s'", len, arg);
    return cli_error(p, "unknown option '%.*s'", len, arg);
}

/* getopt_long's ':': the value of the last argument is missing. */
static int cli_missing(const struct cli_program *p, char **argv)
{
    char buf[CLI_SPELLING_MAX];
    const struct cli_option *o = cli_row(p->options, optopt);
    bool is_long = !strncmp(argv[optind - 1], "--", 2);
    return cli_error(p, "option '%s' needs a value", cli_spelling(o, is_long, buf));
}

static int cli_apply(const struct cli_program *p, const struct cli_option *o, void *ctx, char *value)
{
    switch (o->kind) {
    case CLI_FLAG:
        *(bool *)((char *)ctx + o->offset) = true;
        return 0;
    case CLI_STRING:
        *(const char **)((char *)ctx + o->offset) = value;
        return 0;
    case CLI_CALL:
        return o->call(ctx, value);
    case CLI_HELP:
        cli_usage(p, stdout);
        exit(0);
    default:
        return -1;
    }
}

static int cli_option(const struct cli_program *p, void *ctx, int c, bool is_long, char **argv)
{
    char buf[CLI_SPELLING_MAX];
    if (c == '?')
        return cli_unknown(p, argv);
    if (c == ':')
        return cli_missing(p, argv);
    const struct cli_option *o = cli_row(p->options, c);
    if (cli_apply(p, o, ctx, optarg) == 0)
        return 0;
    return cli_error(p, "bad value for %s: '%s'", cli_spelling(o, is_long, buf), optarg ? optarg : "");
}

int cli_parse(const struct cli_program *p, void *ctx, int argc, char **argv)
{
    int n = cli_count(p->options);
    struct option long_options[n + 1];
    char short_options[3 * n + 3];
    cli_short_options(p->options, short_options);
    cli_long_options(p->options, long_options);
    optind = 0;                 /* 0: glibc starts over (unit tests parse again) */
    opterr = 0;                 /* the messages are ours: one line, our words */
    for (;;) {
        int index = -1;
        int c = getopt_long(argc, argv, short_options, long_options, &index);
        if (c == -1)
            return optind;
        if (cli_option(p, ctx, c, index >= 0, argv) < 0)
            return -1;
    }
}

static void cli_left_column(const struct cli_option *o, char *buf, size_t size)
{
    char letter[8] = "";
    if (o->letter)
        snprintf(letter, sizeof letter, "-%c%s", o->letter, o->name ? ", " : "");
    snprintf(buf, size, "%s%s%s%s%s", letter, o->name ? "--" : "", o->name ? o->name : "",
             o->value_name ? " " : "", o->value_name ? o->value_name : "");
}

static int cli_left_width(const struct cli_option *o)
{
    char buf[128];
    int width = 0;
    for (; o->kind != CLI_END; o++) {
        cli_left_column(o, buf, sizeof buf);
        if ((int)strlen(buf) > width)
            width = (int)strlen(buf);
    }
    return width;
}

/* Each '\n' of a help text starts a line under the text's first column. */
static void cli_help_text(FILE *out, const char *help, int column)
{
    for (const char *nl; (nl = strchr(help, '\n')); help = nl + 1)
        fprintf(out, "%.*s\n%*s", (int)(nl - help), help, column, "");
    fprintf(out, "%s\n", help);
}

void cli_usage(const struct cli_program *p, FILE *out)
{
    char buf[128];
    int width = cli_left_width(p->options);
    fprintf(out, "usage: %s %s\n", p->name, p->synopsis);
    for (const struct cli_option *o = p->options; o->kind != CLI_END; o++) {
        cli_left_column(o, buf, sizeof buf);
        fprintf(out, "  %-*s ", width, buf);
        cli_help_text(out, o->help, width + 3);
    }
}
