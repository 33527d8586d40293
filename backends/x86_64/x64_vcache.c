/* x64_vcache.c -- the env-slot cache of the vector ops (x64_vec.c): which
 * of xmm8-xmm15 (used by no other translated code; the slow-path stub of
 * x64_vec.c saves them around its C call) holds an exact copy of which
 * 16-byte env slot, so that an op reads its operands from registers
 * instead of reloading what the op before it just stored (a store-
 * forwarding round trip on every dependency chain).  Write-through: every
 * vector result is still stored to env, so env is always current and
 * faults, helper calls and exits need nothing.
 *
 * Valid only along one unbroken run of emission in one block: the cache
 * remembers where the last emitter it trusts stopped (start, end); code
 * emitted by anything else (block start, an exit, a helper call, a guest
 * access through the software MMU's C stub, any op not known to leave
 * xmm8-15 and the cached slots alone) breaks the run and empties it.
 * Emission is serialised by the translation lock, like x64_ops.c's
 * flags_op. */
#include "x64_backend.h"
#include "x64_encode_sse.h"
#include "x64_vec.h"

enum { VC_N = X64_VC_LAST - X64_VC_FIRST + 1 };

static struct {
    const uint8_t *start, *end;     /* the run the entries are valid in */
    int32_t off[VC_N];              /* env offset held, or VC_EMPTY */
    unsigned used[VC_N];            /* last use, for eviction */
    unsigned clock;
    bool inside;                    /* between begin and end: one op's code */
} vc;

#define VC_EMPTY INT32_MIN

void x64_vc_reset(void)
{
    for (int k = 0; k < VC_N; k++)
        vc.off[k] = VC_EMPTY;
    vc.start = vc.end = NULL;
}

/* Entering one IR op's emitter: empty unless the run goes on.  The
 * allocator glue it calls itself (movi) is judged with the op, by end. */
void x64_vc_begin(const struct be_code *c)
{
    if (vc.start != c->start || vc.end != c->ptr)
        x64_vc_reset();
    vc.inside = true;
}

/* Leaving it: kept (its code left xmm8-15 and the cached slots alone, or
 * it updated the cache itself) continues the run; else the cache empties. */
void x64_vc_end(const struct be_code *c, bool kept)
{
    vc.inside = false;
    if (!kept) {
        x64_vc_reset();
        return;
    }
    vc.start = c->start;
    vc.end = c->ptr;
}

/* Emission from `before` to c->ptr kept xmm8-15 and env's vector slots. */
void x64_vc_keep(const struct be_code *c, const uint8_t *before)
{
    if (vc.inside)
        return;
    if (vc.start != c->start || vc.end != before) {
        x64_vc_reset();
        return;
    }
    vc.end = c->ptr;
}

/* Forgets every slot overlapping env bytes [off, off + n). */
void x64_vc_forget(int32_t off, unsigned n)
{
    for (int k = 0; k < VC_N; k++)
        if (vc.off[k] != VC_EMPTY && vc.off[k] < off + (int32_t)n && off < vc.off[k] + 16)
            vc.off[k] = VC_EMPTY;
}

/* As keep, after an env write of n bytes at off by non-vector code. */
void x64_vc_clobber(const struct be_code *c, const uint8_t *before, int32_t off, unsigned n)
{
    x64_vc_keep(c, before);
    x64_vc_forget(off, n);
}

/* The register holding slot off, or -1. */
int x64_vc_find(int32_t off)
{
    for (int k = 0; k < VC_N; k++)
        if (vc.off[k] == off) {
            vc.used[k] = ++vc.clock;
            return X64_VC_FIRST + k;
        }
    return -1;
}

/* A register for a new copy, neither avoid0 nor avoid1: an empty one,
 * else the least recently used.  Its old slot is forgotten. */
int x64_vc_pick(int avoid0, int avoid1)
{
    int best = -1;
    for (int k = 0; k < VC_N; k++) {
        int r = X64_VC_FIRST + k;
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
    return X64_VC_FIRST + best;
}

/* Register r now holds slot off exactly (every other copy is forgotten). */
void x64_vc_set(int r, int32_t off)
{
    x64_vc_forget(off, 16);
    for (int k = 0; k < VC_N; k++)
        if (X64_VC_FIRST + k == r) {
            vc.off[k] = off;
            vc.used[k] = ++vc.clock;
        }
}

/* The slot register r holds, or -1 when none. */
int32_t x64_vc_slot(int r)
{
    int k = r - X64_VC_FIRST;
    return k >= 0 && k < VC_N && vc.off[k] != VC_EMPTY ? vc.off[k] : -1;
}
