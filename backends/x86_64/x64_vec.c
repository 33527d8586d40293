/* x64_vec.c -- the vector IR ops (ir_ops.def, IR_F_VEC) on x86-64 with
 * SSE: a is loaded into xmm0, b into xmm1, the host's own instruction for
 * the op computes xmm0, which is stored to d.  Scratch: xmm0-xmm3, xmm7,
 * rax, rcx, rdx as for every op.  Also the host's MXCSR.DE for the guest
 * (be_fp_denormal_flag, be_ucontext_fp_flags).
 *
 * The host is x86, so its results, NaNs and exception flags are x86's by
 * definition; the host MXCSR's sticky flags are the guest's, merged in by
 * x86_sse_float.c when the guest reads MXCSR: IE ZE OE UE PE through the
 * C library, DE (a denormal operand) through be_fp_denormal_flag.  Float
 * ops take the slow path, which computes with the op's exact C helper,
 * while the guest MXCSR is not in its default state (input 0 nonzero:
 * DAZ, FTZ, another rounding or an unmasked exception), as do ops whose
 * instruction the host lacks (SSSE3/SSE4.1).  The slow path calls
 * fn(env, d, s, imm) through one stub per code cache (x64_vec_emit_stub,
 * right after the epilogue): rax = fn, ecx = d, rcx >> 32 = imm, rdx = s;
 * the result comes back in rax.  The stub saves the allocatable
 * call-clobbered registers, and clears the host DE flag the helper's own
 * arithmetic raised (the helper records the guest's DE in env). *
 * Operands live in the env-slot cache's registers (backends/vcache.c).
 * The two-operand SSE forms overwrite their first source, so d = op(a, b)
 * with a kept (a is not d) first copies a (movdqa); where the host has
 * AVX (x64_host.c) the VEX.128 three-operand form reads a where it is
 * instead (x64_emit_vex_rvm/vmi).  Ops that read only b (pshufd, packed
 * sqrt) do not read a at all.
 */
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "x64_backend.h"
#include "x64_encode_sse.h"
#include "x64_host.h"
#include "x64_vec.h"

enum { XA = 0, XB = 1, XT = 2 };
enum { MAX_SLOW = 4 };
/* A form's host feature beyond SSE2 (x64_host.h), or none: SSE2 is in
 * every x86-64 CPU. */
enum { F_SSE2 = -1, F_SSSE3 = X64_HOST_SSSE3, F_SSE41 = X64_HOST_SSE41, F_SSE42 = X64_HOST_SSE42 };

struct xctx {
    struct be_code *c;
    const struct ir_insn *i;
    uint8_t *slow[MAX_SLOW];        /* jcc rel32 sites to the slow path */
    int n_slow;
    unsigned fresh;                 /* cache registers this op filled (bit r) */
    uint8_t *store, *store_end;     /* its full result store (store_w), if any */
};

/* The stub's length: it ends where the epilogue starts (the same code in
 * every code cache). */
static ptrdiff_t stub_bytes = -1;

/* backends/vcache.c's registers on this host. */
const int vcache_first = X64_VC_FIRST, vcache_last = X64_VC_LAST;

static bool host_has(int feature)
{
    return feature == F_SSE2 || x64_host_has((enum x64_host_feature)feature);
}

static int32_t disp(int32_t off) { return x64_env_disp(off); }

/* Full 16-byte stores of op results to env that may still turn out dead
 * (`pend`, up to N_PEND): a later op overwrites the whole slot and, from
 * the store up to that op's own store, only code that cannot observe env
 * ran -- vector ops emitted inline without a slow path, helper, guest
 * access or table of their own (pend_op_safe), integer register ops, the
 * allocator's register and env glue (x64_vec_pend_keep) -- and nothing
 * read or wrote the slot's env bytes (the cached copy was read instead).
 * No fault point, exit, branch, helper call or signal can fall in between
 * (a float op here has a constant default MXCSR mode: no #XM), so nothing
 * sees env in between, and the first store goes: the code after it moves
 * back (register and env-relative code only, no relocation: checked).
 * Any other code (an exit, a guest access, a call, a slow path, code no
 * hook reported) ends every pending store: it stays. */
enum { N_PEND = 8 };
static struct {
    const uint8_t *code;            /* the block's start */
    const uint8_t *end;             /* the code known to keep them ends here */
    unsigned relocs;                /* relocations listed then */
    bool inside;                    /* within x64_emit_vec: its glue is its own */
    int n;
    struct { uint8_t *at, *end; int32_t slot; } p[N_PEND];
} pend;

static unsigned n_relocs(const struct be_code *c) { return c->relocs ? c->relocs->n : 0; }

/* An entry with no store (at NULL) is a self-loop's carried slot
 * (x64_vloop.c): env's copy is stale from the loop entry on, its cache
 * register holds it.  It may leave the window only by a full overwrite
 * (pend_drop); any other way out (the window ending, an env access of
 * its bytes, a fault point where the register no longer holds it) would
 * need a store the code no longer has a place for: the emission fails
 * and the block is emitted again without the loop's write-back. */
static void pend_lose(int k)
{
    if (!pend.p[k].at)
        x64_vloop_fail();
    pend.p[k] = pend.p[--pend.n];
}

static void pend_clear(void)
{
    while (pend.n)
        pend_lose(pend.n - 1);
}

static bool pend_overlaps(int k, int32_t off, unsigned n)
{
    return off < pend.p[k].slot + 16 && pend.p[k].slot < off + (int32_t)n;
}

/* Env bytes [off, off + n) were read or written other than by the store
 * that makes a pending one dead: those pending stores stay. */
static void pend_touch(int32_t off, unsigned n)
{
    for (int k = 0; k < pend.n; k++)
        if (pend_overlaps(k, off, n))
            pend_lose(k--);
}

/* The cache register holding slot off, or -1 (the LRU order untouched). */
static int cached_reg(int32_t off)
{
    for (int r = X64_VC_FIRST; r <= X64_VC_LAST; r++)
        if (vcache_slot(r) == off)
            return r;
    return -1;
}

/* A direct guest access (a fault point) is emitted here: every pending
 * store's slot still in its cache register is named in the point's
 * fault map (be_fault_note_vec), so that a fault restores it from there;
 * the others (and `keep`, a ymm load's low half, whose store moves
 * behind the access) stay. */
static void pend_access(int32_t keep)
{
    for (int k = 0; k < pend.n; k++) {
        int r = cached_reg(pend.p[k].slot);
        if (pend.p[k].slot == keep || r < 0 || !be_fault_note_vec(pend.p[k].slot, r))
            pend_lose(k--);
    }
}

/* Whether the run of code that keeps the pending stores reaches c->ptr. */
static bool pend_continues(const struct be_code *c)
{
    return pend.code == c->start && pend.end == c->ptr && pend.relocs == n_relocs(c);
}

