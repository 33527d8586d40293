/* tc_hash.c -- the translation cache's checksum (tcf_hash, tcache_file.h):
 * of each record's bytes (checked at its first use in a process), of
 * each guest code page a record depends on, of a file's header and key.
 *
 * Four lanes of CRC-32C over the 8-byte words (word i into lane i % 4),
 * folded with the length into 64 bits by multiply-xorshift steps, the
 * last bytes (n % 8) after them.  The
 * lanes run on the host's own CRC-32C instructions where it has them
 * (backend.h: be_crc32c_lanes; x86-64 SSE4.2, AArch64 CRC32): one
 * instruction per 8 bytes, against three (xor, multiply, rotate) for the
 * multiply-rotate lanes of formats 2-7, whose hashing was 8 % of a warm
 * `ferry as`'s host instructions.  Elsewhere the same lanes in C (a
 * table, a byte at a time), so a file's hashes do not depend on which.
 *
 * What it catches: CRC-32C finds every change within 32 consecutive bits
 * of a lane's words and any odd number of flipped bits; damage spread
 * over several lanes (a torn write, garbage, another file's bytes) goes
 * unseen with a chance of about 2^-64, damage confined to one lane's
 * words (a single 8-byte word changed in more than 32 bits) about 2^-32,
 * as a file system's CRC-32C block checksums.  Not cryptographic: the
 * files are the user's own, 0600 in a 0700 directory. */
#include <pthread.h>
#include <string.h>

#include "tcache_file.h"

static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return h ^ h >> 29;
}

static uint64_t load64(const uint8_t *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

/* ---- CRC-32C in C ----------------------------------------------------------
 * The reflected Castagnoli polynomial, a byte at a time from a table made
 * once: only for a host without the instructions (and the unit test's
 * comparison with them). */
static uint32_t crc_table[256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void crc_table_make(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int k = 0; k < 8; k++)
            c = c >> 1 ^ (0x82f63b78u & -(c & 1));
        crc_table[b] = c;
    }
}

static uint32_t crc_word(uint32_t c, uint64_t w)
{
    for (int k = 0; k < 8; k++, w >>= 8)
        c = crc_table[(c ^ (uint8_t)w) & 0xff] ^ c >> 8;
    return c;
}

void tcf_crc32c_lanes_c(uint32_t lane[4], const uint8_t *p, size_t n)
{
    pthread_once(&crc_table_once, crc_table_make);
    for (size_t k = 0; k < n / 8; k++)
        lane[k % 4] = crc_word(lane[k % 4], load64(p + 8 * k));
}

uint64_t tcf_hash(const void *p, size_t n)
{
    const uint8_t *s = p;
    size_t words = n & ~(size_t)7;
    uint64_t h = 0x6a09e667f3bcc909ull ^ n;
    uint32_t lane[4] = { (uint32_t)h, (uint32_t)(h >> 32), 0x243f6a88u, 0x85a308d3u };
    if (words && !(be_crc32c_lanes && be_crc32c_lanes(lane, s, words)))
        tcf_crc32c_lanes_c(lane, s, words);
    h = mix(mix(h, (uint64_t)lane[0] << 32 | lane[1]), (uint64_t)lane[2] << 32 | lane[3]);
    if (n & 7) {                        /* the last bytes */
        uint64_t w = 0;
        memcpy(&w, s + words, n & 7);
        h = mix(h, w);
    }
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ h >> 31;
}
