/* x86_crc32.c -- the SSE4.2 crc32 instruction's helper: CRC-32C
 * (Castagnoli, reflected polynomial 0x82f63b78) of 1, 2, 4 or 8 data
 * bytes, least significant first, with no pre- or post-inversion (the
 * instruction leaves those to software).  A byte-wise table, built
 * before main so translating threads only read it.
 */
#include "x86_sse.h"

#define CRC32C_POLY 0x82f63b78u

static uint32_t crc32c_table[256];

__attribute__((constructor)) static void crc32c_table_build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        crc32c_table[i] = c;
    }
}

/* d: the accumulator (low 32 bits of the destination), s: the data,
 * imm: the data size in bytes. */
SSE_HELPER(crc32)
{
    (void)env;
    uint32_t crc = (uint32_t)d;
    for (uint64_t i = 0; i < imm; i++)
        crc = (crc >> 8) ^ crc32c_table[(crc ^ (uint8_t)(s >> (8 * i))) & 0xff];
    return crc;
}
