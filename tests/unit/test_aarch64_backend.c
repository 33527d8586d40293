/* test_aarch64_backend.c -- the A64 encoders (integer, and the Advanced
 * SIMD and floating-point ones of the vector ops) checked against a real
 * decoder: each table of instruction words is written to a file and
 * disassembled by `aarch64-linux-gnu-objdump -D -b binary -maarch64`, and
 * every line must match the text objdump prints for it.  Also: the bitmask
 * immediate encoder against the Arm ARM's DecodeBitMasks(), exhaustively,
 * and the constant materialiser's sequence lengths and text; a helper
 * address's three-word relocation form patched (a64_reloc.c).
 *
 * The unit binary links the x86-64 backend (same be_* symbols), so the
 * pure encoder sources, which define only a64_* functions, are included
 * here directly.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aarch64/a64_encode.c"
#include "aarch64/a64_bitmask.c"
#include "aarch64/a64_movi.c"
#include "aarch64/a64_encode_simd.c"
/* The relocation patcher, renamed beside the x86-64 backend's. */
#define be_reloc_patch a64_test_reloc_patch
#define be_code_written a64_test_code_written
#include "aarch64/a64_reloc.c"
#undef be_reloc_patch
#undef be_code_written
void a64_emit_movi_inline(struct be_code *c, int dst, uint64_t imm) { abort(); }

struct disasm_case {
    uint32_t word;
    const char *text;
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* objdump's text for one line: "mnemonic operands", its "// ..." comment
 * (decimal values, condition synonyms) removed. */
static void normalise_line(char *line, char *out, size_t out_size)
{
    char *text = strchr(line, '\t');
    text = text ? strchr(text + 1, '\t') : NULL;
    if (!text) { out[0] = 0; return; }
    text++;
    char *comment = strstr(text, "//");
    if (comment) *comment = 0;
    size_t n = strcspn(text, "\n");
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t')) n--;
    text[n] = 0;
    char *tab = strchr(text, '\t');
    if (tab) *tab = ' ';
    snprintf(out, out_size, "%s", text);
}

/* Disassembles the words (at addresses 0, 4, ...) and checks every line. */
static void check_disassembly(const struct disasm_case *cases, size_t n)
{
    char path[] = "/tmp/ferry-a64-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    for (size_t i = 0; i < n; i++)
        cr_assert(write(fd, &cases[i].word, 4) == 4);
    close(fd);
    char cmd[256], line[512], text[256];
    snprintf(cmd, sizeof cmd, "aarch64-linux-gnu-objdump -D -b binary -maarch64 %s", path);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "cannot run objdump");
    size_t seen = 0;
    while (fgets(line, sizeof line, p)) {
        unsigned long addr;
        if (sscanf(line, " %lx:\t", &addr) != 1 || !strchr(line, '\t')) continue;
        normalise_line(line, text, sizeof text);
        cr_assert(addr / 4 < n);
        cr_expect_str_eq(text, cases[addr / 4].text, "word %08x at %lu: objdump says \"%s\"",
                         cases[addr / 4].word, addr, text);
        seen++;
    }
    pclose(p);
    unlink(path);
    cr_assert_eq(seen, n, "objdump printed %zu of %zu instructions", seen, n);
}

static unsigned bitmask(uint64_t v, int size)
{
    unsigned enc = 0;
    cr_assert(a64_bitmask_encode(v, size, &enc), "%#lx not encodable", (unsigned long)v);
    return enc;
}

