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
 * Blocks with calls, vector ops, atomics or a software MMU are left alone
 * (their code may clobber registers the allocator does not name).  If the
 * second emission ever differs from the first in what it writes, a third
 * emits the block plainly.
 */
#include "a64_emit.h"

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

static void emit_preamble(struct be_code *c)
{
    for (uint32_t m = hoist.hoisted; m; m &= m - 1) {
        int r = __builtin_ctz(m);
        if (!a64_literal_load(c, (unsigned)r, hoist.value[r]))
            a64_emit_movi_inline(c, r, hoist.value[r]);
    }
}

static bool unsafe_op(const struct be_code *c, const struct ir_insn *insn)
{
    return insn->op >= IR_VEC_FIRST || (ir_op_info[insn->op].flags & IR_F_CALL) ||
           insn->op == IR_atomic_rmw || insn->op == IR_atomic_cas ||
           !c->mem || c->mem->mode != TR_MEM_HOST;
}

/* Before each op: a block's first op starts watching (an exit-request
 * test: the block may loop) or, on the second emission, builds the
 * constants before it; later ops are checked for what is not watched. */
void a64_hoist_op(struct be_code *c, const struct ir_insn *insn)
{
    if (c->ptr == c->start) {
        bool first = insn->op == IR_exit_request;
        if (first && hoist.state == HOIST_ARMED && hoist.block == c->start &&
            (uint64_t)insn->aux[0] == hoist.pc) {
            emit_preamble(c);
            hoist.entry = (uint32_t)(c->ptr - c->start);
            hoist.state = HOIST_RUNNING;
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
        return;
    }
    if (!current(c))
        return;
    if (unsafe_op(c, insn)) {
        if (hoist.state == HOIST_RUNNING)
            hoist.mismatch = true;
        hoist.state = hoist.state == HOIST_RUNNING ? HOIST_RUNNING : HOIST_IDLE;
        return;
    }
    bool direct = insn->op == IR_brcond || insn->op == IR_brflags || insn->op == IR_goto_tb;
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

/* Any write to reg other than the allocator's movi. */
void a64_hoist_wrote(struct be_code *c, int reg)
{
    if (!current(c) || !is_alloc(reg))
        return;
    if (hoist.state == HOIST_OBSERVE)
        hoist.written |= 1u << reg;
    else if (hoist.hoisted >> reg & 1)
        hoist.mismatch = true;
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

/* After a complete emission: once more with the constants hoisted, or
 * (the second emission went otherwise) once more plainly. */
bool be_emit_again(struct be_code *c)
{
    bool same = hoist.block == c->start;
    if (same && hoist.state == HOIST_OBSERVE && hoist.self_loop) {
        hoist.hoisted = hoist.movi_seen & hoist.in_loop & ~hoist.written;
        assign_free_registers();
        hoist.state = hoist.hoisted ? HOIST_ARMED : HOIST_IDLE;
        return hoist.hoisted != 0;
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
 * own block's loop entry when target is that block's start. */
const uint8_t *a64_hoist_chain_target(const uint8_t *site, const uint8_t *target)
{
    const uint8_t *info = site + 4;
    if (!is_info(word_at(info), false, 1))
        info += 4;                      /* past the brcond marker */
    uint32_t w1 = word_at(info), w2 = word_at(info + 4);
    if (!is_info(w1, false, 1) || !is_info(w2, true, 2))
        return target;
    if (site - 4 * (size_t)(w1 >> 5 & 0xffff) != target)
        return target;                  /* another block (or the slot's stub) */
    return target + 4 * (size_t)(w2 >> 5 & 0xffff);
}
