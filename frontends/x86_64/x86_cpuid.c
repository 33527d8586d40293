/* x86_cpuid.c -- ferry's virtual CPU as CPUID reports it: a table of
 * leaves.  Only what the frontend implements is advertised: x86-64-v2
 * (x87, SSE to SSE4.2, POPCNT, CX16, LAHF/SAHF) plus LZCNT (ABM), MOVBE,
 * BMI1, BMI2, ADX, FSGSBASE, AES-NI, PCLMULQDQ, SHA, RDRAND, RDSEED and
 * RDTSCP, RDPID, XSAVE/XRSTOR/XSAVEOPT/XSAVEC/XGETBV with XCR0 = x87|SSE|AVX
 * (leaf 0xD), AVX, AVX2, FMA3 and F16C (x86_avx*.c, x86_avx2*.c, x86_fma.c,
 * x86_f16c.c), GFNI, VAES, VPCLMULQDQ and AVX-VNNI (their non-AVX-512
 * forms: x86_gfni.c, x86_crypto.c, x86_vnni.c), MOVDIRI and MOVDIR64B
 * (x86_ext_decode.c, x86_line_store.c), but no XSAVES, ERMS or MONITOR.
 * AMD's SSE4A and CLZERO only while ferry imitates an AMD machine
 * (machine_bits): the instructions run there and are #UD elsewhere, as on the Intel CPU ferry otherwise presents, so a
 * program sees on either machine what it sees natively.  Likewise every
 * extension beyond SSE2 only where the machine has it (x86_machine_has,
 * lacked_bits[]: an Ice Lake server lacks AVX-VNNI, MOVDIRI and
 * MOVDIR64B; a machine without AVX has XCR0 = x87|SSE, and leaf 0xD says
 * so).  Not RDPRU:
 * ferry's rdpru reads rdtsc's clock for MPERF and APERF (x86_rand.c), not
 * the counters (this Zen 5's kernel does not advertise it either).
 * The cache leaves (2 ->
 * "use leaf 4", 4) are coherent so glibc's cacheinfo code sizes its string
 * routines sanely.
 */
#include <string.h>

#include "x86_internal.h"

/* Leaf 1 EDX */
#define CPUID_FPU   (1u << 0)   /* x87: x86_x87_*.c */
#define CPUID_TSC   (1u << 4)
#define CPUID_CX8   (1u << 8)
#define CPUID_CMOV  (1u << 15)
#define CPUID_CLFSH (1u << 19)  /* clflush (x86_sse_table.c); every x86-64 CPU has
                                 * it, and HotSpot refuses to start without it */
#define CPUID_MMX   (1u << 23)  /* x86_mmx*.c.  Intel CPUs leave bit 23 of leaf
                                 * 0x80000001 EDX reserved (AMD mirrors MMX
                                 * there): this GenuineIntel CPU does too. */
