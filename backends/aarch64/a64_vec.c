/* a64_vec.c -- the vector IR ops (ir_ops.def, IR_F_VEC) on AArch64 with
 * Advanced SIMD: operands are loaded from env into v0 (a) and v1 (b), the
 * result is built in v2 and stored to d -- or, for 16-byte operands and
 * results, they are read from and built in v16-v31, the write-through
 * env-slot cache of backends/vcache.c.  Scratch: v0-v7 (v8-v15 are
 * callee-saved in AAPCS64 and never touched), x16, x17.
 *
 * Integer and data-movement ops are exact by construction.  Float ops
 * compute with host IEEE arithmetic and take the op's exact C helper (the
 * slow path) whenever the result or the MXCSR flags might differ from
 * x86's: MXCSR not in its default state (input 0), any NaN or denormal
 * input, a NaN result (x86's default NaN is negative, ARM's positive), a
 * result of magnitude up to the smallest normal (ARM detects tininess
 * before rounding, x86 after, so their underflow flags differ there),
 * out-of-range integer conversions (ARM saturates, x86 gives the integer
 * indefinite).  The host's sticky FPSR flags are the guest's MXCSR flags
 * (x86_sse_float.c reads them), so FPSR is saved before the fast path and
 * restored before the slow path runs (but for the ops whose host flags are
 * always a subset of x86's: keeps_host_flags).
 *
 * The slow path calls fn(env, d, s, imm) through one stub per code cache
 * (a64_vec_emit_stub, right before the epilogue) that saves the
 * call-clobbered registers holding values (temporaries, pinned globals,
 * the env-slot cache in v16-v31, so it survives the slow path; the slow
 * path then reloads from env the cache registers the op itself filled):
 * x16 = fn, x17 = d | imm << 32, d7 = s; the helper's result comes back
 * in x16.
 */
#include <stdlib.h>
#include <string.h>

#include "a64_emit.h"
#include "a64_encode_simd.h"
#include "a64_vec.h"

enum { VA = 0, VB = 1, VR = 2, VT = 3, VU = 4, VM = 5, VC = 6, VS = 7 };
enum { MAX_SLOW = 8 };

struct vctx {
    struct be_code *c;
    const struct ir_insn *i;
    uint8_t *slow[MAX_SLOW];        /* branches to the slow path */
    int n_slow;
    bool fpsr_saved, have_mask;
    unsigned ra, rb, rr;            /* a, b and the result: v0-v2 or cache regs */
    unsigned rc;                    /* all ones (ones()): a cache register or VC */
    unsigned fresh;                 /* cache registers this op filled (bit r) */
    uint8_t *st_at, *st_end;        /* the result's full store (store_r), NULL: none */
    bool st_late;                   /* ... left for a64_emit_vec, behind the slow path */
    unsigned st_size;               /* its size_log2 */
    int keep;                       /* the dropped store's register (`dead`), else -1 */
    int defer;                      /* vld: `dead`'s register, its store behind the load */
    int32_t defer_slot;             /* ... and slot (defer_across_load), else -1 */
    bool lane_ok;                   /* VR holds `lane`'s slot (scalar arith reads it) */
    int32_t keep_slot;
    int checked_in;                 /* `checked`'s register, when this op may skip its test */
    bool skipped;                   /* ... and it did: its slow path takes `checked.link` */
    uint8_t *link;                  /* this op's slow path's last word (mul, div) */
    bool saved;                     /* save_fpsr ran (fpsr_saved: not yet restored) */
    uint8_t *cut;                   /* mul/div: where its result's NaN test starts (fuse) */
    int cut_relocs;                 /* ... and the relocations listed before it */
    const struct vctx *fused;       /* the mul/div this add/sub finishes (fuse) */
    unsigned tv;                    /* emit_arith: its operands' tests (VT or inv_test's) */
};

/* The last op's full 16-byte store of its result (a cache register) to
 * env, its last word(s) -- after its slow path, which merges right before
 * it (the helper wrote env, the merge reloads the register, so the store
 * there only repeats the value) -- while it may still turn out dead: the
 * next op, emitted right behind it, reads that slot as its a operand from
 * the same cache register and overwrites the whole slot, running before
 * its own store only register code, env loads of other slots and the
 * branches to its slow path (dead_op_ok).  The first store then goes: its
 * words are simply not kept (the merge branch now lands on the next op),
 * and the next op's slow path stores the register first (emit_slow),
 * since its helper reads env.  Nothing else can observe env in between:
 * no guest access, fault, exit or other helper.  As x64_vec.c's `dead`. */
static struct {
    const uint8_t *code;            /* the block's start */
    uint8_t *at, *end;              /* the store's words */
    int32_t slot;
    int reg;
} dead;

/* The stub's length: it ends where the epilogue starts (the same code in
 * every code cache). */
static ptrdiff_t stub_bytes = -1;

/* backends/vcache.c's registers on this host. */
const int vcache_first = A64_VC_FIRST, vcache_last = A64_VC_LAST;

static void put(struct vctx *v, uint32_t w) { a64_put(v->c, w); }

/* ---- operands ---- */

/* ldr/str of 1 << size_log2 bytes (4 s, 8 d, 16 q) at env + off. */
static void env_ldst(struct be_code *c, unsigned size_log2, bool load, unsigned vreg,
                     int32_t off)
{
    int32_t scale = 1 << size_log2;
    if (off >= 0 && off % scale == 0 && off / scale < 4096) {
        a64_put(c, a64_fp_ldst_unsigned_imm(size_log2, load, (unsigned)(off / scale), A64_ENV, vreg));
    } else if (off >= -256 && off < 256) {
        a64_put(c, a64_fp_ldst_unscaled_imm(size_log2, load, off, A64_ENV, vreg));
    } else {
        be_emit_movi(c, A64_TMP0, (uint64_t)(int64_t)off);
        a64_put(c, a64_fp_ldst_reg_offset(size_log2, load, A64_TMP0, A64_ENV, vreg));
    }
}

/* Every vector access to env: a 16-byte load of a slot the cache
 * (backends/vcache.c) has in a register is a register move; a store
 * forgets the slots it overlaps. */
void a64_vec_env_ldst(struct be_code *c, unsigned size_log2, bool load, unsigned vreg,
                      int32_t off)
{
    int r = load && size_log2 == 4 ? vcache_find(off) : -1;
    if (r >= 0) {
        a64_put(c, a64_simd_logic(true, A64_V_ORR, (unsigned)r, (unsigned)r, vreg));
        return;
    }
    env_ldst(c, size_log2, load, vreg, off);
    if (!load)
        vcache_forget(off, 1u << size_log2);
}

static void vmem(struct vctx *v, unsigned size_log2, bool load, unsigned vreg, int32_t off)
{
    a64_vec_env_ldst(v->c, size_log2, load, vreg, off);
}

static bool is_cache_reg(unsigned r) { return r >= A64_VC_FIRST && r <= A64_VC_LAST; }

static void cache_set(struct vctx *v, unsigned r, int32_t off)
{
    vcache_set((int)r, off);
    v->fresh |= 1u << r;
}

/* A register holding slot off (its low 1 << size_log2 bytes at least) to
 * read: its cached copy, else loaded into a new cache register (never
 * `avoid`) for a 16-byte operand, else into scratch. */
static unsigned src(struct vctx *v, unsigned size_log2, int32_t off, unsigned scratch, int avoid)
{
    int r = size_log2 == 4 ? vcache_find(off) : -1;     /* lanes: all checked */
    if (r >= 0)
        return (unsigned)r;
    if (size_log2 != 4) {
        env_ldst(v->c, size_log2, true, scratch, off);
        return scratch;
    }
    r = vcache_pick(avoid, -1);
    env_ldst(v->c, 4, true, (unsigned)r, off);
    cache_set(v, (unsigned)r, off);
    a64_hoist_vslot(v->c, r, off);
    return (unsigned)r;
}

/* a and b into ra and rb; a 16-byte result goes to a new cache register
 * (never ra or rb: the ops write it before they have read them all). */
/* The last op's scalar result, stored from VR (v2) as its last words:
 * VR still holds that lane (on the slow path the merge reloads it), its
 * upper bits zero as an `ldr s/d` leaves them, so the next op, emitted
 * right behind it, may read the slot from VR instead of loading it back. */
static struct {
    const uint8_t *code, *end;
    int32_t slot;
    unsigned size_log2;
} lane;

/* The last op's result register, when that op is a mul or div whose fast
 * path tested its result (tiny_half: denormal or the smallest normal;
 * NaN) and whose code ends right here: the next op, emitted right behind
 * it, reaches its own fast path only through that test, so it need not
 * test that operand for a denormal again (emit_arith).  Its slow path,
 * where the helper may have written a denormal result, must then not
 * come back to the next op's fast path: its last word (`link`, a `b` to
 * the merge point) is pointed at the next op's slow path instead, which
 * reads everything from env. */
static struct {
    const uint8_t *code, *end;
    unsigned reg;
    uint8_t *link;
    bool fusable;                   /* `fuse` may take it back to v.cut */
    struct vctx v;                  /* the mul/div, for the fused slow path */
} checked;

/* A scalar operand: VR when it holds the slot (lane_ok), else src(). */
static unsigned src_lane(struct vctx *v, unsigned size_log2, int32_t off, unsigned scratch,
                         int avoid)
{
    if (v->lane_ok && size_log2 < 4 && off == lane.slot && size_log2 == lane.size_log2)
        return VR;
    return src(v, size_log2, off, scratch, avoid);
}

static void load_ab(struct vctx *v, unsigned size_log2)
{
    v->ra = src_lane(v, size_log2, ir_vec_a(v->i), VA, -1);
    v->rb = src_lane(v, size_log2, ir_vec_b(v->i), VB, (int)v->ra);
    v->rr = size_log2 == 4 ? (unsigned)vcache_pick((int)v->ra, (int)v->rb) : VR;
}

/* The result to d; a full one in a cache register is d's copy from now on. */
static void store_r(struct vctx *v, unsigned size_log2)
{
    bool full = size_log2 == 4 && is_cache_reg(v->rr);
    v->st_at = full ? v->c->ptr : NULL;
    v->st_late = v->n_slow;         /* emitted behind the slow path */
    v->st_size = size_log2;
    if (!v->st_late)
        vmem(v, size_log2, false, v->rr, ir_vec_d(v->i));
    v->st_end = v->c->ptr;
    if (full)
        cache_set(v, v->rr, ir_vec_d(v->i));
}

