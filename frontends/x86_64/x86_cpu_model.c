/* x86_cpu_model.c -- -cpu MODEL: QEMU's x86-64 CPU models as feature masks
 * over ferry's CPUID table (x86_cpuid.c).  A model advertises the features
 * it has AND ferry implements; what the model lacks is hidden from CPUID
 * (and so from AT_HWCAP, glibc's ifuncs and hwcaps subdirectories, and
 * __builtin_cpu_supports).  Instructions are not refused: like QEMU's
 * user mode, only what the program is told changes.
 *
 * The masks are the feature words qemu-x86_64 7.2 reports for each model
 * under TCG, with the bits TCG warns it cannot give (e.g. RDSEED, SHA,
 * RDPID, XSAVEC) put back, and the hypervisor bit cleared: the model's own
 * definition.  Leaf 7 sub-leaf 1 is all zero under every model here (its
 * one bit ferry sets, AVX-VNNI, none of them has).  tests/binfmt/check-cpu.sh compares ferry with qemu-x86_64
 * for every model.  A variant name ("Haswell-noTSX", "EPYC-v2") takes its
 * base model's mask.  The vendor and brand stay ferry's (GenuineIntel,
 * "ferry virtual x86-64 CPU"): glibc picks its cache and string-function
 * tuning by vendor, and ferry's cache leaves are Intel's.  CLZERO
 * (0x80000008 EBX bit 0, which no model word covers) is hidden under
 * every model: QEMU's TCG reports it for none.
 */
#include <string.h>

#include "x86_internal.h"

/* The masked words, in this order. */
enum { M_1_ECX, M_1_EDX, M_7_EBX, M_7_ECX, M_7_EDX, M_D1_EAX, M_E1_ECX, M_E1_EDX, M_WORDS };
#define CPUID_XSAVE_BIT  (1u << 26)     /* leaf 1 ECX: without it, no leaf 0xD */
#define CPUID_OSXSAVE_BIT (1u << 27)
#define CPUID_CLZERO_BIT (1u << 0)      /* leaf 0x80000008 EBX */

struct x86_cpu_model { const char *name; uint32_t mask[M_WORDS]; };

static const struct x86_cpu_model models[] = {
    { "qemu64", { 0x00002001, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000005, 0x2193fbfd } },
    { "kvm64", { 0x00002001, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x20100800 } },
    { "core2duo", { 0x00002209, 0x0fcbfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x20100800 } },
    { "Conroe", { 0x00000201, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x20100800 } },
    { "Penryn", { 0x00082201, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x20100800 } },
    { "Nehalem", { 0x00982201, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x20100800 } },
    { "Westmere", { 0x02982203, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x20100800 } },
    { "SandyBridge", { 0x1fb82203, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x00000001, 0x28100800 } },
    { "IvyBridge", { 0x7fb82203, 0x078bfbfd, 0x00000281, 0x00000000, 0x00000000, 0x00000001, 0x00000001, 0x28100800 } },
    { "Haswell", { 0x7ffa3203, 0x078bfbfd, 0x00000fb9, 0x00000000, 0x00000000, 0x00000001, 0x00000021, 0x28100800 } },
    { "Broadwell", { 0x7ffa3203, 0x078bfbfd, 0x001c0fb9, 0x00000000, 0x00000000, 0x00000001, 0x00000121, 0x28100800 } },
    { "Skylake-Client", { 0x7ffa3203, 0x078bfbfd, 0x001c0fb9, 0x00000000, 0x00000000, 0x00000007, 0x00000121, 0x28100800 } },
    { "Skylake-Server", { 0x7ffa3203, 0x078bfbfd, 0xd19f0fb9, 0x00000008, 0x00000000, 0x00000007, 0x00000121, 0x2c100800 } },
    { "Cascadelake-Server", { 0x7ffa3203, 0x078bfbfd, 0xd19f0fb9, 0x00000808, 0x84000000, 0x00000007, 0x00000121, 0x2c100800 } },
    { "Cooperlake", { 0x7ffa3203, 0x078bfbfd, 0xd19f0fb9, 0x00000808, 0xac000000, 0x00000007, 0x00000121, 0x2c100800 } },
    { "Icelake-Server", { 0x7ffa3203, 0x078bfbfd, 0xd19f0fb9, 0x00015f4e, 0x84000000, 0x00000007, 0x00000121, 0x2c100800 } },
    { "Snowridge", { 0x4ff8220b, 0x078bfbfd, 0x21944281, 0x1a000104, 0xe4000000, 0x00000007, 0x00000101, 0x2c100800 } },
    { "Denverton", { 0x4ff8220b, 0x078bfbfd, 0x20944281, 0x00000000, 0xa4000000, 0x00000007, 0x00000101, 0x2c100800 } },
    { "EPYC", { 0x7ed8320b, 0x078bfbfd, 0x209c01a9, 0x00000000, 0x00000000, 0x00000007, 0x004003f5, 0x2fd3fbfd } },
    { "EPYC-Rome", { 0x7ed8320b, 0x078bfbfd, 0x219c01a9, 0x00400004, 0x00000000, 0x0000000f, 0x00c003f5, 0x2fd3fbfd } },
    { "EPYC-Milan", { 0x7eda320b, 0x078bfbfd, 0x219c07a9, 0x0040000c, 0x00000010, 0x0000000f, 0x00c003f5, 0x2fd3fbfd } },
    { "Dhyana", { 0x7cd83209, 0x078bfbfd, 0x009c01a9, 0x00000000, 0x00000000, 0x00000007, 0x004003f5, 0x2e500800 } },
    { "Opteron_G1", { 0x00000001, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x2193fbfd } },
    { "Opteron_G2", { 0x00002001, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000005, 0x2193fbfd } },
    { "Opteron_G3", { 0x00802009, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x000000e5, 0x2993fbfd } },
    { "Opteron_G4", { 0x1e982203, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x000109e5, 0x2d93fbfd } },
    { "Opteron_G5", { 0x3e983203, 0x078bfbfd, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x002109e5, 0x2d93fbfd } },
};
#define MODELS (sizeof models / sizeof *models)

