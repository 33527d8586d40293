/* x64_crc32c.c -- the translation cache's checksum lanes by SSE4.2's
 * crc32q (backend.h: be_crc32c_lanes), when the C library's CPUID record
 * says the CPU has it. */
#include <sys/platform/x86.h>

#include "backend.h"

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    return w;
}

/* Two blocks of 32 bytes a round, then the rest: one crc32q per 8 bytes,
 * the four lanes' chains independent (crc32's latency is 3 cycles, its
 * throughput one a cycle). */
__attribute__((target("sse4.2"))) static void lanes(uint32_t lane[4], const uint8_t *p, size_t n)
{
    uint64_t a = lane[0], b = lane[1], c = lane[2], d = lane[3];
    for (; n >= 64; p += 64, n -= 64) {
        a = __builtin_ia32_crc32di(a, load64(p));
        b = __builtin_ia32_crc32di(b, load64(p + 8));
        c = __builtin_ia32_crc32di(c, load64(p + 16));
        d = __builtin_ia32_crc32di(d, load64(p + 24));
        a = __builtin_ia32_crc32di(a, load64(p + 32));
        b = __builtin_ia32_crc32di(b, load64(p + 40));
        c = __builtin_ia32_crc32di(c, load64(p + 48));
        d = __builtin_ia32_crc32di(d, load64(p + 56));
    }
    if (n >= 32) {
        a = __builtin_ia32_crc32di(a, load64(p));
        b = __builtin_ia32_crc32di(b, load64(p + 8));
        c = __builtin_ia32_crc32di(c, load64(p + 16));
        d = __builtin_ia32_crc32di(d, load64(p + 24));
        p += 32, n -= 32;
    }
    if (n >= 8)                         /* the last words: lanes a, b, c */
        a = __builtin_ia32_crc32di(a, load64(p));
    if (n >= 16)
        b = __builtin_ia32_crc32di(b, load64(p + 8));
    if (n >= 24)
        c = __builtin_ia32_crc32di(c, load64(p + 16));
    lane[0] = (uint32_t)a, lane[1] = (uint32_t)b, lane[2] = (uint32_t)c, lane[3] = (uint32_t)d;
}

bool be_crc32c_lanes(uint32_t lane[4], const uint8_t *p, size_t n)
{
    static int have = -1;               /* (the same answer for every thread) */
    if (have < 0)
        __atomic_store_n(&have, x86_cpu_active(x86_cpu_SSE4_2), __ATOMIC_RELAXED);
    if (!__atomic_load_n(&have, __ATOMIC_RELAXED))
        return false;
    lanes(lane, p, n);
    return true;
}
