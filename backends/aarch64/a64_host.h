/* a64_host.h -- the host CPU features the AArch64 backend's emitters
 * choose instructions by (a64_host.c).  One list, A64_HOST_FEATURES: the
 * enum the emitters ask with and the HWCAP bits behind it come from it,
 * and so do the translation cache's key bits (be_host_features), so a
 * feature an emitter asks about cannot be missing from the key. */
#ifndef FERRY_A64_HOST_H
#define FERRY_A64_HOST_H

#include <stdbool.h>

/* X(name, HWCAP bit).  The order is the key's bit order: append, do not
 * reorder (a new order only makes old caches miss). */
#define A64_HOST_FEATURES(X) X(AES, HWCAP_AES) X(PMULL, HWCAP_PMULL)

enum a64_host_feature {
#define A64_HOST_ENUM(name, hwcap) A64_HOST_##name,
    A64_HOST_FEATURES(A64_HOST_ENUM)
#undef A64_HOST_ENUM
    A64_HOST_N
};

/* Whether the emitters may use feature f's instructions: the kernel's
 * AT_HWCAP, or always under be_assume_host_features. */
bool a64_host_has(enum a64_host_feature f);

#endif
