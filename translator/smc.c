/* smc.c -- self-modifying code.  Guest code on pages the guest can write
 * (JITs, RWX mappings) may change without any syscall telling us.  Blocks
 * translated from such pages (the guest-memory interface says which are)
 * keep a copy of their guest bytes (outside the code cache) and start
 * with a check that compares them; on a mismatch the check returns to
 * the run loop, which drops the blocks of that page whose bytes changed
 * (tc_pages.c, smc_changed/smc_moved) and translates the block again.
 *
 * A store into the block that is running (into an instruction after it,
 * as a CPU sees at once) is caught by a second check after every guest
 * instruction of such a block that may store (st, atomics, helper calls):
 * when the rest of the block's bytes changed, the block leaves at the next
 * instruction (TR_EXIT_STALE with that pc), which is translated anew.
 *
 * A software MMU may version its pages (guest_mem.h code_version, e.g.
 * ferry-system's write tracking): then a check whose pages kept the
 * versions they had when the bytes last compared equal compares nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr_internal.h"

/* Whether the guest bytes at pc still equal copy, compared page by page:
 * under a software MMU a page's host bytes are not followed by the next
 * guest page's (a block that crossed into a page that is mapped elsewhere
 * now would otherwise be compared with the wrong host page). */
static bool guest_bytes_equal(void *env, uint64_t pc, const uint8_t *copy, size_t n)
{
    while (n) {
        size_t chunk = TR_GUEST_PAGE - (size_t)(pc & (TR_GUEST_PAGE - 1));
        if (chunk > n)
            chunk = n;
        if (memcmp(tr_guest_ptr(env, pc), copy, chunk))
            return false;
        pc += chunk, copy += chunk, n -= chunk;
    }
    return true;
}

/* Under a software MMU that versions its pages (guest_mem.h code_version):
 * the versions of the first and last page of [pc, pc+n), both 0 when there
 * are none or the range spans more than two pages. */
static void code_versions(const void *env, uint64_t pc, size_t n, bool track, uint64_t v[2])
{
    const struct tr_guest_mem *m = ((const struct tr_runtime *)env)->mem;
    uint64_t last = pc + (n ? n - 1 : 0);
    v[0] = v[1] = 0;
    if (!m || !m->code_version || last / TR_GUEST_PAGE - pc / TR_GUEST_PAGE > 1)
        return;
    v[0] = m->code_version(m, pc, track);
    v[1] = last / TR_GUEST_PAGE == pc / TR_GUEST_PAGE ? v[0] : m->code_version(m, last, track);
    if (!v[0] || !v[1])
        v[0] = v[1] = 0;
}

/* The block's pages have the versions they had when its bytes last
 * compared equal: nobody wrote them since and pc maps to the same pages. */
static bool versions_hold(const void *env, struct tr_block *tb)
{
    uint64_t v[2], want0 = __atomic_load_n(&tb->smc->code_ver[0], __ATOMIC_RELAXED);
    if (!want0)
        return false;
    code_versions(env, tb->guest_pc, tb->guest_size, false, v);
    return v[0] == want0 && v[1] == __atomic_load_n(&tb->smc->code_ver[1], __ATOMIC_RELAXED);
}

/* The versions are taken (and the pages tracked) before the bytes are read:
 * a write after that changes them. */
static void keep_versions(struct tr_block *tb, const uint64_t v[2])
{
    __atomic_store_n(&tb->smc->code_ver[0], v[0], __ATOMIC_RELAXED);
    __atomic_store_n(&tb->smc->code_ver[1], v[1], __ATOMIC_RELAXED);
}

/* The env's code epoch (0: none), and whether the block was checked in it. */
static bool epoch_holds(void *env, const struct tr_block *tb, uint64_t *epoch)
{
    const struct tr_guest_mem *m = ((const struct tr_runtime *)env)->mem;
    *epoch = m && m->code_epoch ? m->code_epoch(m, env) : 0;
    return *epoch && __atomic_load_n(&tb->smc->ok[*epoch & 3], __ATOMIC_RELAXED) == *epoch;
}

