/* x86_crypto.c -- AES-NI (aesenc aesenclast aesdec aesdeclast aesimc
 * aeskeygenassist), PCLMULQDQ and the SHA extensions (sha1rnds4 sha1nexte
 * sha1msg1 sha1msg2 sha256rnds2 sha256msg1 sha256msg2), legacy-SSE
 * encodings: rows of the SSE family's shape (x86_sse.h: xmm op0 <-
 * op(op0, xmm/m128 op1 [, imm8])) with plain C helpers as the ops'
 * definition; and the VEX.128 forms of AES-NI and PCLMULQDQ (valid with
 * AES/PCLMULQDQ and AVX in CPUID; OpenSSL's AVX code uses them), the same
 * helpers through the AVX rows, at 256 bits too: VAES and VPCLMULQDQ,
 * each 128-bit lane on its own (the imm8 selects the same qwords in
 * both).  Written from the SDM's pseudo-code and
 * FIPS-197/180-4.
 *
 * AES-NI and PCLMULQDQ are vector IR ops (vaesenc .. vclmul, ir_ops.def)
 * with these helpers as their exact C forms: the backends emit the host's
 * AES and carry-less multiply instructions where it has them and call the
 * helper otherwise (or with be_soft_crypto); so are the SHA extensions
 * (vsha1rnds4 .. vsha256msg2: the host's SHA instructions on x86-64 only).
 */
#include "x86_internal.h"
#include "x86_avx.h"
#include "x86_avx_rows.h"
#include "x86_sse.h"

/* ---- AES ------------------------------------------------------------------ */

static uint8_t aes_sbox[256], aes_inv_sbox[256];

static uint8_t rotl8(uint8_t x, int n) { return (uint8_t)(x << n | x >> (8 - n)); }

/* S-box from the multiplicative inverse and the affine map (FIPS-197
 * 5.1.1), built before main.  The inverse comes from powers of the
 * generator 3 (a^-1 = 3^(255 - log3 a)): a search per byte cost 3 M host
 * instructions at every start of ferry. */
__attribute__((constructor(101))) static void aes_tables(void)
{
    uint8_t exp3[256], log3[256] = { 0 };
    uint8_t x = 1;
    for (int k = 0; k < 255; k++) {
        exp3[k] = x;
        log3[x] = (uint8_t)k;
        x ^= (uint8_t)((x << 1) ^ (x & 0x80 ? 0x1b : 0));      /* x *= 3 */
    }
    for (int a = 0; a < 256; a++) {
        uint8_t inv = a ? exp3[(255 - log3[a]) % 255] : 0;
        uint8_t s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
        aes_sbox[a] = s;
        aes_inv_sbox[s] = (uint8_t)a;
    }
}

/* Products by the MixColumns coefficients (2, 3 forward; 9, 11, 13, 14
 * inverse): table lookups instead of a GF(2^8) multiply loop per byte, which made AES-GCM
 * under ferry 470x slower than native (Python's test_asyncio.test_ssl clients
 * timed out).  Built from xtime (multiply by 2), a few thousand host
 * instructions at start-up. */
static uint8_t aes_mul2[256], aes_mul3[256], aes_mul9[256], aes_mul11[256], aes_mul13[256],
    aes_mul14[256];

static uint8_t xtime(uint8_t a) { return (uint8_t)((a << 1) ^ (a & 0x80 ? 0x1b : 0)); }

__attribute__((constructor(101))) static void aes_mul_tables(void)
{
    for (int a = 0; a < 256; a++) {
        uint8_t x2 = xtime((uint8_t)a), x4 = xtime(x2), x8 = xtime(x4);
        aes_mul2[a] = x2;
        aes_mul3[a] = (uint8_t)(x2 ^ a);
        aes_mul9[a] = (uint8_t)(x8 ^ a);
        aes_mul11[a] = (uint8_t)(x8 ^ x2 ^ a);
        aes_mul13[a] = (uint8_t)(x8 ^ x4 ^ a);
        aes_mul14[a] = (uint8_t)(x8 ^ x4 ^ x2);
    }
}

/* The state is column-major: byte 4c + r is row r of column c.  ShiftRows
 * takes byte 4((c + r) mod 4) + r into 4c + r (the inverse, c - r). */
static const uint8_t aes_shift_fwd[16] = { 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11 };
static const uint8_t aes_shift_inv[16] = { 0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3 };

/* ShiftRows then SubBytes (they commute), in one pass. */
static void aes_shift_sub(x86_xmm *s, bool inverse)
{
    const uint8_t *idx = inverse ? aes_shift_inv : aes_shift_fwd;
    const uint8_t *box = inverse ? aes_inv_sbox : aes_sbox;
    x86_xmm t = *s;
    for (int i = 0; i < 16; i++) s->b[i] = box[t.b[idx[i]]];
}

