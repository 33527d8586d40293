/* exec_offsets.c -- the access forms chosen by an offset's size, executed
 * and checked against C: displacements of two movz/movk (split into `add
 * #hi, lsl #12` and the access's offset, or not), constant addresses whose
 * high half is one movz, and runs of 8-byte env stores paired into stp. */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "exec_common.h"

static uint8_t mem[64] __attribute__((aligned(16)));

static void emit_exit(struct be_code *c)
{
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x1000, TR_EXIT_SYSCALL } };
    be_emit_insn(c, &exit, NULL, NULL);
}

static uint64_t bytes_of(unsigned memop, const uint8_t *p)
{
    uint64_t v = 0;
    memcpy(&v, p, ir_memop_bytes(memop));
    return v;
}

/* Splits (low 12 bits aligned, both signs), unaligned low bits (index
 * register), a one-movz displacement and one past 24 bits. */
static const int32_t far_disps[] = { 0x737e40, 0x737c41, 0x10008, -0x12340, -0x12341,
                                     0x123457, 0x7ff000, 0x50000, 0x1234560 };

/* ld and st at base + disp, and ldx/stx at base + (index << scale) + disp
 * (scale 0 or the access size: the index as the access's register offset
 * behind a built displacement; any other: added). */
static void run_far(unsigned mo, int32_t disp, bool store, bool indexed, unsigned scale)
{
    for (int i = 0; i < 64; i++) mem[i] = (uint8_t)xt_random();
    uint8_t want[64];
    memcpy(want, mem, 64);
    uint64_t v = xt_random(), index = 3;
    uintptr_t base = (uintptr_t)(mem + 16) - (uintptr_t)(intptr_t)disp - (indexed ? index << scale : 0);
    struct be_code c = xt_block();
    be_emit_movi(&c, 22, base);
    be_emit_movi(&c, 23, v);
    be_emit_movi(&c, 21, index);
    struct be_arg out = { .reg = 7 }, r22 = { .reg = 22 }, r23 = { .reg = 23 }, r21 = { .reg = 21 };
    struct ir_insn i = { .size = mo, .aux = { disp, (int32_t)scale } };
    if (indexed && store) {
        i.op = IR_stx;
        be_emit_insn(&c, &i, NULL, (struct be_arg[]){ r22, r23, r21 });
    } else if (indexed) {
        i.op = IR_ldx;
        be_emit_insn(&c, &i, &out, (struct be_arg[]){ r22, r21 });
    } else {
        i.op = store ? IR_st : IR_ld;
        be_emit_insn(&c, &i, store ? NULL : &out, (struct be_arg[]){ r22, r23 });
    }
    if (!store)
        be_emit_st_env(&c, 7, offsetof(struct xt_env, result));
    emit_exit(&c);
    xt_run(&c);
    if (store) {
        memcpy(want + 16, &v, ir_memop_bytes(mo));
        XT_CHECK(memcmp(want, mem, 64) == 0, "far st%s memop %u disp %#x scale %u",
                 indexed ? "x" : "", mo, disp, scale);
    } else {
        XT_CHECK(xt_env.result[0] == bytes_of(mo, mem + 16), "far ld%s memop %u disp %#x scale %u",
                 indexed ? "x" : "", mo, disp, scale);
    }
}

static void test_far_disps(void)
{
    for (unsigned k = 0; k < sizeof far_disps / sizeof far_disps[0]; k++)
        for (unsigned mo = 0; mo < 4; mo++)
            for (int s = 0; s < 2; s++)
                for (unsigned scale = 0; scale < 4; scale++)
                    for (int x = 0; x < 2; x++)
                        if (x || scale == 0)
                            run_far(mo, far_disps[k], s, x, scale);
}

/* Constant addresses in a mapping below 16 MiB: low halves that fit the
 * access (up, and down from the next 64 KiB) and ones that do not. */
enum { LOW_BASE = 0xa50000, LOW_SIZE = 0x20000 };
static const uint32_t low_addrs[] = { 0xa56460, 0xa5fff0, 0xa5fff8, 0xa6ed4c, 0xa50001,
                                      0xa60ff8, 0xa5ff01 };

static void run_const_addr(uint8_t *low, unsigned mo, uint32_t addr, bool store)
{
    uint8_t *p = low + (addr - LOW_BASE);
    uint64_t v = xt_random(), old = xt_random();
    memcpy(p, &old, 8);
    struct be_code c = xt_block();
    struct be_arg out = { .reg = 7 };
    struct be_arg in[2] = { { .is_const = true, .imm = addr }, { .is_const = true, .imm = v } };
    struct ir_insn i = { .op = store ? IR_st : IR_ld, .size = mo };
    be_emit_insn(&c, &i, store ? NULL : &out, in);
    if (!store)
        be_emit_st_env(&c, 7, offsetof(struct xt_env, result));
    emit_exit(&c);
    xt_run(&c);
    uint64_t want = old;
    if (store)
        memcpy(&want, &v, ir_memop_bytes(mo));
    XT_CHECK(store ? memcmp(p, &want, 8) == 0 : xt_env.result[0] == bytes_of(mo, p),
             "const %s memop %u addr %#x", store ? "st" : "ld", mo, addr);
}