/* NULL: "max" (no mask). */
static const struct x86_cpu_model *selected;

static bool name_matches(const char *name, const char *model)
{
    size_t n = strlen(model);
    return !strncmp(name, model, n) && (name[n] == 0 || name[n] == '-');
}

int x86_cpu_model_select(const char *name)
{
    if (!strcmp(name, "max") || !strcmp(name, "host") || !strcmp(name, "ferry")) {
        selected = NULL;
        return 0;
    }
    const struct x86_cpu_model *best = NULL;     /* "EPYC-Rome" is not "EPYC" */
    for (size_t k = 0; k < MODELS; k++)
        if (name_matches(name, models[k].name) &&
            (!best || strlen(models[k].name) > strlen(best->name)))
            best = &models[k];
    selected = best;
    return best ? 0 : -1;
}

const char *x86_cpu_model_selected(void)
{
    return selected ? selected->name : NULL;
}

const char *x86_cpu_model_name(size_t k)
{
    return k < MODELS ? models[k].name : NULL;
}

static void mask_words(uint32_t *out, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    out[0] &= a, out[1] &= b, out[2] &= c, out[3] &= d;
}

/* XSAVE in leaf 1 means "the OS enabled it" too (OSXSAVE), and leaf 0xD
 * exists only with XSAVE. */
void x86_cpu_model_mask(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    const uint32_t *m = selected ? selected->mask : NULL;
    bool xsave = m && (m[M_1_ECX] & CPUID_XSAVE_BIT);
    if (!m)
        return;
    if (leaf == 1)
        mask_words(out, ~0u, ~0u, m[M_1_ECX] | (xsave ? CPUID_OSXSAVE_BIT : 0), m[M_1_EDX]);
    else if (leaf == 7 && sub == 0)
        mask_words(out, ~0u, m[M_7_EBX], m[M_7_ECX], m[M_7_EDX]);
    else if (leaf == 7 && sub == 1)
        mask_words(out, 0, 0, 0, 0);
    else if (leaf == 0xd)
        mask_words(out, xsave ? (sub == 1 ? m[M_D1_EAX] : ~0u) : 0, xsave ? ~0u : 0, xsave ? ~0u : 0,
                   xsave ? ~0u : 0);
    else if (leaf == 0x80000001)
        mask_words(out, ~0u, ~0u, m[M_E1_ECX], m[M_E1_EDX]);
    else if (leaf == 0x80000008)
        mask_words(out, ~0u, ~CPUID_CLZERO_BIT, ~0u, ~0u);
}
