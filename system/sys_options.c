/* sys_options.c -- parses ferry-system's command line into sys_options;
 * every bad input is one line on stderr and a -1 return. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

void sys_options_usage(void)
{
    fputs("usage: ferry-system --kernel FILE [--initrd FILE] [--append CMDLINE]\n"
          "       [--mem SIZE] [--cpus N] [--disk FILE[,ro]] [--net tap=NAME|user]\n"
          "       [--rng] [--vconsole] [--console stdio|virtio] [--timeout SECONDS]\n"
          "       [--accel NAME] [--debug]\n", stderr);
}

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

static int parse_disk(struct sys_options *o, char *arg)
{
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

static int parse_net(struct sys_options *o, const char *arg)
{
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
static int parse_console(struct sys_options *o, const char *arg)
{
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

/* One option with its value; returns -1 on a bad value. */
static int parse_valued(struct sys_options *o, const char *name, char *val)
{
    if (!strcmp(name, "--kernel")) o->kernel = val;
    else if (!strcmp(name, "--initrd")) o->initrd = val;
    else if (!strcmp(name, "--append")) o->append = val;
    else if (!strcmp(name, "--accel")) o->accel = val;
    else if (!strcmp(name, "--mem")) return parse_size(val, &o->mem);
    else if (!strcmp(name, "--cpus")) return parse_int(val, 1, SYS_MAX_CPUS, &o->cpus);
    else if (!strcmp(name, "--timeout")) return parse_int(val, 0, 86400, &o->timeout_s);
    else if (!strcmp(name, "--disk")) return parse_disk(o, val);
    else if (!strcmp(name, "--net")) return parse_net(o, val);
    else if (!strcmp(name, "--console")) return parse_console(o, val);
    else return -2;
    return 0;
}

static int parse_flag(struct sys_options *o, const char *name)
{
    if (!strcmp(name, "--rng")) o->rng = true;
    else if (!strcmp(name, "--vconsole")) o->vconsole = true;
    else if (!strcmp(name, "--debug")) o->debug = true;
    else return -1;
    return 0;
}

int sys_options_parse(struct sys_options *o, int argc, char **argv)
{
    *o = (struct sys_options){ .mem = 512ull << 20, .cpus = 1 };
    for (int i = 1; i < argc; i++) {
        if (parse_flag(o, argv[i]) == 0)
            continue;
        if (i + 1 >= argc) {
            sys_err("unknown option or missing value: %s", argv[i]);
            return -1;
        }
        int r = parse_valued(o, argv[i], argv[i + 1]);
        if (r == -2) {
            sys_err("unknown option: %s", argv[i]);
            return -1;
        }
        if (r < 0) {
            sys_err("bad value for %s: %s", argv[i], argv[i + 1]);
            return -1;
        }
        i++;
    }
    if (!o->kernel) {
        sys_err("--kernel FILE is required");
        return -1;
    }
    return 0;
}
