/* exec_regalloc.c -- random IR blocks through the whole back half of the
 * translator: (optionally ir_optimize), regalloc.c and this backend,
 * executed and compared with an interpretation of the same IR in C.
 * Many temps force spills; helper calls exercise clobbers, the write-back
 * and reload of globals (pinned ones included) around calls. */
#include <stddef.h>
#include <string.h>

#include "exec_common.h"
#include "regalloc.h"

#define N_GLOBALS XT_N_GLOBALS

static struct ir_block block, compiled;
static struct xt_env shadow;

static uint64_t mix(void *env, uint64_t a, uint64_t b) { return a * 31 + (b >> 3); }
/* Reads and writes guest state, pinned globals in callee-saved (g0, g7)
 * and caller-saved (g12, g14) host registers and unpinned ones (g17). */
static uint64_t touch(void *env, uint64_t a)
{
    struct xt_env *e = env;
    e->gregs[7] += a;
    e->gregs[12] ^= a;
    e->gregs[17] += 3;
    return e->gregs[0] + e->gregs[14];
}
/* Destroys every caller-saved host register but its result (as any C
 * function may): pinned globals there must have been written back. */
static uint64_t scramble(void *env, uint64_t a)
{
    __asm__ volatile(
        "mov x1, #0xdead\n mov x2, x1\n mov x3, x1\n mov x4, x1\n mov x5, x1\n"
        "mov x6, x1\n mov x7, x1\n mov x8, x1\n mov x9, x1\n mov x10, x1\n mov x11, x1\n"
        "mov x12, x1\n mov x13, x1\n mov x14, x1\n mov x15, x1\n mov x16, x1\n mov x17, x1\n"
        "mov x18, x1\n"
        ::: "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
            "x14", "x15", "x16", "x17", "x18", "memory");
    return a ^ 0x1234;
}
const struct ir_helper xt_mix_helper = { .fn = (void *)mix, .name = "mix", .n_args = 2,
                                             .has_result = 1 };
const struct ir_helper xt_touch_helper = { .fn = (void *)touch, .name = "touch",
                                               .n_args = 1, .has_result = 1,
                                               .flags = IR_HELPER_RW_GLOBALS };
const struct ir_helper xt_scramble_helper = { .fn = (void *)scramble, .name = "scramble",
                                                  .n_args = 1, .has_result = 1 };

struct ra_state *xt_ra(void)
{
    static struct ra_state *ra;
    return ra ? ra : (ra = ra_state_new());
}

/* ---- random program generation ---- */

static ir_ref readable[IR_MAX_VALUES];
static int n_readable;

ir_ref xt_pick_src(struct ir_block *b, int const_pct)
{
    if ((int)(xt_random() % 100) < const_pct) {
        uint64_t r = xt_random();
        return ir_const(b, r % 3 ? xt_values[r % xt_n_values] : xt_random() % 64);
    }
    return readable[xt_random() % n_readable];
}

static ir_ref pick_dst(struct ir_block *b)
{
    unsigned r = xt_random() % 10;
    if (r < 2) return (ir_ref)(xt_random() % N_GLOBALS);
    if (r < 4 && n_readable > N_GLOBALS) return readable[N_GLOBALS + xt_random() % (n_readable - N_GLOBALS)];
    ir_ref t = ir_temp(b);
    readable[n_readable++] = t;
    return t;
}

/* Guest memory of the random blocks, and the interpreter's copy of it. */
uint8_t xt_guest_mem[256] __attribute__((aligned(16))), xt_shadow_mem[256];

/* mem + (x & 0xf8), or a constant address in mem. */
static ir_ref gen_addr(struct ir_block *b, ir_ref x)
{
    if (xt_random() % 2)
        return ir_const(b, (uintptr_t)xt_guest_mem + (xt_random() % 32) * 8);
    ir_ref off = ir_temp(b), a = ir_temp(b);
    ir_binop(b, IR_and, 64, off, x, ir_const(b, 0xf8));
    ir_binop(b, IR_add, 64, a, off, ir_const(b, (uintptr_t)xt_guest_mem));
    return a;
}

static void gen_mem(struct ir_block *b, ir_ref x, ir_ref y)
{
    unsigned memop = xt_random() % 8;
    ir_ref addr = gen_addr(b, x);
    if (xt_random() % 2) {
        ir_ref d = pick_dst(b);
        ir_ld(b, memop, d, addr);
        if (xt_random() % 2) {          /* movsx from memory: a64_fold_sign_extend */
            static const enum ir_op exts[] = { IR_ext8s, IR_ext16s, IR_ext32s };
            ir_unop(b, exts[xt_random() % 3], 64, pick_dst(b), d);
        }
    } else {
        ir_st(b, memop & IR_MO_SIZE, addr, y);
    }
}

