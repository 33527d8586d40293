/* a64_atomic.c -- the atomic IR ops on AArch64 (ARMv8.0: no LSE needed):
 * LDAXR/STLXR retry loops, then DMB ISH.
 *
 * The acquire/release exclusive pair makes the atomic itself sequentially
 * consistent with other atomics; the trailing barrier also orders the
 * guest's plain accesses around it, as an x86 locked instruction (a full
 * barrier) would -- code like "lock dec; then read a plain flag" relies on
 * that.  Plain loads and stores stay unordered otherwise (x86 TSO is not
 * emulated for them).
 *
 * A misaligned operand (x86 allows it: a split lock) would make the
 * exclusive load take an alignment fault, SIGBUS in the guest; it takes an
 * out-of-line path instead: the process's one split lock (a spin lock,
 * a64_split_lock), dmb ish, a write probe of the operand's two ends
 * (probe_ends), a plain load, compute and store, release.
 * All misaligned locked operations of the process take that lock, so they
 * are atomic against each other, whatever bytes they share.  Not against
 * an aligned locked operation (or a plain store) on overlapping bytes:
 * that one takes no lock, and AArch64 has no exclusive access across the
 * boundary to make the pair atomic (x86 code that mixes the two on the
 * same bytes is rare: Linux calls split locks a bug and can trap them).
 *
 * The lock word holds the holder's thread pointer (tpidr_el0).  Between
 * taking and releasing it only the guest load and store can trap: a host
 * fault there goes to be_fault_redirect, which releases the lock when this
 * thread holds it (a64_split_lock_fault) before the guest's SIGSEGV is
 * raised, so a guest handler that does a misaligned locked op (or
 * longjmps away) does not deadlock.  Asynchronous signals cannot run a
 * guest handler inside the section: ferry's host handler only records the
 * signal and sets exit_request, and the guest handler runs at a block
 * boundary (docs/architecture.md, Threads), after the release.
 *
 * Registers: x16 holds the old value, x17 the new one, w30 the store
 * status (LR is free inside translated code: the prologue saved it and
 * every helper call clobbers it anyway).  The output is written only after
 * the loop, so it may share a register with an input. */
#include "a64_emit.h"

enum { A64_STATUS = A64_LR };

static unsigned mo_size(const struct ir_insn *i) { return i->size & IR_MO_SIZE; }

/* The new value for `op` from old (x16) and val; returns its register. */
static unsigned compute_new(struct be_code *c, enum ir_atomic_op op, unsigned val)
{
    static const uint8_t logic[] = { [IR_ATOMIC_AND] = A64_AND, [IR_ATOMIC_OR] = A64_ORR,
                                     [IR_ATOMIC_XOR] = A64_EOR };
    switch (op) {
    case IR_ATOMIC_XCHG:
        return val;
    case IR_ATOMIC_ADD:
        a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, val, 0, A64_TMP0, A64_TMP1));
        return A64_TMP1;
    case IR_ATOMIC_RSUB:
        a64_put(c, a64_add_sub_shifted_reg(true, true, false, A64_LSL, A64_TMP0, 0, val, A64_TMP1));
        return A64_TMP1;
    default:
        a64_put(c, a64_logical_shifted_reg(true, (enum a64_logic_opc)logic[op], false, A64_LSL,
                                           val, 0, A64_TMP0, A64_TMP1));
        return A64_TMP1;
    }
}

static void patch_branch(struct be_code *c, uint8_t *br, uint32_t w)
{
    __builtin_memcpy(be_writable(c, br), &w, 4);
}

/* `and x17, addr, #(size - 1)` and a cbnz x17 to be patched (NULL for
 * bytes, which are always aligned).  Not tst: NZCV is left alone. */
static uint8_t *misaligned_branch(struct be_code *c, unsigned sz, unsigned addr)
{
    unsigned nis;
    if (sz == 0 || !a64_bitmask_encode((1u << sz) - 1, 64, &nis))
        return NULL;
    a64_put(c, a64_logical_imm(true, A64_AND, nis, addr, A64_TMP1));
    uint8_t *br = c->ptr;
    a64_put(c, a64_compare_branch_imm(true, true, 0, A64_TMP1));
    return br;
}

/* 0 when free, else the holder's tpidr_el0 (see the top). */
uint64_t a64_split_lock;

