/* test_ir.c -- the IR builder, validator, dumper and optimizer: good
 * blocks pass validation and bad ones are rejected with a message; the
 * optimizer folds constants (values computed here by the C compiler),
 * propagates copies without crossing reassignments, removes dead code,
 * keeps side effects and folds address arithmetic into ld/st (ldx/stx). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "ir_fold.h"
#include "runtime.h"

static struct ir_globals globals;
static ir_ref RAX, RBX, RCX;
static struct ir_block blk;

static void setup(void)
{
    globals.count = 0;
    globals.has_sp = false;
    RAX = ir_global_declare(&globals, "rax", 600);
    RBX = ir_global_declare(&globals, "rbx", 608);
    RCX = ir_global_declare(&globals, "rcx", 616);
}

TestSuite(ir, .init = setup);

static struct ir_block *new_block(void)
{
    ir_block_init(&blk, &globals, 0x401000);
    return &blk;
}

static uint64_t dummy_fn(void *env, uint64_t a) { return a; }
static const struct ir_helper h1 = { (void *)dummy_fn, "dummy", 1, 1, 0 };

/* ---- validator ---- */

Test(ir, globals_are_the_first_values)
{
    struct ir_block *b = new_block();
    cr_assert_eq(b->n_globals, 3);
    cr_assert_eq(b->values[RBX].kind, IR_VAL_GLOBAL);
    cr_assert_eq(b->values[RBX].env_offset, 608);
    ir_ref t = ir_temp(b), k = ir_const(b, 42);
    cr_assert_eq(t, 3);
    cr_assert_eq(b->values[k].imm, 42);
    cr_assert(ir_is_const(b, k));
    cr_assert(!ir_is_const(b, t));
}

Test(ir, validator_accepts_good_blocks)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b);
    ir_insn_start(b, 0x401000, 3);
    ir_binop(b, IR_add, 32, t, RAX, ir_const(b, 16));
    ir_extract(b, u, t, 8, 8);
    ir_deposit(b, RBX, RBX, u, 0, 16);
    ir_setcond(b, IR_LTU, 64, t, RAX, RBX);
    ir_movcond(b, IR_TSTNE, 32, RCX, RAX, RBX, t, u);
    ir_ld(b, IR_MO_32 | IR_MO_SIGN, t, RAX);
    ir_st(b, IR_MO_8, RAX, t);
    ir_ld_env(b, IR_MO_64, u, 64);
    ir_st_env(b, IR_MO_16, u, 72);
    ir_call(b, &h1, t, &u);
    ir_call(b, &h1, IR_NONE, &u);
    ir_brcond(b, IR_EQ, 64, t, ir_const(b, 0), 0x402000, 1);
    ir_goto_tb(b, 0x401003, 0);
    const char *err = ir_validate(b);
    cr_assert_null(err, "%s", err);
}

/* Each case builds one bad block; all must be rejected. */
static void bad_output_const(struct ir_block *b) { ir_binop(b, IR_add, 64, ir_const(b, 1), RAX, RBX); ir_goto_tb(b, 1, 0); }
static void bad_missing_input(struct ir_block *b) { ir_binop(b, IR_add, 64, RAX, RAX, IR_NONE); ir_goto_tb(b, 1, 0); }
static void bad_size(struct ir_block *b) { ir_binop(b, IR_add, 16, RAX, RAX, RBX); ir_goto_tb(b, 1, 0); }
static void bad_memop(struct ir_block *b) { ir_ld(b, 0x10, RAX, RBX); ir_goto_tb(b, 1, 0); }
static void bad_signed_store(struct ir_block *b) { ir_st(b, IR_MO_8 | IR_MO_SIGN, RAX, RBX); ir_goto_tb(b, 1, 0); }
static void bad_no_exit(struct ir_block *b) { ir_mov(b, RAX, RBX); }
static void bad_exit_in_middle(struct ir_block *b) { ir_goto_tb(b, 1, 0); ir_mov(b, RAX, RBX); ir_goto_tb(b, 2, 1); }
static void bad_slot(struct ir_block *b) { ir_goto_tb(b, 1, 2); }
static void bad_brcond_slot(struct ir_block *b) { ir_brcond(b, IR_EQ, 64, RAX, RBX, 5, 3); ir_goto_tb(b, 1, 0); }
static void bad_cond(struct ir_block *b) { ir_setcond(b, (enum ir_cond)IR_NUM_CONDS, 64, RAX, RAX, RBX); ir_goto_tb(b, 1, 0); }
static void bad_field(struct ir_block *b) { ir_extract(b, RAX, RBX, 60, 8); ir_goto_tb(b, 1, 0); }
static void bad_ref(struct ir_block *b) { ir_mov(b, RAX, (ir_ref)(b->n_values + 5)); ir_goto_tb(b, 1, 0); }
static void bad_call_result(struct ir_block *b) { ir_ref a = RAX; ir_call(b, &h1, ir_const(b, 3), &a); ir_goto_tb(b, 1, 0); }
static void bad_empty(struct ir_block *b) { (void)b; }

Test(ir, validator_rejects_bad_blocks)
{
    void (*const cases[])(struct ir_block *) = {
        bad_output_const, bad_missing_input, bad_size, bad_memop, bad_signed_store, bad_no_exit,
        bad_exit_in_middle, bad_slot, bad_brcond_slot, bad_cond, bad_field, bad_ref,
        bad_call_result, bad_empty,
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct ir_block *b = new_block();
        cases[k](b);
        const char *err = ir_validate(b);
        cr_assert_not_null(err, "bad block %zu accepted", k);
        cr_assert(strlen(err) > 0);
    }
}

Test(ir, overflow_is_flagged_not_crashing)
{
    struct ir_block *b = new_block();
    for (int k = 0; k < IR_MAX_INSNS + 10; k++)
        ir_mov(b, RAX, RBX);
    ir_goto_tb(b, 1, 0);
    cr_assert(b->overflow);
    cr_assert_not_null(ir_validate(b));
}

/* ---- dump ---- */

static char *dump(const struct ir_block *b)
{
    static char text[4096];
    FILE *f = fmemopen(text, sizeof(text), "w");
    ir_dump(b, f);
    fclose(f);
    return text;
}

Test(ir, dump_is_one_readable_line_per_insn)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b);
    ir_binop(b, IR_add, 32, t, RAX, ir_const(b, 0x10));
    ir_ld(b, IR_MO_16 | IR_MO_SIGN, RBX, t);
    ir_setcond(b, IR_GEU, 64, RCX, RAX, t);
    ir_brcond(b, IR_NE, 32, t, RBX, 0x401234, 1);
    ir_goto_tb(b, 0x401010, 0);
    const char *text = dump(b);
    cr_assert(strstr(text, "add_i32 t0, rax, $0x10\n"), "%s", text);
    cr_assert(strstr(text, "ld_s16 rbx, t0\n"), "%s", text);
    cr_assert(strstr(text, "setcond_i64 rcx, rax, t0, geu\n"), "%s", text);
    cr_assert(strstr(text, "brcond_i32 t0, rbx, ne -> 0x401234 slot 1\n"), "%s", text);
    cr_assert(strstr(text, "goto_tb -> 0x401010 slot 0\n"), "%s", text);
}