/* push/pop runs as a frontend emits them: accesses at a pointer that
 * moves by 8 after each, copied to a global ("rsp") each time; once
 * ir_optimize has folded the addresses onto the first pointer value,
 * ir_rebase_accesses moves them back onto the newest (writeback). */
static void gen_push_pop(struct ir_block *b, ir_ref x, ir_ref y)
{
    ir_ref off = ir_temp(b), p = ir_temp(b), sp = (ir_ref)(xt_random() % N_GLOBALS);
    ir_binop(b, IR_and, 64, off, x, ir_const(b, 0x78));
    ir_binop(b, IR_add, 64, p, off, ir_const(b, (uintptr_t)xt_guest_mem + 64));
    for (int k = 1 + xt_random() % 5; k > 0; k--) {
        ir_ref next = ir_temp(b);
        if (xt_random() % 2) {
            ir_ref a = ir_temp(b);
            ir_binop(b, IR_sub, 64, a, p, ir_const(b, 8));
            ir_st(b, IR_MO_64, a, y);
            ir_binop(b, IR_sub, 64, next, p, ir_const(b, 8));
        } else {
            ir_ld(b, IR_MO_64, pick_dst(b), p);
            ir_binop(b, IR_add, 64, next, p, ir_const(b, 8));
        }
        ir_mov(b, sp, next);
        p = next;
    }
}

static const enum ir_op alu_ops[] = {
    IR_add, IR_sub, IR_mul, IR_and, IR_or, IR_xor, IR_andc, IR_shl, IR_shr, IR_sar,
    IR_rotl, IR_rotr, IR_mulhu, IR_mulhs,
};
static const enum ir_op unary_ops[] = {
    IR_neg, IR_not, IR_bswap, IR_clz, IR_ctz, IR_ext8u, IR_ext8s, IR_ext16u, IR_ext16s,
    IR_ext32u, IR_ext32s, IR_mov,
};
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

/* As a frontend writes a guest register: the result (of an ALU op or a
 * load, whose inputs may include that global) in a fresh temp, copied to
 * a global; the temp is often dead after that. */
static void gen_via_temp(struct ir_block *b, int size, ir_ref x, ir_ref y)
{
    ir_ref t = ir_temp(b);
    if (xt_random() % 3 == 0)
        ir_ld(b, xt_random() % 8, t, gen_addr(b, x));
    else
        ir_binop(b, alu_ops[xt_random() % COUNT(alu_ops)], size, t, x, y);
    ir_mov(b, (ir_ref)(xt_random() % N_GLOBALS), t);
    if (xt_random() % 2)
        readable[n_readable++] = t;
}

/* An ALU op and a compare of its operands (the old value kept in a copy,
 * as a frontend keeps a register it overwrites) or of its result against
 * 0: what ir_fuse_flags turns into host flags when the values match. */
static void gen_flags_pair(struct ir_block *b, int size, ir_ref x, ir_ref y)
{
    static const enum ir_op producers[] = { IR_sub, IR_sub, IR_add, IR_and };
    ir_ref t = ir_temp(b), old = ir_temp(b);
    ir_mov(b, old, x);
    ir_binop(b, producers[xt_random() % COUNT(producers)], size, t, x, y);
    ir_mov(b, pick_dst(b), t);
    bool vs_zero = xt_random() % 3 == 0, swap = xt_random() % 4 == 0;
    ir_ref l = vs_zero ? t : swap ? y : old, r = vs_zero ? ir_const(b, 0) : swap ? old : y;
    enum ir_cond c = xt_random() % IR_NUM_CONDS;
    ir_ref vt = xt_pick_src(b, 20), vf = xt_pick_src(b, 20);
    ir_ref d = (ir_ref)(xt_random() % N_GLOBALS);   /* live: the compare stays */
    if (xt_random() % 2)
        ir_setcond(b, c, size, d, l, r);
    else
        ir_movcond(b, c, size, d, l, r, vt, vf);
}

/* A widened value compared (either side, 32 or 64 bits) with another
 * through a temp read once: ir_fold_ext's subfx and flags form. */
