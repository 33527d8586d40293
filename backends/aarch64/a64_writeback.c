/* a64_writeback.c -- a guest load or store followed by an update of its
 * base register, as x86's pop and push leave them, in one pre- or
 * post-indexed access:
 *     ldr x23, [x24]       ; add x24, x24, #8   ->  ldr x23, [x24], #8
 *     stur x20, [x24, #-8] ; sub x24, x24, #8   ->  str x20, [x24, #-8]!
 * Exact at a fault: an access that aborts writes nothing back (the base
 * keeps its value), so the fault point recorded at the access still
 * describes the state.  Only when the access's word is the last one
 * emitted, right behind the access op itself (no glue, no branch target
 * between: nothing else was emitted since), and the data register is not
 * the base (writeback with Rt == Rn is unpredictable).
 *
 * Two such accesses in a row, 8 bytes each, become one pair -- a push
 * run's stores, a pop run's loads (perl: 2.5 % of its host instructions):
 *     str x15, [x24, #-8]! ; str x14, [x24, #-8]!  ->  stp x14, x15, [x24, #-16]!
 *     ldr x23, [x24], #8   ; ldr x14, [x24], #8    ->  ldp x23, x14, [x24], #16
 * The second access's fault point then lies inside the pair's word (the
 * allocator moves a point whose access emitted nothing of its own there,
 * regalloc.c), and a fault on the pair is split by a64_pair_fault.c: the
 * first guest access done or not, as the CPU would have it.
 *
 * And a sign extension of the value a guest load just brought, at the
 * load's own size (x86's movsx/movsxd from memory: the frontend reads,
 * then extends), is the load itself made signed when the loaded register
 * is the extension's or dead after it:
 *     ldr w0, [x26, #4] ; sxtw x22, w0   ->  ldrsw x22, [x26, #4]
 * The fault point is the load's, which writes nothing when it faults.
 */
#include "a64_emit.h"

static __thread struct {
    const uint8_t *block, *end;         /* the access ends at end in block */
} last_access;

/* The last access folded with writeback: a pair's first half. */
static __thread struct {
    unsigned gen;                       /* a64_tail_gen of its block; 0: none */
    const uint8_t *end;                 /* its word ends here */
} last_indexed;

void a64_note_guest_access(struct be_code *c)
{
    last_access.block = c->start;
    last_access.end = c->ptr;
}

enum {
    LDST_IMM_CLASS_MASK = 0x3b000000u,  /* bits 29:27 and 25:24 */
    LDST_UNSIGNED = 0x39000000u,        /* 111 0 01: unsigned imm12 */
    LDST_UNSCALED = 0x38000000u,        /* 111 0 00, bit 21 and 11:10 clear: imm9 */
    WB_POST = 1u << 10, WB_PRE = 3u << 10,
};

/* The byte offset of an immediate-offset access word, or false when it
 * is another form (register offset, SIMD, already indexed). */
static bool access_offset(uint32_t w, int64_t *off)
{
    if ((w & 0x04000000u) != 0)         /* SIMD&FP register */
        return false;
    if ((w & LDST_IMM_CLASS_MASK) == LDST_UNSIGNED) {
        *off = (int64_t)((w >> 10) & 0xfff) << (w >> 30);
        return true;
    }
    if ((w & LDST_IMM_CLASS_MASK) == LDST_UNSCALED && !(w & (1u << 21)) && !(w & (3u << 10))) {
        *off = (int64_t)((int32_t)(w << 11) >> 23);
        return true;
    }
    return false;
}

/* The access rewritten with writeback: imm9 = delta, indexed by mode. */
static uint32_t with_writeback(uint32_t w, int64_t delta, uint32_t mode)
{
    uint32_t base = (w & 0xc0c003ffu) | 0x38000000u;    /* size, opc, Rn, Rt */
    return base | ((uint32_t)delta & 0x1ff) << 12 | mode;
}