#define CPUID_FXSR  (1u << 24)  /* fxsave/fxrstor: x86_sse_state.c */
#define CPUID_SSE   (1u << 25)
#define CPUID_SSE2  (1u << 26)
/* Leaf 1 ECX */
#define CPUID_SSE3   (1u << 0)   /* x86_sse3.c */
#define CPUID_PCLMUL (1u << 1)   /* x86_crypto.c */
#define CPUID_SSSE3  (1u << 9)   /* x86_ssse3.c */
#define CPUID_FMA    (1u << 12)  /* x86_fma.c */
#define CPUID_CX16   (1u << 13)  /* x86_cmpxchg16b.c */
#define CPUID_SSE41  (1u << 19)  /* x86_sse41_*.c */
#define CPUID_SSE42  (1u << 20)  /* x86_sse42_str.c, x86_crc32.c */
#define CPUID_MOVBE  (1u << 22)  /* x86_bmi.c */
#define CPUID_POPCNT (1u << 23)  /* x86_bits.c */
#define CPUID_AES    (1u << 25)  /* x86_crypto.c */
#define CPUID_XSAVE  (1u << 26)  /* x86_xsave.c */
#define CPUID_OSXSAVE (1u << 27) /* XCR0 readable: xgetbv */
#define CPUID_AVX    (1u << 28)  /* x86_avx*.c */
#define CPUID_F16C   (1u << 29)  /* x86_f16c.c */
#define CPUID_RDRAND (1u << 30)  /* x86_rand.c */
/* Leaf 7 sub-leaf 0 EBX */
#define CPUID7_FSGSBASE (1u << 0) /* x86_segment.c */
#define CPUID7_BMI1  (1u << 3)   /* x86_bmi.c (tzcnt: x86_bits.c) */
#define CPUID7_AVX2  (1u << 5)   /* x86_avx_int_table.c, x86_avx2*.c */
#define CPUID7_BMI2  (1u << 8)   /* x86_bmi.c */
#define CPUID7_RDSEED (1u << 18) /* x86_rand.c */
#define CPUID7_ADX   (1u << 19)  /* x86_bmi.c */
#define CPUID7_CLFLUSHOPT (1u << 23) /* x86_sse_table.c: ordered like clflush */
#define CPUID7_CLWB  (1u << 24)  /* x86_sse_table.c: a nop */
#define CPUID7_SHA   (1u << 29)  /* x86_crypto.c */
/* Leaf 7 sub-leaf 0 ECX */
#define CPUID7_GFNI  (1u << 8)   /* x86_gfni.c: legacy, VEX.128 and VEX.256 forms */
#define CPUID7_VAES  (1u << 9)   /* x86_crypto.c: VEX.256 AES rounds */
#define CPUID7_VPCLMULQDQ (1u << 10) /* x86_crypto.c: VEX.256 vpclmulqdq */
#define CPUID7_RDPID (1u << 22)  /* x86_rand.c */
#define CPUID7_MOVDIRI (1u << 27)   /* x86_ext_decode.c: a mov store */
#define CPUID7_MOVDIR64B (1u << 28) /* x86_line_store.c */
#define LEAF7_ECX (CPUID7_GFNI | CPUID7_VAES | CPUID7_VPCLMULQDQ | CPUID7_RDPID | \
                   CPUID7_MOVDIRI | CPUID7_MOVDIR64B)
/* Leaf 0xD sub-leaf 1 EAX */
#define CPUIDD1_XSAVEOPT (1u << 0)
#define CPUIDD1_XSAVEC   (1u << 1)
/* Leaf 7 sub-leaf 1 EAX */
#define CPUID71_AVX_VNNI (1u << 4) /* x86_vnni.c */
/* Leaf 0x80000001 */
#define CPUID_LAHF   (1u << 0)
#define CPUID_ABM    (1u << 5)   /* lzcnt: x86_bits.c */
#define CPUID_SYSCALL (1u << 11)
#define CPUID_NX     (1u << 20)  /* fetch needs PROT_EXEC: mem_host.c */
#define CPUID_RDTSCP (1u << 27)  /* x86_rand.c */
#define CPUID_LM     (1u << 29)

#define LEAF1_ECX (CPUID_SSE3 | CPUID_PCLMUL | CPUID_SSSE3 | CPUID_CX16 | CPUID_SSE41 | \
                   CPUID_SSE42 | CPUID_MOVBE | CPUID_POPCNT | CPUID_AES | CPUID_XSAVE | \
                   CPUID_OSXSAVE | CPUID_RDRAND | CPUID_AVX | CPUID_FMA | CPUID_F16C)
#define LEAF7_EBX (CPUID7_FSGSBASE | CPUID7_BMI1 | CPUID7_AVX2 | CPUID7_BMI2 | CPUID7_RDSEED | \
                   CPUID7_ADX | CPUID7_CLFLUSHOPT | CPUID7_CLWB | CPUID7_SHA)
