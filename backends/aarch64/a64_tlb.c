/* a64_tlb.c -- a software MMU's TLB probed inline in translated code
 * (guest_mem.h struct tr_softmmu_tlb): ferry-system's guest ld/st/ldx/stx
 * on the AArch64 host.  a64_mem.c calls a64_tlb_probe for every access
 * that is not direct; it leaves the host address in x16, where the access
 * itself then loads or stores:
 *
 *     add   x16, base, #disp              ; the guest address (va)
 *     ldrb  w17, [env, #cs]               ; slot: CPL << bits | page number
 *     ubfx  x30, x16, #12, #bits          ;   (the rights differ per CPL)
 *     bfi   x30, x17, #bits, #2
 *     add   x17, env, x30, lsl #4         ; the entry
 *     add   x17, x17, #tlb
 *     ldr   x30, [x17]                    ; tag
 *     sub   x30, x16, x30
 *     cmp   x30, #4096 - n                ; va's page, not crossing it
 *     b.ls  hit
 *     mov   x17, value                    ; miss: x16 = va
 *     bl    tlb_stub                      ; -> x16 = host address
 *     .word memop | write << 8            ; (the stub returns past it)
 *     b     done
 * hit: ldr  x17, [x17, #8]                ; addend
 *     add   x16, x16, x17
 * done:
 *
 * The stub (one per code cache, at the end of the prologue) saves every
 * register the allocator or the pinned globals use into a frame indexed
 * by register number and calls tr_softmmu_slow(env, va, value, memop_w,
 * return address, frame): nothing is synced before the call, and a guest
 * fault in it finds the guest pc and the globals held in registers
 * through the block's fault map (the return address lies inside this
 * access's code) and the frame.  x16, x17 and x30 are scratch. */
#include <stdlib.h>

#include "a64_emit.h"

/* From the epilogue to the stub (the same in every code cache). */
static ptrdiff_t stub_off = -1;

enum { FRAME = 32 * 8 };                /* slot r: register r */

bool be_tlb_probe(const struct tr_softmmu_tlb *t)
{
    return t->bits <= 16 && t->cpl_off >= 0 && t->cpl_off < 4096;
}

/* stp/ldp of registers r and r + 1 at their frame slots. */
static void pair(struct be_code *c, bool load, unsigned r)
{
    a64_put(c, a64_load_store_pair(load, A64_PAIR_OFFSET, (int)r, r + 1, A64_SP, r));
}

void a64_tlb_emit_stub(struct be_code *c)
{
    stub_off = c->ptr - c->epilogue;
    a64_put(c, a64_load_store_pair(false, A64_PAIR_PRE, -FRAME / 8, 1, A64_SP, 0));
    for (unsigned r = 2; r < 30; r += 2)
        if (r != 16)
            pair(c, false, r);          /* x2..x15, x18..x29 */
    a64_put(c, a64_load_store_unsigned_imm(3, A64_STR, 30, A64_SP, A64_LR));
    a64_put(c, a64_mov(true, 0, A64_ENV));
    a64_put(c, a64_mov(true, 1, A64_TMP0));
    a64_put(c, a64_mov(true, 2, A64_TMP1));
    a64_put(c, a64_load_store_unsigned_imm(2, A64_LDR, 0, A64_LR, 3));     /* ldr w3, [x30] */
    a64_put(c, a64_mov(true, 4, A64_LR));
    a64_put(c, a64_mov_sp(5, A64_SP));
    a64_emit_movi_addr(c, A64_TMP0, (const void *)tr_softmmu_slow, BE_RELOC_HOST);
    a64_put(c, a64_uncond_branch_reg(A64_BLR, A64_TMP0));
    a64_put(c, a64_mov(true, A64_TMP0, 0));
    for (unsigned r = 2; r < 20; r += 2)
        if (r != 16)
            pair(c, true, r);           /* x2..x15, x18, x19 (callee-saved: unchanged) */
    a64_put(c, a64_load_store_unsigned_imm(3, A64_LDR, 30, A64_SP, A64_LR));
    a64_put(c, a64_add_sub_imm(true, false, false, false, 4, A64_LR, A64_LR));
    a64_put(c, a64_load_store_pair(true, A64_PAIR_POST, FRAME / 8, 1, A64_SP, 0));
    a64_load_jmp_base(c);               /* (the saved x18 may be stale: a64_emit.h) */
    a64_put(c, a64_ret());
}

