/* a64_store_cross.c -- a scalar guest store (2, 4 or 8 bytes) that may
 * cross a page, made all-or-nothing.
 *
 * x86 writes none of a store's bytes when either of its pages faults.  An
 * AArch64 `str` whose bytes cross a page may write its part on the good
 * page before it faults (the architecture allows it: a misaligned access
 * is several single-copy-atomic ones, in no set order), and the guest's
 * handler would then see that part written.  qemu-user never does (its
 * host store is one x86 store), so only the emitted code can be checked
 * there (tests/guest/store_cross_probe.c with FERRY_A64_SPLIT_STORES, a
 * model of such hardware in a64_split_model.c).
 *
 * Only with be_store_cross_check (FERRY_STORE_CROSS_CHECK=1): off by
 * default, as the tests cost +5-8 % host instructions on string- and
 * pointer-heavy code (docs/status.md, "a64cross") and qemu-user on an
 * AArch64 host leaves the same partial writes.
 *
 * Every such store first tests the cheap necessary condition, its
 * address not a multiple of its size (an aligned store lies in one
 * page), on the register that decides it when the displacement (and a
 * scaled index) keep the alignment -- one `tbz wB, #0` for 2 bytes, `and
 * w17, wB, #(size - 1); cbz w17` else, NZCV untouched (stores keep the
 * guest's flags: a64_desc.c) -- and only when misaligned computes the
 * address in x30 and tests exactly whether its bytes cross a page (`add
 * w17, w30, #size - 1; eor w17, w17, w30; tbz w17, #12`).  A crossing
 * store then writes a byte of each page back to itself, lowest first, as
 * a64_vec.c probe_page_cross does for 16 bytes: a fault there has the
 * CPU's si_addr (the address, or the second page's first byte), and the
 * store that follows cannot fault.  Both bytes are the store's own, so
 * another thread's write to them in between is only ordered before it.
 * The words are all the store's (emitted inside its op: its fault point).
 *
 * Not tested: stores whose address is a constant (decided here), and
 * those ir_mark_stack_stores marked IR_MO_ALIGNED (a64_emit_st): at the
 * guest stack pointer plus a multiple of their size, behind one test of
 * the stack pointer at the block's entry (translator/ir_stack_align.c) --
 * spills, locals, and pushes, which a64_writeback.c then folds and pairs
 * (`stp x14, x15, [x24, #-16]!`).  A push it did not mark (in
 * TR_MODE_STACK_CHECKED, or through a stack pointer set by something
 * other than a move or an add in the block) keeps its test, and so folds
 * but does not pair.
 */
#include "a64_emit.h"

enum { EA = A64_SCRATCH_LR };

bool be_store_cross_check;

/* x30 = base + (index << scale) + disp. */
static void put_address(struct be_code *c, unsigned base, unsigned index, unsigned scale,
                        int32_t disp, unsigned tmp)
{
    unsigned from = base;
    if (index != A64_ZR) {
        a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, index, scale, base, EA));
        from = EA;
    }
    uint32_t m = disp < 0 ? (uint32_t)-(int64_t)disp : (uint32_t)disp;
    if (m == 0 && from == EA)
        return;
    if (m <= 0xfff || ((m & 0xfff) == 0 && m >> 12 <= 0xfff)) {
        bool hi = m > 0xfff;
        a64_put(c, a64_add_sub_imm(true, disp < 0, false, hi, hi ? m >> 12 : m, from, EA));
        return;
    }
    a64_emit_movi_inline(c, tmp, (uint64_t)(int64_t)disp);
    a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, tmp, 0, from, EA));
}

static void probe_byte(struct be_code *c, unsigned tmp)
{
    a64_put(c, a64_load_store_unsigned_imm(0, A64_LDR, 0, EA, tmp));
    a64_put(c, a64_load_store_unsigned_imm(0, A64_STR, 0, EA, tmp));
}

/* x30 = the address: if [x30, x30 + last] crosses a page, probe both
 * pages, lowest first. */
static void probe_if_crossing(struct be_code *c, unsigned last, unsigned tmp)
{
    unsigned page;
    if (!a64_bitmask_encode(~0xfffull, 64, &page))
        return;
    a64_put(c, a64_add_sub_imm(false, false, false, false, last, EA, tmp));
    a64_put(c, a64_logical_shifted_reg(false, A64_EOR, false, A64_LSL, EA, 0, tmp, tmp));
    uint8_t *over = c->ptr;
    a64_put(c, 0);
    probe_byte(c, tmp);
    a64_put(c, a64_add_sub_imm(true, false, false, false, last, EA, EA));
    a64_put(c, a64_logical_imm(true, A64_AND, page, EA, EA));
    probe_byte(c, tmp);
    uint32_t w = a64_test_branch_imm(false, 12, (int32_t)(c->ptr - over), tmp);
    __builtin_memcpy(be_writable(c, over), &w, 4);
}

void a64_store_cross_test(struct be_code *c, unsigned size_log2, unsigned base, unsigned index,
                          unsigned scale, int32_t disp, unsigned tmp)
{
    if (!be_store_cross_check || size_log2 == 0 || size_log2 > 3)
        return;
    unsigned size = 1u << size_log2;
    bool kept = (disp & (int32_t)(size - 1)) == 0 && (index == A64_ZR || scale >= size_log2);
    unsigned reg = kept ? base : EA;
    if (!kept)
        put_address(c, base, index, scale, disp, tmp);
    if (size > 2) {
        unsigned mask;
        if (!a64_bitmask_encode(size - 1, 32, &mask))
            return;
        a64_put(c, a64_logical_imm(false, A64_AND, mask, reg, tmp));
    }
    uint8_t *filter = c->ptr;
    a64_put(c, 0);
    if (kept)
        put_address(c, base, index, scale, disp, tmp);
    probe_if_crossing(c, size - 1, tmp);
    int32_t off = (int32_t)(c->ptr - filter);
    uint32_t w = size == 2 ? a64_test_branch_imm(false, 0, off, reg)
                           : a64_compare_branch_imm(false, false, off, tmp);
    __builtin_memcpy(be_writable(c, filter), &w, 4);
}

/* A constant address's store crosses a page or not, known here. */
bool a64_store_const_crosses(unsigned size_log2, uint64_t addr)
{
    return ((addr & 0xfff) + (1u << size_log2) - 1) > 0xfff;
}