#define LEAF1_EDX (CPUID_FPU | CPUID_TSC | CPUID_CX8 | CPUID_CMOV | CPUID_CLFSH | CPUID_MMX | CPUID_FXSR | CPUID_SSE | CPUID_SSE2)

struct cpuid_row { uint32_t leaf, sub; bool has_sub; uint32_t r[4]; /* eax ebx ecx edx */ };

/* Deterministic cache parameters (leaf 4): type|level<<5|self-init, ways/
 * line in ebx, sets-1 in ecx. */
#define CACHE(type, level, ways, sets) \
    { (type) | (level) << 5 | 1u << 8, ((ways) - 1u) << 22 | 63u, (sets) - 1u, 0 }

static const struct cpuid_row cpuid_rows[] = {
    { 0x0, 0, false, { 0xd, 0x756e6547, 0x6c65746e, 0x49656e69 } },  /* GenuineIntel */
    /* family 6 model 0x5e stepping 3; clflush 64 bytes, 1 logical CPU */
    { 0x1, 0, false, { 0x000506e3, 0x00010800, LEAF1_ECX, LEAF1_EDX } },
    { 0x2, 0, false, { 0x0000ff01, 0, 0, 0 } },
    { 0x4, 0, true, CACHE(1, 1, 8, 64) },       /* L1d 32 KiB */
    { 0x4, 1, true, CACHE(2, 1, 8, 64) },       /* L1i 32 KiB */
    { 0x4, 2, true, CACHE(3, 2, 16, 1024) },    /* L2 1 MiB */
    { 0x4, 3, true, CACHE(3, 3, 16, 8192) },    /* L3 8 MiB */
    /* EAX: the last sub-leaf, 1 (AVX-VNNI is there) */
    { 0x7, 0, true, { 1, LEAF7_EBX, LEAF7_ECX, 0 } },
    { 0x7, 1, true, { CPUID71_AVX_VNNI, 0, 0, 0 } },
    /* XSAVE (x86_xsave.c): XCR0 may hold x87|SSE|AVX; the area for it (and
     * at most) is 832 bytes; sub-leaf 1: XSAVEOPT, XSAVEC, XGETBV1 (not
     * XSAVES), compacted size 832; sub-leaf 2: YMM_Hi128, 256 bytes at 576. */
    { 0xd, 0, true, { 7, 832, 832, 0 } },
    { 0xd, 1, true, { 7, 832, 0, 0 } },
    { 0xd, 2, true, { 256, 576, 0, 0 } },
    { 0x80000000, 0, false, { 0x80000008, 0, 0, 0 } },
    { 0x80000001, 0, false, { 0, 0, CPUID_LAHF | CPUID_ABM,
                              CPUID_SYSCALL | CPUID_NX | CPUID_RDTSCP | CPUID_LM } },
    /* 0x80000002..4: brand string, filled in by brand_leaf() */
    { 0x80000006, 0, false, { 0, 0, 1024u << 16 | 6u << 12 | 64u, 0 } },
    { 0x80000008, 0, false, { 0x3027, 0, 0, 0 } },
};

static void brand_leaf(uint32_t leaf, uint32_t out[4])
{
    static const char brand[48] = "ferry virtual x86-64 CPU";
    memcpy(out, brand + (leaf - 0x80000002u) * 16, 16);
}

static void cpuid_table(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(uint32_t));
    if (leaf >= 0x80000002u && leaf <= 0x80000004u) { brand_leaf(leaf, out); return; }
    for (size_t i = 0; i < sizeof(cpuid_rows) / sizeof(cpuid_rows[0]); i++) {
        const struct cpuid_row *r = &cpuid_rows[i];
        if (r->leaf == leaf && (!r->has_sub || r->sub == sub)) {
            memcpy(out, r->r, sizeof(r->r));
            return;
        }
    }
}

