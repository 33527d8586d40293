/* x64_host.c -- which of the features in X64_HOST_FEATURES (x64_host.h)
 * the host CPU has, asked of the C library's CPUID record (ferry makes no
 * CPUID of its own, and glibc's tunables can hide a feature from it, as
 * they can from any program), and the translation cache's key bits built
 * from the same list (backend.h: be_host_features). */
#include <sys/platform/x86.h>    /* the C library's CPUID record: no CPUID of libgcc's at start-up */

#include "backend.h"
#include "x64_host.h"

bool be_assume_host_features;

static const unsigned host_cpuid[X64_HOST_N] = {
#define X64_HOST_INDEX(name, cpuid) [X64_HOST_##name] = x86_cpu_##cpuid,
    X64_HOST_FEATURES(X64_HOST_INDEX)
#undef X64_HOST_INDEX
};

/* The record, not the assumption: what the key must name. */
static bool cpu_has(enum x64_host_feature f)
{
    return x86_cpu_active(host_cpuid[f]);
}

bool x64_host_has(enum x64_host_feature f)
{
    return be_assume_host_features || cpu_has(f);
}

/* Bit f for each feature of the list the CPU has. */
unsigned be_host_features(void)
{
    unsigned bits = 0;
    for (int f = 0; f < X64_HOST_N; f++)
        bits |= (unsigned)cpu_has(f) << f;
    return bits;
}
