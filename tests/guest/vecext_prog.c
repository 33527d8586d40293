/* vecext_prog.c -- a guest program built with the GFNI, VAES, VPCLMULQDQ
 * and AVX-VNNI intrinsics (-mgfni -mvaes -mvpclmulqdq -mavxvnni on top of
 * x86-64-v3): AES-128 CTR over a buffer, four blocks per VAES instruction,
 * checked against the one-block AES-NI path; a carry-less multiply
 * checksum (VPCLMULQDQ, both lanes) against the 128-bit pclmulqdq; GF(2^8)
 * products, the AES S-box through gf2p8affineinvqb, bit reversal through
 * gf2p8affineqb, in their VEX and legacy SSE forms; int8 and int16 dot
 * products with AVX-VNNI against plain C loops; and what CPUID says of the
 * four extensions.  Output: the results in hex. */
//@cflags: -march=x86-64-v3 -maes -mpclmul -mgfni -mvaes -mvpclmulqdq -mavxvnni -O3
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BLOCKS 64

static uint64_t fnv(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* ---- AES-128 ---- */

static __m128i key_step(__m128i k, __m128i t)
{
    t = _mm_shuffle_epi32(t, 0xff);
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    return _mm_xor_si128(k, t);
}

static void aes_keys(__m128i rk[11], __m128i key)
{
    rk[0] = key;
#define STEP(i, rcon) rk[i] = key_step(rk[i - 1], _mm_aeskeygenassist_si128(rk[i - 1], rcon))
    STEP(1, 0x01); STEP(2, 0x02); STEP(3, 0x04); STEP(4, 0x08); STEP(5, 0x10);
    STEP(6, 0x20); STEP(7, 0x40); STEP(8, 0x80); STEP(9, 0x1b); STEP(10, 0x36);
#undef STEP
}

static void ctr_vaes(const __m128i rk[11], uint8_t *out, int n)
{
    __m256i k[11];
    for (int r = 0; r < 11; r++) k[r] = _mm256_broadcastsi128_si256(rk[r]);
    for (int b = 0; b < n; b += 2) {
        __m256i x = _mm256_set_epi64x(0, b + 1, 0, b);
        x = _mm256_xor_si256(x, k[0]);
        for (int r = 1; r < 10; r++) x = _mm256_aesenc_epi128(x, k[r]);
        x = _mm256_aesenclast_epi128(x, k[10]);
        _mm256_storeu_si256((__m256i *)(out + 16 * b), x);
    }
}

static void ctr_aesni(const __m128i rk[11], uint8_t *out, int n)
{
    for (int b = 0; b < n; b++) {
        __m128i x = _mm_xor_si128(_mm_set_epi64x(0, b), rk[0]);
        for (int r = 1; r < 10; r++) x = _mm_aesenc_si128(x, rk[r]);
        _mm_storeu_si128((__m128i *)(out + 16 * b), _mm_aesenclast_si128(x, rk[10]));
    }
}

/* Decrypt with VAES (the inverse-cipher round keys from aesimc). */
static void dec_vaes(const __m128i rk[11], uint8_t *buf, int n)
{
    __m256i k[11];
    k[0] = _mm256_broadcastsi128_si256(rk[10]);
    for (int r = 1; r < 10; r++) k[r] = _mm256_broadcastsi128_si256(_mm_aesimc_si128(rk[10 - r]));
    k[10] = _mm256_broadcastsi128_si256(rk[0]);
    for (int b = 0; b < n; b += 2) {
        __m256i x = _mm256_xor_si256(_mm256_loadu_si256((__m256i *)(buf + 16 * b)), k[0]);
        for (int r = 1; r < 10; r++) x = _mm256_aesdec_epi128(x, k[r]);
        _mm256_storeu_si256((__m256i *)(buf + 16 * b), _mm256_aesdeclast_epi128(x, k[10]));
    }
}

static void aes_part(void)
{
    static uint8_t a[16 * BLOCKS], b[16 * BLOCKS];
    __m128i rk[11];
    aes_keys(rk, _mm_set_epi64x(0x0f0e0d0c0b0a0908ll, 0x0706050403020100ll));
    ctr_vaes(rk, a, BLOCKS);
    ctr_aesni(rk, b, BLOCKS);
    printf("aes ctr vaes %016llx aesni %016llx equal %d\n", (unsigned long long)fnv(a, sizeof a),
           (unsigned long long)fnv(b, sizeof b), !memcmp(a, b, sizeof a));
    dec_vaes(rk, a, BLOCKS);
    printf("aes dec block0 %016llx %016llx\n", (unsigned long long)((uint64_t *)a)[0],
           (unsigned long long)((uint64_t *)a)[1]);
}

/* ---- carry-less multiplication ---- */

static void clmul_part(void)
{
    static uint64_t v[4 * BLOCKS];
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 4 * BLOCKS; i++) v[i] = s = s * 6364136223846793005ull + 1442695040888963407ull;
    __m256i acc = _mm256_setzero_si256();
    __m128i ref = _mm_setzero_si128();
    for (int i = 0; i + 8 <= 4 * BLOCKS; i += 8) {
        __m256i x = _mm256_loadu_si256((__m256i *)&v[i]), y = _mm256_loadu_si256((__m256i *)&v[i + 4]);
        acc = _mm256_xor_si256(acc, _mm256_clmulepi64_epi128(x, y, 0x00));
        acc = _mm256_xor_si256(acc, _mm256_clmulepi64_epi128(x, y, 0x11));
        acc = _mm256_xor_si256(acc, _mm256_clmulepi64_epi128(x, y, 0x01));
        acc = _mm256_xor_si256(acc, _mm256_clmulepi64_epi128(x, y, 0x10));
        for (int h = 0; h < 2; h++) {
            __m128i a = _mm_loadu_si128((__m128i *)&v[i + 2 * h]);
            __m128i b = _mm_loadu_si128((__m128i *)&v[i + 4 + 2 * h]);
            for (int imm = 0; imm < 4; imm++) {
                __m128i p = imm == 0 ? _mm_clmulepi64_si128(a, b, 0x00)
                          : imm == 1 ? _mm_clmulepi64_si128(a, b, 0x11)
                          : imm == 2 ? _mm_clmulepi64_si128(a, b, 0x01)
                                     : _mm_clmulepi64_si128(a, b, 0x10);
                ref = _mm_xor_si128(ref, p);
            }
        }
    }
    __m128i folded = _mm_xor_si128(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    printf("clmul %016llx %016llx %016llx %016llx equal %d\n",
           (unsigned long long)_mm256_extract_epi64(acc, 0), (unsigned long long)_mm256_extract_epi64(acc, 1),
           (unsigned long long)_mm256_extract_epi64(acc, 2), (unsigned long long)_mm256_extract_epi64(acc, 3),
           !memcmp(&folded, &ref, 16));
}

/* ---- GFNI ---- */

#define AES_AFFINE 0xf1e3c78f1f3e7cf8ll
#define BIT_REVERSE 0x8040201008040201ll

/* The legacy SSE encodings (the intrinsics give VEX forms under -mavx,
 * and GCC will not inline them into a no-avx function): asm. */
static void gfni_sse(uint8_t out[3][16], const uint8_t in[16])
{
    __m128i x = _mm_loadu_si128((const __m128i *)in), m = x, a = x, r = x;
    __m128i c = _mm_set1_epi8(0x53), aes = _mm_set1_epi64x(AES_AFFINE), rev = _mm_set1_epi64x(BIT_REVERSE);
    __asm__("gf2p8mulb %[c], %[m]\n\tgf2p8affineinvqb $0x63, %[aes], %[a]\n\t"
            "gf2p8affineqb $0, %[rev], %[r]"
            : [m] "+x"(m), [a] "+x"(a), [r] "+x"(r) : [c] "xm"(c), [aes] "xm"(aes), [rev] "xm"(rev));
    _mm_storeu_si128((__m128i *)out[0], m);
    _mm_storeu_si128((__m128i *)out[1], a);
    _mm_storeu_si128((__m128i *)out[2], r);
}

static void gfni_part(void)
{
    uint8_t sbox[256], rev[256], mul[256], sse[3][16];
    int sse_same = 1;
    for (int k = 0; k < 256; k += 32) {
        uint8_t in[32];
        for (int i = 0; i < 32; i++) in[i] = (uint8_t)(k + i);
        __m256i x = _mm256_loadu_si256((__m256i *)in);
        _mm256_storeu_si256((__m256i *)&sbox[k],
                            _mm256_gf2p8affineinv_epi64_epi8(x, _mm256_set1_epi64x(AES_AFFINE), 0x63));
        _mm256_storeu_si256((__m256i *)&rev[k],
                            _mm256_gf2p8affine_epi64_epi8(x, _mm256_set1_epi64x(BIT_REVERSE), 0));
        _mm256_storeu_si256((__m256i *)&mul[k], _mm256_gf2p8mul_epi8(x, _mm256_set1_epi8(0x53)));
        for (int h = 0; h < 32; h += 16) {
            gfni_sse(sse, in + h);
            sse_same &= !memcmp(sse[0], &mul[k + h], 16) && !memcmp(sse[1], &sbox[k + h], 16) &&
                        !memcmp(sse[2], &rev[k + h], 16);
        }
    }
    printf("gfni sbox %016llx [0]=%02x [53]=%02x rev %016llx [1]=%02x mul %016llx sse same %d\n",
           (unsigned long long)fnv(sbox, 256), sbox[0], sbox[0x53], (unsigned long long)fnv(rev, 256),
           rev[1], (unsigned long long)fnv(mul, 256), sse_same);
}

/* ---- AVX-VNNI ---- */

#define VN 256

static void vnni_part(void)
{
    static uint8_t u[VN];
    static int8_t s8[VN];
    static int16_t a16[VN], b16[VN];
    uint32_t r = 12345;
    for (int i = 0; i < VN; i++) {
        r = r * 1103515245u + 12345u;
        u[i] = (uint8_t)(r >> 16);
        s8[i] = (int8_t)(r >> 8);
        a16[i] = (int16_t)(r >> 3);
        b16[i] = i % 7 ? (int16_t)(r >> 11) : -32768;
    }
    __m256i bus = _mm256_setzero_si256(), buss = _mm256_set1_epi32(0x7ffff000);
    __m256i wss = _mm256_setzero_si256(), wsss = _mm256_set1_epi32(-0x7fff0000);
    for (int i = 0; i < VN; i += 32) {
        __m256i x = _mm256_loadu_si256((__m256i *)&u[i]), y = _mm256_loadu_si256((__m256i *)&s8[i]);
        bus = _mm256_dpbusd_avx_epi32(bus, x, y);
        buss = _mm256_dpbusds_avx_epi32(buss, x, y);
    }
    for (int i = 0; i < VN; i += 16) {
        __m256i x = _mm256_loadu_si256((__m256i *)&a16[i]), y = _mm256_loadu_si256((__m256i *)&b16[i]);
        wss = _mm256_dpwssd_avx_epi32(wss, x, y);
        wsss = _mm256_dpwssds_avx_epi32(wsss, x, y);
    }
    int64_t ref_b = 0, ref_w = 0, got_b = 0, got_w = 0;
    for (int i = 0; i < VN; i++) ref_b += u[i] * s8[i], ref_w += a16[i] * b16[i];
    int32_t lb[8], lw[8], lbs[8], lws[8];
    _mm256_storeu_si256((__m256i *)lb, bus);
    _mm256_storeu_si256((__m256i *)lw, wss);
    _mm256_storeu_si256((__m256i *)lbs, buss);
    _mm256_storeu_si256((__m256i *)lws, wsss);
    for (int i = 0; i < 8; i++) got_b += lb[i], got_w += lw[i];
    /* vpdpwssd wraps each lane: the lanes' sum equals the plain one mod 2^32 */
    printf("vnni dpbusd %lld (ref %lld) dpwssd %08x (ref mod 2^32 %08x)\n", (long long)got_b,
           (long long)ref_b, (uint32_t)got_w, (uint32_t)ref_w);
    printf("vnni sat");
    for (int i = 0; i < 8; i++) printf(" %08x/%08x", (uint32_t)lbs[i], (uint32_t)lws[i]);
    __m128i x128 = _mm_dpbusd_avx_epi32(_mm_set1_epi32(7), _mm_loadu_si128((__m128i *)u),
                                        _mm_loadu_si128((__m128i *)s8));
    printf(" x128 %08x\n", (uint32_t)_mm_extract_epi32(x128, 3));
}

int main(void)
{
    __builtin_cpu_init();
    printf("cpu gfni %d vaes %d vpclmulqdq %d\n", !!__builtin_cpu_supports("gfni"),
           !!__builtin_cpu_supports("vaes"), !!__builtin_cpu_supports("vpclmulqdq"));
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(1));
    printf("cpuid 7.1 eax avx-vnni %u\n", a >> 4 & 1);
    /* A CPU without an extension (a Skylake server lacks all three, a
     * Zen 2 GFNI, VAES, VPCLMULQDQ) raises #UD for it natively, and ferry
     * hides what the host lacks: each part runs where CPUID has it. */
    if (__builtin_cpu_supports("vaes"))
        aes_part();
    else
        printf("no vaes: its part skipped\n");
    if (__builtin_cpu_supports("vpclmulqdq"))
        clmul_part();
    else
        printf("no vpclmulqdq: its part skipped\n");
    if (__builtin_cpu_supports("gfni"))
        gfni_part();
    else
        printf("no gfni: its part skipped\n");
    if (a >> 4 & 1)
        vnni_part();
    else
        printf("no avx-vnni: its part skipped\n");   /* #UD natively (Ice Lake server) */
    return 0;
}
