/* a64_vcache.c -- the env-slot cache of the vector ops (a64_vec.c): which
 * of v16-v31 (caller-saved in AAPCS64 and used by no other translated
 * code) holds an exact copy of which 16-byte env slot, so that an op
 * reads its operands from registers instead of reloading what the op
 * before it just stored.  Write-through: every vector result is still
 * stored to env, so env is always current and faults and exits need
 * nothing.  The same bookkeeping as backends/x86_64/x64_vcache.c.
 *
 * Valid only along one unbroken run of emission in one block: the cache
 * remembers where the last emitter it trusts stopped (start, end); code
 * emitted by anything else (block start, an exit, a helper call, a vector
 * op's slow path, a guest access through the software MMU's C stub, any op
 * not known to leave v16-v31 and the cached slots alone, code taken back
 * to merge accesses) breaks the run and empties it.  Emission is
 * serialised by the translation lock. */
#include "a64_emit.h"
#include "a64_vec.h"

enum { VC_N = A64_VC_LAST - A64_VC_FIRST + 1 };

static struct {
    const uint8_t *start, *end;     /* the run the entries are valid in */
    int32_t off[VC_N];              /* env offset held, or VC_EMPTY */
    unsigned used[VC_N];            /* last use, for eviction */
    unsigned clock;
    bool inside;                    /* between begin and end: one op's code */
} vc;

#define VC_EMPTY INT32_MIN

void a64_vc_reset(void)
{
    for (int k = 0; k < VC_N; k++)
        vc.off[k] = VC_EMPTY;
    vc.start = vc.end = NULL;
}

/* Entering one IR op's emitter: empty unless the run goes on.  The
 * allocator glue it calls itself (movi) is judged with the op, by end. */
void a64_vc_begin(const struct be_code *c)
{
    if (vc.start != c->start || vc.end != c->ptr)
        a64_vc_reset();
    vc.inside = true;
}

/* Leaving it: kept (its code left xmm8-15 and the cached slots alone, or
 * it updated the cache itself) continues the run; else the cache empties. */
void a64_vc_end(const struct be_code *c, bool kept)
{
    vc.inside = false;
    if (!kept) {
        a64_vc_reset();
        return;
    }
    vc.start = c->start;
    vc.end = c->ptr;
}

/* Emission from `before` to c->ptr kept xmm8-15 and env's vector slots. */
void a64_vc_keep(const struct be_code *c, const uint8_t *before)
{
    if (vc.inside)
        return;
    if (vc.start != c->start || vc.end != before) {
        a64_vc_reset();
        return;
    }
    vc.end = c->ptr;
}

/* Forgets every slot overlapping env bytes [off, off + n). */
void a64_vc_forget(int32_t off, unsigned n)
{
    for (int k = 0; k < VC_N; k++)
        if (vc.off[k] != VC_EMPTY && vc.off[k] < off + (int32_t)n && off < vc.off[k] + 16)
            vc.off[k] = VC_EMPTY;
}

/* As keep, after an env write of n bytes at off by non-vector code. */
void a64_vc_clobber(const struct be_code *c, const uint8_t *before, int32_t off, unsigned n)
{
    a64_vc_keep(c, before);
    a64_vc_forget(off, n);
}

/* The register holding slot off, or -1. */
int a64_vc_find(int32_t off)
{
    for (int k = 0; k < VC_N; k++)
        if (vc.off[k] == off) {
            vc.used[k] = ++vc.clock;
            return A64_VC_FIRST + k;
        }
    return -1;
}

/* A register for a new copy, neither avoid0 nor avoid1: an empty one,
 * else the least recently used.  Its old slot is forgotten. */
int a64_vc_pick(int avoid0, int avoid1)
{
    int best = -1;
    for (int k = 0; k < VC_N; k++) {
        int r = A64_VC_FIRST + k;
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
    return A64_VC_FIRST + best;
}

/* Register r now holds slot off exactly (every other copy is forgotten). */
void a64_vc_set(int r, int32_t off)
{
    a64_vc_forget(off, 16);
    for (int k = 0; k < VC_N; k++)
        if (A64_VC_FIRST + k == r) {
            vc.off[k] = off;
            vc.used[k] = ++vc.clock;
        }
}

/* The slot register r holds, or -1 when none. */
int32_t a64_vc_slot(int r)
{
    int k = r - A64_VC_FIRST;
    return k >= 0 && k < VC_N && vc.off[k] != VC_EMPTY ? vc.off[k] : -1;
}