/* ---- optimizer ---- */

static int count_op(const struct ir_block *b, enum ir_op op)
{
    int n = 0;
    for (int k = 0; k < b->n_insns; k++)
        n += b->insns[k].op == op;
    return n;
}

/* The insn writing `dst` last, or NULL. */
static const struct ir_insn *last_write(const struct ir_block *b, ir_ref dst)
{
    const struct ir_insn *w = NULL;
    for (int k = 0; k < b->n_insns; k++)
        if (ir_op_info[b->insns[k].op].n_out && b->insns[k].args[0] == dst)
            w = &b->insns[k];
    return w;
}

static void expect_const_write(const struct ir_block *b, ir_ref dst, uint64_t v)
{
    const struct ir_insn *w = last_write(b, dst);
    cr_assert_not_null(w);
    cr_assert_eq(w->op, IR_mov, "%s", dump(b));
    cr_assert(ir_is_const(b, w->args[1]), "%s", dump(b));
    cr_assert_eq(b->values[w->args[1]].imm, v, "%s", dump(b));
}

Test(ir, folds_constant_chains)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), w = ir_temp(b);
    uint64_t x = 0x123456789ull, y = 0xfedcba98ull;
    ir_movi(b, t, x);
    ir_binop(b, IR_mul, 32, u, t, ir_const(b, y));
    ir_binop(b, IR_rotr, 64, w, u, ir_const(b, 13));
    ir_binop(b, IR_sar, 64, RAX, w, ir_const(b, 5));
    ir_setcond(b, IR_LT, 32, RBX, u, ir_const(b, 7));
    ir_extract(b, RCX, w, 4, 12);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    uint64_t cu = (uint32_t)((uint32_t)x * (uint32_t)y);
    uint64_t cw = (cu >> 13) | (cu << 51);
    expect_const_write(b, RAX, (uint64_t)((int64_t)cw >> 5));
    expect_const_write(b, RBX, (int32_t)cu < 7);
    expect_const_write(b, RCX, (cw >> 4) & 0xfff);
    cr_assert_eq(b->n_insns, 4, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

Test(ir, constant_brcond_becomes_goto_or_vanishes)
{
    struct ir_block *b = new_block();
    ir_brcond(b, IR_GTU, 64, ir_const(b, 1), ir_const(b, 2), 0x10, 1);
    ir_mov(b, RAX, RBX);
    ir_brcond(b, IR_GTU, 64, ir_const(b, 3), ir_const(b, 2), 0x20, 1);
    ir_mov(b, RBX, RCX);
    ir_goto_tb(b, 0x30, 0);
    ir_optimize(b);
    cr_assert_eq(count_op(b, IR_brcond), 0, "%s", dump(b));
    cr_assert_eq(b->n_insns, 2, "%s", dump(b));
    cr_assert_eq(b->insns[1].op, IR_goto_tb);
    cr_assert_eq(b->insns[1].aux[0], 0x20);
    cr_assert_eq(b->insns[1].aux[1], 1);
    cr_assert_null(ir_validate(b));
}

Test(ir, keeps_side_effects_and_removes_dead_code)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), d = ir_temp(b);
    ir_binop(b, IR_add, 64, t, RAX, RBX);
    ir_binop(b, IR_mul, 64, d, t, t);               /* dead */
    ir_st(b, IR_MO_64, RCX, t);                      /* side effect, kept */
    ir_call(b, &h1, u, &t);                          /* call kept though u is unused */
    ir_st_env(b, IR_MO_32, t, 80);
    ir_mov(b, RAX, RBX);                             /* overwritten below: dead */
    ir_mov(b, RAX, RCX);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    cr_assert_eq(count_op(b, IR_mul), 0, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_st), 1);
    cr_assert_eq(count_op(b, IR_call), 1);
    cr_assert_eq(count_op(b, IR_st_env), 1);
    cr_assert_eq(count_op(b, IR_mov), 1, "%s", dump(b));
    cr_assert_eq(last_write(b, RAX)->args[1], RCX);
    cr_assert_null(ir_validate(b));
}

/* A 64-bit st_env of the value the word already holds goes (VEX.128's
 * upper-half zeroing, repeated per instruction), also after a guest
 * store; a call, a vector op writing the word, a reassigned value or another constant
 * make the next store count again. */
static uint64_t dummy_vec(void *env, uint64_t d, uint64_t s, uint64_t imm) { return 0; }
static const struct ir_helper h_vec = { (void *)dummy_vec, "dummy_vec", 3, 0, 0 };