static bool pend_continues_from(const struct be_code *c, const uint8_t *before)
{
    return pend.code == c->start && pend.end == before && pend.relocs == n_relocs(c);
}

void x64_vec_pend_keep(const struct be_code *c, const uint8_t *before, int32_t off, unsigned n)
{
    if (pend.inside || !pend.n)
        return;
    if (pend.code != c->start || pend.end != before || pend.relocs != n_relocs(c)) {
        pend_clear();
        return;
    }
    if (n)
        pend_touch(off, n);
    pend.end = c->ptr;
}

/* The op being emitted (x64_emit_vec), for the crypto ops' result store. */
static struct xctx *cur;

void x64_vec_env_read(int32_t off, unsigned n)
{
    pend_touch(off, n);
}

void x64_vec_pend_end(void)
{
    pend_clear();
}

void x64_vec_pend_op_begin(void)
{
    pend.inside = true;
}

/* A conditional exit emitted from `before`: the pending stores stay
 * (the exit may see env); a self-loop's carried slots not yet overwritten
 * in this pass go on past it, its exit path having stored them
 * (x64_vloop_exit_stale), when the run of code reaches it. */
static void pend_past_exit(const struct be_code *c, const uint8_t *before)
{
    bool on = pend.code == c->start && pend.end == before;
    for (int k = 0; k < pend.n; k++)
        if (pend.p[k].at || !on)
            pend_lose(k--);
    pend.end = c->ptr;
    pend.relocs = n_relocs(c);          /* (an inline exit's jump to the epilogue) */
}

/* A non-vector op emitted from `before`: integer register ops and env
 * loads and stores keep the pending stores (those of the bytes they name
 * stay), direct guest accesses too (their fault points name the cache
 * registers, pend_access); branches, exits, calls, accesses through the
 * software MMU end them. */
void x64_vec_pend_op(const struct be_code *c, const struct ir_insn *i, const uint8_t *before)
{
    pend.inside = false;
    bool env = i->op == IR_ld_env || i->op == IR_st_env;
    switch (i->op) {
    case IR_ld: case IR_ldx: case IR_st: case IR_stx:
        if (!vcache_keeps_op(c, i) || (i->size & IR_MO_HOST) || !pend_continues_from(c, before)) {
            pend_clear();           /* the software MMU's C stub; a host address */
            return;
        }
        pend_access(INT32_MIN);             /* the access left the cache registers alone */
        x64_vec_pend_keep(c, before, 0, 0);
        return;
    case IR_brcond: case IR_brexit: case IR_brflags:
        pend_past_exit(c, before);
        return;
    default:
        if (!vcache_keeps_op(c, i)) {
            pend_clear();
            return;
        }
        x64_vec_pend_keep(c, before, env ? (int32_t)i->aux[0] : 0,
                          env ? ir_memop_bytes(i->size) : 0);
    }
}

/* xmm <-> [base + disp]: movd (66 6E/7E), movq (F3 7E / 66 D6) or
 * movdqu by access size (loads zero-extend). */
static void xfer(struct xctx *x, unsigned n, bool load, int xmm, int base, int32_t d)
{
    if (base == X64_ENV)
        pend_touch(d + X64_ENV_BIAS, n);
    if (n == 16)
        x64_emit_sse_rm(x->c, X64_P_F3, load ? 0x0f6f : 0x0f7f, xmm, base, d);
    else if (n == 8)
        x64_emit_sse_rm(x->c, load ? X64_P_F3 : X64_P_66, load ? 0x0f7e : 0x0fd6, xmm, base, d);
    else
        x64_emit_sse_rm(x->c, X64_P_66, load ? 0x0f6e : 0x0f7e, xmm, base, d);
}

static void load(struct xctx *x, int xmm, int32_t off)
{
    xfer(x, 16, true, xmm, X64_ENV, disp(off));
}

/* ---- the env-slot cache (backends/vcache.c) ---- */

static void movdqa(struct xctx *x, int dst, int src)
{
    if (dst != src)
        x64_emit_sse_rr(x->c, X64_P_66, false, 0x0f6f, dst, src);
}

static void cache_set(struct xctx *x, int r, int32_t off)
{
    vcache_set(r, off);
    x->fresh |= 1u << r;
}

/* A new cache register for d: a self-loop's carried slot goes back into
 * the register that carries it around the loop (x64_vloop_home), so that
 * the back edge finds it there. */
static int pick_d(const struct xctx *x, int avoid0, int avoid1)
{
    int r = x64_vloop_home(x->c, ir_vec_d(x->i));
    if (r < 0 || r == avoid0 || r == avoid1)
        return vcache_pick(avoid0, avoid1);
    vcache_take(r);
    return r;
}

/* A register holding slot off (its low n bytes at least) to read: its
 * cached copy, else loaded into a new cache register (never `avoid`)
 * when n is 16, else into scratch. */
static int src_reg(struct xctx *x, int32_t off, unsigned n, int scratch, int avoid)
{
    int r = vcache_find(off);
    if (r >= 0)
        return r;
    if (n != 16) {
        xfer(x, n, true, scratch, X64_ENV, disp(off));
        return scratch;
    }
    r = vcache_pick(avoid, -1);
    load(x, r, off);
    cache_set(x, r, off);
    return r;
}

/* The register w the op computes d in (*full: it will hold all 16 bytes
 * of d): a's cached copy when a is d (the op overwrites it), else a new
 * cache register, never rb.  ra: a's cached copy or -1.  *r1: the
 * register the op reads a from -- w, which a is copied or loaded into
 * (its n low bytes at least) for the two-operand SSE form, or, when the
 * caller has a VEX form (r1 not NULL) and the host has AVX, a's cached
 * copy itself: the three-operand form needs no copy. */
static int work_reg(struct xctx *x, int ra, unsigned n, int rb, int *r1, bool *full)
{
    int32_t a = ir_vec_a(x->i);
    *full = ra >= 0 || n == 16;
    int w = ra >= 0 && a == ir_vec_d(x->i) ? ra : pick_d(x, ra, rb);
    bool vex = r1 && ra >= 0 && x64_host_has(X64_HOST_AVX);
    if (r1)
        *r1 = vex ? ra : w;
    if (ra >= 0 && !vex)
        movdqa(x, w, ra);
    else if (ra < 0)
        xfer(x, n, true, w, X64_ENV, disp(a));
    return w;
}

/* The operands of d = op(a, b) (n bytes each): b's register in *rb, a's
 * in *r1, the returned register the op writes (work_reg). */
static int operands(struct xctx *x, unsigned n, int *rb, int *r1, bool *full)
{
    int ra = vcache_find(ir_vec_a(x->i));
    *rb = src_reg(x, ir_vec_b(x->i), n, XB, ra);
    return work_reg(x, ra, n, *rb, r1, full);
}