enum {
    GPR_LDST_MASK = 0x3e000000u,        /* bits 29:25: 111, V = 0, 0 */
    GPR_LDST = 0x38000000u,
    OPC_SHIFT = 22,
};

bool a64_fold_sign_extend(struct be_code *c, unsigned rd, const struct be_arg *src,
                          unsigned bits)
{
    if (src->is_const || last_access.block != c->start || last_access.end != c->ptr ||
        (!src->dead && (unsigned)src->reg != rd))
        return false;
    uint8_t *at = c->ptr - 4;
    uint32_t w;
    __builtin_memcpy(&w, be_writable(c, at), 4);
    unsigned size = w >> 30, rt = w & 31, rn = w >> 5 & 31;
    if ((w & GPR_LDST_MASK) != GPR_LDST || (w >> OPC_SHIFT & 3) != 1 || rt != (unsigned)src->reg ||
        8u << size != bits || size == 3)
        return false;
    bool wb = (w & 0x3b000000u) == 0x38000000u && !(w & (1u << 21)) && (w & (1u << 10));
    if (wb && rn == rd)                 /* writeback into the new target: unpredictable */
        return false;
    w = (w & ~(3u << OPC_SHIFT) & ~31u) | 2u << OPC_SHIFT | rd;
    __builtin_memcpy(be_writable(c, at), &w, 4);
    last_access.block = NULL;
    return true;
}

enum {
    STR_X_PRE_M8 = 0xf81f8c00u,         /* str xt, [xn, #-8]! less Rn, Rt */
    LDR_X_POST_8 = 0xf8408400u,         /* ldr xt, [xn], #8 less Rn, Rt */
    PAIR_KIND_MASK = 0xfffffc00u,
};

/* The word before `at` (`first`, folded last) and the one at it, both
 * 8-byte pushes or both pops on the same base, as one pair: true when
 * done (the pair at at - 4, c->ptr back by one word). */
static bool pair_with_previous(struct be_code *c, uint8_t *at, uint32_t second)
{
    uint32_t first;
    if (last_indexed.gen != a64_tail_gen(c) || last_indexed.end != at)
        return false;
    __builtin_memcpy(&first, be_writable(c, at - 4), 4);
    uint32_t kind = first & PAIR_KIND_MASK;
    unsigned rn = first >> 5 & 31, rt1 = first & 31, rt2 = second & 31;
    if ((second & PAIR_KIND_MASK) != kind || (second >> 5 & 31) != rn ||
        (kind != STR_X_PRE_M8 && kind != LDR_X_POST_8))
        return false;
    uint32_t pair;
    if (kind == LDR_X_POST_8) {
        if (rt1 == rt2)                 /* ldp to one register is unpredictable */
            return false;
        pair = a64_load_store_pair(true, A64_PAIR_POST, 2, rt2, rn, rt1);
    } else {
        pair = a64_load_store_pair(false, A64_PAIR_PRE, -2, rt1, rn, rt2);
    }
    __builtin_memcpy(be_writable(c, at - 4), &pair, 4);
    c->ptr = at;
    last_indexed.gen = 0;
    return true;
}

bool a64_fold_writeback(struct be_code *c, unsigned rd, unsigned rn, int64_t delta)
{
    if (last_access.block != c->start || last_access.end != c->ptr || rd != rn ||
        delta < -256 || delta > 255 || delta == 0)
        return false;
    uint8_t *at = c->ptr - 4;
    uint32_t w;
    int64_t off;
    __builtin_memcpy(&w, be_writable(c, at), 4);
    unsigned base = (w >> 5) & 31, data = w & 31;
    if (!access_offset(w, &off) || base != rn || data == base || (off != 0 && off != delta))
        return false;
    w = with_writeback(w, delta, off == 0 ? WB_POST : WB_PRE);
    last_access.block = NULL;
    if (pair_with_previous(c, at, w))
        return true;
    __builtin_memcpy(be_writable(c, at), &w, 4);
    last_indexed.gen = a64_tail_gen(c);
    last_indexed.end = c->ptr;
    return true;
}
