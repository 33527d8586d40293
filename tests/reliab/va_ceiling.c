/* va_ceiling.c -- the guest's address space ends at its TASK_SIZE, whatever
 * the host's reaches (issue 11; syscalls/sys_guest_va.c).  VA_LIMIT in the
 * environment is that top: natively x86-64's 0x7ffffffff000, under ferry
 * with FERRY_DEBUG_VA_CEILING the lowered ceiling (check-reliab.sh runs
 * both).  After mapping memory every way the kernel chooses an address
 * for -- mmap with and without hints, MAP_32BIT, threads' stacks, mremap that must
 * move, shmat(NULL), an AIO ring, io_uring rings, a forked child, an
 * exec'd copy -- every line of /proc/self/maps must lie below the limit;
 * a 1 GiB MAP_FIXED range 2 TiB below it (natively free) must map; MAP_FIXED
 * and MREMAP_FIXED at the limit fail as Linux's (ENOMEM, EINVAL), as does
 * munmap there.  Prints the same lines natively and under ferry. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096ull
#define TIB (1ull << 40)

static uint64_t limit;
void *keep_alive;

/* Every mapping below the limit ([vsyscall] is the kernel's, above any
 * TASK_SIZE, and there natively). */
static int maps_below(const char *who)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int bad = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        if (strstr(line, "[vsyscall]") || sscanf(line, "%llx-%llx", &lo, &hi) != 2)
            continue;
        if (hi > limit) {
            if (!bad)
                fprintf(stderr, "%s: above the limit: %s", who, line);
            bad = 1;
        }
    }
    if (f)
        fclose(f);
    return f ? bad : 1;
}

static void *thread_fn(void *arg) { return arg; }

static void threads(void)
{
    pthread_t t[4];
    for (int k = 0; k < 4; k++)
        pthread_create(&t[k], NULL, thread_fn, NULL);
    for (int k = 0; k < 4; k++)
        pthread_join(t[k], NULL);
}

static void *anon(void *hint, size_t len, int flags)
{
    return mmap(hint, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

/* Hints the kernel cannot or may not honour: at and above the limit. */
static void hinted(void)
{
    anon((void *)(uintptr_t)limit, PAGE, 0);
    anon((void *)(uintptr_t)(limit - PAGE), 4 * PAGE, 0);
    anon((void *)(uintptr_t)0x10000000000000ull, PAGE, 0);
    anon(NULL, 64ull << 20, MAP_NORESERVE);
    char *low = anon(NULL, 16 * PAGE, MAP_32BIT);
    printf("MAP_32BIT below 2 GiB: %s\n", low != MAP_FAILED && (uintptr_t)low + 16 * PAGE <= 0x80000000u ? "yes" : "no");
    free(malloc(1 << 20));
    keep_alive = malloc(3 << 20);
}

/* A mapping hemmed in by its neighbour must move to grow. */
static void remap(void)
{
    char *a = anon(NULL, 2 * PAGE, 0);
    if (a == MAP_FAILED)
        return;
    munmap(a + PAGE, PAGE);
    char *guard = anon(a + PAGE, PAGE, MAP_FIXED);
    char *b = mremap(a, PAGE, 256 * PAGE, MREMAP_MAYMOVE);
    printf("mremap moved: %s\n", b != MAP_FAILED && b != a && guard == a + PAGE ? "yes" : "no");
}

static void shm(void)
{
    int id = shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600);
    if (id < 0)
        return;
    void *p = shmat(id, NULL, 0);
    shmctl(id, IPC_RMID, NULL);
    printf("shmat: %s\n", p != (void *)-1 ? "ok" : "failed");
}

/* A host without them (qemu-user) fails both: nothing then to check. */
static void rings(void)
{
    aio_context_t ctx = 0;
    syscall(SYS_io_setup, 16, &ctx);
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    int fd = (int)syscall(SYS_io_uring_setup, 8, &p);
    if (fd < 0)
        return;
    mmap(NULL, p.sq_off.array + p.sq_entries * 4, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
         fd, IORING_OFF_SQ_RING);
    mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
         MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
}

static const char *err_name(int e)
{
    return e == ENOMEM ? "ENOMEM" : e == EINVAL ? "EINVAL" : e == EEXIST ? "EEXIST" : e ? "other" : "ok";
}

/* At the limit: Linux refuses (mmap ENOMEM, munmap and mremap EINVAL). */
static void at_limit(void)
{
    void *at = (void *)(uintptr_t)limit;
    errno = 0;
    void *p = anon(at, PAGE, MAP_FIXED);
    printf("MAP_FIXED at the limit: %s\n", p == MAP_FAILED ? err_name(errno) : "mapped");
    p = anon((void *)(uintptr_t)(limit - PAGE), 2 * PAGE, MAP_FIXED_NOREPLACE);
    printf("MAP_FIXED_NOREPLACE across it: %s\n", p == MAP_FAILED ? err_name(errno) : "mapped");
    printf("munmap at the limit: %s\n", munmap(at, PAGE) ? err_name(errno) : "ok");
    char *a = anon(NULL, PAGE, 0);
    p = mremap(a, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, at);
    printf("MREMAP_FIXED to the limit: %s\n", p == MAP_FAILED ? err_name(errno) : "moved");
}

/* 1 GiB 2 TiB below the limit: natively above everything but the stack
 * and the mmap area (ASLR keeps those within ~1 TiB of the top); under
 * ferry neither its own memory nor the guest's (nor the shared objects'
 * slots, which end there).  (Not larger: qemu-user, the AArch64 build's
 * host, tracks every page of a mapping.) */
static void fixed_below(void)
{
    uint64_t len = 1ull << 30, at = limit - 2 * TIB;
    char *p = anon((void *)(uintptr_t)at, len, MAP_FIXED | MAP_NORESERVE);
    if (p == MAP_FAILED) {
        printf("MAP_FIXED below the limit: %s\n", err_name(errno));
        return;
    }
    p[0] = 1;
    p[len - 1] = 2;
    printf("MAP_FIXED below the limit: %s\n", p == (char *)(uintptr_t)at && p[0] + p[len - 1] == 3 ? "ok" : "moved");
    munmap(p, len);
}

static void child(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(maps_below("child") || anon(NULL, 1 << 20, 0) == MAP_FAILED || maps_below("child"));
    int st = 0;
    waitpid(pid, &st, 0);
    printf("fork: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "above");
}

static void exec_self(char **argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        char *args[] = { argv[0], "exec", NULL };
        execv(argv[0], args);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    printf("exec: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "above");
}

int main(int argc, char **argv)
{
    const char *v = getenv("VA_LIMIT");
    limit = v ? strtoull(v, NULL, 0) : 0x7ffffffff000ull;
    if (argc > 1)
        return maps_below("exec") || anon(NULL, 1 << 20, 0) == MAP_FAILED || maps_below("exec");
    setvbuf(stdout, NULL, _IONBF, 0);
    threads();
    hinted();
    remap();
    shm();
    rings();
    at_limit();
    fixed_below();
    child();
    exec_self(argv);
    puts(maps_below("parent") ? "above the limit" : "ok");
    return 0;
}