static void gen_ext_compare(struct ir_block *b, ir_ref t, ir_ref y)
{
    enum ir_cond c = xt_random() % IR_NUM_CONDS;
    int size = xt_random() % 2 ? 64 : 32;
    bool swap = xt_random() % 2;
    ir_ref l = swap ? y : t, r = swap ? t : y;
    ir_ref vt = xt_pick_src(b, 20), vf = xt_pick_src(b, 20);   /* before the new dst */
    if (xt_random() % 2)
        ir_setcond(b, c, size, pick_dst(b), l, r);
    else
        ir_movcond(b, c, size, pick_dst(b), l, r, vt, vf);
}

/* A widened value added to or subtracted from a 64-bit one, or compared,
 * through a temp read once: what ir_fold_ext turns into addx/subx/subfx. */
static void gen_ext_operand(struct ir_block *b, ir_ref x, ir_ref y)
{
    static const enum ir_op exts[] = { IR_ext8u, IR_ext8s, IR_ext16u, IR_ext16s, IR_ext32u, IR_ext32s };
    ir_ref t = ir_temp(b);
    ir_unop(b, exts[xt_random() % COUNT(exts)], 64, t, x);
    int form = xt_random() % 4;
    if (form == 3)
        gen_ext_compare(b, t, y);
    else
        ir_binop(b, form == 2 ? IR_sub : IR_add, 64, pick_dst(b), form == 1 ? t : y, form == 1 ? y : t);
}

static void gen_insn(struct ir_block *b)
{
    int size = xt_random() % 2 ? 64 : 32, kind = xt_random() % 26;
    ir_ref x = xt_pick_src(b, 5), y = xt_pick_src(b, 40);
    if (kind == 25) {
        gen_push_pop(b, x, y);
    } else if (kind >= 23) {
        gen_flags_pair(b, size, x, y);
    } else if (kind == 22) {
        gen_ext_operand(b, x, y);
    } else if (kind >= 20) {
        gen_via_temp(b, size, x, y);
    } else if (kind < 9) {
        ir_binop(b, alu_ops[xt_random() % COUNT(alu_ops)], size, pick_dst(b), x, y);
    } else if (kind < 12) {
        enum ir_op op = unary_ops[xt_random() % COUNT(unary_ops)];
        ir_emit(b, op, ir_op_info[op].flags & IR_F_SIZED ? size : 64, pick_dst(b), x, IR_NONE);
    } else if (kind < 14) {
        ir_setcond(b, xt_random() % IR_NUM_CONDS, size, pick_dst(b), x, y);
    } else if (kind < 16) {
        ir_ref t = xt_pick_src(b, 20), f = xt_pick_src(b, 20);
        ir_movcond(b, xt_random() % IR_NUM_CONDS, size, pick_dst(b), x, y, t, f);
    } else if (kind < 18) {
        int pos = xt_random() % 64, len = 1 + xt_random() % (64 - pos);
        if (kind == 16) ir_extract(b, pick_dst(b), x, pos, len);
        else ir_deposit(b, pick_dst(b), x, y, pos, len);
    } else if (kind == 18 && xt_random() % 2) {
        gen_mem(b, x, y);
    } else if (kind == 18) {
        ir_ref args[2] = { x, y };
        ir_call(b, &xt_mix_helper, pick_dst(b), args);
    } else {
        ir_call(b, xt_random() % 2 ? &xt_touch_helper : &xt_scramble_helper, pick_dst(b), &x);
    }
}

/* A load from or store to XT_FAULT_ADDR (unmapped). */
static void gen_fault(struct ir_block *b)
{
    ir_ref addr = ir_const(b, XT_FAULT_ADDR);
    if (xt_random() % 2)
        ir_ld(b, IR_MO_64, pick_dst(b), addr);
    else
        ir_st(b, IR_MO_32, addr, xt_pick_src(b, 20));
}

void xt_gen_body(struct ir_block *b, uint64_t pc, int n_insns, bool exit_request, int fault_at)
{
    ir_block_init(b, &xt_globals, pc);
    n_readable = 0;
    for (int i = 0; i < N_GLOBALS; i++) readable[n_readable++] = (ir_ref)i;
    if (exit_request)
        ir_exit_request(b, pc);
    for (int i = 0; i < n_insns; i++) {
        ir_insn_start(b, pc + 4 * i, 4);
        if (i == fault_at)
            gen_fault(b);
        else
            gen_insn(b);
    }
}

static void gen_block(struct ir_block *b, int n_insns)
{
    xt_gen_body(b, 0x400000, n_insns, false, -1);
    if (xt_random() % 2)
        ir_exit_code(b, 0x400100, TR_EXIT_SYSCALL);
    else
        ir_goto_tb(b, 0x400200, 0);
}

/* ---- the C interpretation ---- */