/* x17 = &a64_split_lock; L: ldaxr x16, [x17]; cbnz x16, L;
 * mrs x16, tpidr_el0; stxr w30, x16, [x17]; cbnz w30, L; mov x30, x17
 * (x30 keeps the lock's address for the release: x16 and x17 are the
 * old and new values from here on). */
static void split_lock_take(struct be_code *c)
{
    a64_emit_movi_addr(c, A64_TMP1, &a64_split_lock, BE_RELOC_HOST);
    const uint8_t *spin = c->ptr;
    a64_put(c, a64_load_store_exclusive(3, true, true, 0, A64_TMP1, A64_TMP0));
    a64_put(c, a64_compare_branch_imm(true, true, (int32_t)(spin - c->ptr), A64_TMP0));
    a64_put(c, a64_mrs_tpidr(A64_TMP0));
    a64_put(c, a64_load_store_exclusive(3, false, false, A64_STATUS, A64_TMP1, A64_TMP0));
    a64_put(c, a64_compare_branch_imm(false, true, (int32_t)(spin - c->ptr), A64_STATUS));
    a64_put(c, a64_mov(true, A64_STATUS, A64_TMP1));
}

/* A fault inside the section (this thread holds the lock) releases it. */
void a64_split_lock_fault(void)
{
    uint64_t self = (uint64_t)(uintptr_t)__builtin_thread_pointer();
    __atomic_compare_exchange_n(&a64_split_lock, &self, 0, false, __ATOMIC_RELEASE,
                                __ATOMIC_RELAXED);
}

/* x86 checks a locked operand for writing before it reads it: the first
 * byte that cannot be written is si_addr (a read-only first page faults
 * there, not where the load would cross into an unmapped one), and no byte
 * is written when the second page faults (a plain `str` crossing a page
 * may write its part below it on hardware).  So when the operand crosses
 * a page (bit 12 of (addr + last) ^ addr, as a64_vec.c's 16-byte stores;
 * tbz: NZCV stays), the slow path writes a byte of each page back to
 * itself, lowest first, before the load -- the operand's first byte and
 * the second page's first (under the split lock: only an aligned locked
 * op or a plain store from another thread, which the lock does not order
 * anyway, could fall between a probe's two halves). */
static void probe_byte(struct be_code *c, unsigned base)
{
    a64_put(c, a64_load_store_unsigned_imm(0, A64_LDR, 0, base, A64_TMP0));
    a64_put(c, a64_load_store_unsigned_imm(0, A64_STR, 0, base, A64_TMP0));
}

static void probe_ends(struct be_code *c, unsigned sz, unsigned addr)
{
    unsigned last = (1u << sz) - 1, mask;
    if (!a64_bitmask_encode(~0xfffull, 64, &mask))
        abort();
    a64_put(c, a64_add_sub_imm(false, false, false, false, last, addr, A64_TMP1));
    a64_put(c, a64_logical_shifted_reg(false, A64_EOR, false, A64_LSL, addr, 0, A64_TMP1, A64_TMP1));
    uint8_t *tbz = c->ptr;
    a64_put(c, 0);
    probe_byte(c, addr);
    a64_put(c, a64_add_sub_imm(true, false, false, false, last, addr, A64_TMP1));
    a64_put(c, a64_logical_imm(true, A64_AND, mask, A64_TMP1, A64_TMP1));
    probe_byte(c, A64_TMP1);
    patch_branch(c, tbz, a64_test_branch_imm(false, 12, (int32_t)(c->ptr - tbz), A64_TMP1));
}

/* After the exclusive loop: `b join`, the misaligned path's label for
 * `to_slow`, the split lock, dmb ish and a plain load of old (x16).
 * Returns the `b` to patch once the slow path's store is out (NULL
 * without a slow path). */
static uint8_t *slow_path_start(struct be_code *c, uint8_t *to_slow, unsigned sz, unsigned addr)
{
    if (!to_slow) return NULL;
    uint8_t *b_join = c->ptr;
    a64_put(c, a64_uncond_branch_imm(false, 0));
    patch_branch(c, to_slow, a64_compare_branch_imm(true, true, (int32_t)(c->ptr - to_slow), A64_TMP1));
    split_lock_take(c);
    a64_put(c, a64_dmb(A64_DMB_ISH));
    probe_ends(c, sz, addr);
    a64_put(c, a64_load_store_unsigned_imm(sz, A64_LDR, 0, addr, A64_TMP0));
    return b_join;
}

