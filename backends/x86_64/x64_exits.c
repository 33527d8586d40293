/* x64_exits.c -- the entry trampoline and epilogue, block exits and their
 * stubs, and chain patching.
 *
 * A chain slot is a `jmp rel32` (goto_tb) or `jcc rel32` (brcond) whose
 * rel32 lies within one aligned 16-byte block, so re-pointing it is one
 * atomic write (set_rel32: an 8-byte store when it lies within one half,
 * else `lock cmpxchg16b`).  That rule, not 4-byte alignment, needs padding
 * at 3 of 16 positions of a slot, and the padding is segment prefixes
 * (pad_prefixes), not nops: they run as part of the jmp or jcc, or of the
 * compare before a jcc, so no instruction is added to the path (a nop
 * there ran each time the slot was passed).
 * Until chained it leads to a stub that stores the guest pc and the block
 * in env->rt and returns TR_EXIT_CHAIN0 + slot through the epilogue.
 * brcond stubs are emitted out of line at the end of the block so the
 * fall-through path runs straight on.
 *
 * Return-address stack (runtime.h, --ras): a guest call pushes its return
 * pc and the address of an extra chain slot 1 in the calling block whose
 * jump the dispatcher chains to the block at the return pc like any other
 * (so invalidation unchains it as usual); a guest ret pops, and when the
 * popped pc equals its target jumps to that slot, else probes the jump
 * cache.  The comparison makes any prediction safe: longjmp, signals,
 * rewritten return addresses and overflowing recursion just miss. */
#include <stdlib.h>
#include <string.h>

#include "translator.h"
#include "x64_backend.h"
#include "x64_vec.h"

static const int x64_saved_regs[] = { X64_RBP, X64_RBX, X64_R12, X64_R13, X64_R14, X64_R15 };
#define N_SAVED ((int)(sizeof(x64_saved_regs) / sizeof(x64_saved_regs[0])))

/* brcond exits of the current block whose stubs are still to be emitted.
 * A block's first exit finds both jump sites unset (the translator resets
 * them per block), which drops leftovers of an abandoned emission. */
static struct {
    int n;
    struct { uint32_t site; uint64_t pc; int slot; } e[4];
} pending;

/* The exit_request test's jne (the block's first op) and its pc, its stub
 * also emitted out of line by the block's final exit.  `start` tells the
 * block it belongs to. */
static struct {
    const uint8_t *start;
    uint32_t site;
    uint64_t pc;
} request;

static void return_to_dispatcher(struct be_code *c, int code);

static uint8_t *emit_jmp8(struct be_code *c, uint8_t opcode);
static void land_jmp8(struct be_code *c, uint8_t *rel);
static void emit_dead_probe(struct be_code *c, int pc_reg);
enum { RAS_HOST_BYTES = 64 * 1024 };

/* The return-address stack's base entry (pc -1; ras_miss, whose address
 * is the returned rel32 to fill in), its base and limit in env.  Entries
 * are 16 bytes, so helper calls stay 16-byte aligned at any depth. */
static uint8_t *emit_ras_base(struct be_code *c)
{
    x64_emit_byte(c, 0x6a);                                 /* push -1 */
    x64_emit_byte(c, 0xff);
    x64_emit_byte(c, 0x48);                                 /* lea rax, [rip + rel32] */
    x64_emit_byte(c, 0x8d);
    x64_emit_byte(c, 0x05);
    uint8_t *rel = c->ptr;
    x64_emit_u32(c, 0);
    x64_emit_push_r(c, X64_RAX);
    x64_emit_mov_m_r(c, X64_W, X64_ENV, x64_env_disp(TR_OFFSET_RAS_BASE), X64_RSP);
    x64_emit_lea_r_m(c, X64_W, X64_RAX, X64_RSP, -RAS_HOST_BYTES);
    x64_emit_mov_m_r(c, X64_W, X64_ENV, x64_env_disp(TR_OFFSET_RAS_LIMIT), X64_RAX);
    return rel;
}

/* enter(env, code) loads the pinned globals (x64_pinned.c); the epilogue
 * stores them back. */
