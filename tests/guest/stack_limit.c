/* stack_limit.c -- the main stack grows as far as RLIMIT_STACK, as it is
 * at each growth, allows.  Linux reads the limit at the fault
 * (acct_stack_growth), and leaves the stack room well past the limit it
 * was exec'd with: mmap_base lies the limit, stack_guard_gap and up to
 * 16 GiB of stack randomisation below the stack, plus the mmap
 * randomisation (x86-64); with RLIMIT_STACK unlimited at exec, mappings
 * start from the bottom (the legacy layout) and the stack has the room
 * up to them.  So a program that raises the limit after exec, or is
 * started with it unlimited, recurses deeper than the room a translator
 * reserved at exec (ferry's: 128 MiB, or the limit at exec up to 1 GiB).
 * Frames of 1 MiB touch two pages each, so a deep descent costs little
 * memory.  (Depths no larger than the cases need: ferry's own mappings
 * may lie some way below the room, where the host's randomised mmap_base
 * put them.)  Past the limit: SIGSEGV with SEGV_MAPERR, taken by a handler
 * on an alternate stack, at the deepest frame.  Each case runs in a
 * child; only outcomes are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stack_child.h"

#define MB (1ul << 20)

static volatile unsigned long deepest;  /* the lowest frame's address */
static volatile unsigned long frames;   /* frames entered */

/* n frames of 1 MiB; the lowest byte of each written. */
static __attribute__((noinline)) int dive(unsigned long n)
{
    volatile char frame[MB - 512];
    frame[0] = (char)n;
    deepest = (unsigned long)frame;
    frames++;
    return n ? dive(n - 1) + frame[0] : frame[0];
}

static void set_stack_limit(unsigned long cur)
{
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = cur;
    if (setrlimit(RLIMIT_STACK, &rl) != 0)
        printf("setrlimit: %s\n", strerror(errno));
}

static void dive_and_say(unsigned long mb)
{
    dive(mb);
    printf("descended %lu MiB: yes\n", mb);
}

static void raised_512(void)
{
    set_stack_limit(512 * MB);
    dive_and_say(300);
}

static void raised_unlimited(void)
{
    set_stack_limit(RLIM_INFINITY);
    dive_and_say(600);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    volatile char here;
    (void)sig, (void)uc;
    unsigned long addr = (unsigned long)si->si_addr, mb = frames;
    printf("SIGSEGV, %s\n", segv_code(si));
    printf("on the alternate stack: %s\n",
           (char *)&here >= segv_altstack && (char *)&here < segv_altstack + sizeof segv_altstack ? "yes" : "no");
    printf("si_addr within 1 MiB below the deepest frame: %s\n",
           addr < deepest && deepest - addr <= MB ? "yes" : "no");
    printf("stopped at 500..512 MiB: %s\n", mb >= 500 && mb <= 512 ? "yes" : "no");
    fflush(stdout);
    _exit(0);
}

/* 600 MiB under a limit of 512 MiB set after exec. */
static void past_512(void)
{
    catch_segv(on_segv);
    set_stack_limit(512 * MB);
    dive_and_say(600);
}

/* As `ulimit -s unlimited` in a shell before the program: the limit is
 * unlimited at exec. */
static void exec_unlimited(void)
{
    set_stack_limit(RLIM_INFINITY);
    execl("/proc/self/exe", "stack_limit", "unlimited-at-exec", (char *)NULL);
    printf("execl: %s\n", strerror(errno));
}

static void run(const char *what, void (*fn)(void)) { run_child(what, 44, fn); }

int main(int argc, char **argv)
{
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    if (argc > 1 && strcmp(argv[1], "unlimited-at-exec") == 0) {
        printf("RLIMIT_STACK unlimited: %s\n", rl.rlim_cur == RLIM_INFINITY ? "yes" : "no");
        dive_and_say(1280);
        return 0;
    }
    if (!stack_limit_usual(1, 1))
        return 0;
    run("raised to 512 MiB, 300 MiB deep", raised_512);
    run("raised to unlimited, 600 MiB deep", raised_unlimited);
    run("raised to 512 MiB, 600 MiB deep", past_512);
    run("unlimited at exec, 1.25 GiB deep", exec_unlimited);
    return 0;
}