Test(a64_encode, add_sub_imm)
{
    const struct disasm_case cases[] = {
        { a64_add_sub_imm(1, 0, 0, 0, 1, 2, 3), "add x3, x2, #0x1" },
        { a64_add_sub_imm(0, 1, 0, 1, 5, 4, 5), "sub w5, w4, #0x5, lsl #12" },
        { a64_add_sub_imm(1, 1, 1, 0, 7, 9, A64_ZR), "cmp x9, #0x7" },
        { a64_add_sub_imm(1, 0, 1, 0, 3, 9, A64_ZR), "cmn x9, #0x3" },
        { a64_add_sub_imm(0, 0, 1, 0, 8, 1, 2), "adds w2, w1, #0x8" },
        { a64_add_sub_imm(1, 0, 0, 0, 4095, 28, 27), "add x27, x28, #0xfff" },
        { a64_mov_sp(A64_FP, A64_SP), "mov x29, sp" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, add_sub_shifted_reg)
{
    const struct disasm_case cases[] = {
        { a64_add_sub_shifted_reg(1, 0, 0, A64_LSL, 2, 0, 1, 0), "add x0, x1, x2" },
        { a64_add_sub_shifted_reg(0, 1, 0, A64_LSR, 3, 4, 5, 6), "sub w6, w5, w3, lsr #4" },
        { a64_add_sub_shifted_reg(1, 0, 1, A64_ASR, 1, 63, 2, 3), "adds x3, x2, x1, asr #63" },
        { a64_add_sub_ext_reg(1, 0, 0, 2, 0, 22, 29, 20), "add x20, x29, w22, uxtw" },
        { a64_add_sub_ext_reg(1, 1, 0, 6, 0, 0, 26, 27), "sub x27, x26, w0, sxtw" },
        { a64_add_sub_ext_reg(1, 0, 0, 4, 0, 3, 1, 2), "add x2, x1, w3, sxtb" },
        { a64_add_sub_ext_reg(0, 1, 1, 0, 0, 10, 0, 1), "subs w1, w0, w10, uxtb" },
        { a64_add_sub_ext_reg(1, 1, 1, 6, 0, 22, 29, 31), "cmp x29, w22, sxtw" },
        { a64_add_sub_shifted_reg(0, 1, 1, A64_LSL, 30, 0, 28, 27), "subs w27, w28, w30" },
        { a64_cmp(1, 1, 2), "cmp x1, x2" },
        { a64_cmp(0, A64_ZR, 2), "cmp wzr, w2" },
        { a64_neg(1, 8, 7), "neg x8, x7" },
        { a64_neg(0, 8, 7), "neg w8, w7" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, logical_shifted_reg)
{
    const struct disasm_case cases[] = {
        { a64_logical_shifted_reg(1, A64_AND, 0, A64_LSL, 2, 0, 1, 0), "and x0, x1, x2" },
        { a64_logical_shifted_reg(1, A64_AND, 1, A64_LSL, 3, 0, 2, 1), "bic x1, x2, x3" },
        { a64_logical_shifted_reg(1, A64_EOR, 0, A64_ROR, 3, 7, 2, 1), "eor x1, x2, x3, ror #7" },
        { a64_logical_shifted_reg(1, A64_EOR, 1, A64_LSL, A64_ZR, 0, 2, 1), "eon x1, x2, xzr" },
        { a64_logical_shifted_reg(0, A64_ORR, 1, A64_LSL, A64_ZR, 0, 2, 1), "orn w1, w2, wzr" },
        { a64_logical_shifted_reg(1, A64_ORR, 0, A64_LSL, 4, 2, 3, 5), "orr x5, x3, x4, lsl #2" },
        { a64_logical_shifted_reg(0, A64_ANDS, 1, A64_ASR, 4, 2, 3, 5), "bics w5, w3, w4, asr #2" },
        { a64_mov(0, 4, 5), "mov w4, w5" },
        { a64_mov(1, 19, 0), "mov x19, x0" },
        { a64_mvn(1, 4, 5), "mvn x4, x5" },
        { a64_tst(0, 2, 3), "tst w2, w3" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, logical_imm)
{
    const struct disasm_case cases[] = {
        { a64_logical_imm(1, A64_AND, bitmask(0xff, 64), 1, 0), "and x0, x1, #0xff" },
        { a64_logical_imm(0, A64_ORR, bitmask(0x80000000, 32), 3, 2), "orr w2, w3, #0x80000000" },
        { a64_logical_imm(1, A64_EOR, bitmask(0x5555555555555555, 64), 5, 4),
          "eor x4, x5, #0x5555555555555555" },
        { a64_logical_imm(1, A64_ANDS, bitmask(0xfffffffffffff000, 64), 7, 6),
          "ands x6, x7, #0xfffffffffffff000" },
        { a64_logical_imm(1, A64_ANDS, bitmask(1, 64), 1, A64_ZR), "tst x1, #0x1" },
        { a64_logical_imm(0, A64_AND, bitmask(0xf0f0f0f0, 32), 0, 0), "and w0, w0, #0xf0f0f0f0" },
        { a64_logical_imm(1, A64_ORR, bitmask(0xff00ff00ff00ff00, 64), A64_ZR, 3),
          "mov x3, #0xff00ff00ff00ff00" },
        { a64_logical_imm(1, A64_AND, bitmask(0x7ffffffffffffffe, 64), 9, 8),
          "and x8, x9, #0x7ffffffffffffffe" },
        { a64_logical_imm(0, A64_EOR, bitmask(0x00ff0000, 32), 9, 8), "eor w8, w9, #0xff0000" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, move_wide_imm)
{
    const struct disasm_case cases[] = {
        { a64_move_wide_imm(1, A64_MOVZ, 0, 0x1234, 0), "mov x0, #0x1234" },
        { a64_move_wide_imm(1, A64_MOVK, 1, 0x5678, 0), "movk x0, #0x5678, lsl #16" },
        { a64_move_wide_imm(0, A64_MOVN, 0, 0, 1), "mov w1, #0xffffffff" },
        { a64_move_wide_imm(1, A64_MOVZ, 3, 1, 2), "mov x2, #0x1000000000000" },
        { a64_move_wide_imm(1, A64_MOVZ, 1, 0, 0), "movz x0, #0x0, lsl #16" },
        { a64_move_wide_imm(1, A64_MOVN, 0, 0x1234, 5), "mov x5, #0xffffffffffffedcb" },
        { a64_move_wide_imm(0, A64_MOVK, 1, 0xffff, 6), "movk w6, #0xffff, lsl #16" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, bitfield)
{
    const struct disasm_case cases[] = {
        { a64_lsl_imm(1, 0, 1, 4), "lsl x0, x1, #4" },
        { a64_lsl_imm(0, 0, 1, 31), "lsl w0, w1, #31" },
        { a64_lsr_imm(0, 2, 3, 31), "lsr w2, w3, #31" },
        { a64_asr_imm(1, 4, 5, 1), "asr x4, x5, #1" },
        { a64_ubfx(1, 0, 1, 8, 8), "ubfx x0, x1, #8, #8" },
        { a64_sbfx(1, 0, 1, 3, 20), "sbfx x0, x1, #3, #20" },
        { a64_bfi(1, 0, 1, 8, 16), "bfi x0, x1, #8, #16" },
        { a64_bfi(1, 0, A64_ZR, 8, 16), "bfc x0, #8, #16" },
        { a64_ubfiz(0, 2, 3, 4, 5), "ubfiz w2, w3, #4, #5" },
        { a64_bitfield(1, A64_SBFM, 0, 7, 1, 0), "sxtb x0, w1" },
        { a64_bitfield(1, A64_SBFM, 0, 15, 1, 0), "sxth x0, w1" },
        { a64_bitfield(1, A64_SBFM, 0, 31, 1, 0), "sxtw x0, w1" },
        { a64_bitfield(0, A64_UBFM, 0, 7, 1, 0), "uxtb w0, w1" },
        { a64_bitfield(0, A64_UBFM, 0, 15, 1, 0), "uxth w0, w1" },
        { a64_bitfield(1, A64_UBFM, 0, 31, 1, 0), "ubfx x0, x1, #0, #32" },
        { a64_bitfield(1, A64_BFM, 8, 15, 1, 0), "bfxil x0, x1, #8, #8" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, extr)
{
    const struct disasm_case cases[] = {
        { a64_ror_imm(1, 0, 1, 3), "ror x0, x1, #3" },
        { a64_ror_imm(0, 0, 1, 31), "ror w0, w1, #31" },
        { a64_extr(1, 2, 5, 1, 0), "extr x0, x1, x2, #5" },
        { a64_extr(0, 2, 17, 1, 0), "extr w0, w1, w2, #17" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, data_proc_1src)
{
    const struct disasm_case cases[] = {
        { a64_data_proc_1src(1, A64_RBIT, 1, 0), "rbit x0, x1" },
        { a64_data_proc_1src(0, A64_RBIT, 1, 0), "rbit w0, w1" },
        { a64_data_proc_1src(0, A64_REV32, 1, 0), "rev w0, w1" },
        { a64_data_proc_1src(1, A64_REV64, 1, 0), "rev x0, x1" },
        { a64_data_proc_1src(1, A64_REV32, 1, 0), "rev32 x0, x1" },
        { a64_data_proc_1src(0, A64_REV16, 1, 0), "rev16 w0, w1" },
        { a64_data_proc_1src(0, A64_CLZ, 4, 3), "clz w3, w4" },
        { a64_data_proc_1src(1, A64_CLZ, 4, 3), "clz x3, x4" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, data_proc_2src)
{
    const struct disasm_case cases[] = {
        { a64_data_proc_2src(1, A64_LSLV, 2, 1, 0), "lsl x0, x1, x2" },
        { a64_data_proc_2src(0, A64_LSRV, 2, 1, 0), "lsr w0, w1, w2" },
        { a64_data_proc_2src(1, A64_ASRV, 2, 1, 0), "asr x0, x1, x2" },
        { a64_data_proc_2src(0, A64_RORV, 16, 1, 0), "ror w0, w1, w16" },
        { a64_data_proc_2src(1, A64_UDIV, 2, 1, 0), "udiv x0, x1, x2" },
        { a64_data_proc_2src(0, A64_SDIV, 2, 1, 0), "sdiv w0, w1, w2" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, data_proc_3src)
{
    const struct disasm_case cases[] = {
        { a64_mul(1, 0, 1, 2), "mul x0, x1, x2" },
        { a64_mul(0, 0, 1, 2), "mul w0, w1, w2" },
        { a64_umulh(3, 4, 5), "umulh x3, x4, x5" },
        { a64_smulh(3, 4, 5), "smulh x3, x4, x5" },
        { a64_data_proc_3src(1, 0, 0, 2, 3, 1, 0), "madd x0, x1, x2, x3" },
        { a64_data_proc_3src(1, 0, 1, 2, 3, 1, 0), "msub x0, x1, x2, x3" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, cond_select)
{
    const struct disasm_case cases[] = {
        { a64_csel(1, 0, 1, 2, A64_EQ), "csel x0, x1, x2, eq" },
        { a64_csel(0, 0, 1, A64_ZR, A64_HI), "csel w0, w1, wzr, hi" },
        { a64_cset(0, 0, A64_NE), "cset w0, ne" },
        { a64_cset(1, 5, A64_LO), "cset x5, cc" },
        { a64_cond_select(1, 0, 1, 2, A64_LT, 1, 0), "csinc x0, x1, x2, lt" },
        { a64_cond_select(1, 1, 0, 2, A64_GE, 1, 0), "csinv x0, x1, x2, ge" },
        { a64_cond_select(0, 1, 1, 2, A64_LS, 1, 0), "csneg w0, w1, w2, ls" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, load_store)
{
    const struct disasm_case cases[] = {
        { a64_load_store_unsigned_imm(3, A64_LDR, 1, 19, 0), "ldr x0, [x19, #8]" },
        { a64_load_store_unsigned_imm(2, A64_STR, 0, 2, 1), "str w1, [x2]" },
        { a64_load_store_unsigned_imm(0, A64_LDR, 4095, 4, 3), "ldrb w3, [x4, #4095]" },
        { a64_load_store_unsigned_imm(0, A64_LDRS_X, 0, 6, 5), "ldrsb x5, [x6]" },
        { a64_load_store_unsigned_imm(1, A64_LDRS_X, 1, 8, 7), "ldrsh x7, [x8, #2]" },
        { a64_load_store_unsigned_imm(2, A64_LDRS_X, 1, 10, 9), "ldrsw x9, [x10, #4]" },
        { a64_load_store_unsigned_imm(1, A64_STR, 1, A64_SP, 1), "strh w1, [sp, #2]" },
        { a64_load_store_unsigned_imm(1, A64_LDR, 0, 1, 0), "ldrh w0, [x1]" },
        { a64_load_store_unsigned_imm(0, A64_STR, 0, 1, A64_ZR), "strb wzr, [x1]" },
        { a64_load_store_unscaled_imm(3, A64_LDR, -8, 19, 0), "ldur x0, [x19, #-8]" },
        { a64_load_store_unscaled_imm(2, A64_STR, 3, 2, 1), "stur w1, [x2, #3]" },
        { a64_load_store_unscaled_imm(0, A64_LDRS_X, -1, 2, 1), "ldursb x1, [x2, #-1]" },
        { a64_load_store_reg_offset(3, A64_LDR, 16, A64_LSL_X, 0, 19, 0), "ldr x0, [x19, x16]" },
        { a64_load_store_reg_offset(0, A64_STR, 3, A64_LSL_X, 0, 2, 1), "strb w1, [x2, x3]" },
        { a64_load_store_reg_offset(3, A64_LDR, 2, A64_LSL_X, 1, 1, 0), "ldr x0, [x1, x2, lsl #3]" },
        { a64_load_store_reg_offset(2, A64_LDRS_X, 2, A64_SXTW, 0, 1, 0), "ldrsw x0, [x1, w2, sxtw]" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, load_store_pair)
{
    const struct disasm_case cases[] = {
        { a64_load_store_pair(0, A64_PAIR_PRE, -12, 30, A64_SP, 29), "stp x29, x30, [sp, #-96]!" },
        { a64_load_store_pair(1, A64_PAIR_POST, 12, 30, A64_SP, 29), "ldp x29, x30, [sp], #96" },
        { a64_load_store_pair(0, A64_PAIR_OFFSET, 2, 20, A64_SP, 19), "stp x19, x20, [sp, #16]" },
        { a64_load_store_pair(1, A64_PAIR_OFFSET, 10, 28, A64_SP, 27), "ldp x27, x28, [sp, #80]" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode, exclusives_and_barriers)
{
    const struct disasm_case cases[] = {
        { a64_load_store_exclusive(3, true, true, 0, 7, 16), "ldaxr x16, [x7]" },
        { a64_load_store_exclusive(0, true, true, 0, 3, 16), "ldaxrb w16, [x3]" },
        { a64_load_store_exclusive(1, true, false, 0, 20, 2), "ldxrh w2, [x20]" },
        { a64_load_store_exclusive(2, false, true, 30, 7, 17), "stlxr w30, w17, [x7]" },
        { a64_load_store_exclusive(3, false, true, 30, 9, 17), "stlxr w30, x17, [x9]" },
        { a64_load_store_exclusive(0, false, false, 1, 2, 3), "stxrb w1, w3, [x2]" },
        { a64_dmb(A64_DMB_ISH), "dmb ish" },
    };
    check_disassembly(cases, N_OF(cases));
}

/* Branch targets print as absolute addresses: entry i sits at 4 * i. */
Test(a64_encode, branches)
{
    const struct disasm_case cases[] = {
        { a64_uncond_branch_imm(0, 4), "b 0x4" },
        { a64_uncond_branch_imm(1, 0x100), "bl 0x104" },
        { a64_uncond_branch_imm(0, -8), "b 0x0" },
        { a64_uncond_branch_imm(0, 0x7fffffc), "b 0x8000008" },
        { a64_cond_branch_imm(A64_EQ, 8), "b.eq 0x18" },
        { a64_cond_branch_imm(A64_NE, -20), "b.ne 0x0" },
        { a64_cond_branch_imm(A64_HI, 0xffffc), "b.hi 0x100014" },
        { a64_compare_branch_imm(1, 0, 12, 0), "cbz x0, 0x28" },
        { a64_compare_branch_imm(0, 1, -32, 1), "cbnz w1, 0x0" },
        { a64_uncond_branch_reg(A64_BR, 16), "br x16" },
        { a64_uncond_branch_reg(A64_BLR, 16), "blr x16" },
        { a64_ret(), "ret" },
        { a64_pc_rel_adr(-48, 0), "adr x0, 0x0" },
        { a64_pc_rel_adr(0x1001, 3), "adr x3, 0x1035" },
    };
    check_disassembly(cases, N_OF(cases));
    cr_expect(a64_branch26_reaches((1 << 27) - 4));
    cr_expect(!a64_branch26_reaches(1 << 27));
    cr_expect(a64_branch26_reaches(-(1 << 27)));
    cr_expect(!a64_branch26_reaches(6));
}

/* The words of an exit_indirect's inline jump-cache probe (pc in x5) and
 * of moving pinned globals through an x17 base, as a64_exits.c and
 * a64_pinned.c build them; branch targets as in `branches`. */
Test(a64_encode, jump_cache_probe_and_pinned_moves)
{
    const struct disasm_case cases[] = {
        { a64_logical_shifted_reg(1, A64_EOR, 0, A64_LSR, 5, 12, 5, 16), "eor x16, x5, x5, lsr #12" },
        { a64_ubfiz(1, 16, 16, 4, 12), "ubfiz x16, x16, #4, #12" },
        { a64_load_store_unsigned_imm(3, A64_LDR, 3, 19, 17), "ldr x17, [x19, #24]" },
        { a64_add_sub_shifted_reg(1, 0, 0, A64_LSL, 16, 0, 17, 16), "add x16, x17, x16" },
        { a64_load_store_pair(1, A64_PAIR_OFFSET, 0, 30, 16, 17), "ldp x17, x30, [x16]" },
        { a64_cmp(1, 17, 5), "cmp x17, x5" },
        { a64_cond_branch_imm(A64_NE, 8), "b.ne 0x20" },
        { a64_uncond_branch_reg(A64_BR, 30), "br x30" },
        { a64_add_sub_imm(1, 0, 0, 0, 0x2a8, 19, 17), "add x17, x19, #0x2a8" },
        { a64_load_store_pair(0, A64_PAIR_OFFSET, 0, 21, 17, 20), "stp x20, x21, [x17]" },
        { a64_load_store_pair(1, A64_PAIR_OFFSET, 6, 29, 17, 28), "ldp x28, x29, [x17, #48]" },
        { a64_load_store_pair(0, A64_PAIR_OFFSET, -2, 15, 17, 14), "stp x14, x15, [x17, #-16]" },
        { a64_compare_branch_imm(1, 0, 8, 0), "cbz x0, 0x38" },
        { a64_uncond_branch_reg(A64_BR, 0), "br x0" },
    };
    check_disassembly(cases, N_OF(cases));
}

/* ---- bitmask immediates ---- */

/* DecodeBitMasks() of the Arm ARM, for the wmask of a logical immediate. */
static bool decode_bitmask(unsigned n, unsigned immr, unsigned imms, int size, uint64_t *out)
{
    unsigned combined = (n << 6) | (~imms & 0x3f);
    if (combined == 0) return false;
    int len = 31 - __builtin_clz(combined);
    unsigned e = 1u << len, levels = e - 1;
    if (len < 1 || (int)e > size || (imms & levels) == levels) return false;
    unsigned s = imms & levels, r = immr & levels;
    uint64_t welem = (s + 1 == 64) ? ~0ull : (1ull << (s + 1)) - 1;
    uint64_t emask = e == 64 ? ~0ull : (1ull << e) - 1;
    uint64_t rot = r ? ((welem >> r) | (welem << (e - r))) & emask : welem;
    uint64_t v = 0;
    for (unsigned i = 0; i < 64; i += e) v |= rot << i;
    *out = size == 32 ? (uint32_t)v : v;
    return true;
}

/* Every valid encoding decodes to a value the encoder finds again, with
 * the same decoded value; the two sizes are checked separately. */
Test(a64_bitmask, every_valid_encoding_round_trips)
{
    int valid[2] = { 0, 0 };
    for (int si = 0; si < 2; si++) {
        int size = si ? 64 : 32;
        for (unsigned enc = 0; enc < (1u << 13); enc++) {
            unsigned n = enc >> 12, immr = (enc >> 6) & 63, imms = enc & 63, got;
            uint64_t v, back;
            if (size == 32 && n) continue;
            if (!decode_bitmask(n, immr, imms, size, &v)) continue;
            valid[si]++;
            cr_assert(a64_bitmask_encode(v, size, &got), "%#lx/%d not found", (unsigned long)v, size);
            cr_assert(decode_bitmask(got >> 12, (got >> 6) & 63, got & 63, size, &back));
            cr_assert_eq(back, v, "%#lx/%d re-encoded as %#x", (unsigned long)v, size, got);
        }
    }
    /* The architecture has 1302 distinct 32-bit and 5334 64-bit patterns;
     * with redundant immr values the encodings number more. */
    cr_expect_gt(valid[0], 1302);
    cr_expect_gt(valid[1], 5334);
}

Test(a64_bitmask, rejects_what_does_not_encode)
{
    static const uint64_t bad[] = { 0, ~0ull, 0x1234, 0x5, 0xff00ff00ff00ff01, 0x8000000000000005 };
    unsigned enc;
    for (size_t i = 0; i < N_OF(bad); i++)
        cr_expect(!a64_bitmask_encode(bad[i], 64, &enc), "%#lx accepted", (unsigned long)bad[i]);
    cr_expect(!a64_bitmask_encode(0xffffffff, 32, &enc));
    cr_expect(!a64_bitmask_encode(0xffffffff00000000, 32, &enc));
    uint64_t state = 1;
    for (int i = 0; i < 100000; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t v = state ^ (state >> 29), back;
        if (!a64_bitmask_encode(v, 64, &enc)) continue;
        cr_assert(decode_bitmask(enc >> 12, (enc >> 6) & 63, enc & 63, 64, &back));
        cr_assert_eq(back, v);
    }
}

/* ---- constant materialisation ---- */

Test(a64_movi, sequence_lengths)
{
    static const struct { uint64_t v; int n; } cases[] = {
        { 0, 1 }, { 1, 1 }, { 0xffff, 1 }, { 0x10000, 1 }, { 0x12345678, 2 },
        { 0xffffffff, 1 }, { 0xfffffffe, 1 }, { ~0ull, 1 }, { 0xffffffffffff1234, 1 },
        { 0x0000ffff0000ffff, 1 }, { 0x123456789abcdef0, 4 }, { 0x1234000000005678, 2 },
        { 0xffff1234ffff5678, 2 }, { 0x100000000, 1 }, { 0x8000000000000000, 1 },
    };
    uint32_t words[4];
    for (size_t i = 0; i < N_OF(cases); i++)
        cr_expect_eq(a64_movi_sequence(words, 0, cases[i].v), cases[i].n,
                     "%#lx", (unsigned long)cases[i].v);
}

Test(a64_movi, disassembly)
{
    struct disasm_case cases[12];
    static const uint64_t values[] = { 0x12345678, 0xffffffffffff1234, 0x0000ffff0000ffff,
                                       0x1234000000005678, 0xfffffffe };
    static const char *const texts[] = {
        "mov w0, #0x5678", "movk w0, #0x1234, lsl #16",
        "mov x1, #0xffffffffffff1234",
        "mov x2, #0xffff0000ffff",
        "mov x3, #0x5678", "movk x3, #0x1234, lsl #48",
        "orr w4, wzr, #0xfffffffe",
    };
    size_t n = 0;
    for (size_t i = 0; i < N_OF(values); i++) {
        uint32_t words[4];
        int k = a64_movi_sequence(words, (unsigned)i, values[i]);
        for (int j = 0; j < k; j++) {
            cr_assert(n < N_OF(texts));
            cases[n].word = words[j];
            cases[n].text = texts[n];
            n++;
        }
    }
    cr_assert_eq(n, N_OF(texts));
    check_disassembly(cases, n);
}

/* A helper's address below 2^48 in three words; patched to another
 * address below 2^48; refused (the block translated again) above. */
Test(a64_reloc, three_word_helper_address)
{
    uint32_t buf[8] = { 0 };
    struct be_code c = { .start = (uint8_t *)buf, .ptr = (uint8_t *)buf,
                         .end = (uint8_t *)(buf + 8) };
    a64_emit_movi_addr(&c, 16, (const void *)0x0000abcd12345678ull, BE_RELOC_HOST);
    cr_assert_eq(c.ptr - c.start, 12);
    struct be_reloc r = { .offset = 0, .kind = BE_RELOC_HOST, .form = A64_FORM_MOV3 };
    cr_assert(a64_test_reloc_patch(c.start, 32, 0, &r, 0x00001111deadbeefull));
    struct disasm_case cases[3] = {
        { buf[0], "mov x16, #0xbeef" }, { buf[1], "movk x16, #0xdead, lsl #16" },
        { buf[2], "movk x16, #0x1111, lsl #32" },
    };
    check_disassembly(cases, 3);
    uint32_t before[3] = { buf[0], buf[1], buf[2] };
    cr_assert(!a64_test_reloc_patch(c.start, 32, 0, &r, 0x0001000000000000ull));
    cr_assert(!a64_test_reloc_patch(c.start, 8, 0, &r, 0x1000));     /* past the code */
    cr_assert_eq(memcmp(before, buf, sizeof before), 0);
    c.ptr = c.start;
    a64_emit_movi_addr(&c, 16, (const void *)0x0001000000000000ull, BE_RELOC_HOST);
    cr_assert_eq(c.ptr - c.start, 16);                  /* above 2^48: four */
}

/* ---- Advanced SIMD and floating point (the vector ops) ---- */

Test(a64_encode_simd, three_same)
{
    const struct disasm_case cases[] = {
        { a64_simd_3same(1, A64_V_ADD, 0, 2, 1, 0), "add v0.16b, v1.16b, v2.16b" },
        { a64_simd_3same(1, A64_V_ADD, 3, 2, 1, 0), "add v0.2d, v1.2d, v2.2d" },
        { a64_simd_3same(1, A64_V_SUB, 1, 5, 6, 7), "sub v7.8h, v6.8h, v5.8h" },
        { a64_simd_3same(1, A64_V_SQADD, 0, 1, 0, 2), "sqadd v2.16b, v0.16b, v1.16b" },
        { a64_simd_3same(1, A64_V_UQADD, 1, 1, 0, 2), "uqadd v2.8h, v0.8h, v1.8h" },
        { a64_simd_3same(1, A64_V_SQSUB, 1, 1, 0, 2), "sqsub v2.8h, v0.8h, v1.8h" },
        { a64_simd_3same(1, A64_V_UQSUB, 0, 1, 0, 2), "uqsub v2.16b, v0.16b, v1.16b" },
        { a64_simd_3same(1, A64_V_CMGT, 2, 1, 0, 2), "cmgt v2.4s, v0.4s, v1.4s" },
        { a64_simd_3same(1, A64_V_CMEQ, 3, 1, 0, 2), "cmeq v2.2d, v0.2d, v1.2d" },
        { a64_simd_3same(1, A64_V_SMAX, 1, 1, 0, 2), "smax v2.8h, v0.8h, v1.8h" },
        { a64_simd_3same(1, A64_V_UMIN, 0, 1, 0, 2), "umin v2.16b, v0.16b, v1.16b" },
        { a64_simd_3same(1, A64_V_SMIN, 2, 1, 0, 2), "smin v2.4s, v0.4s, v1.4s" },
        { a64_simd_3same(1, A64_V_UMAX, 2, 1, 0, 2), "umax v2.4s, v0.4s, v1.4s" },
        { a64_simd_3same(1, A64_V_URHADD, 1, 1, 0, 2), "urhadd v2.8h, v0.8h, v1.8h" },
        { a64_simd_3same(1, A64_V_MUL, 1, 1, 0, 2), "mul v2.8h, v0.8h, v1.8h" },
        { a64_simd_3same(1, A64_V_UABD, 0, 1, 0, 2), "uabd v2.16b, v0.16b, v1.16b" },
        { a64_simd_3same(1, A64_V_ADDP, 2, 4, 3, 2), "addp v2.4s, v3.4s, v4.4s" },
        { a64_simd_logic(1, A64_V_AND, 1, 0, 2), "and v2.16b, v0.16b, v1.16b" },
        { a64_simd_logic(1, A64_V_BIC, 4, 3, 3), "bic v3.16b, v3.16b, v4.16b" },
        { a64_simd_logic(1, A64_V_ORR, 3, 5, 5), "orr v5.16b, v5.16b, v3.16b" },
        { a64_simd_logic(1, A64_V_ORR, 1, 1, 2), "mov v2.16b, v1.16b" },
        { a64_simd_logic(1, A64_V_ORN, 3, 5, 5), "orn v5.16b, v5.16b, v3.16b" },
        { a64_simd_logic(0, A64_V_EOR, 2, 3, 3), "eor v3.8b, v3.8b, v2.8b" },
        { a64_simd_logic(1, A64_V_BSL, 1, 0, 2), "bsl v2.16b, v0.16b, v1.16b" },
        { a64_simd_3same(1, A64_V_FADD, a64_fsz(0, 0), 1, 0, 2), "fadd v2.4s, v0.4s, v1.4s" },
        { a64_simd_3same(1, A64_V_FADD, a64_fsz(1, 1), 1, 0, 2), "fsub v2.2d, v0.2d, v1.2d" },
        { a64_simd_3same(1, A64_V_FMUL, a64_fsz(1, 0), 1, 0, 2), "fmul v2.2d, v0.2d, v1.2d" },
        { a64_simd_3same(1, A64_V_FDIV, a64_fsz(0, 0), 1, 0, 2), "fdiv v2.4s, v0.4s, v1.4s" },
        { a64_simd_3same(1, A64_V_FCMEQ, a64_fsz(1, 0), 2, 2, 3), "fcmeq v3.2d, v2.2d, v2.2d" },
        { a64_simd_3same(1, A64_V_FCMGE, a64_fsz(0, 0), 0, 1, 2), "fcmge v2.4s, v1.4s, v0.4s" },
        { a64_simd_3same(1, A64_V_FCMGE, a64_fsz(1, 1), 0, 1, 2), "fcmgt v2.2d, v1.2d, v0.2d" },
        { a64_simd_3same(1, A64_V_FACGE, a64_fsz(0, 1), 0, 6, 3), "facgt v3.4s, v6.4s, v0.4s" },
        { a64_simd_3same(0, A64_V_FACGE, a64_fsz(0, 0), 2, 6, 3), "facge v3.2s, v6.2s, v2.2s" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode_simd, two_reg_misc_and_across)
{
    const struct disasm_case cases[] = {
        { a64_simd_2misc(1, A64_V_FCMEQ0, a64_fsz(0, 1), 0, 4), "fcmeq v4.4s, v0.4s, #0.0" },
        { a64_simd_2misc(1, A64_V_FCMEQ0, a64_fsz(1, 1), 1, 4), "fcmeq v4.2d, v1.2d, #0.0" },
        { a64_simd_2misc(1, A64_V_CMEQ0, 2, 3, 4), "cmeq v4.4s, v3.4s, #0" },
        { a64_simd_2misc(1, A64_V_CMLT0, 0, 17, 1), "cmlt v1.16b, v17.16b, #0" },
        { a64_simd_3same(1, A64_V_ADDP, 0, 1, 0, 0), "addp v0.16b, v0.16b, v1.16b" },
        { a64_simd_2misc(1, A64_V_FABS, a64_fsz(1, 1), 2, 3), "fabs v3.2d, v2.2d" },
        { a64_simd_2misc(1, A64_V_FSQRT, a64_fsz(0, 1), 1, 2), "fsqrt v2.4s, v1.4s" },
        { a64_simd_2misc(1, A64_V_SCVTF, a64_fsz(1, 0), 2, 2), "scvtf v2.2d, v2.2d" },
        { a64_simd_2misc(1, A64_V_FCVTZS, a64_fsz(0, 1), 1, 2), "fcvtzs v2.4s, v1.4s" },
        { a64_simd_2misc(1, A64_V_FCVTNS, a64_fsz(1, 0), 1, 2), "fcvtns v2.2d, v1.2d" },
        { a64_simd_2misc(0, A64_V_FCVTL, 1, 1, 2), "fcvtl v2.2d, v1.2s" },
        { a64_simd_2misc(0, A64_V_FCVTN, 1, 1, 2), "fcvtn v2.2s, v1.2d" },
        { a64_simd_2misc(0, A64_V_XTN, 2, 0, 3), "xtn v3.2s, v0.2d" },
        { a64_simd_2misc(0, A64_V_SQXTN, 0, 0, 2), "sqxtn v2.8b, v0.8h" },
        { a64_simd_2misc(1, A64_V_SQXTN, 1, 1, 2), "sqxtn2 v2.8h, v1.4s" },
        { a64_simd_2misc(1, A64_V_SQXTUN, 0, 1, 2), "sqxtun2 v2.16b, v1.8h" },
        { a64_simd_2misc(1, A64_V_UADDLP, 1, 2, 2), "uaddlp v2.4s, v2.8h" },
        { a64_simd_2misc(1, A64_V_NOT, 0, 3, 3), "mvn v3.16b, v3.16b" },
        { a64_simd_umaxv(1, 2, 5, 3), "umaxv s3, v5.4s" },
        { a64_simd_uminv(1, 2, 3, 3), "uminv s3, v3.4s" },
        { a64_simd_uminv(1, 1, 3, 4), "uminv h4, v3.8h" },
        { a64_simd_addhn(0, 2, 16, 4, 3), "addhn v3.2s, v4.2d, v16.2d" },
        { a64_simd_addhn(1, 2, 16, 4, 3), "addhn2 v3.4s, v4.2d, v16.2d" },
        { a64_simd_addhn(1, 1, 31, 4, 5), "addhn2 v5.8h, v4.4s, v31.4s" },
        { a64_simd_umov_h(0, 3, 16), "umov w16, v3.h[0]" },
        { a64_simd_umov_h(5, 1, 2), "umov w2, v1.h[5]" },
        { a64_simd_mull(0, 0, 1, 1, 0, 3), "smull v3.4s, v0.4h, v1.4h" },
        { a64_simd_mull(1, 1, 1, 1, 0, 4), "umull2 v4.4s, v0.8h, v1.8h" },
        { a64_simd_mull(0, 1, 2, 4, 3, 2), "umull v2.2d, v3.2s, v4.2s" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode_simd, shifts_permutes_immediates)
{
    const struct disasm_case cases[] = {
        { a64_simd_shift_imm(1, A64_V_SHL, 1, 3, 0, 2), "shl v2.8h, v0.8h, #3" },
        { a64_simd_shift_imm(1, A64_V_SHL, 3, 63, 0, 2), "shl v2.2d, v0.2d, #63" },
        { a64_simd_shift_imm(1, A64_V_USHR, 2, 31, 0, 2), "ushr v2.4s, v0.4s, #31" },
        { a64_simd_shift_imm(1, A64_V_SSHR, 1, 16, 0, 2), "sshr v2.8h, v0.8h, #16" },
        { a64_simd_shift_imm(0, A64_V_SSHR, 2, 31, 2, 3), "sshr v3.2s, v2.2s, #31" },
        { a64_simd_shift_imm(0, A64_V_SSHLL, 2, 0, 1, 2), "sxtl v2.2d, v1.2s" },
        { a64_simd_permute(1, A64_V_ZIP1, 0, 1, 0, 2), "zip1 v2.16b, v0.16b, v1.16b" },
        { a64_simd_permute(1, A64_V_ZIP2, 3, 1, 0, 2), "zip2 v2.2d, v0.2d, v1.2d" },
        { a64_simd_permute(1, A64_V_UZP2, 1, 4, 3, 2), "uzp2 v2.8h, v3.8h, v4.8h" },
        { a64_simd_ext(1, 0, 13, 3, 2), "ext v2.16b, v3.16b, v0.16b, #13" },
        { a64_simd_ins_elem(2, 3, 1, 1, 2), "mov v2.s[3], v1.s[1]" },
        { a64_simd_ins_elem(1, 5, 7, 1, 2), "mov v2.h[5], v1.h[7]" },
        { a64_simd_ins_elem(3, 1, 0, 0, 2), "mov v2.d[1], v0.d[0]" },
        { a64_simd_tbl1(1, 3, 0, 2), "tbl v2.16b, {v0.16b}, v3.16b" },
        { a64_simd_movi16b(3, 0x8f), "movi v3.16b, #0x8f" },
        { a64_simd_movi16b(2, 0), "movi v2.16b, #0x0" },
        { a64_simd_movi4s_lsl(6, 0x80, 16), "movi v6.4s, #0x80, lsl #16" },
        { a64_simd_mvni4s_lsl(4, 0x80, 24), "mvni v4.4s, #0x80, lsl #24" },
        { a64_simd_movi2d_ones(7), "movi v7.2d, #0xffffffffffffffff" },
    };
    check_disassembly(cases, N_OF(cases));
}

Test(a64_encode_simd, scalar_fp_loads_stores_fpsr)
{
    const struct disasm_case cases[] = {
        { a64_fp_2src(0, A64_FADD, 1, 0, 2), "fadd s2, s0, s1" },
        { a64_fp_2src(1, A64_FSUB, 1, 0, 2), "fsub d2, d0, d1" },
        { a64_fp_2src(1, A64_FMUL, 1, 0, 2), "fmul d2, d0, d1" },
        { a64_fp_2src(0, A64_FDIV, 1, 0, 2), "fdiv s2, s0, s1" },
        { a64_fp_1src(1, A64_FSQRT, 1, 2), "fsqrt d2, d1" },
        { a64_fp_1src(0, A64_FCVT_TO_D, 1, 2), "fcvt d2, s1" },
        { a64_fp_1src(1, A64_FCVT_TO_S, 1, 2), "fcvt s2, d1" },
        { a64_fp_compare(0, 0, 1, 0), "fcmp s0, s1" },
        { a64_fp_compare(1, 1, 1, 0), "fcmpe d0, d1" },
        { a64_fp_int(1, 1, A64_SCVTF_G, 5, 2), "scvtf d2, x5" },
        { a64_fp_int(0, 0, A64_SCVTF_G, 5, 2), "scvtf s2, w5" },
        { a64_fp_int(1, 0, A64_FCVTZS_G, 1, 7), "fcvtzs x7, s1" },
        { a64_fp_int(0, 1, A64_FCVTNS_G, 1, 7), "fcvtns w7, d1" },
        { a64_fp_int(1, 1, A64_FMOV_FROM_G, 16, 7), "fmov d7, x16" },
        { a64_fp_int(1, 1, A64_FMOV_TO_G, 7, 2), "fmov x2, d7" },
        { a64_fp_int(0, 0, A64_FMOV_TO_G, 3, 16), "fmov w16, s3" },
        { a64_fp_ldst_unsigned_imm(4, 1, 50, 19, 0), "ldr q0, [x19, #800]" },
        { a64_fp_ldst_unsigned_imm(4, 0, 66, 19, 2), "str q2, [x19, #1056]" },
        { a64_fp_ldst_unsigned_imm(3, 1, 100, 19, 1), "ldr d1, [x19, #800]" },
        { a64_fp_ldst_unsigned_imm(2, 0, 1, 19, 2), "str s2, [x19, #4]" },
        { a64_fp_ldst_unsigned_imm(4, 1, 0, 3, 0), "ldr q0, [x3]" },
        { a64_fp_ldst_unscaled_imm(4, 1, -16, 19, 0), "ldur q0, [x19, #-16]" },
        { a64_fp_ldst_unscaled_imm(3, 0, 3, 19, 2), "stur d2, [x19, #3]" },
        { a64_fp_ldst_reg_offset(4, 1, 16, 19, 0), "ldr q0, [x19, x16]" },
        { a64_fp_ldst_reg_offset(2, 0, 16, 19, 0), "str s0, [x19, x16]" },
        { a64_fp_pair_q(false, A64_PAIR_PRE, -16, 17, 31, 16), "stp q16, q17, [sp, #-256]!" },
        { a64_fp_pair_q(false, A64_PAIR_OFFSET, 14, 31, 31, 30), "stp q30, q31, [sp, #224]" },
        { a64_fp_pair_q(true, A64_PAIR_OFFSET, 2, 19, 31, 18), "ldp q18, q19, [sp, #32]" },
        { a64_fp_pair_q(true, A64_PAIR_POST, 16, 17, 31, 16), "ldp q16, q17, [sp], #256" },
        { a64_fp_stp_q(1, 0, 16, 0), "stp q0, q0, [x16, #16]" },
        { a64_mrs_fpsr(17), "mrs x17, fpsr" },
        { a64_msr_fpsr(17), "msr fpsr, x17" },
    };
    check_disassembly(cases, N_OF(cases));
}
