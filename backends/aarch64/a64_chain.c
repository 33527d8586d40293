/* a64_chain.c -- conditional block exits (brcond) and chain patching.
 *
 * brcond is one conditional branch (b.cond after a compare, cbz/cbnz, or
 * tbz/tbnz for a one-bit tsteq/tstne, ir_bittest.c) taken when the exit is,
 * so the fall-through path runs straight on.  It
 * first leads out of line, behind the block's final exit, to the slot's
 * patchable `b` word (its jump_site) and a marker word, `movz w18, #k`,
 * giving the distance in words back to the conditional branch, then the
 * usual stub.  Chaining rewrites the `b`, and also points
 * the conditional branch straight at the target when that is within its
 * +-1 MiB (tbz/tbnz: +-32 KiB), so a chained taken exit costs a single branch; otherwise (or
 * when re-pointed out of range later) the conditional branch goes back to
 * the `b`.  Every rewrite is one aligned 32-bit store.
 */
#include "a64_emit.h"

/* brcond exits of the block being emitted, waiting for their stubs. */
/* Two chain slots: more brconds than that (not expected) go inline, which
 * also bounds what the final exit emits within BE_MAX_INSN_BYTES. */
enum { PENDING_MAX = 2 };
static struct {
    const uint8_t *block;
    int n;
    struct { uint32_t site; uint64_t pc; int slot; } e[PENDING_MAX];
} pending;

static bool is_zero_const(const struct be_arg *a, int size)
{
    return a->is_const && (size == 32 ? (uint32_t)a->imm : a->imm) == 0;
}

/* One bit of a register decides a tsteq/tstne against a one-bit constant:
 * its number, or -1. */
static int tested_bit(const struct ir_insn *insn, const struct be_arg *in)
{
    if ((insn->cond != IR_TSTEQ && insn->cond != IR_TSTNE) || in[0].is_const || !in[1].is_const)
        return -1;
    uint64_t v = insn->size == 32 ? (uint32_t)in[1].imm : in[1].imm;
    return v && !(v & (v - 1)) ? __builtin_ctzll(v) : -1;
}

/* IR insns after a brcond that may still come before its slot: few enough
 * that the block's rest, its final exit and the other slots and exits
 * (each at most BE_MAX_INSN_BYTES, the allocator's syncs besides) stay
 * within a tbz's +-32 KiB.  Unconditional exits are a block's last op, so
 * the scan ends inside the block. */
enum { NEAR_INSNS = 24 };

static bool slot_is_near(const struct ir_insn *insn)
{
    for (int n = 1; n <= NEAR_INSNS; n++)
        if (ir_op_info[insn[n].op].flags & IR_F_EXIT)
            return true;
    return false;
}

/* The conditional branch, taken when `in[0] cond in[1]` (brflags: when
 * cond holds on the flags already set), its offset still 0.  near: the
 * target is close enough for tbz/tbnz. */
static void emit_cond_branch(struct be_code *c, const struct ir_insn *insn,
                             const struct be_arg *in, bool near)
{
    if (insn->op == IR_brflags) {
        a64_put(c, a64_cond_branch_imm(a64_cond_of((enum ir_cond)insn->cond), 0));
        return;
    }
    bool eq = insn->cond == IR_EQ, ne = insn->cond == IR_NE;
    if ((eq || ne) && is_zero_const(&in[1], insn->size) && !in[0].is_const) {
        a64_put(c, a64_compare_branch_imm(insn->size == 64, ne, 0, in[0].reg));
        return;
    }
    int bit = near ? tested_bit(insn, in) : -1;
    if (bit >= 0) {
        a64_put(c, a64_test_branch_imm(insn->cond == IR_TSTNE, (unsigned)bit, 0, in[0].reg));
        return;
    }
    enum a64_cond cond = a64_emit_compare(c, insn, &in[0], &in[1]);
    a64_put(c, a64_cond_branch_imm(cond, 0));
}

