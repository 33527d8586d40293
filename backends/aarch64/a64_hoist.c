/* a64_hoist.c -- loop-invariant constants of a self-chained block, built
 * once before its loop entry instead of on every pass.
 *
 * A block that jumps back to its own start (sieve's `cmp rax, 0x30d40;
 * jle`, a hash loop's `imul ecx, ecx, 0x1000193`) rebuilds the constants
 * the allocator put in registers on every pass: two of sieve's eight
 * instructions.  The first emission of such a block only watches (every
 * write to an allocatable register: the allocator's movi/mov/ld_env, op
 * outputs, calls); a register whose every write is `movi R, C` with one C
 * holds C wherever the block is after its first write.  Then
 * be_emit_again asks for a second emission of the same IR (the allocator
 * makes the same choices), which builds those constants first, then
 * starts the loop proper at the exit-request load (the loop entry) and
 * leaves every `movi R, C` out.  Constants other code builds on the loop's
 * path (an op's operand through a64_src, a two-word movi into a register
 * that holds other values too) go, most words saved first, into
 * allocatable registers the block never writes: a64_src then names that
 * register, the movi becomes one `mov`.  Entries from outside (dispatcher, other
 * blocks, jump cache) run the preamble; the block's own chain slot is
 * patched to the loop entry (a64_hoist_chain_target), which two words
 * behind that slot's `b` (never executed) let be_patch_jump find:
 *     movz w18, #<slot's b offset / 4>, lsl #16
 *     movz x18, #<loop entry / 4>, lsl #32
 * (after the brcond marker `movz w18, #k` when there is one).
 * Blocks with calls, atomics or a software MMU are left alone (their code
 * may clobber registers the allocator does not name).  Vector ops are not:
 * they write general registers only as outputs or in x16/x17, and their
 * slow-path stub keeps x0-x15, x18 and v16-v31.  Their float checks'
 * all-ones vector (a64_vec.c ones(), a register of the env-slot cache) is
 * built before the loop entry too when the first emission's first one
 * stays in its register (no cache pick of it) up to every jump back to
 * the loop; the cache then starts with it behind the exit-request test.
 * So is the env slot of the first vector operand the loop loads into a
 * cache register (matmul's xmm1, `aik`, which the loop only reads) when
 * that register still holds the slot's current value at every jump back
 * to the loop: no cache pick of it since (the only writes to v16-v31
 * besides C calls), and no write to the slot except into that register
 * (vcache_watch: vector results, st_env, the slow path's helper);
 * host-address stores, which may aim at env unseen, end it.  The
 * preamble loads it, the cache starts with it too, and the loop's first
 * use finds it there.  Env stays current (write-through), so faults and
 * exits inside the loop need nothing.  The float checks' denormal test
 * of that slot (a64_vec.c inv_test: the low half of another cache
 * register, which ops then complete with their other operand's test)
 * goes before the loop entry as well, when its register too stays
 * unpicked up to every jump back to the loop, and is of one element type.
 * A 16-byte guest store at [xn + xm] or [xn] of callee-saved pinned
 * registers that the block writes only by `add/sub r, r, #16k` gets a
 * flag: the preamble puts the entry address's low four bits in a free
 * register, and the store skips its page-cross test where that is zero
 * (a64_hoist_align, a64_vec.c aligned_loop_store).
 * If the second emission ever differs from the first in what it writes
 * (a hoisted register, the all-ones register or the slot's register lost
 * before such a jump), a third emits the block plainly.
 */
#include "a64_emit.h"
#include "a64_encode_simd.h"
#include "a64_vec.h"

enum { CANDS_MAX = 8 };
enum hoist_state { HOIST_IDLE, HOIST_OBSERVE, HOIST_ARMED, HOIST_RUNNING, HOIST_PLAIN };

