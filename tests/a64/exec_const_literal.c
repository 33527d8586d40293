/* exec_const_literal.c -- constants of two movz/movk words taken from the
 * block's literal pool (a64_literal.c): one `ldr` word each, whether as a
 * register's value, a constant guest address below 4 GiB whose low half no
 * access offset holds (a non-PIE program's global) or a stored value (a
 * call's return address); values past the pool's 16 entries and 64 sites
 * fall back to movz/movk.  A fault on an access through such an address
 * leaves the access's own word as the fault pc and every register as it
 * was.  Checked against C. */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "exec_common.h"
#include "aarch64/a64_encode.h"

#define PAD_OFF(i) ((int32_t)(offsetof(struct xt_env, pad) + 8 * (i)))

/* Low guest memory as a non-PIE program's globals lie: 64 KiB mapped,
 * then 64 KiB that faults. */
#define LOW_BASE 0x12340000ul
#define LOW_SIZE 0x10000ul

static void emit_exit(struct be_code *c)
{
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x1000, TR_EXIT_SYSCALL } };
    be_emit_insn(c, &exit, NULL, NULL);
}

static bool two_words(uint64_t v)
{
    uint32_t words[4];
    return a64_movi_sequence(words, 0, v) == 2;
}

/* A random value that movz/movk (or movn/movk) build in two words. */
static uint64_t random_two_word(void)
{
    for (;;) {
        uint64_t v = xt_random();
        switch (xt_random() % 3) {
        case 0: v = (uint32_t)v; break;                         /* below 4 GiB */
        case 1: v = 0xffffffff00000000ull | (uint32_t)v; break; /* movn + movk */
        default: v = v & 0xffff0000ffffull; break;              /* halfwords 0 and 2 */
        }
        if (two_words(v))
            return v;
    }
}

/* One value into one register: one word, the value exact. */
static void test_values(void)
{
    static const int regs[] = { 16, 17, 0, 7, 20, 27 };
    for (int i = 0; i < 240; i++) {
        uint64_t v = random_two_word();
        int r = regs[i % 6];
        struct be_code c = xt_block();
        uint8_t *before = c.ptr;
        be_emit_movi(&c, r, v);
        XT_CHECK(c.ptr - before == 4, "movi %#lx into x%d: %d words", (unsigned long)v, r,
                 (int)(c.ptr - before) / 4);
        be_emit_st_env(&c, r, offsetof(struct xt_env, result));
        emit_exit(&c);
        xt_run(&c);
        XT_CHECK(xt_env.result[0] == v, "movi %#lx got %#lx", (unsigned long)v,
                 (unsigned long)xt_env.result[0]);
    }
}

/* More distinct values than the pool holds (16), each used twice, and
 * more uses of one value than it has sites (64): every value exact. */
static void test_pool_overflow(void)
{
    enum { DISTINCT = 24, REPEAT = 80 };
    uint64_t want[2 * DISTINCT + REPEAT];
    struct be_code c = xt_block();
    int n = 0;
    for (int i = 0; i < DISTINCT; i++)
        want[n++] = random_two_word();
    for (int i = 0; i < DISTINCT; i++)
        want[n++] = want[i];
    uint64_t same = random_two_word();
    for (int i = 0; i < REPEAT; i++)
        want[n++] = same;
    for (int i = 0; i < n; i++) {
        be_emit_movi(&c, 5, want[i]);
        be_emit_st_env(&c, 5, PAD_OFF(i));
    }
    emit_exit(&c);
    memset(xt_env.pad, 0, sizeof xt_env.pad);
    xt_run(&c);
    int wrong = 0;
    for (int i = 0; i < n; i++)
        wrong += memcmp(xt_env.pad + 8 * i, &want[i], 8) != 0;
    XT_CHECK(wrong == 0, "pool overflow: %d of %d values wrong", wrong, n);
}

static uint8_t *low_mem(void)
{
    static uint8_t *p;
    if (!p) {
        p = mmap((void *)LOW_BASE, 2 * LOW_SIZE, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED || p != (uint8_t *)LOW_BASE ||
            mprotect(p, LOW_SIZE, PROT_READ | PROT_WRITE) != 0)
            p = NULL;
    }
    return p;
}

/* An offset in the low page whose address split_const_addr cannot split
 * (its low half is not an offset of an access of 1 << size bytes). */
static uint32_t unsplit_offset(unsigned size)
{
    for (;;) {
        uint32_t off = 0x1000u + (uint32_t)(xt_random() % (LOW_SIZE - 0x1000 - 8));
        bool unsplit = size == 0 || off % (1u << size) != 0 || (off >> size) >= 4096;
        bool in_page = (off & 0xfff) + (1u << size) <= 0x1000;    /* no page-cross test */
        if (unsplit && in_page && two_words(LOW_BASE + off))
            return off;
    }
}

/* ld and st at a constant address: the address one ldr word, the access
 * one more; the value and the memory as C gives them. */
