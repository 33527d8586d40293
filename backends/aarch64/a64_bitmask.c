/* a64_bitmask.c -- the logical-immediate ("bitmask") encoder.
 *
 * A64 and/orr/eor/ands immediates are an element of 2..64 bits holding a
 * rotated run of ones, replicated across the register.  We find the
 * smallest repeating element, check it is a rotated run, and derive
 * N:immr:imms as the Arm ARM's DecodeBitMasks() would decode them.
 */
#include "a64_encode.h"

static uint64_t ones(unsigned n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }

static uint64_t rol_in(uint64_t v, unsigned r, unsigned e)
{
    return r == 0 ? v : ((v << r) | (v >> (e - r))) & ones(e);
}

/* Smallest e (power of two >= 2) such that v repeats every e bits. */
static unsigned element_size(uint64_t v)
{
    unsigned e = 64;
    while (e > 2 && ((v >> (e / 2)) & ones(e / 2)) == (v & ones(e / 2)))
        e /= 2;
    return e;
}

bool a64_bitmask_encode(uint64_t v, int size, unsigned *n_immr_imms)
{
    if (size == 32) v = (v & 0xffffffffull) | (v << 32);
    if (v == 0 || v == ~0ull) return false;
    unsigned e = element_size(v);
    uint64_t elt = v & ones(e);
    unsigned count = (unsigned)__builtin_popcountll(elt);
    for (unsigned r = 0; r < e; r++) {
        if (rol_in(elt, r, e) != ones(count)) continue;
        unsigned n = e == 64;
        unsigned imms = ((~(e * 2 - 1)) & 0x3f) | (count - 1);
        *n_immr_imms = n << 12 | r << 6 | imms;
        return true;
    }
    return false;
}
