/* x86_machine.c -- which real x86-64 machine ferry's virtual CPU imitates
 * where the architecture leaves a choice (undefined flags, the alignment
 * of some memory operands, x87 pointers, far pointers' size with REX.W)
 * and where the host kernel's configuration shows to user code (UMIP
 * emulation, IA32 emulation's GDT entries, CPUID faulting).  The native
 * CPU is the tests' oracle, and Intel and AMD differ in these, so ferry
 * follows the machine it runs on when it can tell:
 *   1. FERRY_X86_MACHINE: "amd" or "intel", then ",umip", ",ia32",
 *      ",cpuid_fault" for what is on (the test harness and the golden
 *      tests pin a machine with it);
 *   2. /proc/cpuinfo's vendor_id and flags: an x86 host's own, and the x86
 *      host's under qemu-user too (it passes /proc/cpuinfo through);
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
 * Decided once per process, before the first translation asks.  Whether
 * the CPU sees the LDT modify_ldt writes (x86_machine_ldt_seen) is asked
 * of the host the same way as IA32 emulation: a PVM guest kernel keeps
 * the table (modify_ldt reads it back) but never loads it, so every LDT
 * selector is #GP there; a tiny x86-64 program tells, once per process
 * that uses an LDT selector ("ldt_unseen" in FERRY_X86_MACHINE pins it). */
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
#include <time.h>
#include <unistd.h>

#include "x86_cpu.h"

static struct x86_machine machine;
static char machine_name[64];
static pthread_once_t machine_once = PTHREAD_ONCE_INIT;
static bool machine_from_host;          /* not FERRY_X86_MACHINE: ia32 wants the probe */
static bool ia32_runs;                  /* the probe's answer */
static pthread_once_t ia32_once = PTHREAD_ONCE_INIT;
static bool ldt_unseen_setting;         /* FERRY_X86_MACHINE's "ldt_unseen" */
static bool ldt_seen;                   /* the LDT probe's answer */
static pthread_once_t ldt_once = PTHREAD_ONCE_INIT;

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
    ldt_unseen_setting = has_word(v, "ldt_unseen", ",");
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
    char *flags = cpuinfo_field(vendor + strlen(vendor) + 1, "\nflags");
    machine.intel = !strstr(vendor, "AuthenticAMD") && !strstr(vendor, "HygonGenuine");
    machine.umip = flags && has_word(flags, "umip", " ");
    machine.cpuid_fault = flags && has_word(flags, "cpuid_fault", " ");
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
static _Noreturn void probe_child(int fd)
{
    char path[32];
    char *argv[] = { "ferry-probe", NULL }, *envp[] = { NULL };
    syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);   /* qemu-user without execveat */
    syscall(SYS_execve, path, argv, envp);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

/* A child of the guest's waiting to be reaped or seen (a zombie,
 * stopped or continued): its SIGCHLD may be the one pending. */
static bool guest_child_waits(void)
{
    siginfo_t si = { 0 };
    int opts = WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT | __WALL;
    return waitid(P_ALL, 0, &si, opts) == 0 && si.si_pid != 0;
}

/* Whether the guest could own a SIGCHLD now: one pending, or a child
 * waiting. */
static bool guest_sigchld(void)
{
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGCHLD) || guest_child_waits();
}

/* Runs a probe program (an ELF image) in a child; its exit status, or -1
 * when it did not run to an exit.  Under qemu-user the host kernel runs
 * it natively, as on the x86 host itself; an AArch64 kernel refuses it
 * (ENOEXEC: status 127).  The child's exit sends SIGCHLD whatever clone
 * asked (execve makes the exit signal SIGCHLD; qemu-user refuses any
 * other), so every signal stays blocked in this thread until that
 * SIGCHLD is taken back -- unless the guest may own one too (standard
 * signals merge: the guest's stays).  Left: a guest child ending in the
 * same instant, another guest thread taking the signal first, and a
 * guest that ignores SIGCHLD (ferry ignores it on the host too: the child
 * is reaped unseen, the answer is -1). */