Test(ir, store_of_the_value_env_holds_goes)
{
    struct ir_block *b = new_block();
    enum { A = 0x300, B = 0x308 };
    ir_st_env(b, IR_MO_64, ir_const(b, 0), A);          /* kept */
    ir_st_env(b, IR_MO_64, ir_const(b, 0), A);          /* the same constant: goes */
    ir_st_env(b, IR_MO_64, RAX, B);                     /* kept */
    ir_st_env(b, IR_MO_64, RAX, B);                     /* the same value: goes */
    ir_st(b, IR_MO_64, RCX, RBX);                       /* a guest store: not env */
    ir_st_env(b, IR_MO_64, ir_const(b, 0), A);          /* goes */
    ir_call(b, &h1, IR_NONE, &RBX);
    ir_st_env(b, IR_MO_64, RAX, B);                     /* kept: after a call */
    ir_mov(b, RAX, RBX);
    ir_st_env(b, IR_MO_64, RAX, B);                     /* kept: rax reassigned */
    ir_st_env(b, IR_MO_64, ir_const(b, 1), A);          /* kept: another constant */
    ir_st_env(b, IR_MO_64, ir_const(b, 0), A);          /* kept */
    ir_vec(b, IR_vadd, IR_VE_8, ir_vec_pack(A, A, 0x400, 0), &h_vec);
    ir_st_env(b, IR_MO_64, ir_const(b, 0), A);          /* kept: the vector op wrote A */
    ir_st_env(b, IR_MO_64, ir_const(b, 0), A);          /* goes */
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    cr_assert_eq(count_op(b, IR_st_env), 7, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* A guest store does not touch env: the word's fact survives it. */
Test(ir, env_facts_survive_guest_stores)
{
    struct ir_block *b = new_block();
    enum { A = 0x300 };
    ir_st_env(b, IR_MO_64, ir_const(b, 0), A);          /* kept */
    ir_st(b, IR_MO_64, RCX, RBX);
    ir_vec(b, IR_vst, IR_VE_8, ir_vec_pack(0x400, 0x400, 0x400, 16), NULL)->args[0] = RCX;
    ir_st_env(b, IR_MO_64, ir_const(b, 0), A);          /* goes */
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    cr_assert_eq(count_op(b, IR_st_env), 1, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

static const struct ir_insn *nth_vec(const struct ir_block *b, enum ir_op op, int k)
{
    for (int n = 0; n < b->n_insns; n++)
        if (b->insns[n].op == op && !k--)
            return &b->insns[n];
    return NULL;
}

/* vmov x1 <- x2; valignr x1 = x1:x5 is valignr x1 = x2:x5: the copy goes. */
Test(ir, vec_copy_forwarded_into_its_overwrite)
{
    struct ir_block *b = new_block();
    enum { X1 = 0x410, X2 = 0x420, X5 = 0x450 };
    ir_vec(b, IR_vmov, IR_VE_8, ir_vec_pack(X1, X1, X2, 16), NULL);
    ir_vec(b, IR_valignr, IR_VE_8, ir_vec_pack(X1, X1, X5, 4), &h_vec);
    ir_goto_tb(b, 1, 0);
    ir_forward_vec_copies(b);
    cr_assert_eq(count_op(b, IR_vmov), 0, "%s", dump(b));
    const struct ir_insn *i = nth_vec(b, IR_valignr, 0);
    cr_assert(ir_vec_d(i) == X1 && ir_vec_a(i) == X2 && ir_vec_b(i) == X5, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* The copy stays where something may see it: a guest access (a fault's
 * frame), a branch, an env load of d, an op that cannot take a apart from
 * d (scalar); and d = op(a, d) never becomes a != d with b == d. */
Test(ir, vec_copy_kept_where_seen)
{
    struct ir_block *b = new_block();
    enum { X0 = 0x400, X1 = 0x410, X2 = 0x420, X3 = 0x430 };
    ir_vec(b, IR_vmov, IR_VE_8, ir_vec_pack(X1, X1, X2, 16), NULL);
    ir_vec(b, IR_vld, IR_VE_8, ir_vec_pack(X3, X3, X3, 16), NULL)->args[0] = RCX;
    ir_vec(b, IR_vadd, IR_VE_32, ir_vec_pack(X1, X1, X3, 0), &h_vec);
    ir_vec(b, IR_vmov, IR_VE_8, ir_vec_pack(X0, X0, X2, 16), NULL);
    ir_ld(b, IR_MO_64, RAX, RBX);
    ir_vec(b, IR_vsub, IR_VE_32, ir_vec_pack(X0, X0, X3, 0), &h_vec);
    ir_vec(b, IR_vmov, IR_VE_8, ir_vec_pack(X3, X3, X2, 16), NULL);
    ir_ld_env(b, IR_MO_64, RAX, X3 + 8);
    ir_vec(b, IR_vxor, IR_VE_8, ir_vec_pack(X3, X3, X0, 0), &h_vec);
    ir_vec(b, IR_vmov, IR_VE_8, ir_vec_pack(X2, X2, X1, 16), NULL);
    ir_vec(b, IR_vfadd, IR_VE_64 | IR_V_SCALAR, ir_vec_pack(X2, X2, X3, 0), &h_vec)->args[0] =
        ir_const(b, 0);
    ir_vec(b, IR_vmov, IR_VE_8, ir_vec_pack(X1, X1, X3, 16), NULL);
    ir_vec(b, IR_vandn, IR_VE_8, ir_vec_pack(X0, X1, X0, 0), &h_vec);  /* b = d: a stays */
    ir_goto_tb(b, 1, 0);
    ir_forward_vec_copies(b);
    cr_assert_eq(count_op(b, IR_vmov), 5, "%s", dump(b));
    cr_assert_eq(ir_vec_a(nth_vec(b, IR_vadd, 0)), X1, "%s", dump(b));  /* seen: as it was */
    cr_assert_eq(ir_vec_a(nth_vec(b, IR_vsub, 0)), X0, "%s", dump(b));
    cr_assert_eq(ir_vec_a(nth_vec(b, IR_vxor, 0)), X3, "%s", dump(b));
    cr_assert_eq(ir_vec_a(nth_vec(b, IR_vfadd, 0)), X2, "%s", dump(b));
    cr_assert_eq(ir_vec_a(nth_vec(b, IR_vandn, 0)), X1, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

Test(ir, copies_do_not_cross_reassignment)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b);
    ir_mov(b, t, RAX);                               /* t = old rax */
    ir_binop(b, IR_add, 64, RAX, RAX, ir_const(b, 1));
    ir_mov(b, RBX, t);                               /* must stay old rax, not rax */
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    const struct ir_insn *w = last_write(b, RBX);
    cr_assert_neq(w->args[1], RAX, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

Test(ir, globals_live_at_exits_and_helpers)
{
    static const struct ir_helper rw = { (void *)dummy_fn, "rw", 1, 1, IR_HELPER_RW_GLOBALS };
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b);
    ir_mov(b, RAX, ir_const(b, 5));
    ir_brcond(b, IR_EQ, 64, RBX, ir_const(b, 0), 0x10, 1);   /* reads every global */
    ir_mov(b, RAX, ir_const(b, 6));
    ir_call(b, &rw, t, &t);                                 /* reads every global */
    ir_mov(b, RAX, ir_const(b, 7));
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    int movs = 0;
    for (int k = 0; k < b->n_insns; k++)
        movs += b->insns[k].op == IR_mov && b->insns[k].args[0] == RAX;
    cr_assert_eq(movs, 3, "%s", dump(b));
}

static const struct ir_insn *only_op(const struct ir_block *b, enum ir_op op)
{
    cr_assert_eq(count_op(b, op), 1, "%s", dump(b));
    for (int n = 0; n < b->n_insns; n++)
        if (b->insns[n].op == op)
            return &b->insns[n];
    return NULL;
}

/* rax = [rbx + rcx*8 + 0x20]; [rbx + rcx*4 - 8] = rax: the shifts and adds die. */
Test(ir, folds_base_index_scale_disp)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), w = ir_temp(b), d = ir_temp(b);
    ir_binop(b, IR_shl, 64, t, RCX, ir_const(b, 3));
    ir_binop(b, IR_add, 64, u, RBX, t);
    ir_binop(b, IR_add, 64, w, u, ir_const(b, 0x20));
    ir_ld(b, IR_MO_64, d, w);
    ir_mov(b, RAX, d);
    ir_binop(b, IR_shl, 64, t, RCX, ir_const(b, 2));
    ir_binop(b, IR_add, 64, u, t, RBX);
    ir_binop(b, IR_sub, 64, w, u, ir_const(b, 8));
    ir_st(b, IR_MO_32, w, RAX);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    cr_assert_eq(count_op(b, IR_add) + count_op(b, IR_sub) + count_op(b, IR_shl), 0, "%s", dump(b));
    const struct ir_insn *l = only_op(b, IR_ldx), *st = only_op(b, IR_stx);
    cr_assert(l->args[1] == RBX && l->args[2] == RCX && l->aux[1] == 3 && l->aux[0] == 0x20,
              "%s", dump(b));
    cr_assert(st->args[0] == RBX && st->args[1] == d && st->args[2] == RCX && st->aux[1] == 2 &&
              st->aux[0] == -8, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* base + index, then the base is rewritten before the load: the load must
 * keep the old sum, not address the new base. */
Test(ir, indexed_fold_stops_at_a_rewrite)
{
    struct ir_block *b = new_block();
    ir_ref u = ir_temp(b), d = ir_temp(b);
    ir_binop(b, IR_add, 64, u, RBX, RCX);
    ir_movi(b, RBX, 0x1000);
    ir_ld(b, IR_MO_8, d, u);
    ir_mov(b, RAX, d);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    cr_assert_eq(count_op(b, IR_ldx), 0, "%s", dump(b));
    cr_assert_eq(only_op(b, IR_ld)->args[1], u, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_add), 1, "%s", dump(b));
}

/* [rcx*4 + 0x1000] has no base: it stays shl + ld with a displacement. */
Test(ir, index_without_base_keeps_its_displacement)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), d = ir_temp(b);
    ir_binop(b, IR_shl, 64, t, RCX, ir_const(b, 2));
    ir_binop(b, IR_add, 64, u, t, ir_const(b, 0x1000));
    ir_ld(b, IR_MO_32, d, u);
    ir_mov(b, RAX, d);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    const struct ir_insn *l = only_op(b, IR_ld);
    cr_assert(l->args[1] == t && l->aux[0] == 0x1000, "%s", dump(b));
}

Test(ir, conditions_invert_and_swap)
{
    for (int c = 0; c < IR_NUM_CONDS; c++)
        for (uint64_t a = 0; a < 4; a++)
            for (uint64_t v = 0; v < 4; v++) {
                uint64_t x = a * 0x7fffffff, y = v * 0x80000001;
                bool r = ir_cond_eval((enum ir_cond)c, x, y, 64);
                cr_assert_eq(ir_cond_eval(ir_cond_invert((enum ir_cond)c), x, y, 64), !r);
                cr_assert_eq(ir_cond_eval(ir_cond_swap((enum ir_cond)c), y, x, 64), r);
            }
}

Test(ir, same_operand_identities)
{
    struct ir_block *b = new_block();
    ir_binop(b, IR_xor, 64, RAX, RBX, RBX);
    ir_binop(b, IR_sub, 32, RCX, RBX, RBX);
    ir_binop(b, IR_or, 64, RBX, RBX, RBX);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    uint64_t x = 0x1234;        /* any value: x ^ x and x - x are 0 for all x */
    expect_const_write(b, RAX, x ^ x);
    expect_const_write(b, RCX, (uint32_t)(x - x));
    cr_assert_null(last_write(b, RBX), "%s", dump(b));
}

/* ---- host flags (ir_fuse_flags) ---- */

/* What a backend like AArch64 says: moves, arithmetic and memory keep the
 * flags; compares (setcond/movcond/brcond) and calls do not. */
static uint8_t keeps[IR_NUM_OPS];

static void init_keeps(void)
{
    static const enum ir_op ops[] = { IR_insn_start, IR_mov, IR_add, IR_sub, IR_and, IR_or,
        IR_xor, IR_shl, IR_ext32u, IR_ld, IR_st, IR_setflags, IR_movflags };
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
        keeps[ops[k]] = 1;
}

/* `sub rax, 1; jb`: the frontend keeps the old rax in a copy for the
 * compare; fused, the compare reads the flags and the copy dies. */
Test(ir, compare_after_sub_reads_its_flags)
{
    struct ir_block *b = new_block();
    ir_ref old = ir_temp(b), d = ir_temp(b);
    init_keeps();
    ir_mov(b, old, RAX);
    ir_binop(b, IR_sub, 64, d, RAX, ir_const(b, 1));
    ir_mov(b, RAX, d);
    ir_mov(b, RCX, d);
    ir_brcond(b, IR_LTU, 64, old, ir_const(b, 1), 0x2000, 0);
    ir_goto_tb(b, 0x1006, 1);
    cr_assert(ir_fuse_flags(b, keeps), "%s", dump(b));
    cr_assert_eq(only_op(b, IR_subf)->args[1], RAX, "%s", dump(b));
    const struct ir_insn *br = only_op(b, IR_brflags);
    cr_assert(br->cond == IR_LTU && br->aux[0] == 0x2000 && br->aux[1] == 0, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_brcond) + count_op(b, IR_sub), 0, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_mov), 2, "the copy of the old rax dies: %s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* `sub ebx, 1; jne`: the frontend keeps the old ebx as ext32u; at 32 bits
 * that is the same value, at 64 bits it is not. */
Test(ir, zero_extended_copy_is_the_same_32_bit_value)
{
    for (int size = 32; size <= 64; size += 32) {
        struct ir_block *b = new_block();
        ir_ref old = ir_temp(b), d = ir_temp(b);
        init_keeps();
        ir_unop(b, IR_ext32u, 64, old, RBX);
        ir_binop(b, IR_sub, size, d, RBX, ir_const(b, 1));
        ir_mov(b, RBX, d);
        ir_brcond(b, IR_NE, size, old, ir_const(b, 1), 0x2000, 0);
        ir_goto_tb(b, 0x1006, 1);
        cr_assert_eq(ir_fuse_flags(b, keeps), size == 32, "%s", dump(b));
        cr_assert_eq(count_op(b, IR_ext32u), size == 32 ? 0 : 1, "%s", dump(b));
    }
}

/* Operands swapped: the condition is swapped; a setcond and a movcond of
 * the same producer both read it; an and's result against zero too. */
Test(ir, swapped_and_several_consumers)
{
    struct ir_block *b = new_block();
    ir_ref d = ir_temp(b), s = ir_temp(b), m = ir_temp(b), e = ir_temp(b);
    init_keeps();
    ir_binop(b, IR_sub, 32, d, RAX, RBX);
    ir_setcond(b, IR_LT, 32, s, RBX, RAX);
    ir_movcond(b, IR_GEU, 32, m, RAX, RBX, RCX, s);
    ir_mov(b, RCX, m);
    ir_binop(b, IR_and, 64, e, RAX, ir_const(b, 0x10));
    ir_brcond(b, IR_LE, 64, e, ir_const(b, 0), 0x2000, 0);
    ir_mov(b, RBX, d);
    ir_goto_tb(b, 0x1006, 1);
    cr_assert(ir_fuse_flags(b, keeps));
    cr_assert_eq(only_op(b, IR_setflags)->cond, IR_GT, "%s", dump(b));
    const struct ir_insn *mv = only_op(b, IR_movflags);
    cr_assert(mv->cond == IR_GEU && mv->args[1] == RCX && mv->args[2] == s, "%s", dump(b));
    cr_assert_eq(only_op(b, IR_brflags)->cond, IR_LE, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_subf) + count_op(b, IR_andf), 2, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* Not fused: a call in between, a compared value rewritten after the sub,
 * another size, a signed test of a sub's result (N alone, not `lt`). */
Test(ir, flags_are_not_reused_when_they_may_differ)
{
    struct ir_block *b = new_block();
    ir_ref d = ir_temp(b), t = ir_temp(b), args[1] = { RAX };
    init_keeps();
    ir_binop(b, IR_sub, 64, d, RAX, RBX);
    ir_call(b, &h1, t, args);
    ir_setcond(b, IR_EQ, 64, t, RAX, RBX);
    ir_binop(b, IR_sub, 64, d, RAX, RBX);
    ir_binop(b, IR_add, 64, RAX, RAX, ir_const(b, 1));
    ir_setcond(b, IR_EQ, 64, t, RAX, RBX);
    ir_binop(b, IR_sub, 64, d, RCX, RBX);
    ir_setcond(b, IR_EQ, 32, t, RCX, RBX);
    ir_binop(b, IR_sub, 64, d, RCX, RBX);
    ir_setcond(b, IR_LT, 64, t, d, ir_const(b, 0));
    ir_mov(b, RCX, t);
    ir_goto_tb(b, 0x1006, 0);
    cr_assert(!ir_fuse_flags(b, keeps), "%s", dump(b));
    cr_assert_eq(count_op(b, IR_setcond), 4, "%s", dump(b));
}

/* ---- extended operands (ir_fold_ext) ---- */

/* `mov eax, ebx; add rax, rcx` and a sign-extended subtrahend: the
 * extension becomes the add's / sub's operand and dies. */
Test(ir, extension_read_once_folds_into_add_and_sub)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b);
    ir_unop(b, IR_ext32u, 64, t, RBX);
    ir_binop(b, IR_add, 64, RAX, t, RCX);
    ir_unop(b, IR_ext8s, 64, u, RCX);
    ir_binop(b, IR_sub, 64, RBX, RAX, u);
    ir_goto_tb(b, 0x1006, 0);
    cr_assert(ir_fold_ext(b), "%s", dump(b));
    const struct ir_insn *a = only_op(b, IR_addx), *s = only_op(b, IR_subx);
    cr_assert(a->args[1] == RCX && a->args[2] == RBX && a->aux[0] == IR_ext32u, "%s", dump(b));
    cr_assert(s->args[1] == RAX && s->args[2] == RCX && s->aux[0] == IR_ext8s, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_ext32u) + count_op(b, IR_ext8s), 0, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* Not folded: the source rewritten in between, the temp read twice, a
 * 32-bit add, the minuend of a sub, a constant other operand. */
Test(ir, extension_stays_when_its_value_is_needed)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), v = ir_temp(b), w = ir_temp(b);
    ir_unop(b, IR_ext32u, 64, t, RBX);
    ir_movi(b, RBX, 5);
    ir_binop(b, IR_add, 64, RAX, t, RCX);
    ir_unop(b, IR_ext16u, 64, u, RBX);
    ir_binop(b, IR_add, 64, RCX, u, RCX);
    ir_mov(b, RAX, u);
    ir_unop(b, IR_ext32s, 64, v, RBX);
    ir_binop(b, IR_add, 32, RCX, v, RCX);
    ir_unop(b, IR_ext8u, 64, w, RBX);
    ir_binop(b, IR_sub, 64, RBX, w, RCX);
    ir_unop(b, IR_ext32u, 64, t, RCX);
    ir_binop(b, IR_add, 64, RAX, t, ir_const(b, 16));
    ir_goto_tb(b, 0x1006, 0);
    cr_assert(!ir_fold_ext(b), "%s", dump(b));
}

/* `cmp al, cl` style: a compare of an extended register read once
 * becomes subfx (the other operand first; the condition swapped when the
 * extended one was first) and the flags form of the compare; a compare
 * with a constant stays. */
Test(ir, extension_read_once_folds_into_a_compare)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), v = ir_temp(b);
    ir_unop(b, IR_ext32s, 64, u, RBX);
    ir_setcond(b, IR_LT, 64, RCX, u, RAX);
    ir_unop(b, IR_ext16u, 64, v, RBX);
    ir_setcond(b, IR_EQ, 32, RAX, v, ir_const(b, 5));
    ir_unop(b, IR_ext8u, 64, t, RCX);
    ir_brcond(b, IR_NE, 32, RAX, t, 0x2000, 1);
    ir_goto_tb(b, 0x1006, 0);
    cr_assert(ir_fold_ext(b), "%s", dump(b));
    cr_assert_eq(count_op(b, IR_subfx), 2, "%s", dump(b));
    const struct ir_insn *s = only_op(b, IR_setflags), *br = only_op(b, IR_brflags);
    cr_assert(s->cond == IR_GT && br->cond == IR_NE, "%s", dump(b));
    cr_assert(s[-1].op == IR_subfx && s[-1].size == 64 && s[-1].args[1] == RAX &&
              s[-1].args[2] == RBX && s[-1].aux[0] == IR_ext32s, "%s", dump(b));
    cr_assert(br[-1].op == IR_subfx && br[-1].size == 32 && br[-1].args[1] == RAX &&
              br[-1].args[2] == RCX && br[-1].aux[0] == IR_ext8u, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_ext16u), 1, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_ext8u) + count_op(b, IR_ext32s), 0, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* ---- demanded bits ---- */