void *be_emit_prologue(struct be_code *c, const struct ir_globals *globals)
{
    void *enter = c->ptr;
    for (int k = 0; k < N_SAVED; k++)
        x64_emit_push_r(c, x64_saved_regs[k]);
    x64_emit_alu_rm_imm(c, X64_SUB, X64_W, X64_RSP, 8);     /* 16-byte aligned calls */
    x64_emit_lea_r_m(c, X64_W, X64_ENV, X64_RDI, X64_ENV_BIAS);
    uint8_t *miss_rel = emit_ras_base(c);
    be_emit_pinned(c, true, x64_pinned_mask(globals), globals->v);
    x64_emit_jmp_rm(c, X64_RSI);
    x64_vec_emit_stub(c);                   /* right before the epilogue (x64_vec.c) */
    c->epilogue = c->ptr;
    be_emit_pinned(c, false, x64_pinned_mask(globals), globals->v);
    x64_emit_mov_r_m(c, X64_W, X64_RSP, X64_ENV, x64_env_disp(TR_OFFSET_RAS_BASE));
    x64_emit_alu_rm_imm(c, X64_ADD, X64_W, X64_RSP, 16 + 8);
    for (int k = N_SAVED - 1; k >= 0; k--)
        x64_emit_pop_r(c, x64_saved_regs[k]);
    x64_emit_ret(c);
    /* The base entry is popped only by a ret whose target is its pc, -1
     * (emit_ras_ret's compare): the ret leaves rt.pc to this store. */
    c->ras_miss = c->ptr;
    x64_emit_mov_m_imm32(c, X64_W, X64_ENV, x64_env_disp(TR_OFFSET_PC), -1);
    int32_t v = (int32_t)(c->ras_miss - (miss_rel + 4));
    __builtin_memcpy(be_writable(c, miss_rel), &v, 4);
    return_to_dispatcher(c, TR_EXIT_INDIRECT);
    x64_tlb_emit_stub(c);                   /* a software MMU's TLB miss (x64_tlb.c) */
    x64_canon_emit_constants(c);            /* canon_test's (x64_canon.c) */
    return enter;
}

/* Returns where the value's immediate was written (4 or 8 bytes). */
static uint8_t *store_env_u64(struct be_code *c, int32_t offset, uint64_t v)
{
    if (x64_fits_s32((int64_t)v)) {
        x64_emit_mov_m_imm32(c, X64_W, X64_ENV, x64_env_disp(offset), (int32_t)v);
        return c->ptr - 4;
    }
    x64_emit_mov_r_imm64(c, X64_SCRATCH, v);
    uint8_t *imm = c->ptr - 8;
    x64_emit_mov_m_r(c, X64_W, X64_ENV, x64_env_disp(offset), X64_SCRATCH);
    return imm;
}

static void return_to_dispatcher(struct be_code *c, int code)
{
    x64_emit_mov_r_imm32(c, X64_RAX, (uint32_t)code);
    x64_emit_rel32_code(c, 0xe9, c->epilogue);
}

/* ---- exit stubs, copied from templates ----------------------------------
 * Every direct exit has a stub (store the guest pc and the block, return
 * the slot's exit code), and encoding one with the general emitters cost
 * about 300 host instructions -- several times a block's own exits.  Each
 * layout (pc and block address each an imm32 or an imm64; the
 * exit_request stub stores no block) is encoded once with those same
 * emitters into a template; a stub is a copy with its pc, block, exit
 * code and epilogue displacement patched in. */
struct stub_template {
    uint8_t bytes[64];
    uint8_t len, pc_at, pc_bytes, tb_at, tb_bytes, code_at, rel_at;
};

enum { STUB_PC64 = 1, STUB_TB64 = 2, STUB_NO_TB = 4 };
static struct stub_template stub_templates[8];

static int stub_layout(uint64_t pc, uint64_t tb)
{
    return (x64_fits_s32((int64_t)pc) ? 0 : STUB_PC64) | (x64_fits_s32((int64_t)tb) ? 0 : STUB_TB64);
}

static void build_stub_template(struct stub_template *t, int layout)
{
    uint64_t big = 1ull << 40;
    struct be_code c = { .start = t->bytes, .ptr = t->bytes, .end = t->bytes + sizeof t->bytes };
    t->pc_bytes = layout & STUB_PC64 ? 8 : 4;
    t->pc_at = (uint8_t)(store_env_u64(&c, TR_OFFSET_PC, layout & STUB_PC64 ? big : 0) - t->bytes);
    if (!(layout & STUB_NO_TB)) {
        t->tb_bytes = layout & STUB_TB64 ? 8 : 4;
        uint8_t *tb_imm = store_env_u64(&c, TR_OFFSET_EXIT_TB, layout & STUB_TB64 ? big : 0);
        t->tb_at = (uint8_t)(tb_imm - t->bytes);
    }
    x64_emit_mov_r_imm32(&c, X64_RAX, 0);
    t->code_at = (uint8_t)(c.ptr - 4 - t->bytes);
    x64_emit_jmp_rel32(&c, c.ptr);
    t->rel_at = (uint8_t)(c.ptr - 4 - t->bytes);
    t->len = (uint8_t)(c.ptr - t->bytes);
}

/* rt.pc = pc; [rt.exit_tb = this block;] return code -- at c->ptr. */
static void copy_stub(struct be_code *c, uint64_t pc, uint32_t code, bool with_tb)
{
    uint64_t tb = (uint64_t)(uintptr_t)c->tb;
    int layout = with_tb ? stub_layout(pc, tb) | (c->relocs ? STUB_TB64 : 0)  /* tb: always imm64 */
                         : stub_layout(pc, 0) | STUB_NO_TB;
    struct stub_template *t = &stub_templates[layout];
    if (!t->len)
        build_stub_template(t, layout);
    uint8_t *w = be_writable(c, c->ptr);
    int32_t rel = (int32_t)(c->epilogue - (c->ptr + t->rel_at + 4));
    memcpy(w, t->bytes, t->len);
    memcpy(w + t->pc_at, &pc, t->pc_bytes);             /* little-endian: the low bytes */
    memcpy(w + t->tb_at, &tb, t->tb_bytes);
    memcpy(w + t->code_at, &code, 4);
    memcpy(w + t->rel_at, &rel, 4);
    if (c->relocs) {
        if (with_tb)
            be_reloc_note(c, c->ptr + t->tb_at, BE_RELOC_BLOCK, X64_FORM_ABS64, c->tb);
        be_reloc_note(c, c->ptr + t->rel_at, BE_RELOC_CODE, X64_FORM_REL32, c->epilogue);
    }
    c->ptr += t->len;
}

