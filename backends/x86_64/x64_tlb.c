/* x64_tlb.c -- a software MMU's TLB probed inline in translated code
 * (guest_mem.h struct tr_softmmu_tlb): ferry-system's guest ld/st/ldx/stx
 * on the x86-64 host.  x64_ops.c's guest-address emitter calls
 * x64_tlb_probe for every access that is not direct; it leaves the host
 * address in rax, where the access itself then loads or stores:
 *
 *     lea   rax, [guest address]
 *     movzx ecx, byte [env + cs]        ; slot: CPL << bits | page number
 *     and   ecx, 3                      ;   (the rights differ per CPL)
 *     shl   ecx, bits + 12
 *     mov   edx, eax
 *     and   edx, (entries - 1) << 12
 *     or    ecx, edx
 *     shr   ecx, 8                      ; * 16 bytes per entry
 *     lea   rdx, [rax + n - 1]          ; the last byte's page: a
 *     and   rdx, -4096                  ; crossing never hits
 *     cmp   rdx, [env + rcx + tlb]
 *     je    hit
 *     mov   ecx, memop | write << 8     ; miss: rax = va, rdx = value
 *     mov   rdx, value
 *     call  tlb_stub                    ; -> rax = host address
 *     jmp   done
 * hit: add  rax, [env + rcx + tlb + 8]  ; + addend
 * done:
 *
 * The stub (one per code cache, after the prologue's epilogue) saves every
 * register the allocator or the pinned globals use into a frame indexed
 * by register number and calls tr_softmmu_slow(env, va, value, memop_w,
 * return address, frame): nothing is synced before the call, and a guest
 * fault in it finds the guest pc and the globals held in registers
 * through the block's fault map (the return address lies inside this
 * access's code) and the frame.  rax, rcx and rdx are scratch. */
#include <stdlib.h>

#include "x64_backend.h"

/* From the epilogue to the stub (the same in every code cache). */
static ptrdiff_t stub_off = -1;

enum { FRAME = 16 * 8 + 8 };            /* 16 registers; keeps the call aligned */

static const int saved[] = {
    X64_RBX, X64_RBP, X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R15,
};
static const int restored[] = { X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10, X64_R11 };
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

bool be_tlb_probe(const struct tr_softmmu_tlb *t) { return t->bits <= 16; }

void x64_tlb_emit_stub(struct be_code *c)
{
    stub_off = c->ptr - c->epilogue;
    x64_emit_alu_rm_imm(c, X64_SUB, X64_W, X64_RSP, FRAME);
    for (int k = 0; k < N(saved); k++)
        x64_emit_mov_m_r(c, X64_W, X64_RSP, 8 * saved[k], saved[k]);
    x64_emit_lea_r_m(c, X64_W, X64_RDI, X64_ENV, -X64_ENV_BIAS);
    x64_emit_mov_rm_r(c, X64_W, X64_RSI, X64_RAX);
    x64_emit_mov_r_m(c, X64_W, X64_R8, X64_RSP, FRAME);
    x64_emit_mov_rm_r(c, X64_W, X64_R9, X64_RSP);
    x64_emit_movi_addr(c, X64_RAX, (const void *)tr_softmmu_slow, BE_RELOC_HOST);
    x64_emit_call_rm(c, X64_RAX);
    for (int k = 0; k < N(restored); k++)
        x64_emit_mov_r_m(c, X64_W, restored[k], X64_RSP, 8 * restored[k]);
    x64_emit_alu_rm_imm(c, X64_ADD, X64_W, X64_RSP, FRAME);
    x64_emit_ret(c);
}

/* rax = base + (index << scale) + disp. */
static void guest_va(struct be_code *c, const struct be_arg *base, int index, int scale,
                     int32_t disp)
{
    if (base->is_const && index < 0) {
        be_emit_movi(c, X64_RAX, base->imm + (uint64_t)(int64_t)disp);
        return;
    }
    int b = base->reg;
    if (base->is_const) {               /* never with index == rax: rax is scratch */
        be_emit_movi(c, X64_RAX, base->imm);
        b = X64_RAX;
    }
    if (index >= 0)
        x64_emit_op_sib_r(c, X64_W, 0x8d, X64_RAX, b, index, scale, disp);
    else
        x64_emit_lea_r_m(c, X64_W, X64_RAX, b, disp);
}

/* rdx = the tag a hit has, rcx = the slot's offset in its array. */
static void probe_key(struct be_code *c, const struct tr_softmmu_tlb *t, unsigned n)
{
    x64_emit_op_m_r(c, 0, 0x0fb6, X64_RCX, X64_ENV, x64_env_disp(t->cpl_off));
    x64_emit_alu_rm_imm(c, X64_AND, 0, X64_RCX, 3);
    x64_emit_shift_rm_imm(c, X64_SHL, 0, X64_RCX, (uint8_t)(t->bits + 12));
    x64_emit_mov_rm_r(c, 0, X64_RDX, X64_RAX);
    x64_emit_alu_rm_imm(c, X64_AND, 0, X64_RDX, (int32_t)(((1u << t->bits) - 1) << 12));
    x64_emit_alu_rm_r(c, X64_OR, 0, X64_RCX, X64_RDX);
    x64_emit_shift_rm_imm(c, X64_SHR, 0, X64_RCX, 8);
    x64_emit_lea_r_m(c, X64_W, X64_RDX, X64_RAX, (int32_t)n - 1);
    x64_emit_alu_rm_imm(c, X64_AND, X64_W, X64_RDX, -4096);
}

static void slow_path(struct be_code *c, unsigned memop, const struct be_arg *val)
{
    x64_emit_mov_r_imm32(c, X64_RCX, (memop & 0xff) | (val ? 0x100u : 0));
    if (val && val->is_const)
        be_emit_movi(c, X64_RDX, val->imm);
    else if (val)
        x64_emit_mov_rm_r(c, X64_W, X64_RDX, val->reg);
    if (stub_off < 0)
        abort();                        /* no prologue emitted: a ferry bug */
    x64_emit_rel32_code(c, 0xe8, c->epilogue + stub_off);
}

static uint8_t *jump8(struct be_code *c, uint8_t opcode)
{
    x64_emit_byte(c, opcode);
    x64_emit_byte(c, 0);
    return c->ptr - 1;
}

static void land8(struct be_code *c, uint8_t *rel)
{
    *be_writable(c, rel) = (uint8_t)(c->ptr - (rel + 1));
}

void x64_tlb_probe(struct be_code *c, unsigned memop, const struct be_arg *base, int index,
                   int scale, int32_t disp, const struct be_arg *val)
{
    const struct tr_softmmu_tlb *t = c->mem->soft->tlb;
    int32_t arr = x64_env_disp(val ? t->write_off : t->read_off);
    guest_va(c, base, index, scale, disp);
    probe_key(c, t, 1u << (memop & IR_MO_SIZE));
    x64_emit_op_sib_r(c, X64_W, 0x3b, X64_RDX, X64_ENV, X64_RCX, 0, arr);     /* cmp */
    uint8_t *hit = jump8(c, 0x74);                                              /* je */
    slow_path(c, memop, val);
    uint8_t *done = jump8(c, 0xeb);
    land8(c, hit);
    x64_emit_op_sib_r(c, X64_W, 0x03, X64_RAX, X64_ENV, X64_RCX, 0, arr + 8);  /* add */
    land8(c, done);
}
