/* a64_crc32c.c -- the translation cache's checksum lanes by the CRC32
 * extension's crc32cx (backend.h: be_crc32c_lanes; the walk in
 * crc32c_lanes.h), when the kernel's AT_HWCAP says the CPU has it. */
#include <sys/auxv.h>

#include "backend.h"

#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1ul << 7)
#endif

#define CRC32C_TARGET __attribute__((target("+crc")))

static bool crc32c_cpu_has(void)
{
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
}

typedef uint32_t crc32c_lane;

CRC32C_TARGET static inline crc32c_lane crc32c_step(crc32c_lane c, uint64_t word)
{
    return __builtin_aarch64_crc32cx(c, word);
}

#include "crc32c_lanes.h"
