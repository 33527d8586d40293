/* x86_machine_probe.c -- asks the host x86 machine what neither
 * /proc/cpuinfo nor the kernel's settings tell, by running a tiny static
 * program of ferry's own natively in a child and reading its exit status
 * (ferry's own probe code, never the guest's).  Used by x86_machine.c,
 * lazily: a probe costs a fork and an execve (about 0.2 ms), so it runs
 * the first time a guest does what depends on the answer.
 * The programs are a few instructions each, written out as bytes beside
 * their assembly; they are loaded at PROBE_VADDR by one PT_LOAD. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "x86_machine_probe.h"

enum { PROBE_VADDR = 0x10000000, PROBE_MAX = 512 };

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* An i386 ELF: 52-byte header, one 32-byte program header, then code. */
static size_t elf32_image(uint8_t *e, const uint8_t *code, size_t n)
{
    const uint32_t at = 52 + 32, size = at + (uint32_t)n;
    memcpy(e, "\x7f" "ELF\x01\x01\x01", 7);
    put16(e + 16, 2), put16(e + 18, 3), put32(e + 20, 1), put32(e + 24, PROBE_VADDR + at);
    put32(e + 28, 52), put16(e + 40, 52), put16(e + 42, 32), put16(e + 44, 1);
    uint8_t *ph = e + 52;
    put32(ph, 1), put32(ph + 8, PROBE_VADDR), put32(ph + 12, PROBE_VADDR);
    put32(ph + 16, size), put32(ph + 20, size), put32(ph + 24, 5), put32(ph + 28, 0x1000);
    memcpy(e + at, code, n);
    return size;
}

/* An x86-64 ELF: 64-byte header, one 56-byte program header, then code. */
static size_t elf64_image(uint8_t *e, const uint8_t *code, size_t n)
{
    const uint32_t at = 64 + 56, size = at + (uint32_t)n;
    memcpy(e, "\x7f" "ELF\x02\x01\x01", 7);
    put16(e + 16, 2), put16(e + 18, 62), put32(e + 20, 1), put64(e + 24, PROBE_VADDR + at);
    put64(e + 32, 64), put16(e + 52, 64), put16(e + 54, 56), put16(e + 56, 1);
    uint8_t *ph = e + 64;
    put32(ph, 1), put32(ph + 4, 5), put64(ph + 16, PROBE_VADDR), put64(ph + 24, PROBE_VADDR);
    put64(ph + 32, size), put64(ph + 40, size), put64(ph + 48, 0x1000);
    memcpy(e + at, code, n);
    return size;
}

/* The child: raw system calls only (a copy of a threaded process).  Its
 * environment names a machine, so a ferry that binfmt_misc might start
 * for it never probes in turn. */
static _Noreturn void probe_child(int fd)
{
    char path[32];
    char *argv[] = { "ferry-probe", NULL }, *envp[] = { "FERRY_X86_MACHINE=intel", NULL };
    syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);   /* qemu-user without execveat */
    syscall(SYS_execve, path, argv, envp);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

/* Whether a SIGCHLD is pending for this process now (the guest's: the
 * probe's child is not started yet). */
static bool sigchld_pending(void)
{
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGCHLD);
}

/* Takes the probe child's SIGCHLD back.  Standard signals merge, so the
 * one pending carries the siginfo of whichever child ended first: a guest
 * child's (ended while the probe ran) is queued again as it was.  A guest
 * child that merely waits to be reaped does not matter: its SIGCHLD was
 * taken when it ended (the guest's handler may have run already). */
static void probe_take_sigchld(long pid)
{
    sigset_t chld_only;
    siginfo_t si;
    sigemptyset(&chld_only);
    sigaddset(&chld_only, SIGCHLD);
    if (sigtimedwait(&chld_only, &si, &(struct timespec){ 0, 0 }) == SIGCHLD && si.si_pid != pid)
        syscall(SYS_rt_tgsigqueueinfo, (long)getpid(), (long)gettid(), (long)SIGCHLD, &si);
}