static __thread struct {
    enum hoist_state state;
    const uint8_t *block;               /* c->start of the block it is about */
    uint64_t pc;                        /* the block's guest pc */
    bool self_loop;                     /* a direct exit to pc */
    bool mismatch;                      /* second emission wrote a hoisted register */
    uint32_t movi_seen, written, hoisted;
    int n_cands;                        /* constants other code builds, by value */
    struct { uint64_t value; unsigned saved, pending; } cand[CANDS_MAX];
    uint32_t in_loop, pending;          /* movi_seen before the last own exit, after it */
    uint32_t entry;                     /* loop entry: bytes from the block's start */
    uint64_t value[32];
    bool cold;                          /* a vector op's slow path is being emitted */
    int vones;                          /* the float checks' all-ones register, or -1 */
    bool vones_ok, vones_in_loop;       /* held at every own exit; built before one */
    bool vones_live;                    /* it holds all ones here (see vones_fold) */
    bool vones_due;                     /* RUNNING: the cache starts with it at the next op */
    int vslot;                          /* the loop-invariant slot's register, or -1 */
    int32_t vslot_off;
    bool vslot_ok, vslot_in_loop, vslot_live;   /* as for vones */
    int vtest;                          /* the register of vslot's float test, or -1 */
    bool vtest_dbl;                     /* ... of double lanes */
    bool vtest_ok, vtest_in_loop, vtest_live;   /* as for vones */
    uint32_t moved;                     /* registers written but by `add/sub r, r, #16k` */
    int align_n, align_m;               /* a 16-byte store's [xn, xm] (m 31: [xn]), or -1 */
    int align_flag;                     /* the register of their sum's alignment, or -1 */
} hoist;

static bool is_alloc(int reg)
{
    return reg >= 0 && reg < 32 && (be_host.alloc_mask >> reg & 1);
}

/* Whether there is state for the block being emitted; a block's first
 * words end any older state (glue before an op: give up). */
static bool current(const struct be_code *c)
{
    if (c->ptr == c->start && hoist.state != HOIST_PLAIN)    /* armed: plainly, then */
        hoist.state = hoist.state == HOIST_ARMED && hoist.block == c->start ? HOIST_PLAIN
                                                                             : HOIST_IDLE;
    return hoist.block == c->start &&
           (hoist.state == HOIST_OBSERVE || hoist.state == HOIST_RUNNING);
}

/* wf = (xn + xm) & 15 as the loop is entered (a64_hoist_align). */
static void emit_align_flag(struct be_code *c)
{
    unsigned f = (unsigned)hoist.align_flag, n = (unsigned)hoist.align_n, mask;
    if (!a64_bitmask_encode(15, 32, &mask))
        abort();
    if (hoist.align_m != A64_ZR) {
        a64_put(c, a64_add_sub_shifted_reg(false, false, false, A64_LSL, (unsigned)hoist.align_m,
                                           0, n, f));
        n = f;
    }
    a64_put(c, a64_logical_imm(false, A64_AND, mask, n, f));
}

static void emit_preamble(struct be_code *c)
{
    if (hoist.align_flag >= 0)
        emit_align_flag(c);
    if (hoist.vones >= 0)
        a64_put(c, a64_simd_movi2d_ones((unsigned)hoist.vones));
    if (hoist.vslot >= 0)
        a64_vec_slot_load(c, hoist.vslot, hoist.vslot_off);
    if (hoist.vtest >= 0)
        a64_vec_test_build(c, hoist.vtest, hoist.vslot, hoist.vones, hoist.vtest_dbl);
    for (uint32_t m = hoist.hoisted; m; m &= m - 1) {
        int r = __builtin_ctz(m);
        if (!a64_literal_load(c, (unsigned)r, hoist.value[r]))
            a64_emit_movi_inline(c, r, hoist.value[r]);
    }
}

/* A store to a host address (it may aim at env's vector slots). */
static bool is_host_store(const struct ir_insn *insn)
{
    return (insn->op == IR_st || insn->op == IR_stx) && (insn->size & IR_MO_HOST);
}

