/* x86_line_store.c -- the instructions that write a whole 64-byte line:
 * clzero (AMD: zeroes the line holding [rAX]) and movdir64b (a 64-byte
 * direct store from m512 to the 64-byte aligned address in r64/r32).
 * Decoded by x86_ext_decode.c; C helpers (rare instructions) that probe
 * the guest memory first, so a fault leaves the line untouched and
 * reports what this Zen 5 reports (tests/guest/amd_user_insns.c):
 *   clzero     a page fault at the line's first byte (write); a
 *              non-canonical line #GP;
 *   movdir64b  the source read first (its page fault even when the
 *              destination is misaligned), then #GP (SIGSEGV SI_KERNEL,
 *              trap 13, error 0) for a destination not 64-byte aligned
 *              or non-canonical, then the destination's page fault.
 * Neither changes the flags.  The 67 prefix makes rAX (clzero) and
 * both of movdir64b's addresses 32-bit; fs/gs apply to clzero's line and
 * movdir64b's source.
 */
#include <string.h>

#include "x86_internal.h"

_Noreturn static void line_gp(struct x86_cpu *c)
{
    c->rt.fault.err = 0;
    tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
}

static uint64_t helper_clzero(void *env, uint64_t addr)
{
    struct x86_cpu *c = env;
    uint64_t line = addr & ~63ull;
    x86_guest_probe(c, line, 64, true);
    memset(tr_guest_ptr(c, line), 0, 64);
    return 0;
}

static uint64_t helper_movdir64b(void *env, uint64_t dst, uint64_t src)
{
    struct x86_cpu *c = env;
    uint8_t line[64];
    x86_guest_probe(c, src, 64, false);
    memcpy(line, tr_guest_ptr(c, src), 64);
    if (dst & 63) line_gp(c);
    x86_check_canonical_span(c, dst, 64);
    x86_guest_probe(c, dst, 64, true);
    memcpy(tr_guest_ptr(c, dst), line, 64);
    return 0;
}

static const struct ir_helper clzero_h = { (void *)helper_clzero, "clzero", 1, 0,
                                           IR_HELPER_RW_GLOBALS };
static const struct ir_helper movdir64b_h = { (void *)helper_movdir64b, "movdir64b", 2, 0,
                                              IR_HELPER_RW_GLOBALS };

/* Decoded as `mov eax, [rax]`: operand 1 is the line's address. */
static void h_clzero(struct x86_dc *dc)
{
    ir_ref ea = x86_ea(dc, x86_opnd(dc, 1));
    x86_sync_pc(dc);
    x86_call(dc, &clzero_h, ea, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

/* Decoded as `mov r64, m`: the register holds the destination (its low
 * half under 67), the memory operand is the source. */
static void h_movdir64b(struct x86_dc *dc)
{
    ir_ref src = x86_ea(dc, x86_opnd(dc, 1));
    ir_ref dst = x86_gpr_read(dc, x86_opnd(dc, 0)->reg);
    if (x86_has_prefix(dc, 0x67)) dst = x86_trunc(dc, dst, 4);
    x86_sync_pc(dc);
    x86_call(dc, &movdir64b_h, dst, src, IR_NONE, IR_NONE, IR_NONE);
}

static const struct x86_insn_row line_store_rows[] = {
    { X86_FERRY_INS_CLZERO, h_clzero, X86_FL_PASS, 0, X86_OPF_ANY, NULL },
    { X86_FERRY_INS_MOVDIR64B, h_movdir64b, X86_FL_PASS, 0, X86_OPF_ANY, NULL },
};
const struct x86_row_set x86_line_store_rows = X86_ROW_SET("line_store", line_store_rows);
