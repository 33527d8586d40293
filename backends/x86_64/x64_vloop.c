/* x64_vloop.c -- a self-chained loop's xmm write-back: the env stores of
 * the xmm registers the loop writes on every pass go, their values
 * staying in the env-slot cache's registers (xmm8-15) around the back
 * edge, and are stored where the loop is left.
 *
 * A block whose conditional exit jumps back to its own start (matmul's
 * `add rax, 16; cmp rax, rdx; jne top`) stores, on every pass, the xmm
 * registers it wrote that are still pending at that jump (x64_vec.c
 * `pend`: dead within a block only when overwritten).  The first emission
 * only watches: which slots are pending in which cache register at the
 * back edge (the carried slots).  Then be_emit_again asks for a second
 * emission of the same IR (the allocator makes the same choices):
 *   - a preamble loads each carried slot's register from env, then the
 *     loop entry: the exit-request test -- the guard load, whose fault
 *     point names those registers (tr_guard_fault restores them from
 *     there), or the flag test, whose exit stub stores them;
 *   - from the loop entry on the registers hold the slots and env may be
 *     stale: the window starts with them (x64_vec_pend_seed) and every
 *     fault point names them until an op overwrites the slot in full;
 *     anything else that would see env (the window ending: an exit, a
 *     call, a slow path, an env access of the bytes, the register lost
 *     before an access) fails the emission;
 *   - at the back edge the pending stores go (x64_vec_pend_back_edge);
 *     the jcc falls through to a marker (two nops, below) and the stores,
 *     and its stub stores them before leaving: every way out of the loop
 *     but the chained back edge finds env current.
 * The back edge's chain slot leads to the loop entry, never to the
 * block's start (whose preamble would load stale env): be_patch_jump
 * asks x64_vloop_chain_target, which reads the marker behind the jcc --
 *     66 0f 1f 84 00 <u16 jcc's offset in the block, u16 loop entry's>
 *     66 0f 1f 84 00 <u32 the stub's offset>
 * -- and points the slot at the loop entry for the block's own start, at
 * the stub for the stub, and nowhere else (another block, a variant of
 * this one: the slot stays on its stub, which writes back).
 * If the second emission fails (or drops nothing), a third emits the
 * block plainly.  A conditional exit inside the loop before a carried
 * slot's first write of the pass stores it in its stub (an inline exit,
 * brexit, in its path); any other way out there fails the emission.
 * Emission is serialised by the translation lock. */
#include <string.h>

#include "x64_backend.h"
#include "x64_encode_sse.h"
#include "x64_vec.h"

enum { VL_MAX = 8 };
enum vl_state { VL_OBSERVE, VL_ARMED, VL_PLAIN };

static struct {
    enum vl_state state;
    const uint8_t *block;           /* the block it is about: c->start, tb, pc */
    const void *tb;
    uint64_t pc;
    bool guard;                     /* the first op is the exit-request test */
    bool flag;                      /* the flag test (else the guard load) */
    bool failed, dropped, seen;     /* this emission's; seen: a back edge */
    bool first;                     /* between the first op's begin and end */
    int n;
    int32_t slot[VL_MAX];
    int reg[VL_MAX];
    uint32_t entry;                 /* the loop entry's offset */
    uint32_t site;                  /* the back edge's jcc, UINT32_MAX: none */
    int n_exits;                    /* conditional exits whose stubs store */
    struct { uint32_t site; int n; int32_t slot[VL_MAX]; int reg[VL_MAX]; } exit[4];
} vl;

void x64_vloop_fail(void)
{
    if (vl.state == VL_ARMED)
        vl.failed = true;
}

/* A block's pc: its first op's, the exit-request test's (0: none). */
static uint64_t block_pc(const struct ir_insn *i)
{
    return i->op == IR_exit_request ? (uint64_t)i->aux[0] : 0;
}

static bool armed(const struct be_code *c)
{
    return vl.state == VL_ARMED && vl.block == c->start && !vl.failed;
}

/* The register carrying slot off around the armed emission's loop, or -1. */
int x64_vloop_home(const struct be_code *c, int32_t off)
{
    if (!armed(c))
        return -1;
    for (int k = 0; k < vl.n; k++)
        if (vl.slot[k] == off)
            return vl.reg[k];
    return -1;
}