static void emit_stub(struct be_code *c, uint64_t pc, int slot)
{
    c->stub[slot] = (uint32_t)(c->ptr - c->start);
    copy_stub(c, pc, TR_EXIT_CHAIN0 + (uint32_t)slot, true);
}

/* Where a rel32 may start within an aligned 16-byte block: bytes 0..12.
 * (Blocks start 16-byte aligned, also when loaded from the translation
 * cache, and the code's two views are pages apart.) */
static int block_pos(const uint8_t *p) { return (int)((uintptr_t)p & 15); }

/* Padding: cs segment-override prefixes, ignored in 64-bit mode (on a
 * jcc the old not-taken hint, which no current CPU reads; ds on a jcc is
 * the taken hint newer Intel cores read again).  An instruction takes up
 * to 15 bytes; ferry's slots and compares take 3 more and stay below. */
enum { PAD_PREFIX = 0x2e };

static void pad_prefixes(struct be_code *c, int n)
{
    memset(be_writable(c, c->ptr), PAD_PREFIX, (size_t)n);
    c->ptr += n;
}

/* Prefixes the instruction at c->ptr so that its rel32 (at + rel_at from
 * its opcode) lies within one 16-byte block; the opcode follows at c->ptr. */
static void align_rel32(struct be_code *c, int rel_at)
{
    int pos = block_pos(c->ptr + rel_at);
    if (pos > 12)
        pad_prefixes(c, 16 - pos);
}

/* Whether the instruction at p (its bytes in the writable view) may take
 * segment prefixes: a REX at most before a one-byte opcode, so no prefix
 * of its own (a segment override would clash), no escape, VEX or EVEX,
 * and at most 12 bytes (REX, opcode, ModRM, SIB, disp32, imm32). */
static bool takes_prefixes(const uint8_t *p)
{
    if ((*p & 0xf0) == 0x40)
        p++;
    switch (*p) {
    case 0x0f: case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x62: case 0x64:
    case 0x65: case 0x66: case 0x67: case 0x8f: case 0xc4: case 0xc5: case 0xf0:
    case 0xf2: case 0xf3:
        return false;
    default:
        return true;
    }
}

/* n prefixes at `from`, the start of an instruction, the code from there
 * to c->ptr sliding behind them (position-independent code: a compare or
 * flag-setting op, no fault point, relocation or branch). */
static void prefix_before(struct be_code *c, uint8_t *from, int n)
{
    uint8_t *end = c->ptr;
    memmove(be_writable(c, from + n), be_writable(c, from), (size_t)(end - from));
    c->ptr = from;
    pad_prefixes(c, n);
    c->ptr = end + n;
}

/* A brcond's `jcc rel32` (rel32 at +2), usually followed by the block's
 * final `jmp rel32` (at +6, rel32 at +7): with the jcc's rel32 at block
 * position 0..7, 11 or 12 neither needs padding.  From 8..10 the jcc
 * stays and the jmp takes prefixes; from 13..15 prefixes move the rel32
 * to 0 -- on the flag-setting code when known and it takes them, so that
 * a plain `cmp; jcc` stays as the host fuses it into one op, else on the
 * jcc. */
static void align_exit_pair(struct be_code *c, uint8_t *flags_from)
{
    int pos = block_pos(c->ptr + 2);
    if (pos <= 12)
        return;
    if (flags_from && takes_prefixes(be_writable(c, flags_from)))
        prefix_before(c, flags_from, 16 - pos);
    else
        pad_prefixes(c, 16 - pos);
}

/* One atomic compare-exchange of the aligned 16 bytes at p (readers, the
 * other threads' instruction fetch, see them all old or all new). */
static bool cas16(unsigned __int128 *p, unsigned __int128 *old, unsigned __int128 now)
{
    uint64_t lo = (uint64_t)*old, hi = (uint64_t)(*old >> 64);
    bool ok;
    __asm__ volatile("lock cmpxchg16b %1"
                     : "=@ccz"(ok), "+m"(*p), "+a"(lo), "+d"(hi)
                     : "b"((uint64_t)now), "c"((uint64_t)(now >> 64))
                     : "memory");
    *old = (unsigned __int128)hi << 64 | lo;
    return ok;
}