static uint32_t read_word(const uint8_t *p) { uint32_t w; __builtin_memcpy(&w, p, 4); return w; }

static bool is_test_branch(uint32_t word) { return (word & 0x7e000000u) == 0x36000000u; }

/* A conditional branch word re-pointed at byte offset off (imm19; tbz/tbnz
 * imm14). */
static uint32_t with_imm19(uint32_t word, int64_t off)
{
    if (is_test_branch(word))
        return (word & ~(0x3fffu << 5)) | (uint32_t)((off >> 2) & 0x3fff) << 5;
    return (word & ~(0x7ffffu << 5)) | (uint32_t)((off >> 2) & 0x7ffff) << 5;
}

/* Whether the conditional branch word reaches byte offset off. */
static bool cond_reaches(uint32_t word, int64_t off)
{
    if (is_test_branch(word))
        return off >= -(1 << 15) && off < (1 << 15);
    return a64_branch19_reaches(off);
}

/* The branch with the opposite condition: b.cond flips its condition's
 * low bit, cbz/cbnz (and tbz/tbnz) bit 24. */
static uint32_t inverted(uint32_t word)
{
    return (word & 0xff000000u) == 0x54000000u ? word ^ 1u : word ^ (1u << 24);
}

/* brexit exits of the block being emitted, waiting to go behind its final
 * exit: the usual path then falls through the conditional branch (no taken
 * branch).  More than BREXIT_MAX in a block (SSE alignment checks) go
 * inline, b.!cond over the exit. */
enum { BREXIT_MAX = 8 };
static struct {
    const uint8_t *block;
    int n;
    struct { uint32_t site; uint64_t pc; int code; } e[BREXIT_MAX];
} brexits;

void a64_emit_brexit(struct be_code *c, const struct ir_insn *insn, const struct be_arg *in)
{
    if (brexits.block != c->start) {    /* a new block (or a retried one) */
        brexits.block = c->start;
        brexits.n = 0;
    }
    emit_cond_branch(c, insn, in, false);
    uint8_t *br = c->ptr - 4;
    if (brexits.n < BREXIT_MAX) {
        brexits.e[brexits.n++] = (typeof(brexits.e[0])){ (uint32_t)(br - c->start),
                                                        (uint64_t)insn->aux[0], (int)insn->aux[1] };
        return;
    }
    a64_emit_exit_inline(c, (uint64_t)insn->aux[0], (int)insn->aux[1]);
    uint32_t w = inverted(with_imm19(read_word(br), c->ptr - br));
    __builtin_memcpy(be_writable(c, br), &w, 4);
}

/* The waiting brexit exits, each its conditional branch's target. */
static void emit_pending_brexits(struct be_code *c)
{
    if (brexits.block == c->start)
        for (int k = 0; k < brexits.n; k++) {
            uint8_t *br = c->start + brexits.e[k].site;
            uint32_t w = with_imm19(read_word(br), c->ptr - br);
            __builtin_memcpy(be_writable(c, br), &w, 4);
            a64_emit_exit_inline(c, brexits.e[k].pc, brexits.e[k].code);
        }
    brexits.n = 0;
    brexits.block = NULL;
}

/* The marker is branched over, never executed.  The word after a jump
 * site is either a marker or the first word of a chain stub (which
 * writes x16 or x17), so `movz w18` there is unambiguous. */
#define MARKER(k) a64_move_wide_imm(false, A64_MOVZ, 0, (k), A64_PLATFORM_REG)
#define MARKER_MASK 0xffe0001fu         /* all but imm16 */

/* The slot's `b` word, the marker and the stub; points the conditional
 * branch at `site` there. */