/* The operand of d = op(b) for the ops that do not read a (pshufd,
 * pshuflw, pshufhw, packed sqrt): b's register in *rb, and a new one for
 * d, which the op writes in full. */
static int one_source(struct xctx *x, int *rb)
{
    *rb = src_reg(x, ir_vec_b(x->i), 16, XB, -1);
    return pick_d(x, *rb, -1);
}

/* op w, r1, rb: the SSE form when r1 is w, else its VEX.128 three-operand
 * form (work_reg chose it: the host has AVX). */
static void op3(struct xctx *x, enum x64_sse_pfx p, uint32_t opc, int w, int r1, int rb)
{
    if (r1 == w)
        x64_emit_sse_rr(x->c, p, false, opc, w, rb);
    else
        x64_emit_vex_rvm(x->c, p, opc, w, r1, rb);
}

/* Ops whose code before their store is register code or env loads. */
static bool dead_op_ok(enum ir_op op)
{
    return !IR_VEC_IS_MOVE(op) || op == IR_vmov || op == IR_vmovl;
}

/* Takes pending store k out of the code: what follows it moves back,
 * the fault points recorded behind it with it. */
static void pend_cut(struct be_code *c, int k)
{
    uint8_t *at = pend.p[k].at, *end = pend.p[k].end;
    size_t len = (size_t)(end - at), tail = (size_t)(c->ptr - end);
    memmove(be_writable(c, at), be_writable(c, end), tail);
    c->ptr -= len;
    be_fault_code_cut((uint32_t)(at - c->start), (uint32_t)len);
    pend.p[k] = pend.p[--pend.n];
    for (int j = 0; j < pend.n; j++)
        if (pend.p[j].at > at) {
            pend.p[j].at -= len;
            pend.p[j].end -= len;
        }
    pend.end = c->ptr;
}

/* Drops the pending store to d when this op's full store makes it dead
 * (see `pend`): the code after it moves back, this op's with it. */
static void pend_drop(struct xctx *x, unsigned n)
{
    int32_t d = ir_vec_d(x->i);
    if (n != 16 || x->n_slow || pend.code != x->c->start || pend.relocs != n_relocs(x->c))
        return;
    for (int k = 0; k < pend.n; k++) {
        if (pend.p[k].slot != d)
            continue;
        if (!pend.p[k].at)              /* a carried slot: env current again, */
            pend.p[k] = pend.p[--pend.n];   /* a vld's fault point named it */
        else if (dead_op_ok(x->i->op))
            pend_cut(x->c, k);
        return;
    }
}

/* ---- a self-loop's carried slots (x64_vloop.c) ---- */

/* At the loop entry: slot off's current value is in cache register r
 * only (the preamble loaded it, or the back edge kept it there). */
void x64_vec_pend_seed(const struct be_code *c, int32_t off, int r)
{
    if (pend.n >= N_PEND) {
        x64_vloop_fail();
        return;
    }
    if (!pend.n) {
        pend.code = c->start;
        pend.relocs = n_relocs(c);
    }
    pend.end = c->ptr;
    pend.p[pend.n++] = (__typeof__(pend.p[0])){ NULL, NULL, off };
}

/* At a conditional exit out of the loop (within its op, whose compare
 * left the xmm registers alone; pend_past_exit then checks that the run
 * of code reached the op): the carried slots not yet overwritten in this
 * pass (env stale), with their registers; -1 when one is no longer in
 * its register. */
int x64_vec_pend_stale(const struct be_code *c, int32_t *slots, int *regs, int max)
{
    int n = 0;
    for (int k = 0; k < pend.n; k++) {
        if (pend.p[k].at)
            continue;
        int r = cached_reg(pend.p[k].slot);
        if (r < 0 || n == max || pend.code != c->start)
            return -1;
        slots[n] = pend.p[k].slot;
        regs[n++] = r;
    }
    return n;
}

/* At a jump back to the loop entry (code from c->ptr on): the slots whose
 * store is still pending in its cache register (up to max), 0 when the
 * run of code that keeps them does not reach here. */
int x64_vec_pend_carried(const struct be_code *c, int32_t *slots, int *regs, int max)
{
    int n = 0;
    if (!pend_continues(c))
        return 0;
    for (int k = 0; k < pend.n && n < max; k++) {
        int r = cached_reg(pend.p[k].slot);
        if (pend.p[k].at && r >= 0) {
            slots[n] = pend.p[k].slot;
            regs[n++] = r;
        }
    }
    return n;
}

/* The same jump on the emission that keeps them: each slot's pending
 * store goes (the register carries it into the next pass); false, none
 * dropped, when one is not pending in its register. */
bool x64_vec_pend_back_edge(struct be_code *c, const int32_t *slots, const int *regs, int n)
{
    if (!pend_continues(c) || pend.relocs != n_relocs(c))
        return false;
    int at[N_PEND];
    for (int j = 0; j < n; j++) {
        at[j] = -1;
        for (int k = 0; k < pend.n; k++)
            if (pend.p[k].slot == slots[j] && pend.p[k].at && cached_reg(slots[j]) == regs[j])
                at[j] = k;
        if (at[j] < 0)
            return false;
    }
    for (int j = 0; j < n; j++)
        for (int k = 0; k < pend.n; k++)
            if (pend.p[k].slot == slots[j] && pend.p[k].at) {
                pend_cut(c, k);
                break;
            }
    return true;
}

/* Stores the low n bytes of w to d; from now on w is d's copy when it
 * holds all of d: all 16 bytes stored, or the rest of d is a's, which w
 * held in full (the scalar forms keep the upper lanes). */
static void store_w(struct xctx *x, int w, unsigned n, bool full)
{
    int32_t d = ir_vec_d(x->i);
    pend_drop(x, n);
    uint8_t *at = x->c->ptr;
    xfer(x, n, false, w, X64_ENV, disp(d));
    if (n == 16 && full) {
        x->store = at;
        x->store_end = x->c->ptr;
    }
    vcache_forget(d, 16);
    if (full && (n == 16 || ir_vec_a(x->i) == d))
        cache_set(x, w, d);
}

void x64_vec_store_result(struct be_code *c, int w)
{
    if (!cur || cur->c != c)
        abort();                    /* a ferry bug: only from x64_emit_vec's ops */
    store_w(cur, w, 16, true);
}

static void to_slow(struct xctx *x, enum x64_cc cc)
{
    if (x->n_slow >= MAX_SLOW)
        abort();                    /* a ferry bug: raise MAX_SLOW */
    x->slow[x->n_slow++] = x->c->ptr;
    x64_emit_jcc_rel32(x->c, cc, x->c->ptr);
}

/* ---- integer and data-movement ops ---- */

