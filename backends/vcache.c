/* vcache.c -- the env-slot cache of the vector ops, host-independent
 * (vcache.h): which of the host's cache registers (vcache_first ..
 * vcache_last: xmm8-xmm15 on x86-64, v16-v31 on AArch64, used by no other
 * translated code) holds an exact copy of which 16-byte env slot, so that
 * an op reads its operands from registers instead of reloading what the
 * op before it just stored (a store-forwarding round trip on every
 * dependency chain).  Write-through: every vector result is still stored
 * to env, so env is always current and faults and exits need nothing.
 * The backends emit the code (x64_vec.c, a64_vec.c) and tell this file
 * what they emitted.
 *
 * Valid only along one unbroken run of emission in one block: the cache
 * remembers where the last emitter it trusts stopped (start, end); code
 * emitted by anything else (block start, an exit, a helper call, a guest
 * access through the software MMU's C stub, any op not known to leave the
 * cache registers and the cached slots alone) breaks the run and empties
 * it.  Emission is serialised by the translation lock. */
#include <stdlib.h>

#include "vcache.h"

static int vc_n(void) { return vcache_last - vcache_first + 1; }

static struct {
    const uint8_t *start, *end;     /* the run the entries are valid in */
    int32_t off[VCACHE_MAX];        /* env offset held, or VC_EMPTY */
    unsigned used[VCACHE_MAX];      /* last use, for eviction */
    unsigned clock;
    uint32_t picked;                /* registers vcache_pick gave out (bit k) */
    int32_t watch_off;              /* vcache_watch's slot, or VC_EMPTY */
    int watch_reg;
    bool watch_hit;                 /* written other than into watch_reg */
    bool inside;                    /* between begin and end: one op's code */
} vc;

#define VC_EMPTY INT32_MIN

void vcache_reset(void)
{
    if (vc_n() > VCACHE_MAX)
        abort();                    /* a backend's range outgrew the table */
    for (int k = 0; k < vc_n(); k++)
        vc.off[k] = VC_EMPTY;
    vc.start = vc.end = NULL;
}

/* Entering one IR op's emitter: empty unless the run goes on.  The
 * allocator glue it calls itself (movi) is judged with the op, by end. */
void vcache_begin(const struct be_code *c)
{
    if (vc.start != c->start || vc.end != c->ptr)
        vcache_reset();
    vc.inside = true;
}

/* Leaving it: kept (its code left the cache registers and the cached slots
 * alone, or it updated the cache itself) continues the run; else the cache
 * empties. */
void vcache_end(const struct be_code *c, bool kept)
{
    vc.inside = false;
    if (!kept) {
        vcache_reset();
        return;
    }
    vc.start = c->start;
    vc.end = c->ptr;
}

/* Emission from `before` to c->ptr kept the cache registers and env's
 * vector slots. */
void vcache_keep(const struct be_code *c, const uint8_t *before)
{
    if (vc.inside)
        return;
    if (vc.start != c->start || vc.end != before) {
        vcache_reset();
        return;
    }
    vc.end = c->ptr;
}

static bool overlaps(int32_t a, unsigned n, int32_t slot)
{
    return slot != VC_EMPTY && slot < a + (int32_t)n && a < slot + 16;
}

/* Forgets every slot overlapping env bytes [off, off + n). */
void vcache_forget(int32_t off, unsigned n)
{
    if (overlaps(off, n, vc.watch_off))
        vc.watch_hit = true;
    for (int k = 0; k < vc_n(); k++)
        if (vc.off[k] != VC_EMPTY && vc.off[k] < off + (int32_t)n && off < vc.off[k] + 16)
            vc.off[k] = VC_EMPTY;
}

/* As keep, after an env write of n bytes at off by non-vector code. */
void vcache_clobber(const struct be_code *c, const uint8_t *before, int32_t off, unsigned n)
{
    vcache_keep(c, before);
    vcache_forget(off, n);
}

/* The register holding slot off, or -1. */
int vcache_find(int32_t off)
{
    for (int k = 0; k < vc_n(); k++)
        if (vc.off[k] == off) {
            vc.used[k] = ++vc.clock;
            return vcache_first + k;
        }
    return -1;
}

/* A register for a new copy, neither avoid0 nor avoid1: an empty one,
 * else the least recently used.  Its old slot is forgotten. */