static bool unsafe_op(const struct be_code *c, const struct ir_insn *insn)
{
    return (ir_op_info[insn->op].flags & IR_F_CALL) ||
           insn->op == IR_atomic_rmw || insn->op == IR_atomic_cas ||
           !c->mem || c->mem->mode != TR_MEM_HOST;
}

/* Whether the all-ones register still holds it: nothing but the vector
 * cache's picks writes v16-v31 (C calls end hoisting; the vector ops'
 * slow-path stub keeps them), so a pick of it since it got the value ends
 * that. */
static void vones_fold(void)
{
    uint32_t picked = vcache_take_picked();
    if (hoist.vones >= 0 && picked >> (hoist.vones - A64_VC_FIRST) & 1)
        hoist.vones_live = false;
    if (hoist.vslot >= 0 && (picked >> (hoist.vslot - A64_VC_FIRST) & 1 || vcache_watch_hit()))
        hoist.vslot_live = false;
    if (hoist.vtest >= 0 && picked >> (hoist.vtest - A64_VC_FIRST) & 1)
        hoist.vtest_live = false;
}

/* At a jump back to the loop entry: the test's register must hold it. */
static void own_exit_vtest(void)
{
    if (hoist.vtest < 0)
        return;
    vones_fold();
    bool held = hoist.vtest_live && hoist.vslot_live;
    if (hoist.state == HOIST_RUNNING) {
        hoist.mismatch |= !held;
        return;
    }
    hoist.vtest_ok &= held;
    hoist.vtest_in_loop = true;
}

/* At a jump back to the loop entry: the slot's register must hold it. */
static void own_exit_vslot(void)
{
    if (hoist.vslot < 0)
        return;
    vones_fold();
    if (hoist.state == HOIST_RUNNING) {
        hoist.mismatch |= !hoist.vslot_live;
        return;
    }
    hoist.vslot_ok &= hoist.vslot_live;
    hoist.vslot_in_loop = true;
}

/* At a jump back to the loop entry: the all-ones register must hold it. */
static void own_exit_vones(struct be_code *c)
{
    if (hoist.vones < 0)
        return;
    vones_fold();
    bool held = hoist.vones_live;
    if (hoist.state == HOIST_RUNNING) {
        hoist.mismatch |= !held;
        return;
    }
    hoist.vones_ok &= held;
    hoist.vones_in_loop = true;
}

/* Before each op: a block's first op starts watching (an exit-request
 * test: the block may loop) or, on the second emission, builds the
 * constants before it; later ops are checked for what is not watched. */