/* ---- branches to the slow path ---- */

static void to_slow(struct vctx *v, uint32_t branch_without_offset)
{
    if (v->n_slow >= MAX_SLOW)
        abort();                    /* a ferry bug: raise MAX_SLOW */
    v->slow[v->n_slow++] = v->c->ptr;
    put(v, branch_without_offset);
}

static void patch19(struct be_code *c, uint8_t *at, const uint8_t *target)
{
    uint32_t w;
    memcpy(&w, at, 4);
    w |= (uint32_t)(((target - at) >> 2) & 0x7ffff) << 5;
    memcpy(be_writable(c, at), &w, 4);
}

/* Input 0 (the MXCSR mode) nonzero: slow path.  False: always slow. */
static bool mode_check(struct vctx *v, const struct be_arg *mode)
{
    if (mode->is_const)
        return mode->imm == 0;
    to_slow(v, a64_compare_branch_imm(true, true, 0, mode->reg));
    return true;
}

static bool is_dbl(const struct ir_insn *i) { return (i->size & IR_VE_MASK) == IR_VE_64; }

/* Whether the op's slow path must first take back the host flags its
 * fast code raised: not when, in the default mode, they are always among
 * the ones x86 raises for the same operands, so that the helper only adds
 * to them and FPSR needs no `mrs` per op (no flag differs before a slow
 * path's branch either way: the mode test comes before any float code).
 * No op here raises IDC (only flush-to-zero does).
 * - add, sub: a tiny sum or difference is exact, so no underflow either
 *   way; invalid, overflow and inexact alike.  sqrt: a root is never tiny.
 * - min, max, cmp, comi: their NaN tests (fcmeq) raise invalid for a
 *   signalling NaN only, as every x86 compare and min/max does; ordered
 *   normal operands raise nothing on either.
 * - float to int (scalar; packed single): fcvtz/ns raise invalid alone
 *   when out of range (no inexact then), inexact for an inexact in-range
 *   lane: x86's IE and PE.  Packed double lanes convert to 64 bits before
 *   sqxtn, so a lane out of int32 range may raise inexact where x86 only
 *   has IE: kept.
 * - single to double: exact; a signalling NaN raises invalid on both.
 * mul, div and double-to-single narrowing may underflow where ARM (tiny
 * before rounding) and x86 (after) disagree: a result of exactly the
 * smallest normal raises ARM's UFC alone, and only FPSR as it was says
 * whether UE was already set. */
static bool keeps_host_flags(const struct vctx *v, const struct be_arg *mode)
{
    if (!mode->is_const || mode->imm != 0)
        return false;
    switch (v->i->op) {
    case IR_vfadd: case IR_vfsub: case IR_vfsqrt:
    case IR_vfmin: case IR_vfmax: case IR_vfcmp: case IR_vfcomi: case IR_vcvtf2i:
        return true;
    case IR_vcvtf2iv: case IR_vcvtf2f:
        return !is_dbl(v->i);
    default:
        return false;
    }
}

static void save_fpsr(struct vctx *v)
{
    put(v, a64_mrs_fpsr(A64_TMP1));
    v->fpsr_saved = v->saved = true;
}

/* ---- checks: lanes that need the slow path accumulate in VM ---- */

static void accumulate(struct vctx *v, unsigned t)
{
    put(v, a64_simd_logic(true, A64_V_ORR, t, v->have_mask ? VM : t, VM));
    v->have_mask = true;
}

/* Where a check's last instruction puts its lanes: VM itself while it
 * holds nothing yet (no mov), else VT for mask_take to merge. */
static unsigned mask_dst(const struct vctx *v)
{
    return v->have_mask ? VT : VM;
}

static void mask_take(struct vctx *v, unsigned d)
{
    if (d == VT)
        accumulate(v, VT);
    v->have_mask = true;
}

/* The env-slot cache's key for the all-ones constant: no env slot's. */
#define ONES_KEY (INT32_MIN + 64)
/* ... and for inv_test's register. */
#define VTEST_KEY (INT32_MIN + 96)

/* v->rc = all ones (the -1 of tiny_bytes), kept in a cache register under
 * ONES_KEY: one movi per run of vector code instead of one per op (the
 * stub keeps v16-v31 across slow paths; C code and branch targets empty
 * the cache).  Called before the op picks its own cache registers, which
 * then never evict it (the least recently used go first).  After a branch
 * to the slow path (a mode test) the movi might not run: VC then. */
static void ones(struct vctx *v)
{
    int r = vcache_find(ONES_KEY);
    if (r < 0) {
        r = VC;
        if (!v->n_slow) {
            r = vcache_pick(v->keep, -1);
            vcache_set(r, ONES_KEY);
            a64_hoist_vones(v->c, r);
        }
        put(v, a64_simd_movi2d_ones((unsigned)r));
    }
    v->rc = (unsigned)r;
}

/* t = ((|x| << 1) - 1) >> k per lane, zero exactly when 0 < |x| <= the
 * smallest normal for binary32 (k = 24).  Binary64 uses k = 56, which
 * also counts the normals below 2^-1015 but leaves every lane's test in
 * its low byte, so that umin merges two operands' tests.  Integer SIMD
 * only: no FP flags, and cheap wherever SIMD integer ops are. */
static void tiny_bytes(struct vctx *v, bool q, bool dbl, unsigned x, unsigned t)
{
    unsigned e = dbl ? 3 : 2;
    put(v, a64_simd_shift_imm(q, A64_V_SHL, e, 1, x, t));
    put(v, a64_simd_3same(q, A64_V_ADD, e, v->rc, t, t));
    put(v, a64_simd_shift_imm(q, A64_V_USHR, e, dbl ? 56 : 24, t, t));
}

/* VT's bytes: zero where x (or y, if y >= 0) is denormal or the
 * smallest normal (for an input: DE; for a result: possibly x86-tiny).
 * Needs ones(). */
static void tiny_test(struct vctx *v, bool q, bool dbl, unsigned x, int y)
{
    tiny_bytes(v, q, dbl, x, VT);
    if (y >= 0) {
        tiny_bytes(v, q, dbl, (unsigned)y, VU);
        put(v, a64_simd_3same(q, A64_V_UMIN, 0, VU, VT, VT));
    }
}

/* The lanes tiny_test (and whatever umin joined) found into the mask. */
static void tiny_mask(struct vctx *v, bool q, bool dbl)
{
    unsigned d = mask_dst(v);
    put(v, a64_simd_2misc(q, A64_V_CMEQ0, dbl ? 3 : 2, VT, d));
    mask_take(v, d);
}

static void chk_tiny(struct vctx *v, bool q, bool dbl, unsigned x, int y)
{
    tiny_test(v, q, dbl, x, y);
    tiny_mask(v, q, dbl);
}

/* NaN lanes (x != x). */
static void chk_nan(struct vctx *v, bool q, bool dbl, unsigned x)
{
    put(v, a64_simd_3same(q, A64_V_FCMEQ, a64_fsz(dbl, false), x, x, VT));
    if (q && v->have_mask) {
        put(v, a64_simd_logic(true, A64_V_ORN, VT, VM, VM));
        return;
    }
    unsigned d = mask_dst(v);
    put(v, a64_simd_2misc(q, A64_V_NOT, 0, VT, d));
    mask_take(v, d);
}

/* Integer lanes (32-bit) equal to INT32_MIN or INT32_MAX: x ^ (x >> 31)
 * is 0x7fffffff exactly for those. */
static void chk_saturated(struct vctx *v, bool q, unsigned x)
{
    put(v, a64_simd_shift_imm(q, A64_V_SSHR, 2, 31, x, VT));
    put(v, a64_simd_logic(q, A64_V_EOR, x, VT, VT));
    put(v, a64_simd_mvni4s_lsl(VU, 0x80, 24));
    unsigned d = mask_dst(v);
    put(v, a64_simd_3same(q, A64_V_CMEQ, 2, VU, VT, d));
    mask_take(v, d);
}

static void reduce_mask(struct vctx *v)
{
    if (!v->have_mask)
        return;
    put(v, a64_simd_umaxv(true, 2, VM, VT));
    put(v, a64_fp_int(false, 0, A64_FMOV_TO_G, VT, A64_TMP0));
    to_slow(v, a64_compare_branch_imm(false, true, 0, A64_TMP0));
    v->have_mask = false;
}

/* ---- integer and data-movement ops ---- */

/* and/orr/eor; vandn is bic with the operands swapped (emit_int2). */
static const uint8_t logic3[IR_NUM_OPS] = {
    [IR_vand] = A64_V_AND + 1, [IR_vor] = A64_V_ORR + 1, [IR_vxor] = A64_V_EOR + 1,
    [IR_vandn] = A64_V_BIC + 1,
};

static const struct { uint8_t op, sizes; } int3[IR_NUM_OPS] = {
    [IR_vadd] = { A64_V_ADD, 0xf },     [IR_vsub] = { A64_V_SUB, 0xf },
    [IR_vadds] = { A64_V_SQADD, 0xf },  [IR_vaddus] = { A64_V_UQADD, 0xf },
    [IR_vsubs] = { A64_V_SQSUB, 0xf },  [IR_vsubus] = { A64_V_UQSUB, 0xf },
    [IR_vmul] = { A64_V_MUL, 0x7 },     [IR_vcmpeq] = { A64_V_CMEQ, 0xf },
    [IR_vcmpgt] = { A64_V_CMGT, 0xf },  [IR_vmins] = { A64_V_SMIN, 0x7 },
    [IR_vmaxs] = { A64_V_SMAX, 0x7 },   [IR_vminu] = { A64_V_UMIN, 0x7 },
    [IR_vmaxu] = { A64_V_UMAX, 0x7 },   [IR_vavgu] = { A64_V_URHADD, 0x7 },
};

