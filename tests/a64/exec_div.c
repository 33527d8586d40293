/* exec_div.c -- IR divu/divs on AArch64 (a64_div.c), through regalloc.c:
 * blocks `g_q = div(lo, hi, c); exit` with the operands in globals pinned
 * in callee-saved (g0-g9) and caller-saved (g10-g15) host registers,
 * unpinned ones (g16-g19) and temps, a zero high half as the narrow form
 * or a constant, over edge values.  Checked against __int128 arithmetic:
 * the quotient and every other global after a division (the slow path's
 * stub must keep the caller-saved ones), the #DE exit's rc, pc and
 * untouched globals after one. */
#include <string.h>

#include "exec_common.h"
#include "regalloc.h"

static struct ir_block block;

static const uint64_t edge[] = {
    0, 1, 2, 3, 7, 0x7f, 0x80, 0xffffffffull, 0x100000000ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull, 0x123456789abcdef0ull,
};
#define N_EDGE (int)(sizeof edge / sizeof edge[0])

/* The quotient of hi:lo / c, or false for x86's #DE. */
static bool reference(bool is_signed, uint64_t hi, uint64_t lo, uint64_t c, uint64_t *q)
{
    unsigned __int128 un = (unsigned __int128)hi << 64 | lo;
    if (c == 0)
        return false;
    if (!is_signed) {
        if (hi >= c)
            return false;
        *q = (uint64_t)(un / c);
        return true;
    }
    __int128 n = (__int128)un, d = (int64_t)c;
    if (d == -1 && un == (unsigned __int128)1 << 127)
        return false;
    __int128 r = d == -1 ? -n : n / d;
    if (r > INT64_MAX || r < INT64_MIN)
        return false;
    *q = (uint64_t)r;
    return true;
}

/* A global (g0..g19) or a temp copied from one, per `how`. */
static ir_ref operand(struct ir_block *b, int g, bool temp)
{
    if (!temp)
        return (ir_ref)g;
    ir_ref t = ir_temp(b);
    ir_binop(b, IR_add, 64, t, (ir_ref)g, ir_const(b, 0));
    return t;
}

/* The block's exit to 0x5000, then the block through regalloc, run. */
static uint64_t exit_and_run(void)
{
    ir_exit_code(&block, 0x5000, TR_EXIT_SYSCALL);
    const char *bad = ir_validate(&block);
    XT_CHECK(!bad, "invalid block: %s", bad);
    struct be_code code = xt_block();
    XT_CHECK(ra_emit_block(xt_ra(), &code, &block), "ra_emit_block ran out of room");
    return xt_run(&code);
}

static void run_div(bool is_signed, bool narrow, uint64_t hi, uint64_t lo, uint64_t c,
                    unsigned variant)
{
    int g_lo = (int)(variant % 20), g_hi = (int)((variant / 3 + 7) % 20);
    int g_c = (int)((variant / 5 + 13) % 20), g_q = (int)((variant / 7 + 3) % 20);
    bool temps = variant & 1;
    if (g_hi == g_lo) g_hi = (g_hi + 1) % 20;
    while (g_c == g_lo || g_c == g_hi) g_c = (g_c + 1) % 20;
    if (narrow)
        hi = is_signed ? (uint64_t)((int64_t)lo >> 63) : 0;
    uint64_t want[XT_N_GLOBALS], q = 0;
    for (int g = 0; g < XT_N_GLOBALS; g++)
        xt_env.gregs[g] = want[g] = xt_random();
    xt_env.gregs[g_lo] = want[g_lo] = lo;
    xt_env.gregs[g_hi] = want[g_hi] = hi;
    xt_env.gregs[g_c] = want[g_c] = c;
    ir_block_init(&block, &xt_globals, 0x4000);
    ir_ref rlo = operand(&block, g_lo, temps), rc = operand(&block, g_c, temps), t = ir_temp(&block);
    ir_ref rhi = narrow || (hi == 0 && variant % 3 == 0) ? ir_const(&block, 0) : operand(&block, g_hi, temps);
    ir_div(&block, is_signed ? IR_divs : IR_divu, t, rlo, rhi, rc, 0x4000, narrow ? IR_DIV_NARROW : 0);
    ir_binop(&block, IR_add, 64, (ir_ref)g_q, t, ir_const(&block, 0));
    uint64_t rcode = exit_and_run();
    bool ok = reference(is_signed, hi, lo, c, &q);
    if (ok)
        want[g_q] = q;
    int differ = 0;
    for (int g = 0; g < XT_N_GLOBALS; g++)
        differ += xt_env.gregs[g] != want[g];
    XT_CHECK(rcode == (ok ? TR_EXIT_SYSCALL : TR_EXIT_SIGFPE) &&
             xt_env.rt.pc == (ok ? 0x5000u : 0x4000u) && differ == 0,
             "div%s%s %#lx:%#lx / %#lx (variant %u): rc %lu pc %#lx, %d globals differ "
             "(q %#lx want %#lx)", is_signed ? "s" : "u", narrow ? " narrow" : "",
             (unsigned long)hi, (unsigned long)lo, (unsigned long)c, variant,
             (unsigned long)rcode, (unsigned long)xt_env.rt.pc, differ,
             (unsigned long)xt_env.gregs[g_q], (unsigned long)want[g_q]);
}