void a64_hoist_op(struct be_code *c, const struct ir_insn *insn)
{
    if (c->ptr == c->start) {
        bool first = insn->op == IR_exit_request && !(insn->aux[1] & IR_REQUEST_NO_LOOP);
        if (first && hoist.state == HOIST_ARMED && hoist.block == c->start &&
            (uint64_t)insn->aux[0] == hoist.pc) {
            emit_preamble(c);
            hoist.entry = (uint32_t)(c->ptr - c->start);
            hoist.state = HOIST_RUNNING;
            hoist.vones_due = hoist.vones >= 0 || hoist.vslot >= 0;
            hoist.vtest_live = hoist.vtest >= 0;
            return;
        }
        if (hoist.state == HOIST_PLAIN && hoist.block == c->start)
            return;
        hoist.state = first ? HOIST_OBSERVE : HOIST_IDLE;
        hoist.block = c->start;
        hoist.pc = (uint64_t)insn->aux[0];
        hoist.self_loop = hoist.mismatch = false;
        hoist.movi_seen = hoist.written = hoist.hoisted = 0;
        hoist.n_cands = 0;
        hoist.in_loop = hoist.pending = 0;
        hoist.vones = -1;
        hoist.vones_ok = true;
        hoist.vones_in_loop = hoist.vones_due = false;
        hoist.vslot = -1;
        hoist.vslot_ok = true;
        hoist.vslot_in_loop = false;
        hoist.vtest = -1;
        hoist.vtest_ok = true;
        hoist.vtest_in_loop = false;
        hoist.moved = 0;
        hoist.align_n = hoist.align_m = hoist.align_flag = -1;
        vcache_watch(-1, -1);
        return;
    }
    if (!current(c))
        return;
    if (hoist.vones_due) {              /* past the exit-request test, which empties the cache */
        a64_vec_ones_start(c, hoist.vones, hoist.vslot, hoist.vslot_off, hoist.vtest);
        vcache_take_picked();
        vcache_watch(hoist.vslot, hoist.vslot_off);
        hoist.vones_live = hoist.vslot_live = true;
        hoist.vtest_live = hoist.vtest >= 0;
        hoist.vones_due = false;
    }
    if (is_host_store(insn))
        hoist.vslot_live = false;       /* (RUNNING: a mismatch at the next jump back) */
    if (unsafe_op(c, insn)) {
        if (hoist.state == HOIST_RUNNING)
            hoist.mismatch = true;
        hoist.state = hoist.state == HOIST_RUNNING ? HOIST_RUNNING : HOIST_IDLE;
        return;
    }
    bool direct = insn->op == IR_brcond || insn->op == IR_brflags || insn->op == IR_goto_tb;
    if (direct && (uint64_t)insn->aux[0] == hoist.pc) {
        own_exit_vones(c);
        own_exit_vslot();
        own_exit_vtest();
    }
    if (direct && (uint64_t)insn->aux[0] == hoist.pc && hoist.state == HOIST_OBSERVE) {
        hoist.self_loop = true;         /* what came before runs on every pass */
        hoist.in_loop |= hoist.pending;
        hoist.pending = 0;
        for (int k = 0; k < hoist.n_cands; k++) {
            hoist.cand[k].saved += hoist.cand[k].pending;
            hoist.cand[k].pending = 0;
        }
    }
}

/* A write that may change reg's low four bits: the aligned-store test
 * (a64_hoist_align) is off for a pair with reg; on the second emission,
 * a write to a register of the pair or to the flag's is a mismatch. */
static void note_moved(int reg)
{
    if (reg < 0 || reg >= 32)
        return;
    hoist.moved |= 1u << reg;
    if (hoist.state == HOIST_RUNNING && hoist.align_flag >= 0 &&
        (reg == hoist.align_n || reg == hoist.align_m || reg == hoist.align_flag))
        hoist.mismatch = true;
}

static void wrote(struct be_code *c, int reg, bool moved)
{
    if (!current(c))
        return;
    if (moved)
        note_moved(reg);
    else if (hoist.state == HOIST_RUNNING && reg == hoist.align_flag)
        hoist.mismatch = true;
    if (!is_alloc(reg))
        return;
    if (hoist.state == HOIST_OBSERVE)
        hoist.written |= 1u << reg;
    else if (hoist.hoisted >> reg & 1)
        hoist.mismatch = true;
}

/* Any write to reg other than the allocator's movi. */
void a64_hoist_wrote(struct be_code *c, int reg)
{
    wrote(c, reg, true);
}

/* An op's `reg = reg +- k`, k a multiple of 16: its low four bits stay. */
void a64_hoist_stepped(struct be_code *c, int reg)
{
    wrote(c, reg, false);
}

/* A callee-saved pinned register: it holds its guest register from the
 * block's entry on, and no call between reloads it. */
static bool kept_pinned(unsigned reg)
{
    for (int k = 0; k < be_host.n_pinned; k++)
        if (be_host.pinned_regs[k] == (int)reg)
            return !(be_host.call_clobbered >> reg & 1);
    return false;
}