/* A rel32 across the two halves of its 16-byte block. */
static void set_rel32_wide(uint8_t *w, int32_t v)
{
    unsigned __int128 *blk = (unsigned __int128 *)(void *)(w - block_pos(w));
    int shift = block_pos(w) * 8;
    unsigned __int128 mask = (unsigned __int128)0xffffffffu << shift;
    unsigned __int128 old;
    memcpy(&old, blk, sizeof(old));     /* a first guess; the exchange checks it */
    while (!cas16(blk, &old, (old & ~mask) | (unsigned __int128)(uint32_t)v << shift))
        ;
}

/* The rel32 at `rel` (written at rel + rw_delta) leads to target: one
 * aligned 8-byte store of the word holding it when it lies within one,
 * else one 16-byte exchange of its block.  (Patches are made under the
 * engine's lock: the store may rewrite a neighbouring slot's bytes with
 * what they hold.) */
static void set_rel32(uint8_t *rel, intptr_t rw_delta, const uint8_t *target)
{
    int32_t v = (int32_t)(target - (rel + 4));
    uint8_t *w = rel + rw_delta;
    if (block_pos(w) > 12)
        abort();                    /* a misplaced patch site: a ferry bug */
    int shift = ((int)(uintptr_t)w & 7) * 8;
    if (shift > 32) {
        set_rel32_wide(w, v);
        return;
    }
    uint64_t *word = (uint64_t *)(void *)(w - shift / 8);
    uint64_t old = __atomic_load_n(word, __ATOMIC_RELAXED);
    uint64_t mask = 0xffffffffull << shift;
    uint64_t now = (old & ~mask) | ((uint64_t)(uint32_t)v << shift);
    __atomic_store_n(word, now, __ATOMIC_RELEASE);
}

static bool first_exit(const struct be_code *c)
{
    return c->jump_site[0] == UINT32_MAX && c->jump_site[1] == UINT32_MAX;
}

static void flush_request(struct be_code *c)
{
    if (request.start != c->start)
        return;
    request.start = NULL;
    int32_t rel = (int32_t)(c->ptr - (c->start + request.site + 6));
    memcpy(be_writable(c, c->start + request.site + 2), &rel, 4);   /* never re-pointed */
    x64_vloop_request_stub(c);      /* a loop's xmm registers stale in env */
    copy_stub(c, request.pc, TR_EXIT_REQUEST, false);
}

static void flush_pending(struct be_code *c)
{
    flush_request(c);
    x64_canon_flush(c);
    for (int k = 0; k < pending.n; k++) {
        set_rel32(c->start + pending.e[k].site + 2, c->rw_delta, c->ptr);
        uint32_t at = (uint32_t)(c->ptr - c->start);
        bool back = x64_vloop_stub(c, pending.e[k].site);  /* a loop's write-back first */
        emit_stub(c, pending.e[k].pc, pending.e[k].slot);
        if (back)
            c->stub[pending.e[k].slot] = at;
    }
    pending.n = 0;
}

/* A call's return pc: the block ends with the call.  0: no push (not a
 * call, or slot 1 taken, or no block as in the backend's unit tests). */
static uint64_t call_return_pc(const struct be_code *c, int xfer)
{
    return xfer == IR_XFER_CALL && c->jump_site[1] == UINT32_MAX ? c->guest_end : 0;
}

static uint8_t *emit_jmp8(struct be_code *c, uint8_t opcode)
{
    x64_emit_byte(c, opcode);
    x64_emit_byte(c, 0);
    return c->ptr - 1;
}

static void land_jmp8(struct be_code *c, uint8_t *rel)
{
    *be_writable(c, rel) = (uint8_t)(c->ptr - (rel + 1));
}

/* The head of a call exit: push the entry (ret_pc; host return address)
 * with a host `call` over the continuation (the ret's `ret 8` drops
 * ret_pc: the continuation starts right after the call).  Returns where
 * the call's rel32 is, to be filled in by the caller; *pc_imm: where
 * ret_pc was written (4 or 8 bytes); *push_at: where the push starts. */
static uint8_t *emit_ras_call_head(struct be_code *c, uint64_t ret_pc, uint8_t **pc_imm,
                                   uint8_t **push_at)
{
    x64_emit_op_m_r(c, X64_W, 0x3b, X64_RSP, X64_ENV, x64_env_disp(TR_OFFSET_RAS_LIMIT));
    uint8_t *room = emit_jmp8(c, 0x77);                     /* ja: rsp above the limit */
    x64_emit_mov_r_m(c, X64_W, X64_RSP, X64_ENV, x64_env_disp(TR_OFFSET_RAS_BASE));
    land_jmp8(c, room);
    *push_at = c->ptr;
    if (x64_fits_s32((int64_t)ret_pc)) {
        x64_emit_byte(c, 0x68);                             /* push imm32 */
        x64_emit_u32(c, (uint32_t)ret_pc);
        *pc_imm = c->ptr - 4;
    } else {
        x64_emit_mov_r_imm64(c, X64_RAX, ret_pc);         /* rax: the exit's only scratch */
        *pc_imm = c->ptr - 8;
        *push_at = c->ptr;
        x64_emit_push_r(c, X64_RAX);
    }
    x64_emit_byte(c, 0xe8);                                 /* call rel32 */
    uint8_t *call = c->ptr;
    x64_emit_u32(c, 0);
    return call;
}