/* x86's 32-bit imul with dead flags: a 64-bit product of sign-extended
 * operands, read only through ext32u and a 32-bit op -> a 32-bit mul, the
 * extensions die; a product that reaches a global whole stays 64-bit. */
Test(ir, product_read_for_its_low_half_is_32_bit)
{
    struct ir_block *b = new_block();
    ir_ref a = ir_temp(b), c = ir_temp(b), p = ir_temp(b), lo = ir_temp(b), d = ir_temp(b);
    ir_unop(b, IR_ext32s, 64, a, RAX);
    ir_unop(b, IR_ext32s, 64, c, RBX);
    ir_binop(b, IR_mul, 64, p, a, c);
    ir_unop(b, IR_ext32u, 64, lo, p);
    ir_binop(b, IR_sub, 32, d, RCX, p);
    ir_mov(b, RAX, lo);
    ir_mov(b, RCX, d);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    const struct ir_insn *m = only_op(b, IR_mul);
    cr_assert(m->size == 32 && m->args[1] == RAX && m->args[2] == RBX, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_ext32s) + count_op(b, IR_ext32u), 0, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

Test(ir, product_read_whole_stays_64_bit)
{
    struct ir_block *b = new_block();
    ir_ref p = ir_temp(b), q = ir_temp(b), lo = ir_temp(b);
    ir_binop(b, IR_mul, 64, p, RAX, RBX);
    ir_unop(b, IR_ext32u, 64, lo, p);
    ir_mov(b, RCX, lo);
    ir_mov(b, q, p);
    ir_mov(b, RBX, q);              /* through a copy into a global */
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    cr_assert_eq(only_op(b, IR_mul)->size, 64, "%s", dump(b));
}

/* `lea eax, [rbx+rcx]` is a 64-bit add read through ext32u: a 32-bit add
 * whose result is the register's value (the ext32u a copy); or/and/sub
 * the same.  An add written to a global that a load which may fault
 * exposes (the guest's SIGSEGV handler reads it) stays 64-bit. */
Test(ir, sum_read_for_its_low_half_is_32_bit)
{
    struct ir_block *b = new_block();
    ir_ref s = ir_temp(b), o = ir_temp(b);
    ir_binop(b, IR_add, 64, s, RBX, RCX);
    ir_unop(b, IR_ext32u, 64, RAX, s);
    ir_binop(b, IR_or, 64, o, RBX, RCX);
    ir_st(b, IR_MO_32, RAX, o);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    cr_assert_eq(only_op(b, IR_add)->size, 32, "%s", dump(b));
    cr_assert_eq(only_op(b, IR_or)->size, 32, "%s", dump(b));
    cr_assert_eq(count_op(b, IR_ext32u), 0, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

Test(ir, sum_in_a_global_seen_by_a_fault_stays_64_bit)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b);
    ir_binop(b, IR_add, 64, RAX, RBX, RCX);
    ir_ld(b, IR_MO_64, t, RBX);
    ir_unop(b, IR_ext32u, 64, RAX, RAX);
    ir_mov(b, RCX, t);
    ir_goto_tb(b, 1, 0);
    ir_optimize(b);
    cr_assert_eq(only_op(b, IR_add)->size, 64, "%s", dump(b));
}

/* ---- accesses from the newest pointer value (ir_rebase_accesses) ---- */

static struct ir_insn *st_at(struct ir_block *b, ir_ref base, int32_t disp, ir_ref v)
{
    ir_st(b, IR_MO_64, base, v);
    b->insns[b->n_insns - 1].aux[0] = disp;
    return &b->insns[b->n_insns - 1];
}

/* Two pushes and a pop as ir_optimize leaves them (every access from the
 * first pointer value t3): each is then addressed from the newest value
 * read after it, with the same address. */
Test(ir, push_run_is_addressed_from_the_newest_pointer)
{
    struct ir_block *b = new_block();
    ir_ref t3 = ir_temp(b), t7 = ir_temp(b), t11 = ir_temp(b), t15 = ir_temp(b);
    ir_binop(b, IR_sub, 64, t3, RBX, ir_const(b, 8));
    ir_mov(b, RBX, t3);
    struct ir_insn *s1 = st_at(b, t3, -8, RAX);
    ir_binop(b, IR_sub, 64, t7, t3, ir_const(b, 8));
    ir_mov(b, RBX, t7);
    struct ir_insn *s2 = st_at(b, t3, -16, RCX);
    ir_binop(b, IR_sub, 64, t11, t7, ir_const(b, 8));
    ir_mov(b, RBX, t11);
    ir_ld(b, IR_MO_64, RAX, t3);
    struct ir_insn *l = &b->insns[b->n_insns - 1];
    l->aux[0] = -16;
    ir_binop(b, IR_add, 64, t15, t11, ir_const(b, 8));
    ir_mov(b, RBX, t15);
    ir_goto_tb(b, 0x1006, 0);
    ir_rebase_accesses(b);
    cr_assert(s1->args[0] == t3 && s1->aux[0] == -8, "%s", dump(b));
    cr_assert(s2->args[0] == t7 && s2->aux[0] == -8, "%s", dump(b));
    cr_assert(l->args[1] == t11 && l->aux[0] == 0, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* Not moved: a newer value no longer read after the access (it would
 * live longer), a value written twice, a 32-bit add in the chain. */
Test(ir, access_stays_when_no_newer_value_lives)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), v = ir_temp(b), w = ir_temp(b);
    ir_binop(b, IR_sub, 64, t, RBX, ir_const(b, 8));
    ir_binop(b, IR_sub, 64, u, t, ir_const(b, 8));
    ir_binop(b, IR_xor, 64, RCX, u, RAX);
    struct ir_insn *s1 = st_at(b, t, -8, RAX);
    ir_binop(b, IR_add, 64, v, t, ir_const(b, 8));
    ir_binop(b, IR_add, 64, v, t, ir_const(b, 16));
    struct ir_insn *s2 = st_at(b, t, 16, v);
    ir_binop(b, IR_add, 32, w, t, ir_const(b, 8));
    struct ir_insn *s3 = st_at(b, t, 8, w);
    ir_goto_tb(b, 0x1006, 0);
    ir_rebase_accesses(b);
    cr_assert(s1->args[0] == t && s2->args[0] == t && s3->args[0] == t, "%s", dump(b));
}

/* ---- the conditional branch of a forward jcc (ir_predict_fallthrough) ---- */

/* Forward: the branch leads to the fall-through, the condition inverted,
 * each exit keeping its slot; backward (a loop): as the frontend made it. */
Test(ir, forward_jcc_branches_to_its_fall_through)
{
    struct ir_block *b = new_block();
    ir_brcond(b, IR_LTU, 64, RAX, RBX, 0x401080, 0);
    ir_goto_tb(b, 0x401006, 1);
    ir_predict_fallthrough(b);
    const struct ir_insn *br = &b->insns[0], *next = &b->insns[1];
    cr_assert(br->cond == IR_GEU && br->aux[0] == 0x401006 && br->aux[1] == 0, "%s", dump(b));
    cr_assert(next->aux[0] == 0x401080 && next->aux[1] == 1, "%s", dump(b));
    b = new_block();
    ir_brcond(b, IR_NE, 32, RAX, RBX, 0x400f00, 0);
    ir_goto_tb(b, 0x401006, 1);
    ir_predict_fallthrough(b);
    cr_assert(b->insns[0].cond == IR_NE && b->insns[0].aux[0] == 0x400f00, "%s", dump(b));
}

/* x86's canonical test `(x + 2^47) >> 48 != 0` becomes sextract + compare
 * (ir_range_test.c); it keeps its exit, and a test whose temps are read again,
 * or with another constant, stays. */
static void canonical_test(struct ir_block *b, ir_ref x, uint64_t bias)
{
    ir_ref t = ir_temp(b), u = ir_temp(b);
    ir_binop(b, IR_add, 64, t, x, ir_const(b, bias));
    ir_binop(b, IR_shr, 64, u, t, ir_const(b, 48));
    ir_brexit(b, IR_NE, 64, u, ir_const(b, 0), 0x401000, TR_EXIT_SIGSEGV);
}

Test(ir, canonical_test_is_a_sign_extract)
{
    struct ir_block *b = new_block();
    canonical_test(b, RAX, 1ull << 47);
    ir_exit_indirect(b, RAX);
    ir_fold_range_tests(b);
    cr_assert(b->n_insns == 3, "%s", dump(b));
    const struct ir_insn *s = &b->insns[0], *br = &b->insns[1];
    cr_assert(s->op == IR_sextract && s->args[1] == RAX && s->aux[0] == 0 && s->aux[1] == 48,
              "%s", dump(b));
    cr_assert(br->op == IR_brexit && br->cond == IR_NE && br->args[0] == s->args[0] &&
              br->args[1] == RAX && br->aux[0] == 0x401000 && br->aux[1] == TR_EXIT_SIGSEGV,
              "%s", dump(b));
    cr_assert(b->insns[2].op == IR_exit_indirect, "%s", dump(b));
    b = new_block();
    canonical_test(b, RAX, 1ull << 46);
    ir_exit_indirect(b, RAX);
    ir_fold_range_tests(b);
    cr_assert(b->n_insns == 4 && b->insns[0].op == IR_add, "%s", dump(b));
}

/* sextract folds as the sign-extended field. */
Test(ir, sextract_folds_sign_extended)
{
    struct ir_insn i = { .op = IR_sextract, .size = 64, .aux = { 0, 48 } };
    uint64_t in[2] = { 0x0000800000000000ull, 0 }, out;
    cr_assert(ir_fold_eval(&i, in, &out) && out == 0xffff800000000000ull, "%#lx", out);
    in[0] = 0x12347fffffffffffull;
    cr_assert(ir_fold_eval(&i, in, &out) && out == 0x00007fffffffffffull, "%#lx", out);
}

/* `ext8u t0, rcx; and t2, t0, $0x3f; shl rax, rax, t2` shifts by rcx
 * (counts are modulo size, ir_shiftcount.c); a mask another insn reads,
 * one that clears a low bit, or a count source written in between stays. */
static ir_ref masked_count(struct ir_block *b, ir_ref src, uint64_t mask)
{
    ir_ref t0 = ir_temp(b), t2 = ir_temp(b);
    ir_unop(b, IR_ext8u, 64, t0, src);
    ir_binop(b, IR_and, 64, t2, t0, ir_const(b, mask));
    return t2;
}

Test(ir, shift_count_mask_goes)
{
    struct ir_block *b = new_block();
    ir_binop(b, IR_shl, 64, RAX, RAX, masked_count(b, RCX, 0x3f));
    ir_goto_tb(b, 0x401003, 0);
    ir_fold_shift_counts(b);
    cr_assert(b->n_insns == 2 && b->insns[0].op == IR_shl && b->insns[0].args[2] == RCX,
              "%s", dump(b));
    b = new_block();                    /* bit 0 cleared: stays */
    ir_binop(b, IR_shl, 64, RAX, RAX, masked_count(b, RCX, 0x3e));
    ir_goto_tb(b, 0x401003, 0);
    ir_fold_shift_counts(b);
    cr_assert(b->n_insns == 4 && b->insns[1].op == IR_and, "%s", dump(b));
    b = new_block();                    /* the mask read again: the and stays */
    ir_ref t = masked_count(b, RCX, 0x1f);
    ir_binop(b, IR_shr, 32, RAX, RAX, t);
    ir_binop(b, IR_sub, 32, RBX, t, ir_const(b, 1));
    ir_goto_tb(b, 0x401003, 0);
    ir_fold_shift_counts(b);
    cr_assert(b->insns[2].op == IR_shr && b->insns[2].args[2] == t, "%s", dump(b));
    b = new_block();                    /* rcx written between: the ext stays */
    t = masked_count(b, RCX, 0x3f);
    ir_mov(b, RCX, RBX);
    ir_binop(b, IR_shl, 64, RAX, RAX, t);
    ir_goto_tb(b, 0x401003, 0);
    ir_fold_shift_counts(b);
    cr_assert(b->insns[0].op == IR_ext8u && b->insns[2].op == IR_shl &&
              b->insns[2].args[2] == b->insns[0].args[0], "%s", dump(b));
}

/* A newer value copied into a global not written since: the access is
 * addressed from the global (`mov [rsp + 8], rcx` after a prologue); a
 * write of the global in between keeps it.  A chain link read only by the
 * next link's add goes (push; sub rsp, N). */
Test(ir, access_from_the_global_holding_the_newest_value)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b);
    ir_binop(b, IR_sub, 64, t, RBX, ir_const(b, 8));
    ir_binop(b, IR_sub, 64, u, t, ir_const(b, 0x58));
    ir_mov(b, RCX, u);
    struct ir_insn *s1 = st_at(b, t, -120, RAX);
    ir_goto_tb(b, 0x1006, 0);
    ir_rebase_accesses(b);
    cr_assert(b->insns[1].op == IR_sub && b->insns[1].args[1] == t, "%s", dump(b));
    s1 = &b->insns[3];
    cr_assert(s1->op == IR_st && s1->args[0] == RCX && s1->aux[0] == -120 + 0x58, "%s", dump(b));
    b = new_block();
    t = ir_temp(b), u = ir_temp(b);
    ir_binop(b, IR_sub, 64, t, RBX, ir_const(b, 8));
    ir_binop(b, IR_sub, 64, u, t, ir_const(b, 0x58));
    ir_mov(b, RCX, u);
    ir_mov(b, RCX, RAX);
    s1 = st_at(b, t, -120, RAX);
    ir_goto_tb(b, 0x1006, 0);
    ir_rebase_accesses(b);
    cr_assert(s1->args[0] == t && s1->aux[0] == -120, "%s", dump(b));
}