/* A 16-byte guest store at [xn + xm] (xm 31: [xn]) in the block: on the
 * first emission, the first such pair of kept pinned registers is noted;
 * when nothing in the block writes them but `add/sub r, r, #16k`, the
 * second emission's preamble puts their sum's low four bits into a
 * register the block never writes (emit_align_flag), and this returns
 * that register for a store at the same pair: every pass's address is
 * the entry's plus a multiple of 16, so zero there means that no pass's
 * store crosses a page.  Else -1. */
int a64_hoist_align(struct be_code *c, unsigned rn, unsigned rm)
{
    if (!current(c) || hoist.cold || !kept_pinned(rn) || (rm != A64_ZR && !kept_pinned(rm)))
        return -1;
    if (hoist.state == HOIST_OBSERVE) {
        if (hoist.align_n < 0) {
            hoist.align_n = (int)rn;
            hoist.align_m = (int)rm;
        }
        return -1;
    }
    return hoist.align_n == (int)rn && hoist.align_m == (int)rm ? hoist.align_flag : -1;
}

/* The float checks' first `movi vreg.2d, #-1` (a64_vec.c ones()). */
void a64_hoist_vones(struct be_code *c, int vreg)
{
    if (!current(c) || hoist.cold)
        return;
    if (hoist.state == HOIST_OBSERVE && hoist.vones < 0)
        hoist.vones = vreg;
    if (hoist.vones < 0)
        return;
    vones_fold();                   /* (with its own pick of vreg) */
    if (vreg == hoist.vones)
        hoist.vones_live = true;
}

/* A vector op's 16-byte operand loaded from env slot off into cache
 * register vreg on the loop's path: the first one is the candidate. */
void a64_hoist_vslot(struct be_code *c, int vreg, int32_t off)
{
    if (!current(c) || hoist.cold || hoist.state != HOIST_OBSERVE || hoist.vslot >= 0)
        return;
    vones_fold();                   /* (with its own pick of vreg) */
    hoist.vslot = vreg;
    hoist.vslot_off = off;
    hoist.vslot_live = true;
    vcache_watch(vreg, off);
}

/* Whether vreg holds the loop-invariant slot here, as the preamble
 * loaded it (a64_vec.c may then use or build its test). */
bool a64_hoist_is_vslot(struct be_code *c, int vreg)
{
    if (!current(c) || hoist.cold || hoist.vslot < 0 || vreg != hoist.vslot)
        return false;
    vones_fold();
    return hoist.vslot_live;
}

/* vreg's low half just got the invariant slot's test (dbl: of double
 * lanes), built on the loop's path: the first such register is the
 * candidate; on the second emission, building it again into the
 * preamble's register means the preamble's went (a mismatch). */
void a64_hoist_vtest(struct be_code *c, int vreg, bool dbl)
{
    if (!current(c) || hoist.cold)
        return;
    vones_fold();                   /* (with its own pick of vreg) */
    if (hoist.state == HOIST_RUNNING) {
        if (vreg == hoist.vtest)
            hoist.mismatch = true;
        return;
    }
    if (hoist.vtest < 0) {
        hoist.vtest = vreg;
        hoist.vtest_dbl = dbl;
    } else if (vreg != hoist.vtest || dbl != hoist.vtest_dbl) {
        hoist.vtest_ok = false;
    }
    if (vreg == hoist.vtest)
        hoist.vtest_live = true;
}

/* Whether vreg holds the test the preamble built (dbl lanes as asked). */
bool a64_hoist_vtest_preset(struct be_code *c, int vreg, bool dbl)
{
    if (!current(c) || hoist.state != HOIST_RUNNING || vreg != hoist.vtest ||
        dbl != hoist.vtest_dbl)
        return false;
    vones_fold();
    return hoist.vtest_live && hoist.vslot_live;
}

void a64_hoist_cold(struct be_code *c, bool cold)
{
    hoist.cold = cold;
}

