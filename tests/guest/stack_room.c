/* stack_room.c -- what the guest's own mappings in the room below the
 * main stack do to its growth, as Linux's expand_downwards decides it:
 * the stack may grow down to the mapping right below it, and no closer
 * than stack_guard_gap (1 MiB) when that mapping is accessible; a
 * PROT_NONE one it may reach (the gap counts only accessible mappings);
 * once the mapping is gone, the room is the stack's again.  shmat at an
 * address in the room maps there, as mmap does, and mremap grows a
 * mapping up into it in place.  Linux grows the stack
 * for a fault anywhere between it and that limit (no check against the
 * stack pointer on x86-64), so each case writes single bytes far below.
 * RLIMIT_STACK is raised to 120 MiB first.  Each case runs in a child;
 * only outcomes are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stack_child.h"

#define KB (1ul << 10)
#define MB (1ul << 20)

static unsigned long top;               /* a page near the top of the stack */

static void *map_at(unsigned long below, unsigned long len, int prot)
{
    return mmap((void *)(top - below), len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static const char *at(void *p, unsigned long below)
{
    return p == MAP_FAILED ? strerror(errno) : p == (void *)(top - below) ? "at the address" : "elsewhere";
}

static void raise_limit(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = 120 * MB;
    if (setrlimit(RLIMIT_STACK, &rl) != 0)
        printf("setrlimit: %s\n", strerror(errno));
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    printf("SIGSEGV, %s\n", segv_code(si));
    fflush(stdout);
    _exit(0);
}

/* One byte written `below` under top: the stack grows there or not. */
static void touch(unsigned long below, const char *what)
{
    volatile char *p = (volatile char *)(top - below);
    printf("%s: ", what);
    fflush(stdout);
    *p = 1;
    printf("grew\n");
    fflush(stdout);
}

/* A mapping 64 MiB down, unmapped: the stack grows past its place. */
static void unmapped_then_grow(void)
{
    char *p = map_at(64 * MB, MB, PROT_READ | PROT_WRITE);
    printf("MAP_FIXED 64 MiB below: %s\n", at(p, 64 * MB));
    p[0] = 1;
    printf("munmap it: %d\n", munmap(p, MB));
    raise_limit();
    catch_segv(on_segv);
    touch(80 * MB, "a byte 80 MiB below");
}

/* A PROT_NONE mapping 65..64 MiB down: the stack reaches it; a write
 * into it is SEGV_ACCERR. */
static void prot_none_below(void)
{
    void *p = map_at(65 * MB, MB, PROT_NONE);
    printf("PROT_NONE 65..64 MiB below: %s\n", at(p, 65 * MB));
    raise_limit();
    catch_segv(on_segv);
    touch(64 * MB - 256 * KB, "a byte 256 KiB above it");
    touch(64 * MB + 4 * KB, "a byte in it");
}

/* An accessible one there: the stack stays 1 MiB above it. */
static void readable_below(void)
{
    void *p = map_at(65 * MB, MB, PROT_READ);
    printf("PROT_READ 65..64 MiB below: %s\n", at(p, 65 * MB));
    raise_limit();
    catch_segv(on_segv);
    touch(62 * MB, "a byte 2 MiB above it");
    touch(64 * MB - 256 * KB, "a byte 256 KiB above it");
}

/* shmat at an address in the room maps there; after shmdt the stack
 * grows past it. */
static void shmat_in_room(void)
{
    int id = shmget(IPC_PRIVATE, MB, IPC_CREAT | 0600);
    if (id < 0) {
        printf("shmget: %s\n", strerror(errno));
        return;
    }
    char *p = shmat(id, (void *)(top - 64 * MB), 0);
    shmctl(id, IPC_RMID, NULL);
    printf("shmat 64 MiB below: %s\n", at(p, 64 * MB));
    if (p == (void *)-1)
        return;
    p[0] = 1;
    printf("shmdt it: %d\n", shmdt(p));
    raise_limit();
    catch_segv(on_segv);
    touch(80 * MB, "a byte 80 MiB below");
}

/* A mapping in the room grown up in place by mremap (no MREMAP_MAYMOVE:
 * Linux checks only that nothing is in the way); the stack then keeps a
 * guard gap above its new end. */
static void mremap_up(void)
{
    char *p = map_at(64 * MB, MB, PROT_READ | PROT_WRITE);
    printf("MAP_FIXED 64..63 MiB below: %s\n", at(p, 64 * MB));
    char *q = mremap(p, MB, 3 * MB, 0);
    printf("mremap to 3 MiB in place: %s\n", at(q, 64 * MB));
    if (q == MAP_FAILED)
        return;
    q[3 * MB - 1] = 1;
    q = mremap(q, 3 * MB, 62 * MB, 0);
    printf("mremap to 2 MiB under top: %s\n", at(q, 64 * MB));
    raise_limit();
    catch_segv(on_segv);
    touch(768 * KB, "a byte 1.25 MiB above its end");
    touch(1536 * KB, "a byte 512 KiB above its end");
}

static void run(const char *what, void (*fn)(void)) { run_child(what, 40, fn); }

int main(void)
{
    volatile char here;
    top = ((unsigned long)&here & ~4095ul) - 64 * KB;
    if (!stack_limit_usual(0, 0))
        return 0;
    run("a mapping in the room, unmapped", unmapped_then_grow);
    run("a PROT_NONE mapping in the room", prot_none_below);
    run("a PROT_READ mapping in the room", readable_below);
    run("shmat in the room", shmat_in_room);
    run("mremap up into the room", mremap_up);
    return 0;
}
