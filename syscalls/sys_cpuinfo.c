/* sys_cpuinfo.c -- the guest's /proc/cpuinfo: ferry's virtual CPU (its
 * CPUID, x86_cpuid.c with the -cpu model's mask) in the layout of Linux's
 * arch/x86/kernel/cpu/proc.c, one block per online host CPU.  The host's
 * file would tell of another CPU: on an x86-64 host features ferry does
 * not give (AVX-512: numpy's test_cpu_features compares the file with what
 * CPUID says and fails), on an AArch64 host no x86 flags at all.  The flags
 * are those with a CPUID bit and a name in Linux (cpufeatures.h), in the
 * kernel's order; the kernel's synthetic ones (constant_tsc, rep_good...)
 * and "bugs" are left out.  cpu MHz is the 1 GHz of ferry's rdtsc
 * (x86_helpers.c), bogomips twice that, as the kernel computes it from the
 * TSC.  The text is made when the file is opened, into a memfd
 * (sys_synth_open). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "sys_internal.h"

enum { R_EAX, R_EBX, R_ECX, R_EDX };
struct sys_cpuinfo_flag { uint32_t leaf, sub; uint8_t reg, bit; const char *name; };

/* Linux's flag names for CPUID bits, in its feature-word order (words 0,
 * 1, 4, 6, 9, 10, 12, 16, 18).  Bits whose name is "" in the kernel
 * (OSXSAVE, FDP_EXCPTN_ONLY, ZERO_FCS_FDS...) are absent: never shown. */
