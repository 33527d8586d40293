/* test_tc_hash.c -- the translation cache's checksum (translator/tc_hash.c):
 * its lanes in C are CRC-32C (a bit-at-a-time reference, itself checked
 * against the polynomial's published check value), the host's
 * instructions (backend.h: be_crc32c_lanes) give the same lanes, so a
 * file's hashes do not depend on which computed them, and every burst of
 * up to 32 bits anywhere in a record-sized buffer changes the hash. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tcache_file.h"

/* CRC-32C a bit at a time, reflected, no inversion (as one crc32 step). */
static uint32_t crc_ref(uint32_t c, const uint8_t *p, size_t n)
{
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? c >> 1 ^ 0x82f63b78u : c >> 1;
    }
    return c;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    srand(seed);
    for (size_t k = 0; k < n; k++)
        p[k] = (uint8_t)rand();
}

Test(tc_hash, reference_is_crc32c)
{
    const char check[] = "123456789";
    cr_assert_eq(~crc_ref(~0u, (const uint8_t *)check, 9), 0xe3069283u);
}

Test(tc_hash, c_lanes_are_crc32c_of_every_fourth_word)
{
    uint8_t buf[32 * 9 + 24];
    fill(buf, sizeof buf, 1);
    uint32_t lane[4] = { 1, 0xffffffffu, 0x12345678u, 0 }, want[4];
    memcpy(want, lane, sizeof want);
    for (size_t at = 0; at < sizeof buf; at += 8)
        want[at / 8 % 4] = crc_ref(want[at / 8 % 4], buf + at, 8);
    tcf_crc32c_lanes_c(lane, buf, sizeof buf);
    cr_assert_arr_eq(lane, want, sizeof want);
}

Test(tc_hash, host_lanes_equal_c_lanes)
{
    static uint8_t buf[4096 + 64];
    fill(buf, sizeof buf, 2);
    uint32_t probe[4] = { 0 };
    if (!be_crc32c_lanes || !be_crc32c_lanes(probe, buf, 32)) {
        cr_log_warn("no CRC-32C instructions on this host: only the C lanes checked");
        return;
    }
    for (size_t n = 8; n <= 4096; n += n < 256 ? 8 : 40)
        for (size_t off = 0; off < 16; off += 5) {
            uint32_t host[4] = { (uint32_t)n, ~(uint32_t)n, 7, (uint32_t)off }, c[4];
            memcpy(c, host, sizeof c);
            cr_assert(be_crc32c_lanes(host, buf + off, n));
            tcf_crc32c_lanes_c(c, buf + off, n);
            cr_assert_arr_eq(host, c, sizeof c, "n %zu off %zu", n, off);
        }
}

/* Every change confined to 32 consecutive bits (any pattern), at every
 * bit offset of a 509-byte buffer (the words after the last whole
 * 32 bytes and the last bytes included). */
Test(tc_hash, every_short_burst_is_seen)
{
    uint8_t buf[509];
    fill(buf, sizeof buf, 3);
    uint64_t h0 = tcf_hash(buf, sizeof buf);
    srand(4);
    for (size_t bit = 0; bit + 32 <= 8 * sizeof buf; bit += 3) {
        uint64_t burst = (uint64_t)(1u | (uint32_t)rand() << 1 | 1u << 31) << (bit % 8);
        uint8_t copy[sizeof buf];
        memcpy(copy, buf, sizeof copy);
        for (size_t k = 0; k < 5 && bit / 8 + k < sizeof copy; k++)
            copy[bit / 8 + k] ^= (uint8_t)(burst >> 8 * k);
        cr_assert_neq(tcf_hash(copy, sizeof copy), h0, "bit %zu", bit);
    }
}

/* Lengths that differ only in trailing zeros, and zeros moved between
 * lanes, hash apart. */
Test(tc_hash, zeros_and_lengths)
{
    uint8_t z[128] = { 0 };
    for (size_t n = 1; n < sizeof z; n++)
        cr_assert_neq(tcf_hash(z, n), tcf_hash(z, n - 1), "n %zu", n);
    uint8_t a[64] = { 0 }, b[64] = { 0 };
    a[0] = 1;
    b[8] = 1;
    cr_assert_neq(tcf_hash(a, sizeof a), tcf_hash(b, sizeof b));
}