/* The head in its two layouts (ret_pc an imm32 or an imm64), encoded once
 * and copied like the stubs: the general emitters cost about 500 host
 * instructions per call exit, the copy a tenth of that. */
struct ras_call_template {
    uint8_t bytes[48];
    uint8_t len, pc_at, pc_bytes, call_at, push_at;
};

static struct ras_call_template ras_call_templates[2];

static void build_ras_call_template(struct ras_call_template *t, int layout)
{
    struct be_code c = { .start = t->bytes, .ptr = t->bytes, .end = t->bytes + sizeof t->bytes };
    uint8_t *pc_imm, *push_at;
    uint8_t *call = emit_ras_call_head(&c, layout ? 1ull << 40 : 0, &pc_imm, &push_at);
    t->pc_bytes = layout ? 8 : 4;
    t->pc_at = (uint8_t)(pc_imm - t->bytes);
    t->call_at = (uint8_t)(call - t->bytes);
    t->push_at = (uint8_t)(push_at - t->bytes);
    t->len = (uint8_t)(c.ptr - t->bytes);
}

/* The head, its push behind `pad` ds prefixes (ignored in 64-bit mode:
 * they move the call's rel32 without an instruction more to run). */
static uint8_t *copy_ras_call_head(struct be_code *c, const struct ras_call_template *t,
                                   uint64_t ret_pc, int pad)
{
    uint8_t *w = be_writable(c, c->ptr);
    memcpy(w, t->bytes, t->push_at);
    memset(w + t->push_at, 0x3e, (size_t)pad);
    memcpy(w + t->push_at + pad, t->bytes + t->push_at, (size_t)(t->len - t->push_at));
    int pc_at = t->pc_at + (t->pc_at > t->push_at ? pad : 0);
    memcpy(w + pc_at, &ret_pc, t->pc_bytes);            /* little-endian: the low bytes */
    uint8_t *call = c->ptr + t->call_at + pad;
    c->ptr += t->len + pad;
    return call;
}

/* The call exit: the head, then chain slot 1 to the block at ret_pc.
 * An indirect call's own exit follows as the call's target.  A direct
 * call to `pc` (direct) is itself chain slot 0 -- chained, the host call
 * enters the callee's block with no jmp between -- and its rel32 first
 * leads to slot 0's stub. */
static void emit_ras_call(struct be_code *c, uint64_t ret_pc, bool direct, uint64_t pc)
{
    int layout = x64_fits_s32((int64_t)ret_pc) ? 0 : 1;
    struct ras_call_template *t = &ras_call_templates[layout];
    if (!t->len)
        build_ras_call_template(t, layout);
    int pos = block_pos(c->ptr + t->call_at);
    uint8_t *call = copy_ras_call_head(c, t, ret_pc, direct && pos > 12 ? 16 - pos : 0);
    if (direct)
        c->jump_site[0] = (uint32_t)(call - 1 - c->start);
    align_rel32(c, 1);
    c->jump_site[1] = (uint32_t)(c->ptr - c->start);
    x64_emit_jmp_rel32(c, c->ptr + 5);
    emit_stub(c, ret_pc, 1);
    int32_t v = (int32_t)(c->ptr - (call + 4));
    __builtin_memcpy(be_writable(c, call), &v, 4);
    if (direct)
        emit_stub(c, pc, 0);
}

void x64_emit_goto_tb(struct be_code *c, uint64_t pc, int slot, int xfer)
{
    if (first_exit(c))
        pending.n = 0;
    uint64_t ret_pc = slot == 0 ? call_return_pc(c, xfer) : 0;
    bool back = xfer != IR_XFER_CALL && x64_vloop_back_edge(c, pc);    /* before any code */
    if (ret_pc) {
        emit_ras_call(c, ret_pc, true, pc);
        flush_pending(c);
        return;
    }
    align_rel32(c, 1);
    c->jump_site[slot] = (uint32_t)(c->ptr - c->start);
    x64_emit_jmp_rel32(c, c->ptr + 5);
    uint32_t stores = 0;
    if (back) {                     /* a loop's marker, its stub's write-back */
        x64_vloop_after_jmp(c, c->jump_site[slot]);
        stores = c->jump_site[slot] + 5 + 18;
    }
    emit_stub(c, pc, slot);
    if (back)
        c->stub[slot] = stores;
    flush_pending(c);
}

void x64_emit_brcond_exit(struct be_code *c, enum x64_cc cc, uint64_t pc, int slot,
                          uint8_t *flags_from)
{
    if (first_exit(c) || pending.n >= 4)
        pending.n = 0;
    align_exit_pair(c, flags_from);
    c->jump_site[slot] = (uint32_t)(c->ptr - c->start);
    pending.e[pending.n].site = c->jump_site[slot];
    pending.e[pending.n].pc = pc;
    pending.e[pending.n++].slot = slot;
    x64_emit_jcc_rel32(c, cc, c->ptr + 6);
}

