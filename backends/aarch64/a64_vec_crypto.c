/* a64_vec_crypto.c -- the vector crypto ops (vaesenc .. vclmul,
 * ir_ops.def) as the host's AES and PMULL instructions when HWCAP has
 * them and be_soft_crypto is off; otherwise a64_vec.c calls the op's C
 * helper.
 *
 * ARM splits a round differently: AESE Vd, Vn is SubBytes(ShiftRows(Vd ^
 * Vn)), AESMC is MixColumns, while x86's aesenc is ShiftRows, SubBytes,
 * MixColumns, then the xor of the round key.  With Vd zeroed first, AESE
 * Vd, a gives SubBytes(ShiftRows(a)), so
 *     aesenc a, k      = AESMC(AESE(0, a)) ^ k       aesenclast = AESE(0, a) ^ k
 *     aesdec a, k      = AESIMC(AESD(0, a)) ^ k      aesdeclast = AESD(0, a) ^ k
 *     aesimc b         = AESIMC(b)
 * (the byte order is the same on both).  pclmulqdq is PMULL (low qwords)
 * or PMULL2 (high ones); a mixed selection first moves the high qword of
 * one operand down with EXT.  aeskeygenassist (key setup only) keeps its
 * helper, as do the SHA ops (vsha1rnds4 .. vsha256msg2: ARM's SHA1/SHA256
 * instructions keep the state in another layout).  The result is built in a register of the env-slot cache
 * (backends/vcache.c) and stays d's cached copy.  No slow path.
 * Scratch: v3 (a64_vec.c's).
 */
#include "a64_emit.h"
#include "a64_encode_simd.h"
#include "a64_host.h"
#include "a64_vec.h"

bool be_soft_crypto;

enum { VT = 3 };

enum {
    A64_AESE = 0x4e284800, A64_AESD = 0x4e285800, A64_AESMC = 0x4e286800,
    A64_AESIMC = 0x4e287800, A64_PMULL = 0x0ee0e000, A64_PMULL2 = 0x4ee0e000,
};

static uint32_t rn_rd(uint32_t op, unsigned rn, unsigned rd) { return op | rn << 5 | rd; }

static uint32_t pmull(bool high, unsigned rm, unsigned rn, unsigned rd)
{
    return (high ? A64_PMULL2 : A64_PMULL) | rm << 16 | rn << 5 | rd;
}

/* A cache register holding slot off: its copy, else loaded into a new one
 * (never `avoid`), as a64_vec.c's operands are (a round loop's keys stay
 * in registers). */
static unsigned slot_reg(struct be_code *c, int32_t off, int avoid)
{
    int r = vcache_find(off);
    if (r >= 0)
        return (unsigned)r;
    r = vcache_pick(avoid, -1);
    a64_vec_env_ldst(c, 4, true, (unsigned)r, off);
    vcache_set(r, off);
    a64_hoist_vslot(c, r, off);
    return (unsigned)r;
}

/* w = the AES round of a, then ^ b. */
static void emit_round(struct be_code *c, enum ir_op op, unsigned ra, unsigned rb, unsigned w)
{
    bool enc = op == IR_vaesenc || op == IR_vaesencl;
    a64_put(c, a64_simd_movi16b(w, 0));
    a64_put(c, rn_rd(enc ? A64_AESE : A64_AESD, ra, w));
    if (op == IR_vaesenc || op == IR_vaesdec)
        a64_put(c, rn_rd(enc ? A64_AESMC : A64_AESIMC, w, w));
    a64_put(c, a64_simd_logic(true, A64_V_EOR, rb, w, w));
}

/* w = qword (imm & 1) of a times qword (imm >> 4 & 1) of b, carry-less. */
static void emit_clmul(struct be_code *c, unsigned imm, unsigned ra, unsigned rb, unsigned w)
{
    bool ha = imm & 1, hb = imm >> 4 & 1;
    if (ha != hb) {                 /* the high qword down to the low one */
        unsigned hi = ha ? ra : rb;
        a64_put(c, a64_simd_ext(true, hi, 8, hi, VT));
        if (ha)
            ra = VT;
        else
            rb = VT;
    }
    a64_put(c, pmull(ha && hb, rb, ra, w));
}

bool a64_emit_vec_crypto(struct be_code *c, const struct ir_insn *i)
{
    enum ir_op op = i->op;
    bool clmul = op == IR_vclmul;
    bool aes = op == IR_vaesenc || op == IR_vaesencl || op == IR_vaesdec || op == IR_vaesdecl ||
               op == IR_vaesimc;
    if (!(aes || clmul) || be_soft_crypto || !a64_host_has(clmul ? A64_HOST_PMULL : A64_HOST_AES))
        return false;
    int32_t d = ir_vec_d(i);
    unsigned rb = slot_reg(c, ir_vec_b(i), -1);
    unsigned ra = op == IR_vaesimc ? rb : slot_reg(c, ir_vec_a(i), (int)rb);
    unsigned w = (unsigned)vcache_pick((int)ra, (int)rb);
    if (clmul)
        emit_clmul(c, ir_vec_imm(i), ra, rb, w);
    else if (op == IR_vaesimc)
        a64_put(c, rn_rd(A64_AESIMC, rb, w));
    else
        emit_round(c, op, ra, rb, w);
    a64_vec_env_ldst(c, 4, false, w, d);
    vcache_forget(d, 16);
    vcache_set((int)w, d);
    return true;
}