static int probe_status(const uint8_t *image, size_t size)
{
    int fd = memfd_create("ferry-probe", MFD_CLOEXEC);
    if (fd < 0 || write(fd, image, size) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    sigset_t all, old, chld_set;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool guest_had = guest_sigchld();
    long pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    if (pid == 0)
        probe_child(fd);
    int status = 0;
    bool exited = pid > 0 && waitpid((pid_t)pid, &status, __WALL) == pid && WIFEXITED(status);
    struct timespec now = { 0, 0 };
    sigemptyset(&chld_set);
    sigaddset(&chld_set, SIGCHLD);
    if (pid > 0 && !guest_had && !guest_child_waits())
        sigtimedwait(&chld_set, NULL, &now);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(fd);
    return exited ? WEXITSTATUS(status) : -1;
}

static bool ia32_probe(void)
{
    uint8_t image[128] = { 0 };
    return probe_status(image, ia32_probe_image(image)) == IA32_PROBE_EXIT;
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

/* ---- whether the CPU sees the process's LDT (x86_machine_ldt_seen) ---- */

enum { LDT_PROBE_UNSEEN = 43, LDT_PROBE_VADDR = 0x10000000 };

/* A static x86-64 ELF of one PT_LOAD: modify_ldt(1) writes entry 0 (a
 * flat writable data segment), then lar 0x7; exit(43) when the write
 * worked and lar found no descriptor, else exit(0). */
static size_t ldt_probe_image(uint8_t *e)
{
    static const uint8_t code[] = {
        0x48, 0xb8, 0xff, 0xff, 0x0f, 0x00, 0x11, 0, 0, 0,  /* movabs $0x11000fffff, %rax */
        0x50, 0x6a, 0x00,                                   /* push %rax; push $0 */
        0xb8, 154, 0, 0, 0, 0xbf, 1, 0, 0, 0,               /* mov $154,%eax; mov $1,%edi */
        0x48, 0x89, 0xe6, 0xba, 16, 0, 0, 0, 0x0f, 0x05,    /* mov %rsp,%rsi; mov $16,%edx; syscall */
        0x85, 0xc0, 0x75, 0x11,                             /* test %eax,%eax; jnz seen */
        0xb9, 7, 0, 0, 0, 0x0f, 0x02, 0xc9, 0x74, 0x07,     /* mov $7,%ecx; lar %ecx,%ecx; jz seen */
        0xbf, LDT_PROBE_UNSEEN, 0, 0, 0, 0xeb, 0x02,        /* mov $43,%edi; jmp out */
        0x31, 0xff,                                         /* seen: xor %edi,%edi */
        0xb8, 60, 0, 0, 0, 0x0f, 0x05,                      /* out: mov $60,%eax; syscall */
    };
    const uint64_t entry = 64 + 56, size = entry + sizeof code;
    const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
    const uint16_t type_machine[2] = { 2, 62 };                 /* ET_EXEC, EM_X86_64 */
    const uint32_t version = 1;
    const uint64_t entry_phoff[3] = { LDT_PROBE_VADDR + entry, 64, 0 };
    const uint16_t sizes[6] = { 64, 56, 1, 0, 0, 0 };           /* ehsize .. shstrndx */
    const uint32_t ptype_flags[2] = { 1, 5 };                   /* PT_LOAD, R+X */
    const uint64_t pload[6] = { 0, LDT_PROBE_VADDR, LDT_PROBE_VADDR, size, size, 0x1000 };
    memcpy(e, ident, sizeof ident);
    memcpy(e + 16, type_machine, sizeof type_machine);
    memcpy(e + 20, &version, sizeof version);
    memcpy(e + 24, entry_phoff, sizeof entry_phoff);
    memcpy(e + 52, sizes, sizeof sizes);                        /* (e_flags at 48: 0) */
    memcpy(e + 64, ptype_flags, sizeof ptype_flags);
    memcpy(e + 72, pload, sizeof pload);
    memcpy(e + entry, code, sizeof code);
    return size;
}

static void decide_ldt(void)
{
    uint8_t image[256] = { 0 };
    if (!machine_from_host)
        ldt_seen = !ldt_unseen_setting;
    else
        ldt_seen = probe_status(image, ldt_probe_image(image)) != LDT_PROBE_UNSEEN;
}

bool x86_machine_ldt_seen(void)
{
    pthread_once(&machine_once, decide);
    pthread_once(&ldt_once, decide_ldt);
    return ldt_seen;
}
