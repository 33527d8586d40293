/* sigblk_kept_exec.c -- a blocked signal stays blocked across execve, glibc's
 * internal 32 and 33 too (blocked by the raw rt_sigprocmask: glibc's own
 * sigprocmask leaves them out, and so did a translator's glibc when it
 * handed the guest's mask to the host before the exec).  The program
 * blocks SIGUSR1, SIGTRAP, 32 and 33 and execs itself; the new image
 * prints its mask and /proc/self/status's SigBlk (their bits).  Compared
 * against a native run. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_strings.h"

#define BIT(sig) (1ull << ((sig) - 1))
static const unsigned long long mine = BIT(SIGUSR1) | BIT(SIGTRAP) | BIT(32) | BIT(33);

int main(int argc, char **argv)
{
    static char text[1 << 14];
    unsigned long long mask = 0, blk = 0;
    if (argc < 2) {
        mask = mine;
        if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &mask, NULL, 8) != 0)
            perror("rt_sigprocmask");
        execl("/proc/self/exe", argv[0], "after-exec", (char *)0);
        perror("execl");
        return 1;
    }
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8);
    printf("mask, these signals: %llx\n", mask & mine);
    proc_slurp(AT_FDCWD, "/proc/self/status", text, sizeof text);
    char *l = strstr(text, "SigBlk:");
    if (l && sscanf(l, "SigBlk: %llx", &blk) == 1)
        printf("SigBlk, these signals: %llx\n", blk & mine);
    (void)proc_print_strings;
    return 0;
}