/* Runs the image in a child (a copy of this process: raw system calls
 * only there); its exit status, 256 + the signal that killed it, or -1.
 * The child's end sends SIGCHLD whatever clone asked (execve makes the
 * exit signal SIGCHLD, and qemu-user refuses any other), so every signal
 * stays blocked in this thread until that SIGCHLD is taken back -- unless
 * one was pending before (standard signals merge: the guest's stays).
 * A guest that ignores SIGCHLD has the kernel reap children: the probe
 * sets the default meanwhile (a guest child ending then stays a zombie).
 * Left: a guest child ending just after the probe's (merged into it),
 * and another guest thread taking the signal first. */
static int probe_run(const uint8_t *image, size_t size)
{
    int fd = memfd_create("ferry-probe", MFD_CLOEXEC);
    if (fd < 0 || write(fd, image, size) != (ssize_t)size) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool guest_had = sigchld_pending();
    struct sigaction reaped, dfl = { .sa_handler = SIG_DFL };
    sigaction(SIGCHLD, NULL, &reaped);
    bool reaps = reaped.sa_handler == SIG_IGN || (reaped.sa_flags & SA_NOCLDWAIT);
    if (reaps)          /* a guest that ignores SIGCHLD: the kernel would reap the probe */
        sigaction(SIGCHLD, &dfl, NULL);
    long pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    if (pid == 0)
        probe_child(fd);
    int status = 0;
    bool waited = pid > 0 && waitpid((pid_t)pid, &status, __WALL) == pid;
    if (reaps)
        sigaction(SIGCHLD, &reaped, NULL);
    if (pid > 0 && !guest_had)
        probe_take_sigchld(pid);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(fd);
    if (!waited)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 256 + WTERMSIG(status) : -1;
}

/* Exit codes the probes choose: 127 is probe_child's own failure. */
enum { SAYS_NO = 40, SAYS_YES = 41 };

static int answer(int status)
{
    return status == SAYS_YES ? 1 : status == SAYS_NO ? 0 : -1;
}

int x86_probe_ia32(void)
{
    static const uint8_t code[] = {
        0xb8, 1, 0, 0, 0,               /* mov $1, %eax (exit) */
        0xbb, SAYS_YES, 0, 0, 0,        /* mov $41, %ebx */
        0xcd, 0x80,                     /* int $0x80 */
    };
    uint8_t image[PROBE_MAX] = { 0 };
    int status = probe_run(image, elf32_image(image, code, sizeof code));
    return status == SAYS_YES ? 1 : status == 127 ? 0 : -1;    /* refused: ENOEXEC */
}

int x86_probe_ldt(void)
{
    static const uint8_t code[] = {
        0x48, 0x83, 0xec, 0x10,                         /* sub $16, %rsp: a user_desc */
        0xc7, 0x04, 0x24, 0, 0, 0, 0,                  /* entry 0 */
        0xc7, 0x44, 0x24, 0x04, 0, 0, 0, 0,             /* base 0 */
        0xc7, 0x44, 0x24, 0x08, 0xff, 0xff, 0x0f, 0,    /* limit 0xfffff */
        0xc7, 0x44, 0x24, 0x0c, 0x51, 0, 0, 0,          /* 32-bit, pages, useable */
        0xb8, 154, 0, 0, 0,                             /* mov $154, %eax (modify_ldt) */
        0xbf, 0x11, 0, 0, 0,                            /* mov $0x11, %edi */
        0x48, 0x89, 0xe6,                               /* mov %rsp, %rsi */
        0xba, 16, 0, 0, 0,                              /* mov $16, %edx */
        0x0f, 0x05,                                     /* syscall */
        0xb9, 7, 0, 0, 0,                               /* mov $7, %ecx: LDT 0, RPL 3 */
        0x31, 0xff,                                     /* xor %edi, %edi */
        0x0f, 0x02, 0xc1,                               /* lar %ecx, %eax */
        0x40, 0x0f, 0x94, 0xc7,                         /* setz %dil */
        0x83, 0xc7, SAYS_NO,                            /* add $40, %edi */
        0xb8, 231, 0, 0, 0,                             /* mov $231, %eax (exit_group) */
        0x0f, 0x05,                                     /* syscall */
    };
    uint8_t image[PROBE_MAX] = { 0 };
    return answer(probe_run(image, elf64_image(image, code, sizeof code)));
}