/* Whether op has an inline form for element size e (else: the helper). */
static bool int2_inline(enum ir_op op, unsigned e)
{
    if ((int3[op].sizes & (1u << e)) || logic3[op])
        return true;
    switch (op) {
    case IR_vmulhs: case IR_vmulhu: case IR_vmaddw: return e == IR_VE_16;
    case IR_vmulwu:                 return e == IR_VE_32;
    case IR_vsadu: case IR_vtbl:    return e == IR_VE_8;
    case IR_vpackss: case IR_vpackus: return e == IR_VE_16 || e == IR_VE_32;
    case IR_vziplo: case IR_vziphi: return true;
    default:                        return false;
    }
}

/* Product halves: smull/umull of the low and high halves into VT, VU. */
static void mull_halves(struct vctx *v, bool is_unsigned, unsigned e)
{
    put(v, a64_simd_mull(false, is_unsigned, e, v->rb, v->ra, VT));
    put(v, a64_simd_mull(true, is_unsigned, e, v->rb, v->ra, VU));
}

static void emit_mul_wide(struct vctx *v, unsigned e)
{
    switch (v->i->op) {
    case IR_vmulhs: case IR_vmulhu:
        mull_halves(v, v->i->op == IR_vmulhu, e);
        put(v, a64_simd_permute(true, A64_V_UZP2, e, VU, VT, v->rr));
        break;
    case IR_vmaddw:
        mull_halves(v, false, e);
        put(v, a64_simd_3same(true, A64_V_ADDP, e + 1, VU, VT, v->rr));
        break;
    default:                        /* vmulwu: even lanes narrowed, widen-multiplied */
        put(v, a64_simd_2misc(false, A64_V_XTN, e, v->ra, VT));
        put(v, a64_simd_2misc(false, A64_V_XTN, e, v->rb, VU));
        put(v, a64_simd_mull(false, true, e, VU, VT, v->rr));
        break;
    }
}

static void emit_int_special(struct vctx *v, unsigned e)
{
    switch (v->i->op) {
    case IR_vsadu:
        put(v, a64_simd_3same(true, A64_V_UABD, 0, v->rb, v->ra, v->rr));
        for (unsigned s = 0; s < 3; s++)
            put(v, a64_simd_2misc(true, A64_V_UADDLP, s, v->rr, v->rr));
        break;
    case IR_vpackss: case IR_vpackus: {
        enum a64_simd_2misc_op n = v->i->op == IR_vpackss ? A64_V_SQXTN : A64_V_SQXTUN;
        put(v, a64_simd_2misc(false, n, e - 1, v->ra, v->rr));
        put(v, a64_simd_2misc(true, n, e - 1, v->rb, v->rr));
        break;
    }
    case IR_vziplo: case IR_vziphi:
        put(v, a64_simd_permute(true, v->i->op == IR_vziplo ? A64_V_ZIP1 : A64_V_ZIP2, e,
                                v->rb, v->ra, v->rr));
        break;
    case IR_vtbl:                   /* x86 index bit 7 -> out of tbl's range */
        put(v, a64_simd_movi16b(VT, 0x8f));
        put(v, a64_simd_logic(true, A64_V_AND, VT, v->rb, VT));
        put(v, a64_simd_tbl1(true, VT, v->ra, v->rr));
        break;
    default:
        emit_mul_wide(v, e);
        break;
    }
}

/* Ops whose result is zero when a and b are the same slot (pxor, xorps,
 * psub*, pandn, pcmpgt* of a register with itself: the zeroing idioms
 * compilers emit, e.g. before cvtsi2sd): no operand need be loaded. */
static bool zero_self(const struct ir_insn *i)
{
    if (ir_vec_a(i) != ir_vec_b(i))
        return false;
    switch (i->op) {
    case IR_vxor: case IR_vandn: case IR_vsub: case IR_vsubs: case IR_vsubus: case IR_vcmpgt:
        return true;
    default:
        return false;
    }
}

static void zero_r(struct vctx *v);

/* Two-source lane ops: a in v->ra, b in v->rb, result to d. */
static bool emit_int2(struct vctx *v)
{
    unsigned e = v->i->size & IR_VE_MASK;
    if (ir_vec_scalar(v->i) || !int2_inline(v->i->op, e))
        return false;
    if (zero_self(v->i)) {
        v->rr = (unsigned)vcache_pick(-1, -1);
        zero_r(v);
        store_r(v, 4);
        return true;
    }
    load_ab(v, 4);
    if (v->i->op == IR_vandn)
        put(v, a64_simd_logic(true, A64_V_BIC, v->ra, v->rb, v->rr));
    else if (logic3[v->i->op])
        put(v, a64_simd_logic(true, logic3[v->i->op] - 1, v->rb, v->ra, v->rr));
    else if (int3[v->i->op].sizes & (1u << e))
        put(v, a64_simd_3same(true, int3[v->i->op].op, e, v->rb, v->ra, v->rr));
    else
        emit_int_special(v, e);
    store_r(v, 4);
    return true;
}

static void zero_r(struct vctx *v) { put(v, a64_simd_movi16b(v->rr, 0)); }

/* d = a shifted by n bytes: ext over a zero vector. */
static void byte_shift(struct vctx *v, bool left, unsigned n)
{
    put(v, a64_simd_movi16b(VT, 0));
    if (left)
        put(v, a64_simd_ext(true, v->ra, 16 - n, VT, v->rr));
    else
        put(v, a64_simd_ext(true, VT, n, v->ra, v->rr));
}

/* Shifts of a by imm: lanes (vshli/vshri/vsari) or bytes (vshlb/vshrb);
 * a zero count stores a unchanged. */
static bool emit_shift(struct vctx *v)
{
    enum ir_op op = v->i->op;
    unsigned e = v->i->size & IR_VE_MASK, n = ir_vec_imm(v->i), bits = 8u << e;
    bool bytes = op == IR_vshlb || op == IR_vshrb;
    v->ra = src(v, 4, ir_vec_a(v->i), VA, -1);
    if (n == 0) {
        vmem(v, 4, false, v->ra, ir_vec_d(v->i));
        return true;
    }
    v->rr = (unsigned)vcache_pick((int)v->ra, -1);
    if (n >= (bytes ? 16 : bits) && op != IR_vsari)
        zero_r(v);
    else if (bytes)
        byte_shift(v, op == IR_vshlb, n);
    else if (op == IR_vshli)
        put(v, a64_simd_shift_imm(true, A64_V_SHL, e, n, v->ra, v->rr));
    else
        put(v, a64_simd_shift_imm(true, op == IR_vshri ? A64_V_USHR : A64_V_SSHR, e,
                                  n < bits ? n : bits, v->ra, v->rr));
    store_r(v, 4);
    return true;
}

/* valignr: ext of b:a; from 16 bytes on a alone (ext over a zero
 * vector), from 32 zero. */
static bool emit_align(struct vctx *v)
{
    unsigned n = ir_vec_imm(v->i);
    if (n >= 16) {
        v->ra = n < 32 ? src(v, 4, ir_vec_a(v->i), VA, -1) : VA;
        v->rr = (unsigned)vcache_pick(n < 32 ? (int)v->ra : -1, -1);
    } else {
        load_ab(v, 4);
    }
    if (n == 0 || n == 16) {
        unsigned r = n ? v->ra : v->rb;
        put(v, a64_simd_logic(true, A64_V_ORR, r, r, v->rr));
    } else if (n < 16) {
        put(v, a64_simd_ext(true, v->ra, n, v->rb, v->rr));
    } else if (n < 32) {
        put(v, a64_simd_movi16b(VT, 0));
        put(v, a64_simd_ext(true, VT, n - 16, v->ra, v->rr));
    } else {
        zero_r(v);
    }
    store_r(v, 4);
    return true;
}

static bool shuffle_inline(enum ir_op op, unsigned e)
{
    switch (op) {
    case IR_vshuf:                  return e == IR_VE_32;
    case IR_vshuflo: case IR_vshufhi: return e == IR_VE_16;
    default:                        return e == IR_VE_32 || e == IR_VE_64;
    }
}

/* Lane shuffles by imm, with ins (mov Vd.T[i], Vn.T[j]). */
static bool emit_shuffle(struct vctx *v)
{
    unsigned imm = ir_vec_imm(v->i), e = v->i->size & IR_VE_MASK;
    if (!shuffle_inline(v->i->op, e))
        return false;
    load_ab(v, 4);
    if (v->i->op == IR_vshuf) {
        for (unsigned k = 0; k < 4; k++)
            put(v, a64_simd_ins_elem(2, k, imm >> 2 * k & 3, v->rb, v->rr));
    } else if (v->i->op != IR_vshuf2) {
        unsigned base = v->i->op == IR_vshufhi ? 4 : 0;
        put(v, a64_simd_logic(true, A64_V_ORR, v->rb, v->rb, v->rr));
        for (unsigned k = 0; k < 4; k++)
            put(v, a64_simd_ins_elem(1, base + k, base + (imm >> 2 * k & 3), v->rb, v->rr));
    } else if (e == IR_VE_32) {
        for (unsigned k = 0; k < 4; k++)
            put(v, a64_simd_ins_elem(2, k, imm >> 2 * k & 3, k < 2 ? v->ra : v->rb, v->rr));
    } else {
        put(v, a64_simd_ins_elem(3, 0, imm & 1, v->ra, v->rr));
        put(v, a64_simd_ins_elem(3, 1, imm >> 1 & 1, v->rb, v->rr));
    }
    store_r(v, 4);
    return true;
}

/* ---- float ops ---- */

static unsigned ftype(const struct ir_insn *i) { return is_dbl(i); }
/* Access size of one operand: a lane for scalar forms, else the vector. */
static unsigned fsize(const struct ir_insn *i) { return ir_vec_scalar(i) ? 2 + is_dbl(i) : 4; }

static const uint8_t fp2_scalar[IR_NUM_OPS] = {
    [IR_vfadd] = A64_FADD, [IR_vfsub] = A64_FSUB, [IR_vfmul] = A64_FMUL, [IR_vfdiv] = A64_FDIV,
};