/* epoch_holds without a call, from the words guest_mem.h code_writes
 * names (the common case on every block entry). */
static bool epoch_holds_fast(const void *env, const struct tr_block *tb)
{
    const struct tr_guest_mem *m = ((const struct tr_runtime *)env)->mem;
    if (!m || !m->code_writes)
        return false;
    uint64_t epoch, seen;
    memcpy(&epoch, (const char *)env + m->epoch_off, 8);
    memcpy(&seen, (const char *)env + m->seen_writes_off, 8);
    return epoch && __atomic_load_n(m->code_writes, __ATOMIC_ACQUIRE) == seen &&
           __atomic_load_n(&tb->smc->ok[epoch & 3], __ATOMIC_RELAXED) == epoch;
}

/* Whether tb's guest bytes are still the translated ones; when its pages
 * are tracked, the vCPU's epoch is noted as checked (*noted). */
static bool block_holds(void *env, struct tr_block *tb, bool *noted)
{
    uint64_t v[2], epoch;
    *noted = true;
    if (epoch_holds_fast(env, tb) || epoch_holds(env, tb, &epoch))
        return true;
    if (!versions_hold(env, tb)) {
        code_versions(env, tb->guest_pc, tb->guest_size, true, v);
        if (!guest_bytes_equal(env, tb->guest_pc, tb->smc->bytes, tb->guest_size))
            return false;
        keep_versions(tb, v);
    }
    /* Only blocks whose pages are tracked (versions not 0) can trust an epoch. */
    *noted = epoch && __atomic_load_n(&tb->smc->code_ver[0], __ATOMIC_RELAXED);
    if (*noted)
        __atomic_store_n(&tb->smc->ok[epoch & 3], epoch, __ATOMIC_RELAXED);
    return true;
}

static uint64_t smc_check(void *env, uint64_t tb_addr)
{
    struct tr_block *tb = (struct tr_block *)(uintptr_t)tb_addr;
    bool noted;
    /* Entered through a jump made under another mapping: not stale, just
     * not the code at this pc now -- the dispatcher finds that. */
    if (!smc_same_place(((struct tr_runtime *)env)->mem, tb))
        tr_raise(env, TR_EXIT_INDIRECT, tb->guest_pc);
    if (!block_holds(env, tb, &noted))
        tr_raise(env, TR_EXIT_STALE, tb->guest_pc);
    /* Its page is tracked again (accel_tcg_codewatch.c gives up on a page
     * while it is written often, as Linux does patching its text at boot):
     * made again with the inline check (smc_moved), instead of this call
     * on every entry of what may be a hot loop. */
    if (noted)
        tr_raise(env, TR_EXIT_STALE, tb->guest_pc);
    return 0;
}

bool smc_entry_ok(void *env, struct tr_block *tb)
{
    bool noted;
    if (!tb->smc || !tb->smc->inline_entry)
        return true;
    /* A page no longer tracked (written too often) can never note the
     * epoch its inline check wants: such a block is made again, with the
     * helper call (smc_guard_block). */
    return block_holds(env, tb, &noted) && noted;
}

static const struct ir_helper smc_helper = {
    .fn = (void *)smc_check, .name = "smc_check", .n_args = 1,
    .flags = IR_HELPER_RW_GLOBALS,
};

static void emit_rest_inline(struct ir_block *b, struct tr_block *tb, uint64_t next_pc,
                             const struct tr_guest_mem *m);
static bool tracked_now(const struct ir_block *b, const struct tr_guest_mem *m);
enum { REST_INSNS = 9, REST_VALUES = 12 };

/* Where guest addresses are host addresses and code is known by its pc
 * (user mode): the checks can read the guest bytes and the stores'
 * addresses in translated code, with no call. */
static bool host_checks(const struct tr_guest_mem *m)
{
    return m->mode == TR_MEM_HOST && !m->code_phys && !m->soft;
}