void a64_hoist_call(struct be_code *c)
{
    if (!current(c))
        return;
    if (hoist.state == HOIST_RUNNING)
        hoist.mismatch = true;
    else
        hoist.state = HOIST_IDLE;
}

/* A constant some other register (or an op's operand) gets: worth a
 * register of its own before the loop entry when that saves words. */
static void note_cand(uint64_t imm, unsigned saved)
{
    if (hoist.cold)
        return;
    for (int k = 0; k < hoist.n_cands; k++)
        if (hoist.cand[k].value == imm) {
            hoist.cand[k].pending += saved;
            return;
        }
    if (hoist.n_cands < CANDS_MAX)
        hoist.cand[hoist.n_cands++] = (typeof(hoist.cand[0])){ imm, 0, saved };
}

/* The hoisted register holding imm, or -1. */
static int holder(uint64_t imm)
{
    for (uint32_t m = hoist.hoisted; m; m &= m - 1)
        if (hoist.value[__builtin_ctz(m)] == imm)
            return __builtin_ctz(m);
    return -1;
}

static unsigned movi_words(uint64_t imm)
{
    uint32_t words[4];
    return (unsigned)a64_movi_sequence(words, A64_TMP0, imm);
}

/* movi dst, imm: true when done already -- the preamble built it in dst,
 * or in another register (then one `mov`). */
bool a64_hoist_movi(struct be_code *c, int dst, uint64_t imm)
{
    if (!current(c))
        return false;
    uint32_t b = dst >= 0 && dst < 32 ? 1u << dst : 0;
    note_moved(dst);
    if (hoist.state == HOIST_OBSERVE) {
        if (movi_words(imm) == 2)       /* (three or four: one literal load) */
            note_cand(imm, 1);
        if (!is_alloc(dst))
            return false;
        if ((hoist.movi_seen & b) && hoist.value[dst] != imm)
            hoist.written |= b;
        hoist.movi_seen |= b;
        hoist.pending |= b;
        hoist.value[dst] = imm;
        return false;
    }
    if (hoist.hoisted & b) {
        if (hoist.value[dst] == imm)
            return true;
        hoist.mismatch = true;
        return false;
    }
    int r = holder(imm);
    if (r < 0 || movi_words(imm) != 2)
        return false;
    a64_put(c, a64_mov(true, (unsigned)dst, (unsigned)r));
    return true;
}

/* An op's constant operand (a64_src): the register the preamble built it
 * in, or -1 (then the op builds it in its scratch register). */
int a64_hoist_src(struct be_code *c, uint64_t imm)
{
    if (!current(c))
        return -1;
    if (hoist.state == HOIST_OBSERVE) {
        note_cand(imm, 1);
        return -1;
    }
    return holder(imm);
}

/* Registers nothing in the block writes take the constants that save
 * most, beyond those already hoisted in their own registers. */
static void assign_free_registers(void)
{
    uint32_t free = (uint32_t)be_host.alloc_mask & ~hoist.written & ~hoist.movi_seen;
    if (hoist.align_flag >= 0)
        free &= ~(1u << hoist.align_flag);
    for (;;) {
        int best = -1;
        for (int k = 0; k < hoist.n_cands; k++)
            if (hoist.cand[k].saved > 0 && holder(hoist.cand[k].value) < 0 &&
                (best < 0 || hoist.cand[k].saved > hoist.cand[best].saved))
                best = k;
        if (best < 0 || !free)
            return;
        int r = __builtin_ctz(free);
        free &= free - 1;
        hoist.value[r] = hoist.cand[best].value;
        hoist.hoisted |= 1u << r;
        hoist.cand[best].saved = 0;
    }
}

/* The aligned-store flag's register (a64_hoist_align) when the pair
 * noted is only stepped by multiples of 16 and a register is free: it
 * saves two words a pass (the page-cross test and the address add), more
 * than a hoisted constant. */