struct sse_form { uint32_t opc; int8_t feature; };
#define P(o) { 0x0f##o, F_SSE2 }
#define P38(o, f) { 0x0f38##o, f }
/* 66-prefixed two-operand forms per element size 8, 16, 32, 64. */
static const struct sse_form int2[IR_NUM_OPS][4] = {
    [IR_vand]   = { P(db), P(db), P(db), P(db) },
    [IR_vor]    = { P(eb), P(eb), P(eb), P(eb) },
    [IR_vxor]   = { P(ef), P(ef), P(ef), P(ef) },
    [IR_vandn]  = { P(df), P(df), P(df), P(df) },
    [IR_vadd]   = { P(fc), P(fd), P(fe), P(d4) },
    [IR_vsub]   = { P(f8), P(f9), P(fa), P(fb) },
    [IR_vadds]  = { P(ec), P(ed) },
    [IR_vaddus] = { P(dc), P(dd) },
    [IR_vsubs]  = { P(e8), P(e9) },
    [IR_vsubus] = { P(d8), P(d9) },
    [IR_vmul]   = { [1] = P(d5), [2] = P38(40, F_SSE41) },
    [IR_vmulhs] = { [1] = P(e5) },
    [IR_vmulhu] = { [1] = P(e4) },
    [IR_vmulwu] = { [2] = P(f4) },
    [IR_vmaddw] = { [1] = P(f5) },
    [IR_vcmpeq] = { P(74), P(75), P(76), P38(29, F_SSE41) },
    [IR_vcmpgt] = { P(64), P(65), P(66), P38(37, F_SSE42) },
    [IR_vmins]  = { P38(38, F_SSE41), P(ea), P38(39, F_SSE41) },
    [IR_vmaxs]  = { P38(3c, F_SSE41), P(ee), P38(3d, F_SSE41) },
    [IR_vminu]  = { P(da), P38(3a, F_SSE41), P38(3b, F_SSE41) },
    [IR_vmaxu]  = { P(de), P38(3e, F_SSE41), P38(3f, F_SSE41) },
    [IR_vavgu]  = { P(e0), P(e3) },
    [IR_vsadu]  = { P(f6) },
    [IR_vziplo] = { P(60), P(61), P(62), P(6c) },
    [IR_vziphi] = { P(68), P(69), P(6a), P(6d) },
    [IR_vpackss] = { [1] = P(63), [2] = P(6b) },
    [IR_vpackus] = { [1] = P(67), [2] = P38(2b, F_SSE41) },
    [IR_vtbl]   = { P38(00, F_SSSE3) },
};
/* Shifts by immediate: 66 0F 71/72/73 /ext ib, per element size. */
static const uint8_t shift_ext[IR_NUM_OPS][4] = {
    [IR_vshli] = { 0, 6, 6, 6 }, [IR_vshri] = { 0, 2, 2, 2 }, [IR_vsari] = { 0, 4, 4 },
};

static bool emit_int2(struct xctx *x)
{
    const struct sse_form *f = &int2[x->i->op][x->i->size & IR_VE_MASK];
    if (!f->opc || ir_vec_scalar(x->i) || !host_has(f->feature))
        return false;
    int rb, r1;
    bool full;
    int w = operands(x, 16, &rb, &r1, &full);
    op3(x, X64_P_66, f->opc, w, r1, rb);
    store_w(x, w, 16, full);
    return true;
}

static bool emit_shift(struct xctx *x)
{
    unsigned e = x->i->size & IR_VE_MASK, n = ir_vec_imm(x->i);
    enum ir_op op = x->i->op;
    bool bytes = op == IR_vshlb || op == IR_vshrb;
    unsigned ext = bytes ? (op == IR_vshlb ? 7 : 3) : shift_ext[op][e];
    if (!ext)
        return false;
    bool full;
    int r1;
    int w = work_reg(x, vcache_find(ir_vec_a(x->i)), 16, -1, &r1, &full);
    uint32_t opc = bytes ? 0x0f73 : 0x0f70 + e;
    if (r1 == w)
        x64_emit_sse_rr(x->c, X64_P_66, false, opc, (int)ext, w);
    else
        x64_emit_vex_vmi(x->c, X64_P_66, opc, (int)ext, w, r1);
    x64_emit_byte(x->c, (uint8_t)(n > 255 ? 255 : n));
    store_w(x, w, 16, full);
    return true;
}

/* valignr: palignr w, b (SSSE3; imm >= 32 gives zero there too), else
 * the SSE2 byte shifts of a and b or-ed. */
static bool emit_align(struct xctx *x)
{
    unsigned n = ir_vec_imm(x->i);
    int rb, r1;
    bool full, ssse3 = host_has(F_SSSE3);
    int w = operands(x, 16, &rb, ssse3 ? &r1 : NULL, &full);
    if (ssse3) {                    /* (v)palignr: VEX when a is not d's */
        op3(x, X64_P_66, 0x0f3a0f, w, r1, rb);
        x64_emit_byte(x->c, (uint8_t)n);
    } else if (n >= 32) {
        x64_emit_sse_rr(x->c, X64_P_66, false, 0x0fef, w, w);        /* pxor */
    } else if (n >= 16) {
        if (n > 16) {                                                 /* psrldq */
            x64_emit_sse_rr(x->c, X64_P_66, false, 0x0f73, 3, w);
            x64_emit_byte(x->c, (uint8_t)(n - 16));
        }
    } else if (n == 0) {
        movdqa(x, w, rb);
    } else {
        movdqa(x, XT, rb);
        x64_emit_sse_rr(x->c, X64_P_66, false, 0x0f73, 3, XT);       /* psrldq b, n */
        x64_emit_byte(x->c, (uint8_t)n);
        x64_emit_sse_rr(x->c, X64_P_66, false, 0x0f73, 7, w);        /* pslldq a, 16 - n */
        x64_emit_byte(x->c, (uint8_t)(16 - n));
        x64_emit_sse_rr(x->c, X64_P_66, false, 0x0feb, w, XT);       /* por */
    }
    store_w(x, w, 16, full);
    return true;
}

/* pshufd (66), pshuflw (F2), pshufhw (F3) from b; shufps/shufpd of a, b. */
static bool emit_shuffle(struct xctx *x)
{
    unsigned e = x->i->size & IR_VE_MASK;
    enum x64_sse_pfx p;
    uint32_t opc = 0x0f70;
    switch (x->i->op) {
    case IR_vshuf:   p = X64_P_66; if (e != IR_VE_32) return false; break;
    case IR_vshuflo: p = X64_P_F2; if (e != IR_VE_16) return false; break;
    case IR_vshufhi: p = X64_P_F3; if (e != IR_VE_16) return false; break;
    default:
        if (e != IR_VE_32 && e != IR_VE_64) return false;
        p = e == IR_VE_64 ? X64_P_66 : X64_PNONE;
        opc = 0x0fc6;
        break;
    }
    int rb, r1, w;
    bool full = true;
    if (opc == 0x0f70)              /* d from b alone */
        r1 = w = one_source(x, &rb);
    else
        w = operands(x, 16, &rb, &r1, &full);
    op3(x, p, opc, w, r1, rb);
    x64_emit_byte(x->c, (uint8_t)ir_vec_imm(x->i));
    store_w(x, w, 16, full);
    return true;
}

