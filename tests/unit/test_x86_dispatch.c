/* test_x86_dispatch.c -- the x86-64 frontend's dispatch table: the family
 * row sets index without conflicts, every id capstone decodes from the x87
 * opcodes has an x87 row, and the table's columns pick the translation
 * (lock prefix -> atomic column, MMX vs XMM operands -> MM vs XMM row,
 * no row -> SIGILL).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "frontend.h"
#include "runtime.h"
#include "x86_internal.h"

static struct ir_globals globals;
static struct ir_block blk;
static uint8_t *code;

static void setup(void)
{
    if (globals.count == 0) fe_x86_64.declare_globals(&globals);
    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(code != MAP_FAILED);
}

static void teardown(void) { munmap(code, 4096); }

TestSuite(x86_dispatch, .init = setup, .fini = teardown);

static struct ir_block *translate(const uint8_t *bytes, size_t n)
{
    memcpy(code, bytes, n);
    ir_block_init(&blk, &globals, (uint64_t)(uintptr_t)code);
    fe_x86_64.translate(&blk, tr_mem_host(), (uint64_t)(uintptr_t)code, 1);
    const char *err = ir_validate(&blk);
    cr_assert(err == NULL, "invalid IR: %s", err);
    return &blk;
}

static bool raises_sigill(const uint8_t *bytes, size_t n)
{
    const struct ir_block *b = translate(bytes, n);
    const struct ir_insn *e = &b->insns[b->n_insns - 1];
    return e->op == IR_exit_code && e->aux[1] == TR_EXIT_SIGILL;
}

static int count_op(const struct ir_block *b, enum ir_op op)
{
    int n = 0;
    for (int i = 0; i < b->n_insns; i++) n += b->insns[i].op == op;
    return n;
}

/* Name of the n-th helper (from 0) the block calls, or "". */
static const char *nth_call(const struct ir_block *b, int n)
{
    for (int i = 0; i < b->n_insns; i++)
        if (b->insns[i].op == IR_call && n-- == 0)
            return ((const struct ir_helper *)(intptr_t)b->insns[i].aux[0])->name;
    return "";
}

static const char *first_call(const struct ir_block *b) { return nth_call(b, 0); }

static bool in_set(const struct x86_row_set *set, const struct x86_insn_row *r)
{
    const char *p = (const char *)r, *first = (const char *)set->first;
    return p >= first && p < first + set->count * set->stride;
}

Test(x86_dispatch, families_index_without_conflicts)
{
    struct x86_dispatch *d = calloc(1, sizeof *d);
    char *log = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&log, &len);
    int conflicts = x86_dispatch_build(d, f);
    fclose(f);
    cr_assert_eq(conflicts, 0, "%s", log);
    free(log);
    free(d);
}

/* Every ModRM of every x87 opcode, with and without prefixes: the id
 * capstone gives has a row, and it is the x87 family's. */
Test(x86_dispatch, every_x87_id_has_an_x87_row)
{
    static const uint8_t prefixes[] = { 0, 0x66, 0x48, 0x41, 0xf2, 0xf3, 0x67 };
    csh cs;
    cr_assert_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    cs_insn *ci = cs_malloc(cs);
    int decoded = 0;
    for (size_t p = 0; p < sizeof prefixes; p++)
        for (int op = 0xd8; op <= 0xdf; op++)
            for (int modrm = 0; modrm < 256; modrm++) {
                uint8_t b[8] = { prefixes[p], (uint8_t)op, (uint8_t)modrm, 0x24, 1, 2, 3, 4 };
                const uint8_t *c = p ? b : b + 1;
                size_t size = p ? 8 : 7;
                uint64_t addr = 0x1000;
                if (!cs_disasm_iter(cs, &c, &size, &addr, ci)) continue;
                decoded++;
                const struct x86_insn_row *r = x86_row_of_id(ci->id);
                cr_assert(r && in_set(&x86_x87_rows, r), "%s %s: no x87 row",
                          ci->mnemonic, ci->op_str);
            }
    cr_assert_gt(decoded, 8 * 256);
    cs_free(ci, 1);
    cs_close(&cs);
}

Test(x86_dispatch, rows_carry_the_lock_column)
{
    cr_assert_eq(x86_row_of_id(X86_INS_ADD)->atomic, x86_atomic_add);
    cr_assert_eq(x86_row_of_id(X86_INS_XCHG)->atomic, x86_atomic_xchg);
    cr_assert_null(x86_row_of_id(X86_INS_MOV)->atomic);
    cr_assert_null(x86_row_of_id(X86_INS_BT)->atomic);
    const struct x86_insn_row *bts = x86_row_of_id(X86_INS_BTS);
    cr_assert_not_null(bts->atomic, "bts takes a lock");
    cr_assert_neq(bts->atomic, bts->fn, "lock bts checks its destination (#UD on a register)");
}