/* rd += imm (any 32-bit value; x17 when it does not encode). */
static void add_imm(struct be_code *c, unsigned rd, unsigned rn, int64_t imm)
{
    bool sub = imm < 0;
    uint64_t v = sub ? (uint64_t)-imm : (uint64_t)imm;
    if (v < 4096) {
        a64_put(c, a64_add_sub_imm(true, sub, false, false, (unsigned)v, rn, rd));
    } else if (v < (1u << 24)) {
        a64_put(c, a64_add_sub_imm(true, sub, false, true, (unsigned)(v >> 12), rn, rd));
        if (v & 0xfff)
            a64_put(c, a64_add_sub_imm(true, sub, false, false, (unsigned)(v & 0xfff), rd, rd));
    } else {
        be_emit_movi(c, A64_TMP1, (uint64_t)imm);
        a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, A64_TMP1, 0, rn, rd));
    }
}

/* x16 = base + (index << scale) + disp. */
static void guest_va(struct be_code *c, const struct a64_index *x)
{
    unsigned b = x->base->is_const ? A64_TMP0 : (unsigned)x->base->reg;
    if (x->base->is_const)
        be_emit_movi(c, A64_TMP0, x->base->imm);
    if (x->index) {
        unsigned i = a64_src(c, x->index, A64_TMP1, 64);
        a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, i, x->scale, b, A64_TMP0));
        b = A64_TMP0;
    }
    add_imm(c, A64_TMP0, b, x->disp);
}

/* x17 = the entry of x16's slot in the array at env + off. */
static void probe_entry(struct be_code *c, const struct tr_softmmu_tlb *t, int32_t off)
{
    a64_put(c, a64_load_store_unsigned_imm(0, A64_LDR, (unsigned)t->cpl_off, A64_ENV, A64_TMP1));
    a64_put(c, a64_ubfx(true, A64_LR, A64_TMP0, 12, t->bits));
    a64_put(c, a64_bfi(true, A64_LR, A64_TMP1, t->bits, 2));
    a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, A64_LR, 4, A64_ENV, A64_TMP1));
    add_imm(c, A64_TMP1, A64_TMP1, off);
}

static void slow_path(struct be_code *c, unsigned memop, const struct be_arg *val)
{
    if (val && val->is_const)
        be_emit_movi(c, A64_TMP1, val->imm);
    else if (val)
        a64_put(c, a64_mov(true, A64_TMP1, (unsigned)val->reg));
    if (stub_off < 0)
        abort();                        /* no prologue emitted: a ferry bug */
    const uint8_t *stub = c->epilogue + stub_off;
    if (!a64_emit_branch_code(c, stub, true)) {
        a64_emit_movi_addr(c, A64_LR, stub, BE_RELOC_CODE);
        a64_put(c, a64_uncond_branch_reg(A64_BLR, A64_LR));
    }
    a64_put(c, (memop & 0xff) | (val ? 0x100u : 0));
}

static void patch(struct be_code *c, uint8_t *at, uint32_t insn)
{
    __builtin_memcpy(be_writable(c, at), &insn, 4);
}

unsigned a64_tlb_probe(struct be_code *c, unsigned memop, const struct a64_index *x,
                       const struct be_arg *val)
{
    const struct tr_softmmu_tlb *t = c->mem->soft->tlb;
    unsigned n = 1u << (memop & IR_MO_SIZE);
    guest_va(c, x);
    probe_entry(c, t, val ? t->write_off : t->read_off);
    a64_put(c, a64_load_store_unsigned_imm(3, A64_LDR, 0, A64_TMP1, A64_LR));
    a64_put(c, a64_add_sub_shifted_reg(true, true, false, A64_LSL, A64_LR, 0, A64_TMP0, A64_LR));
    a64_put(c, a64_add_sub_imm(true, true, true, false, 4096 - n, A64_LR, A64_ZR));
    uint8_t *hit = c->ptr;
    a64_put(c, 0);                                  /* b.ls hit */
    slow_path(c, memop, val);
    uint8_t *done = c->ptr;
    a64_put(c, 0);                                  /* b done */
    patch(c, hit, a64_cond_branch_imm(A64_LS, (int32_t)(c->ptr - hit)));
    a64_put(c, a64_load_store_unsigned_imm(3, A64_LDR, 1, A64_TMP1, A64_TMP1));
    a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, A64_TMP1, 0, A64_TMP0, A64_TMP0));
    patch(c, done, a64_uncond_branch_imm(false, (int32_t)(c->ptr - done)));
    return A64_TMP0;
}