/* Inline probe of this thread's jump cache (rt.jmp_cache): rax = &entry
 * (rax is the only register it writes: x64_op_clobbers; rcx stays free
 * for the exit's operands); on a hit jump to its code, else fall through
 * (rel8 branch over the hit path).  The table has 2^X64_JMP_BITS entries
 * (be_host.jmp_bits).  The entry's offset, tr_jmp_index(pc) * 16, from the
 * low 32 bits of pc: with B = X64_JMP_BITS and S = 28 - B, pc * (2^(S+4) +
 * 2^(S+4-B)) >> S is (pc << 4) + (pc >> (B - 4)), i.e. 16 * (pc + (pc >> B))
 * plus four bits below the index (no carry out of them), which the mask
 * drops: imul, shr, and. */
enum { JMP_SHIFT = 28 - X64_JMP_BITS, JMP_SIZE = 1 << X64_JMP_BITS };
_Static_assert(X64_JMP_BITS >= 4 && X64_JMP_BITS <= 16 && X64_JMP_BITS <= TR_JMP_BITS_MAX,
               "the product keeps the index's bits");

static uint32_t jmp_index_multiplier(void)
{
    return (1u << (JMP_SHIFT + 4)) + (1u << (JMP_SHIFT + 4 - X64_JMP_BITS));
}

/* rax = &this thread's jump-cache entry for pc (the probes' first four). */
static inline void emit_jmp_entry_address(struct be_code *c, int pc_reg)
{
    x64_emit_imul_r_rm_imm(c, 0, X64_RAX, pc_reg, (int32_t)jmp_index_multiplier());
    x64_emit_shift_rm_imm(c, X64_SHR, 0, X64_RAX, JMP_SHIFT);
    x64_emit_alu_rm_imm(c, X64_AND, 0, X64_RAX, (int32_t)((JMP_SIZE - 1) << 4));
    x64_emit_op_m_r(c, X64_W, 0x03, X64_RAX, X64_ENV, x64_env_disp(TR_OFFSET_JMP_CACHE));
}

static void emit_jmp_cache_probe(struct be_code *c, int pc_reg)
{
    emit_jmp_entry_address(c, pc_reg);
    x64_emit_op_m_r(c, X64_W, 0x39, pc_reg, X64_RAX, 0);    /* cmp [rax], pc */
    x64_emit_byte(c, 0x75);                                 /* jne rel8 */
    uint8_t *skip = c->ptr;
    x64_emit_byte(c, 0);
    x64_emit_op_m_r(c, 0, 0xff, 4, X64_RAX, 8);             /* jmp [rax+8] */
    *be_writable(c, skip) = (uint8_t)(c->ptr - (skip + 1));
}

/* A ret: when the top entry's pc is the target, a host `ret 8` (which
 * the host's own return predictor gets right; the 8 drops the entry's
 * pc) to the caller's continuation.
 * Else the entry stays: a mismatch (longjmp, a rewritten return address)
 * leaves stale entries that later returns miss on, until the stack starts
 * over at its limit or at the next dispatcher entry. */
static void emit_ras_ret(struct be_code *c, int pc_reg)
{
    x64_emit_op_m_r(c, X64_W, 0x39, pc_reg, X64_RSP, 8);   /* cmp [rsp+8], pc */
    uint8_t *miss = emit_jmp8(c, 0x75);                     /* jne */
    x64_emit_byte(c, 0xc2);                                 /* ret 8 */
    x64_emit_byte(c, 8);
    x64_emit_byte(c, 0);
    land_jmp8(c, miss);
}

/* Stays in translated code when the target is already translated:
 * code = tr_lookup_code(env, pc); if (code) goto *code; else return.
 * The pinned registers the call destroys (x64_clobbered_pins) are pushed
 * around it, padded to an even count (the call stays 16-byte aligned). */
/* The #GP the frontend's check of a non-canonical target would have
 * raised: the ret's pop undone, the instruction's pc stored. */
static void emit_canonical_fault(struct be_code *c, const struct x64_canonical *k)
{
    if (k->undo)
        x64_emit_alu_rm_imm(c, X64_SUB, X64_W, k->undo_reg, (int32_t)k->undo);
    store_env_u64(c, TR_OFFSET_PC, k->fault_pc);
    return_to_dispatcher(c, TR_EXIT_SIGSEGV);
}

/* On the miss path only: a hit proves the target canonical (the jump
 * cache and the return-address stack hold pcs of translated blocks, and
 * empty entries canonical ones).  Bits 63:47 equal: (pc sar 47) + 1 <= 1. */
static void emit_canonical_check(struct be_code *c, int pc_reg, const struct x64_canonical *k)
{
    x64_emit_mov_rm_r(c, X64_W, X64_RAX, pc_reg);
    x64_emit_shift_rm_imm(c, X64_SAR, X64_W, X64_RAX, 47);
    x64_emit_alu_rm_imm(c, X64_ADD, X64_W, X64_RAX, 1);
    x64_emit_alu_rm_imm(c, X64_CMP, X64_W, X64_RAX, 1);
    uint8_t *ok = emit_jmp8(c, 0x76);                       /* jbe */
    emit_canonical_fault(c, k);
    land_jmp8(c, ok);
}

