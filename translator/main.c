/* main.c -- ferry's program: its command line (cli_ferry.c), loading the
 * guest program, an engine for it, its first CPU state, and the user-mode
 * run loop (syscalls/sys_cpu_loop.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ferry.h"
#include "frontend.h"
#include "loader.h"
#include "options.h"
#include "syscalls.h"
#include "translator.h"
#include "x86_cpu.h"

extern char **environ;

/* Debug builds (MODE=debug) validate every block's IR. */
#ifndef FERRY_DEBUG_BUILD
#define FERRY_DEBUG_BUILD 0
#endif

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

int main(int argc, char **argv)
{
    bool binfmt_p;
    int prog = cli_ferry_parse(argc, argv, &binfmt_p);
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
    struct tr_engine_config cfg = {
        .guest = &fe_x86_64, .mem = tr_mem_host(),
        .code_cache_size = ferry_opts.code_cache_size, .count_blocks = ferry_opts.stats,
        .on_translate = ferry_opts.perfmap ? sys_perfmap_block : NULL,
        .check_ir = ferry_opts.check_ir || FERRY_DEBUG_BUILD,
    };
    sys_engine = tr_engine_new(&cfg);
    sys_process_mapped(&img);
    struct x86_cpu *cpu = new_cpu(&img);
    tr_cpu_attach(sys_engine, cpu);
    sys_cpu_loop(cpu);
}
