/* isa_ext.c -- a program the way libraries use the extensions beyond
 * x86-64-v2, through compiler intrinsics (per-function target
 * attributes, so the four builds of tests/guest need no extra flags):
 * AES-128 key expansion and CTR-mode encryption of a buffer (AES-NI),
 * SHA-256 with the SHA extensions next to a plain C SHA-256, a GHASH-style
 * carry-less multiply (PCLMULQDQ), bit gathering with pdep/pext, bzhi,
 * mulx/adcx/adox big-number addition and multiplication, movbe, rdrand's
 * success flag, and what __builtin_cpu_supports says. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define T(x) __attribute__((target(x), noinline))

/* ---- AES-128 ---- */
T("aes,sse4.1") static __m128i key_step(__m128i k, __m128i g)
{
    g = _mm_shuffle_epi32(g, 0xff);
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    return _mm_xor_si128(k, g);
}

#define KS(i, rc) rk[i] = key_step(rk[i - 1], _mm_aeskeygenassist_si128(rk[i - 1], rc))
T("aes,sse4.1") static void aes_expand(const uint8_t key[16], __m128i rk[11])
{
    rk[0] = _mm_loadu_si128((const __m128i *)key);
    KS(1, 0x01); KS(2, 0x02); KS(3, 0x04); KS(4, 0x08); KS(5, 0x10);
    KS(6, 0x20); KS(7, 0x40); KS(8, 0x80); KS(9, 0x1b); KS(10, 0x36);
}

T("aes,sse4.1") static __m128i aes_block(const __m128i rk[11], __m128i b)
{
    b = _mm_xor_si128(b, rk[0]);
    for (int i = 1; i < 10; i++)
        b = _mm_aesenc_si128(b, rk[i]);
    return _mm_aesenclast_si128(b, rk[10]);
}

T("aes,sse4.1") static __m128i aes_unblock(const __m128i rk[11], __m128i b)
{
    b = _mm_xor_si128(b, rk[10]);
    for (int i = 9; i > 0; i--)
        b = _mm_aesdec_si128(b, _mm_aesimc_si128(rk[i]));
    return _mm_aesdeclast_si128(b, rk[0]);
}

static void hex(const char *name, const uint8_t *p, size_t n)
{
    printf("%s ", name);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

T("aes,sse4.1") static void aes_test(void)
{
    /* FIPS-197 appendix C.1 */
    static const uint8_t key[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
    static const uint8_t pt[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
    __m128i rk[11];
    uint8_t out[16], back[16], buf[256];
    aes_expand(key, rk);
    __m128i c = aes_block(rk, _mm_loadu_si128((const __m128i *)pt));
    _mm_storeu_si128((__m128i *)out, c);
    _mm_storeu_si128((__m128i *)back, aes_unblock(rk, c));
    hex("aes128", out, 16);
    printf("aes128 decrypt ok %d\n", memcmp(back, pt, 16) == 0);
    for (int i = 0; i < 256; i++)
        buf[i] = (uint8_t)(i * 31 + 7);
    for (int blk = 0; blk < 16; blk++) {                 /* CTR mode */
        __m128i ctr = _mm_set_epi64x(0x0123456789abcdefll, blk);
        __m128i ks = aes_block(rk, ctr), *p = (__m128i *)(buf + 16 * blk);
        _mm_storeu_si128(p, _mm_xor_si128(_mm_loadu_si128(p), ks));
    }
    uint32_t h = 2166136261u;
    for (int i = 0; i < 256; i++)
        h = (h ^ buf[i]) * 16777619u;
    printf("aes-ctr fnv %08x\n", h);
}

/* ---- SHA-256: plain C and SHA-NI ---- */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n) { return x >> n | x << (32 - n); }

static void sha256_c(uint32_t st[8], const uint8_t blk[64])
{
    uint32_t w[64], s[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)blk[4 * i] << 24 | blk[4 * i + 1] << 16 | blk[4 * i + 2] << 8 | blk[4 * i + 3];
    for (int i = 16; i < 64; i++)
        w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3) + w[i - 7] +
               (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10);
    memcpy(s, st, sizeof s);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = s[7] + (ror(s[4], 6) ^ ror(s[4], 11) ^ ror(s[4], 25)) +
                      ((s[4] & s[5]) ^ (~s[4] & s[6])) + K256[i] + w[i];
        uint32_t t2 = (ror(s[0], 2) ^ ror(s[0], 13) ^ ror(s[0], 22)) +
                      ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
        memmove(s + 1, s, 7 * sizeof s[0]);
        s[4] += t1;
        s[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        st[i] += s[i];
}

/* The usual SHA-NI block function (state as ABEF/CDGH). */
T("sha,sse4.1") static void sha256_ni(uint32_t st[8], const uint8_t blk[64])
{
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bull, 0x0405060700010203ull);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&st[0]);
    __m128i s1 = _mm_loadu_si128((const __m128i *)&st[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xb1);
    s1 = _mm_shuffle_epi32(s1, 0x1b);
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);
    s1 = _mm_blend_epi16(s1, tmp, 0xf0);
    __m128i a0 = s0, c0 = s1, m[4];
    for (int i = 0; i < 4; i++)
        m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blk + 16 * i)), mask);
    for (int r = 0; r < 16; r++) {
        __m128i *w = &m[r & 3];
        if (r >= 4) {
            __m128i t = _mm_alignr_epi8(m[(r + 3) & 3], m[(r + 2) & 3], 4);
            *w = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(*w, m[(r + 1) & 3]), t),
                                      m[(r + 3) & 3]);
        }
        __m128i k = _mm_add_epi32(*w, _mm_loadu_si128((const __m128i *)&K256[4 * r]));
        s1 = _mm_sha256rnds2_epu32(s1, s0, k);
        s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(k, 0x0e));
    }
    s0 = _mm_add_epi32(s0, a0);
    s1 = _mm_add_epi32(s1, c0);
    tmp = _mm_shuffle_epi32(s0, 0x1b);
    s1 = _mm_shuffle_epi32(s1, 0xb1);
    s0 = _mm_blend_epi16(tmp, s1, 0xf0);
    s1 = _mm_alignr_epi8(s1, tmp, 8);
    _mm_storeu_si128((__m128i *)&st[0], s0);
    _mm_storeu_si128((__m128i *)&st[4], s1);
}

