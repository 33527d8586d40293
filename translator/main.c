/* main.c -- ferry's command line: options, loading the guest program,
 * setting up its CPU state and handing over to the dispatcher. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "loader.h"
#include "options.h"
#include "syscalls.h"
#include "translator.h"
#include "x86_cpu.h"

extern char **environ;

#define FERRY_VERSION "0.1"
/* linux/binfmts.h: binfmt_misc's P flag, in ferry's own AT_FLAGS. */
#define FERRY_AT_FLAGS_PRESERVE_ARGV0 1u

static const struct { const char *name; unsigned mask; } log_items[] = {
    { "in_asm", LOG_IN_ASM }, { "ir", LOG_IR }, { "out_asm", LOG_OUT_ASM },
    { "exec", LOG_EXEC }, { "unimpl", LOG_UNIMPL },
};

static _Noreturn void usage_error(const char *fmt, const char *arg)
{
    fputs("ferry: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static void usage(void)
{
    puts("usage: ferry [OPTIONS] PROGRAM [ARGS...]\n"
         "  --strace          print guest system calls\n"
         "  --stats           print translation statistics at exit\n"
         "  -d LIST           log in_asm,ir,out_asm,exec,unimpl (also FERRY_LOG=LIST)\n"
         "  -D FILE           write logs to FILE (truncated)\n"
         "  --log-append FILE write logs to the end of FILE (passed on across execve)\n"
         "  --cache-size MB   code cache size (or NK for kilobytes)\n"
         "  -L DIR            look the interpreter and guest paths up under DIR first\n"
         "                    (also FERRY_LD_PREFIX=DIR)\n"
         "  -h, --help        this help\n"
         "  --version         print the version");
}

static unsigned parse_log_list(const char *list)
{
    unsigned mask = 0;
    char *copy = strdup(list), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        while (k < sizeof(log_items) / sizeof(log_items[0]) && strcmp(item, log_items[k].name))
            k++;
        if (k == sizeof(log_items) / sizeof(log_items[0]))
            usage_error("unknown log item '%s'", item);
        mask |= log_items[k].mask;
    }
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
static void open_log(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        usage_error("cannot open log file '%s'", path);
    setvbuf(f, NULL, _IOLBF, 0);
    ferry_log = f;
    ferry_opts.log_path = realpath(path, NULL);
}

static void set_sysroot(const char *dir)
{
    if (ld_sysroot_set(dir) != 0)
        usage_error("-L '%s': not a directory", dir);
}

static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        usage_error("option '%s' needs a value", argv[*i]);
    return argv[++*i];
}

/* Returns the index of the program argument. */
static int parse_options(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--"))
            return i + 1;
        if (!strcmp(a, "--strace"))
            ferry_opts.strace = true;
        else if (!strcmp(a, "--stats"))
            ferry_opts.stats = true;
        else if (!strcmp(a, "-d"))
            ferry_opts.log_mask |= parse_log_list(option_value(argc, argv, &i));
        else if (!strcmp(a, "-D"))
            open_log(option_value(argc, argv, &i), "w");
        else if (!strcmp(a, "--log-append"))
            open_log(option_value(argc, argv, &i), "a");
        else if (!strcmp(a, "-L"))
            set_sysroot(option_value(argc, argv, &i));
        else if (!strcmp(a, "--cache-size"))
            ferry_opts.code_cache_size = parse_cache_size(option_value(argc, argv, &i));
        else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            usage(), exit(0);
        else if (!strcmp(a, "--version"))
            puts("ferry " FERRY_VERSION), exit(0);
        else
            usage_error("unknown option '%s'", a);
    }
    return i;
}

static void syscall_trampoline(void *env)
{
    sys_x86_64_syscall(env);
}

static bool fault_trampoline(void *env, int sig, uint64_t addr)
{
    return sys_signal_fault(env, sig, addr);
}

static void interrupt_trampoline(void *env)
{
    sys_signal_interrupt(env);
}

static struct x86_cpu *new_cpu(const struct ld_image *img)
{
    size_t size = (fe_x86_64.env_size + 63) & ~(size_t)63;
    struct x86_cpu *cpu = aligned_alloc(64, size);
    if (!cpu) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    memset(cpu, 0, size);
    fe_x86_64.reset(cpu);
    cpu->regs[X86_RSP] = img->stack_pointer;
    cpu->rt.pc = img->entry;
    return cpu;
}

static const char *real_path_or(const char *path)
{
    char *r = realpath(path, NULL);
    return r ? r : path;
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

int main(int argc, char **argv)
{
    const char *env_log = getenv("FERRY_LOG"), *env_prefix = getenv("FERRY_LD_PREFIX");
    if (env_log && *env_log)
        ferry_opts.log_mask |= parse_log_list(env_log);
    if (env_prefix && *env_prefix)
        set_sysroot(env_prefix);
    bool binfmt_p = getauxval(AT_FLAGS) & FERRY_AT_FLAGS_PRESERVE_ARGV0;
    int prog = binfmt_p ? binfmt_preserve_argv0(argc, argv) : parse_options(argc, argv);
    if (prog >= argc)
        usage_error("%s", "no program given");
    ferry_opts.self_exe = real_path_or("/proc/self/exe");

    struct ld_image img;
    char err[512];
    /* guest argv: from the program path on, or from its preserved argv[0] */
    int st = sys_process_load(argv[prog], &argv[prog + binfmt_p], environ, &img, err, sizeof(err));
    if (st) {
        fprintf(stderr, "%s\n", err);
        return st;
    }
    /* (sys_process_load set sys_proc's break and exe_path: for a script,
     * the interpreter is /proc/self/exe) */
    struct x86_cpu *cpu = new_cpu(&img);
    tr_init(&fe_x86_64, syscall_trampoline);
    tr_set_fault_handler(fault_trampoline);
    tr_set_interrupt_handler(interrupt_trampoline);
    tr_run(cpu);
}