/* A block of n divisions hi:(lo + k) / c, their quotients summed into g4
 * (more than a64_div.c's DIV_MAX: the first slow paths out of line, the
 * rest inline), a wide dividend (hi < c) taking every slow path when
 * `slow`; the division de_at (unless -1) divides by g3 = 0 instead: #DE
 * there, every global as it was. */
static void run_div_chain(int n, bool slow, int de_at)
{
    uint64_t want[XT_N_GLOBALS], lo = 0x123456789abcdefull, hi = slow ? 5 : 0, c = 1000003;
    for (int g = 0; g < XT_N_GLOBALS; g++)
        xt_env.gregs[g] = want[g] = xt_random();
    xt_env.gregs[0] = want[0] = lo;
    xt_env.gregs[1] = want[1] = hi;
    xt_env.gregs[2] = want[2] = c;
    xt_env.gregs[3] = want[3] = 0;
    ir_block_init(&block, &xt_globals, 0x4000);
    ir_ref sum = ir_temp(&block);
    ir_binop(&block, IR_add, 64, sum, ir_const(&block, 0), ir_const(&block, 0));
    unsigned __int128 total = 0;
    for (int k = 0; k < n; k++) {
        ir_ref x = ir_temp(&block), t = ir_temp(&block);
        ir_binop(&block, IR_add, 64, x, 0, ir_const(&block, (uint64_t)k));
        ir_div(&block, IR_divu, t, x, 1, k == de_at ? 3 : 2, 0x4000 + (uint64_t)k, 0);
        ir_binop(&block, IR_add, 64, sum, sum, t);
        total += ((unsigned __int128)hi << 64 | (lo + (uint64_t)k)) / c;
    }
    ir_binop(&block, IR_add, 64, 4, sum, ir_const(&block, 0));
    uint64_t rcode = exit_and_run();
    if (de_at < 0)
        want[4] = (uint64_t)total;
    int differ = 0;
    for (int g = 0; g < XT_N_GLOBALS; g++)
        differ += xt_env.gregs[g] != want[g];
    XT_CHECK(rcode == (de_at < 0 ? TR_EXIT_SYSCALL : TR_EXIT_SIGFPE) &&
             xt_env.rt.pc == (de_at < 0 ? 0x5000u : 0x4000u + (unsigned)de_at) && differ == 0,
             "%d divisions (slow %d, #DE at %d): rc %lu pc %#lx, %d globals differ "
             "(sum %#lx want %#lx)", n, slow, de_at, (unsigned long)rcode,
             (unsigned long)xt_env.rt.pc, differ, (unsigned long)xt_env.gregs[4],
             (unsigned long)want[4]);
}

void xt_test_div(void)
{
    for (int slow = 0; slow < 2; slow++)
        for (int de_at = -1; de_at < 24; de_at += 4)
            run_div_chain(24, slow, de_at);

    unsigned variant = 0;
    for (int s = 0; s < 2; s++)
        for (int narrow = 0; narrow < 2; narrow++)
            for (int i = 0; i < N_EDGE; i++)
                for (int j = 0; j < N_EDGE; j++)
                    for (int k = 0; k < N_EDGE; k += narrow ? N_EDGE : 1)
                        run_div(s, narrow, edge[k], edge[i], edge[j], variant++);
}
