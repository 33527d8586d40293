/* pagetouch.c -- what getting new code into the code cache's pages costs on
 * this machine, per 4 KiB page, for each way ferry could do it
 * (translator/tc_views.c; docs/status.md, session 28 "cachepages").
 *
 * Under the VM these sessions run on (shadow paging) the first user-mode
 * write through a 4 KiB writable PTE costs 12-35 us even after
 * MADV_POPULATE_WRITE, while a kernel write (pwrite) and a 2 MiB mapping do
 * not pay it.  Each way below: two views of one file (read-exec and
 * read-write, as the code cache has), NPAGES pages, "prep" (system calls
 * made ahead), "write" (the user's stores, a page each), "rx" (first read
 * through the executable view), averaged over ROUNDS fresh files.
 *
 *   cc -O2 -o pagetouch tests/bench/tools/pagetouch.c && ./pagetouch [DIR]
 *
 * DIR holds the O_TMPFILE of the last two ways (default /tmp; where it is
 * tmpfs, shmem, no 2 MiB pages unless the mount says huge=). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE 4096ul
#define HUGE (2ul << 20)
#define SIZE (8ul << 20)
#define NPAGES (SIZE / PAGE)
#define ROUNDS 4

enum way { MEMFD_POPULATE, MEMFD_PWRITE, FILE_HUGE, N_WAYS };
static const char *const way_name[N_WAYS] = {
    "memfd, populate both views, store (ferry now)",
    "memfd, pwrite 64 KiB, populate rx",
    "O_TMPFILE, 2 MiB-aligned views, MADV_HUGEPAGE, fallocate, populate, store",
};

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* size bytes of address space at a 2 MiB boundary (never unmapped: a bench) */
static char *aligned_room(void)
{
    char *r = mmap(NULL, SIZE + HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return (char *)(((unsigned long)r + HUGE - 1) & ~(HUGE - 1));
}

static int open_backing(enum way w, const char *dir)
{
    int fd = w == FILE_HUGE ? open(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600)
                            : memfd_create("pagetouch", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)SIZE) != 0) {
        perror(w == FILE_HUGE ? dir : "memfd_create");
        exit(1);
    }
    return fd;
}

static void one_round(enum way w, const char *dir, double t[3])
{
    static char chunk[64 << 10];
    int fd = open_backing(w, dir);
    char *rx = mmap(aligned_room(), SIZE, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0);
    char *rw = mmap(aligned_room(), SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
    if (rx == MAP_FAILED || rw == MAP_FAILED) {
        perror("mmap views");
        exit(1);
    }
    if (w == FILE_HUGE) {
        madvise(rx, SIZE, MADV_HUGEPAGE);
        madvise(rw, SIZE, MADV_HUGEPAGE);
    }
    memset(chunk, 0x90, sizeof chunk);
    volatile char sink = 0;
    for (unsigned long off = 0; off < SIZE; off += HUGE) {
        double t0 = now_us();
        if (w == FILE_HUGE && fallocate(fd, 0, (off_t)off, (off_t)HUGE) != 0)
            perror("fallocate");
        if (w == MEMFD_PWRITE)
            for (unsigned long o = off; o < off + HUGE; o += sizeof chunk)
                if (pwrite(fd, chunk, sizeof chunk, (off_t)o) != (ssize_t)sizeof chunk)
                    perror("pwrite");
        if (w != MEMFD_PWRITE)
            madvise(rw + off, HUGE, MADV_POPULATE_WRITE);
        madvise(rx + off, HUGE, MADV_POPULATE_READ);
        double t1 = now_us();
        if (w != MEMFD_PWRITE)
            for (unsigned long o = off; o < off + HUGE; o += PAGE)
                memset(rw + o, 0x90, PAGE);
        double t2 = now_us();
        for (unsigned long o = off; o < off + HUGE; o += PAGE)
            sink += rx[o];
        double t3 = now_us();
        t[0] += t1 - t0, t[1] += t2 - t1, t[2] += t3 - t2;
    }
    munmap(rx, SIZE);
    munmap(rw, SIZE);
    close(fd);
}

/* A chain patch written with pwrite: 4 bytes into a page that is there. */
static double small_pwrite_us(enum way w, const char *dir)
{
    int fd = open_backing(w, dir);
    static char page[PAGE];
    if (pwrite(fd, page, PAGE, 0) != (ssize_t)PAGE)
        perror("pwrite");
    double t0 = now_us();
    for (int k = 0; k < 2000; k++)
        if (pwrite(fd, "abcd", 4, (off_t)(k * 64 % 4000)) != 4)
            perror("pwrite");
    double t = (now_us() - t0) / 2000;
    close(fd);
    return t;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    for (enum way w = 0; w < N_WAYS; w++) {
        double t[3] = { 0, 0, 0 };
        for (int r = 0; r < ROUNDS; r++)
            one_round(w, dir, t);
        double n = (double)NPAGES * ROUNDS;
        printf("%-76s prep %6.2f  write %6.2f  rx %5.2f  total %6.2f us/page\n", way_name[w],
               t[0] / n, t[1] / n, t[2] / n, (t[0] + t[1] + t[2]) / n);
    }
    printf("pwrite of 4 bytes into a page that is there: memfd %.2f us, O_TMPFILE in %s %.2f us\n",
           small_pwrite_us(MEMFD_POPULATE, dir), dir, small_pwrite_us(FILE_HUGE, dir));
    return 0;
}