/* The slow path's store of x17-or-`nv`, the lock's release (stlr xzr,
 * [x30]), then the join (the dmb both take). */
static void slow_path_end(struct be_code *c, uint8_t *b_join, unsigned sz, unsigned addr,
                          unsigned nv)
{
    if (!b_join) return;
    a64_put(c, a64_load_store_unsigned_imm(sz, A64_STR, 0, addr, nv));
    a64_put(c, a64_stlr(3, A64_STATUS, A64_ZR));
    patch_branch(c, b_join, a64_uncond_branch_imm(false, (int32_t)(c->ptr - b_join)));
}

/* cbnz w30, back to `loop`; then (when there is a slow path) its code;
 * then the dmb ish both paths end with. */
void a64_emit_atomic_rmw(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    unsigned sz = mo_size(i), addr = a64_guest_addr(c, i->size, &in[0]), val = in[1].reg;
    enum ir_atomic_op op = (enum ir_atomic_op)i->aux[0];
    uint8_t *to_slow = misaligned_branch(c, sz, addr);
    const uint8_t *loop = c->ptr;
    a64_put(c, a64_load_store_exclusive(sz, true, true, 0, addr, A64_TMP0));
    unsigned nv = compute_new(c, op, val);
    a64_put(c, a64_load_store_exclusive(sz, false, true, A64_STATUS, addr, nv));
    a64_put(c, a64_compare_branch_imm(false, true, (int32_t)(loop - c->ptr), A64_STATUS));
    uint8_t *b_join = slow_path_start(c, to_slow, sz, addr);
    if (b_join) slow_path_end(c, b_join, sz, addr, compute_new(c, op, val));
    a64_put(c, a64_dmb(A64_DMB_ISH));
    be_emit_mov(c, out[0].reg, A64_TMP0);
}

/* Compares old (x16) with expected at the access size: narrow expected
 * values are zero-extended into x17 first (the exclusive load already
 * zero-extended old). */
static void compare_expected(struct be_code *c, unsigned sz, unsigned expected)
{
    if (sz < 2) {
        a64_put(c, a64_ubfx(false, A64_TMP1, expected, 0, 8u << sz));
        expected = A64_TMP1;
    }
    a64_put(c, a64_cmp(sz == 3, A64_TMP0, expected));
}

/* L: ldaxr x16,[a]; cmp x16,exp; csel x17,new,x16,eq; stlxr w30,x17,[a];
 * cbnz w30,L; dmb ish; out = x16.  A failed compare stores the old value
 * back, as x86's locked cmpxchg writes its destination either way (so a
 * read-only page faults whatever the values). */
void a64_emit_atomic_cas(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    unsigned sz = mo_size(i), addr = a64_guest_addr(c, i->size, &in[0]);
    uint8_t *to_slow = misaligned_branch(c, sz, addr);
    const uint8_t *loop = c->ptr;
    a64_put(c, a64_load_store_exclusive(sz, true, true, 0, addr, A64_TMP0));
    compare_expected(c, sz, in[1].reg);
    a64_put(c, a64_csel(true, A64_TMP1, in[2].reg, A64_TMP0, A64_EQ));
    a64_put(c, a64_load_store_exclusive(sz, false, true, A64_STATUS, addr, A64_TMP1));
    a64_put(c, a64_compare_branch_imm(false, true, (int32_t)(loop - c->ptr), A64_STATUS));
    uint8_t *b_join = slow_path_start(c, to_slow, sz, addr);
    if (b_join) {
        compare_expected(c, sz, in[1].reg);
        a64_put(c, a64_csel(true, A64_TMP1, in[2].reg, A64_TMP0, A64_EQ));
        slow_path_end(c, b_join, sz, addr, A64_TMP1);
    }
    a64_put(c, a64_dmb(A64_DMB_ISH));
    be_emit_mov(c, out[0].reg, A64_TMP0);
}

void a64_emit_fence(struct be_code *c, const struct ir_insn *i,
                    const struct be_arg *out, const struct be_arg *in)
{
    a64_put(c, a64_dmb(A64_DMB_ISH));
}