static void arith_op(struct vctx *v, bool dbl)
{
    const struct ir_insn *i = v->i;
    if (ir_vec_scalar(i) && i->op == IR_vfsqrt)
        put(v, a64_fp_1src(ftype(i), A64_FSQRT, v->rb, v->rr));
    else if (ir_vec_scalar(i))
        put(v, a64_fp_2src(ftype(i), fp2_scalar[i->op], v->rb, v->ra, v->rr));
    else if (i->op == IR_vfsqrt)
        put(v, a64_simd_2misc(true, A64_V_FSQRT, a64_fsz(dbl, true), v->rb, v->rr));
    else if (i->op == IR_vfadd || i->op == IR_vfsub)
        put(v, a64_simd_3same(true, A64_V_FADD, a64_fsz(dbl, i->op == IR_vfsub), v->rb, v->ra, v->rr));
    else
        put(v, a64_simd_3same(true, i->op == IR_vfmul ? A64_V_FMUL : A64_V_FDIV,
                              a64_fsz(dbl, false), v->rb, v->ra, v->rr));
}

/* The tiny test of tiny_bytes, narrowed: the high halves of each lane's
 * (|x| << 1) - 1 (addhn: the add and the narrowing in one) into the low
 * (addhn) or high (addhn2) half of acc; x's lane is tiny exactly when its
 * half has its top byte zero.  x = -1: the x of the last call again. */
static void tiny_half(struct vctx *v, bool dbl, int x, unsigned acc, bool high)
{
    unsigned e = dbl ? 3 : 2;
    if (x >= 0)
        put(v, a64_simd_shift_imm(true, A64_V_SHL, e, 1, (unsigned)x, VU));
    put(v, a64_simd_addhn(high, e - 1, v->rc, VU, acc));
}

/* The slow path when any half of VT (words for double lanes, halfwords
 * for single) has its top byte zero: uminv finds the smallest half, whose
 * top byte (byte 3 of a word, 1 of a halfword) umov takes alone, so cbz
 * tests it without an `ands` (one word fewer than fmov/umov, ands, b.eq). */
static void reduce_halves(struct vctx *v, bool dbl)
{
    put(v, a64_simd_uminv(true, dbl ? 2 : 1, VT, VT));
    put(v, a64_simd_umov_b(dbl ? 3 : 1, VT, A64_TMP0));
    to_slow(v, a64_compare_branch_imm(false, false, 0, A64_TMP0));
}

/* The operand emit_arith still tests when the other one is `checked`'s
 * register (v->checked_in), else -1: not for sqrt (one operand) or an op
 * reading that register twice, and only while the all-ones register was
 * cached before the op (a movi on this fast path alone would be missing
 * behind the slow path that `checked.link` leads to). */
static int skip_other(struct vctx *v, bool had_ones)
{
    int r = v->checked_in;
    if (r < 0 || !had_ones || v->i->op == IR_vfsqrt || v->ra == v->rb)
        return -1;
    if (v->ra == (unsigned)r)
        return (int)v->rb;
    return v->rb == (unsigned)r ? (int)v->ra : -1;
}

static bool is_muldiv(const struct ir_insn *i) { return i->op == IR_vfmul || i->op == IR_vfdiv; }

/* For an op reading x, when x is a self-loop's invariant slot register
 * (a64_hoist.c): a cache register (under VTEST_KEY) whose low half holds
 * x's test as tiny_half builds it, for the op to put its other operand's
 * test into the high half (addhn2) -- the preamble built it on the
 * second emission (nothing here: 2 words fewer per pass), else it is
 * built here, into the register the preamble will use.  -1: x is no such
 * register.  Picked after load_ab, never the result's register (picked
 * but still empty: an empty one goes first) nor the kept one; a and b
 * hold slots and were just used (the least recently used goes). */
static int inv_test(struct vctx *v, bool dbl, unsigned x)
{
    if (!a64_hoist_is_vslot(v->c, (int)x))
        return -1;
    int p = vcache_find(VTEST_KEY);
    if (p >= 0 && a64_hoist_vtest_preset(v->c, p, dbl))
        return p;
    if (p < 0) {
        p = vcache_pick((int)v->rr, v->keep);
        vcache_set(p, VTEST_KEY);
    }
    tiny_half(v, dbl, (int)x, (unsigned)p, false);
    a64_hoist_vtest(v->c, p, dbl);
    return p;
}

/* The preamble's part of inv_test. */
void a64_vec_test_build(struct be_code *c, int test, int slot, int ones, bool dbl)
{
    struct vctx v = { .c = c, .rc = (unsigned)ones };
    tiny_half(&v, dbl, slot, (unsigned)test, false);
}

/* emit_arith with one operand already tested (skip_other): the other's
 * test narrowed into VT's low half, and into its high half the result's
 * NaN mask narrowed (xtn2) -- 2 instructions fewer than two operand tests
 * and an `and` -- or for mul/div the result's test, which then takes the
 * NaN mask by `and` as emit_arith does (4 fewer). */
static void emit_arith_checked(struct vctx *v, bool dbl, unsigned other)
{
    const struct ir_insn *i = v->i;
    v->skipped = true;
    tiny_half(v, dbl, (int)other, VT, false);
    arith_op(v, dbl);
    if (is_muldiv(i)) {             /* the result's test into the high half */
        tiny_half(v, dbl, (int)v->rr, VT, true);
        put(v, a64_simd_3same(true, A64_V_FCMEQ, a64_fsz(dbl, false), v->rr, v->rr, VM));
        put(v, a64_simd_logic(true, A64_V_AND, VM, VT, VT));
    } else {
        put(v, a64_simd_3same(true, A64_V_FCMEQ, a64_fsz(dbl, false), v->rr, v->rr, VU));
        put(v, a64_simd_2misc(true, A64_V_XTN, dbl ? 2 : 1, VU, VT));
    }
    reduce_halves(v, dbl);
    store_r(v, fsize(i));
}

static int relocs_n(const struct be_code *c) { return c->relocs ? c->relocs->n : 0; }

/* An add/sub that finishes the mul/div right before it (`fuse`): that
 * op's code was taken back to its result's NaN test, so VT holds its
 * operands' tests and VM's low half its result's.  b's test goes into
 * VM's high half, the add's NaN lanes zero VM's halves under them (a NaN
 * in the mul/div's result is one in the add's too: no test of its own),
 * and one reduction covers both ops; their slow path runs both helpers
 * (slow_path). */
static void emit_arith_fused(struct vctx *v, bool dbl)
{
    tiny_half(v, dbl, (int)v->rb, VM, true);
    arith_op(v, dbl);
    put(v, a64_simd_3same(true, A64_V_FCMEQ, a64_fsz(dbl, false), v->rr, v->rr, VU));
    put(v, a64_simd_logic(true, A64_V_AND, VU, VM, VM));
    put(v, a64_simd_3same(true, A64_V_UMIN, dbl ? 2 : 1, VM, v->fused->tv, VT));
    reduce_halves(v, dbl);
    store_r(v, 4);
}

/* add sub mul div sqrt: denormal inputs, NaN results, and for mul/div
 * results at the underflow boundary take the slow path.  The operands'
 * tests go narrowed into VT's halves (sqrt: b's into both); a NaN lane
 * of the result zeroes VT's halves under it (and with fcmeq's mask), or
 * for mul/div the result's test goes into VM's low half and its NaN mask,
 * narrowed, into VM's high half, joined by umin; one uminv finds all. */
static void emit_arith(struct vctx *v)
{
    const struct ir_insn *i = v->i;
    bool dbl = is_dbl(i);
    unsigned fsz = a64_fsz(dbl, false);
    bool had_ones = vcache_find(ONES_KEY) >= 0;
    ones(v);
    load_ab(v, fsize(i));
    if (v->fused) {
        if (v->ra != v->fused->rr || v->rb == v->ra)
            abort();                /* a ferry bug: fuse's conditions */
        emit_arith_fused(v, dbl);
        return;
    }
    int other = skip_other(v, had_ones);
    if (other >= 0) {
        emit_arith_checked(v, dbl, (unsigned)other);
        return;
    }
    int inv = i->op == IR_vfsqrt || v->ra == v->rb ? -1 : inv_test(v, dbl, v->rb);
    unsigned x2 = v->ra;            /* the operand other than the invariant */
    if (inv < 0 && i->op != IR_vfsqrt && v->ra != v->rb) {
        inv = inv_test(v, dbl, v->ra);
        x2 = v->rb;
    }
    v->tv = VT;
    if (inv >= 0) {                 /* the invariant's test in its low half */
        v->tv = (unsigned)inv;
        tiny_half(v, dbl, (int)x2, v->tv, true);
    } else {
        tiny_half(v, dbl, (int)v->rb, VT, false);
        tiny_half(v, dbl, i->op == IR_vfsqrt ? -1 : (int)v->ra, VT, true);
    }
    arith_op(v, dbl);
    if (is_muldiv(i)) {             /* VM: the result's test | its NaN mask (xtn2) */
        tiny_half(v, dbl, (int)v->rr, VM, false);
        v->cut = v->c->ptr;
        v->cut_relocs = relocs_n(v->c);
        put(v, a64_simd_3same(true, A64_V_FCMEQ, fsz, v->rr, v->rr, VU));
        put(v, a64_simd_2misc(true, A64_V_XTN, dbl ? 2 : 1, VU, VM));
        put(v, a64_simd_3same(true, A64_V_UMIN, dbl ? 2 : 1, VM, v->tv, VT));
    } else {
        put(v, a64_simd_3same(true, A64_V_FCMEQ, fsz, v->rr, v->rr, VM));
        put(v, a64_simd_logic(true, A64_V_AND, VM, v->tv, VT));
    }
    reduce_halves(v, dbl);
    store_r(v, fsize(i));
}

/* Operands a and b must be neither NaN nor denormal (ones() first). */
static void plain_inputs(struct vctx *v, bool q, bool dbl)
{
    chk_nan(v, q, dbl, v->ra);
    chk_nan(v, q, dbl, v->rb);
    chk_tiny(v, q, dbl, v->ra, v->rb);
    reduce_mask(v);
}

/* fcmgt (fcmge with `ge`) d = n > m. */
static uint32_t fcmgt(bool dbl, bool ge, unsigned m, unsigned n, unsigned d)
{
    return a64_simd_3same(true, A64_V_FCMGE, a64_fsz(dbl, !ge), m, n, d);
}

/* x86 min/max: a < b ? a : b and a > b ? a : b, so the second operand
 * when equal (zeros of either sign). */