/* ---- float ops ---- */

static bool is_dbl(const struct ir_insn *i) { return (i->size & IR_VE_MASK) == IR_VE_64; }

/* The prefix of a float form: ps none, pd 66, ss F3, sd F2. */
static enum x64_sse_pfx fpfx(const struct ir_insn *i)
{
    if (ir_vec_scalar(i))
        return is_dbl(i) ? X64_P_F2 : X64_P_F3;
    return is_dbl(i) ? X64_P_66 : X64_PNONE;
}

static const uint16_t fop[IR_NUM_OPS] = {
    [IR_vfadd] = 0x0f58, [IR_vfmul] = 0x0f59, [IR_vfsub] = 0x0f5c, [IR_vfmin] = 0x0f5d,
    [IR_vfdiv] = 0x0f5e, [IR_vfmax] = 0x0f5f, [IR_vfsqrt] = 0x0f51, [IR_vfcmp] = 0x0fc2,
};

/* Input 0 nonzero: slow path.  False: always slow. */
static bool mode_check(struct xctx *x, const struct be_arg *mode)
{
    if (mode->is_const)
        return mode->imm == 0;
    x64_emit_test_rm_r(x->c, X64_W, mode->reg, mode->reg);
    to_slow(x, X64_CC_NE);
    return true;
}

/* Bytes of an operand: one lane for scalar forms (wider accesses would
 * not be forwarded from the lane-sized stores that often wrote it). */
static unsigned fbytes(const struct ir_insn *i)
{
    return ir_vec_scalar(i) ? (is_dbl(i) ? 8 : 4) : 16;
}

static void fstore(struct xctx *x, unsigned n)
{
    xfer(x, n, false, XA, X64_ENV, disp(ir_vec_d(x->i)));
    vcache_forget(ir_vec_d(x->i), 16);
}

/* ucomis/comis; EFLAGS ZF PF CF through lahf. */
static void emit_comi(struct xctx *x, const struct be_arg *out)
{
    bool comi = ir_vec_imm(x->i) & 1;
    unsigned n = fbytes(x->i);
    int rb = src_reg(x, ir_vec_b(x->i), n, XB, -1);
    int ra = src_reg(x, ir_vec_a(x->i), n, XA, rb);
    x64_emit_sse_rr(x->c, is_dbl(x->i) ? X64_P_66 : X64_PNONE, false, comi ? 0x0f2f : 0x0f2e,
                    ra, rb);
    x64_emit_lahf(x->c);
    x64_emit_op_rm_r(x->c, 0, 0x0fb6, X64_RAX, 4);         /* movzx eax, ah */
    x64_emit_alu_rm_imm(x->c, X64_AND, 0, X64_RAX, 0x45);  /* ZF PF CF */
    x64_emit_mov_rm_r(x->c, 0, out[0].reg, X64_RAX);
}

static void emit_cvti2f(struct xctx *x, const struct be_arg *in)
{
    int src = in[1].reg;
    if (in[1].is_const) {
        be_emit_movi(x->c, X64_RDX, in[1].imm);
        src = X64_RDX;
    }
    x64_emit_sse_rr(x->c, is_dbl(x->i) ? X64_P_F2 : X64_P_F3, ir_vec_imm(x->i) == 8, 0x0f2a,
                    XA, src);
    fstore(x, fbytes(x->i));
}

static void emit_cvtf2i(struct xctx *x, const struct be_arg *out)
{
    unsigned imm = ir_vec_imm(x->i);
    int rb = src_reg(x, ir_vec_b(x->i), fbytes(x->i), XB, -1);
    x64_emit_sse_rr(x->c, is_dbl(x->i) ? X64_P_F2 : X64_P_F3, (imm & 0xff) == 8,
                    imm & 0x100 ? 0x0f2c : 0x0f2d, out[0].reg, rb);   /* no DE: exact as is */
}

/* Conversions computing xmm0 from (xmm0,) xmm1. */
static void emit_cvt(struct xctx *x)
{
    const struct ir_insn *i = x->i;
    bool dbl = is_dbl(i), trunc = ir_vec_imm(i) & 0x100;
    enum x64_sse_pfx p;
    uint32_t opc;
    if (i->op == IR_vcvtf2f) {      /* cvtss2sd F3, cvtsd2ss F2, cvtps2pd -, cvtpd2ps 66 */
        p = fpfx(i);
        opc = 0x0f5a;
    } else if (i->op == IR_vcvti2fv) {   /* cvtdq2ps -, cvtdq2pd F3 E6 */
        p = dbl ? X64_P_F3 : X64_PNONE;
        opc = dbl ? 0x0fe6 : 0x0f5b;
    } else if (dbl) {               /* cvtpd2dq F2 E6, cvttpd2dq 66 E6 */
        p = trunc ? X64_P_66 : X64_P_F2;
        opc = 0x0fe6;
    } else {                        /* cvtps2dq 66 5B, cvttps2dq F3 5B */
        p = trunc ? X64_P_F3 : X64_P_66;
        opc = 0x0f5b;
    }
    bool sc = ir_vec_scalar(i);
    int rb = src_reg(x, ir_vec_b(i), fbytes(i), XB, -1);
    x64_emit_sse_rr(x->c, p, false, opc, XA, rb);
    fstore(x, sc ? (dbl ? 4 : 8) : 16);     /* scalar: the converted lane */
}

static bool emit_float(struct xctx *x, const struct be_arg *out, const struct be_arg *in)
{
    const struct ir_insn *i = x->i;
    if (!mode_check(x, &in[0]))
        return false;
    switch (i->op) {
    case IR_vfcomi:  emit_comi(x, out); return true;
    case IR_vcvti2f: emit_cvti2f(x, in); return true;
    case IR_vcvtf2i: emit_cvtf2i(x, out); return true;
    case IR_vcvtf2f: case IR_vcvti2fv: case IR_vcvtf2iv: emit_cvt(x); return true;
    default:         break;
    }
    int rb, r1, w;
    bool full = true;
    if (i->op == IR_vfsqrt && !ir_vec_scalar(i))   /* d from b alone */
        r1 = w = one_source(x, &rb);
    else
        w = operands(x, fbytes(i), &rb, &r1, &full);
    op3(x, fpfx(i), fop[i->op], w, r1, rb);
    if (i->op == IR_vfcmp)
        x64_emit_byte(x->c, (uint8_t)(ir_vec_imm(i) & 7));
    store_w(x, w, fbytes(i), full);
    return true;
}

