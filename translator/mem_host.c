/* mem_host.c -- the TR_MEM_HOST guest-memory mode (user mode): guest
 * addresses are the host process's own addresses.  Code fetch learns
 * which pages are readable by asking the kernel to read one byte of each
 * (process_vm_readv fails with EFAULT where a plain read would crash
 * ferry); the self-modifying-code check learns which are writable from
 * /proc/self/maps, re-read after the guest's mmap/mprotect/munmap. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guest_mem.h"

#define HOST_PAGE 4096ull
#define HOST_MAX_MAPS 4096

/* The host process's address space is one per process: so is its view. */
static struct {
    struct { uint64_t lo, hi; bool writable; } map[HOST_MAX_MAPS];
    int n_maps;
    bool stale;
    bool probe_unsupported;
} host = { .stale = true };

/* One byte of our own address space, read by the kernel.  (By tid: the
 * main thread, whose tid is the pid, may already have exited.) */
static bool page_readable(uint64_t addr)
{
    char byte;
    struct iovec local = { &byte, 1 }, remote = { (void *)(uintptr_t)addr, 1 };
    if (host.probe_unsupported)
        return true;
    if (process_vm_readv(gettid(), &local, 1, &remote, 1, 0) == 1)
        return true;
    if (errno == ENOSYS || errno == EPERM) {
        host.probe_unsupported = true;
        return true;
    }
    return false;
}

static size_t host_fetchable(const struct tr_guest_mem *m, uint64_t pc, size_t want)
{
    uint64_t end = pc & ~(HOST_PAGE - 1);
    while (end < pc + want && page_readable(end))
        end += HOST_PAGE;
    return end <= pc ? 0 : end - pc < want ? (size_t)(end - pc) : want;
}

static void read_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512], perms[8];
    unsigned long lo, hi;
    host.n_maps = 0;
    host.stale = false;
    if (!f)
        return;
    while (host.n_maps < HOST_MAX_MAPS && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
            host.map[host.n_maps].lo = lo;
            host.map[host.n_maps].hi = hi;
            host.map[host.n_maps++].writable = perms[1] == 'w';
        }
    fclose(f);
}

/* -1: not mapped as far as we know, else whether [start,len) is writable. */
static int lookup(uint64_t start, uint64_t len)
{
    bool found = false;
    for (int k = 0; k < host.n_maps; k++) {
        if (start >= host.map[k].hi || start + len <= host.map[k].lo)
            continue;
        if (host.map[k].writable)
            return 1;
        found = true;
    }
    return found ? 0 : -1;
}

static bool host_writable(const struct tr_guest_mem *m, uint64_t start, uint64_t len)
{
    if (host.stale)
        read_maps();
    int w = lookup(start, len ? len : 1);
    if (w < 0) {
        read_maps();
        w = lookup(start, len ? len : 1);
    }
    return w != 0;
}

static void host_mappings_changed(const struct tr_guest_mem *m) { host.stale = true; }

static const struct tr_guest_mem mem_host = {
    .mode = TR_MEM_HOST,
    .fetchable = host_fetchable,
    .writable = host_writable,
    .mappings_changed = host_mappings_changed,
};

const struct tr_guest_mem *tr_mem_host(void) { return &mem_host; }