enum { ENTRY_INLINE_MAX = 128 };        /* bytes compared inline at a block's entry */

/* The loads that cover [0, n): 8 bytes at a time, the last one ending at
 * n (overlapping the one before), shorter ones for a block under 8 bytes.
 * Returns how many; offsets in off[], the memop in *mo. */
static int entry_pieces(uint32_t n, uint32_t off[ENTRY_INLINE_MAX / 8 + 1], unsigned *mo)
{
    uint32_t w = n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
    int k = 0;
    *mo = w == 8 ? IR_MO_64 : w == 4 ? IR_MO_32 : w == 2 ? IR_MO_16 : IR_MO_8;
    for (uint32_t o = 0; o + w < n; o += w)
        off[k++] = o;
    off[k++] = n - w;
    return k;
}


/* The entry check as inline compares of the guest bytes with the copy
 * (tb->smc->bytes, filled before the block first runs): a difference
 * leaves for the block's own pc as stale.  The guest pc and the copy are
 * each one base register (ir_opt keeps a wide constant in the temp it is
 * moved to), the pieces displacements from them: 4 host insns per piece,
 * where each address as a 64-bit constant of its own took 6.  A compare
 * per piece, not the differences or'ed into one exit: on the x86-64 host
 * that would need a fifth free register at block entry, and spills.  IR
 * insns and values: ENTRY_LEN / ENTRY_VALUES. */
#define ENTRY_LEN(pieces) (3 * (pieces) + 2)
#define ENTRY_VALUES(pieces) (4 * (pieces) + 4)
static void emit_entry_compare(struct ir_block *b, struct tr_block *tb, const uint32_t *off,
                               int pieces, unsigned mo)
{
    ir_ref guest = ir_temp(b), copy = ir_temp(b);
    ir_mov(b, guest, ir_const(b, b->guest_pc));
    ir_mov(b, copy, ir_const(b, (uint64_t)(uintptr_t)tb->smc->bytes));
    for (int k = 0; k < pieces; k++) {
        ir_ref now = ir_temp(b), was = ir_temp(b);
        ir_emit(b, IR_ld, (int)mo, now, guest, IR_NONE)->aux[0] = off[k];
        ir_emit(b, IR_ld, (int)(mo | IR_MO_HOST), was, copy, IR_NONE)->aux[0] = off[k];
        ir_brexit(b, IR_NE, 64, now, was, b->guest_pc, TR_EXIT_STALE);
    }
}

/* Puts the check in front of the block's IR: for a block on tracked
 * pages the inline test of emit_rest_inline, leaving for the block's own
 * pc when the epoch does not hold -- the dispatcher then checks in C
 * (smc_entry_ok, which notes the epoch) and enters it again; in user mode
 * inline compares of the bytes (emit_entry_compare); otherwise a call of
 * smc_check, which compares versions or bytes on every entry. */
void smc_guard_block(struct ir_block *b, struct tr_block *tb, const struct tr_guest_mem *m)
{
    bool inline_check = tracked_now(b, m);
    uint32_t off[ENTRY_INLINE_MAX / 8 + 1];
    unsigned mo = IR_MO_64;
    int pieces = 0;
    if (!inline_check && host_checks(m) && b->guest_size && b->guest_size <= ENTRY_INLINE_MAX)
        pieces = entry_pieces(b->guest_size, off, &mo);
    int len = inline_check ? REST_INSNS : pieces ? ENTRY_LEN(pieces) : 1;
    int values = inline_check ? REST_VALUES : pieces ? ENTRY_VALUES(pieces) : 1;
    if (b->n_insns + len > IR_MAX_INSNS - 2 || b->n_values + values > IR_MAX_VALUES) {
        len = values = 1;                    /* no room inline: the call */
        inline_check = false, pieces = 0;
        if (b->n_insns + len > IR_MAX_INSNS || b->n_values + values > IR_MAX_VALUES)
            return;
    }
    memmove(&b->insns[len], &b->insns[0], sizeof(b->insns[0]) * (size_t)b->n_insns);
    int n = b->n_insns;
    b->n_insns = 0;
    tb->smc->inline_entry = inline_check;
    tb->smc->entry_checked = true;
    if (inline_check) {
        emit_rest_inline(b, tb, b->guest_pc, m);
    } else if (pieces) {
        emit_entry_compare(b, tb, off, pieces, mo);
    } else {
        ir_ref arg = ir_const(b, (uint64_t)(uintptr_t)tb);
        ir_call(b, &smc_helper, IR_NONE, &arg);
    }
    b->n_insns = n + len;
}