static const struct sys_cpuinfo_flag sys_cpuinfo_flags[] = {
    { 1, 0, R_EDX, 0, "fpu" }, { 1, 0, R_EDX, 1, "vme" }, { 1, 0, R_EDX, 2, "de" },
    { 1, 0, R_EDX, 3, "pse" }, { 1, 0, R_EDX, 4, "tsc" }, { 1, 0, R_EDX, 5, "msr" },
    { 1, 0, R_EDX, 6, "pae" }, { 1, 0, R_EDX, 7, "mce" }, { 1, 0, R_EDX, 8, "cx8" },
    { 1, 0, R_EDX, 9, "apic" }, { 1, 0, R_EDX, 11, "sep" }, { 1, 0, R_EDX, 12, "mtrr" },
    { 1, 0, R_EDX, 13, "pge" }, { 1, 0, R_EDX, 14, "mca" }, { 1, 0, R_EDX, 15, "cmov" },
    { 1, 0, R_EDX, 16, "pat" }, { 1, 0, R_EDX, 17, "pse36" }, { 1, 0, R_EDX, 18, "pn" },
    { 1, 0, R_EDX, 19, "clflush" }, { 1, 0, R_EDX, 21, "dts" }, { 1, 0, R_EDX, 22, "acpi" },
    { 1, 0, R_EDX, 23, "mmx" }, { 1, 0, R_EDX, 24, "fxsr" }, { 1, 0, R_EDX, 25, "sse" },
    { 1, 0, R_EDX, 26, "sse2" }, { 1, 0, R_EDX, 27, "ss" }, { 1, 0, R_EDX, 28, "ht" },
    { 1, 0, R_EDX, 29, "tm" }, { 1, 0, R_EDX, 30, "ia64" }, { 1, 0, R_EDX, 31, "pbe" },
    { 0x80000001, 0, R_EDX, 11, "syscall" }, { 0x80000001, 0, R_EDX, 19, "mp" },
    { 0x80000001, 0, R_EDX, 20, "nx" }, { 0x80000001, 0, R_EDX, 22, "mmxext" },
    { 0x80000001, 0, R_EDX, 25, "fxsr_opt" }, { 0x80000001, 0, R_EDX, 26, "pdpe1gb" },
    { 0x80000001, 0, R_EDX, 27, "rdtscp" }, { 0x80000001, 0, R_EDX, 29, "lm" },
    { 0x80000001, 0, R_EDX, 30, "3dnowext" }, { 0x80000001, 0, R_EDX, 31, "3dnow" },
    { 1, 0, R_ECX, 0, "pni" }, { 1, 0, R_ECX, 1, "pclmulqdq" }, { 1, 0, R_ECX, 2, "dtes64" },
    { 1, 0, R_ECX, 3, "monitor" }, { 1, 0, R_ECX, 4, "ds_cpl" }, { 1, 0, R_ECX, 5, "vmx" },
    { 1, 0, R_ECX, 6, "smx" }, { 1, 0, R_ECX, 7, "est" }, { 1, 0, R_ECX, 8, "tm2" },
    { 1, 0, R_ECX, 9, "ssse3" }, { 1, 0, R_ECX, 10, "cid" }, { 1, 0, R_ECX, 11, "sdbg" },
    { 1, 0, R_ECX, 12, "fma" }, { 1, 0, R_ECX, 13, "cx16" }, { 1, 0, R_ECX, 14, "xtpr" },
    { 1, 0, R_ECX, 15, "pdcm" }, { 1, 0, R_ECX, 17, "pcid" }, { 1, 0, R_ECX, 18, "dca" },
    { 1, 0, R_ECX, 19, "sse4_1" }, { 1, 0, R_ECX, 20, "sse4_2" }, { 1, 0, R_ECX, 21, "x2apic" },
    { 1, 0, R_ECX, 22, "movbe" }, { 1, 0, R_ECX, 23, "popcnt" },
    { 1, 0, R_ECX, 24, "tsc_deadline_timer" }, { 1, 0, R_ECX, 25, "aes" },
    { 1, 0, R_ECX, 26, "xsave" }, { 1, 0, R_ECX, 28, "avx" }, { 1, 0, R_ECX, 29, "f16c" },
    { 1, 0, R_ECX, 30, "rdrand" }, { 1, 0, R_ECX, 31, "hypervisor" },
    { 0x80000001, 0, R_ECX, 0, "lahf_lm" }, { 0x80000001, 0, R_ECX, 1, "cmp_legacy" },
    { 0x80000001, 0, R_ECX, 2, "svm" }, { 0x80000001, 0, R_ECX, 3, "extapic" },
    { 0x80000001, 0, R_ECX, 4, "cr8_legacy" }, { 0x80000001, 0, R_ECX, 5, "abm" },
    { 0x80000001, 0, R_ECX, 6, "sse4a" }, { 0x80000001, 0, R_ECX, 7, "misalignsse" },
    { 0x80000001, 0, R_ECX, 8, "3dnowprefetch" }, { 0x80000001, 0, R_ECX, 9, "osvw" },
    { 0x80000001, 0, R_ECX, 10, "ibs" }, { 0x80000001, 0, R_ECX, 11, "xop" },
    { 0x80000001, 0, R_ECX, 12, "skinit" }, { 0x80000001, 0, R_ECX, 13, "wdt" },
    { 0x80000001, 0, R_ECX, 15, "lwp" }, { 0x80000001, 0, R_ECX, 16, "fma4" },
    { 0x80000001, 0, R_ECX, 17, "tce" }, { 0x80000001, 0, R_ECX, 19, "nodeid_msr" },
    { 0x80000001, 0, R_ECX, 21, "tbm" }, { 0x80000001, 0, R_ECX, 22, "topoext" },
    { 0x80000001, 0, R_ECX, 23, "perfctr_core" }, { 0x80000001, 0, R_ECX, 24, "perfctr_nb" },
    { 0x80000001, 0, R_ECX, 26, "bpext" }, { 0x80000001, 0, R_ECX, 27, "ptsc" },
    { 0x80000001, 0, R_ECX, 28, "perfctr_llc" }, { 0x80000001, 0, R_ECX, 29, "mwaitx" },
    { 7, 0, R_EBX, 0, "fsgsbase" }, { 7, 0, R_EBX, 1, "tsc_adjust" }, { 7, 0, R_EBX, 2, "sgx" },
    { 7, 0, R_EBX, 3, "bmi1" }, { 7, 0, R_EBX, 4, "hle" }, { 7, 0, R_EBX, 5, "avx2" },
    { 7, 0, R_EBX, 7, "smep" }, { 7, 0, R_EBX, 8, "bmi2" }, { 7, 0, R_EBX, 9, "erms" },
    { 7, 0, R_EBX, 10, "invpcid" }, { 7, 0, R_EBX, 11, "rtm" }, { 7, 0, R_EBX, 12, "cqm" },
    { 7, 0, R_EBX, 14, "mpx" }, { 7, 0, R_EBX, 15, "rdt_a" }, { 7, 0, R_EBX, 16, "avx512f" },
    { 7, 0, R_EBX, 17, "avx512dq" }, { 7, 0, R_EBX, 18, "rdseed" }, { 7, 0, R_EBX, 19, "adx" },
    { 7, 0, R_EBX, 20, "smap" }, { 7, 0, R_EBX, 21, "avx512ifma" },
    { 7, 0, R_EBX, 23, "clflushopt" }, { 7, 0, R_EBX, 24, "clwb" },
    { 7, 0, R_EBX, 25, "intel_pt" }, { 7, 0, R_EBX, 26, "avx512pf" },
    { 7, 0, R_EBX, 27, "avx512er" }, { 7, 0, R_EBX, 28, "avx512cd" },
    { 7, 0, R_EBX, 29, "sha_ni" }, { 7, 0, R_EBX, 30, "avx512bw" }, { 7, 0, R_EBX, 31, "avx512vl" },
    { 0xd, 1, R_EAX, 0, "xsaveopt" }, { 0xd, 1, R_EAX, 1, "xsavec" },
    { 0xd, 1, R_EAX, 2, "xgetbv1" }, { 0xd, 1, R_EAX, 3, "xsaves" },
    { 7, 1, R_EAX, 4, "avx_vnni" }, { 7, 1, R_EAX, 5, "avx512_bf16" },
    { 7, 0, R_ECX, 1, "avx512vbmi" }, { 7, 0, R_ECX, 2, "umip" }, { 7, 0, R_ECX, 3, "pku" },
    { 7, 0, R_ECX, 4, "ospke" }, { 7, 0, R_ECX, 5, "waitpkg" }, { 7, 0, R_ECX, 6, "avx512_vbmi2" },
    { 7, 0, R_ECX, 8, "gfni" }, { 7, 0, R_ECX, 9, "vaes" }, { 7, 0, R_ECX, 10, "vpclmulqdq" },
    { 7, 0, R_ECX, 11, "avx512_vnni" }, { 7, 0, R_ECX, 12, "avx512_bitalg" },
    { 7, 0, R_ECX, 13, "tme" }, { 7, 0, R_ECX, 14, "avx512_vpopcntdq" },
    { 7, 0, R_ECX, 16, "la57" }, { 7, 0, R_ECX, 22, "rdpid" },
    { 7, 0, R_ECX, 23, "bus_lock_detect" }, { 7, 0, R_ECX, 25, "cldemote" },
    { 7, 0, R_ECX, 27, "movdiri" }, { 7, 0, R_ECX, 28, "movdir64b" },
    { 7, 0, R_ECX, 29, "enqcmd" }, { 7, 0, R_ECX, 30, "sgx_lc" },
    { 7, 0, R_EDX, 2, "avx512_4vnniw" }, { 7, 0, R_EDX, 3, "avx512_4fmaps" },
    { 7, 0, R_EDX, 4, "fsrm" }, { 7, 0, R_EDX, 8, "avx512_vp2intersect" },
    { 7, 0, R_EDX, 10, "md_clear" }, { 7, 0, R_EDX, 14, "serialize" },
    { 7, 0, R_EDX, 16, "tsxldtrk" }, { 7, 0, R_EDX, 18, "pconfig" },
    { 7, 0, R_EDX, 19, "arch_lbr" }, { 7, 0, R_EDX, 20, "ibt" },
    { 7, 0, R_EDX, 22, "amx_bf16" }, { 7, 0, R_EDX, 23, "avx512_fp16" },
    { 7, 0, R_EDX, 24, "amx_tile" }, { 7, 0, R_EDX, 25, "amx_int8" },
    { 7, 0, R_EDX, 28, "flush_l1d" }, { 7, 0, R_EDX, 29, "arch_capabilities" },
    { 0x80000008, 0, R_EBX, 0, "clzero" },
};
#define SYS_CPUINFO_FLAGS (sizeof sys_cpuinfo_flags / sizeof *sys_cpuinfo_flags)

