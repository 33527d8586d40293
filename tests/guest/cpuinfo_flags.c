/* cpuinfo_flags.c -- /proc/cpuinfo agrees with CPUID: each feature flag
 * is listed iff CPUID has its bit, vendor_id, family, model, stepping,
 * and "cpuid level" decode CPUID (not model name: a hypervisor may set
 * the kernel's), every processor's block has
 * the same flags, and there is one block per online CPU.  Programs take
 * their features from either (numpy's test_cpu_features compares the
 * two); under a translator whose CPUID differs from the host's, the
 * host's file would tell of features (AVX-512) the guest CPU lacks.
 * Prints only agreement, so the native run is the oracle on any CPU. */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct flag { const char *name; unsigned leaf, sub; int reg; int bit; };
enum { EAX, EBX, ECX, EDX };

/* Linux's names (arch/x86/include/asm/cpufeatures.h) of CPUID-bit flags
 * the kernel passes through unchanged (not abm or fsgsbase: a PVM guest
 * kernel, like the test machine's, hides them while CPUID has them). */
static const struct flag flags[] = {
    { "fpu", 1, 0, EDX, 0 }, { "tsc", 1, 0, EDX, 4 }, { "cx8", 1, 0, EDX, 8 },
    { "cmov", 1, 0, EDX, 15 }, { "clflush", 1, 0, EDX, 19 }, { "mmx", 1, 0, EDX, 23 },
    { "fxsr", 1, 0, EDX, 24 }, { "sse", 1, 0, EDX, 25 }, { "sse2", 1, 0, EDX, 26 },
    { "pni", 1, 0, ECX, 0 }, { "pclmulqdq", 1, 0, ECX, 1 }, { "ssse3", 1, 0, ECX, 9 },
    { "fma", 1, 0, ECX, 12 }, { "cx16", 1, 0, ECX, 13 }, { "sse4_1", 1, 0, ECX, 19 },
    { "sse4_2", 1, 0, ECX, 20 }, { "movbe", 1, 0, ECX, 22 }, { "popcnt", 1, 0, ECX, 23 },
    { "aes", 1, 0, ECX, 25 }, { "xsave", 1, 0, ECX, 26 }, { "avx", 1, 0, ECX, 28 },
    { "f16c", 1, 0, ECX, 29 }, { "rdrand", 1, 0, ECX, 30 },
    { "syscall", 0x80000001, 0, EDX, 11 }, { "nx", 0x80000001, 0, EDX, 20 },
    { "rdtscp", 0x80000001, 0, EDX, 27 }, { "lm", 0x80000001, 0, EDX, 29 },
    { "lahf_lm", 0x80000001, 0, ECX, 0 },
    { "xop", 0x80000001, 0, ECX, 11 }, { "fma4", 0x80000001, 0, ECX, 16 },
    { "bmi1", 7, 0, EBX, 3 }, { "avx2", 7, 0, EBX, 5 },
    { "bmi2", 7, 0, EBX, 8 }, { "avx512f", 7, 0, EBX, 16 }, { "avx512dq", 7, 0, EBX, 17 },
    { "rdseed", 7, 0, EBX, 18 }, { "adx", 7, 0, EBX, 19 }, { "avx512ifma", 7, 0, EBX, 21 },
    { "clflushopt", 7, 0, EBX, 23 }, { "clwb", 7, 0, EBX, 24 }, { "avx512pf", 7, 0, EBX, 26 },
    { "avx512er", 7, 0, EBX, 27 }, { "avx512cd", 7, 0, EBX, 28 }, { "sha_ni", 7, 0, EBX, 29 },
    { "avx512bw", 7, 0, EBX, 30 }, { "avx512vl", 7, 0, EBX, 31 },
    { "avx512vbmi", 7, 0, ECX, 1 }, { "avx512_vbmi2", 7, 0, ECX, 6 }, { "gfni", 7, 0, ECX, 8 },
    { "vaes", 7, 0, ECX, 9 }, { "vpclmulqdq", 7, 0, ECX, 10 }, { "avx512_vnni", 7, 0, ECX, 11 },
    { "avx512_bitalg", 7, 0, ECX, 12 }, { "avx512_vpopcntdq", 7, 0, ECX, 14 },
    { "rdpid", 7, 0, ECX, 22 }, { "movdiri", 7, 0, ECX, 27 }, { "movdir64b", 7, 0, ECX, 28 },
    { "clzero", 0x80000008, 0, EBX, 0 }, { "avx512_4vnniw", 7, 0, EDX, 2 },
    { "avx512_4fmaps", 7, 0, EDX, 3 }, { "avx512_vp2intersect", 7, 0, EDX, 8 },
    { "avx512_fp16", 7, 0, EDX, 23 }, { "avx_vnni", 7, 1, EAX, 4 }, { "avx512_bf16", 7, 1, EAX, 5 },
    { "xsaveopt", 0xd, 1, EAX, 0 }, { "xsavec", 0xd, 1, EAX, 1 }, { "xgetbv1", 0xd, 1, EAX, 2 },
};
#define NFLAGS (sizeof flags / sizeof *flags)

