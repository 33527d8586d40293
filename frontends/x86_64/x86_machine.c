/* x86_machine.c -- which real x86-64 machine ferry's virtual CPU imitates
 * where the architecture leaves a choice (undefined flags, the alignment
 * of some memory operands and AMD's misaligned SSE mode, x87 pointers,
 * far pointers' size with REX.W, rcp/rsqrt's approximations) and where
 * the host kernel's configuration shows to user code (UMIP emulation,
 * IA32 emulation's GDT entries, CPUID faulting).  The native CPU is the
 * tests' oracle, and Intel and AMD differ in these, so ferry follows the
 * machine it runs on when it can tell:
 *   1. FERRY_X86_MACHINE: "amd" or "intel", then ",umip", ",ia32",
 *      ",cpuid_fault", ",misalignsse", ",zen5" for what is on and
 *      ",no" + a flag of feature_flags[] (",noavx", ",nobmi2", ",nopni",
 *      ",noavx_vnni", ...) for an extension of ferry's the machine lacks,
 *      with what depends on it (feature_deps[]: ",noavx" takes AVX2, FMA,
 *      F16C ... too); the test harness and the golden tests pin a machine
 *      with them all;
 *   2. /proc/cpuinfo's vendor_id, cpu family and flags: an x86 host's
 *      own, and the x86 host's under qemu-user too (it passes
 *      /proc/cpuinfo through); an extension of feature_flags[] missing
 *      from the flags is one the machine lacks (an Ice Lake server
 *      lacks AVX-VNNI, MOVDIRI and MOVDIR64B; an Atom-class Pentium AVX,
 *      BMI and more); an AArch64 host's cpuinfo has no vendor_id, and
 *      such a machine lacks none;
 *      IA32 emulation from /proc/sys/abi/vsyscall32 and the command line,
 *      then, the first time something asks (x86_machine_ia32), from the
 *      kernel itself: some hosts turn it off where neither shows it (a
 *      PVM guest kernel: "IA-32 emulation off", i386 execve ENOEXEC, the
 *      32-bit code segment absent), so ferry runs a tiny i386 program,
 *      once per process -- not at start-up, as it costs a fork and an
 *      execve (about 0.2 ms).  One more question is asked the same way,
 *      of an x86-64 program (x86_machine_probe.c), as only some
 *      platforms show it: whether the CPU sees the LDT Linux keeps (a
 *      paravirtualised kernel may not: the AMD PVM guest measured);
 *   3. otherwise (an AArch64 machine): Intel, as ferry's CPUID says
 *      GenuineIntel, with UMIP and CPUID faulting as on current Intel
 *      CPUs, and no IA32 segments (ferry runs no 32-bit code).
 * Decided once per process, before the first translation asks. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "x86_cpu.h"
#include "x86_machine_probe.h"

static struct x86_machine machine;
static char machine_name[512];       /* every word: about 370 characters */
static pthread_once_t machine_once = PTHREAD_ONCE_INIT;
static bool machine_from_host;          /* not FERRY_X86_MACHINE: the probes may run */
static bool ldt_unseen_setting;         /* FERRY_X86_MACHINE's ",noldt" */

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

/* ferry's extensions a machine may lack, named as /proc/cpuinfo's flags
 * (and, after "no", as FERRY_X86_MACHINE's words). */
static const struct { const char *flag; uint64_t feature; } feature_flags[] = {
    { "avx_vnni", X86_FEAT_AVX_VNNI }, { "movdiri", X86_FEAT_MOVDIRI },
    { "movdir64b", X86_FEAT_MOVDIR64B }, { "gfni", X86_FEAT_GFNI }, { "vaes", X86_FEAT_VAES },
    { "vpclmulqdq", X86_FEAT_VPCLMULQDQ }, { "sha_ni", X86_FEAT_SHA }, { "rdpid", X86_FEAT_RDPID },
    { "avx", X86_FEAT_AVX }, { "avx2", X86_FEAT_AVX2 }, { "fma", X86_FEAT_FMA },
    { "f16c", X86_FEAT_F16C }, { "bmi1", X86_FEAT_BMI1 }, { "bmi2", X86_FEAT_BMI2 },
    { "abm", X86_FEAT_ABM }, { "movbe", X86_FEAT_MOVBE }, { "adx", X86_FEAT_ADX },
    { "aes", X86_FEAT_AES }, { "pclmulqdq", X86_FEAT_PCLMULQDQ }, { "rdrand", X86_FEAT_RDRAND },
    { "rdseed", X86_FEAT_RDSEED }, { "xsave", X86_FEAT_XSAVE }, { "xsaveopt", X86_FEAT_XSAVEOPT },
    { "xsavec", X86_FEAT_XSAVEC }, { "popcnt", X86_FEAT_POPCNT }, { "pni", X86_FEAT_SSE3 },
    { "ssse3", X86_FEAT_SSSE3 }, { "sse4_1", X86_FEAT_SSE4_1 }, { "sse4_2", X86_FEAT_SSE4_2 },
    { "cx16", X86_FEAT_CX16 }, { "fsgsbase", X86_FEAT_FSGSBASE },
    { "clflushopt", X86_FEAT_CLFLUSHOPT }, { "clwb", X86_FEAT_CLWB }, { "rdtscp", X86_FEAT_RDTSCP },
    { "lahf_lm", X86_FEAT_LAHF_LM },
};
#define N_FEATURE_FLAGS (sizeof feature_flags / sizeof feature_flags[0])

