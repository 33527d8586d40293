/* sys_proc_mm.c -- the kernel told where the guest's argv and envp
 * strings are.  /proc/PID/cmdline and /proc/PID/environ are the bytes
 * between the kernel's mm->arg_start..arg_end and env_start..env_end of
 * the process, read from its memory when the file is read (by anyone:
 * ps, pgrep -f, another process's open).  For ferry's process those are
 * ferry's own command line and environment (after a guest execve, the
 * FERRY_EXEC_* variables).  prctl(PR_SET_MM, PR_SET_MM_MAP) -- no
 * privilege needed, only CONFIG_CHECKPOINT_RESTORE, as CRIU uses it --
 * sets them to the guest's initial stack strings (sys_cmdline.c,
 * sys_environ.c), so every reader, inside the guest or outside, sees what
 * it would see natively, the guest's later writes into them included, by
 * the kernel's own rules.  The call sets every field of the map: the
 * guest program's code and data bounds and its stack's start go with
 * them (stat's start_code, end_code, start_data, end_data, start_stack:
 * another process's ps or gdb reads them there), the break as the kernel
 * has it (ferry's malloc uses it).  So does the guest's auxv (sys_auxv.c:
 * the kernel keeps a copy, /proc/PID/auxv), unless the kernel's copy is
 * too small for it (then the call is made again without; and with
 * ferry's own bounds, /proc/self/stat's, if the kernel refused the
 * guest's).  Where it fails (qemu-user refuses PR_SET_MM, the AArch64
 * build's host here) the guest's own files are made up (sys_cmdline.c,
 * sys_environ.c, sys_proc_stat.c) and another ferry's environ is its host
 * file without ferry's variables. */
#define _GNU_SOURCE
#include <linux/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_internal.h"

/* /proc/self/stat's numeric fields 4..52 into f[4..52]; false if short. */
static bool sys_proc_mm_stat(unsigned long long f[53])
{
    char buf[1024];
    FILE *in = fopen("/proc/self/stat", "re");
    bool ok = in && fgets(buf, sizeof buf, in);
    if (in)
        fclose(in);
    char *p = ok ? strrchr(buf, ')') : NULL;    /* then " S ": field 3, the state */
    if (!p || strlen(p) < 4)
        return false;
    int k = 4;
    for (p += 4; k <= 52; k++, p++) {
        char *end;
        f[k] = strtoull(p, &end, 10);   /* (tpgid may be -1) */
        if (end == p || *end != ' ')
            return k == 52 && end != p;
        p = end;
    }
    return true;
}

/* Where the kernel takes an address of the map: from mmap_min_addr (at
 * most 64 KiB) up to the smallest TASK_SIZE of the hosts (47 bits). */
static bool sys_proc_mm_addr_ok(uint64_t a)
{
    return a >= 0x10000 && a < (1ull << 47) - 0x1000;
}

/* The guest program's code and data bounds and its initial stack (stat's
 * fields 26-28, 45-46: what another process -- ps, gdb, a sibling's
 * /proc/PID/stat -- reads there, and the kernel's [stack] mark in the
 * host's maps) instead of ferry's; false, m unchanged, where the
 * kernel would refuse them (no executable segment: Linux's start_code
 * ~0).  The break stays the kernel's: ferry's own malloc uses it. */
static bool sys_proc_mm_guest_layout(struct prctl_mm_map *m)
{
    const struct ld_bounds *b = &sys_proc.bounds;
    if (!sys_proc_mm_addr_ok(b->start_code) || !sys_proc_mm_addr_ok(b->end_code) ||
        b->start_code >= b->end_code || !sys_proc_mm_addr_ok(b->start_data) ||
        !sys_proc_mm_addr_ok(b->end_data) || b->start_data > b->end_data ||
        !sys_proc_mm_addr_ok(sys_proc.start_stack))
        return false;
    m->start_code = b->start_code, m->end_code = b->end_code;
    m->start_data = b->start_data, m->end_data = b->end_data;
    m->start_stack = sys_proc.start_stack;
    return true;
}

/* PR_SET_MM_MAP with the guest's auxv, else without it (the kernel's copy
 * too small); sets sys_proc's published flags. */
static bool sys_proc_mm_set(struct prctl_mm_map m)
{
    size_t auxv_bytes;
    m.auxv = (__u64 *)sys_auxv_vector(&auxv_bytes);
    m.auxv_size = (uint32_t)auxv_bytes;
    sys_proc.auxv_published = sys_proc.mm_published =
        auxv_bytes && prctl(PR_SET_MM, PR_SET_MM_MAP, &m, sizeof m, 0) == 0;
    m.auxv = NULL, m.auxv_size = 0;
    if (!sys_proc.mm_published)
        sys_proc.mm_published = prctl(PR_SET_MM, PR_SET_MM_MAP, &m, sizeof m, 0) == 0;
    return sys_proc.mm_published;
}

void sys_proc_mm_publish(void)
{
    unsigned long long f[53] = { 0 };
    uint64_t env_start = sys_proc.env_start, env_end = sys_proc.env_end;
    uint64_t arg_start = sys_proc.arg_start, arg_end = sys_proc.arg_end;
    if (!arg_end)                       /* argc 0: an empty range where argv's strings would be */
        arg_start = arg_end = env_start;
    if (env_end <= 1 || arg_end <= 1 || !sys_proc_mm_stat(f))
        return;
    struct prctl_mm_map m = {
        .start_code = f[26], .end_code = f[27], .start_stack = f[28],
        .start_data = f[45], .end_data = f[46], .start_brk = f[47],
        .brk = (uint64_t)syscall(SYS_brk, 0),
        .arg_start = arg_start, .arg_end = arg_end, .env_start = env_start, .env_end = env_end,
        .exe_fd = (uint32_t)-1,
    };
    struct prctl_mm_map guest = m;
    if (!sys_proc_mm_guest_layout(&guest) || !sys_proc_mm_set(guest))
        sys_proc_mm_set(m);             /* (RLIMIT_DATA may count the guest's data against ferry's break) */
}
