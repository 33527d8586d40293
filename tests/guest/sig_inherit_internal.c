/* sig_inherit_internal.c -- signals 32 and 33 (glibc's internal SIGCANCEL
 * and SIGSETXID) ignored by whatever started the program stay ignored in
 * it, as every inherited SIG_IGN does: GNU make starts its commands so
 * (make check's guests run with both ignored), and a translator whose
 * own glibc refuses sigaction on them must ask the kernel.  The raw
 * rt_sigaction reads each disposition; /proc/self/status's SigIgn shows
 * them.  Run by hand outside make, both are SIG_DFL natively and under
 * ferry alike.  Compared against a native run. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_strings.h"

static const char *disposition(int sig)
{
    uint64_t k[4] = { 0 };              /* the kernel's struct sigaction: the handler first */
    if (syscall(SYS_rt_sigaction, sig, NULL, k, 8) != 0)
        return "error";
    return k[0] == (uint64_t)(uintptr_t)SIG_IGN ? "ignored" : k[0] == 0 ? "default" : "caught";
}

int main(void)
{
    static char text[1 << 14];
    printf("signal 32: %s, signal 33: %s\n", disposition(32), disposition(33));
    proc_slurp(AT_FDCWD, "/proc/self/status", text, sizeof text);
    char *l = strstr(text, "SigIgn:");
    printf("%.*s\n", l ? (int)strcspn(l, "\n") : 0, l ? l : "");
    (void)proc_print_strings;
    return 0;
}