static void store_all(struct be_code *c)
{
    for (int k = 0; k < vl.n; k++)
        x64_emit_movdqu_store(c, X64_ENV, x64_env_disp(vl.slot[k]), vl.reg[k]);
}

/* Before each op: a block's first op starts an emission (a new block:
 * watch it); on the armed one, the preamble and the guard's fault point. */
void x64_vloop_op_begin(struct be_code *c, const struct ir_insn *i)
{
    if (c->ptr != c->start)
        return;
    if (vl.block != c->start || vl.tb != c->tb || vl.pc != block_pc(i)) {
        vl.state = VL_OBSERVE;
        vl.block = c->start;
        vl.tb = c->tb;
        vl.pc = block_pc(i);
        vl.n = 0;
    }
    vl.failed = vl.dropped = vl.seen = false;
    vl.site = UINT32_MAX;
    vl.n_exits = 0;
    vl.first = true;
    vl.guard = c->tb && block_pc(i);
    vl.flag = !i->aux[1];
    if (vl.state != VL_ARMED)
        return;
    if (!vl.guard) {
        vl.failed = true;
        return;
    }
    for (int k = 0; k < vl.n; k++)
        x64_emit_movdqu_load(c, vl.reg[k], X64_ENV, x64_env_disp(vl.slot[k]));
    vl.entry = (uint32_t)(c->ptr - c->start);
    if (vl.flag)
        return;                     /* its stub stores (x64_vloop_request_stub) */
    if (!be_fault_point_here(c))
        vl.failed = true;
    for (int k = 0; k < vl.n && !vl.failed; k++)
        if (!be_fault_note_vec(vl.slot[k], vl.reg[k]))
            vl.failed = true;
}

/* After each op: behind the armed emission's guard load (its first op)
 * the cache and the window start with the carried slots. */
void x64_vloop_op_end(struct be_code *c, const struct ir_insn *i)
{
    bool first = vl.first;
    vl.first = false;
    if (!first || !armed(c))
        return;
    vcache_start_with(c, vl.reg[0], vl.slot[0]);
    for (int k = 1; k < vl.n; k++)
        vcache_set(vl.reg[k], vl.slot[k]);
    for (int k = 0; k < vl.n; k++)
        x64_vec_pend_seed(c, vl.slot[k], vl.reg[k]);
}

/* A brcond to target_pc, before its compare: true when it is the armed
 * emission's back edge and its stores went (the caller then emits
 * x64_vloop_after_jcc behind the jcc). */
bool x64_vloop_back_edge(struct be_code *c, uint64_t target_pc)
{
    if (vl.block != c->start || !vl.guard || target_pc != vl.pc || vl.seen)
        return false;
    vl.seen = true;
    if (vl.state == VL_OBSERVE) {
        vl.n = x64_vec_pend_carried(c, vl.slot, vl.reg, VL_MAX);
        return false;
    }
    if (!armed(c))
        return false;
    if (!x64_vec_pend_back_edge(c, vl.slot, vl.reg, vl.n)) {
        vl.failed = true;
        return false;
    }
    vl.dropped = true;
    return true;
}

/* A conditional exit out of the armed loop (its jcc at site, its stub
 * to come): the carried slots still stale in env there, for its stub. */
void x64_vloop_cond_exit(struct be_code *c, uint32_t site)
{
    if (!armed(c))
        return;
    int j = vl.n_exits;
    int n = x64_vec_pend_stale(c, vl.exit[j].slot, vl.exit[j].reg, VL_MAX);
    if (n < 0 || (n > 0 && j == 4)) {
        vl.failed = true;
        return;
    }
    if (n) {
        vl.exit[j].site = site;
        vl.exit[j].n = n;
        vl.n_exits++;
    }
}