Test(x86_dispatch, shared_ids_have_one_row_per_form)
{
    const struct x86_insn_row *movsd = x86_row_of_id(X86_INS_MOVSD);
    cr_assert(in_set(&x86_string_rows, movsd));
    cr_assert_eq(movsd->opform, X86_OPF_ANY);
    cr_assert_eq(x86_sse_movsd_row->id, X86_INS_MOVSD);
    cr_assert_eq(x86_sse_cmpsd_row->id, X86_INS_CMPSD);
    cr_assert(in_set(&x86_sse_rows, x86_row_of_id(X86_INS_PADDB)));
    cr_assert(in_set(&x86_mmx_rows, x86_row_of_id(X86_INS_EMMS)));
    cr_assert(in_set(&x86_misc_rows, x86_row_of_id(X86_INS_LFENCE)));
    cr_assert(in_set(&x86_atomic_rows, x86_row_of_id(X86_INS_MFENCE)));
}

Test(x86_dispatch, lock_prefix_picks_the_atomic_column)
{
    static const uint8_t lock_mem[] = { 0xf0, 0x48, 0x01, 0x18 };    /* lock add [rax], rbx */
    static const uint8_t lock_reg[] = { 0xf0, 0x48, 0x01, 0xd8 };    /* lock add rax, rbx */
    static const uint8_t xchg_mem[] = { 0x48, 0x87, 0x18 };          /* xchg [rax], rbx */
    static const uint8_t lock_mov[] = { 0xf0, 0x48, 0x89, 0x18 };    /* lock mov [rax], rbx */
    cr_assert_eq(count_op(translate(lock_mem, sizeof lock_mem), IR_atomic_rmw), 1);
    cr_assert_eq(count_op(translate(xchg_mem, sizeof xchg_mem), IR_atomic_rmw), 1);
    cr_assert(raises_sigill(lock_reg, sizeof lock_reg));
    cr_assert(raises_sigill(lock_mov, sizeof lock_mov));
}

Test(x86_dispatch, operands_pick_the_mm_or_xmm_row)
{
    static const uint8_t mm[] = { 0x0f, 0xfc, 0xc1 };               /* paddb mm0, mm1 */
    static const uint8_t xmm[] = { 0x66, 0x0f, 0xfc, 0xc1 };        /* paddb xmm0, xmm1 */
    static const uint8_t movsd_str[] = { 0xa5 };                    /* movsd (string) */
    static const uint8_t movsd_sse[] = { 0xf2, 0x0f, 0x10, 0xc1 };  /* movsd xmm0, xmm1 */
    /* an MMX instruction first raises a pending x87 exception (#MF) */
    cr_assert_str_eq(first_call(translate(mm, sizeof mm)), "mmx_wait");
    cr_assert_str_eq(nth_call(translate(mm, sizeof mm), 1), "mmx_run");
    cr_assert_eq(count_op(translate(xmm, sizeof xmm), IR_vadd), 1);     /* a vector op */
    cr_assert_eq(count_op(translate(movsd_str, sizeof movsd_str), IR_ld), 1);
    const struct ir_block *b = translate(movsd_sse, sizeof movsd_sse);
    cr_assert_eq(count_op(b, IR_ld), 0);
    cr_assert_eq(count_op(b, IR_vmovl), 1);
}

/* A VEX form finds its VEX row (not the legacy one of the same id):
 * vpxor xmm0, xmm0, xmm0 is one vector op plus the upper-half zeroing;
 * vcvtsi2sd (capstone: the id of cvtsi2sd) keeps xmm1's upper lane. */
Test(x86_dispatch, vex_rows)
{
    static const uint8_t vpxor[] = { 0xc5, 0xf9, 0xef, 0xc0 };
    static const uint8_t vaddps_ymm[] = { 0xc5, 0xf4, 0x58, 0xc2 };     /* vaddps ymm0, ymm1, ymm2 */
    cr_assert_eq(count_op(translate(vpxor, sizeof vpxor), IR_vxor), 1);
    cr_assert_eq(count_op(translate(vaddps_ymm, sizeof vaddps_ymm), IR_vfadd), 2);
}

Test(x86_dispatch, no_row_is_sigill)
{
    static const uint8_t vpxor[] = { 0x66, 0xc5, 0xf9, 0xef, 0xc0 };    /* 66 before VEX: #UD */
    static const uint8_t pshufb_ymm[] = { 0xf3, 0xc4, 0xe2, 0x7d, 0x00, 0xc1 };   /* F3 too */
    static const uint8_t ftst[] = { 0xd9, 0xe4 };
    static const uint8_t fstp1[] = { 0xdf, 0xd9 };                  /* an fstp alias ferry rejects */
    cr_assert(raises_sigill(vpxor, sizeof vpxor));
    cr_assert(raises_sigill(pshufb_ymm, sizeof pshufb_ymm));
    cr_assert_not(raises_sigill(ftst, sizeof ftst));
    cr_assert(raises_sigill(fstp1, sizeof fstp1));
}
