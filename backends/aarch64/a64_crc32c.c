/* a64_crc32c.c -- the translation cache's checksum lanes by the CRC32
 * extension's crc32cx (backend.h: be_crc32c_lanes), when the kernel's
 * AT_HWCAP says the CPU has it. */
#include <sys/auxv.h>

#include "backend.h"

#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1ul << 7)
#endif

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    return w;
}

/* Two blocks of 32 bytes a round, then the rest; the four lanes' chains
 * independent. */
__attribute__((target("+crc"))) static void lanes(uint32_t lane[4], const uint8_t *p, size_t n)
{
    uint32_t a = lane[0], b = lane[1], c = lane[2], d = lane[3];
    for (; n >= 64; p += 64, n -= 64) {
        a = __builtin_aarch64_crc32cx(a, load64(p));
        b = __builtin_aarch64_crc32cx(b, load64(p + 8));
        c = __builtin_aarch64_crc32cx(c, load64(p + 16));
        d = __builtin_aarch64_crc32cx(d, load64(p + 24));
        a = __builtin_aarch64_crc32cx(a, load64(p + 32));
        b = __builtin_aarch64_crc32cx(b, load64(p + 40));
        c = __builtin_aarch64_crc32cx(c, load64(p + 48));
        d = __builtin_aarch64_crc32cx(d, load64(p + 56));
    }
    if (n >= 32) {
        a = __builtin_aarch64_crc32cx(a, load64(p));
        b = __builtin_aarch64_crc32cx(b, load64(p + 8));
        c = __builtin_aarch64_crc32cx(c, load64(p + 16));
        d = __builtin_aarch64_crc32cx(d, load64(p + 24));
        p += 32, n -= 32;
    }
    if (n >= 8)                         /* the last words: lanes a, b, c */
        a = __builtin_aarch64_crc32cx(a, load64(p));
    if (n >= 16)
        b = __builtin_aarch64_crc32cx(b, load64(p + 8));
    if (n >= 24)
        c = __builtin_aarch64_crc32cx(c, load64(p + 16));
    lane[0] = a, lane[1] = b, lane[2] = c, lane[3] = d;
}

bool be_crc32c_lanes(uint32_t lane[4], const uint8_t *p, size_t n)
{
    static int have = -1;               /* (the same answer for every thread) */
    if (have < 0)
        __atomic_store_n(&have, (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0, __ATOMIC_RELAXED);
    if (!__atomic_load_n(&have, __ATOMIC_RELAXED))
        return false;
    lanes(lane, p, n);
    return true;
}