static void choose_align_flag(void)
{
    uint32_t pair = 0, free = (uint32_t)be_host.alloc_mask & ~hoist.written & ~hoist.movi_seen;
    hoist.align_flag = -1;
    if (hoist.align_n < 0)
        return;
    pair = 1u << hoist.align_n | (hoist.align_m != A64_ZR ? 1u << hoist.align_m : 0);
    if (!(hoist.moved & pair) && free)
        hoist.align_flag = __builtin_ctz(free);
}

/* After a complete emission: once more with the constants hoisted, or
 * (the second emission went otherwise) once more plainly. */
bool be_emit_again(struct be_code *c)
{
    bool same = hoist.block == c->start;
    if (same && hoist.state == HOIST_OBSERVE && hoist.self_loop) {
        hoist.hoisted = hoist.movi_seen & hoist.in_loop & ~hoist.written;
        choose_align_flag();
        assign_free_registers();
        if (!hoist.vones_ok || !hoist.vones_in_loop)
            hoist.vones = -1;
        if (!hoist.vslot_ok || !hoist.vslot_in_loop)
            hoist.vslot = -1;
        if (!hoist.vtest_ok || !hoist.vtest_in_loop || hoist.vones < 0 || hoist.vslot < 0)
            hoist.vtest = -1;
        bool again = hoist.hoisted || hoist.vones >= 0 || hoist.vslot >= 0 ||
                     hoist.align_flag >= 0;
        hoist.state = again ? HOIST_ARMED : HOIST_IDLE;
        return again;
    }
    if (same && hoist.state == HOIST_RUNNING && hoist.mismatch) {
        hoist.state = HOIST_PLAIN;
        return true;
    }
    hoist.state = HOIST_IDLE;
    return false;
}

/* ---- the block's own chain slot ---- */

#define INFO_WORD(sf, hw, imm) a64_move_wide_imm((sf), A64_MOVZ, (hw), (imm), A64_PLATFORM_REG)
#define INFO_MASK 0xffe0001fu           /* all but imm16 */

/* Whether the chain slot to pc gets the two words (this block's own pc,
 * its constants hoisted); then a64_hoist_put_info emits them. */
bool a64_hoist_self_slot(const struct be_code *c, uint64_t pc)
{
    return hoist.block == c->start && hoist.state == HOIST_RUNNING && pc == hoist.pc &&
           c->ptr != c->start;
}

/* site: the slot's `b` word. */
void a64_hoist_put_info(struct be_code *c, const uint8_t *site)
{
    a64_put(c, INFO_WORD(false, 1, (uint32_t)(site - c->start) / 4));
    a64_put(c, INFO_WORD(true, 2, hoist.entry / 4));
}

static uint32_t word_at(const uint8_t *p) { uint32_t w; __builtin_memcpy(&w, p, 4); return w; }

static bool is_info(uint32_t w, bool sf, unsigned hw)
{
    return (w & INFO_MASK) == (INFO_WORD(sf, hw, 0) & INFO_MASK);
}

/* Where the chain slot whose `b` is at site should jump for target: its
 * own block's loop entry when target is that block's start.  (Its words
 * read at site + rw_delta, where the patch writes.) */
const uint8_t *a64_hoist_chain_target(const uint8_t *site, intptr_t rw_delta, const uint8_t *target)
{
    const uint8_t *info = site + rw_delta + 4;
    if (!is_info(word_at(info), false, 1))
        info += 4;                      /* past the brcond marker */
    uint32_t w1 = word_at(info), w2 = word_at(info + 4);
    if (!is_info(w1, false, 1) || !is_info(w2, true, 2))
        return target;
    if (site - 4 * (size_t)(w1 >> 5 & 0xffff) != target)
        return target;                  /* another block (or the slot's stub) */
    return target + 4 * (size_t)(w2 >> 5 & 0xffff);
}
