/* cli_ferry.c -- ferry's command line: its option rows (for cli.h), in
 * ferry's spelling (--strace) and QEMU's (-strace, -cpu, -E, -U, -0), the
 * same settings as environment variables (FERRY_* and QEMU_*, for
 * programs started through binfmt_misc), binfmt_misc's P-flag argv and
 * `--binfmt ACTION` (cli_binfmt.c).  Fills ferry_opts (options.h), the
 * only part of it the engine sees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "cli.h"
#include "cli_binfmt.h"
#include "cli_ferry.h"
#include "options.h"
#include "loader.h"
#include "x86_cpu.h"

#define FERRY_VERSION "0.1"
#define FERRY_USAGE_STATUS 2    /* a bad command line, as for every error below */
/* linux/binfmts.h: binfmt_misc's P flag, in ferry's own AT_FLAGS. */
#define FERRY_AT_FLAGS_PRESERVE_ARGV0 1u
/* ...or said by the name the entry runs ferry under (a link to it): Linux
 * before 5.12 has no AT_FLAGS_PRESERVE_ARGV0, and an emulator in between
 * (qemu-user running the AArch64 build) hides AT_FLAGS.  Debian's qemu
 * uses the same convention (qemu-ARCH-binfmt-P). */
#define FERRY_BINFMT_P_SUFFIX "-binfmt-P"

/* What the command line sets beside ferry_opts: the program's own part. */
static struct {
    const char *argv0;          /* -0 */
    const char *cpu;            /* -cpu */
    bool log_file_set;          /* -D or --log-append given: FERRY_LOG_FILENAME yields */
    bool sysroot_set;           /* -L given: FERRY_LD_PREFIX yields */
    struct cli_binfmt binfmt;
} cli = { .binfmt = { .name = CLI_BINFMT_NAME } };

