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
 */
#include "a64_emit.h"

static __thread struct {
    const uint8_t *block, *end;         /* the access ends at end in block */
} last_access;

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
    __builtin_memcpy(be_writable(c, at), &w, 4);
    last_access.block = NULL;
    return true;
}