Test(ir, chain_link_read_once_merges)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), v = ir_temp(b);
    ir_binop(b, IR_sub, 64, t, RBX, ir_const(b, 8));
    st_at(b, t, -8, RAX);
    ir_binop(b, IR_sub, 64, u, t, ir_const(b, 8));
    ir_binop(b, IR_sub, 64, v, u, ir_const(b, 0x28));
    ir_mov(b, RBX, v);
    ir_goto_tb(b, 0x1006, 0);
    ir_rebase_accesses(b);
    cr_assert(b->n_insns == 5, "%s", dump(b));
    const struct ir_insn *m = &b->insns[2];
    cr_assert(m->op == IR_add && m->args[0] == v && m->args[1] == t &&
              b->values[m->args[2]].imm == (uint64_t)-0x30, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* movsx rax, byte ptr [rbx] / movsxd rcx, dword ptr [rbx + rax*4]: a
 * zero-extending load read once by a sign extension of its width is one
 * sign-extending load writing the extension's output (ir_loadext.c). */
Test(ir, narrow_load_read_by_its_sign_extension_is_one_signed_load)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), v = ir_temp(b), w = ir_temp(b);
    ir_ld(b, IR_MO_8, t, RBX);
    ir_unop(b, IR_ext8s, 64, RAX, t);               /* right after: a global output */
    ir_ld(b, IR_MO_32, v, RBX);
    ir_binop(b, IR_add, 64, RCX, RCX, RAX);
    ir_unop(b, IR_ext32s, 64, w, v);                /* later: a temp output */
    ir_mov(b, RCX, w);
    ir_ld(b, IR_MO_16, u, RCX);
    ir_goto_tb(b, 0x1006, 0);
    cr_assert(ir_fold_load_ext(b), "%s", dump(b));
    cr_assert_eq(count_op(b, IR_ext8s) + count_op(b, IR_ext32s), 0, "%s", dump(b));
    cr_assert(b->insns[0].op == IR_ld && b->insns[0].size == (IR_MO_8 | IR_MO_SIGN) &&
              b->insns[0].args[0] == RAX, "%s", dump(b));
    cr_assert(b->insns[1].op == IR_ld && b->insns[1].size == (IR_MO_32 | IR_MO_SIGN) &&
              b->insns[1].args[0] == w, "%s", dump(b));
    cr_assert(b->insns[4].size == IR_MO_16, "%s", dump(b));
    cr_assert_null(ir_validate(b));
}