static void test_const_addresses(void)
{
    uint8_t *mem = low_mem();
    XT_CHECK(mem != NULL, "mapping 128 KiB at %#lx", LOW_BASE);
    if (!mem)
        return;
    for (unsigned size = 0; size < 4; size++)
        for (int i = 0; i < 24; i++) {
            uint32_t off = unsplit_offset(size);
            uint64_t v = xt_random();
            for (int k = 0; k < 16; k++) mem[off - 4 + k] = (uint8_t)xt_random();
            uint8_t want[16];
            memcpy(want, mem + off - 4, 16);
            memcpy(want + 4, &v, 1u << size);
            uint64_t loaded = 0;
            memcpy(&loaded, want + 4, 1u << size);
            struct be_code c = xt_block();
            be_emit_movi(&c, 21, v);
            struct be_arg addr = { .is_const = true, .imm = LOW_BASE + off };
            struct ir_insn st = { .op = IR_st, .size = size };
            uint8_t *before = c.ptr;
            be_emit_insn(&c, &st, NULL, (struct be_arg[]){ addr, { .reg = 21 } });
            bool st_short = c.ptr - before == 8;
            struct ir_insn ld = { .op = IR_ld, .size = size };
            before = c.ptr;
            be_emit_insn(&c, &ld, (struct be_arg[]){ { .reg = 22 } }, &addr);
            XT_CHECK(c.ptr - before == 8 && st_short, "ld/st at %#lx (size %u): %d words",
                     (unsigned long)addr.imm, 1u << size, (int)(c.ptr - before) / 4);
            be_emit_st_env(&c, 22, offsetof(struct xt_env, result));
            emit_exit(&c);
            xt_run(&c);
            XT_CHECK(memcmp(mem + off - 4, want, 16) == 0, "st at %#lx (size %u)",
                     (unsigned long)addr.imm, 1u << size);
            XT_CHECK(xt_env.result[0] == loaded, "ld at %#lx (size %u): %#lx, want %#lx",
                     (unsigned long)addr.imm, 1u << size, (unsigned long)xt_env.result[0],
                     (unsigned long)loaded);
        }
}

/* A call's push: its return address below 4 GiB stored at [x24 - 8], as
 * the call's `st rsp, $ret disp -8` on an aligned stack. */
static void test_pushed_value(void)
{
    uint64_t stack[4] = { 0 };
    for (int i = 0; i < 32; i++) {
        uint64_t ret = random_two_word();
        struct be_code c = xt_block();
        be_emit_movi(&c, 24, (uintptr_t)&stack[2]);
        struct ir_insn st = { .op = IR_st, .size = IR_MO_64 | IR_MO_ALIGNED, .aux = { -8 } };
        uint8_t *before = c.ptr;
        be_emit_insn(&c, &st, NULL, (struct be_arg[]){ { .reg = 24 }, { .is_const = true, .imm = ret } });
        XT_CHECK(c.ptr - before == 8, "push of %#lx: %d words", (unsigned long)ret,
                 (int)(c.ptr - before) / 4);
        emit_exit(&c);
        xt_run(&c);
        XT_CHECK(stack[1] == ret && stack[0] == 0 && stack[2] == 0, "push of %#lx: %#lx",
                 (unsigned long)ret, (unsigned long)stack[1]);
        stack[1] = 0;
    }
}

/* A fault at such an address: the fault pc is the access's word (not
 * the literal's load), x16 holds the address, and the registers set
 * before are intact. */
static void test_fault(void)
{
    if (!low_mem())
        return;
    uint64_t addr = LOW_BASE + LOW_SIZE + 0x5679;       /* in the PROT_NONE half */
    struct be_code c = xt_block();
    be_emit_movi(&c, 5, 0x5555aaaa1234);
    be_emit_movi(&c, 27, 0x27272727);
    struct ir_insn ld = { .op = IR_ld, .size = IR_MO_64 };
    be_emit_insn(&c, &ld, (struct be_arg[]){ { .reg = 6 } },
                 &(struct be_arg){ .is_const = true, .imm = addr });
    uint8_t *access = c.ptr - 4;
    emit_exit(&c);
    uintptr_t pc;
    uint64_t regs[3];
    XT_CHECK(xt_run_to_fault(&c, &pc, (const int[]){ 5, 27, 16 }, regs, 3),
             "load from %#lx did not fault", (unsigned long)addr);
    XT_CHECK(pc == (uintptr_t)access, "fault pc %#lx, access at %p", (unsigned long)pc, access);
    XT_CHECK(regs[0] == 0x5555aaaa1234 && regs[1] == 0x27272727 && regs[2] == addr,
             "registers at the fault: %#lx %#lx %#lx", (unsigned long)regs[0],
             (unsigned long)regs[1], (unsigned long)regs[2]);
}

void xt_test_const_literal(void)
{
    test_values();
    test_pool_overflow();
    test_const_addresses();
    test_pushed_value();
    test_fault();
}