static uint64_t call_helper(const struct ir_insn *i, uint64_t *vals)
{
    const struct ir_helper *h = (const struct ir_helper *)(intptr_t)i->aux[0];
    for (int g = 0; g < N_GLOBALS; g++) shadow.gregs[g] = vals[g];
    uint64_t a = vals[i->args[1]], r;
    if (h == &xt_mix_helper)
        r = mix(&shadow, a, vals[i->args[2]]);
    else
        r = h == &xt_touch_helper ? touch(&shadow, a) : a ^ 0x1234;
    for (int g = 0; g < N_GLOBALS; g++) vals[g] = shadow.gregs[g];
    return r;
}

static uint64_t interpret_mem(const struct ir_insn *i, const uint64_t *in)
{
    uint8_t *p = xt_shadow_mem + (in[0] + (uint64_t)i->aux[0] - (uintptr_t)xt_guest_mem);
    uint64_t v = 0;
    int bytes = ir_memop_bytes(i->size);
    if (i->op == IR_st) {
        memcpy(p, &in[1], bytes);
        return 0;
    }
    memcpy(&v, p, bytes);
    if ((i->size & IR_MO_SIGN) && bytes < 8 && (v >> (8 * bytes - 1)) & 1)
        v |= ~0ull << (8 * bytes);
    return v;
}

void xt_interpret(const struct ir_block *b, uint64_t *vals, int stop)
{
    for (int v = N_GLOBALS; v < b->n_values; v++) vals[v] = b->values[v].imm;
    for (int n = 0; n < stop; n++) {
        const struct ir_insn *i = &b->insns[n];
        const struct ir_op_info *info = &ir_op_info[i->op];
        if (info->flags & (IR_F_EXIT | IR_F_BRANCH) || i->op == IR_insn_start)
            continue;
        uint64_t in[4] = { 0 }, r;
        for (int k = 0; k < info->n_in && k < 4; k++)
            if (i->args[info->n_out + k] != IR_NONE) in[k] = vals[i->args[info->n_out + k]];
        if (i->op == IR_ld || i->op == IR_st)
            r = interpret_mem(i, in);
        else
            r = i->op == IR_call ? call_helper(i, vals) : xt_reference(i, in);
        if (info->n_out && i->args[0] != IR_NONE) vals[i->args[0]] = r;
    }
}

static void run_random_block(int n_insns, bool optimize)
{
    static uint64_t want[IR_MAX_VALUES];
    gen_block(&block, n_insns);
    for (int g = 0; g < N_GLOBALS; g++) xt_env.gregs[g] = want[g] = xt_random();
    for (int k = 0; k < 256; k++) xt_guest_mem[k] = xt_shadow_mem[k] = (uint8_t)xt_random();
    xt_interpret(&block, want, block.n_insns);
    compiled = block;
    if (optimize) {
        ir_optimize(&compiled);
        ir_fuse_flags(&compiled, be_host.keeps_flags);
        ir_fold_ext(&compiled);
        ir_rebase_accesses(&compiled);
    }
    const char *bad = ir_validate(&compiled);
    XT_CHECK(!bad, "invalid block: %s", bad);
    struct be_code c = xt_block();
    XT_CHECK(ra_emit_block(xt_ra(), &c, &compiled), "ra_emit_block ran out of room");
    uint64_t rc = xt_run(&c);
    bool exit_code = compiled.insns[compiled.n_insns - 1].op == IR_exit_code;
    XT_CHECK(rc == (exit_code ? TR_EXIT_SYSCALL : TR_EXIT_CHAIN0), "rc %lu", (unsigned long)rc);
    XT_CHECK(memcmp(xt_guest_mem, xt_shadow_mem, sizeof xt_guest_mem) == 0,
             "random block (%d insns, optimize %d): memory differs", n_insns, optimize);
    int bad_regs = 0;
    for (int g = 0; g < N_GLOBALS; g++) bad_regs += xt_env.gregs[g] != want[g];
    XT_CHECK(bad_regs == 0, "random block (%d insns, optimize %d): %d globals differ",
             n_insns, optimize, bad_regs);
    if (bad_regs && xt_failures < 3) {
        ir_dump(&compiled, stderr);
        for (int g = 0; g < N_GLOBALS; g++)
            fprintf(stderr, "  g%d got %#lx want %#lx\n", g, (unsigned long)xt_env.gregs[g],
                    (unsigned long)want[g]);
    }
}

void xt_test_regalloc(void)
{
    for (int n = 0; n < 300; n++) {
        run_random_block(1 + n % 80, false);
        run_random_block(1 + n % 80, true);
    }
}
