/* cli_ferry.c -- ferry's command line: its option rows (for cli.h), the
 * FERRY_LOG and FERRY_LD_PREFIX variables, and binfmt_misc's P-flag argv.
 * Fills ferry_opts (options.h), the only part of it the engine sees. */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "cli.h"
#include "cli_ferry.h"
#include "options.h"
#include "loader.h"

#define FERRY_VERSION "0.1"
#define FERRY_USAGE_STATUS 2    /* a bad command line, as for every error below */
/* linux/binfmts.h: binfmt_misc's P flag, in ferry's own AT_FLAGS. */
#define FERRY_AT_FLAGS_PRESERVE_ARGV0 1u

static _Noreturn void usage_error(const char *fmt, const char *arg)
{
    fputs("ferry: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(FERRY_USAGE_STATUS);
}

static unsigned log_item_mask(const char *item)
{
    for (unsigned k = 0; k < LOG_ITEMS; k++)
        if (!strcmp(item, ferry_log_names[k]))
            return 1u << k;
    usage_error("unknown log item '%s'", item);
}

static unsigned parse_log_list(const char *list)
{
    unsigned mask = 0;
    char *copy = strdup(list), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
        mask |= log_item_mask(item);
    free(copy);
    return mask;
}

/* Megabytes, or kilobytes with a K suffix (small caches test flushing). */
static size_t parse_cache_size(const char *arg)
{
    char *end;
    unsigned long n = strtoul(arg, &end, 10);
    size_t bytes = (*end == 'K' || *end == 'k') ? (size_t)n << 10 : (size_t)n << 20;
    if (*end == 'K' || *end == 'k')
        end++;
    if (*arg == '\0' || *end != '\0' || bytes < (64u << 10) || bytes > (2047ul << 20))
        usage_error("bad --cache-size '%s' (64K..2047 MB)", arg);
    return bytes;
}

/* -D truncates the log; --log-append (what execve passes on) appends, so
 * every program of an exec chain logs to the same file. */
static void open_log(struct ferry_options *o, const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        usage_error("cannot open log file '%s'", path);
    setvbuf(f, NULL, _IOLBF, 0);
    ferry_log = f;
    o->log_path = realpath(path, NULL);
}

static void set_sysroot(const char *dir)
{
    if (ld_sysroot_set(dir) != 0)
        usage_error("-L '%s': not a directory", dir);
}

/* Row handlers: ctx is &ferry_opts; bad values end the process above. */
static int opt_log(void *ctx, char *list)
{
    ((struct ferry_options *)ctx)->log_mask |= parse_log_list(list);
    return 0;
}

static int opt_log_truncate(void *ctx, char *path)
{
    open_log(ctx, path, "w");
    return 0;
}

static int opt_log_append(void *ctx, char *path)
{
    open_log(ctx, path, "a");
    return 0;
}

static int opt_cache_size(void *ctx, char *size)
{
    ((struct ferry_options *)ctx)->code_cache_size = parse_cache_size(size);
    return 0;
}

static int opt_sysroot(void *ctx, char *dir)
{
    set_sysroot(dir);
    return 0;
}

static int opt_version(void *ctx, char *unused)
{
    puts("ferry " FERRY_VERSION);
    exit(0);
}

/* syscalls/sys_exec.c passes these on to an exec'd ferry: keep them in step. */
static const struct cli_option ferry_rows[] = {
    { "strace", 0, NULL, "print guest system calls", CLI_SET_FLAG(struct ferry_options, strace) },
    { "stats", 0, NULL, "print translation statistics at exit", CLI_SET_FLAG(struct ferry_options, stats) },
    { "check-ir", 0, NULL, "validate the IR of every block (a debugging aid; always on in\n"
                           "debug builds)", CLI_SET_FLAG(struct ferry_options, check_ir) },
    { "perfmap", 0, NULL, "write /tmp/perf-PID.map naming guest code for perf",
      CLI_SET_FLAG(struct ferry_options, perfmap) },
    { NULL, 'd', "LIST", "log in_asm,ir,out_asm,exec,unimpl (also FERRY_LOG=LIST)", CLI_CALL(opt_log) },
    { NULL, 'D', "FILE", "write logs to FILE (truncated)", CLI_CALL(opt_log_truncate) },
    { "log-append", 0, "FILE", "write logs to the end of FILE (passed on across execve)",
      CLI_CALL(opt_log_append) },
    { "cache-size", 0, "MB", "code cache size (or NK for kilobytes)", CLI_CALL(opt_cache_size) },
    { NULL, 'L', "DIR", "look the interpreter and guest paths up under DIR first\n"
                        "(also FERRY_LD_PREFIX=DIR)", CLI_CALL(opt_sysroot) },
    { "help", 'h', NULL, "this help", .kind = CLI_HELP },
    { "version", 0, NULL, "print the version", CLI_CALL(opt_version) },
    { 0 }
};

static const struct cli_program ferry_program = {
    .name = "ferry", .synopsis = "[OPTIONS] PROGRAM [ARGS...]", .options = ferry_rows,
};

/* The variables come first: options given on the command line add to them
 * (-d) or override them (-L). */
static void apply_environment(void)
{
    const char *env_log = getenv("FERRY_LOG"), *env_prefix = getenv("FERRY_LD_PREFIX");
    if (env_log && *env_log)
        ferry_opts.log_mask |= parse_log_list(env_log);
    if (env_prefix && *env_prefix)
        set_sysroot(env_prefix);
}

/* Started by binfmt_misc with the P flag (docs/binfmt.md): argv is ferry,
 * the program's full path, its original argv[0], its arguments, and no
 * ferry options.  Returns the index of the program path. */
static int binfmt_preserve_argv0(int argc, char **argv)
{
    if (argc < 3)
        usage_error("%s", "binfmt_misc P flag without the program's argv[0]");
    return 1;
}

int cli_ferry_parse(int argc, char **argv, bool *preserve_argv0)
{
    apply_environment();
    *preserve_argv0 = getauxval(AT_FLAGS) & FERRY_AT_FLAGS_PRESERVE_ARGV0;
    int prog = *preserve_argv0 ? binfmt_preserve_argv0(argc, argv)
                               : cli_parse(&ferry_program, &ferry_opts, argc, argv);
    if (prog < 0)
        exit(FERRY_USAGE_STATUS);
    if (prog >= argc)
        usage_error("%s", "no program given");
    return prog;
}
