/* x64_host.h -- the host CPU features the x86-64 backend's emitters
 * choose instructions by (x64_host.c).  One list, X64_HOST_FEATURES: the
 * enum the emitters ask with and the CPUID bits behind it come from it,
 * and so do the translation cache's key bits (be_host_features), so a
 * feature an emitter asks about cannot be missing from the key. */
#ifndef FERRY_X64_HOST_H
#define FERRY_X64_HOST_H

#include <stdbool.h>

/* X(name, glibc's x86_cpu_ name).  The order is the key's bit order:
 * append, do not reorder (a new order only makes old caches miss). */
#define X64_HOST_FEATURES(X) \
    X(AES, AES) X(PCLMUL, PCLMULQDQ) X(SHA, SHA) X(AVX, AVX) \
    X(SSSE3, SSSE3) X(SSE41, SSE4_1) X(SSE42, SSE4_2)

enum x64_host_feature {
#define X64_HOST_ENUM(name, cpuid) X64_HOST_##name,
    X64_HOST_FEATURES(X64_HOST_ENUM)
#undef X64_HOST_ENUM
    X64_HOST_N
};

/* Whether the emitters may use feature f's instructions: the C library's
 * CPUID record (which GLIBC_TUNABLES=glibc.cpu.hwcaps=-X can hide a
 * feature from), or always under be_assume_host_features. */
bool x64_host_has(enum x64_host_feature f);

#endif
