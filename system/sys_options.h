/* sys_options.h -- ferry-system's command line (rows and parsing in sys_options.c). */
#ifndef SYS_OPTIONS_H
#define SYS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define SYS_MAX_DISKS 4

struct sys_disk_opt { const char *path; bool ro; };

struct sys_options {
    const char *kernel, *initrd, *append, *accel;
    uint64_t mem;
    int cpus;
    struct sys_disk_opt disks[SYS_MAX_DISKS];
    int ndisks;
    const char *net_tap;        /* --net tap=NAME */
    bool net_user;              /* --net user (not built: reports so) */
    bool rng, vconsole, debug;
    bool console_virtio;        /* --console virtio: stdin feeds hvc0, not ttyS0 */
    int timeout_s;              /* --timeout: watchdog, 0 = none */
};

/* Parses argv; on bad input prints one line and returns -1. */
int sys_options_parse(struct sys_options *o, int argc, char **argv);
void sys_options_usage(void);

#endif