/* CPUID as the guest sees it, 0 past the highest leaf of its range. */
static void sys_cpuinfo_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    uint32_t top[4];
    x86_cpuid_query(leaf & 0x80000000u, 0, top);
    if (leaf > top[0]) {
        memset(r, 0, 4 * sizeof *r);
        return;
    }
    x86_cpuid_query(leaf, sub, r);
}

static void sys_cpuinfo_print_flags(FILE *out)
{
    fputs("flags\t\t:", out);
    for (size_t i = 0; i < SYS_CPUINFO_FLAGS; i++) {
        const struct sys_cpuinfo_flag *f = &sys_cpuinfo_flags[i];
        uint32_t r[4];
        sys_cpuinfo_cpuid(f->leaf, f->sub, r);
        if (r[f->reg] >> f->bit & 1)
            fprintf(out, " %s", f->name);
    }
    fputc('\n', out);
}

/* The brand string (leaves 0x80000002-4) without leading or trailing blanks. */
static void sys_cpuinfo_brand(char brand[49])
{
    memset(brand, 0, 49);
    for (uint32_t l = 0; l < 3; l++) {
        uint32_t r[4];
        sys_cpuinfo_cpuid(0x80000002u + l, 0, r);
        memcpy(brand + 16 * l, r, 16);
    }
    size_t lead = strspn(brand, " "), n = strlen(brand + lead);
    memmove(brand, brand + lead, n + 1);
    while (n && brand[n - 1] == ' ')
        brand[--n] = 0;
}

