/* options.h -- ferry's options and logging, shared by all modules
 * (translator, loader, syscalls).  Only the values live here: the command
 * line that fills them is the program's (cli_ferry.c). */
#ifndef FERRY_OPTIONS_H
#define FERRY_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum log_mask {
    LOG_IN_ASM  = 1 << 0,       /* guest instructions of each new block */
    LOG_IR      = 1 << 1,       /* IR after optimisation */
    LOG_OUT_ASM = 1 << 2,       /* host code of each new block */
    LOG_EXEC    = 1 << 3,       /* every block entered from the dispatcher */
    LOG_UNIMPL  = 1 << 4,       /* instructions that raise SIGILL */
    LOG_FLAGSCAN = 1 << 5,      /* why a block's direct exit keeps its flags */
};
/* The -d names of the log items, by bit number (one list for parsing -d
 * and for passing it on across execve). */
#define LOG_ITEMS 6
extern const char *const ferry_log_names[LOG_ITEMS];

/* Where main.c keeps its binary's descriptor, out of the way of the
 * guest's descriptors (its fd numbers stay native). */
#define FERRY_SELF_FD_MIN 901

struct ferry_options {
    unsigned log_mask;
    bool strace;                /* --strace */
    bool stats;                 /* --stats */
    bool perfmap;               /* --perfmap: /tmp/perf-PID.map */
    int ras;                    /* return-address stack: --ras / FERRY_RAS=1 1, --no-ras /
                                   FERRY_RAS=0 0, -1 the host backend's default */
    bool check_ir;              /* --check-ir (always in debug builds) */
    size_t code_cache_size;     /* bytes */
    const char *self_exe;       /* path of the ferry binary, for execve (NULL: unknown) */
    int self_fd;                /* O_PATH descriptor of it (-1: none), see main.c */
    unsigned long self_dev, self_ino;   /* what self_fd must still be at execve */
    bool self_lent;             /* started by a guest exec that lent self_fd's number (sys_exec.c) */
    const char *log_path;       /* absolute -D FILE, passed on across execve */
    const char *tcache_dir;     /* the persistent translation cache's directory (absolute);
                                   NULL: off (--tcache off, --no-tcache, FERRY_TCACHE=off) */
    bool tcache_off;            /* turned off: passed on across execve */
    unsigned long long tcache_size;       /* --tcache-size / FERRY_TCACHE_SIZE: the directory's bound
                                   in bytes; 0: the default */
};
extern struct ferry_options ferry_opts;
extern FILE *ferry_log;         /* stderr unless -D FILE */

#define LOG_ON(mask) (ferry_opts.log_mask & (mask))

#endif