static void sha_test(void)
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    uint8_t msg[128];
    for (int i = 0; i < 128; i++)
        msg[i] = (uint8_t)(i * 13 + 1);
    uint32_t a[8], b[8];
    memcpy(a, iv, sizeof a);
    memcpy(b, iv, sizeof b);
    for (int k = 0; k < 2; k++) {
        sha256_c(a, msg + 64 * k);
        sha256_ni(b, msg + 64 * k);
    }
    printf("sha256 c  ");
    for (int i = 0; i < 8; i++) printf("%08x", a[i]);
    printf("\nsha256 ni ");
    for (int i = 0; i < 8; i++) printf("%08x", b[i]);
    printf("\n");
}

/* ---- carry-less multiply, BMI2, ADX, MOVBE ---- */
T("pclmul,sse4.1") static void clmul_test(void)
{
    uint64_t acc = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 64; i++) {
        __m128i a = _mm_set_epi64x((long long)(acc * 3), (long long)acc);
        __m128i p = (i & 1) ? _mm_clmulepi64_si128(a, a, 0x11) : _mm_clmulepi64_si128(a, a, 0x01);
        acc ^= (uint64_t)_mm_extract_epi64(p, 0) + (uint64_t)_mm_extract_epi64(p, 1);
    }
    printf("clmul %016llx\n", (unsigned long long)acc);
}

T("bmi,bmi2,adx,movbe") static void bits_test(void)
{
    uint64_t x = 0x0123456789abcdefull, s = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t m = x ^ (x << 17);
        s += _pdep_u64(x, m) ^ _pext_u64(x, ~m) ^ _bzhi_u64(x, (unsigned)i);
        s ^= _blsr_u64(m) + _blsi_u64(m) + _blsmsk_u64(m) + _andn_u64(x, m) + _tzcnt_u64(m) +
             _bextr_u64(x, (unsigned)i, 8);
        s += _pdep_u32((unsigned)x, (unsigned)m) + (s >> 13 | s << 51);
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    }
    printf("bmi %016llx\n", (unsigned long long)s);
    /* 256-bit add and 128x64 multiply with adx/mulx */
    unsigned long long a[4] = { ~0ull, ~0ull, 5, 7 }, b[4] = { 1, 0, ~0ull, 9 }, r[4];
    unsigned char c = 0;
    for (int i = 0; i < 4; i++)
        c = _addcarryx_u64(c, a[i], b[i], &r[i]);
    unsigned long long hi, lo = _mulx_u64(0xfedcba9876543210ull, 0x0f0f0f0f0f0f0f0full, &hi);
    printf("adx %llx %llx %llx %llx carry %d mulx %llx %llx\n", r[0], r[1], r[2], r[3], c, hi, lo);
    static volatile uint32_t mem = 0x11223344;
    uint32_t be = __builtin_bswap32(mem);       /* movbe with the target */
    mem = __builtin_bswap32(be + 1);
    printf("movbe %08x %08x\n", be, mem);
}

T("rdrnd") static void rdrand_test(void)
{
    unsigned long long v;
    int ok = 1;
    for (int i = 0; i < 8; i++)
        ok &= _rdrand64_step(&v);
    printf("rdrand ok %d\n", ok);
}

int main(void)
{
    __builtin_cpu_init();
    printf("supports: aes %d pclmul %d sha %d bmi %d bmi2 %d adx %d movbe %d rdrnd %d\n",
           !!__builtin_cpu_supports("aes"), !!__builtin_cpu_supports("pclmul"),
           !!__builtin_cpu_supports("sha"), !!__builtin_cpu_supports("bmi"),
           !!__builtin_cpu_supports("bmi2"), !!__builtin_cpu_supports("adx"),
           !!__builtin_cpu_supports("movbe"), !!__builtin_cpu_supports("rdrnd"));
    aes_test();
    sha_test();
    clmul_test();
    bits_test();
    rdrand_test();
    return 0;
}
