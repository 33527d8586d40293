/* x86_host_ext.c -- the instructions of an extension the imitated machine
 * lacks are #UD, as on that CPU natively: GFNI (legacy and VEX forms),
 * SHA, and the VEX.256 forms of the AES rounds (VAES) and of vpclmulqdq
 * (VPCLMULQDQ), whose VEX.128 forms are plain AVX.  ferry implements
 * them all; x86_machine.c says which the host lacks (a Skylake or Cascade
 * Lake server lacks every one, a Zen 2 GFNI, VAES and VPCLMULQDQ), and
 * CPUID hides the same ones (x86_cpuid.c).  AVX-VNNI, MOVDIRI, MOVDIR64B
 * and RDPID are refused where they are decoded (x86_vnni.c,
 * x86_ext_decode.c, x86_rand.c). */
#include "x86_internal.h"
#include "x86_avx.h"

static bool vex256(const struct x86_dc *dc)
{
    struct avx_vex v;
    return avx_vex(dc, &v) && v.l;
}

/* The X86_FEAT_* bit the current instruction needs beyond ferry's
 * always-present set, or 0. */
static unsigned needed_extension(const struct x86_dc *dc)
{
    switch (dc->insn->id) {
    case X86_FERRY_INS_GF2P8MULB: case X86_FERRY_INS_GF2P8AFFINEQB:
    case X86_FERRY_INS_GF2P8AFFINEINVQB:
        return X86_FEAT_GFNI;
    case X86_INS_SHA1RNDS4: case X86_INS_SHA1NEXTE: case X86_INS_SHA1MSG1:
    case X86_INS_SHA1MSG2: case X86_INS_SHA256RNDS2: case X86_INS_SHA256MSG1:
    case X86_INS_SHA256MSG2:
        return X86_FEAT_SHA;
    case X86_INS_VAESENC: case X86_INS_VAESENCLAST: case X86_INS_VAESDEC:
    case X86_INS_VAESDECLAST:
        return vex256(dc) ? X86_FEAT_VAES : 0;
    case X86_INS_VPCLMULQDQ:
        return vex256(dc) ? X86_FEAT_VPCLMULQDQ : 0;
    default:
        return 0;
    }
}

bool x86_lacked_extension(const struct x86_dc *dc)
{
    unsigned f = needed_extension(dc);
    return f && !x86_machine_has(f);
}