/* The block's bytes from pc on are no longer the translated ones: leave
 * before running them (the globals are in env: the helper syncs them). */
static uint64_t smc_check_rest(void *env, uint64_t tb_addr, uint64_t pc)
{
    struct tr_block *tb = (struct tr_block *)(uintptr_t)tb_addr;
    uint64_t off = pc - tb->guest_pc, epoch;
    if (off < tb->guest_size && !smc_same_place(((struct tr_runtime *)env)->mem, tb))
        tr_raise(env, TR_EXIT_INDIRECT, pc);   /* remapped under it: find what is at pc */
    if (off < tb->guest_size && !epoch_holds(env, tb, &epoch) && !versions_hold(env, tb) &&
        !guest_bytes_equal(env, pc, tb->smc->bytes + off, tb->guest_size - off))
        tr_raise(env, TR_EXIT_STALE, pc);
    return 0;
}

static const struct ir_helper smc_rest_helper = {
    .fn = (void *)smc_check_rest, .name = "smc_check_rest", .n_args = 2,
    .flags = IR_HELPER_RW_GLOBALS,
};

/* Under a software MMU every guest load is a call of its ld or vld
 * helper (softmmu.c), which stores nothing: no check after those. */
static bool is_load_call(const struct ir_insn *i, const struct tr_guest_mem *m)
{
    const struct ir_helper *h = (const struct ir_helper *)(intptr_t)i->aux[0];
    return m->soft && (h == m->soft->ld || h == m->soft->vld);
}

static bool may_store(const struct ir_insn *i, const struct tr_guest_mem *m)
{
    if (i->op == IR_call)
        return !is_load_call(i, m) &&
               !(((const struct ir_helper *)(intptr_t)i->aux[0])->flags & IR_HELPER_NO_STORE);
    return (i->op == IR_st && !(i->size & IR_MO_HOST)) || i->op == IR_vst || i->op == IR_atomic_rmw ||
           i->op == IR_atomic_cas;
}

/* The check as a helper call (it compares the bytes when it must). */
static void emit_rest_call(struct ir_block *b, struct tr_block *tb, uint64_t next_pc)
{
    ir_ref args[2] = { ir_const(b, (uint64_t)(uintptr_t)tb), ir_const(b, next_pc) };
    ir_call(b, &smc_rest_helper, IR_NONE, args);
}

/* The check inline, for a block on tracked pages (guest_mem.h
 * code_writes): unless no tracked page was written since this vCPU's
 * epoch was taken and the block was checked in that epoch, leave for
 * the next instruction's block, whose entry check decides.  Nothing is
 * synced but what any exit syncs. */
