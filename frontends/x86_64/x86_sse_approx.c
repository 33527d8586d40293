/* x86_sse_approx.c -- rcpps/rcpss/rsqrtps/rsqrtss (and their VEX forms)
 * as AMD Zen 5 (family 1Ah) computes them, for x86_sse_float.c when ferry
 * imitates such a machine (x86_machine zen5).  The result of a normal
 * input depends only on the top 12 bits of its mantissa (and, for rsqrt,
 * on the exponent's parity); measured natively on Zen 5 for all 2^32
 * inputs, these tables reproduce every result bit for bit.  Each entry is
 * a 12-bit mantissa (the exponent follows from the input's), stored as a
 * 2-bit correction (-2..1, packed four to a byte, hex) to an integer
 * estimate: floor(2^25/(4096+i)) for rcp, floor(sqrt(2^38/(4096+i))) and
 * floor(sqrt(2^37/(4096+i))) for rsqrt of an even and an odd exponent.
 * Other CPUs (Intel, older AMD) keep x86_sse_float.c's 1/x with the low
 * 11 bits cleared: their tables are not measured.
 */
#include <pthread.h>

#include "x86_cpu.h"
#include "x86_sse_float.h"

enum { ZEN5_RCP, ZEN5_RSQRT_EVEN, ZEN5_RSQRT_ODD, ZEN5_TABLES };