/* ---- moves ---- */

/* A register holding input k (constants go to rax). */
static int in_reg(struct xctx *x, const struct be_arg *a)
{
    if (!a->is_const)
        return a->reg;
    be_emit_movi(x->c, X64_RAX, a->imm);
    return X64_RAX;
}

/* A guest access's address register; the software MMU's TLB miss calls
 * C, which leaves nothing of the cache (x64_tlb.c saves no xmm). */
static int guest_addr(struct xctx *x, const struct be_arg *addr)
{
    int r = in_reg(x, x64_guest_addr(x->c, IR_MO_64, addr));
    if (!be_access_is_direct(x->c, IR_MO_64))
        vcache_reset();
    return r;
}

/* A ymm store is two vst ops of one guest insn, marked IR_V_PAIR_LO and
 * IR_V_PAIR_HI (x86_avx.c avx_store), the high half at ea + 16.  x86 writes all 32
 * bytes or faults with memory unchanged; two 16-byte host stores would
 * leave the low half written when only the high half's page faults.  So
 * the low half's vst first tests whether the 32 bytes cross a page (bit
 * 12 of (ea + 31) ^ ea: 4 instructions and a branch taken) and, only
 * then, probes both pages for writing, lowest first (`lock or byte [a],
 * 0`: faults as a store does, changes nothing, loses no other thread's
 * store), so a fault has the CPU's si_addr (ea, or the second page's
 * first byte) and both stores that follow cannot fault.  The probes'
 * code belongs to the low half's access: its fault point, the state
 * before the insn. */
static bool ymm_store_lo(const struct ir_insn *i)
{
    return (i->size & (IR_V_ALIGNED | IR_V_PAIR_LO)) == IR_V_PAIR_LO;
}

static void lock_or_byte0(struct xctx *x, int base)
{
    x64_emit_byte(x->c, 0xf0);                             /* lock or byte [base], 0 */
    x64_emit_op_m_r(x->c, 0, 0x80, 1, base, 0);
    x64_emit_byte(x->c, 0);
}

static void probe_page_cross(struct xctx *x, int a, int32_t last)
{
    struct be_code *c = x->c;
    x64_emit_lea_r_m(c, 0, X64_RCX, a, last);               /* ecx = (ea + last) ^ ea */
    x64_emit_alu_rm_r(c, X64_XOR, 0, X64_RCX, a);
    x64_emit_byte(c, 0xf6);                                 /* test ch, 0x10: bit 12 */
    x64_emit_byte(c, 0xc5);
    x64_emit_byte(c, 0x10);
    x64_emit_byte(c, 0x74);                                 /* jz over the probes */
    uint8_t *jz = c->ptr;
    x64_emit_byte(c, 0);
    lock_or_byte0(x, a);
    x64_emit_lea_r_m(c, X64_W, X64_RCX, a, last);
    x64_emit_alu_rm_imm(c, X64_AND, X64_W, X64_RCX, -4096);
    lock_or_byte0(x, X64_RCX);
    *be_writable(c, jz) = (uint8_t)(c->ptr - jz - 1);
}

/* vst: the env operand as wide as the access, from its cached copy when
 * there is one (direct accesses: nothing runs between the two).  Through
 * the software MMU the address comes first: a TLB miss calls C, which
 * keeps no xmm register, so the value is loaded after it. */
static void emit_vst(struct xctx *x, const struct be_arg *in)
{
    unsigned n = ir_vec_imm(x->i);
    bool direct = be_access_is_direct(x->c, IR_MO_64);
    if (direct)
        pend_access(INT32_MIN);
    if (direct && ymm_store_lo(x->i))
        probe_page_cross(x, guest_addr(x, &in[0]), 31);
    int rb = direct ? vcache_find(ir_vec_b(x->i)) : -1;
    int ra = direct ? -1 : guest_addr(x, &in[0]);
    if (rb < 0) {
        xfer(x, n, true, XA, X64_ENV, disp(ir_vec_b(x->i)));
        rb = XA;
    }
    xfer(x, n, false, rb, direct ? guest_addr(x, &in[0]) : ra, 0);
}

/* vmov: movd/movq zero the rest; a full copy from b's cached copy. */
static int emit_vmov(struct xctx *x, unsigned n)
{
    int rb = n == 16 ? vcache_find(ir_vec_b(x->i)) : -1;
    int w = pick_d(x, rb, -1);
    if (rb >= 0)
        movdqa(x, w, rb);
    else
        xfer(x, n, true, w, X64_ENV, disp(ir_vec_b(x->i)));
    return w;
}

/* A ymm load is two vld ops (x86_avx.c, x86_avx_move.c): the low half at
 * ea, `add t, ea, #16`, the high half at t, one guest insn.  The low
 * half's env store moves behind the high half's load, so that a fault on
 * the high half finds the low half's slot as it was (x86 loads all 32
 * bytes or faults with the register unchanged).  `ymm_lo`: the last low
 * half's store (its op's last bytes) and register. */
static struct {
    const struct ir_insn *insn;     /* the low half's vld */
    const uint8_t *code;            /* the block's start */
    uint8_t *at, *end;              /* its store's bytes */
    int reg;
    unsigned n_relocs;              /* none noted since: the code moved holds none */
} ymm_lo;

/* The high half's vld of the pair whose low half ymm_lo describes.  The
 * IR decides: a vld two ops back was emitted in this pass (emit_vld noted
 * or cleared ymm_lo), so ymm_lo is this block's even where an earlier one
 * was emitted at the same address with the same IR buffer. */
static bool ymm_hi(const struct xctx *x)
{
    const struct ir_insn *i = x->i;
    return ymm_lo.insn && ymm_lo.code == x->c->start && ymm_lo.end <= x->c->ptr &&
           i - 2 == ymm_lo.insn && i[-2].op == IR_vld && i[-1].op == IR_add &&
           ymm_lo.n_relocs == n_relocs(x->c) &&
           be_access_is_direct(x->c, IR_MO_64);
}

/* Moves the low half's store (position-independent env store) behind the
 * code emitted since it: the add and the high half's load.  The high
 * half's fault point moves down with its code (c->access_back). */
static void ymm_lo_store_late(struct xctx *x)
{
    uint8_t st[16];
    size_t len = (size_t)(ymm_lo.end - ymm_lo.at), tail = (size_t)(x->c->ptr - ymm_lo.end);
    if (len > sizeof(st))
        abort();                    /* a ferry bug: an env store is at most 10 bytes */
    memcpy(st, ymm_lo.at, len);
    memmove(be_writable(x->c, ymm_lo.at), be_writable(x->c, ymm_lo.end), tail);
    memcpy(be_writable(x->c, ymm_lo.at + tail), st, len);
    x->c->access_back += (uint8_t)len;
}

