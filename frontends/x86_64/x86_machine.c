/* x86_machine.c -- which real x86-64 machine ferry's virtual CPU imitates
 * where the architecture leaves a choice (undefined flags, the alignment
 * of some memory operands and AMD's misaligned SSE mode, x87 pointers,
 * far pointers' size with REX.W, rcp/rsqrt's approximations) and where
 * the host kernel's configuration shows to user code (UMIP emulation,
 * IA32 emulation's GDT entries, CPUID faulting).  The native CPU is the
 * tests' oracle, and Intel and AMD differ in these, so ferry follows the
 * machine it runs on when it can tell:
 *   1. FERRY_X86_MACHINE: "amd" or "intel", then ",umip", ",ia32",
 *      ",cpuid_fault", ",misalignsse", ",zen5" for what is on (the test
 *      harness and the golden tests pin a machine with it);
 *   2. /proc/cpuinfo's vendor_id, cpu family and flags: an x86 host's
 *      own, and the x86 host's under qemu-user too (it passes
 *      /proc/cpuinfo through);
 *      IA32 emulation from /proc/sys/abi/vsyscall32 and the command line,
 *      then, the first time something asks (x86_machine_ia32), from the
 *      kernel itself: some hosts turn it off where neither shows it (a
 *      PVM guest kernel: "IA-32 emulation off", i386 execve ENOEXEC, the
 *      32-bit code segment absent), so ferry tries to run a 96-byte i386
 *      program, once per process -- not at start-up, as it costs a fork
 *      and an execve (about 0.2 ms);
 *   3. otherwise (an AArch64 machine): Intel, as ferry's CPUID says
 *      GenuineIntel, with UMIP and CPUID faulting as on current Intel
 *      CPUs, and no IA32 segments (ferry runs no 32-bit code).
 * Decided once per process, before the first translation asks. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "x86_cpu.h"

static struct x86_machine machine;
static char machine_name[64];
static pthread_once_t machine_once = PTHREAD_ONCE_INIT;
static bool machine_from_host;          /* not FERRY_X86_MACHINE: ia32 wants the probe */
static bool ia32_runs;                  /* the probe's answer */
static pthread_once_t ia32_once = PTHREAD_ONCE_INIT;

/* The first bytes of a file, NUL-terminated ("" when unreadable). */
static void read_head(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);
    buf[n > 0 ? n : 0] = 0;
    if (fd >= 0)
        close(fd);
}

/* Whether the comma- or space-separated list s has the word w. */
static bool has_word(const char *s, const char *w, const char *seps)
{
    size_t n = strlen(w);
    for (const char *p = s; (p = strstr(p, w)); p += n) {
        bool starts = p == s || strchr(seps, p[-1]);
        bool ends = !p[n] || strchr(seps, p[n]);
        if (starts && ends)
            return true;
    }
    return false;
}

static void from_setting(const char *v)
{
    machine.intel = !has_word(v, "amd", ",");
    machine.umip = has_word(v, "umip", ",");
    machine.ia32 = has_word(v, "ia32", ",");
    machine.cpuid_fault = has_word(v, "cpuid_fault", ",");
    machine.misalign_sse = has_word(v, "misalignsse", ",");
    machine.zen5 = has_word(v, "zen5", ",");
}

/* The value of "key\t...: value" in cpuinfo's first processor, or NULL;
 * the value ends at the line's end (written over with NUL). */
static char *cpuinfo_field(char *info, const char *key)
{
    char *p = strstr(info, key);
    char *colon = p ? strchr(p, ':') : NULL;
    if (!colon)
        return NULL;
    char *end = strchr(colon, '\n');
    if (end)
        *end = 0;
    return colon + 1;
}

static bool ia32_enabled(void)
{
    char cmdline[4096];
    if (access("/proc/sys/abi/vsyscall32", F_OK) != 0)
        return false;
    read_head("/proc/cmdline", cmdline, sizeof cmdline);
    return !has_word(cmdline, "ia32_emulation=0", " \n") &&
           !has_word(cmdline, "ia32_emulation=false", " \n") &&
           !has_word(cmdline, "ia32_emulation=off", " \n");
}