static void emit_minmax(struct vctx *v)
{
    bool dbl = is_dbl(v->i);
    ones(v);
    load_ab(v, fsize(v->i));
    plain_inputs(v, true, dbl);
    if (v->i->op == IR_vfmin)
        put(v, fcmgt(dbl, false, v->ra, v->rb, v->rr));
    else
        put(v, fcmgt(dbl, false, v->rb, v->ra, v->rr));
    put(v, a64_simd_logic(true, A64_V_BSL, v->rb, v->ra, v->rr));
    store_r(v, fsize(v->i));
}

/* cmpps predicates on ordered, normal operands. */
static void emit_cmp(struct vctx *v)
{
    bool dbl = is_dbl(v->i);
    unsigned pred = ir_vec_imm(v->i) & 7;
    ones(v);
    load_ab(v, fsize(v->i));
    plain_inputs(v, true, dbl);
    switch (pred & 3) {
    case 0: put(v, a64_simd_3same(true, A64_V_FCMEQ, a64_fsz(dbl, false), v->rb, v->ra, v->rr)); break;
    case 1: put(v, fcmgt(dbl, false, v->ra, v->rb, v->rr)); break;
    case 2: put(v, fcmgt(dbl, true, v->ra, v->rb, v->rr)); break;
    default: put(v, a64_simd_movi16b(v->rr, 0)); break;    /* unord */
    }
    if (pred & 4)
        put(v, a64_simd_2misc(true, A64_V_NOT, 0, v->rr, v->rr));
    store_r(v, fsize(v->i));
}

/* Both scalar operands, loaded into VA and VB (the rest of each zero),
 * neither NaN nor denormal: b's lane put next to a's, one tiny test
 * narrowed into VT's low half, the NaN mask into its high half (xtn2),
 * one reduction -- 9 instructions against plain_inputs' 16. */
static void plain_pair(struct vctx *v, bool dbl)
{
    put(v, a64_simd_ins_elem(dbl ? 3 : 2, 1, 0, VB, VA));
    tiny_half(v, dbl, VA, VT, false);
    put(v, a64_simd_3same(true, A64_V_FCMEQ, a64_fsz(dbl, false), VA, VA, VU));
    put(v, a64_simd_2misc(true, A64_V_XTN, dbl ? 2 : 1, VU, VT));
    reduce_halves(v, dbl);
}

/* ucomis/comis: EFLAGS CF (a < b) and ZF (a == b) of ordered operands. */
static void emit_comi(struct vctx *v, const struct be_arg *out)
{
    bool dbl = is_dbl(v->i);
    unsigned r = out[0].reg;
    ones(v);
    load_ab(v, 2 + dbl);
    if (v->ra == VA && v->rb == VB)
        plain_pair(v, dbl);
    else
        plain_inputs(v, true, dbl);
    put(v, a64_fp_compare(dbl, false, v->rb, v->ra));
    put(v, a64_cset(false, r, A64_MI));
    put(v, a64_cset(false, A64_TMP0, A64_EQ));
    put(v, a64_logical_shifted_reg(false, A64_ORR, false, A64_LSL, A64_TMP0, 6, r, r));
}

static void emit_cvti2f(struct vctx *v, const struct be_arg *in)
{
    bool dbl = is_dbl(v->i), wide = ir_vec_imm(v->i) == 8;
    unsigned src = a64_src(v->c, &in[1], A64_TMP0, 64);
    put(v, a64_fp_int(wide, dbl, A64_SCVTF_G, src, v->rr));
    store_r(v, 2 + dbl);
}

/* Float to int: NaN (ARM gives 0) and saturated results (ARM clamps, x86
 * gives the integer indefinite) take the slow path. */
static void emit_cvtf2i(struct vctx *v, const struct be_arg *out)
{
    bool dbl = is_dbl(v->i), wide = (ir_vec_imm(v->i) & 0xff) == 8;
    bool trunc = ir_vec_imm(v->i) & 0x100;
    unsigned r = out[0].reg;
    v->rb = src(v, 2 + dbl, ir_vec_b(v->i), VB, -1);
    put(v, a64_fp_compare(dbl, false, v->rb, v->rb));
    to_slow(v, a64_cond_branch_imm(A64_VS, 0));
    put(v, a64_fp_int(wide, dbl, trunc ? A64_FCVTZS_G : A64_FCVTNS_G, v->rb, r));
    put(v, a64_logical_shifted_reg(wide, A64_EOR, false, A64_ASR, r, wide ? 63 : 31, r,
                                   A64_TMP0));
    put(v, a64_add_sub_imm(wide, false, true, false, 1, A64_TMP0, A64_TMP0));
    to_slow(v, a64_cond_branch_imm(A64_VS, 0));
}

static void emit_cvtf2f(struct vctx *v)
{
    const struct ir_insn *i = v->i;
    bool from_dbl = is_dbl(i), sc = ir_vec_scalar(i);
    ones(v);
    v->rb = src(v, sc ? 2 + from_dbl : 4, ir_vec_b(i), VB, -1);
    chk_nan(v, sc || from_dbl, from_dbl, v->rb);
    chk_tiny(v, sc || from_dbl, from_dbl, v->rb, -1);
    if (sc)
        put(v, a64_fp_1src(from_dbl, from_dbl ? A64_FCVT_TO_S : A64_FCVT_TO_D, v->rb, v->rr));
    else
        put(v, a64_simd_2misc(false, from_dbl ? A64_V_FCVTN : A64_V_FCVTL, 1, v->rb, v->rr));  /* sz 1: 2s <-> 2d */
    if (from_dbl)                   /* narrowing: the underflow boundary */
        chk_tiny(v, true, false, v->rr, -1);
    reduce_mask(v);
    store_r(v, sc ? 2 + !from_dbl : 4);
}

static void emit_cvti2fv(struct vctx *v)
{
    bool dbl = is_dbl(v->i);
    v->rb = src(v, 4, ir_vec_b(v->i), VB, -1);
    unsigned src = v->rb;
    if (dbl) {
        put(v, a64_simd_shift_imm(false, A64_V_SSHLL, 2, 0, v->rb, v->rr));
        src = v->rr;
    }
    put(v, a64_simd_2misc(true, A64_V_SCVTF, a64_fsz(dbl, false), src, v->rr));
    store_r(v, 4);
}

static void emit_cvtf2iv(struct vctx *v)
{
    bool dbl = is_dbl(v->i), trunc = ir_vec_imm(v->i) & 0x100;
    v->rb = src(v, 4, ir_vec_b(v->i), VB, -1);
    chk_nan(v, true, dbl, v->rb);
    put(v, a64_simd_2misc(true, trunc ? A64_V_FCVTZS : A64_V_FCVTNS, a64_fsz(dbl, trunc), v->rb, v->rr));
    if (dbl)
        put(v, a64_simd_2misc(false, A64_V_SQXTN, 2, v->rr, v->rr));
    chk_saturated(v, !dbl, v->rr);
    reduce_mask(v);
    store_r(v, 4);
}

static bool emit_float(struct vctx *v, const struct be_arg *out, const struct be_arg *in)
{
    enum ir_op op = v->i->op;
    if (in[0].is_const && in[0].imm)
        return false;
    if (op != IR_vcvti2f && op != IR_vcvti2fv &&    /* the others may raise flags */
        !keeps_host_flags(v, &in[0]) && !v->fused)
        save_fpsr(v);           /* before any branch to the slow path, which restores it */
    mode_check(v, &in[0]);
    switch (v->i->op) {
    case IR_vfadd: case IR_vfsub: case IR_vfmul: case IR_vfdiv: case IR_vfsqrt:
        emit_arith(v); break;
    case IR_vfmin: case IR_vfmax: emit_minmax(v); break;
    case IR_vfcmp:   emit_cmp(v); break;
    case IR_vfcomi:  emit_comi(v, out); break;
    case IR_vcvti2f: emit_cvti2f(v, in); break;
    case IR_vcvtf2i: emit_cvtf2i(v, out); break;
    case IR_vcvtf2f: emit_cvtf2f(v); break;
    case IR_vcvti2fv: emit_cvti2fv(v); break;
    default:         emit_cvtf2iv(v); break;
    }
    return true;
}

/* ---- moves ---- */

/* A guest access's base register; the software MMU's TLB miss calls C,
 * which leaves nothing of the cache. */
static unsigned guest_base(struct vctx *v, const struct be_arg *addr)
{
    unsigned base = a64_guest_addr(v->c, IR_MO_64, addr);
    if (!be_access_is_direct(v->c, IR_MO_64))
        vcache_reset();
    return base;
}

/* vld/vst's access of 1 << sl bytes at addr: [xn, xm] when addr is an
 * add just emitted (a64_fold_address_add), else [base].  A store of 2, 4
 * or 8 bytes (movd, movq, movsd, pextrw) first tests whether it crosses
 * a page as a scalar one does (a64_store_cross.c); 16 bytes: the
 * caller's probe_page_cross. */
static void guest_access(struct vctx *v, const struct be_arg *addr, unsigned sl, bool load,
                         unsigned vreg)
{
    unsigned rn, rm;
    bool test = !load && sl < 4 && be_access_is_direct(v->c, IR_MO_64);
    if (a64_fold_address_add(v->c, IR_MO_64, addr, &rn, &rm)) {
        if (test)
            a64_store_cross_test(v->c, sl, rn, rm, 0, 0, A64_TMP1);
        put(v, a64_fp_ldst_reg_offset(sl, load, rm, rn, vreg));
        return;
    }
    unsigned base = guest_base(v, addr);
    if (test)
        a64_store_cross_test(v->c, sl, base, A64_ZR, 0, 0, A64_TMP1);
    put(v, a64_fp_ldst_unsigned_imm(sl, load, 0, base, vreg));
}