static bool canonical(uint64_t pc) { return (uint64_t)((int64_t)(pc << 16) >> 16) == pc; }

static void emit_indirect_lookup(struct be_code *c, int pc_reg, const struct x64_canonical *check,
                                 bool store_pc)
{
    if (c->n_lazy)
        emit_dead_probe(c, pc_reg);
    else
        emit_jmp_cache_probe(c, pc_reg);
    if (store_pc)
        x64_emit_mov_m_r(c, X64_W, X64_ENV, x64_env_disp(TR_OFFSET_PC), pc_reg);
    if (check)
        emit_canonical_check(c, pc_reg, check);
    if (pc_reg != X64_RSI)
        x64_emit_mov_rm_r(c, X64_W, X64_RSI, pc_reg);
    for (int k = 0; k < X64_N_CLOBBERED_PINS; k++)
        x64_emit_push_r(c, x64_clobbered_pins[k]);
    if (X64_N_CLOBBERED_PINS % 2)
        x64_emit_alu_rm_imm(c, X64_SUB, X64_W, X64_RSP, 8);
    be_emit_call(c, (const void *)tr_lookup_code);
    if (X64_N_CLOBBERED_PINS % 2)
        x64_emit_alu_rm_imm(c, X64_ADD, X64_W, X64_RSP, 8);
    for (int k = X64_N_CLOBBERED_PINS; k-- > 0;)
        x64_emit_pop_r(c, x64_clobbered_pins[k]);
    x64_emit_test_rm_r(c, X64_W, X64_RAX, X64_RAX);
    x64_emit_byte(c, 0x74);                         /* je rel8: over the jmp */
    x64_emit_byte(c, 2);
    x64_emit_jmp_rm(c, X64_RAX);
}

/* The dirty lazy-flag globals the allocator left to this exit
 * (be_code.lazy): stored without a register (rax, X64_SCRATCH, may hold
 * the jump-cache entry), a wide constant as two 32-bit halves. */
static void emit_lazy_stores(struct be_code *c)
{
    for (int k = 0; k < c->n_lazy; k++) {
        const struct be_lazy *l = &c->lazy[k];
        int32_t disp = x64_env_disp(l->env_offset);
        if (l->reg >= 0)
            x64_emit_mov_m_r(c, X64_W, X64_ENV, disp, l->reg);
        else if (x64_fits_s32((int64_t)l->imm))
            x64_emit_mov_m_imm32(c, X64_W, X64_ENV, disp, (int32_t)l->imm);
        else {
            x64_emit_mov_m_imm32(c, 0, X64_ENV, disp, (int32_t)(uint32_t)l->imm);
            x64_emit_mov_m_imm32(c, 0, X64_ENV, disp + 4, (int32_t)(uint32_t)(l->imm >> 32));
        }
    }
}

/* A dirty exit's probe (be_desc.lazy_exit_stores): the entry's dead field
 * (translator.h: its pc when the block there reads no incoming flags)
 * first -- a hit jumps with the lazy flags unstored --, else the stores
 * and the plain compare; a miss falls through with rax = &entry.
 *     cmp [rax + dead], pc; jne 1f; jmp [rax+8]
 *  1: <stores>; cmp [rax], pc; jne 2f; jmp [rax+8]
 *  2: */
static void emit_dead_probe(struct be_code *c, int pc_reg)
{
    int32_t dead = (int32_t)(TR_JMP_DEAD_TABLES * JMP_SIZE * sizeof(struct tr_jmp_entry));
    emit_jmp_entry_address(c, pc_reg);
    x64_emit_op_m_r(c, X64_W, 0x39, pc_reg, X64_RAX, dead);   /* cmp [rax+dead], pc */
    uint8_t *live = emit_jmp8(c, 0x75);                         /* jne */
    x64_emit_op_m_r(c, 0, 0xff, 4, X64_RAX, 8);                 /* jmp [rax+8] */
    land_jmp8(c, live);
    emit_lazy_stores(c);
    x64_emit_op_m_r(c, X64_W, 0x39, pc_reg, X64_RAX, 0);       /* cmp [rax], pc */
    uint8_t *miss = emit_jmp8(c, 0x75);                         /* jne */
    x64_emit_op_m_r(c, 0, 0xff, 4, X64_RAX, 8);                 /* jmp [rax+8] */
    land_jmp8(c, miss);
}

