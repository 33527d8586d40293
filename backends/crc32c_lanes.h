/* crc32c_lanes.h -- be_crc32c_lanes (backend.h) for a backend whose CPU
 * may have a 64-bit CRC-32C instruction.  Included once, by x64_crc32c.c
 * and a64_crc32c.c, after they define
 *     CRC32C_TARGET                           the target attribute enabling it
 *     crc32c_lane                             the type its crc operand and
 *                                             result have (x86-64: 64 bits,
 *                                             so no zero-extension between steps)
 *     static bool crc32c_cpu_has(void)        whether this CPU has it
 *     static crc32c_lane crc32c_step(crc32c_lane c, uint64_t word)
 *                                             one step (CRC32C_TARGET)
 */
#ifndef FERRY_CRC32C_LANES_H
#define FERRY_CRC32C_LANES_H

#include "backend.h"

static uint64_t crc32c_load(const uint8_t *p)
{
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    return w;
}

/* Two blocks of 32 bytes a round, then the rest: one instruction per 8
 * bytes, the four lanes' chains independent (x86-64's crc32 has a latency
 * of 3 cycles and a throughput of one a cycle). */
CRC32C_TARGET static void crc32c_walk(uint32_t lane[4], const uint8_t *p, size_t n)
{
    crc32c_lane a = lane[0], b = lane[1], c = lane[2], d = lane[3];
    for (; n >= 64; p += 64, n -= 64) {
        a = crc32c_step(a, crc32c_load(p));
        b = crc32c_step(b, crc32c_load(p + 8));
        c = crc32c_step(c, crc32c_load(p + 16));
        d = crc32c_step(d, crc32c_load(p + 24));
        a = crc32c_step(a, crc32c_load(p + 32));
        b = crc32c_step(b, crc32c_load(p + 40));
        c = crc32c_step(c, crc32c_load(p + 48));
        d = crc32c_step(d, crc32c_load(p + 56));
    }
    if (n >= 32) {
        a = crc32c_step(a, crc32c_load(p));
        b = crc32c_step(b, crc32c_load(p + 8));
        c = crc32c_step(c, crc32c_load(p + 16));
        d = crc32c_step(d, crc32c_load(p + 24));
        p += 32, n -= 32;
    }
    if (n >= 8)                         /* the last words: lanes a, b, c */
        a = crc32c_step(a, crc32c_load(p));
    if (n >= 16)
        b = crc32c_step(b, crc32c_load(p + 8));
    if (n >= 24)
        c = crc32c_step(c, crc32c_load(p + 16));
    lane[0] = (uint32_t)a, lane[1] = (uint32_t)b, lane[2] = (uint32_t)c, lane[3] = (uint32_t)d;
}

bool be_crc32c_lanes(uint32_t lane[4], const uint8_t *p, size_t n)
{
    static int have = -1;               /* (the same answer for every thread) */
    if (__atomic_load_n(&have, __ATOMIC_RELAXED) < 0)
        __atomic_store_n(&have, crc32c_cpu_has(), __ATOMIC_RELAXED);
    if (!__atomic_load_n(&have, __ATOMIC_RELAXED))
        return false;
    crc32c_walk(lane, p, n);
    return true;
}

#endif