static void aes_mix_columns(x86_xmm *s, bool inverse)
{
    for (int c = 0; c < 4; c++) {
        uint8_t *p = &s->b[4 * c];
        uint8_t a0 = p[0], a1 = p[1], a2 = p[2], a3 = p[3];
        if (!inverse) {
            p[0] = aes_mul2[a0] ^ aes_mul3[a1] ^ a2 ^ a3;
            p[1] = a0 ^ aes_mul2[a1] ^ aes_mul3[a2] ^ a3;
            p[2] = a0 ^ a1 ^ aes_mul2[a2] ^ aes_mul3[a3];
            p[3] = aes_mul3[a0] ^ a1 ^ a2 ^ aes_mul2[a3];
        } else {
            p[0] = aes_mul14[a0] ^ aes_mul11[a1] ^ aes_mul13[a2] ^ aes_mul9[a3];
            p[1] = aes_mul9[a0] ^ aes_mul14[a1] ^ aes_mul11[a2] ^ aes_mul13[a3];
            p[2] = aes_mul13[a0] ^ aes_mul9[a1] ^ aes_mul14[a2] ^ aes_mul11[a3];
            p[3] = aes_mul11[a0] ^ aes_mul13[a1] ^ aes_mul9[a2] ^ aes_mul14[a3];
        }
    }
}

/* A whole middle round (aesenc/aesdec) per column from one table: entry a
 * holds the MixColumns products of S(a) for row 0, bytes low to high being
 * rows 0..3; the rows 1..3 of the input take it rotated by 8, 16, 24 bits. */
static uint32_t aes_te[256], aes_td[256];

__attribute__((constructor(102))) static void aes_round_tables(void)
{
    for (int a = 0; a < 256; a++) {
        uint8_t b = aes_sbox[a], i = aes_inv_sbox[a];
        aes_te[a] = (uint32_t)aes_mul2[b] | (uint32_t)b << 8 | (uint32_t)b << 16 |
                    (uint32_t)aes_mul3[b] << 24;
        aes_td[a] = (uint32_t)aes_mul14[i] | (uint32_t)aes_mul9[i] << 8 |
                    (uint32_t)aes_mul13[i] << 16 | (uint32_t)aes_mul11[i] << 24;
    }
}

static uint32_t rotl32(uint32_t x, int n) { return x << n | x >> (32 - n); }

static void aes_round(struct x86_cpu *env, uint64_t d, uint64_t s, bool dec, bool last)
{
    x86_xmm st = *sse_reg(env, d), *key = sse_reg(env, s);
    if (last) {
        aes_shift_sub(&st, dec);
    } else {
        const uint8_t *idx = dec ? aes_shift_inv : aes_shift_fwd;
        const uint32_t *t = dec ? aes_td : aes_te;
        x86_xmm in = st;
        for (int c = 0; c < 4; c++) {
            const uint8_t *k = &idx[4 * c];
            uint32_t w = t[in.b[k[0]]] ^ rotl32(t[in.b[k[1]]], 8) ^ rotl32(t[in.b[k[2]]], 16) ^
                         rotl32(t[in.b[k[3]]], 24);
            for (int r = 0; r < 4; r++) st.b[4 * c + r] = (uint8_t)(w >> 8 * r);
        }
    }
    st.q[0] ^= key->q[0];
    st.q[1] ^= key->q[1];
    *sse_reg(env, d) = st;
}

static uint64_t h_aesenc(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t i)
{ (void)i; aes_round(e, d, s, false, false); return 0; }
static uint64_t h_aesenclast(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t i)
{ (void)i; aes_round(e, d, s, false, true); return 0; }
static uint64_t h_aesdec(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t i)
{ (void)i; aes_round(e, d, s, true, false); return 0; }
static uint64_t h_aesdeclast(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t i)
{ (void)i; aes_round(e, d, s, true, true); return 0; }

static uint64_t h_aesimc(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t i)
{
    x86_xmm t = *sse_reg(e, s);
    (void)i;
    aes_mix_columns(&t, true);
    *sse_reg(e, d) = t;
    return 0;
}

static uint32_t sub_word(uint32_t w)
{
    uint32_t r = 0;
    for (int k = 0; k < 4; k++) r |= (uint32_t)aes_sbox[(w >> (8 * k)) & 0xff] << (8 * k);
    return r;
}

static uint32_t ror32(uint32_t x, int n) { return x >> n | x << ((32 - n) & 31); }
static uint32_t rol32(uint32_t x, int n) { return ror32(x, (32 - n) & 31); }

static uint64_t h_aeskeygenassist(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    const x86_xmm *src = sse_reg(e, s);
    uint32_t x1 = sub_word(src->d[1]), x3 = sub_word(src->d[3]), rcon = (uint32_t)(imm & 0xff);
    x86_xmm r = { .d = { x1, ror32(x1, 8) ^ rcon, x3, ror32(x3, 8) ^ rcon } };
    *sse_reg(e, d) = r;
    return 0;
}