/* Leaf 7 EBX bits 6 (FDP updated only on x87 exceptions) and 13 (FCS and
 * FDS stored as 0): what the x87 does when imitating Intel (x86_machine.c,
 * x86_x87_wait.c), said as Intel CPUs say it. */
#define CPUID7_FDP_EXCPTN_ONLY (1u << 6)
#define CPUID7_FCS_FDS_ZERO    (1u << 13)
/* AMD's user-level extensions, on AMD machines (above). */
#define CPUID_SSE4A  (1u << 6)   /* 0x80000001 ECX: x86_sse4a.c */
#define CPUID_CLZERO (1u << 0)   /* 0x80000008 EBX: x86_line_store.c */

/* Each extension a machine may lack (x86_machine.c: a host without it)
 * and its CPUID bit, which that machine's CPUID leaves out. */
struct lacked_bit { uint64_t feature; uint32_t leaf, sub; int reg; uint32_t bit; };
static const struct lacked_bit lacked_bits[] = {
    { X86_FEAT_SSE3, 1, 0, 2, CPUID_SSE3 }, { X86_FEAT_PCLMULQDQ, 1, 0, 2, CPUID_PCLMUL },
    { X86_FEAT_SSSE3, 1, 0, 2, CPUID_SSSE3 }, { X86_FEAT_FMA, 1, 0, 2, CPUID_FMA },
    { X86_FEAT_CX16, 1, 0, 2, CPUID_CX16 }, { X86_FEAT_SSE4_1, 1, 0, 2, CPUID_SSE41 },
    { X86_FEAT_SSE4_2, 1, 0, 2, CPUID_SSE42 }, { X86_FEAT_MOVBE, 1, 0, 2, CPUID_MOVBE },
    { X86_FEAT_POPCNT, 1, 0, 2, CPUID_POPCNT }, { X86_FEAT_AES, 1, 0, 2, CPUID_AES },
    { X86_FEAT_XSAVE, 1, 0, 2, CPUID_XSAVE | CPUID_OSXSAVE }, { X86_FEAT_AVX, 1, 0, 2, CPUID_AVX },
    { X86_FEAT_F16C, 1, 0, 2, CPUID_F16C }, { X86_FEAT_RDRAND, 1, 0, 2, CPUID_RDRAND },
    { X86_FEAT_FSGSBASE, 7, 0, 1, CPUID7_FSGSBASE }, { X86_FEAT_BMI1, 7, 0, 1, CPUID7_BMI1 },
    { X86_FEAT_AVX2, 7, 0, 1, CPUID7_AVX2 }, { X86_FEAT_BMI2, 7, 0, 1, CPUID7_BMI2 },
    { X86_FEAT_RDSEED, 7, 0, 1, CPUID7_RDSEED }, { X86_FEAT_ADX, 7, 0, 1, CPUID7_ADX },
    { X86_FEAT_CLFLUSHOPT, 7, 0, 1, CPUID7_CLFLUSHOPT }, { X86_FEAT_CLWB, 7, 0, 1, CPUID7_CLWB },
    { X86_FEAT_SHA, 7, 0, 1, CPUID7_SHA },
    { X86_FEAT_GFNI, 7, 0, 2, CPUID7_GFNI }, { X86_FEAT_VAES, 7, 0, 2, CPUID7_VAES },
    { X86_FEAT_VPCLMULQDQ, 7, 0, 2, CPUID7_VPCLMULQDQ }, { X86_FEAT_RDPID, 7, 0, 2, CPUID7_RDPID },
    { X86_FEAT_MOVDIRI, 7, 0, 2, CPUID7_MOVDIRI }, { X86_FEAT_MOVDIR64B, 7, 0, 2, CPUID7_MOVDIR64B },
    { X86_FEAT_AVX_VNNI, 7, 1, 0, CPUID71_AVX_VNNI },
    { X86_FEAT_XSAVEOPT, 0xd, 1, 0, CPUIDD1_XSAVEOPT }, { X86_FEAT_XSAVEC, 0xd, 1, 0, CPUIDD1_XSAVEC },
    { X86_FEAT_LAHF_LM, 0x80000001, 0, 2, CPUID_LAHF }, { X86_FEAT_ABM, 0x80000001, 0, 2, CPUID_ABM },
    { X86_FEAT_RDTSCP, 0x80000001, 0, 3, CPUID_RDTSCP },
};

