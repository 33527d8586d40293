/* stack_hole.c -- the room below the main stack is the guest's to map,
 * as natively, and the stack grows over what is left of it.  Linux keeps
 * no mapping there: mmap_base lies at least 128 MiB (RLIMIT_STACK) below
 * the stack, so a hint in that room is honoured unless it comes within
 * stack_guard_gap (1 MiB) of the stack; MAP_FIXED and MAP_FIXED_NOREPLACE
 * there succeed; munmap there unmaps nothing and succeeds, mprotect fails
 * with ENOMEM; /proc/self/maps shows nothing there; and the stack then
 * grows down to the guest's mapping but not into it.  ferry reserves that
 * room for the stack (loader/ld_stack.c) so that none of its own memory
 * lands there, and gives it up to the guest (syscalls/sys_stack_grow.c).
 * An overflow past RLIMIT_STACK faults there as in a hole: SEGV_MAPERR.
 * Each case runs in a child; only outcomes are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stack_child.h"

#define KB (1ul << 10)
#define MB (1ul << 20)

static unsigned long top;               /* a page near the top of the stack */

static void *map_at(unsigned long below, unsigned long len, int flags)
{
    return mmap((void *)(top - below), len, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

static const char *at(void *p, unsigned long below)
{
    return p == MAP_FAILED ? strerror(errno) : p == (void *)(top - below) ? "at the address" : "elsewhere";
}

/* Lines of /proc/self/maps that meet [top - hi, top - lo). */
static int maps_lines(unsigned long hi, unsigned long lo)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long a, b;
        if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a < top - lo && b > top - hi)
            n++;
    }
    if (f)
        fclose(f);
    return n;
}

static void run(const char *what, void (*fn)(void)) { run_child(what, 48, fn); }

static void grow_64mb_limit(void)
{
    struct rlimit rl = { 120 * MB, RLIM_INFINITY };
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = 120 * MB;
    if (setrlimit(RLIMIT_STACK, &rl) != 0)
        printf("setrlimit: %s\n", strerror(errno));
}

/* The room as natively: nothing shown, munmap 0, mprotect ENOMEM. */
static void room_empty(void)
{
    printf("maps lines 2..100 MiB below: %d\n", maps_lines(100 * MB, 2 * MB));
    printf("munmap 4..100 MiB below: %d\n", munmap((void *)(top - 100 * MB), 96 * MB));
    int r = mprotect((void *)(top - 100 * MB), 96 * MB, PROT_READ);
    printf("mprotect 4..100 MiB below: %s\n", r ? strerror(errno) : "0");
    grow_64mb_limit();
    descend(4096);
    printf("grew 16 MiB: yes\n");
}

/* A hint 64 MiB down is honoured; the stack grows to 16 MiB, not 80. */
static void hint_then_grow(void)
{
    char *p = map_at(64 * MB, MB, 0);
    printf("hint 64 MiB below: %s\n", at(p, 64 * MB));
    if (p != MAP_FAILED)
        p[0] = 1;
    printf("maps lines 60..70 MiB below: %d\n", maps_lines(70 * MB, 60 * MB));
    grow_64mb_limit();
    descend(4096);
    printf("grew 16 MiB: yes\n");
    fflush(stdout);
    descend(20480);                     /* 80 MiB: into the mapping's way */
    printf("grew 80 MiB past the mapping: yes\n");
}

/* A hint near the stack's pages: not honoured (stack_guard_gap). */
static void hint_near_stack(void)
{
    void *p = map_at(512 * KB, 4096, 0);
    printf("hint 512 KiB below: %s\n", at(p, 512 * KB));
    grow_64mb_limit();
    descend(4096);
    printf("grew 16 MiB: yes\n");
}

static void fixed_noreplace(void)
{
    char *p = map_at(96 * MB, 2 * MB, MAP_FIXED_NOREPLACE);
    printf("MAP_FIXED_NOREPLACE 96 MiB below: %s\n", at(p, 96 * MB));
    if (p != MAP_FAILED)
        p[MB] = 1;
    void *q = map_at(96 * MB - 4096, 2 * 4096, MAP_FIXED_NOREPLACE);
    printf("again over its last page: %s\n", at(q, 96 * MB - 4096));
    grow_64mb_limit();
    descend(8192);
    printf("grew 32 MiB: yes\n");
    printf("munmap it: %d\n", p == MAP_FAILED ? -2 : munmap(p, 2 * MB));
    printf("maps lines 90..100 MiB below: %d\n", maps_lines(100 * MB, 90 * MB));
}

static void fixed(void)
{
    char *p = map_at(100 * MB, 4 * MB, MAP_FIXED);
    printf("MAP_FIXED 100 MiB below: %s\n", at(p, 100 * MB));
    if (p != MAP_FAILED)
        p[3 * MB] = 1;
    printf("maps lines 95..100 MiB below: %d\n", maps_lines(100 * MB, 95 * MB));
    grow_64mb_limit();
    descend(8192);
    printf("grew 32 MiB: yes\n");
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    printf("overflow: SIGSEGV, %s\n", segv_code(si));
    fflush(stdout);
    _exit(0);
}

/* Past RLIMIT_STACK (4 MiB) into the room: a fault in a hole. */
static void overflow_code(void)
{
    struct rlimit rl;
    catch_segv(on_segv);
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = 4 * MB;
    setrlimit(RLIMIT_STACK, &rl);
    descend(2048);
}

int main(void)
{
    struct rlimit rl;
    volatile char here;
    top = ((unsigned long)&here & ~4095ul) - 64 * KB;
    getrlimit(RLIMIT_STACK, &rl);
    if (rl.rlim_cur != RLIM_INFINITY && (rl.rlim_cur < 8 * MB || rl.rlim_cur > 64 * MB)) {
        printf("RLIMIT_STACK not 8..64 MiB: cases skipped\n");
        return 0;
    }
    run("the room below the stack", room_empty);
    run("a hint 64 MiB below, then growth", hint_then_grow);
    run("a hint 512 KiB below", hint_near_stack);
    run("MAP_FIXED_NOREPLACE 96 MiB below", fixed_noreplace);
    run("MAP_FIXED 100 MiB below", fixed);
    run("8 MiB down, RLIMIT_STACK 4 MiB", overflow_code);
    return 0;
}