void x64_emit_exit_indirect(struct be_code *c, const struct be_arg *pc, int xfer,
                            const struct x64_canonical *check)
{
    if (first_exit(c))
        pending.n = 0;
    uint64_t ret_pc = call_return_pc(c, xfer);
    if (ret_pc)
        emit_ras_call(c, ret_pc, false, 0);
    /* A ret's return-address stack, a known target: no probe, the stores now. */
    if (c->n_lazy && (pc->is_const || xfer == IR_XFER_RET)) {
        emit_lazy_stores(c);
        c->n_lazy = 0;
    }
    if (pc->is_const && check && !canonical(pc->imm)) {
        emit_canonical_fault(c, check);
        flush_pending(c);
        return;
    }
    if (pc->is_const) {
        store_env_u64(c, TR_OFFSET_PC, pc->imm);
    } else {
        /* A hit enters its block as a chained jump does, rt.pc unread: the
         * miss path stores it, unless the probe's rax holds the pc.  A
         * ret's pop of the return-address stack's base entry stores its
         * own (be_emit_prologue's ras_miss). */
        bool late = pc->reg != X64_RAX;
        if (!late)
            x64_emit_mov_m_r(c, X64_W, X64_ENV, x64_env_disp(TR_OFFSET_PC), pc->reg);
        if (xfer == IR_XFER_RET)
            emit_ras_ret(c, pc->reg);
        emit_indirect_lookup(c, pc->reg, check, late);
        c->n_lazy = 0;
    }
    return_to_dispatcher(c, TR_EXIT_INDIRECT);
    flush_pending(c);
}

void x64_emit_exit_code(struct be_code *c, uint64_t pc, int code)
{
    if (first_exit(c))
        pending.n = 0;
    store_env_u64(c, TR_OFFSET_PC, pc);
    return_to_dispatcher(c, code);
    flush_pending(c);
}

/* j!cc over an inline exit: the usual path is one taken short jump; the
 * exit (rare: a guest exception) stores the pc and returns. */
void x64_emit_brexit(struct be_code *c, enum x64_cc cc, uint64_t pc, int code)
{
    uint8_t *skip = emit_jmp8(c, (uint8_t)(0x70 + (cc ^ 1)));
    x64_vloop_exit_stores(c);       /* a loop's xmm registers stale in env */
    store_env_u64(c, TR_OFFSET_PC, pc);
    return_to_dispatcher(c, code);
    land_jmp8(c, skip);
}

/* x86 keeps instruction fetch coherent with stores: no cache flush.  The
 * opcode is read where it is written (a staged batch's code is not where
 * it runs yet: tc_views.c). */
void be_patch_jump(uint8_t *site, intptr_t rw_delta, const uint8_t *target)
{
    target = x64_vloop_chain_target(site, rw_delta, target);
    if (!target)
        return;                     /* a loop's back edge stays on its stub */
    set_rel32(site + (site[rw_delta] == 0x0f ? 2 : 1), rw_delta, target);
}

/* cmp dword [env + exit_request], 0; jne <stub behind the block's final
 * exit> -- one load and one not-taken branch per entry of a block that
 * may loop (translate.c).  The same bytes in every block but the jne's
 * rel32 (filled in by flush_request), so encoded once and copied. */
static struct {
    uint8_t bytes[16];
    uint8_t len;
} request_check;

static void build_request_check(void)
{
    struct be_code t = { .start = request_check.bytes, .ptr = request_check.bytes,
                         .end = request_check.bytes + sizeof request_check.bytes };
    x64_emit_op_m_r(&t, 0, 0x83, X64_CMP, X64_ENV, x64_env_disp(TR_OFFSET_EXIT_REQUEST));
    x64_emit_byte(&t, 0);
    x64_emit_jcc_rel32(&t, X64_CC_NE, t.ptr + 6);
    request_check.len = (uint8_t)(t.ptr - t.start);
}

_Static_assert(TR_ENV_GUARD_PROBE - X64_ENV_BIAS > 0, "the guard lies above env's bias");

/* With a guard page (exit_request.c): `test [env + guard], eax`, one load
 * that faults while a request is pending; tr_guard_fault leaves the block
 * at its entry.  No register is written; the flags are, as by the cmp it
 * replaces: no host flags are live at a block's entry (a block's IR
 * starts from its globals; lazy guest flags cross a chain in them). */
void x64_emit_exit_request(struct be_code *c, uint64_t pc, bool guard)
{
    if (guard) {
        x64_emit_op_m_r(c, 0, 0x85, X64_RAX, X64_ENV, x64_env_disp(TR_ENV_GUARD_PROBE));
        return;
    }
    if (!request_check.len)
        build_request_check();
    memcpy(be_writable(c, c->ptr), request_check.bytes, request_check.len);
    c->ptr += request_check.len;
    request.start = c->start;
    request.site = (uint32_t)(c->ptr - 6 - c->start);
    request.pc = pc;
}

/* The guard load's bytes, emitted again (async-signal-safe: the fault
 * handler asks; blocks from the translation cache have the same bytes). */
bool be_guard_load_at(uintptr_t pc)
{
    uint8_t bytes[16 + BE_MAX_INSN_BYTES];
    struct be_code c = { .start = bytes, .ptr = bytes, .end = bytes + 16 };
    x64_emit_exit_request(&c, 0, true);
    return memcmp((const void *)pc, bytes, (size_t)(c.ptr - bytes)) == 0;
}
