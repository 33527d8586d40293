/* pagehash.c -- what hashing a guest code page costs the first time a
 * process reads it, read by ferry itself or copied by the kernel first
 * (translator/tcache.c page_hash, group_hash; docs/status.md, session 36
 * "restore5").
 *
 * A warm ferry process reads guest code only to hash it: each page a
 * restored record depends on, once (a warm cc1 -O2: ~2,500 pages, 5 % of
 * its samples in page_hash).  Under the shadow paging of the VM these
 * sessions run on, the first user-mode read of a page is dear even after
 * MADV_POPULATE_READ (the hypervisor builds its mapping then), and the
 * kernel's copy (process_vm_readv of our own memory) does not pay it.  In
 * each round this maps FILE (default cc1, at most 16 MiB of it) afresh,
 * populates it as ferry does, and hashes every STEP-th page (default 4: a
 * run needs about a third of its code pages) with tc_hash.c's own
 * hash: read in place, copied one page per call, or copied with the next
 * 7 pages in one call (all 8 hashed, as group_hash does).
 *
 *   cc -O2 -Itranslator -Ibackends -o pagehash tests/bench/tools/pagehash.c translator/tc_hash.c \
 *      backends/x86_64/x64_crc32c.c -lpthread
 *   ./pagehash [FILE [STEP]]
 *
 * 2026-12-06, load 8-11, STEP 4: 14-39 us a page read in place, 6-10 us
 * copied alone, 2.2-3.2 us copied by 8 (STEP 1: 4.3-5.2 / 6.2-10 / 1.6-2.3
 * us). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "tcache_file.h"

#define PAGE 4096u
#define GROUP 8u
#define ROUNDS 12
#define WAYS 3
#define MAX_LEN ((size_t)16 << 20)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Pages hashed from p in this way, or 0 when the copy failed. */
static unsigned hash_way(const uint8_t *p, int way, uint8_t *buf, uint64_t *sink)
{
    unsigned n = way == 2 ? GROUP : 1;
    if (way == 0) {
        *sink += tcf_hash(p, PAGE);
        return 1;
    }
    struct iovec local = { buf, n * PAGE }, remote = { (void *)p, n * PAGE };
    if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)(n * PAGE))
        return 0;
    for (unsigned k = 0; k < n; k++)
        *sink += tcf_hash(buf + k * PAGE, PAGE);
    return n;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/usr/lib/gcc/x86_64-linux-gnu/12/cc1";
    size_t step = argc > 2 ? strtoul(argv[2], NULL, 10) : 4;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || st.st_size < (off_t)(GROUP * PAGE) || step == 0) {
        fprintf(stderr, "pagehash: cannot use %s\n", path);
        return 1;
    }
    size_t len = (size_t)st.st_size & ~(size_t)(PAGE - 1);
    len = len < MAX_LEN ? len : MAX_LEN;
    static uint8_t buf[GROUP * PAGE];
    memset(buf, 0, sizeof buf);
    double total[WAYS] = { 0 };
    size_t pages[WAYS] = { 0 };
    uint64_t sink = 0;
    for (int r = 0; r < ROUNDS; r++) {
        int way = r % WAYS;
        uint8_t *m = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            fprintf(stderr, "pagehash: mmap failed\n");
            return 1;
        }
        madvise(m, len, 22 /* MADV_POPULATE_READ */);
        double t0 = now();
        for (size_t off = 0; off + GROUP * PAGE <= len; off += step * PAGE) {
            unsigned n = hash_way(m + off, way, buf, &sink);
            if (!n) {
                fprintf(stderr, "pagehash: process_vm_readv refused\n");
                return 1;
            }
            pages[way] += n;
        }
        total[way] += now() - t0;
        munmap(m, len);
    }
    static const char *name[WAYS] = { "read in place", "copied alone", "copied by 8" };
    for (int w = 0; w < WAYS; w++)
        printf("%-14s %6.2f us a page (%zu pages in %d rounds)\n", name[w], total[w] / pages[w] * 1e6,
               pages[w], ROUNDS / WAYS);
    return sink == 42;
}