int vcache_pick(int avoid0, int avoid1)
{
    int best = -1;
    for (int k = 0; k < vc_n(); k++) {
        int r = vcache_first + k;
        if (r == avoid0 || r == avoid1)
            continue;
        if (vc.off[k] == VC_EMPTY) {
            best = k;
            break;
        }
        if (best < 0 || vc.used[k] < vc.used[best])
            best = k;
    }
    vc.off[best] = VC_EMPTY;
    vc.used[best] = ++vc.clock;
    vc.picked |= 1u << best;
    return vcache_first + best;
}

/* Register r given out as vcache_pick gives one (its slot forgotten):
 * a backend's choice of a particular register. */
void vcache_take(int r)
{
    int k = r - vcache_first;
    vc.off[k] = VC_EMPTY;
    vc.used[k] = ++vc.clock;
    vc.picked |= 1u << k;
}

/* Register r now holds slot off exactly (every other copy is forgotten). */
void vcache_set(int r, int32_t off)
{
    bool hit = vc.watch_hit;
    vcache_forget(off, 16);
    if (off == vc.watch_off && r == vc.watch_reg)
        vc.watch_hit = hit;         /* the watched register got the slot's new value */
    for (int k = 0; k < vc_n(); k++)
        if (vcache_first + k == r) {
            vc.off[k] = off;
            vc.used[k] = ++vc.clock;
        }
}

/* The slot register r holds, or -1 when none. */
int32_t vcache_slot(int r)
{
    int k = r - vcache_first;
    return k >= 0 && k < vc_n() && vc.off[k] != VC_EMPTY ? vc.off[k] : -1;
}

/* The registers (bit r - vcache_first) given out for new values since the
 * last call: the only writes to them besides a C call's. */
uint32_t vcache_take_picked(void)
{
    uint32_t m = vc.picked;
    vc.picked = 0;
    return m;
}

/* A run that starts here with only register r, holding slot off (code
 * before it put the value there: a loop's preamble). */
void vcache_start_with(const struct be_code *c, int r, int32_t off)
{
    vcache_reset();
    vcache_set(r, off);
    vc.start = c->start;
    vc.end = c->ptr;
}

/* Watches slot off, held in register r: vcache_watch_hit says whether,
 * since, something wrote it other than into r (a64_hoist.c's loop-
 * invariant slot; off VC_EMPTY-like -1 stops watching). */
void vcache_watch(int r, int32_t off)
{
    vc.watch_off = off < 0 ? VC_EMPTY : off;
    vc.watch_reg = r;
    vc.watch_hit = false;
}

bool vcache_watch_hit(void)
{
    return vc.watch_hit;
}

/* Ops whose code (in either backend) leaves the cache registers and env's
 * vector slots alone: integer ops on registers, env loads, st_env (which
 * the backends follow with vcache_clobber of the bytes it names), and
 * guest accesses that reach memory directly (through the software MMU a
 * TLB miss calls C; guest code cannot address env; a host-address store
 * may aim at env), conditional exits.  Everything else (other exits,
 * calls, atomics, canon_test)
 * empties the cache; a backend adds what else its own code keeps. */
bool vcache_keeps_op(const struct be_code *c, const struct ir_insn *i)
{
    switch (i->op) {
    case IR_insn_start: case IR_mov: case IR_add: case IR_sub: case IR_mul:
    case IR_mulhu: case IR_mulhs: case IR_and: case IR_or: case IR_xor: case IR_andc:
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr: case IR_neg:
    case IR_not: case IR_ext8u: case IR_ext8s: case IR_ext16u: case IR_ext16s:
    case IR_ext32u: case IR_ext32s: case IR_extract: case IR_deposit: case IR_bswap:
    case IR_clz: case IR_ctz: case IR_setcond: case IR_movcond: case IR_subf:
    case IR_addf: case IR_andf: case IR_setflags: case IR_movflags: case IR_discard:
    case IR_ld_env: case IR_st_env:
    /* conditional exits: the path that goes on ran only the compare (the
     * taken one leaves the block, and env holds every slot: vector ops
     * store their results) -- an aligned or page-checked vector load's
     * test no longer empties the cache in glibc's string loops */
    case IR_brcond: case IR_brexit: case IR_brflags:
        return true;
    case IR_ld: case IR_ldx:
        return be_access_is_direct(c, i->size);
    case IR_st: case IR_stx:
        return be_access_is_direct(c, i->size) && !(i->size & IR_MO_HOST);
    default:
        return false;
    }
}
