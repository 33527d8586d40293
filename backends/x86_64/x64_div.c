/* x64_div.c -- IR divu/divs (ir_ops.def) on x86-64: the host's own
 * div/idiv when it cannot fault, the rest through the helper stub, and #DE
 * as an inline exit (so a host #DE never happens in translated code).
 *
 * With a the dividend's high half (IR input 1), b its low half (input 0):
 *
 *          mov [rt.div[4]], rax               (rax: see below)
 *   divu:  mov rdx, a; cmp rdx, c; jae slow   (a 0: cmp c, 0; je slow;
 *                                              xor edx, edx)
 *          mov rax, b; div c                  (a < c: the quotient fits)
 *   divs:  cmp c, 0; je slow; cmp c, -1; je slow
 *          mov rax, b; cqo; cmp rdx, a; jne slow   (narrow: no cmp)
 *          idiv c                             (b's sign extension, c not 0/-1)
 *          mov q, rax; mov rax, [rt.div[4]]; jmp join
 *   slow:  a, b, c -> env rt.div[0..2] (through rdx), rcx -> rt.div[3]
 *          rax = ir_div_slow, ecx = how; call stub; rcx <- rt.div[3]
 *          mov rdx, rt.div[0]; test rdx, rdx; jz ok; <exit: pc, TR_EXIT_SIGFPE>
 *     ok:  mov q, rax; mov rax, [rt.div[4]]
 *   join:
 *
 * Only rdx is the op's own (x64_op_clobbers): x86's allocator has four
 * registers, and a branch op borrows no pinned one, so rax and rcx stay
 * allocatable and are kept in env around their uses -- an operand in rax
 * is read from its copy there (`div qword [env + ...]`).  rax is saved
 * only when it holds an operand (b not in rax: rax_in_env) or a value the
 * allocator keeps past the op (be_code.regs_held), and restored only in
 * the second case: most divisions find it free (an 8-32-bit form's
 * dividend was built there and dies at the op).  When q is rax, rax is
 * not restored.
 */
#include "x64_backend.h"
#include "x64_encode.h"
#include "x64_vec.h"

enum { SLOT_HI = 0, SLOT_LO = 8, SLOT_DIVISOR = 16, SLOT_RCX = 24, SLOT_RAX = 32 };

static int32_t slot(int k) { return x64_env_disp(TR_OFFSET_DIV + k); }

/* jcc rel32 / jmp rel32 (cc < 0) to a place known later: returns the
 * rel32's address. */
static uint8_t *jump_site(struct be_code *c, int cc)
{
    if (cc >= 0) {
        x64_emit_byte(c, 0x0f);
        x64_emit_byte(c, (uint8_t)(0x80 + cc));
    } else
        x64_emit_byte(c, 0xe9);
    x64_emit_u32(c, 0);
    return c->ptr - 4;
}

static void land(struct be_code *c, uint8_t *rel)
{
    int32_t off = (int32_t)(c->ptr - (rel + 4));
    __builtin_memcpy(be_writable(c, rel), &off, 4);
}

enum { MAX_TO_SLOW = 3 };

struct div_regs { int a, b, d, q; bool a_zero, keep_rax; };

/* When b is in rax nothing overwrites rax before the division (no `mov
 * rax, b`): every jump to the slow path leaves from there, so operands in
 * rax are read from rax itself; otherwise from rax's copy in env. */
static bool rax_in_env(const struct div_regs *r) { return r->b != X64_RAX; }

/* opc with ModRM reg field `reg` and r/m the 64-bit operand x: x's
 * register, or for rax (overwritten by then) its copy in env. */
static void op_x(struct be_code *c, const struct div_regs *r, uint32_t opc, int reg, int x)
{
    if (x == X64_RAX && rax_in_env(r))
        x64_emit_op_m_r(c, X64_W, opc, reg, X64_ENV, slot(SLOT_RAX));
    else
        x64_emit_op_rm_r(c, X64_W, opc, reg, x);
}

static void cmp_x_imm8(struct be_code *c, const struct div_regs *r, int x, int8_t imm)
{
    op_x(c, r, 0x83, 7, x);
    x64_emit_byte(c, (uint8_t)imm);
}