/* Not folded: another width, the loaded value read twice, a global
 * output further on (read in between), a host access. */
Test(ir, load_stays_when_its_zero_extended_value_is_needed)
{
    struct ir_block *b = new_block();
    ir_ref t = ir_temp(b), u = ir_temp(b), v = ir_temp(b), w = ir_temp(b);
    ir_ld(b, IR_MO_8, t, RBX);
    ir_unop(b, IR_ext16s, 64, RAX, t);
    ir_ld(b, IR_MO_16, u, RBX);
    ir_unop(b, IR_ext16s, 64, RAX, u);
    ir_mov(b, RCX, u);
    ir_ld(b, IR_MO_32, v, RBX);
    ir_binop(b, IR_add, 64, RCX, RCX, RAX);
    ir_unop(b, IR_ext32s, 64, RAX, v);
    ir_ld(b, IR_MO_8 | IR_MO_HOST, w, RBX);
    ir_unop(b, IR_ext8s, 64, RBX, w);
    ir_goto_tb(b, 0x1006, 0);
    cr_assert(!ir_fold_load_ext(b), "%s", dump(b));
}

/* ---- stores at the stack pointer (ir_stack_align.c) ---- */

/* rcx as the stack pointer: a push, a spill at sp + 4 after it, one at
 * sp + 3, a byte, a store through another register, and one after sp
 * was set from it. */