static unsigned max_basic, max_ext;

static int cpuid_has(const struct flag *f)
{
    unsigned r[4] = { 0, 0, 0, 0 };
    if (f->leaf >= 0x80000000u ? f->leaf > max_ext : f->leaf > max_basic)
        return 0;
    __cpuid_count(f->leaf, f->sub, r[EAX], r[EBX], r[ECX], r[EDX]);
    return (r[f->reg] >> f->bit) & 1;
}

/* " name " in " flags-line " */
static int line_has(const char *line, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = line; (p = strstr(p, name)); p += n)
        if ((p == line || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
            return 1;
    return 0;
}

/* The value after "key<tabs>: " in line, or NULL. */
static const char *value_of(const char *line, const char *key)
{
    size_t n = strlen(key);
    if (strncmp(line, key, n) || (line[n] != '\t' && line[n] != ':'))
        return NULL;
    const char *c = strchr(line, ':');
    return c ? c + 1 + (c[1] == ' ') : NULL;
}

static void trim(char *s)
{
    s[strcspn(s, "\n")] = 0;
}

static void check_ids(FILE *f)
{
    unsigned a, b, c, d;
    char vendor[13], line[4096];
    __cpuid(0, a, b, c, d);
    memcpy(vendor, &b, 4); memcpy(vendor + 4, &d, 4); memcpy(vendor + 8, &c, 4);
    vendor[12] = 0;
    unsigned level = a;
    __cpuid(1, a, b, c, d);
    unsigned fam = (a >> 8) & 0xf, model = (a >> 4) & 0xf, step = a & 0xf;
    if (fam == 0xf)
        fam += (a >> 20) & 0xff;
    if (fam >= 6)
        model |= ((a >> 16) & 0xf) << 4;
    rewind(f);
    int seen = 0;
    while (fgets(line, sizeof line, f) && seen < 5) {
        const char *v;
        char val[256];
        if ((v = value_of(line, "vendor_id"))) {
            snprintf(val, sizeof val, "%s", v); trim(val);
            printf("vendor_id agrees: %d\n", !strcmp(val, vendor)); seen++;
        } else if ((v = value_of(line, "cpu family"))) {
            printf("cpu family agrees: %d\n", (unsigned)atoi(v) == fam); seen++;
        } else if ((v = value_of(line, "model"))) {
            printf("model agrees: %d\n", (unsigned)atoi(v) == model); seen++;
        } else if ((v = value_of(line, "stepping"))) {
            printf("stepping agrees: %d\n", (unsigned)atoi(v) == step); seen++;
        } else if ((v = value_of(line, "cpuid level"))) {
            printf("cpuid level agrees: %d\n", (unsigned)atoi(v) == level); seen++;
        }
    }
    printf("id lines found: %d\n", seen);
}

int main(void)
{
    unsigned a, b, c, d;
    __cpuid(0, a, b, c, d);
    max_basic = a;
    __cpuid(0x80000000u, a, b, c, d);
    max_ext = a;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) {
        perror("/proc/cpuinfo");
        return 1;
    }
    static char first[8192], line[8192];
    int blocks = 0, same = 1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "processor", 9))
            blocks++;
        if (!value_of(line, "flags"))
            continue;
        if (!first[0])
            strcpy(first, value_of(line, "flags"));
        else if (strcmp(first, value_of(line, "flags")))
            same = 0;
    }
    printf("one block per online CPU: %d\n", blocks == sysconf(_SC_NPROCESSORS_ONLN));
    printf("flags the same in every block: %d\n", same);
    int agree = 0;
    for (size_t i = 0; i < NFLAGS; i++) {
        int ok = cpuid_has(&flags[i]) == line_has(first, flags[i].name);
        agree += ok;
        if (!ok)
            printf("%s: cpuid %d, cpuinfo %d\n", flags[i].name, cpuid_has(&flags[i]),
                   line_has(first, flags[i].name));
    }
    printf("flags agreeing with CPUID: %d of %zu\n", agree, NFLAGS);
    check_ids(f);
    fclose(f);
    return 0;
}