/* Leaf 0xD follows XCR0 (x86_xcr0): without AVX the area is the legacy
 * region and the header, 576 bytes, and sub-leaf 2 (YMM_Hi128) is empty;
 * without XSAVE the leaf is all zero, as on such a CPU. */
static void xsave_leaf(uint32_t sub, uint32_t out[4])
{
    if (!x86_machine_has(X86_FEAT_XSAVE)) {
        memset(out, 0, 4 * sizeof(uint32_t));
        return;
    }
    if (x86_machine_has(X86_FEAT_AVX))
        return;
    if (sub == 0) {
        out[0] = (uint32_t)x86_xcr0();
        out[1] = out[2] = x86_xsave_size();
    } else if (sub == 1) {
        out[1] = x86_xsave_size();
    } else if (sub == 2) {
        memset(out, 0, 4 * sizeof(uint32_t));
    }
}

static void hide_lacking(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    for (size_t i = 0; i < sizeof lacked_bits / sizeof lacked_bits[0]; i++) {
        const struct lacked_bit *b = &lacked_bits[i];
        if (b->leaf == leaf && b->sub == sub && !x86_machine_has(b->feature))
            out[b->reg] &= ~b->bit;
    }
    if (leaf == 0xd)
        xsave_leaf(sub, out);
}

static void machine_bits(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    bool intel = x86_machine()->intel;
    if (leaf == 7 && sub == 0 && intel)
        out[1] |= CPUID7_FDP_EXCPTN_ONLY | CPUID7_FCS_FDS_ZERO;
    hide_lacking(leaf, sub, out);
    if (leaf == 0x80000001 && !intel)
        out[2] |= CPUID_SSE4A;
    if (leaf == 0x80000008 && !intel)
        out[1] |= CPUID_CLZERO;
}

/* ferry's table, less what the -cpu model lacks (x86_cpu_model.c).  ECX
 * selects a sub-leaf of leaves 4, 7 and 0xD only: glibc asks leaf 1 with
 * whatever ECX holds. */
void x86_cpuid_query(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    if (leaf != 4 && leaf != 7 && leaf != 0xd)
        sub = 0;
    cpuid_table(leaf, sub, out);
    machine_bits(leaf, sub, out);
    x86_cpu_model_mask(leaf, sub, out);
}

uint32_t x86_cpuid_hwcap(void)
{
    uint32_t r[4];
    x86_cpuid_query(1, 0, r);
    return r[3];
}

uint32_t x86_cpuid_hwcap2(void)
{
    uint32_t r[4];
    x86_cpuid_query(7, 0, r);
    return r[1] & CPUID7_FSGSBASE ? 1u << 1 : 0;    /* HWCAP2_FSGSBASE */
}

static uint64_t helper_cpuid(void *env)
{
    struct x86_cpu *c = env;
    uint32_t r[4];
    if (c->cpuid_faults) {              /* Linux's CPUID faulting: #GP(0), SI_KERNEL */
        c->rt.fault.err = 0;
        tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
    }
    x86_cpuid_query((uint32_t)c->regs[X86_RAX], (uint32_t)c->regs[X86_RCX], r);
    c->regs[X86_RAX] = r[0]; c->regs[X86_RBX] = r[1];
    c->regs[X86_RCX] = r[2]; c->regs[X86_RDX] = r[3];
    return 0;
}

const struct ir_helper x86_helper_cpuid = { (void *)helper_cpuid, "cpuid", 0, 0, IR_HELPER_RW_GLOBALS };