static void emit_vld(struct xctx *x, const struct be_arg *in, unsigned n)
{
    bool hi = n == 16 && ymm_hi(x);
    int addr = guest_addr(x, &in[0]);
    /* the fault point's registers before w is chosen: the load that
     * faults leaves w as it was (a carried slot's home may be w) */
    if (be_access_is_direct(x->c, IR_MO_64))
        pend_access(hi ? ir_vec_d(ymm_lo.insn) : INT32_MIN);
    int w = hi ? vcache_pick(ymm_lo.reg, -1) : pick_d(x, -1, -1);  /* the low half waits in its register */
    xfer(x, n, true, w, addr, 0);
    if (hi)
        ymm_lo_store_late(x);
    ymm_lo.insn = NULL;
    x->store = NULL;
    store_w(x, w, 16, true);
    if (n == 16 && x->store && x->store_end == x->c->ptr && !hi)
        ymm_lo = (__typeof__(ymm_lo)){ .insn = x->i, .code = x->c->start, .at = x->store,
                                       .end = x->store_end, .reg = w,
                                       .n_relocs = n_relocs(x->c) };
}

static void emit_move(struct xctx *x, const struct be_arg *in)
{
    const struct ir_insn *i = x->i;
    unsigned n = ir_vec_imm(i);
    bool full = true;
    int w, rb, r1;
    switch (i->op) {
    case IR_vmov:
        w = emit_vmov(x, n);
        break;
    case IR_vmovl:                  /* movss/movsd w, b merge */
        rb = src_reg(x, ir_vec_b(i), n, XB, vcache_find(ir_vec_a(i)));
        w = work_reg(x, vcache_find(ir_vec_a(i)), 16, rb, &r1, &full);
        op3(x, n == 8 ? X64_P_F2 : X64_P_F3, 0x0f10, w, r1, rb);
        break;
    case IR_vfromg:                 /* movq w, r64 */
        w = pick_d(x, -1, -1);
        x64_emit_sse_rr(x->c, X64_P_66, true, 0x0f6e, w, in_reg(x, &in[0]));
        break;
    case IR_vld:
        emit_vld(x, in, n);
        return;
    default:
        emit_vst(x, in);
        return;
    }
    store_w(x, w, 16, full);
}

/* ---- dispatch, slow path ---- */

static bool emit_inline(struct xctx *x, const struct be_arg *out, const struct be_arg *in)
{
    if (IR_VEC_IS_MOVE(x->i->op)) {
        emit_move(x, in);
        return true;
    }
    switch (x->i->op) {
    case IR_vshli: case IR_vshri: case IR_vsari: case IR_vshlb: case IR_vshrb:
        return emit_shift(x);
    case IR_vshuf: case IR_vshuflo: case IR_vshufhi: case IR_vshuf2:
        return emit_shuffle(x);
    case IR_valignr:
        return emit_align(x);
    case IR_vmskeq: case IR_vmskz: case IR_vmskany: case IR_vmsks:
        return x64_emit_vec_str(x->c, x->i, out);
    case IR_vaesenc: case IR_vaesencl: case IR_vaesdec: case IR_vaesdecl:
    case IR_vaesimc: case IR_vaeskga: case IR_vclmul:
    case IR_vsha1rnds4: case IR_vsha1nexte: case IR_vsha1msg1: case IR_vsha1msg2:
    case IR_vsha256rnds2: case IR_vsha256msg1: case IR_vsha256msg2:
        return x64_emit_vec_crypto(x->c, x->i);
    default:
        if (ir_op_info[x->i->op].n_in)
            return emit_float(x, out, in);
        return emit_int2(x);
    }
}

/* Whether the slow path first copies a to d in env: the helpers compute
 * d = op(d, s) in place, and an op of the form d = op(a, b) may have a
 * distinct from d (x86_avx.c's three-operand steps; never b = d there).
 * Env holds a: the cache writes through, and no store is dropped before
 * an op with a slow path (pend_drop, pend_note). */
static bool helper_copies_a(const struct ir_insn *i)
{
    return !ir_op_info[i->op].n_out && ir_vec_a(i) != ir_vec_d(i) && ir_vec_b(i) != ir_vec_d(i);
}

void x64_vec_call_stub(struct be_code *c)
{
    if (stub_bytes < 0)
        abort();                    /* no prologue emitted: a ferry bug */
    x64_emit_rel32_code(c, 0xe8, c->epilogue - stub_bytes);
}

/* fn(env, d, s, imm) through the stub; s is b's offset or (vcvti2f) the
 * integer input's value. */
static void emit_slow(struct xctx *x, const struct be_arg *out, const struct be_arg *in)
{
    const struct ir_insn *i = x->i;
    if (helper_copies_a(i)) {
        x64_emit_movdqu_load(x->c, XA, X64_ENV, disp(ir_vec_a(i)));
        x64_emit_movdqu_store(x->c, X64_ENV, disp(ir_vec_d(i)), XA);
    }
    if (i->op == IR_vcvti2f && !in[1].is_const)
        x64_emit_mov_rm_r(x->c, X64_W, X64_RDX, in[1].reg);
    else
        be_emit_movi(x->c, X64_RDX, i->op == IR_vcvti2f ? in[1].imm : (uint64_t)ir_vec_b(i));
    x64_emit_movi_addr(x->c, X64_RAX, ir_vec_helper(i)->fn, BE_RELOC_HOST);
    be_emit_movi(x->c, X64_RCX, (uint64_t)(uint32_t)ir_vec_d(i) | (uint64_t)ir_vec_imm(i) << 32);
    x64_vec_call_stub(x->c);
    if (ir_op_info[i->op].n_out)
        x64_emit_mov_rm_r(x->c, X64_W, out[0].reg, X64_RAX);
}

/* Ops whose code may observe env or is not position-independent: guest
 * accesses through the software MMU (its C stub) and the string ops (env
 * loads of their own, a table).  The crypto ops report their env loads (x64_vec_env_read) and
 * store through store_w (x64_vec_store_result). */
static bool pend_op_safe(const struct be_code *c, const struct ir_insn *i)
{
    switch (i->op) {
    case IR_vld: case IR_vst:       /* direct: pend_access named the registers */
        return be_access_is_direct(c, IR_MO_64);
    case IR_vmskeq: case IR_vmskz: case IR_vmskany: case IR_vmsks:
        return false;
    default:
        return true;
    }
}

/* After an op (all its code, a slow path too): the pending stores go on
 * past it when it is safe, else end; its own full store, its last code,
 * is pending then (a guest access's fault point is before its store). */