static void emit_rest_inline(struct ir_block *b, struct tr_block *tb, uint64_t next_pc,
                             const struct tr_guest_mem *m)
{
    ir_ref epoch = ir_temp(b), low = ir_temp(b), off = ir_temp(b), slot = ir_temp(b);
    ir_ref ok = ir_temp(b), w = ir_temp(b), seen = ir_temp(b);
    ir_ld_env(b, IR_MO_64, epoch, m->epoch_off);
    ir_binop(b, IR_and, 64, low, epoch, ir_const(b, 3));
    ir_binop(b, IR_shl, 64, off, low, ir_const(b, 3));
    ir_binop(b, IR_add, 64, slot, off, ir_const(b, (uint64_t)(uintptr_t)tb->smc->ok));
    ir_ld(b, IR_MO_64 | IR_MO_HOST, ok, slot);
    ir_brexit(b, IR_NE, 64, ok, epoch, next_pc, TR_EXIT_INDIRECT);
    ir_ld(b, IR_MO_64 | IR_MO_HOST, w, ir_const(b, (uint64_t)(uintptr_t)m->code_writes));
    ir_ld_env(b, IR_MO_64, seen, m->seen_writes_off);
    ir_brexit(b, IR_NE, 64, w, seen, next_pc, TR_EXIT_INDIRECT);
}

/* The check, inserted at insns[at] (an insn_start: its pc is next). */
static void insert_rest_check(struct ir_block *b, struct tr_block *tb, int at,
                              const struct tr_guest_mem *m, bool inline_check)
{
    int n = b->n_insns, len = inline_check ? REST_INSNS : 1;
    memmove(&b->insns[at + len], &b->insns[at], sizeof(b->insns[0]) * (size_t)(n - at));
    uint64_t next_pc = (uint64_t)b->insns[at + len].aux[0];
    b->n_insns = at;
    if (inline_check)
        emit_rest_inline(b, tb, next_pc, m);
    else
        emit_rest_call(b, tb, next_pc);
    b->n_insns = n + len;
}

/* Whether the block's pages are tracked now (their versions are not 0),
 * so that the inline check can trust the code epochs. */
static bool tracked_now(const struct ir_block *b, const struct tr_guest_mem *m)
{
    uint64_t last = b->guest_pc + (b->guest_size ? b->guest_size - 1 : 0);
    return m->code_writes && m->code_version && m->code_epoch &&
           m->code_version(m, b->guest_pc, false) && m->code_version(m, last, false);
}

/* A store whose address an inline range test can follow: its address
 * value, displacement and width (calls and the like: false). */
static bool store_range(const struct ir_insn *i, ir_ref *addr, int64_t *disp, uint32_t *width)
{
    *disp = 0;
    switch (i->op) {
    case IR_st:
        *addr = i->args[0], *disp = i->aux[0], *width = (uint32_t)ir_memop_bytes(i->size);
        return !(i->size & IR_MO_HOST);
    case IR_vst:
        *addr = i->args[0], *width = ir_vec_imm(i) ? ir_vec_imm(i) : 32;
        return true;
    case IR_atomic_rmw: case IR_atomic_cas:
        *addr = i->args[1], *width = (uint32_t)ir_memop_bytes(i->size);
        return true;
    default:
        return false;
    }
}

enum { RANGE_STORES_MAX = 4 };          /* stores of one instruction tested inline */

/* Whether the stores of insns [from, to) can all be range-tested. */
static bool stores_ranged(const struct ir_block *b, int from, int to, const struct tr_guest_mem *m)
{
    int n = 0;
    for (int k = from; k < to; k++) {
        ir_ref a;
        int64_t d;
        uint32_t w;
        if (!may_store(&b->insns[k], m))
            continue;
        if (!store_range(&b->insns[k], &a, &d, &w) || ++n > RANGE_STORES_MAX)
            return false;
    }
    return true;
}

/* Inserts `len` insns at insns[at], emitted by the caller (n_insns set
 * to `at` meanwhile); returns the old count plus len. */
static int open_gap(struct ir_block *b, int at, int len)
{
    int n = b->n_insns;
    memmove(&b->insns[at + len], &b->insns[at], sizeof(b->insns[0]) * (size_t)(n - at));
    b->n_insns = at;
    return n + len;
}

/* The rest check in user mode, by address: after the store at insns[k]
 * (an instruction ending before next_pc), dist = its address - the lowest
 * one whose bytes reach next_pc; at the instruction's end (insns[*end]),
 * leave as stale at next_pc when dist < the bytes that reach the rest of
 * the block [next_pc, block end).  A store of this thread into the bytes
 * still to run is what the CPU sees at once (other threads' stores need a
 * serialising instruction; a store through another mapping of the same
 * page is the entry checks' to find).  Returns the insns added. */
