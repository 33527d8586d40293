/* a64_host.c -- which of the features in A64_HOST_FEATURES (a64_host.h)
 * the host CPU has, asked of the kernel's AT_HWCAP, and the translation
 * cache's key bits built from the same list (backend.h:
 * be_host_features). */
#include <sys/auxv.h>

#include "backend.h"
#include "a64_host.h"

bool be_assume_host_features;

static const unsigned long host_hwcap[A64_HOST_N] = {
#define A64_HOST_BIT(name, hwcap) [A64_HOST_##name] = hwcap,
    A64_HOST_FEATURES(A64_HOST_BIT)
#undef A64_HOST_BIT
};

/* The kernel's word, not the assumption: what the key must name. */
static bool cpu_has(enum a64_host_feature f)
{
    return (getauxval(AT_HWCAP) & host_hwcap[f]) != 0;
}

bool a64_host_has(enum a64_host_feature f)
{
    return be_assume_host_features || cpu_has(f);
}

/* Bit f for each feature of the list the CPU has. */
unsigned be_host_features(void)
{
    unsigned bits = 0;
    for (int f = 0; f < A64_HOST_N; f++)
        bits |= (unsigned)cpu_has(f) << f;
    return bits;
}