static void pend_note(struct xctx *x, bool inline_ok)
{
    if (!inline_ok || x->n_slow || !pend_op_safe(x->c, x->i))
        pend_clear();
    if (inline_ok && !x->n_slow && x->store && x->store_end == x->c->ptr && pend.n < N_PEND) {
        if (!pend.n) {
            pend.code = x->c->start;
            pend.relocs = n_relocs(x->c);
        }
        pend.p[pend.n++] = (__typeof__(pend.p[0])){ x->store, x->store_end, ir_vec_d(x->i) };
    }
    pend.end = x->c->ptr;
}

/* On the slow path, which may leave before the fast path filled them:
 * the cache registers this op filled get their slots from env (the
 * helper wrote d there; the stub keeps every other cache register). */
static void reload_fresh(struct xctx *x)
{
    for (int r = X64_VC_FIRST; r <= X64_VC_LAST; r++)
        if ((x->fresh >> r & 1) && vcache_slot(r) >= 0)
            load(x, r, vcache_slot(r));
}

void x64_emit_vec(struct be_code *c, const struct ir_insn *i,
                  const struct be_arg *out, const struct be_arg *in)
{
    struct xctx x = { .c = c, .i = i };
    if (!pend_continues(c))
        pend_clear();               /* other code ran since: it may read env */
    pend.inside = true;
    cur = &x;
    bool inline_ok = emit_inline(&x, out, in);
    cur = NULL;
    pend.inside = false;
    if (!inline_ok) {
        pend_clear();
        vcache_forget(ir_vec_d(i), 16);     /* the helper writes d */
        emit_slow(&x, out, in);
        return;
    }
    pend_note(&x, inline_ok);
    if (!x.n_slow)
        return;
    x64_emit_byte(c, 0xeb);                                 /* jmp rel8: over */
    uint8_t *skip = c->ptr;
    x64_emit_byte(c, 0);
    for (int k = 0; k < x.n_slow; k++) {
        int32_t rel = (int32_t)(c->ptr - (x.slow[k] + 6));
        memcpy(be_writable(c, x.slow[k] + 2), &rel, 4);
    }
    emit_slow(&x, out, in);
    reload_fresh(&x);
    if (c->ptr - (skip + 1) > 127)
        abort();                    /* a ferry bug: the slow path outgrew jmp rel8 */
    *be_writable(c, skip) = (uint8_t)(c->ptr - (skip + 1));
}

static const int stub_saved[] = { X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10, X64_R11 };
#define N_STUB_SAVED ((int)(sizeof stub_saved / sizeof stub_saved[0]))

/* The env-slot cache's registers (backends/vcache.c) across the helper call,
 * above 8 bytes of padding. */
enum { VC_SAVE = 8 + 16 * (X64_VC_LAST - X64_VC_FIRST + 1) };

static void stub_cache_regs(struct be_code *c, bool save)
{
    for (int r = X64_VC_FIRST; r <= X64_VC_LAST; r++) {
        int32_t at = 8 + 16 * (r - X64_VC_FIRST);
        if (save)
            x64_emit_movdqu_store(c, X64_RSP, at, r);
        else
            x64_emit_movdqu_load(c, r, X64_RSP, at);
    }
}

enum { MXCSR_DE = 2 };

/* stmxcsr / ldmxcsr [rsp + at] (0F AE /3, /2). */
static void stub_mxcsr(struct be_code *c, bool store, int32_t at)
{
    x64_emit_sse_rm(c, X64_PNONE, 0x0fae, store ? 3 : 2, X64_RSP, at);
}

/* After the helper: the host DE it raised itself goes (the guest's DE
 * is in env now); [rsp] holds MXCSR from before the call.  Keeps rax. */
static void stub_drop_de(struct be_code *c)
{
    stub_mxcsr(c, true, 4);
    x64_emit_mov_r_m(c, 0, X64_RCX, X64_RSP, 0);
    x64_emit_unary_rm(c, X64_NOT, 0, X64_RCX);
    x64_emit_op_m_r(c, 0, 0x23, X64_RCX, X64_RSP, 4);           /* and ecx, after */
    x64_emit_alu_rm_imm(c, X64_AND, 0, X64_RCX, MXCSR_DE);      /* raised by the helper */
    x64_emit_byte(c, 0x74);                                     /* jz rel8: over */
    uint8_t *skip = c->ptr;
    x64_emit_byte(c, 0);
    x64_emit_op_m_r(c, 0, 0x31, X64_RCX, X64_RSP, 4);           /* xor: clear it */
    stub_mxcsr(c, false, 4);
    *be_writable(c, skip) = (uint8_t)(c->ptr - (skip + 1));
}

/* Called with rsp 16-byte aligned minus the return address: six pushes
 * and VC_SAVE bytes (8 modulo 16) keep the helper call aligned; the 8
 * bytes of padding at [rsp] hold MXCSR before and after the call. */
void x64_vec_emit_stub(struct be_code *c)
{
    uint8_t *start = c->ptr;
    for (int k = 0; k < N_STUB_SAVED; k++)
        x64_emit_push_r(c, stub_saved[k]);
    x64_emit_alu_rm_imm(c, X64_SUB, X64_W, X64_RSP, VC_SAVE);
    stub_cache_regs(c, true);
    stub_mxcsr(c, true, 0);
    x64_emit_lea_r_m(c, X64_W, X64_RDI, X64_ENV, -X64_ENV_BIAS);
    x64_emit_mov_rm_r(c, 0, X64_RSI, X64_RCX);
    x64_emit_shift_rm_imm(c, X64_SHR, X64_W, X64_RCX, 32);
    x64_emit_call_rm(c, X64_RAX);
    stub_drop_de(c);
    stub_cache_regs(c, false);
    x64_emit_alu_rm_imm(c, X64_ADD, X64_W, X64_RSP, VC_SAVE);
    for (int k = N_STUB_SAVED - 1; k >= 0; k--)
        x64_emit_pop_r(c, stub_saved[k]);
    x64_emit_ret(c);
    stub_bytes = c->ptr - start;
}

/* ---- the host MXCSR.DE for the guest (backend.h) ---- */

static uint32_t host_mxcsr(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

bool be_fp_denormal_flag(bool clear)
{
    uint32_t m = host_mxcsr();
    if (clear && (m & MXCSR_DE)) {
        m &= ~(uint32_t)MXCSR_DE;
        __asm__ volatile("ldmxcsr %0" : : "m"(m));
    }
    return m & MXCSR_DE;
}

/* The interrupted MXCSR's flags (IE DE ZE OE UE PE), this thread's
 * control bits. */
void be_ucontext_fp_flags(const void *uc)
{
    const ucontext_t *u = uc;
    if (!u->uc_mcontext.fpregs)
        return;
    uint32_t m = (host_mxcsr() & ~0x3fu) | (u->uc_mcontext.fpregs->mxcsr & 0x3fu);
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}