/* ---- PCLMULQDQ ---------------------------------------------------------------- */

static uint64_t h_pclmulqdq(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    uint64_t a = sse_reg(e, d)->q[imm & 1], b = sse_reg(e, s)->q[(imm >> 4) & 1], lo = 0, hi = 0;
    for (int i = 0; i < 64; i++)
        if ((b >> i) & 1) {
            lo ^= a << i;
            hi ^= i ? a >> (64 - i) : 0;
        }
    x86_xmm r = { .q = { lo, hi } };
    *sse_reg(e, d) = r;
    return 0;
}

/* ---- SHA-1 --------------------------------------------------------------------- */

static uint32_t sha1_f(int fn, uint32_t b, uint32_t c, uint32_t d)
{
    switch (fn) {
    case 0: return (b & c) ^ (~b & d);
    case 2: return (b & c) ^ (b & d) ^ (c & d);
    default: return b ^ c ^ d;
    }
}

/* Four rounds: dwords 3..0 of op0 are A B C D, of op1 W0+E, W1, W2, W3. */
static uint64_t h_sha1rnds4(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    static const uint32_t k[4] = { 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6 };
    const x86_xmm *x = sse_reg(e, d), *w = sse_reg(e, s);
    int fn = (int)(imm & 3);
    uint32_t a = x->d[3], b = x->d[2], c = x->d[1], dd = x->d[0], ee = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t na = sha1_f(fn, b, c, dd) + rol32(a, 5) + w->d[3 - i] + ee + k[fn];
        ee = dd; dd = c; c = rol32(b, 30); b = a; a = na;
    }
    x86_xmm r = { .d = { dd, c, b, a } };
    *sse_reg(e, d) = r;
    return 0;
}

static uint64_t h_sha1nexte(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    x86_xmm r = *sse_reg(e, s);
    (void)imm;
    r.d[3] += rol32(sse_reg(e, d)->d[3], 30);
    *sse_reg(e, d) = r;
    return 0;
}

static uint64_t h_sha1msg1(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    const x86_xmm *a = sse_reg(e, d), *b = sse_reg(e, s);
    (void)imm;
    /* W0..W3 = a dwords 3..0, W4, W5 = b dwords 3, 2 */
    x86_xmm r = { .d = { b->d[2] ^ a->d[0], b->d[3] ^ a->d[1], a->d[0] ^ a->d[2],
                         a->d[1] ^ a->d[3] } };
    *sse_reg(e, d) = r;
    return 0;
}

static uint64_t h_sha1msg2(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    const x86_xmm *a = sse_reg(e, d), *b = sse_reg(e, s);
    (void)imm;
    uint32_t w16 = rol32(a->d[3] ^ b->d[2], 1), w17 = rol32(a->d[2] ^ b->d[1], 1);
    uint32_t w18 = rol32(a->d[1] ^ b->d[0], 1), w19 = rol32(a->d[0] ^ w16, 1);
    x86_xmm r = { .d = { w19, w18, w17, w16 } };
    *sse_reg(e, d) = r;
    return 0;
}

/* ---- SHA-256 ------------------------------------------------------------------- */

static uint32_t big_s0(uint32_t a) { return ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22); }
static uint32_t big_s1(uint32_t e) { return ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25); }
static uint32_t small_s0(uint32_t w) { return ror32(w, 7) ^ ror32(w, 18) ^ (w >> 3); }
static uint32_t small_s1(uint32_t w) { return ror32(w, 17) ^ ror32(w, 19) ^ (w >> 10); }

/* Two rounds: op0 holds C D G H, op1 A B E F (dwords 3..0), xmm0 the two
 * message+constant words. */
static uint64_t h_sha256rnds2(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    const x86_xmm *x = sse_reg(e, d), *y = sse_reg(e, s);
    uint32_t a = y->d[3], b = y->d[2], c = x->d[3], dd = x->d[2];
    uint32_t ee = y->d[1], f = y->d[0], g = x->d[1], h = x->d[0];
    (void)imm;
    for (int i = 0; i < 2; i++) {
        uint32_t t1 = ((ee & f) ^ (~ee & g)) + big_s1(ee) + e->xmm[0].d[i] + h;
        uint32_t t2 = ((a & b) ^ (a & c) ^ (b & c)) + big_s0(a);
        h = g; g = f; f = ee; ee = dd + t1;
        dd = c; c = b; b = a; a = t1 + t2;
    }
    x86_xmm r = { .d = { f, ee, b, a } };
    *sse_reg(e, d) = r;
    return 0;
}