static void test_const_addrs(void)
{
    uint8_t *low = mmap((void *)LOW_BASE, LOW_SIZE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    XT_CHECK(low == (uint8_t *)LOW_BASE, "mapping at %#x for constant addresses", LOW_BASE);
    if (low != (uint8_t *)LOW_BASE)
        return;
    for (unsigned k = 0; k < sizeof low_addrs / sizeof low_addrs[0]; k++)
        for (unsigned mo = 0; mo < 4; mo++)
            for (int s = 0; s < 2; s++)
                run_const_addr(low, mo, low_addrs[k], s);
    munmap(low, LOW_SIZE);
}

/* Store k of a run: odd ones from x20 + k / 2 (eight of them), the others
 * zero (xzr); with `cut`, the middle one a constant moved to x17 first,
 * which ends the run before it. */
static bool zeros_only;         /* every store zero: stp q0 of a zeroed v0 */
static bool in_reg(int k) { return !zeros_only && k % 2 == 1 && k < 16; }

/* n st_env of 8 bytes from `first` on (with_gap: the second half 8 bytes
 * further), one op after another; the words around stay. */
static void run_store_run(int32_t first, int n, bool with_gap, bool cut)
{
    uint8_t *env = (uint8_t *)&xt_env;
    uint64_t vals[40];
    for (int k = -1; k <= n; k++) {
        uint64_t junk = xt_random();
        memcpy(env + first + 8 * k, &junk, 8);
    }
    uint64_t before = 0, after = 0;
    memcpy(&before, env + first - 8, 8);
    memcpy(&after, env + first + 8 * n, 8);
    struct be_code c = xt_block();
    for (int k = 0; k < n; k++) {
        vals[k] = in_reg(k) || (cut && k == n / 2) ? xt_random() : 0;
        if (in_reg(k)) be_emit_movi(&c, 20 + k / 2, vals[k]);
    }
    for (int k = 0; k < n; k++) {
        struct ir_insn st = { .op = IR_st_env, .size = IR_MO_64,
                              .aux = { first + 8 * k + (with_gap && k >= n / 2 ? 8 : 0) } };
        struct be_arg v = { .is_const = !in_reg(k), .reg = (int8_t)(20 + k / 2), .imm = vals[k] };
        be_emit_insn(&c, &st, NULL, &v);
    }
    emit_exit(&c);
    xt_run(&c);
    bool ok = true;
    for (int k = 0; k < n; k++) {
        uint64_t got;
        memcpy(&got, env + first + 8 * k + (with_gap && k >= n / 2 ? 8 : 0), 8);
        ok &= got == vals[k];
    }
    uint64_t b2, a2;
    memcpy(&b2, env + first - 8, 8);
    memcpy(&a2, env + first + 8 * n + (with_gap ? 8 : 0), 8);
    ok &= b2 == before && (with_gap || a2 == after);
    XT_CHECK(ok, "st_env run at %d, %d stores%s%s", first, n, with_gap ? ", a gap" : "",
             cut ? ", cut" : "");
}

static void test_store_runs(void)
{
    /* near: in the runtime's unused layout_pad, where stp reaches
     * straight from env */
    int32_t near = (int32_t)offsetof(struct tr_runtime, layout_pad) + 8;
    int32_t far = ((int32_t)offsetof(struct xt_env, pad) + 600) & ~7;
    uint8_t saved[sizeof xt_env.rt.layout_pad];
    memcpy(saved, xt_env.rt.layout_pad, sizeof saved);
    for (int n = 1; n <= 34; n++) {
        if (near + 8 * (n + 1) <= (int32_t)offsetof(struct tr_runtime, layout_pad) + (int32_t)sizeof saved)
            run_store_run(near, n, n % 3 == 0, n % 2 == 0);
        run_store_run(far, n, false, false);
        run_store_run(far, n, false, true);
        run_store_run(far, n, true, false);
        run_store_run(far + 4 * 1000, n, n % 2, false);
        zeros_only = true;
        run_store_run(far + 8 * (n % 2), n, false, false);
        run_store_run(far, n, false, true);
        run_store_run(far, n, true, false);
        zeros_only = false;
    }
    memcpy(xt_env.rt.layout_pad, saved, sizeof saved);
}

void xt_test_offsets(void)
{
    test_far_disps();
    test_const_addrs();
    test_store_runs();
}