/* An inline exit (brexit) out of the armed loop: its stores, here. */
void x64_vloop_exit_stores(struct be_code *c)
{
    int32_t slot[VL_MAX];
    int reg[VL_MAX];
    if (!armed(c))
        return;
    int n = x64_vec_pend_stale(c, slot, reg, VL_MAX);
    if (n < 0)
        vl.failed = true;
    for (int k = 0; k < n; k++)
        x64_emit_movdqu_store(c, X64_ENV, x64_env_disp(slot[k]), reg[k]);
}

static void nop9(struct be_code *c, uint32_t payload)
{
    static const uint8_t head[5] = { 0x66, 0x0f, 0x1f, 0x84, 0x00 };
    memcpy(be_writable(c, c->ptr), head, sizeof head);
    memcpy(be_writable(c, c->ptr + 5), &payload, 4);
    c->ptr += 9;
}

/* Behind the back edge's jcc (at offset site): the marker, then the
 * stores (the fall-through leaves the loop). */
void x64_vloop_after_jcc(struct be_code *c, uint32_t site)
{
    vl.site = site;
    nop9(c, site | vl.entry << 16);
    nop9(c, 0);                     /* the stub's offset: x64_vloop_stub */
    store_all(c);
}

/* Emitting the stub of the jcc at `site`: its stores first when it is
 * the back edge (true), the marker told where the stub starts. */
bool x64_vloop_stub(struct be_code *c, uint32_t site)
{
    for (int j = 0; j < vl.n_exits && armed(c); j++)
        if (vl.exit[j].site == site) {
            for (int k = 0; k < vl.exit[j].n; k++)
                x64_emit_movdqu_store(c, X64_ENV, x64_env_disp(vl.exit[j].slot[k]),
                                      vl.exit[j].reg[k]);
            return true;
        }
    if (vl.site != site || vl.block != c->start || !vl.dropped)
        return false;
    uint32_t stub = (uint32_t)(c->ptr - c->start);
    memcpy(be_writable(c, c->start + site + 6 + 9 + 5), &stub, 4);
    store_all(c);
    return true;
}

/* The flag test's exit stub (the loop entry's: every carried slot may be
 * stale there), before it stores the pc. */
void x64_vloop_request_stub(struct be_code *c)
{
    if (armed(c) && vl.dropped && vl.flag)
        store_all(c);
}

/* Behind the back edge's `jmp` (goto_tb, at offset site), never run: the
 * marker, then its stub's stores (the caller's stub follows). */
void x64_vloop_after_jmp(struct be_code *c, uint32_t site)
{
    vl.site = site;
    nop9(c, site | vl.entry << 16);
    nop9(c, (uint32_t)(c->ptr + 9 - c->start));
    store_all(c);
}

/* See the header comment: where the back edge's chain slot at `site`
 * (a jcc, 0f 8x rel32, or a jmp, e9 rel32) should lead for target, NULL: nowhere (it stays). */
const uint8_t *x64_vloop_chain_target(const uint8_t *site, intptr_t rw_delta,
                                      const uint8_t *target)
{
    static const uint8_t head[5] = { 0x66, 0x0f, 0x1f, 0x84, 0x00 };
    const uint8_t *m = site + rw_delta + (site[rw_delta] == 0x0f ? 6 : 5);
    if (memcmp(m, head, 5) || memcmp(m + 9, head, 5))
        return target;
    uint32_t a, stub;
    memcpy(&a, m + 5, 4);
    memcpy(&stub, m + 14, 4);
    const uint8_t *start = site - (a & 0xffff);
    if (!stub || (a >> 16) == 0)
        return target;              /* not one of ours (never emitted so) */
    if (target == start)
        return start + (a >> 16);
    return target == start + stub ? target : NULL;
}

/* After a whole emission: once more, armed, when the first saw carried
 * slots; once more, plainly, when the armed one failed or dropped none. */
bool be_emit_again(struct be_code *c)
{
    bool guard = vl.guard;
    vl.guard = vl.first = false;    /* until the next emission's first op */
    if (vl.block != c->start)
        return false;
    if (vl.state == VL_OBSERVE && guard && vl.n > 0) {
        vl.state = VL_ARMED;
        return true;
    }
    if (vl.state == VL_ARMED && (vl.failed || !vl.dropped)) {
        vl.state = VL_PLAIN;
        return true;
    }
    vl.block = NULL;
    return false;
}