/* What lacking one extension takes with it, as Linux's cpuid-deps.c
 * clears it (so a ",noavx" setting is a machine that could exist; the
 * host's flags have had this done by its kernel). */
static const struct { uint64_t lacked, also; } feature_deps[] = {
    { X86_FEAT_XSAVE, X86_FEAT_AVX | X86_FEAT_XSAVEOPT | X86_FEAT_XSAVEC },
    { X86_FEAT_AVX, X86_FEAT_AVX2 | X86_FEAT_FMA | X86_FEAT_F16C | X86_FEAT_VAES |
                    X86_FEAT_VPCLMULQDQ | X86_FEAT_AVX_VNNI },
};

static uint64_t with_deps(uint64_t lacks)
{
    for (size_t i = 0; i < sizeof feature_deps / sizeof feature_deps[0]; i++)
        if (lacks & feature_deps[i].lacked)
            lacks |= feature_deps[i].also;      /* (the table is in dependency order) */
    return lacks;
}

static uint64_t setting_lacks(const char *v)
{
    uint64_t lacks = 0;
    char word[32];
    for (size_t i = 0; i < N_FEATURE_FLAGS; i++) {
        strcpy(word, "no");
        strcat(word, feature_flags[i].flag);
        if (has_word(v, word, ","))
            lacks |= feature_flags[i].feature;
    }
    return with_deps(lacks);
}

static uint64_t host_lacks(const char *flags)
{
    uint64_t lacks = 0;
    for (size_t i = 0; flags && i < N_FEATURE_FLAGS; i++)
        if (!has_word(flags, feature_flags[i].flag, " "))
            lacks |= feature_flags[i].feature;
    return with_deps(lacks);
}

static void from_setting(const char *v)
{
    machine.intel = !has_word(v, "amd", ",");
    machine.umip = has_word(v, "umip", ",");
    machine.ia32 = has_word(v, "ia32", ",");
    machine.cpuid_fault = has_word(v, "cpuid_fault", ",");
    machine.misalign_sse = has_word(v, "misalignsse", ",");
    machine.zen5 = has_word(v, "zen5", ",");
    ldt_unseen_setting = has_word(v, "noldt", ",");
    machine.lacks = setting_lacks(v);
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
    machine.lacks = host_lacks(flags);
}

/* Appends ",WORD" (",no" + flag for a lacked extension) to the name. */
static void name_add(const char *prefix, const char *word)
{
    size_t n = strlen(machine_name);
    snprintf(machine_name + n, sizeof machine_name - n, ",%s%s", prefix, word);
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
        name_add("", "umip");
    if (machine.ia32)
        name_add("", "ia32");
    if (machine.cpuid_fault)
        name_add("", "cpuid_fault");
    if (machine.misalign_sse)
        name_add("", "misalignsse");
    for (size_t i = 0; i < N_FEATURE_FLAGS; i++)
        if (machine.lacks & feature_flags[i].feature)
            name_add("no", feature_flags[i].flag);
}

const struct x86_machine *x86_machine(void)
{
    pthread_once(&machine_once, decide);
    return &machine;
}

bool x86_machine_has(uint64_t feature)
{
    return !(x86_machine()->lacks & feature);
}

const char *x86_machine_name(void)
{
    pthread_once(&machine_once, decide);
    return machine_name;
}

/* ---- what only running native code tells (x86_machine_probe.c) ---- */

static bool ia32_runs, ldt_seen;
static pthread_once_t ia32_once = PTHREAD_ONCE_INIT, ldt_once = PTHREAD_ONCE_INIT;

/* Probes only run on an x86 kernel (qemu-user on one too): elsewhere
 * nothing native could answer. */
static bool host_can_probe(void)
{
    return machine_from_host && access("/proc/sys/abi/vsyscall32", F_OK) == 0;
}

static void decide_ia32(void)
{
    ia32_runs = x86_machine()->ia32 && (!machine_from_host || x86_probe_ia32() == 1);
}

static void decide_ldt(void)
{
    x86_machine();                      /* machine_from_host and the setting known after it */
    ldt_seen = host_can_probe() ? x86_probe_ldt() != 0 : !ldt_unseen_setting;
}

bool x86_machine_ia32(void)
{
    pthread_once(&ia32_once, decide_ia32);
    return ia32_runs;
}

bool x86_machine_ldt(void)
{
    pthread_once(&ldt_once, decide_ldt);
    return ldt_seen;
}