static uint64_t h_sha256msg1(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    const x86_xmm *a = sse_reg(e, d), *b = sse_reg(e, s);
    (void)imm;
    x86_xmm r = { .d = { a->d[0] + small_s0(a->d[1]), a->d[1] + small_s0(a->d[2]),
                         a->d[2] + small_s0(a->d[3]), a->d[3] + small_s0(b->d[0]) } };
    *sse_reg(e, d) = r;
    return 0;
}

static uint64_t h_sha256msg2(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    const x86_xmm *a = sse_reg(e, d), *b = sse_reg(e, s);
    (void)imm;
    uint32_t w16 = a->d[0] + small_s1(b->d[2]), w17 = a->d[1] + small_s1(b->d[3]);
    uint32_t w18 = a->d[2] + small_s1(w16), w19 = a->d[3] + small_s1(w17);
    x86_xmm r = { .d = { w16, w17, w18, w19 } };
    *sse_reg(e, d) = r;
    return 0;
}

/* ---- rows ------------------------------------------------------------------------ */

#define CRYPTO_INSN(ID) { X86_INS_##ID, x86_sse_translate, X86_FL_READ, 0, X86_OPF_XMM, NULL }
#define CHELPER(fn) { (void *)h_##fn, #fn, 3, 0, 0 }
/* a vector IR op (imm: SSE_IMM_NONE or SSE_IMM_BYTE), the helper its C form */
#define CV(ID, fn, op, size, imm) \
    { CRYPTO_INSN(ID), SSE_F_EMIT, 16, SSE_IMM_##imm, CHELPER(fn), sse_emit_vec, IR_##op, \
      IR_VE_##size, 0, NULL }

static const struct sse_row crypto_rows[] = {
    CV(AESENC, aesenc, vaesenc, 8, NONE), CV(AESENCLAST, aesenclast, vaesencl, 8, NONE),
    CV(AESDEC, aesdec, vaesdec, 8, NONE), CV(AESDECLAST, aesdeclast, vaesdecl, 8, NONE),
    CV(AESIMC, aesimc, vaesimc, 8, NONE), CV(AESKEYGENASSIST, aeskeygenassist, vaeskga, 8, BYTE),
    CV(PCLMULQDQ, pclmulqdq, vclmul, 64, BYTE),
    CV(SHA1RNDS4, sha1rnds4, vsha1rnds4, 32, BYTE), CV(SHA1NEXTE, sha1nexte, vsha1nexte, 32, NONE),
    CV(SHA1MSG1, sha1msg1, vsha1msg1, 32, NONE), CV(SHA1MSG2, sha1msg2, vsha1msg2, 32, NONE),
    /* XMM0, the third source, is the op's imm */
    { CRYPTO_INSN(SHA256RNDS2), SSE_F_EMIT, 16, SSE_IMM_NONE, CHELPER(sha256rnds2), sse_emit_vec,
      IR_vsha256rnds2, IR_VE_32, X86_ENV_OFF(xmm), NULL },
    CV(SHA256MSG1, sha256msg1, vsha256msg1, 32, NONE), CV(SHA256MSG2, sha256msg2, vsha256msg2, 32, NONE),
};
const struct x86_row_set x86_crypto_rows = X86_ROW_SET_OF("crypto", crypto_rows, insn);

/* dst <- fn(vvvv, xmm/m [, imm8]) per 128-bit half, or fn(xmm/m128 [, imm8]).
 * The VEX.256 forms are VAES and VPCLMULQDQ (capstone 4 cannot decode them:
 * x86_isa_alias.c hands them over as their VEX.128 encodings, and the row
 * reads VEX.L from the guest's bytes); vaesimc and vaeskeygenassist have
 * none. */
#define CVEX(ID, form, fn, op, size, fl) \
    { AVX_INSN(ID), AVX_F_##form, 16, fl, IR_##op, IR_VE_##size, 0, CHELPER(fn), NULL }
static const struct avx_row crypto_vex_rows[] = {
    CVEX(VAESENC, BIN, aesenc, vaesenc, 8, 0), CVEX(VAESENCLAST, BIN, aesenclast, vaesencl, 8, 0),
    CVEX(VAESDEC, BIN, aesdec, vaesdec, 8, 0), CVEX(VAESDECLAST, BIN, aesdeclast, vaesdecl, 8, 0),
    CVEX(VAESIMC, UN, aesimc, vaesimc, 8, AVX_128),
    CVEX(VAESKEYGENASSIST, UN, aeskeygenassist, vaeskga, 8, AVX_128 | AVX_IMM),
    CVEX(VPCLMULQDQ, BIN, pclmulqdq, vclmul, 64, AVX_IMM),
};
const struct x86_row_set x86_crypto_vex_rows =
    X86_ROW_SET_OF("crypto-vex", crypto_vex_rows, insn);
