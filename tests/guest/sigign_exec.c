/* sigign_exec.c -- ignored signals survive execve, and the kernel says so:
 * the program ignores SIGPIPE and SIGXFSZ, execs itself, and the new image
 * prints /proc/self/status's SigIgn and what sigaction reports.  Python's
 * test_restore_signals compares exactly that line.  Under qemu-user (the
 * AArch64 build's tests) the line lost both signals: qemu catches the
 * fatal ones on the host while telling its guest they are ignored, so
 * ferry sets each inherited SIG_IGN once more at start-up. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The standard signals' bits only: glibc's internal 32 and 33 are ferry's
 * own on the host (a harness that starts the test with them ignored would
 * otherwise differ). */
static void print_ignored(void)
{
    char line[256];
    unsigned long long ign;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) {
        perror("/proc/self/status");
        return;
    }
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "SigIgn: %llx", &ign) == 1)
            printf("SigIgn, signals 1-31: %08llx\n", ign & 0x7fffffffull);
    fclose(f);
}

static const char *disposition(int sig)
{
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    return sa.sa_handler == SIG_IGN ? "ignored" : sa.sa_handler == SIG_DFL ? "default" : "caught";
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        signal(SIGPIPE, SIG_IGN);
        signal(SIGXFSZ, SIG_IGN);
        execl("/proc/self/exe", argv[0], "after-exec", (char *)0);
        perror("execl");
        return 1;
    }
    print_ignored();
    printf("SIGPIPE %s, SIGXFSZ %s, SIGTERM %s\n", disposition(SIGPIPE),
           disposition(SIGXFSZ), disposition(SIGTERM));
    return 0;
}
