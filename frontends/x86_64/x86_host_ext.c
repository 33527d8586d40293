/* x86_host_ext.c -- the instructions of an extension the imitated machine
 * lacks are #UD, as on that CPU natively.  ferry implements them all;
 * x86_machine.c says which the host lacks (/proc/cpuinfo's flags, or
 * FERRY_X86_MACHINE's ",no..." words) and CPUID hides the same ones
 * (x86_cpuid.c).  What an instruction needs comes from three places:
 *   - capstone's groups, which follow the encoding (vpaddb xmm is AVX,
 *     vpaddb ymm AVX2; vaesenc xmm AVX and AES; crc32 SSE4.2; tzcnt and
 *     andn BMI1; shlx BMI2; adcx ADX; rdfsbase FSGSBASE);
 *   - any VEX encoding but BMI1's and BMI2's general-register ones needs
 *     AVX (the forms x86_isa_alias.c hands capstone as another encoding
 *     too);
 *   - the id, for what capstone gives no group (popcnt, movbe, rdrand,
 *     the XSAVE family, cmpxchg16b, lahf/sahf, fisttp ...) and for the
 *     forms x86_isa_alias.c decodes as another instruction (GFNI, and
 *     the VEX.256 forms of the AES rounds (VAES) and of vpclmulqdq).
 * Two are not #UD where missing but run as the older instruction under
 * their prefix, as the CPU runs them: lzcnt without LZCNT is bsr, tzcnt
 * without BMI1 is bsf (x86_bits.c asks x86_machine_has).  AVX-VNNI,
 * MOVDIRI, MOVDIR64B and RDPID are refused where they are decoded
 * (x86_vnni.c, x86_ext_decode.c, x86_rand.c). */
#include "x86_internal.h"
#include "x86_avx.h"

static bool vex256(const struct x86_dc *dc)
{
    struct avx_vex v;
    return avx_vex(dc, &v) && v.l;
}

/* capstone 4's groups of the extensions a machine may lack. */
static const struct { uint8_t group; uint64_t feature; } group_features[] = {
    { X86_GRP_AVX, X86_FEAT_AVX }, { X86_GRP_AVX2, X86_FEAT_AVX2 },
    { X86_GRP_FMA, X86_FEAT_FMA }, { X86_GRP_F16C, X86_FEAT_F16C },
    { X86_GRP_BMI, X86_FEAT_BMI1 }, { X86_GRP_BMI2, X86_FEAT_BMI2 },
    { X86_GRP_ADX, X86_FEAT_ADX }, { X86_GRP_AES, X86_FEAT_AES },
    { X86_GRP_PCLMUL, X86_FEAT_PCLMULQDQ }, { X86_GRP_SHA, X86_FEAT_SHA },
    { X86_GRP_SSE3, X86_FEAT_SSE3 }, { X86_GRP_SSSE3, X86_FEAT_SSSE3 },
    { X86_GRP_SSE41, X86_FEAT_SSE4_1 }, { X86_GRP_SSE42, X86_FEAT_SSE4_2 },
    { X86_GRP_FSGSBASE, X86_FEAT_FSGSBASE },
};

static uint64_t by_group(const cs_insn *ci)
{
    uint64_t need = 0;
    for (int k = 0; k < ci->detail->groups_count; k++)
        for (size_t i = 0; i < sizeof group_features / sizeof group_features[0]; i++)
            if (ci->detail->groups[k] == group_features[i].group)
                need |= group_features[i].feature;
    return need;
}

static uint64_t by_id(const struct x86_dc *dc)
{
    switch (dc->insn->id) {
    case X86_FERRY_INS_GF2P8MULB: case X86_FERRY_INS_GF2P8AFFINEQB:
    case X86_FERRY_INS_GF2P8AFFINEINVQB:
        return X86_FEAT_GFNI;
    case X86_INS_VAESENC: case X86_INS_VAESENCLAST: case X86_INS_VAESDEC:
    case X86_INS_VAESDECLAST:
        return vex256(dc) ? X86_FEAT_VAES : 0;
    case X86_INS_VPCLMULQDQ:
        return vex256(dc) ? X86_FEAT_VPCLMULQDQ : 0;
    case X86_INS_POPCNT: return X86_FEAT_POPCNT;
    case X86_INS_MOVBE: return X86_FEAT_MOVBE;
    case X86_INS_RDRAND: return X86_FEAT_RDRAND;
    case X86_INS_RDSEED: return x86_rdpid_form(dc) ? 0 : X86_FEAT_RDSEED;
    case X86_INS_RDTSCP: return X86_FEAT_RDTSCP;
    case X86_INS_CMPXCHG16B: return X86_FEAT_CX16;
    case X86_INS_LAHF: case X86_INS_SAHF: return X86_FEAT_LAHF_LM;
    case X86_INS_FISTTP: return X86_FEAT_SSE3;
    case X86_INS_CLFLUSHOPT: return X86_FEAT_CLFLUSHOPT;
    case X86_INS_CLWB: return X86_FEAT_CLWB;
    case X86_INS_XSAVE: case X86_INS_XSAVE64: case X86_INS_XRSTOR: case X86_INS_XRSTOR64:
    case X86_INS_XGETBV:
        return X86_FEAT_XSAVE;
    case X86_INS_XSAVEOPT: case X86_INS_XSAVEOPT64: return X86_FEAT_XSAVE | X86_FEAT_XSAVEOPT;
    case X86_INS_XSAVEC: case X86_INS_XSAVEC64: return X86_FEAT_XSAVE | X86_FEAT_XSAVEC;
    default:
        return 0;
    }
}

/* The X86_FEAT_* bits the current instruction needs beyond SSE2. */
static uint64_t needed_extensions(const struct x86_dc *dc)
{
    unsigned id = dc->insn->id;
    if (id == X86_INS_LZCNT || id == X86_INS_TZCNT)
        return 0;                       /* bsr and bsf without them (x86_bits.c) */
    uint64_t need = by_id(dc);
    if (id < X86_INS_ENDING)            /* (not an x86_isa_alias.c stand-in's groups) */
        need |= by_group(dc->insn);
    if (x86_is_vex(dc) && !(need & (X86_FEAT_BMI1 | X86_FEAT_BMI2)))
        need |= X86_FEAT_AVX;
    return need;
}

/* Refused where they are decoded (above), not here. */
#define REFUSED_AT_DECODE (X86_FEAT_AVX_VNNI | X86_FEAT_MOVDIRI | X86_FEAT_MOVDIR64B | X86_FEAT_RDPID)

bool x86_lacked_extension(const struct x86_dc *dc)
{
    uint64_t lacks = x86_machine()->lacks;
    if (!(lacks & ~REFUSED_AT_DECODE))
        return false;                   /* (the usual machines: no lookups) */
    return (needed_extensions(dc) & lacks) != 0;
}