/* A ymm store is two vst ops of one guest insn, marked IR_V_PAIR_LO and
 * IR_V_PAIR_HI (x86_avx.c avx_store), the high half at ea + 16.  x86 writes all
 * its bytes or faults with memory unchanged; a `str q` that crosses a
 * page may write the part below it on this host (the architecture allows
 * it, qemu-user does it), and two of them leave the low half written when
 * only the high half's page faults.  So a 16-byte store, or a ymm store's
 * low half for both, first tests whether its bytes cross a page and,
 * only then, probes both pages for writing, lowest first (a byte loaded
 * and stored back: faults as the store would; the store that follows
 * overwrites the byte, so another thread's store to it in between is only
 * ordered before ours), so a fault has the CPU's si_addr (ea, or the
 * second page's first byte) and the stores that follow cannot fault.  The
 * probes belong to the first vst's access: its fault point, the state
 * before the insn.
 * The test is one `cmn k, wb, lsl #20` and a `b.lo` over the probes: ea's
 * page offset moved to bits 31:20 plus k = last << 20 carries out exactly
 * when (ea & 0xfff) + last reaches the next page.  k is an operand
 * constant (a64_src): a self-loop's preamble builds it in a register of
 * its own (a64_hoist.c), so in such a loop the test is two instructions;
 * elsewhere the `movz` makes three, as `add; eor; tbz #12` did. */
static void probe_byte(struct vctx *v, unsigned base)
{
    put(v, a64_fp_ldst_unsigned_imm(0, true, 0, base, VA));
    put(v, a64_fp_ldst_unsigned_imm(0, false, 0, base, VA));
}

static void probe_page_cross(struct vctx *v, const struct be_arg *addr, unsigned last)
{
    unsigned b = guest_base(v, addr), mask;
    if (!a64_bitmask_encode(~0xfffull, 64, &mask))
        abort();
    struct be_arg k = { .is_const = true, .imm = (uint64_t)last << 20 };
    unsigned rk = a64_src(v->c, &k, A64_TMP1, 32);
    put(v, a64_add_sub_shifted_reg(false, false, true, A64_LSL, b, 20, rk, A64_ZR));
    uint8_t *over = v->c->ptr;
    put(v, 0);
    probe_byte(v, b);
    put(v, a64_add_sub_imm(true, false, false, false, last, b, A64_TMP1));
    put(v, a64_logical_imm(true, A64_AND, mask, A64_TMP1, A64_TMP1));
    probe_byte(v, A64_TMP1);
    uint32_t w = a64_cond_branch_imm(A64_LO, (int32_t)(v->c->ptr - over));
    memcpy(be_writable(v->c, over), &w, 4);
}

/* A self-loop's 16-byte store at [xn + xm] or [xn] of pinned registers
 * that the loop only steps by multiples of 16 (a64_hoist_align): the
 * preamble put the entry's address & 15 into wf, and every pass's address
 * is that one plus a multiple of 16.  Zero: none of the loop's stores
 * crosses a page, and `cbz wf` jumps over the address add, the page-cross
 * test and the probes to `str q, [xn, xm]` (matmul: three words a pass
 * fewer).  Else the add and probe_page_cross run as before.  The words
 * are all the store's (its fault point: the folded add's place).  Returns
 * the store's base (*index its index, A64_ZR for none), or -1: the store
 * goes as before, its add left where it was. */
static int aligned_loop_store(struct vctx *v, const struct be_arg *addr, unsigned *index)
{
    struct be_code *c = v->c;
    unsigned rn;
    uint32_t add = 0;
    if (c->check_address || addr->is_const)
        return -1;
    bool folded = a64_fold_address_add_word(c, IR_MO_64, addr, &rn, index, &add);
    if (!folded) {
        rn = (unsigned)addr->reg;
        *index = A64_ZR;
    }
    int f = a64_hoist_align(c, rn, *index);
    if (f < 0) {
        if (folded) {               /* the add back where it was */
            put(v, add);
            c->access_back = 0;
            a64_note_address_add(c);
        }
        return -1;
    }
    uint8_t *skip = c->ptr;
    put(v, 0);
    if (folded)
        put(v, add);                /* the sum, for the test and the probes */
    probe_page_cross(v, addr, 15);
    uint32_t w = a64_compare_branch_imm(false, false, (int32_t)(c->ptr - skip), (unsigned)f);
    memcpy(be_writable(c, skip), &w, 4);
    return (int)rn;
}

/* A ymm load is two vld ops (x86_avx.c, x86_avx_move.c): the low half at
 * ea, `add t, ea, #16`, the high half at t.  The second takes the first's
 * code back and loads both halves with one `ldp q, q` before either slot
 * is stored: one access instead of two and the add, and a fault on the
 * high half finds the low half's slot as it was (x86 loads all 32 bytes
 * or faults with the register unchanged).  `ymm_lo`: the last op's words
 * when it was such a low half, a plain `ldr q, [xn]` and its slot's
 * store, as `dead` is kept. */
static struct {
    const uint8_t *code;            /* the block's start */
    uint8_t *at, *end;              /* its ldr; the end of its store */
    unsigned base, reg;             /* xn; the cache register loaded */
    int32_t slot;
} ymm_lo;

static bool ymm_lo_note(struct vctx *v, uint8_t *at, unsigned w)
{
    uint32_t word;
    if (v->c->ptr - at != 4 || v->c->check_address || !be_access_is_direct(v->c, IR_MO_64))
        return false;
    memcpy(&word, at, 4);
    unsigned base = word >> 5 & 31;
    if (word != a64_fp_ldst_unsigned_imm(4, true, 0, base, w))
        return false;                           /* not [xn] alone */
    v->rr = w;
    store_r(v, 4);
    ymm_lo = (__typeof__(ymm_lo)){ .code = v->c->start, .at = at, .end = v->c->ptr,
                                   .base = base, .reg = w, .slot = ir_vec_d(v->i) };
    return true;
}

/* The high half right behind its low half in the same guest insn (the
 * IR: vld, add, vld; the code: only the add between): the pair, in the
 * high half's cache register, else -1.  Two xmm loads of two insns have
 * the same code but an IR_insn_start between them: a fault on the second
 * must find the first's slot written. */
static int ymm_hi_pair(struct vctx *v, const struct be_arg *addr)
{
    struct be_code *c = v->c;
    uint32_t add;
    bool ok = ymm_lo.code == c->start && ymm_lo.end + 4 == c->ptr && !addr->is_const &&
              addr->dead && !c->check_address && be_access_is_direct(c, IR_MO_64) &&
              vcache_find(ymm_lo.slot) == (int)ymm_lo.reg && ir_vec_d(v->i) != ymm_lo.slot;
    ymm_lo.code = NULL;
    if (!ok)
        return -1;
    const struct ir_insn *i = v->i;         /* one guest insn: no IR_insn_start between */
    if (i[-1].op != IR_add || i[-2].op != IR_vld || ir_vec_d(&i[-2]) != ymm_lo.slot)
        return -1;
    memcpy(&add, ymm_lo.end, 4);
    if (add != a64_add_sub_imm(true, false, false, false, 16, ymm_lo.base, (unsigned)addr->reg))
        return -1;
    int w = vcache_pick((int)ymm_lo.reg, -1);
    c->ptr -= 4;                                        /* the add */
    uint32_t pair = a64_fp_pair_q(true, A64_PAIR_OFFSET, 0, (unsigned)w, ymm_lo.base, ymm_lo.reg);
    memcpy(be_writable(c, ymm_lo.at), &pair, 4);
    c->access_back = (uint8_t)(c->ptr + 4 - ymm_lo.at); /* the fault point: at the ldp */
    return w;
}

/* Moves build d in a new cache register w (ldr s/d zero the rest; fmov
 * d, x zeroes the upper half), stored whole. */
static void emit_move(struct vctx *v, const struct be_arg *in)
{
    const struct ir_insn *i = v->i;
    unsigned n = ir_vec_imm(i), sl = n == 4 ? 2 : n == 8 ? 3 : 4;
    unsigned w, r;
    switch (i->op) {
    case IR_vmov: {
        int rb = sl == 4 ? vcache_find(ir_vec_b(i)) : -1;
        w = (unsigned)vcache_pick(rb, -1);
        if (rb >= 0)
            put(v, a64_simd_logic(true, A64_V_ORR, (unsigned)rb, (unsigned)rb, w));
        else
            env_ldst(v->c, sl, true, w, ir_vec_b(i));
        break;
    }
    case IR_vmovl:
        v->rb = src(v, sl, ir_vec_b(i), VB, vcache_find(ir_vec_a(i)));
        v->ra = src(v, 4, ir_vec_a(i), VA, (int)v->rb);
        w = (unsigned)vcache_pick((int)v->ra, (int)v->rb);
        put(v, a64_simd_logic(true, A64_V_ORR, v->ra, v->ra, w));
        put(v, a64_simd_ins_elem(sl, 0, 0, v->rb, w));
        break;
    case IR_vfromg:
        w = (unsigned)vcache_pick(-1, -1);
        put(v, a64_fp_int(true, 1, A64_FMOV_FROM_G, a64_src_zr(v->c, &in[0], A64_TMP0, 64), w));
        break;
    case IR_vld: {
        int hi = sl == 4 ? ymm_hi_pair(v, &in[0]) : -1;
        if (hi >= 0) {
            w = (unsigned)hi;
            break;
        }
        w = (unsigned)vcache_pick(v->defer, -1);
        uint8_t *at = v->c->ptr;
        guest_access(v, &in[0], sl, true, w);
        if (sl == 4 && ymm_lo_note(v, at, w))
            return;                             /* stored */
        break;
    }
    default: {                      /* vst */
        int base = -1;
        unsigned index = A64_ZR;
        if (be_access_is_direct(v->c, IR_MO_64) && sl == 4 &&
            !(i->size & (IR_V_ALIGNED | IR_V_PAIR_HI))) {
            if (!(i->size & IR_V_PAIR_LO))
                base = aligned_loop_store(v, &in[0], &index);
            if (base < 0)
                probe_page_cross(v, &in[0], i->size & IR_V_PAIR_LO ? 31 : 15);
        }
        r = be_access_is_direct(v->c, IR_MO_64) && sl == 4 ? src(v, 4, ir_vec_b(i), VA, -1)
                                                            : VA;
        if (r == VA)
            vmem(v, sl, true, VA, ir_vec_b(i));
        if (base < 0)
            guest_access(v, &in[0], sl, false, r);
        else if (index == A64_ZR)
            put(v, a64_fp_ldst_unsigned_imm(sl, false, 0, (unsigned)base, r));
        else
            put(v, a64_fp_ldst_reg_offset(sl, false, index, (unsigned)base, r));
        return;
    }
    }
    v->rr = w;
    store_r(v, 4);
}

