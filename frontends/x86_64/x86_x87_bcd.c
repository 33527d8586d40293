/* x86_x87_bcd.c -- fbld / fbstp of the soft x87: 18-digit packed BCD
 * (bytes 0..8 two digits each, low nibble first; byte 9 bit 7 the sign).
 * fbstp rounds under RC; NaN, infinity and magnitudes above 18 nines give
 * the packed-BCD indefinite with IE.  Invalid digits load as their nibble
 * values (the SDM leaves them undefined).
 */
#include <string.h>

#include "x86_x87_soft.h"

#define BCD_MAX 999999999999999999ull

x87s_f80 x87s_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (uint64_t)(bcd[i] >> 4) * 10 + (bcd[i] & 15);
    x87s_f80 r = x87s_from_int((int64_t)v);
    if (bcd[9] & 0x80)
        r.se |= 0x8000;
    return r;
}

static void bcd_indefinite(uint8_t bcd[10])
{
    memset(bcd, 0, 10);
    bcd[7] = 0xc0;
    bcd[8] = 0xff;
    bcd[9] = 0xff;
}

void x87s_to_bcd(x87s_f80 a, uint16_t fcw, uint8_t bcd[10], uint16_t *sw)
{
    uint16_t flags = 0;
    x87s_f80 r = x87s_rndint(a, fcw, &flags);
    enum x87s_class c = x87s_classify(r);
    uint64_t v = 0;
    if (c == X87S_NORMAL && (r.se & 0x7fff) <= 16383 + 63)
        v = r.m >> (16383 + 63 - (r.se & 0x7fff));
    if (c == X87S_NAN || c == X87S_INF || c == X87S_INVALID || (c == X87S_NORMAL && (
            (r.se & 0x7fff) > 16383 + 63 || v > BCD_MAX))) {
        *sw |= X87S_IE;
        bcd_indefinite(bcd);
        return;
    }
    *sw |= flags & ~X87S_DE;           /* the FPU reports no DE here */
    for (int i = 0; i < 9; i++, v /= 100)
        bcd[i] = (uint8_t)((v % 100 / 10) << 4 | v % 10);
    bcd[9] = (uint8_t)(a.se >> 15 ? 0x80 : 0);
}
