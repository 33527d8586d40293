/* x64_atomic.c -- the atomic IR ops on x86-64: lock xadd, xchg and lock
 * cmpxchg, with a cmpxchg loop for the operations x86 has no
 * old-value-returning form of (and, or, xor, rsub), and mfence.
 * RAX (cmpxchg's accumulator) and RCX are the backend's scratch registers;
 * the old value is zero-extended into the output only after the memory
 * operation, so the output may share a register with either input. */
#include "x64_backend.h"

/* Operand-size flags and opcodes per memop size. */
static const int size_flags[4] = { X64_BYTE, X64_P66, 0, X64_W };

static int opc_sized(unsigned mo, uint32_t byte_opc)
{
    return (mo & IR_MO_SIZE) == IR_MO_8 ? (int)byte_opc : (int)byte_opc + 1;
}

/* out = the low `mo` bits of RAX, zero-extended. */
static void zext_rax(struct be_code *c, unsigned mo, int out)
{
    switch (mo & IR_MO_SIZE) {
    case IR_MO_8:  x64_emit_movzx_r_rm8(c, 0, out, X64_RAX); break;
    case IR_MO_16: x64_emit_movzx_r_rm16(c, 0, out, X64_RAX); break;
    case IR_MO_32: x64_emit_mov_rm_r(c, 0, out, X64_RAX); break;
    default:       x64_emit_mov_rm_r(c, X64_W, out, X64_RAX); break;
    }
}

/* rax = *(addr), zero-extended (movzx / mov). */
static void load_rax(struct be_code *c, unsigned mo, int addr)
{
    static const uint32_t opc[4] = { 0x0fb6, 0x0fb7, 0x8b, 0x8b };
    x64_emit_op_m_r(c, (mo & IR_MO_SIZE) == IR_MO_64 ? X64_W : 0, opc[mo & IR_MO_SIZE],
                    X64_RAX, addr, 0);
}

/* lock cmpxchg [addr], reg: ZF and RAX as the SDM says. */
static void lock_cmpxchg(struct be_code *c, unsigned mo, int addr, int reg)
{
    x64_emit_op_m_r(c, size_flags[mo & IR_MO_SIZE] | X64_LOCK, (uint32_t)opc_sized(mo, 0x0fb0),
                    reg, addr, 0);
}

/* rcx = rax OP val, at 64 bits (only the low bits reach memory). */
static void compute_new(struct be_code *c, enum ir_atomic_op op, int val)
{
    static const uint8_t alu[] = { [IR_ATOMIC_AND] = X64_AND, [IR_ATOMIC_OR] = X64_OR,
                                   [IR_ATOMIC_XOR] = X64_XOR };
    if (op == IR_ATOMIC_RSUB) {
        x64_emit_mov_rm_r(c, X64_W, X64_RCX, val);
        x64_emit_alu_rm_r(c, X64_SUB, X64_W, X64_RCX, X64_RAX);
        return;
    }
    x64_emit_mov_rm_r(c, X64_W, X64_RCX, X64_RAX);
    x64_emit_alu_rm_r(c, (enum x64_alu)alu[op], X64_W, X64_RCX, val);
}

/*     mov rax, [addr]
 * L:  rcx = rax OP val;  lock cmpxchg [addr], rcx;  jne L */
static void cas_loop(struct be_code *c, unsigned mo, enum ir_atomic_op op, int addr, int val)
{
    load_rax(c, mo, addr);
    uint8_t *loop = c->ptr;
    compute_new(c, op, val);
    lock_cmpxchg(c, mo, addr, X64_RCX);
    x64_emit_byte(c, 0x75);                             /* jne rel8 */
    x64_emit_byte(c, (uint8_t)(loop - (c->ptr + 1)));
}

void x64_emit_atomic_rmw(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    unsigned mo = i->size;
    int addr = x64_guest_addr(c, mo, &in[0])->reg, val = in[1].reg, fl = size_flags[mo & IR_MO_SIZE];
    enum ir_atomic_op op = (enum ir_atomic_op)i->aux[0];
    if (op == IR_ATOMIC_ADD || op == IR_ATOMIC_XCHG) {
        x64_emit_mov_rm_r(c, X64_W, X64_RAX, val);
        if (op == IR_ATOMIC_ADD)                        /* lock xadd [addr], rax */
            x64_emit_op_m_r(c, fl | X64_LOCK, (uint32_t)opc_sized(mo, 0x0fc0), X64_RAX, addr, 0);
        else                                            /* xchg [addr], rax: locked */
            x64_emit_op_m_r(c, fl, (uint32_t)opc_sized(mo, 0x86), X64_RAX, addr, 0);
    } else {
        cas_loop(c, mo, op, addr, val);
    }
    zext_rax(c, mo, out[0].reg);
}

/* rax = expected; lock cmpxchg [addr], desired; out = rax (the old value
 * either way: equal to expected on success). */
void x64_emit_atomic_cas(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    x64_emit_mov_rm_r(c, X64_W, X64_RAX, in[1].reg);
    lock_cmpxchg(c, i->size, x64_guest_addr(c, i->size, &in[0])->reg, in[2].reg);
    zext_rax(c, i->size, out[0].reg);
}

void x64_emit_fence(struct be_code *c, const struct ir_insn *i,
                    const struct be_arg *out, const struct be_arg *in)
{
    x64_emit_byte(c, 0x0f);                             /* mfence */
    x64_emit_byte(c, 0xae);
    x64_emit_byte(c, 0xf0);
}
