/* x64_crc32c.c -- the translation cache's checksum lanes by SSE4.2's
 * crc32q (backend.h: be_crc32c_lanes; the walk in crc32c_lanes.h), when
 * the C library's CPUID record says the CPU has it. */
#include <sys/platform/x86.h>

#include "backend.h"

#define CRC32C_TARGET __attribute__((target("sse4.2")))

static bool crc32c_cpu_has(void)
{
    return x86_cpu_active(x86_cpu_SSE4_2);
}

typedef uint64_t crc32c_lane;

CRC32C_TARGET static inline crc32c_lane crc32c_step(crc32c_lane c, uint64_t word)
{
    return __builtin_ia32_crc32di(c, word);
}

#include "crc32c_lanes.h"