static _Noreturn void usage_error(const char *fmt, const char *arg)
{
    fputs("ferry: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(FERRY_USAGE_STATUS);
}

/* -d items: ferry's names, and QEMU's where they mean the same. */
static const struct { const char *name; unsigned mask; const char *help; } log_aliases[] = {
    { "op", LOG_IR, "QEMU's name: the IR (ferry logs it after optimisation)" },
    { "op_opt", LOG_IR, "QEMU's name: the IR after optimisation" },
    { "unimp", LOG_UNIMPL, "QEMU's name for unimpl" },
};
static const char *const log_help[LOG_ITEMS] = {
    "guest instructions of each new block", "IR of each new block (after optimisation)",
    "host code of each new block", "every block entered from the dispatcher",
    "instructions that raise SIGILL (not translated)",
    "why a block's direct exits keep its lazy flags (the successor scan's answer)",
};

static void log_list_help(void)
{
    puts("Log items (-d LIST, FERRY_LOG or QEMU_LOG, separated by commas):");
    for (unsigned k = 0; k < LOG_ITEMS; k++)
        printf("  %-8s %s\n", ferry_log_names[k], log_help[k]);
    printf("  %-8s %s\n", "strace", "guest system calls (as --strace)");
    for (size_t k = 0; k < sizeof log_aliases / sizeof *log_aliases; k++)
        printf("  %-8s %s\n", log_aliases[k].name, log_aliases[k].help);
    exit(0);
}

static unsigned log_item_mask(const char *item)
{
    for (unsigned k = 0; k < LOG_ITEMS; k++)
        if (!strcmp(item, ferry_log_names[k]))
            return 1u << k;
    for (size_t k = 0; k < sizeof log_aliases / sizeof *log_aliases; k++)
        if (!strcmp(item, log_aliases[k].name))
            return log_aliases[k].mask;
    if (!strcmp(item, "strace")) {
        ferry_opts.strace = true;
        return 0;
    }
    usage_error("unknown log item '%s' (ferry -d help lists them)", item);
}

static unsigned parse_log_list(const char *list)
{
    unsigned mask = 0;
    char *copy = strdup(list), *save = NULL;
    if (!strcmp(list, "help"))
        log_list_help();
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
    if (ferry_log != stderr)
        fclose(ferry_log);
    ferry_log = f;
    o->log_path = realpath(path, NULL);
    cli.log_file_set = true;
}

static void set_sysroot(const char *dir)
{
    if (ld_sysroot_set(dir) != 0)
        usage_error("-L '%s': not a directory", dir);
    cli.sysroot_set = true;
}

/* -cpu: QEMU's model names (x86_cpu_model.c); CPUID then shows what the
 * model has and ferry implements.  "max" (the default), "host" and
 * "ferry" show all of ferry's CPU. */
static _Noreturn void cpu_help(void)
{
    puts("ferry emulates one x86-64 CPU (CPUID brand \"ferry virtual x86-64 CPU\").  -cpu MODEL\n"
         "(FERRY_CPU, QEMU_CPU) makes CPUID show only what QEMU's MODEL has, of what ferry\n"
         "implements; MODEL-VARIANT (Haswell-noTSX, EPYC-v2) uses MODEL's features.\n"
         "  max                every feature ferry implements (the default; also host, ferry)");
    for (size_t k = 0; x86_cpu_model_name(k); k++)
        printf("  %-18s QEMU's model\n", x86_cpu_model_name(k));
    exit(0);
}

static void set_cpu(const char *name)
{
    if (!strcmp(name, "help") || !strcmp(name, "?"))
        cpu_help();
    if (x86_cpu_model_select(name) != 0)
        usage_error("unknown CPU model '%s' (-cpu help lists them)", name);
    cli.cpu = name;
}

/* -E VAR=VALUE / -U VAR: the guest's environment (ferry's own, which the
 * guest inherits; ferry has read its own variables by then). */
static void set_env(const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        usage_error("-E '%s': wanted VAR=VALUE", assignment);
    char *name = strndup(assignment, (size_t)(eq - assignment));
    setenv(name, eq + 1, 1);
    free(name);
}

static void unset_env(const char *name)
{
    if (!*name || strchr(name, '='))
        usage_error("-U '%s': wanted a variable name", name);
    unsetenv(name);
}

/* Row handlers: ctx is &ferry_opts; bad values end the process above. */
static int opt_log(void *ctx, char *list)
{
    ((struct ferry_options *)ctx)->log_mask |= parse_log_list(list);
    return 0;
}

static int opt_ras(void *ctx, char *unused)
{
    ((struct ferry_options *)ctx)->ras = 1;
    return 0;
}

static int opt_no_ras(void *ctx, char *unused)
{
    ((struct ferry_options *)ctx)->ras = 0;
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

/* --tcache DIR: absolute, so that it survives the guest's chdir + execve;
 * "off" (or --no-tcache) turns the cache off. */
static void set_tcache(const char *dir)
{
    char cwd[4096];
    char *abs = NULL;
    if (!strcmp(dir, "off") || !*dir) {
        ferry_opts.tcache_off = true;
        ferry_opts.tcache_dir = NULL;
        return;
    }
    if (dir[0] == '/' || !getcwd(cwd, sizeof cwd))
        abs = strdup(dir);
    else if ((abs = malloc(strlen(cwd) + strlen(dir) + 2)))
        strcat(strcat(strcpy(abs, cwd), "/"), dir);
    ferry_opts.tcache_dir = abs;
}

static int opt_tcache(void *ctx, char *dir)
{
    (void)ctx;
    set_tcache(dir);
    return 0;
}

static int opt_no_tcache(void *ctx, char *unused)
{
    set_tcache("off");
    return 0;
}

/* --tcache-size N[K|M|G] (bytes without a suffix). */
static void set_tcache_size(const char *arg)
{
    char *end;
    unsigned long long n = strtoull(arg, &end, 10);
    int shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : 0;
    if (shift)
        end++;
    if (*arg == '\0' || *end != '\0' || n == 0 || n > (1ull << 40) >> shift)
        usage_error("bad --tcache-size '%s' (bytes, or NK, NM, NG)", arg);
    ferry_opts.tcache_size = n << shift;
}

static int opt_tcache_size(void *ctx, char *size)
{
    set_tcache_size(size);
    return 0;
}

/* PATH = BASE SUB/ferry, BASE SUB made 0700 if missing; false if BASE is
 * unset or relative, or the path is too long. */
static bool cache_under(char *path, size_t n, const char *base, const char *sub)
{
    if (!base || base[0] != '/' || snprintf(path, n, "%s%s", base, sub) >= (int)n - 7)
        return false;
    mkdir(path, 0700);
    strcat(path, "/ferry");
    return true;
}

/* The cache is on unless turned off: $XDG_CACHE_HOME/ferry, else
 * ~/.cache/ferry (each made 0700 if missing, as the XDG base-directory
 * spec asks of a program writing there; a directory that cannot be used
 * means no cache, silently).  A log of translations must show every
 * block: the cache is off under -d in_asm, ir, out_asm. */
static void default_tcache(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char path[4096];
    if (ferry_opts.log_mask & (LOG_IN_ASM | LOG_IR | LOG_OUT_ASM))
        ferry_opts.tcache_dir = NULL;
    if (ferry_opts.tcache_dir || ferry_opts.tcache_off || (ferry_opts.log_mask & (LOG_IN_ASM | LOG_IR | LOG_OUT_ASM)))
        return;
    if (cache_under(path, sizeof path, xdg, "") || cache_under(path, sizeof path, home, "/.cache"))
        ferry_opts.tcache_dir = strdup(path);
}

static int opt_sysroot(void *ctx, char *dir)
{
    set_sysroot(dir);
    return 0;
}

static int opt_version(void *ctx, char *unused)
{
    puts("ferry " FERRY_VERSION " (user mode, x86-64 guests)");
    exit(0);
}

static int opt_argv0(void *ctx, char *argv0)
{
    cli.argv0 = argv0;
    return 0;
}

static int opt_cpu(void *ctx, char *name)
{
    set_cpu(name);
    return 0;
}

static int opt_set_env(void *ctx, char *assignment)
{
    set_env(assignment);
    return 0;
}

static int opt_unset_env(void *ctx, char *name)
{
    unset_env(name);
    return 0;
}

static int opt_binfmt(void *ctx, char *action)
{
    return cli_binfmt_action(&cli.binfmt, action);
}

static int opt_persistent(void *ctx, char *unused)
{
    cli.binfmt.persistent = true;
    return 0;
}

static int opt_binfmt_name(void *ctx, char *name)
{
    cli.binfmt.name = name;
    return *name && !strpbrk(name, "/:") && strcmp(name, "register") && strcmp(name, "status") ? 0 : -1;
}

static int opt_binfmt_magic(void *ctx, char *arg)
{
    return cli_binfmt_magic(&cli.binfmt, arg);
}

/* syscalls/sys_exec.c passes these on to an exec'd ferry: keep them in step. */
static const struct cli_option ferry_rows[] = {
    { "strace", 0, NULL, "print guest system calls (also -strace, FERRY_STRACE=1, QEMU_STRACE=1)",
      CLI_SET_FLAG(struct ferry_options, strace) },
    { "stats", 0, NULL, "print translation statistics at exit (also FERRY_STATS=1)",
      CLI_SET_FLAG(struct ferry_options, stats) },
    { "check-ir", 0, NULL, "validate the IR of every block (a debugging aid; always on in\n"
                           "debug builds)", CLI_SET_FLAG(struct ferry_options, check_ir) },
    { "perfmap", 0, NULL, "write /tmp/perf-PID.map naming guest code for perf",
      CLI_SET_FLAG(struct ferry_options, perfmap) },
    { "ras", 0, NULL, "predict guest returns with a return-address stack (also\n"
                      "FERRY_RAS=1; the default on x86-64 hosts)", CLI_CALL(opt_ras) },
    { "no-ras", 0, NULL, "no return-address stack (also FERRY_RAS=0)", CLI_CALL(opt_no_ras) },
    { NULL, 'd', "LIST", "log in_asm,ir,out_asm,exec,unimpl,strace (-d help; also FERRY_LOG,\n"
                         "QEMU_LOG)", CLI_CALL(opt_log) },
    { NULL, 'D', "FILE", "write logs to FILE (truncated; also FERRY_LOG_FILENAME,\n"
                         "QEMU_LOG_FILENAME)", CLI_CALL(opt_log_truncate) },
    { "log-append", 0, "FILE", "write logs to the end of FILE (passed on across execve)",
      CLI_CALL(opt_log_append) },
    { "cache-size", 0, "MB", "code cache size (or NK for kilobytes)", CLI_CALL(opt_cache_size) },
    { "tcache", 0, "DIR", "persistent translation cache: keep the program's translated code\n"
                          "in DIR and reuse it in later runs (also FERRY_TCACHE=DIR; default\n"
                          "$XDG_CACHE_HOME/ferry or ~/.cache/ferry; off: none)",
      CLI_CALL(opt_tcache) },
    { "no-tcache", 0, NULL, "no persistent translation cache (also --tcache off,\n"
                            "FERRY_TCACHE=off)", CLI_CALL(opt_no_tcache) },
    { "tcache-size", 0, "SIZE", "bound on the cache directory's size, least recently used\n"
                                "files evicted (bytes or NK/NM/NG; default 512M; also\n"
                                "FERRY_TCACHE_SIZE)", CLI_CALL(opt_tcache_size) },
    { NULL, 'L', "DIR", "look the interpreter and guest paths up under DIR first\n"
                        "(also FERRY_LD_PREFIX, QEMU_LD_PREFIX)", CLI_CALL(opt_sysroot) },
    { NULL, 'E', "VAR=VALUE", "set VAR in the guest's environment (also FERRY_SET_ENV,\n"
                              "QEMU_SET_ENV: VAR=VALUE,...)", CLI_CALL(opt_set_env) },
    { NULL, 'U', "VAR", "remove VAR from the guest's environment (also FERRY_UNSET_ENV,\n"
                        "QEMU_UNSET_ENV: VAR,...)", CLI_CALL(opt_unset_env) },
    { NULL, '0', "ARGV0", "the guest's argv[0] (default: the program path; also QEMU_ARGV0)",
      CLI_CALL(opt_argv0) },
    { "cpu", 0, "MODEL", "CPU model (-cpu help lists them; also FERRY_CPU, QEMU_CPU)",
      CLI_CALL(opt_cpu) },
    { "binfmt", 0, "ACTION", "register, unregister or show (status) ferry's binfmt_misc entry\n"
                             "for x86-64 programs, then exit (no PROGRAM)", CLI_CALL(opt_binfmt) },
    { "persistent", 0, NULL, "--binfmt register: with the F flag (ferry opened now: works in\n"
                             "chroots and containers without ferry)", CLI_CALL(opt_persistent) },
    { "binfmt-name", 0, "NAME", "--binfmt: the entry's name (default " CLI_BINFMT_NAME ")",
      CLI_CALL(opt_binfmt_name) },
    { "binfmt-magic", 0, "OFF:BYTES", "--binfmt register: match BYTES at offset OFF instead of\n"
                                      "x86-64 ELF headers (tests)", CLI_CALL(opt_binfmt_magic) },
    { "help", 'h', NULL, "this help (also -help)", .kind = CLI_HELP },
    { "version", 0, NULL, "print the version (also -version)", CLI_CALL(opt_version) },
    { 0 }
};

static const struct cli_program ferry_program = {
    .name = "ferry", .synopsis = "[OPTIONS] PROGRAM [ARGS...]  |  ferry --binfmt ACTION",
    .options = ferry_rows,
};

/* QEMU's long options take one dash (-strace, -cpu max, -version): the
 * words that name a row become "--NAME" for getopt_long.  Stops where the
 * options end, stepping over option values. */
static const struct cli_option *row_named(const char *name)
{
    for (const struct cli_option *o = ferry_rows; o->kind != CLI_END; o++)
        if (o->name && !strcmp(o->name, name))
            return o;
    return NULL;
}

static const struct cli_option *row_letter(char letter)
{
    for (const struct cli_option *o = ferry_rows; o->kind != CLI_END; o++)
        if (o->letter == letter)
            return o;
    return NULL;
}

static void qemu_spellings(int argc, char **argv)
{
    for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
        const char *word = argv[i] + 1 + (argv[i][1] == '-');
        const struct cli_option *o = strchr(word, '=') ? NULL : row_named(word);
        if (o && argv[i][1] != '-' && word[1]) {
            char *dd = malloc(strlen(word) + 3);
            sprintf(dd, "--%s", word);
            argv[i] = dd;
        }
        if (!o && argv[i][1] != '-' && argv[i][2] == '\0')
            o = row_letter(argv[i][1]);
        if (o && o->value_name && !strchr(argv[i], '='))
            i++;
    }
}

/* NAME or QEMU_NAME (FERRY_ first): the value, or NULL if unset/empty. */
static const char *env_setting(const char *ferry_name, const char *qemu_name)
{
    const char *v = getenv(ferry_name);
    if ((!v || !*v) && qemu_name)
        v = getenv(qemu_name);
    return v && *v ? v : NULL;
}

/* "A=1,B=2" or "A,B": each item to fn. */
static void env_list(const char *list, void (*fn)(const char *))
{
    char *copy = strdup(list), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
        fn(item);
    free(copy);
}

/* The variables fill in what the command line left unset; flags and log
 * items add up.  A setuid/setgid program started through binfmt_misc's C
 * flag (AT_SECURE) gets none: its caller must not steer ferry (log files,
 * sysroot), as glibc ignores LD_* there. */
static void apply_environment(void)
{
    const char *v;
    if (getauxval(AT_SECURE))
        return;
    if ((v = env_setting("FERRY_LOG", "QEMU_LOG")))
        ferry_opts.log_mask |= parse_log_list(v);
    if ((v = env_setting("FERRY_STRACE", "QEMU_STRACE")))
        ferry_opts.strace = true;
    if ((v = env_setting("FERRY_STATS", NULL)))
        ferry_opts.stats = true;
    if ((v = env_setting("FERRY_TCACHE", NULL)) && !ferry_opts.tcache_dir && !ferry_opts.tcache_off)
        set_tcache(v);
    if ((v = env_setting("FERRY_TCACHE_SIZE", NULL)) && !ferry_opts.tcache_size)
        set_tcache_size(v);
    if ((v = env_setting("FERRY_RAS", NULL)) && ferry_opts.ras < 0)
        ferry_opts.ras = strcmp(v, "0") != 0;
    if (!cli.log_file_set && (v = env_setting("FERRY_LOG_FILENAME", "QEMU_LOG_FILENAME")))
        open_log(&ferry_opts, v, "w");
    if (!cli.sysroot_set && (v = env_setting("FERRY_LD_PREFIX", "QEMU_LD_PREFIX")))
        set_sysroot(v);
    if (!cli.cpu && (v = env_setting("FERRY_CPU", "QEMU_CPU")))
        set_cpu(v);
    if (!cli.argv0 && (v = env_setting("FERRY_ARGV0", "QEMU_ARGV0")))
        cli.argv0 = v;
    if ((v = env_setting("FERRY_SET_ENV", "QEMU_SET_ENV")))
        env_list(v, set_env);
    if ((v = env_setting("FERRY_UNSET_ENV", "QEMU_UNSET_ENV")))
        env_list(v, unset_env);
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

/* The guest's argv: from the program path on, or from its preserved
 * argv[0] (P flag); -0 replaces its first element. */
static char **guest_argv(int argc, char **argv, int first)
{
    if (!cli.argv0)
        return &argv[first];
    char **v = malloc((size_t)(argc - first + 1) * sizeof *v);
    memcpy(v, &argv[first], (size_t)(argc - first + 1) * sizeof *v);
    v[0] = (char *)cli.argv0;
    return v;
}

/* binfmt_misc puts the entry's interpreter path in argv[0]. */
static bool started_as_binfmt_p(const char *argv0)
{
    size_t n = strlen(argv0), k = strlen(FERRY_BINFMT_P_SUFFIX);
    return n > k && !strcmp(argv0 + n - k, FERRY_BINFMT_P_SUFFIX);
}

/* dir/name in a new string when that is an executable regular file. */
static char *executable_in(const char *dir, size_t dir_len, const char *name)
{
    struct stat st;
    char *full = malloc(dir_len + strlen(name) + 3);
    if (!full)
        return NULL;
    sprintf(full, "%.*s/%s", dir_len ? (int)dir_len : 1, dir_len ? dir : ".", name);
    if (!stat(full, &st) && S_ISREG(st.st_mode) && !access(full, X_OK))
        return full;
    free(full);
    return NULL;
}

/* A program named without a '/' and not in the current directory is
 * looked up in $PATH (an empty entry: the current directory), as Box64
 * and FEX do: `ferry ls` runs /usr/bin/ls.  (QEMU opens only the name as
 * given, which comes first here too.)  argv[0] stays as typed. */
static const char *program_on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (strchr(name, '/') || !access(name, F_OK) || !path)
        return name;
    for (const char *dir = path;;) {
        const char *end = strchr(dir, ':');
        size_t n = end ? (size_t)(end - dir) : strlen(dir);
        char *full = executable_in(dir, n, name);
        if (full)
            return full;
        if (!end)
            return name;
        dir = end + 1;
    }
}

int cli_ferry_parse(int argc, char **argv, const char *self, struct cli_ferry_guest *g)
{
    bool preserve_argv0 = (getauxval(AT_FLAGS) & FERRY_AT_FLAGS_PRESERVE_ARGV0) ||
                          started_as_binfmt_p(argv[0]);
    if (!preserve_argv0)
        qemu_spellings(argc, argv);
    int prog = preserve_argv0 ? binfmt_preserve_argv0(argc, argv)
                              : cli_parse(&ferry_program, &ferry_opts, argc, argv);
    if (prog < 0)
        exit(FERRY_USAGE_STATUS);
    if (cli.binfmt.action) {
        if (prog < argc)
            usage_error("--binfmt %s takes no program", cli.binfmt.action);
        cli.binfmt.interpreter = self;
        exit(cli_binfmt_run(&cli.binfmt));
    }
    apply_environment();
    if (!getauxval(AT_SECURE))
        default_tcache();
    else
        ferry_opts.tcache_dir = NULL;
    if (prog >= argc)
        usage_error("%s", "no program given");
    g->path = preserve_argv0 ? argv[prog] : program_on_path(argv[prog]);
    g->argv = guest_argv(argc, argv, prog + preserve_argv0);
    return prog;
}