static struct ir_block *stack_block(uint32_t mode)
{
    globals.has_sp = true;
    globals.sp = RCX;
    struct ir_block *b = new_block();
    b->mode = mode;
    ir_ref t = ir_temp(b);
    ir_binop(b, IR_add, 64, t, RCX, ir_const(b, (uint64_t)-8));
    ir_st(b, IR_MO_64, t, RAX);
    ir_binop(b, IR_sub, 64, RCX, RCX, ir_const(b, 8));
    ir_st(b, IR_MO_32, RCX, RAX);
    b->insns[b->n_insns - 1].aux[0] = 4;
    ir_st(b, IR_MO_64, RCX, RAX);
    b->insns[b->n_insns - 1].aux[0] = 3;
    ir_st(b, IR_MO_8, RCX, RAX);
    ir_st(b, IR_MO_16, RBX, RAX);
    ir_mov(b, RCX, RBX);
    ir_st(b, IR_MO_64, RCX, RAX);
    ir_goto_tb(b, 0x401003, 0);
    return b;
}

static bool aligned_at(const struct ir_block *b, int k)
{
    return b->insns[k].op == IR_st && (b->insns[k].size & IR_MO_ALIGNED);
}

Test(ir, stack_stores_marked_behind_an_entry_test)
{
    struct ir_block *b = stack_block(0);
    int n = b->n_insns;
    ir_mark_stack_stores(b);
    cr_assert_eq(b->n_insns, n + 2);
    cr_assert_eq(b->insns[0].op, IR_and);
    cr_assert_eq(b->insns[0].args[1], RCX);
    cr_assert_eq(b->insns[1].op, IR_brexit);
    cr_assert_eq(b->insns[1].cond, IR_NE);
    cr_assert_eq(b->insns[1].aux[0], 0x401000);
    cr_assert_eq(b->insns[1].aux[1], TR_EXIT_STACK_MODE);
    /* the push and sp + 4 only (insns shifted by the test's two) */
    bool want[] = { false, true, false, true, false, false, false, false, false, false };
    for (int k = 0; k < n; k++)
        cr_assert_eq(aligned_at(b, k + 2), want[k], "insn %d", k);
    const char *err = ir_validate(b);
    cr_assert_null(err, "%s", err);
}

Test(ir, stack_checked_mode_marks_nothing_and_tests_for_leaving)
{
    struct ir_block *b = stack_block(TR_MODE_STACK_CHECKED);
    int n = b->n_insns;
    ir_mark_stack_stores(b);
    cr_assert_eq(b->n_insns, n + 2);
    cr_assert_eq(b->insns[1].op, IR_brexit);
    cr_assert_eq(b->insns[1].cond, IR_EQ);
    for (int k = 0; k < b->n_insns; k++)
        cr_assert(!aligned_at(b, k), "insn %d", k);
}

Test(ir, no_stack_stores_no_entry_test)
{
    globals.has_sp = true;
    globals.sp = RCX;
    struct ir_block *b = new_block();
    ir_st(b, IR_MO_64, RBX, RAX);
    ir_call(b, &(struct ir_helper){ (void *)dummy_fn, "rw", 1, 1, IR_HELPER_RW_GLOBALS },
            IR_NONE, (ir_ref[]){ RAX });
    ir_st(b, IR_MO_64, RCX, RAX);       /* sp unknown after the helper */
    ir_goto_tb(b, 0x401003, 0);
    int n = b->n_insns;
    ir_mark_stack_stores(b);
    cr_assert_eq(b->n_insns, n);
}
