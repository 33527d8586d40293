/* sys_options.c -- ferry-system's command line: its option rows (parsed by
 * the helper shared with ferry, translator/cli.h) into sys_options; every
 * bad input is one line on stderr and a -1 return. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vm.h"

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = 20;             /* a bare number means MiB, as in qemu */
    if (*end == 'K' || *end == 'k') shift = 10, end++;
    else if (*end == 'M' || *end == 'm') shift = 20, end++;
    else if (*end == 'G' || *end == 'g') shift = 30, end++;
    if (errno || end == s || *end || v == 0 || v > (1ull << 40) >> shift)
        return -1;
    *out = v << shift;
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Row handlers: ctx is the sys_options being filled; -1 means a bad value
 * (the helper reports it). */
static int opt_disk(void *ctx, char *arg)
{
    struct sys_options *o = ctx;
    if (o->ndisks == SYS_MAX_DISKS)
        return -1;
    char *comma = strchr(arg, ',');
    bool ro = false;
    if (comma) {
        if (strcmp(comma, ",ro") != 0)
            return -1;
        *comma = 0;
        ro = true;
    }
    o->disks[o->ndisks++] = (struct sys_disk_opt){ arg, ro };
    return 0;
}

static int opt_net(void *ctx, char *arg)
{
    struct sys_options *o = ctx;
    if (strncmp(arg, "tap=", 4) == 0 && arg[4]) {
        o->net_tap = arg + 4;
        return 0;
    }
    if (strcmp(arg, "user") == 0) {
        o->net_user = true;
        return 0;
    }
    return -1;
}

/* stdio: the UART (ttyS0) reads stdin; virtio: hvc0 does (and exists). */
static int opt_console(void *ctx, char *arg)
{
    struct sys_options *o = ctx;
    if (!strcmp(arg, "stdio")) {
        o->console_virtio = false;
        return 0;
    }
    if (!strcmp(arg, "virtio")) {
        o->console_virtio = o->vconsole = true;
        return 0;
    }
    return -1;
}

static int opt_mem(void *ctx, char *arg)
{
    return parse_size(arg, &((struct sys_options *)ctx)->mem);
}

static int opt_cpus(void *ctx, char *arg)
{
    return parse_int(arg, 1, SYS_MAX_CPUS, &((struct sys_options *)ctx)->cpus);
}

static int opt_timeout(void *ctx, char *arg)
{
    return parse_int(arg, 0, 86400, &((struct sys_options *)ctx)->timeout_s);
}

#define SYS_STRING(field) CLI_SET_STRING(struct sys_options, field)
#define SYS_FLAG(field) CLI_SET_FLAG(struct sys_options, field)

static const struct cli_option sys_rows[] = {
    { "kernel", 0, "FILE", "bzImage, PVH ELF vmlinux or ELF test guest (required)", SYS_STRING(kernel) },
    { "initrd", 0, "FILE", "initial ramdisk", SYS_STRING(initrd) },
    { "append", 0, "CMDLINE", "kernel command line", SYS_STRING(append) },
    { "mem", 0, "SIZE", "guest RAM: K/M/G suffix, bare number = MiB\n(16M..64G, default 512M)",
      CLI_CALL(opt_mem) },
    { "cpus", 0, "N", "virtual CPUs (default 1)", CLI_CALL(opt_cpus) },
    { "disk", 0, "FILE[,ro]", "virtio-blk on a raw image (up to 4; ,ro: read-only)", CLI_CALL(opt_disk) },
    { "net", 0, "tap=NAME|user", "virtio-net on a tap device or on libslirp", CLI_CALL(opt_net) },
    { "rng", 0, NULL, "virtio-rng fed by getrandom()", SYS_FLAG(rng) },
    { "vconsole", 0, NULL, "virtio-console (hvc0), output to stdout", SYS_FLAG(vconsole) },
    { "console", 0, "stdio|virtio", "what reads stdin: ttyS0 (stdio, default) or hvc0",
      CLI_CALL(opt_console) },
    { "timeout", 0, "SECONDS", "watchdog: stop the guest after SECONDS (exit 124)", CLI_CALL(opt_timeout) },
    { "accel", 0, "kvm|tcg", "accelerator: kvm, or tcg (ferry's translator); default kvm\n"
      "where /dev/kvm opens, else tcg", SYS_STRING(accel) },
    { "debug", 0, NULL, "trace devices and interrupts on stderr", SYS_FLAG(debug) },
    { "help", 'h', NULL, "this help", .kind = CLI_HELP },
    { 0 }
};

static const struct cli_program sys_program = {
    .name = "ferry-system", .synopsis = "--kernel FILE [OPTIONS]", .options = sys_rows,
};

void sys_options_usage(void)
{
    cli_usage(&sys_program, stderr);
}

int sys_options_parse(struct sys_options *o, int argc, char **argv)
{
    *o = (struct sys_options){ .mem = 512ull << 20, .cpus = 1 };
    int operand = cli_parse(&sys_program, o, argc, argv);
    if (operand < 0)
        return -1;
    if (operand < argc) {
        sys_err("unexpected argument '%s'", argv[operand]);
        return -1;
    }
    if (!o->kernel) {
        sys_err("--kernel FILE is required");
        return -1;
    }
    return 0;
}
