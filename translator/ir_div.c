/* ir_div.c -- the C side of the IR's divu/divs (ir_ops.def): the divisions
 * their inline code leaves to a call -- a zero divisor, a 128-bit
 * dividend that does not fit 64 bits, divs by -1 -- and the #DE answer
 * for those that fault.  The backends store the operands in env's rt.div
 * and call ir_div_slow through their helper stub.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ir.h"
#include "runtime.h"

/* q = n / d when the quotient fits 64 bits (d != 0). */
static bool divide_unsigned(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *q)
{
    if (hi >= d)
        return false;
    *q = (uint64_t)((((unsigned __int128)hi << 64) | lo) / d);
    return true;
}

static bool divide_signed(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *q)
{
    __int128 n = (__int128)(((unsigned __int128)hi << 64) | lo), s = (int64_t)d, r;
    if (s == -1) {              /* -n, which __int128 cannot hold for n = -2^127 */
        if (n == (__int128)((unsigned __int128)1 << 127))
            return false;
        r = -n;
    } else
        r = n / s;
    if (r > INT64_MAX || r < INT64_MIN)
        return false;
    *q = (uint64_t)r;
    return true;
}

uint64_t ir_div_slow(void *env, uint64_t how, uint64_t unused, uint64_t unused2)
{
    struct tr_runtime *rt = env;
    uint64_t a = rt->div[0], b = rt->div[1], c = rt->div[2], q = 0;
    bool is_signed = how & IR_DIV_SIGNED;
    if (how & IR_DIV_NARROW)
        a = is_signed ? (uint64_t)((int64_t)b >> 63) : 0;
    bool ok = c != 0 && (is_signed ? divide_signed(a, b, c, &q) : divide_unsigned(a, b, c, &q));
    rt->div[0] = !ok;
    return q;
}