static int range_test_store(struct ir_block *b, int k, int *end, uint64_t next_pc)
{
    ir_ref a, dist = ir_temp(b);
    int64_t disp;
    uint32_t w;
    store_range(&b->insns[k], &a, &disp, &w);
    uint64_t lo = next_pc - (w - 1) - (uint64_t)disp;
    uint64_t reach = b->guest_pc + b->guest_size - next_pc + (w - 1);
    int n = open_gap(b, k + 1, 1);
    ir_binop(b, IR_add, 64, dist, a, ir_const(b, (uint64_t)0 - lo));
    b->n_insns = n, ++*end;
    n = open_gap(b, *end, 1);
    ir_brexit(b, IR_LTU, 64, dist, ir_const(b, reach), next_pc, TR_EXIT_STALE);
    b->n_insns = n, ++*end;
    return 2;
}

/* Range tests for the stores of insns [from, *end), *end the next
 * instruction's insn_start (moved on past what is added). */
static void range_test_insn(struct ir_block *b, int from, int *end, const struct tr_guest_mem *m)
{
    uint64_t next_pc = (uint64_t)b->insns[*end].aux[0];
    for (int k = from; k < *end; k++)
        if (may_store(&b->insns[k], m))
            k += range_test_store(b, k, end, next_pc) - 1;
}

/* After each instruction that may store, unless it ends the block. */
void smc_guard_stores(struct ir_block *b, struct tr_block *tb, const struct tr_guest_mem *m)
{
    bool stored = false, inline_check = tracked_now(b, m), ranged = host_checks(m);
    int len = inline_check ? REST_INSNS : 1, values = inline_check ? REST_VALUES : 2, from = 0;
    for (int k = 0; k < b->n_insns; k++) {
        if (b->insns[k].op != IR_insn_start) {
            stored |= may_store(&b->insns[k], m);
            continue;
        }
        if (stored && !inline_check && ranged && stores_ranged(b, from, k, m) &&
            b->n_insns + 2 * RANGE_STORES_MAX <= IR_MAX_INSNS - 2 &&
            b->n_values + 4 * RANGE_STORES_MAX <= IR_MAX_VALUES) {
            range_test_insn(b, from, &k, m);
        } else if (stored) {
            if (b->n_insns + len > IR_MAX_INSNS || b->n_values + values > IR_MAX_VALUES)
                return;
            insert_rest_check(b, tb, k, m, inline_check);
            k += len;
        }
        stored = false;
        from = k + 1;
    }
}

/* Before the checks go into the block's IR: the inline one points into
 * tb->smc.  Zeroed: the first entry compares the bytes. */
void smc_prepare(struct tr_block *tb, uint32_t guest_size)
{
    free(tb->smc);
    tb->smc = calloc(1, sizeof(*tb->smc) + (guest_size ? guest_size : 1));
    if (!tb->smc) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
}

/* Where the block's code lives now (guest_mem.h code_phys): its first
 * byte and, when it crosses a page, its last page. */
static void code_place(const struct tr_guest_mem *m, const struct tr_block *tb, uint64_t phys[2])
{
    uint64_t last = tb->guest_pc + (tb->guest_size ? tb->guest_size - 1 : 0);
    phys[0] = m->code_phys(m, tb->guest_pc);
    phys[1] = (last ^ tb->guest_pc) & ~(uint64_t)(TR_GUEST_PAGE - 1)
              ? m->code_phys(m, last & ~(uint64_t)(TR_GUEST_PAGE - 1)) : 0;
}

/* Whether tb's pc maps to the code it was translated from (always, where
 * code is known by its virtual pc). */