static void emit_slot(struct be_code *c, uint32_t site, uint64_t pc, int slot)
{
    uint8_t *branch = c->start + site;
    uint32_t word = with_imm19(read_word(branch), c->ptr - branch);
    __builtin_memcpy(be_writable(c, branch), &word, 4);
    c->jump_site[slot] = (uint32_t)(c->ptr - c->start);
    bool self = a64_hoist_self_slot(c, pc);
    uint8_t *b = c->ptr;
    a64_put(c, a64_uncond_branch_imm(false, self ? 16 : 8));
    a64_put(c, MARKER((c->ptr - 4 - branch) / 4));
    if (self)
        a64_hoist_put_info(c, b);
    a64_emit_chain_stub(c, pc, slot);
}

void a64_emit_brcond(struct be_code *c, const struct ir_insn *insn, const struct be_arg *in)
{
    if (pending.block != c->start) {    /* a new block (or a retried one) */
        pending.block = c->start;
        pending.n = 0;
    }
    emit_cond_branch(c, insn, in, slot_is_near(insn));
    int slot = (int)insn->aux[1];
    uint32_t site = (uint32_t)(c->ptr - 4 - c->start);
    c->jump_site[slot] = site;          /* the `b` word's offset, once emitted */
    if (pending.n < PENDING_MAX) {
        pending.e[pending.n++] = (typeof(pending.e[0])){ site, (uint64_t)insn->aux[0], slot };
        return;
    }
    uint8_t *skip = c->ptr;             /* no room: the slot goes inline */
    a64_put(c, a64_uncond_branch_imm(false, 0));
    emit_slot(c, site, (uint64_t)insn->aux[0], slot);
    __builtin_memcpy(be_writable(c, skip), &(uint32_t){ a64_uncond_branch_imm(false, c->ptr - skip) }, 4);
}

void a64_emit_pending_cond_exits(struct be_code *c)
{
    emit_pending_brexits(c);
    if (pending.block == c->start)
        for (int k = 0; k < pending.n; k++)
            emit_slot(c, pending.e[k].site, pending.e[k].pc, pending.e[k].slot);
    pending.n = 0;
    pending.block = NULL;
}

/* Written through the alias, made visible to fetch at the code's address. */
static void store_word(uint8_t *site, intptr_t rw_delta, uint32_t word)
{
    __atomic_store_n((uint32_t *)(void *)(site + rw_delta), word, __ATOMIC_RELEASE);
    __builtin___clear_cache((char *)site, (char *)site + 4);
}

/* The block's words are read where they are written (site + rw_delta): a
 * staged batch's code is not where it runs yet (tc_views.c). */
void be_patch_jump(uint8_t *site, intptr_t rw_delta, const uint8_t *target)
{
    target = a64_hoist_chain_target(site, rw_delta, target);
    int64_t off = target - site;
    if (!a64_branch26_reaches(off))
        return;     /* stays on its stub: the dispatcher keeps handling it */
    store_word(site, rw_delta, a64_uncond_branch_imm(false, off));
    uint32_t marker = read_word(site + rw_delta + 4);
    if ((marker & MARKER_MASK) != (MARKER(0) & MARKER_MASK))
        return;
    uint8_t *branch = site - 4 * ((marker >> 5) & 0xffff);
    int64_t direct = target - branch;
    uint32_t word = read_word(branch + rw_delta);
    store_word(branch, rw_delta, with_imm19(word, cond_reaches(word, direct) ? direct : site - branch));
}

/* `movz w0, #k; ret` written at rw, then called at rx. */
static unsigned run_probe(uint8_t *rw, const uint8_t *rx, unsigned k)
{
    uint32_t words[2] = { a64_move_wide_imm(false, A64_MOVZ, 0, k, 0), a64_ret() };
    __builtin_memcpy(rw, words, sizeof(words));
    __builtin___clear_cache((char *)(uintptr_t)rx, (char *)(uintptr_t)rx + sizeof(words));
    return ((unsigned (*)(void))(uintptr_t)rx)();
}

/* The second run sees the rewrite on hardware, not under qemu-user. */
bool be_fetch_sees_alias(uint8_t *rw, const uint8_t *rx)
{
    return run_probe(rw, rx, 1) == 1 && run_probe(rw, rx, 2) == 2;
}