/* Corrections, entry i in bits 2*(i%4) of byte i/4, minus 2. */
static const char zen5_deltas[3][2049] = {
  "5055a5aa5055a5aaa5aafaaf5055a5aaa6aafaffa5aafaaaa56aa5aaa6aaaaaabaaabaaaaaaaa6aaa56aa556faaaaa6a"
      "faabbaaafaabaa6afaaaa65aaa6aa5555495a6aa5596a6aa5596a6aaa9eafabe699aaaaaaaaabaaeaaebbaaeaeebbaae"
      "aaaaaaaa699aa659aaaaaa6aaeebaaaaaeebaa6aaeabaa69aa9a6659beabaa6955aaaabb95aababb95aaaabb55aaaaaa"
      "a9bbbbbb99aaaaaa99aaaaaaaabbbbbbaaabaaaa99aaaaaaeebbbbbbaaaaaaaaaabbbbaaeebbbbabeebbbbaaaebbabaa"
      "659aeabaaaaefbfe659aaabaa9aaeabaaaaaebbaaaaaebbaa9aaaaba699aa6a9baaeebba699aa669aaaaaaaabaaaaaaa"
      "baaaaaaaaaaaaa69aa9aa665beafabaa95a6a6aaa9aaaaafaaababefeaebebefeaebebafaaababafaaaaaaaefafbebef"
      "aaabaaaefaebabafa9aaa65aaaaaa69aaaaba69aaaaaa65aaaa6565afeebabaa6aaafaaabeeafffa6aa9eaaaaaaafaaa"
      "beaafeaabeaafeaabeaafeaabaaaeaaa6aaaaaa5bfaaffaabaaaaaa9bfaaffaa6aaaaa55beaaaa95bfaaaaa9bfaaaaa9"
      "aaaaaaeaaaaaaaaaaaffffffaaaaaafeaaaaaaaaaaaaaaeaffffffffaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaffffffffffaaaaaaaaaaaaaaaabaaaaaaafaffff56a5aaaaaabaaaaaaafaafaaaafabfaaaafaafaaaafaabaa"
      "aabaaaaaaaa5aaaaaafaffaaaabaaaaaaffaffabaabaaaaaabfabfaaaaa5aa56eaaffabfeafffaff95aaa5aa96aaa5aa"
      "eafffabfeabffaafeaabfaabeaaaaaaaebfffabfeaabfaaa9aaaa66aeaabbaaaebfffaafaaaaa66aeaabbaaaeaaffaaa"
      "a6aaaaaaaaaaaaaaaaaaaaaaa69aaaaafbefbffffaebafbfbaeaaaabaaaa6aaafaebabafbaaaaaaafaebafafaaaa6aaa"
      "faeaaaabfbebafafaa9a6a6abaaa6aaaeafafafaeafafafaeafafafaeafafafaeabababaaababaaa9aaaaaa6ebfbfbfa"
      "eabababa9aaaaaa6ebfafabaaaaaaaa6ebfababa9aaaa6a6eabaaaaaebfbbabaaaaaebbabaaeebfbbabeeffbfabeeffb"
      "fbbeeffbfbbeeffbfabeeffbbaaeeffbbaaeebbaaaaaaaaaa6a9aaaafbbeeffbbaaeaaaafbbeeffbbaaeebbaaa6a9aa6"
      "69aaaaaaaabaaefbaefbbeff69aaaaaaaabaaebaaebbaefbaefbbefbbeffbeff69aa6aaa6aaa6aaa6aaa6aaa6aaa6aaa"
      "beffbeffbefbbefbaefbaebbaebaaebaaaaaaaaabefffefbaebbeebaaaaaaaaabefbeebbaebaeaaabefbeebbaeaaaaaa"
      "bebbeebaaaaaa9a6aebaeaaabefbeebabfffeebbaeaaaaa6aebaaaaaaebbeaaaa9aaaaaaaaaaaaaaaaeaaaaaaaaaaaaa"
      "aaaaaaaaa9aaa6aaeeffbbffeefebbfbeeeebabbaaeeaabaaaaaaaaaeefebbbbeeeeaabaaaaaa6aaeeeebbbbaaeeaaaa"
      "eebfbbbbaaaeaaaaeebebbbbaa6aaaaaeeaeaabaffbfbbbbaaaeaaaaeeaeaaaafebfbbbbffbfbbbbaaaaaaaaeeaeaaaa"
      "eeaeaaaaeeaeaaaaeeaeaaaaeeaeaaaa",
  "5555aaaa5555aaaa5555aaaaaaaaffffaaaabfaa5555aaaaaaaaafaaaaaaffff5a55aaaaaa6aaaaaaaaaabaaaaaaabaa"
      "aaaaaaaaaa5aaaaa6a55aaaaaaaaffaaaabfaaff5aaaaaabaabfaaff56aa6aaaaaaaaaabaaafaabfaaffaaffaaffaaff"
      "aaffaaffaabfaabfaaafaaabaaabaaaa6aaa56aaaabfaaafaaaa6aaaabbfaaabeaaaaffaeaaffffa9a6aaaa6aaaaabaa"
      "eaaaabbaeaaaafbaeaaaafbaeaaaabaaeaaaabaaaaaaaaa6ebafbffaeaabafaaaaaaaaa5ebafafbaaaaaaaa6ebabafaa"
      "aababafaeafafafb96a6a6aa9aaaaaaa9abababaaabababaaabababaaabababa9aaaaaaa9aaaaaa6ebfbfbfaeafababa"
      "aaaaaaaaebfbfbfaeababaaaeffbfbfa696a9aaaaaabeababeafeffba96aaaaaaaabaabaaeabebbaaeafebfabeafebfa"
      "beafebfbbeafebfabeafebbaaeafebbaaeabaaaaaaaaaaaaffbfeffbbeafebbaaaaabaaefbbeffbeaaaabaaefbbeffbf"
      "aaaabaaefbaefbbeaa6aaaaabaaabaaebbaefbbefbbeffbeaa6aaaaaaaaabaaabaaabaaabaaebaaebaaebaaebaaebaaa"
      "befbfffbaefbefbbaebbefbaaebaebaaaaaaabaabefbeffbaebbefbaaaaaabaabefbefbbaebaebaabffbefbbaebaebaa"
      "befbefbbaaaaabaaaebbefaabfffefbbeaaebbebeebefbeffebfffefaaaaaaaaaaaeaaabeaaebaabeaaebaabeeaebaab"
      "eeaebaabeeaebaabeaaeaaabaaaeaaaaaaaaaa9afebffbefeebebbabeeaeaaabbbfbffffbabbbbfbaaaababbbbbbffff"
      "aababbbbbbffffffaabbbbbbbbffffffaababbbbbbbbffffaaaaaababbbbbbbbbbfbffffaaaaaaaaaabbbbbbbbbbbbbb"
      "aaaaeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeffffffffffefeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
      "eeaaaaaaffffffffffffffeeeeeeeeeeeeeebfbbaaaabbbbffeeffffeeeebfbbaaaabbabeeeeffffaaaabbbbffeeffff"
      "aeaabbbbffeeffffaeaabbbbeeeeffbfaaaabbaaeeeebbbbffeeffffaaaabbaaaaaeaabaabeeeebabbffeefebffffffe"
      "aaaeaabaaaeeaebabbeeeebabbefeebebbffeefebbffeffebbffeffebfffeffebfffeffebfffeffebbffeffebbffeebe"
      "aabbeeaeaaabeeaaaaaaaeaaefffffffeebfffefaebbefeeaabbeeaaaaaaaeaaeebfffefaebbefaeaaabaeaaefbfffef"
      "aebbefaeaaabaeaaeebfffeeaabbeeaaeffefbffaebaeabafffefbffaebaeabafffefbffaebaeabaefbefbfeaaaaaaba"
      "eebaebbefffefbffaebaeabaefbaebbefffefbffaeaaaabaeebaebbaefbefbfeaaaaaaaaaeabaebaaebbeebaefbbefbe"
      "efbfffbefffffffeffffffffaaabaaaaaeabaeaaaeabaebaaebbaebaaebbaebaaebbaebaaebbaebaaebbaebaaeabaeaa"
      "beefbeefbaefbaefbaeebaeebaaebaaebaaeaaaefffffffffeffbeffbeefbeefbaefbaeebaaeaaaeffffffffbeffbeef"
      "baefbaaebaaeaaaaffffbeffbeefbaee",
  "aaaaebbabaaeebfbbabeeffba6699aaaa669aaaafbbeeffffbbeeffbfabeeffbbaaeebbaaaaaaaaafbbeeffbbaaeebba"
      "aaaaaaaafbbeebbaaaaaaaaabaaeebbaaabaaeabaefbbeebbeffbeef6aaaaa9aaaaaaaaaaabaaaaaaabaaaaaaabaaa9a"
      "aaaa6a9abfffbeefbefbaeebaebbaeaaaaaa6a9abeffbeebaebaaa9abfffbeebaebbebee6aaaaaaaaebaabeebebbeffe"
      "6aaa9aaaaeaaabeaaebaabeeaebbebeebebbefeebffbefeebffbefeebfbbefeebfbbefeebebbabeeaebaabeaaeaaaaaa"
      "6aaaaaaabfbbfbffaeaabbbb6aaaaaaabebbbbbbaeaaaaaabfbbbbbbaeaaaaaaaebbbbbbbfbbffffaeaaaaaabebbbbbb"
      "bfbbbbbbaaaaaaaaaeaaaaaaaeaaaaaaeeeeeeeeffffffffffffffffffffffffefeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
      "aaaaaaaaaaaaaaaaefeeeeeeeeeeeeaaaaaaaaaaffeeeeeeeeaeaaaaffffefeeeaeeaebafbffeffeeaeeaabafbefeefe"
      "eaaaaabaeaeeeebafbffeefeeaaaaabaeaeeaebafbeeeebefbffeefeaaaaaaa9eaaaaaaaeaaeaabaeaeeaabaebeeaaba"
      "effebbffeffebbffeffebbffeebebbffeebebbefeebabbeeaebaabeeaaaaaaaafffebfffefbebbefeebaabeeaaaaaaaa"
      "effebbefeebaabeeaaaa6aaaefbebbeeaebaeaaaeffefbefaebaeaaafffefbefaebaeaaaefbefbeeaaaaaaaaeebaebae"
      "fffefbefaebaaaaaeebaebaeffbefbeeaaaaaa9aaebaeaaaeebaebaeefbefbaebaeabaeabaebbaebbaebbeebbeebbefb"
      "befbbefbbefbbefbbefbfefbbefbbefbbefbbefbbefbbefbbeebbeebbeebbaebbaebbaeabaaabaaabaaaaaaafffbfffb"
      "aefbbeefaeebbaefaaaabaaeeffbffffaefbbeefaaebbaae9aaaaaaaaefbbeefaaeabaaeeffbfeffaeebbaaeaaaaaaaa"
      "aeebbeefaaaaaaaaaeebbeefaaaaaaaaaeebbaeeffffffffaeebbaaeeffbbeefaaaaaaaaaeebbaaeeffbbeefaaaaaaaa"
      "aeebbaaeeffbbeefaaaaaaaaaeebbaaeeffbbaaeeffbbeefffffffffaaaaaaaaaaaaaaaeaaaaaaaeebbaaeaeebbaaeef"
      "ebbaaeeffbbeaeeffbbeafeffbbeafeffbbeefeffbbeefeffbbeafeffbbeafeffbbeaeeffbbaaeefebbaaeafebbaaeae"
      "aaaaaaaabfefffffbeefeffbbeaeeffbbaaeafebbaaaaeabaaaaaaaabfefeffbbeaeefebbaaeaeabaaaaaaaabeefeffb"
      "baaeafebaaaaaeaabfefeffbbaaeafebaaaaaaaabeefeffbbaaeaeabffeffffbbeaeafebaaaaaaaabeafefebbaaaaaaa"
      "beafefebbaaaaeaabeafefebbaaaaaaabeafafebaaaaaaa6beaeafabffeffffbaaaeaeaeafafefefaaaaaaaeaeaeafaf"
      "efefefefaaaaaaaeaeaeafafafefefefaaaaaaaaaeaeaeaeafafafefefefefffaaaaaaaeaeaeaeaeafafafafefefefef"
      "9aaaaaaaaaaaaaaeaeaeaeaeaeafafafafafafefefefefefefefefffaaaaaaaaaaaaaaaaaaaaaeaeaeaeaeaeaeaeaeae"
      "aeaeaeaeaeaeaeaeaeaeaeaeaeaeaeae",
};