/* ---- dispatch, slow path ---- */

static bool emit_inline(struct vctx *v, const struct be_arg *out, const struct be_arg *in)
{
    if (IR_VEC_IS_MOVE(v->i->op)) {
        emit_move(v, in);
        return true;
    }
    switch (v->i->op) {
    case IR_vshli: case IR_vshri: case IR_vsari: case IR_vshlb: case IR_vshrb:
        return emit_shift(v);
    case IR_vshuf: case IR_vshuflo: case IR_vshufhi: case IR_vshuf2:
        return emit_shuffle(v);
    case IR_valignr:
        return emit_align(v);
    case IR_vmskeq: case IR_vmskz: case IR_vmskany: case IR_vmsks:
        return a64_emit_vec_str(v->c, v->i, out);
    case IR_vaesenc: case IR_vaesencl: case IR_vaesdec: case IR_vaesdecl:
    case IR_vaesimc: case IR_vaeskga: case IR_vclmul:
        return a64_emit_vec_crypto(v->c, v->i);
    default:
        if (ir_op_info[v->i->op].n_in)
            return emit_float(v, out, in);
        return emit_int2(v);
    }
}

static void call_stub(struct vctx *v)
{
    const uint8_t *stub = v->c->epilogue - stub_bytes;
    if (stub_bytes < 0)
        abort();                    /* no prologue emitted: a ferry bug */
    if (a64_emit_branch_code(v->c, stub, true))
        return;
    a64_emit_movi_addr(v->c, A64_LR, stub, BE_RELOC_CODE);
    put(v, a64_uncond_branch_reg(A64_BLR, A64_LR));
}

/* Whether the slow path first copies a to d in env: the helpers compute
 * d = op(d, s) in place, and an op of the form d = op(a, b) may have a
 * distinct from d (x86_avx.c's three-operand steps; never b = d there). */
static bool helper_copies_a(const struct ir_insn *i)
{
    return !ir_op_info[i->op].n_out && ir_vec_a(i) != ir_vec_d(i) && ir_vec_b(i) != ir_vec_d(i);
}

/* fn(env, d, s, imm) through the stub; s is b's offset or (vcvti2f) the
 * integer input's value. */
static void emit_slow(struct vctx *v, const struct be_arg *out, const struct be_arg *in)
{
    const struct ir_insn *i = v->i;
    if (v->fpsr_saved)
        put(v, a64_msr_fpsr(A64_TMP1));
    v->fpsr_saved = false;
    if (v->skipped) {               /* the last op's slow path comes in here */
        uint32_t b = a64_uncond_branch_imm(false, (int32_t)(v->c->ptr - checked.link));
        memcpy(be_writable(v->c, checked.link), &b, 4);
    }
    if (v->keep >= 0 && !v->fused)  /* the store dropped (`dead`): the helper reads env */
        env_ldst(v->c, 4, false, (unsigned)v->keep, v->keep_slot);
    if (helper_copies_a(i)) {       /* the helper computes d in place */
        env_ldst(v->c, 4, true, VA, ir_vec_a(i));
        env_ldst(v->c, 4, false, VA, ir_vec_d(i));
    }
    if (i->op == IR_vcvti2f)
        be_emit_mov(v->c, A64_TMP0, a64_src(v->c, &in[1], A64_TMP0, 64));
    else
        be_emit_movi(v->c, A64_TMP0, (uint64_t)ir_vec_b(i));
    put(v, a64_fp_int(true, 1, A64_FMOV_FROM_G, A64_TMP0, VS));
    a64_emit_movi_addr(v->c, A64_TMP0, ir_vec_helper(i)->fn, BE_RELOC_HOST);
    be_emit_movi(v->c, A64_TMP1, (uint64_t)(uint32_t)ir_vec_d(i) | (uint64_t)ir_vec_imm(i) << 32);
    call_stub(v);
    if (ir_op_info[i->op].n_out)
        be_emit_mov(v->c, out[0].reg, A64_TMP0);
}

/* On the slow path, which may leave before the fast path filled them:
 * the cache registers this op filled get their slots from env (the
 * helper wrote d there; the stub keeps every other cache register). */
static void reload_fresh(struct vctx *v)
{
    for (unsigned r = A64_VC_FIRST; r <= A64_VC_LAST; r++)
        if ((v->fresh >> r & 1) && vcache_slot((int)r) >= 0)
            env_ldst(v->c, 4, true, r, vcache_slot((int)r));
}

/* Ops that read a from the cache, write all of d and, before their own
 * store, run only register code, env loads and slow-path branches (their
 * slow path stores the kept register): packed float arithmetic, min/max,
 * compares, valignr, and the table-driven integer ops. */
static bool dead_op_ok(const struct ir_insn *i)
{
    if (ir_vec_scalar(i))
        return false;
    switch (i->op) {
    case IR_vfadd: case IR_vfsub: case IR_vfmul: case IR_vfdiv:
    case IR_vfmin: case IR_vfmax: case IR_vfcmp: case IR_valignr:
        return true;
    default:
        return logic3[i->op] || (int3[i->op].sizes >> (i->size & IR_VE_MASK) & 1);
    }
}

/* Drops the last op's store when this op makes it dead (see `dead`): the
 * store's words are the last ones emitted and the cache still has the
 * slot in the register stored. */
static void dead_drop(struct vctx *v)
{
    const struct ir_insn *i = v->i;
    bool ok = dead.at && dead.code == v->c->start && dead.end == v->c->ptr &&
              ir_vec_d(i) == dead.slot && ir_vec_a(i) == dead.slot && dead_op_ok(i) &&
              vcache_find(dead.slot) == dead.reg;
    uint8_t *at = dead.at;
    dead.at = NULL;
    if (!ok)
        return;
    v->c->ptr = at;
    v->keep = dead.reg;
    v->keep_slot = dead.slot;
}

/* After an op: its full store, when it is the op's last code, may be
 * dropped by the next op. */
static void dead_note(struct vctx *v, uint8_t *at)
{
    dead.at = at;
    dead.end = v->c->ptr;
    dead.code = v->c->start;
    dead.slot = ir_vec_d(v->i);
    dead.reg = (int)v->rr;
}

/* The env-slot cache's key for a register a fused mul/div's dropped
 * store still needs (fuse): no env slot's, no other key's. */
#define KEEP_KEY (INT32_MIN + 128)

/* A direct guest vld right behind a `dead` store of another slot: the
 * store moves behind the load (taken out here, stored again by
 * a64_emit_vec after the vld's own store, as the op's last words, so
 * that the op after it may still drop it).  A fault on the load finds
 * that slot in the register (the fault map names it: be_fault_note_vec,
 * a64_fault.c's be_ucontext_reg reads it) and nothing else can see env
 * in between.  matmul's `movupd xmm0, [a]; movupd xmm5, [c]; mulpd xmm0,
 * xmm1`: xmm0's store after its load goes (the mul's `keep`, then the
 * fused slow path's).  The vld's address add (a64_fold_address_add) may
 * stand between: it moves back with the load.  Not for a ymm low half (its high half's `ldp`
 * would fault at its own point, which names nothing). */
static void defer_across_load(struct vctx *v)
{
    struct be_code *c = v->c;
    const struct ir_insn *i = v->i;
    bool add = dead.end + 4 == c->ptr && a64_address_add_last(c);     /* the vld's address */
    bool ok = i->op == IR_vld && dead.at && dead.code == c->start &&
              (dead.end == c->ptr || add) && dead.slot != ir_vec_d(i) && !c->check_address &&
              be_access_is_direct(c, IR_MO_64) && i[1].op != IR_add &&
              vcache_find(dead.slot) == dead.reg &&
              be_fault_note_vec(dead.slot, dead.reg - A64_VC_FIRST);
    if (!ok)
        return;
    uint32_t len = (uint32_t)(dead.end - dead.at);
    be_fault_code_cut((uint32_t)(dead.at - c->start), len);
    memmove(be_writable(c, dead.at), dead.end, (size_t)(c->ptr - dead.end));
    c->ptr -= len;
    if (add)
        a64_note_address_add(c);
    v->defer = dead.reg;
    v->defer_slot = dead.slot;
    dead.at = NULL;
}

/* The store defer_across_load took out, behind the vld: the op's last
 * words, which the next op may drop as `dead`. */
static void defer_store(struct vctx *v)
{
    uint8_t *at = v->c->ptr;
    env_ldst(v->c, 4, false, (unsigned)v->defer, v->defer_slot);
    if (vcache_find(v->defer_slot) != v->defer)
        return;
    dead = (__typeof__(dead)){ .code = v->c->start, .at = at, .end = v->c->ptr,
                               .slot = v->defer_slot, .reg = v->defer };
}

/* A branch to the slow path with the opposite condition (cbz <-> cbnz,
 * b.cond's condition's low bit). */
static void invert_branch(struct be_code *c, uint8_t *at)
{
    uint32_t w;
    memcpy(&w, at, 4);
    if ((w & 0x7e000000u) == 0x34000000u)           /* compare and branch */
        w ^= 1u << 24;
    else if ((w & 0xff000010u) == 0x54000000u && (w & 0xe) != 0xe)     /* b.cond */
        w ^= 1u;
    else
        abort();                    /* a ferry bug: to_slow's branch kinds */
    memcpy(be_writable(c, at), &w, 4);
}

/* The slow path right behind the fast path, which branches over it: when
 * the fast path's last word is its last branch to the slow path, that
 * branch inverted (no extra `b` on the fast path), else a `b`. */