/* The tests (their jumps to the slow path in to_slow) and the division. */
static int fast_path(struct be_code *c, const struct ir_insn *i, const struct div_regs *r,
                     uint8_t **to_slow)
{
    int n = 0;
    bool is_signed = i->op == IR_divs, narrow = i->aux[1] & IR_DIV_NARROW;
    if (!is_signed && !r->a_zero) {
        op_x(c, r, 0x8b, X64_RDX, r->a);                       /* mov rdx, a */
        op_x(c, r, 0x3b, X64_RDX, r->d);                       /* cmp rdx, d */
        to_slow[n++] = jump_site(c, X64_CC_AE);
    } else {
        cmp_x_imm8(c, r, r->d, 0);
        to_slow[n++] = jump_site(c, X64_CC_E);
    }
    if (is_signed) {
        cmp_x_imm8(c, r, r->d, -1);
        to_slow[n++] = jump_site(c, X64_CC_E);
    }
    if (r->b != X64_RAX)
        x64_emit_mov_rm_r(c, X64_W, X64_RAX, r->b);
    if (!is_signed && r->a_zero)
        x64_emit_alu_rm_r(c, X64_XOR, 0, X64_RDX, X64_RDX);
    if (is_signed) {
        x64_emit_byte(c, 0x48);                             /* cqo */
        x64_emit_byte(c, 0x99);
    }
    if (is_signed && !narrow) {         /* a:b is b's sign extension (a 0: rdx is) */
        if (r->a_zero)
            x64_emit_test_rm_r(c, X64_W, X64_RDX, X64_RDX);
        else
            op_x(c, r, 0x3b, X64_RDX, r->a);
        to_slow[n++] = jump_site(c, X64_CC_NE);
    }
    op_x(c, r, 0xf7, is_signed ? X64_IDIV : X64_DIV, r->d);
    return n;
}

static void store_operand(struct be_code *c, const struct div_regs *r, int x, int k)
{
    op_x(c, r, 0x8b, X64_RDX, x);
    x64_emit_mov_m_r(c, X64_W, X64_ENV, slot(k), X64_RDX);
}

static void slow_path(struct be_code *c, const struct ir_insn *i, const struct div_regs *r)
{
    unsigned how = (i->aux[1] & IR_DIV_NARROW) | (i->op == IR_divs ? IR_DIV_SIGNED : 0);
    if (r->a_zero)
        x64_emit_mov_m_imm32(c, X64_W, X64_ENV, slot(SLOT_HI), 0);
    else
        store_operand(c, r, r->a, SLOT_HI);
    store_operand(c, r, r->b, SLOT_LO);
    store_operand(c, r, r->d, SLOT_DIVISOR);
    x64_emit_mov_m_r(c, X64_W, X64_ENV, slot(SLOT_RCX), X64_RCX);
    x64_emit_movi_addr(c, X64_RAX, (const void *)ir_div_slow, BE_RELOC_HOST);
    x64_emit_mov_r_imm32(c, X64_RCX, how);
    x64_vec_call_stub(c);
    x64_emit_mov_r_m(c, X64_W, X64_RCX, X64_ENV, slot(SLOT_RCX));
    x64_emit_mov_r_m(c, X64_W, X64_RDX, X64_ENV, slot(SLOT_HI));
    x64_emit_test_rm_r(c, X64_W, X64_RDX, X64_RDX);
    x64_emit_brexit(c, X64_CC_NE, (uint64_t)i->aux[0], TR_EXIT_SIGFPE);
}

/* q from rax, rax its own value back when the allocator keeps it. */
static void result(struct be_code *c, const struct div_regs *r)
{
    if (r->q == X64_RAX)
        return;
    x64_emit_mov_rm_r(c, X64_W, r->q, X64_RAX);
    if (r->keep_rax)
        x64_emit_mov_r_m(c, X64_W, X64_RAX, X64_ENV, slot(SLOT_RAX));
}

/* Whether the allocator keeps a value in rax past the op (be_code.regs_held). */
static bool rax_held(const struct be_code *c)
{
    return !c->regs_held || (*c->regs_held & (1ull << X64_RAX));
}

static bool is_operand(const struct div_regs *r, int reg)
{
    return (!r->a_zero && r->a == reg) || r->b == reg || r->d == reg;
}

void x64_emit_div(struct be_code *c, const struct ir_insn *i, const struct be_arg *out,
                  const struct be_arg *in)
{
    bool narrow = i->aux[1] & IR_DIV_NARROW, zero = narrow || in[1].is_const;  /* (BE_IMM_ZERO) */
    struct div_regs r = { .a = zero ? -1 : in[1].reg, .b = in[0].reg, .d = in[2].reg,
                          .q = out[0].reg, .a_zero = zero,
                          .keep_rax = rax_held(c) && out[0].reg != X64_RAX };
    uint8_t *to_slow[MAX_TO_SLOW];
    if (r.keep_rax || (is_operand(&r, X64_RAX) && rax_in_env(&r)))
        x64_emit_mov_m_r(c, X64_W, X64_ENV, slot(SLOT_RAX), X64_RAX);
    int n = fast_path(c, i, &r, to_slow);
    result(c, &r);
    uint8_t *join = jump_site(c, -1);
    for (int k = 0; k < n; k++)
        land(c, to_slow[k]);
    slow_path(c, i, &r);
    result(c, &r);
    land(c, join);
}