/* The largest cache of leaf 4 in KB (the kernel's "cache size"). */
static unsigned sys_cpuinfo_cache_kb(void)
{
    unsigned best = 0;
    for (uint32_t sub = 0; sub < 16; sub++) {
        uint32_t r[4];
        sys_cpuinfo_cpuid(4, sub, r);
        if (!(r[0] & 0x1f))
            break;
        unsigned bytes = ((r[1] >> 22) + 1) * ((r[1] >> 12 & 0x3ff) + 1) * ((r[1] & 0xfff) + 1) *
                         (r[2] + 1);
        best = bytes / 1024 > best ? bytes / 1024 : best;
    }
    return best;
}

/* The lines above "flags" that identify the CPU. */
static void sys_cpuinfo_ident(FILE *out, int cpu, int ncpu)
{
    uint32_t r0[4], r1[4], r8[4];
    char vendor[13], brand[49];
    sys_cpuinfo_cpuid(0, 0, r0);
    memcpy(vendor, &r0[1], 4); memcpy(vendor + 4, &r0[3], 4); memcpy(vendor + 8, &r0[2], 4);
    vendor[12] = 0;
    sys_cpuinfo_cpuid(1, 0, r1);
    unsigned fam = r1[0] >> 8 & 0xf, model = r1[0] >> 4 & 0xf;
    if (fam == 0xf)
        fam += r1[0] >> 20 & 0xff;
    if (fam >= 6)
        model |= (r1[0] >> 16 & 0xf) << 4;
    sys_cpuinfo_brand(brand);
    fprintf(out, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
            "model name\t: %s\nstepping\t: %u\n", cpu, vendor, fam, model, brand, r1[0] & 0xf);
    if (r1[3] & 1u << 4)        /* TSC: the 1 GHz of x86_helpers.c's rdtsc */
        fputs("cpu MHz\t\t: 1000.000\n", out);
    fprintf(out, "cache size\t: %u KB\n", sys_cpuinfo_cache_kb());
    fprintf(out, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n"
            "apicid\t\t: %d\ninitial apicid\t: %d\n", ncpu, cpu, ncpu, cpu, cpu);
    fprintf(out, "fpu\t\t: %s\nfpu_exception\t: %s\ncpuid level\t: %u\nwp\t\t: yes\n",
            r1[3] & 1 ? "yes" : "no", r1[3] & 1 ? "yes" : "no", r0[0]);
    sys_cpuinfo_print_flags(out);
    sys_cpuinfo_cpuid(0x80000008u, 0, r8);
    fprintf(out, "bugs\t\t:\nbogomips\t: %s\nclflush size\t: %u\ncache_alignment\t: %u\n"
            "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
            r1[3] & 1u << 4 ? "2000.00" : "0.00", (r1[1] >> 8 & 0xff) * 8,
            (r1[1] >> 8 & 0xff) * 8, r8[0] & 0xff, r8[0] >> 8 & 0xff);
}

static int sys_cpuinfo_fill(int fd)
{
    FILE *out = fdopen(dup(fd), "w");
    if (!out)
        return -EIO;
    int ncpu = get_nprocs();    /* the kernel's file: one block per online CPU */
    for (int cpu = 0; cpu < (ncpu > 0 ? ncpu : 1); cpu++)
        sys_cpuinfo_ident(out, cpu, ncpu > 0 ? ncpu : 1);
    if (fclose(out))
        return -EIO;
    return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -errno;
}

int64_t sys_cpuinfo_open(int host_flags)
{
    return sys_synth_open("cpuinfo", host_flags, sys_cpuinfo_fill);
}