bool smc_same_place(const struct tr_guest_mem *m, const struct tr_block *tb)
{
    uint64_t phys[2];
    if (!m || !m->code_phys || !tb->smc)
        return true;
    code_place(m, tb, phys);
    return phys[0] == tb->smc->phys[0] && phys[1] == tb->smc->phys[1];
}

/* Whether tb must go after its check failed, read where its code lives
 * (guest_mem.h code_phys; any address space): its bytes there differ from
 * the translated ones, or it has no such place, or its inline entry check
 * can no longer be noted (its page stopped being tracked: smc_entry_ok),
 * or its call could now be inline (its page is tracked again: smc_check). */
bool smc_moved(const struct tr_guest_mem *m, const struct tr_block *tb)
{
    (void)m;
    const struct tr_smc *s = tb->smc;
    if (!s || !s->phys[0] || s->inline_entry != !!__atomic_load_n(&s->code_ver[0], __ATOMIC_RELAXED))
        return true;
    uint32_t first = TR_GUEST_PAGE - (uint32_t)(tb->guest_pc & (TR_GUEST_PAGE - 1));
    if (first >= tb->guest_size)
        return memcmp((const void *)(uintptr_t)s->phys[0], s->bytes, tb->guest_size) != 0;
    return !s->phys[1] || tb->guest_size - first > TR_GUEST_PAGE ||
           memcmp((const void *)(uintptr_t)s->phys[0], s->bytes, first) ||
           memcmp((const void *)(uintptr_t)s->phys[1], s->bytes + first, tb->guest_size - first);
}

/* Whether a stale block's page keeps the blocks whose bytes are unchanged
 * (smc_changed): where the checks read guest bytes at their pc (user
 * mode), every block of a writable page compares its own bytes on entry. */
bool smc_by_bytes(const struct tr_guest_mem *m)
{
    return host_checks(m);
}

/* Whether tb's guest bytes at its pc are no longer the translated ones,
 * or cannot be read there now, or it has no entry check that would find
 * a later change (a block from a page that was not writable, or one with
 * no room for the check): such blocks go. */
bool smc_changed(const struct tr_guest_mem *m, const struct tr_block *tb)
{
    const struct tr_smc *s = tb->smc;
    if (!s || !s->entry_checked || !tb->guest_size || m->fetchable(m, tb->guest_pc, tb->guest_size) < tb->guest_size)
        return true;
    return memcmp(tr_g2h(m, tb->guest_pc), s->bytes, tb->guest_size) != 0;
}

/* Whether tb was translated where some of its code had no place (a
 * fetch fault stands at its end). */
bool smc_unplaced(const struct tr_guest_mem *m, const struct tr_block *tb)
{
    (void)m;
    const struct tr_smc *s = tb->smc;
    uint64_t last = tb->guest_pc + (tb->guest_size ? tb->guest_size - 1 : 0);
    bool crosses = (last ^ tb->guest_pc) & ~(uint64_t)(TR_GUEST_PAGE - 1);
    return !s || !s->phys[0] || (crosses && !s->phys[1]) || !tb->guest_size;
}

/* The copy is what the frontend decoded when it kept that: the bytes may
 * have changed since (another thread patching them), and the check must
 * then fail rather than compare memory with a copy of newer bytes. */
void smc_keep_bytes(struct tr_engine *e, struct tr_block *tb, const uint8_t *decoded)
{
    if (e->cfg.mem->code_phys)
        code_place(e->cfg.mem, tb, tb->smc->phys);
    if (decoded) {
        memcpy(tb->smc->bytes, decoded, tb->guest_size);
        return;
    }
    for (uint32_t off = 0; off < tb->guest_size;) {      /* page by page, as compared */
        uint64_t pc = tb->guest_pc + off;
        uint32_t chunk = TR_GUEST_PAGE - (uint32_t)(pc & (TR_GUEST_PAGE - 1));
        if (chunk > tb->guest_size - off)
            chunk = tb->guest_size - off;
        memcpy(tb->smc->bytes + off, tr_g2h(e->cfg.mem, pc), chunk);
        off += chunk;
    }
}