static void slow_path(struct vctx *v, const struct be_arg *out, const struct be_arg *in)
{
    struct be_code *c = v->c;
    uint8_t *skip = v->slow[v->n_slow - 1];
    bool inverted = skip == c->ptr - 4;
    if (inverted) {
        invert_branch(c, skip);
        v->n_slow--;
    } else {
        skip = c->ptr;
        put(v, a64_uncond_branch_imm(false, 0));
    }
    for (int k = 0; k < v->n_slow; k++)
        patch19(c, v->slow[k], c->ptr);
    a64_hoist_cold(c, true);        /* off the loop's path: no constant worth hoisting */
    if (v->fused)                   /* both ops again, from env and FPSR before the first */
        emit_slow((struct vctx *)v->fused, out, in);
    emit_slow(v, out, in);
    if (v->fused)
        reload_fresh((struct vctx *)v->fused);
    reload_fresh(v);
    if (v->st_late && !is_cache_reg(v->rr))     /* the merge stores it: the helper's */
        env_ldst(c, v->st_size, true, v->rr, ir_vec_d(v->i));
    if (is_muldiv(v->i)) {          /* `checked.link`: to the merge until the next op */
        v->link = c->ptr;
        put(v, a64_uncond_branch_imm(false, 4));
    }
    a64_hoist_cold(c, false);
    if (inverted) {
        patch19(c, skip, c->ptr);
        return;
    }
    uint32_t b = a64_uncond_branch_imm(false, (int32_t)(c->ptr - skip));
    memcpy(be_writable(c, skip), &b, 4);
}

/* A block's first op: nothing before it is the op right behind (a block
 * emitted again starts at the same address, so `dead` and `lane` would
 * match words of the emission before). */
void a64_vec_block_start(void)
{
    dead.at = NULL;
    ymm_lo.code = NULL;
    lane.code = NULL;
    checked.code = NULL;
}

/* A run of the cache that starts with the all-ones constant in register
 * ones and slot off in register slot_reg (-1: without either; a loop
 * preamble built them: a64_hoist.c). */
void a64_vec_ones_start(const struct be_code *c, int ones, int slot_reg, int32_t off,
                        int test_reg)
{
    vcache_start_with(c, ones >= 0 ? ones : slot_reg, ones >= 0 ? ONES_KEY : off);
    if (ones >= 0 && slot_reg >= 0)
        vcache_set(slot_reg, off);
    if (test_reg >= 0)
        vcache_set(test_reg, VTEST_KEY);
}

/* The preamble's load of a loop-invariant slot (no cache lookup). */
void a64_vec_slot_load(struct be_code *c, int vreg, int32_t off)
{
    env_ldst(c, 4, true, (unsigned)vreg, off);
}

/* Ops whose VR-holding operands are only read before VR is written:
 * add sub mul div sqrt (emit_arith, one instruction writes the result). */
static bool is_arith(const struct ir_insn *i)
{
    return i->op == IR_vfadd || i->op == IR_vfsub || i->op == IR_vfmul || i->op == IR_vfdiv ||
           i->op == IR_vfsqrt;
}

static void lane_note(struct vctx *v)
{
    lane.code = v->c->start;
    lane.end = v->c->ptr;
    lane.slot = ir_vec_d(v->i);
    lane.size_log2 = v->st_size;
}

static void checked_note(struct vctx *v, const struct be_arg *in, bool store_last)
{
    checked.code = v->c->start;
    checked.end = v->c->ptr;
    checked.reg = v->rr;
    checked.link = v->link;
    checked.fusable = v->cut && v->saved && !v->skipped && !ir_vec_scalar(v->i) &&
                      in[0].is_const && in[0].imm == 0 && store_last;
    checked.v = *v;
}

/* One check for a mul/div and the add/sub right behind it that reads its
 * result as a and overwrites it (so the mul/div's store was dropped as
 * `dead`): the mul/div's code is taken back to its result's NaN test --
 * what follows there (the NaN test, its reduction and branch, its slow
 * path) goes -- and emit_arith_fused ends both with one reduction and
 * branch, to a slow path that restores FPSR as it was before the mul/div
 * and runs both helpers from env, the mul/div's first: both guest insns
 * again from their start, so the result and MXCSR are the helpers' (no
 * guest-visible state changes between the two: register ops in the
 * default MXCSR mode, no access, no exit).  A store the mul/div itself
 * dropped (its `keep`) goes to the fused slow path (the mul/div's
 * emit_slow stores it before its helper): the register is held under
 * KEEP_KEY until the add/sub's code is done, so that no pick of the
 * add/sub takes it.  The fast path saves 6 words per pair: a reduction
 * and branch, the mul/div's NaN test (any NaN lane of its result is one
 * of the add/sub's), the link -- and the kept store. */
static void fuse(struct vctx *v, struct vctx *f, const struct be_arg *in)
{
    const struct ir_insn *i = v->i;
    bool ok = checked.fusable && v->checked_in >= 0 &&
              (i->op == IR_vfadd || i->op == IR_vfsub) && !ir_vec_scalar(i) &&
              i->size == checked.v.i->size && in[0].is_const && in[0].imm == 0 &&
              v->keep == (int)checked.reg && ir_vec_b(i) != ir_vec_a(i);
    checked.fusable = false;
    if (!ok)
        return;
    *f = checked.v;
    v->c->ptr = f->cut;
    if (v->c->relocs && v->c->relocs->n > f->cut_relocs)
        v->c->relocs->n = f->cut_relocs;
    if (f->keep >= 0)
        vcache_set(f->keep, KEEP_KEY);
    f->fpsr_saved = true;
    v->fused = f;
}

void a64_emit_vec(struct be_code *c, const struct ir_insn *insn, unsigned param,
                  const struct be_arg *out, const struct be_arg *in)
{
    struct vctx v = { .c = c, .i = insn, .ra = VA, .rb = VB, .rr = VR, .keep = -1,
                      .checked_in = -1, .defer = -1, .defer_slot = -1 };
    struct vctx first;
    if (checked.code == c->start && checked.end == c->ptr && is_arith(insn))
        v.checked_in = (int)checked.reg;
    checked.code = NULL;
    defer_across_load(&v);
    dead_drop(&v);
    fuse(&v, &first, in);
    v.lane_ok = lane.code == c->start && lane.end == c->ptr && is_arith(insn);
    lane.code = NULL;
    if (!emit_inline(&v, out, in)) {
        vcache_forget(ir_vec_d(insn), 16);  /* the helper writes d */
        v.fpsr_saved = false;
        emit_slow(&v, out, in);
        return;
    }
    if (v.fused && v.fused->keep >= 0 && vcache_find(KEEP_KEY) != v.fused->keep)
        abort();                    /* a ferry bug: the kept register was picked */
    if (v.n_slow)
        slow_path(&v, out, in);
    if (v.fused && v.fused->keep >= 0)
        vcache_forget(KEEP_KEY, 16);
    if (v.st_late && v.st_at) {     /* the merge point: both paths store */
        v.st_at = c->ptr;
        env_ldst(c, 4, false, v.rr, ir_vec_d(insn));
        v.st_end = c->ptr;
    } else if (v.st_late) {
        vmem(&v, v.st_size, false, v.rr, ir_vec_d(insn));
        v.st_end = c->ptr;
    }
    if (v.st_at && v.st_end == c->ptr)  /* the op's last words */
        dead_note(&v, v.st_at);
    if (v.rr == VR && v.st_size < 4 && v.st_end == c->ptr)
        lane_note(&v);
    if (v.link)
        checked_note(&v, in, v.st_at && v.st_end == c->ptr);
    if (v.defer >= 0)
        defer_store(&v);
}

/* The env-slot cache's registers (caller-saved in AAPCS64) across the
 * helper call: stp/ldp q pairs in VC_SAVE bytes below the x registers. */
enum { VC_SAVE = 16 * (A64_VC_LAST - A64_VC_FIRST + 1) };

static void stub_cache_regs(struct vctx *v, bool save)
{
    for (unsigned r = A64_VC_FIRST + 2; r <= A64_VC_LAST; r += 2)
        put(v, a64_fp_pair_q(!save, A64_PAIR_OFFSET, (int)(r - A64_VC_FIRST), r + 1,
                             A64_SP, r));
}

/* Saves every call-clobbered register translated code may hold a value
 * in (x0-x15: temporaries, pinned globals; v16-v31: the env-slot cache)
 * and x30, calls x16(env, w17, d7, x17 >> 32), returns the result in x16,
 * x18 the jump-cache table again (a64_load_jmp_base).  sp stays 16-byte
 * aligned (144 + VC_SAVE bytes). */
void a64_vec_emit_stub(struct be_code *c)
{
    struct vctx v = { .c = c };
    uint8_t *start = c->ptr;
    put(&v, a64_load_store_pair(false, A64_PAIR_PRE, -18, 1, A64_SP, 0));
    for (unsigned r = 2; r < 16; r += 2)
        put(&v, a64_load_store_pair(false, A64_PAIR_OFFSET, (int)r, r + 1, A64_SP, r));
    put(&v, a64_load_store_pair(false, A64_PAIR_OFFSET, 16, 18, A64_SP, A64_LR));
    put(&v, a64_fp_pair_q(false, A64_PAIR_PRE, -VC_SAVE / 16, A64_VC_FIRST + 1, A64_SP,
                          A64_VC_FIRST));
    stub_cache_regs(&v, true);
    put(&v, a64_mov(true, 0, A64_ENV));
    put(&v, a64_mov(false, 1, A64_TMP1));
    put(&v, a64_fp_int(true, 1, A64_FMOV_TO_G, VS, 2));
    put(&v, a64_lsr_imm(true, 3, A64_TMP1, 32));
    put(&v, a64_uncond_branch_reg(A64_BLR, A64_TMP0));
    put(&v, a64_mov(true, A64_TMP0, 0));
    stub_cache_regs(&v, false);
    put(&v, a64_fp_pair_q(true, A64_PAIR_POST, VC_SAVE / 16, A64_VC_FIRST + 1, A64_SP,
                          A64_VC_FIRST));
    put(&v, a64_load_store_pair(true, A64_PAIR_OFFSET, 16, 18, A64_SP, A64_LR));
    for (unsigned r = 2; r < 16; r += 2)
        put(&v, a64_load_store_pair(true, A64_PAIR_OFFSET, (int)r, r + 1, A64_SP, r));
    put(&v, a64_load_store_pair(true, A64_PAIR_POST, 18, 1, A64_SP, 0));
    a64_load_jmp_base(c);
    put(&v, a64_ret());
    stub_bytes = c->ptr - start;
}

void a64_vec_call_stub(struct be_code *c)
{
    struct vctx v = { .c = c };
    call_stub(&v);
}

/* AArch64 has no denormal-operand flag: the pre-checks above send
 * denormal operands to the helpers, which record x86's DE in env. */
bool be_fp_denormal_flag(bool clear)
{
    return false;
}