static uint16_t zen5_tab[ZEN5_TABLES][4096];
static pthread_once_t zen5_once = PTHREAD_ONCE_INIT;

static uint32_t approx_isqrt(uint64_t n)
{
    uint64_t r = 0, bit = 1ull << 62;
    while (bit > n)
        bit >>= 2;
    for (; bit; bit >>= 2) {
        if (n >= r + bit) {
            n -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
    }
    return (uint32_t)r;
}

static int approx_hex(char c)
{
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

static uint32_t approx_estimate(int k, uint32_t i)
{
    if (k == ZEN5_RCP)
        return (1u << 25) / (4096 + i);
    return approx_isqrt((k == ZEN5_RSQRT_EVEN ? 1ull << 38 : 1ull << 37) / (4096 + i));
}

static void zen5_build(void)
{
    for (int k = 0; k < ZEN5_TABLES; k++)
        for (uint32_t i = 0; i < 4096; i++) {
            const char *h = &zen5_deltas[k][i / 4 * 2];
            unsigned byte = (unsigned)(approx_hex(h[0]) << 4 | approx_hex(h[1]));
            int d = (int)((byte >> (2 * (i % 4))) & 3) - 2;
            zen5_tab[k][i] = (uint16_t)((int)approx_estimate(k, i) - 4096 + d);
        }
}

/* b: a normal number, positive for rsqrt, below 2^126 for rcp (the
 * caller has the special cases). */
uint32_t sse_approx_zen5(enum sse_fop op, uint32_t b)
{
    pthread_once(&zen5_once, zen5_build);
    uint32_t sign = b & F32_SIGN, e = (b >> 23) & 0xff, i = (b >> 11) & 0xfff;
    if (op == SSE_FRCP)
        return sign | (253 - e) << 23 | (uint32_t)zen5_tab[ZEN5_RCP][i] << 11;
    int u = (int)e - 127, odd = u & 1;
    uint32_t oe = (uint32_t)(126 - (u - odd) / 2);
    return oe << 23 | (uint32_t)zen5_tab[odd ? ZEN5_RSQRT_ODD : ZEN5_RSQRT_EVEN][i] << 11;
}