static void from_host(void)
{
    static char info[16384];
    read_head("/proc/cpuinfo", info, sizeof info);
    char *vendor = cpuinfo_field(info, "vendor_id");
    if (!vendor) {
        machine = (struct x86_machine){ .intel = true, .umip = true, .cpuid_fault = true };
        return;
    }
    char *family = cpuinfo_field(vendor + strlen(vendor) + 1, "cpu family");
    char *rest = family ? family + strlen(family) + 1 : vendor + strlen(vendor) + 1;
    char *flags = cpuinfo_field(rest, "\nflags");
    machine.intel = !strstr(vendor, "AuthenticAMD") && !strstr(vendor, "HygonGenuine");
    machine.zen5 = strstr(vendor, "AuthenticAMD") && family && atoi(family) == 26;
    machine.umip = flags && has_word(flags, "umip", " ");
    machine.cpuid_fault = flags && has_word(flags, "cpuid_fault", " ");
    machine.misalign_sse = flags && has_word(flags, "misalignsse", " ");
    machine.ia32 = ia32_enabled();
}

static void decide(void)
{
    const char *v = getenv("FERRY_X86_MACHINE");
    machine_from_host = !(v && *v);
    if (!machine_from_host)
        from_setting(v);
    else
        from_host();
    strcpy(machine_name, machine.intel ? "intel" : "amd");
    if (machine.umip)
        strcat(machine_name, ",umip");
    if (machine.ia32)
        strcat(machine_name, ",ia32");
    if (machine.cpuid_fault)
        strcat(machine_name, ",cpuid_fault");
    if (machine.misalign_sse)
        strcat(machine_name, ",misalignsse");
}

const struct x86_machine *x86_machine(void)
{
    pthread_once(&machine_once, decide);
    return &machine;
}

const char *x86_machine_name(void)
{
    pthread_once(&machine_once, decide);
    return machine_name;
}

/* ---- whether the kernel runs i386 code (x86_machine_ia32) ---- */

enum { IA32_PROBE_EXIT = 42, IA32_PROBE_VADDR = 0x10000000 };

/* A static i386 ELF of one PT_LOAD whose code is exit(42) by int $0x80:
 * mov $1,%eax; mov $42,%ebx; int $0x80.  The kernel refuses it
 * (ENOEXEC) when IA32 emulation is off. */
static size_t ia32_probe_image(uint8_t *e)
{
    static const uint8_t code[] = { 0xb8, 1, 0, 0, 0, 0xbb, IA32_PROBE_EXIT, 0, 0, 0, 0xcd, 0x80 };
    const uint32_t entry = 52 + 32, size = entry + sizeof code;
    const uint32_t ehdr[] = { 0x464c457f, 0x00010101, 0, 0, 0x00030002, 1, IA32_PROBE_VADDR + entry,
                              52, 0, 0, 0x00200034, 1 };
    const uint32_t phdr[] = { 1, 0, IA32_PROBE_VADDR, IA32_PROBE_VADDR, size, size, 5, 0x1000 };
    memcpy(e, ehdr, sizeof ehdr);
    memcpy(e + 52, phdr, sizeof phdr);
    memcpy(e + entry, code, sizeof code);
    return size;
}

/* The child: raw system calls only (a copy of a threaded process). */
static _Noreturn void ia32_probe_child(int fd)
{
    char path[32];
    char *argv[] = { "ferry-ia32-probe", NULL }, *envp[] = { NULL };
    syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);   /* qemu-user without execveat */
    syscall(SYS_execve, path, argv, envp);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

/* Runs the probe in a child made by clone with no exit signal (no
 * SIGCHLD reaches the guest) and every signal blocked. */
static bool ia32_probe(void)
{
    uint8_t image[128] = { 0 };
    int fd = memfd_create("ferry-ia32-probe", MFD_CLOEXEC);
    if (fd < 0 || write(fd, image, ia32_probe_image(image)) < 0) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    long pid = syscall(SYS_clone, 0L, 0L, 0L, 0L, 0L);
    if (pid == 0)
        ia32_probe_child(fd);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    int status = 0;
    bool ran = pid > 0 && waitpid((pid_t)pid, &status, __WALL) == pid && WIFEXITED(status) &&
               WEXITSTATUS(status) == IA32_PROBE_EXIT;
    close(fd);
    return ran;
}

static void decide_ia32(void)
{
    ia32_runs = x86_machine()->ia32 && (!machine_from_host || ia32_probe());
}

bool x86_machine_ia32(void)
{
    pthread_once(&ia32_once, decide_ia32);
    return ia32_runs;
}
