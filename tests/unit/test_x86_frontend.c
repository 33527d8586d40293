/* test_x86_frontend.c -- the x86-64 frontend on hand-assembled code:
 * translated blocks validate and have the expected shape (exits, fused
 * compare-and-branch, globals written, SIGILL/SIGSEGV exits), and the
 * lazy-flag evaluator gives exactly the EFLAGS the native CPU computes
 * (the native CPU is the oracle: flags are captured with pushf).
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
static uint8_t *code;           /* two pages: RWX then PROT_NONE */

/* What the guest-memory interface is told of the code pages: the first
 * is code the guest cannot write (the test writes it from the host), so
 * the frontend may rely on successor code staying as it is. */
static void declare(size_t off, size_t len, int prot)
{
    const struct tr_guest_mem *m = tr_mem_host();
    m->map_changed(m, TR_MAP, (uint64_t)(uintptr_t)(code + off), len, prot);
}

static void setup(void)
{
    if (globals.count == 0) fe_x86_64.declare_globals(&globals);
    code = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(code != MAP_FAILED);
    cr_assert(mprotect(code + 4096, 4096, PROT_NONE) == 0);
    declare(0, 4096, TR_PROT_READ | TR_PROT_EXEC);
    declare(4096, 4096, 0);
}

static void teardown(void)
{
    const struct tr_guest_mem *m = tr_mem_host();
    m->map_changed(m, TR_UNMAP, (uint64_t)(uintptr_t)code, 8192, 0);
    munmap(code, 8192);
}

TestSuite(x86_frontend, .init = setup, .fini = teardown);

/* Translates bytes placed at `at` (an offset in the first page). */
static struct ir_block *translate_at(size_t at, const uint8_t *bytes, size_t n, int max)
{
    memcpy(code + at, bytes, n);
    ir_block_init(&blk, &globals, (uint64_t)(uintptr_t)(code + at));
    fe_x86_64.translate(&blk, tr_mem_host(), (uint64_t)(uintptr_t)(code + at), max);
    const char *err = ir_validate(&blk);
    cr_assert(err == NULL, "invalid IR: %s", err);
    return &blk;
}

static struct ir_block *translate(const uint8_t *bytes, size_t n)
{
    return translate_at(0, bytes, n, 64);
}

static const struct ir_insn *last_insn(const struct ir_block *b) { return &b->insns[b->n_insns - 1]; }

static int count_op(const struct ir_block *b, enum ir_op op)
{
    int n = 0;
    for (int i = 0; i < b->n_insns; i++) n += b->insns[i].op == op;
    return n;
}

static const struct ir_insn *find_op(const struct ir_block *b, enum ir_op op)
{
    for (int i = 0; i < b->n_insns; i++)
        if (b->insns[i].op == op) return &b->insns[i];
    return NULL;
}

static bool writes_global(const struct ir_block *b, ir_ref g)
{
    for (int i = 0; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        for (int k = 0; k < ir_op_info[in->op].n_out; k++)
            if (in->args[k] == g) return true;
    }
    return false;
}

static uint64_t pc_of(size_t off) { return (uint64_t)(uintptr_t)(code + off); }

Test(x86_frontend, add_ret_ends_indirect)
{
    static const uint8_t c[] = { 0x48, 0x01, 0xd8, 0xc3 };     /* add rax,rbx; ret */
    struct ir_block *b = translate(c, sizeof c);
    cr_assert_eq(last_insn(b)->op, IR_exit_indirect);
    cr_assert(writes_global(b, x86_g_reg[X86_RAX]));
    cr_assert(writes_global(b, x86_g_reg[X86_RSP]));
    cr_assert(writes_global(b, x86_g_cc_op), "flags leave the block in cc_*");
    cr_assert_eq(b->guest_insns, 2);
    cr_assert_eq(b->guest_size, sizeof c);
}

Test(x86_frontend, cmp_jl_is_one_signed_compare)
{
    static const uint8_t c[] = { 0x48, 0x39, 0xd8, 0x7c, 0x10 };  /* cmp rax,rbx; jl +0x10 */
    struct ir_block *b = translate(c, sizeof c);
    const struct ir_insn *br = find_op(b, IR_brcond);
    cr_assert(br != NULL);
    cr_assert_eq(br->cond, IR_LT);
    cr_assert_eq(br->size, 64);
    cr_assert_eq((uint64_t)br->aux[0], pc_of(5 + 0x10));
    cr_assert_eq(count_op(b, IR_call), 0, "no flag helper for a fused compare");
    cr_assert_eq(last_insn(b)->op, IR_goto_tb);
    cr_assert_eq((uint64_t)last_insn(b)->aux[0], pc_of(5));
    cr_assert_neq(br->aux[1], last_insn(b)->aux[1], "distinct chain slots");
}

Test(x86_frontend, test_je_compares_result_with_zero)
{
    static const uint8_t c[] = { 0x85, 0xc0, 0x74, 0x05 };      /* test eax,eax; je */
    struct ir_block *b = translate(c, sizeof c);
    const struct ir_insn *br = find_op(b, IR_brcond);
    cr_assert(br != NULL);
    cr_assert(br->cond == IR_EQ || br->cond == IR_TSTEQ);
    cr_assert_eq(br->size, 32);
    cr_assert_eq(count_op(b, IR_call), 0);
}

Test(x86_frontend, jcc_with_unknown_producer_uses_helper)
{
    static const uint8_t c[] = { 0x7c, 0x10 };                  /* jl at block start */
    struct ir_block *b = translate(c, sizeof c);
    cr_assert_eq(count_op(b, IR_call), 1);
    cr_assert(find_op(b, IR_brcond) != NULL);
}

Test(x86_frontend, dead_flags_are_not_computed)
{
    /* imul rax,rbx keeps S Z A P on this CPU, but add overwrites them all
     * right after: no call to evaluate the older flags. */
    static const uint8_t c[] = { 0x48, 0x0f, 0xaf, 0xc3, 0x48, 0x01, 0xc8, 0xc3 };
    struct ir_block *b = translate(c, sizeof c);
    cr_assert_eq(count_op(b, IR_call), 0);
}

Test(x86_frontend, flags_not_stored_when_successors_overwrite_them)
{
    /* cmp rax,rbx; je +2; [5] xor eax,eax; [7] xor ecx,ecx; ret */
    static const uint8_t dead[] = { 0x48, 0x39, 0xd8, 0x74, 0x02, 0x31, 0xc0, 0x31, 0xc9, 0xc3 };
    /* cmp rax,rbx; je +2; [5] jb ...: the fall-through reads CF */
    static const uint8_t live[] = { 0x48, 0x39, 0xd8, 0x74, 0x02, 0x72, 0x00, 0x31, 0xc9, 0xc3 };
    struct ir_block *b = translate(dead, sizeof dead);
    cr_assert_eq(b->guest_insns, 2);
    cr_assert(!writes_global(b, x86_g_cc_op));
    b = translate(live, sizeof live);
    cr_assert(writes_global(b, x86_g_cc_op));
}

/* The successor scans' answers are remembered per pc (x86_scan_memo.c),
 * but only while the bytes they read are unchanged and fetchable. */
Test(x86_frontend, successor_scan_memo_follows_the_bytes)
{
    static const uint8_t cmp[] = { 0x48, 0x39, 0xd8 };         /* cmp rax,rbx at 4093 */
    static const uint8_t xor_ret[] = { 0x31, 0xc0, 0xc3 };     /* at 4096: flags dead */
    static const uint8_t jb[] = { 0x72, 0x00, 0xc3 };          /* at 4096: CF read */
    cr_assert(mprotect(code + 4096, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
    declare(4096, 4096, TR_PROT_READ | TR_PROT_EXEC);
    memcpy(code + 4096, xor_ret, sizeof xor_ret);
    for (int k = 0; k < 2; k++)
        cr_assert(!writes_global(translate_at(4093, cmp, sizeof cmp, 1), x86_g_cc_op));
    memcpy(code + 4096, jb, sizeof jb);
    cr_assert(writes_global(translate_at(4093, cmp, sizeof cmp, 1), x86_g_cc_op));
    memcpy(code + 4096, xor_ret, sizeof xor_ret);
    cr_assert(!writes_global(translate_at(4093, cmp, sizeof cmp, 1), x86_g_cc_op));
    cr_assert(mprotect(code + 4096, 4096, PROT_NONE) == 0);
    declare(4096, 4096, 0);
    cr_assert(writes_global(translate_at(4093, cmp, sizeof cmp, 1), x86_g_cc_op),
              "an unmapped successor may read anything");
    /* Successor code the guest may write may turn into a flag reader
     * without a word: the flags are kept for it. */
    cr_assert(mprotect(code + 4096, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
    declare(4096, 4096, TR_PROT_READ | TR_PROT_WRITE | TR_PROT_EXEC);
    memcpy(code + 4096, xor_ret, sizeof xor_ret);
    cr_assert(writes_global(translate_at(4093, cmp, sizeof cmp, 1), x86_g_cc_op),
              "a writable successor may change");
}

Test(x86_frontend, syscall_exit)
{
    static const uint8_t c[] = { 0x0f, 0x05 };
    struct ir_block *b = translate(c, sizeof c);
    const struct ir_insn *e = last_insn(b);
    cr_assert_eq(e->op, IR_exit_code);
    cr_assert_eq(e->aux[1], TR_EXIT_SYSCALL);
    cr_assert_eq((uint64_t)e->aux[0], pc_of(2));
    cr_assert(writes_global(b, x86_g_reg[X86_RCX]), "syscall sets rcx");
    cr_assert(writes_global(b, x86_g_reg[X86_R11]), "syscall sets r11");
}

static void expect_exit(const uint8_t *bytes, size_t n, size_t exit_off, int code_)
{
    struct ir_block *b = translate(bytes, n);
    const struct ir_insn *e = last_insn(b);
    cr_assert_eq(e->op, IR_exit_code);
    cr_assert_eq(e->aux[1], code_);
    cr_assert_eq((uint64_t)e->aux[0], pc_of(exit_off));
}

Test(x86_frontend, unknown_bytes_raise_sigill)
{
    static const uint8_t ud2[] = { 0x90, 0x0f, 0x0b };
    static const uint8_t bad[] = { 0x06 };                      /* push es: invalid in 64-bit */
    static const uint8_t avx[] = { 0x66, 0xc5, 0xf9, 0xef, 0xc0 };  /* 66 before VEX: #UD */
    expect_exit(ud2, sizeof ud2, 1, TR_EXIT_SIGILL);
    expect_exit(bad, sizeof bad, 0, TR_EXIT_SIGILL);
    expect_exit(avx, sizeof avx, 0, TR_EXIT_SIGILL);
}

Test(x86_frontend, privileged_and_int3)
{
    static const uint8_t hlt[] = { 0xf4 };
    static const uint8_t int3[] = { 0xcc };
    expect_exit(hlt, sizeof hlt, 0, TR_EXIT_SIGSEGV);
    expect_exit(int3, sizeof int3, 1, TR_EXIT_SIGTRAP);
}

Test(x86_frontend, unreadable_code_is_a_fetch_fault)
{
    uint64_t pc = pc_of(4096);
    ir_block_init(&blk, &globals, pc);
    fe_x86_64.translate(&blk, tr_mem_host(), pc, 64);
    cr_assert(ir_validate(&blk) == NULL);
    cr_assert_eq(last_insn(&blk)->op, IR_exit_code);
    cr_assert_eq(last_insn(&blk)->aux[1], TR_EXIT_FETCH_FAULT);
    cr_assert_eq((uint64_t)last_insn(&blk)->aux[0], pc);
}

Test(x86_frontend, block_stops_before_unreadable_page)
{
    static const uint8_t nops[] = { 0x90, 0x90 };
    struct ir_block *b = translate_at(4094, nops, sizeof nops, 64);
    cr_assert_eq(last_insn(b)->op, IR_goto_tb);
    cr_assert_eq((uint64_t)last_insn(b)->aux[0], pc_of(4096));
    cr_assert_eq(b->guest_insns, 2);
}

Test(x86_frontend, max_insns_respected)
{
    static const uint8_t nops[] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0xc3 };
    struct ir_block *b = translate_at(0, nops, sizeof nops, 3);
    cr_assert_eq(b->guest_insns, 3);
    cr_assert_eq(last_insn(b)->op, IR_goto_tb);
    cr_assert_eq((uint64_t)last_insn(b)->aux[0], pc_of(3));
}

Test(x86_frontend, fs_segment_uses_fs_base)
{
    static const uint8_t c[] = { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0, 0xc3 }; /* mov rax,fs:0x28 */
    struct ir_block *b = translate(c, sizeof c);
    bool reads_fs = false;
    for (int i = 0; i < b->n_insns; i++)
        for (int k = 0; k < IR_MAX_ARGS; k++)
            reads_fs |= b->insns[i].args[k] == x86_g_fs_base && b->insns[i].op != IR_insn_start;
    cr_assert(reads_fs);
    cr_assert(find_op(b, IR_ld) != NULL);
}

/* ---- lazy flags against the native CPU ----------------------------------- */

#define ARITH 0x8d5ull

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return rng_state;
}

/* Interesting operands: random, small, near sign boundaries. */
static uint64_t operand(int i)
{
    static const uint64_t edge[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
        0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull,
        ~0ull, 0x0f, 0x10 };
    int n = (int)(sizeof edge / sizeof edge[0]);
    return i < n ? edge[i] : rnd() >> (rnd() & 63);
}

/* flags_out = flags after `insn b, a` with flags_in loaded first. */
#define NATIVE_BIN(fn, insn, m)                                                  \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t fin, uint64_t *res)      \
    {                                                                            \
        uint64_t f;                                                              \
        __asm__ volatile("push %[fin]\n\tpopfq\n\t" insn " %" m "[b], %" m "[a]\n\t" \
                         "pushfq\n\tpop %[f]"                                    \
                         : [a] "+r"(a), [f] "=&r"(f) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
        *res = a;                                                                \
        return f & ARITH;                                                        \
    }
#define NATIVE_SIZES(op)                                                         \
    NATIVE_BIN(n_##op##8, #op "b", "b") NATIVE_BIN(n_##op##16, #op "w", "w")     \
    NATIVE_BIN(n_##op##32, #op "l", "k") NATIVE_BIN(n_##op##64, #op "q", "q")
NATIVE_SIZES(add) NATIVE_SIZES(sub) NATIVE_SIZES(adc) NATIVE_SIZES(sbb)
NATIVE_SIZES(and) NATIVE_SIZES(xor)
NATIVE_BIN(n_imul16, "imulw", "w") NATIVE_BIN(n_imul32, "imull", "k")
NATIVE_BIN(n_imul64, "imulq", "q")
#define n_imul8 n_imul16        /* there is no two-operand imul r8 (skipped) */

#define NATIVE_SHIFT(fn, insn, m)                                                \
    static uint64_t fn(uint64_t a, uint64_t c, uint64_t fin, uint64_t *res)      \
    {                                                                            \
        uint64_t f;                                                              \
        __asm__ volatile("push %[fin]\n\tpopfq\n\t" insn " %%cl, %" m "[a]\n\t"  \
                         "pushfq\n\tpop %[f]"                                    \
                         : [a] "+r"(a), [f] "=&r"(f) : "c"(c), [fin] "r"(fin) : "cc"); \
        *res = a;                                                                \
        return f & ARITH;                                                        \
    }
#define SHIFT_SIZES(op)                                                          \
    NATIVE_SHIFT(n_##op##8, #op "b", "b") NATIVE_SHIFT(n_##op##16, #op "w", "w") \
    NATIVE_SHIFT(n_##op##32, #op "l", "k") NATIVE_SHIFT(n_##op##64, #op "q", "q")
SHIFT_SIZES(shl) SHIFT_SIZES(shr) SHIFT_SIZES(sar)

#define NATIVE_UN(fn, insn, m)                                                   \
    static uint64_t fn(uint64_t a, uint64_t unused, uint64_t fin, uint64_t *res) \
    {                                                                            \
        uint64_t f;                                                              \
        (void)unused;                                                            \
        __asm__ volatile("push %[fin]\n\tpopfq\n\t" insn " %" m "[a]\n\t"        \
                         "pushfq\n\tpop %[f]"                                    \
                         : [a] "+r"(a), [f] "=&r"(f) : [fin] "r"(fin) : "cc");   \
        *res = a;                                                                \
        return f & ARITH;                                                        \
    }
#define UN_SIZES(op)                                                             \
    NATIVE_UN(n_##op##8, #op "b", "b") NATIVE_UN(n_##op##16, #op "w", "w")       \
    NATIVE_UN(n_##op##32, #op "l", "k") NATIVE_UN(n_##op##64, #op "q", "q")
UN_SIZES(inc) UN_SIZES(dec) UN_SIZES(neg)

typedef uint64_t (*native_fn)(uint64_t, uint64_t, uint64_t, uint64_t *);
static const int sizes[4] = { 1, 2, 4, 8 };

static uint64_t msk(int bytes) { return x86_mask(bytes); }
static uint64_t sx(uint64_t v, int bytes)
{
    int sh = 64 - bytes * 8;
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* What the frontend records for each family, mirrored from its handlers. */
enum fam { F_ADD, F_SUB, F_ADC, F_SBB, F_LOGIC, F_INC, F_DEC, F_NEG, F_SHL, F_SHR, F_SAR, F_IMUL };

static uint64_t lazy_flags(enum fam f, int bytes, uint64_t a, uint64_t b, uint64_t fin, uint64_t r)
{
    uint64_t m = msk(bytes), cf = fin & 1, c;
    a &= m; r &= m;
    switch (f) {
    case F_ADD: return x86_cc_compute(X86_CC_OP(X86_CC_ADD, bytes), r, b & m, 0);
    case F_SUB: return x86_cc_compute(X86_CC_OP(X86_CC_SUB, bytes), r, b & m, 0);
    case F_ADC: return x86_cc_compute(X86_CC_OP(X86_CC_ADC, bytes), r, b & m, cf);
    case F_SBB: return x86_cc_compute(X86_CC_OP(X86_CC_SBB, bytes), r, b & m, cf);
    case F_LOGIC: return x86_cc_compute(X86_CC_OP(X86_CC_LOGIC, bytes), r, 0, 0);
    case F_INC: return x86_cc_compute(X86_CC_OP(X86_CC_INC, bytes), r, cf, 0);
    case F_DEC: return x86_cc_compute(X86_CC_OP(X86_CC_DEC, bytes), r, cf, 0);
    case F_NEG: return x86_cc_compute(X86_CC_OP(X86_CC_SUB, bytes), r, a, 0);
    case F_SHL: case F_SHR: case F_SAR:
        c = b & (bytes == 8 ? 63 : 31);
        if (c == 0) return fin & ARITH;
        /* Intel's OF source in cc_src2 (x86_shift.c's intel_shift_of) */
        uint64_t intel_of = !x86_machine()->intel ? 0 : f == F_SHL ? a ^ (a << 1) : f == F_SHR ? a : 0;
        if (f == F_SHL) {
            uint64_t s = a << (c - 1);
            return x86_cc_compute(X86_CC_OP(X86_CC_SHL, bytes), r, bytes == 8 ? s : s & 0xffffffff,
                                  intel_of);
        }
        uint64_t s = f == F_SAR ? (uint64_t)((int64_t)sx(a, bytes) >> (c - 1)) : a >> (c - 1);
        return x86_cc_compute(X86_CC_OP(X86_CC_SAR, bytes), r, s, intel_of);
    case F_IMUL: {
        __int128 p = (__int128)(int64_t)sx(a, bytes) * (__int128)(int64_t)sx(b, bytes);
        uint64_t lo = (uint64_t)p & m;
        bool ovf = p != (__int128)(int64_t)sx(lo, bytes);
        /* AMD: the older flags; Intel: the low half (x86_muldiv.c) */
        return x86_cc_compute(X86_CC_OP(X86_CC_MUL, bytes), ovf,
                              x86_machine()->intel ? lo : fin & ARITH, 0);
    }
    }
    return 0;
}

static void check_family(const char *name, enum fam f, const native_fn fns[4])
{
    for (int s = 0; s < 4; s++) {
        int bytes = sizes[s];
        if (f == F_IMUL && bytes == 1) continue;        /* no 2-operand imul r8 */
        for (int i = 0; i < 60; i++)
            for (int j = 0; j < 24; j++) {
                uint64_t a = operand(i), b = operand(j), r;
                if (f >= F_SHL && f <= F_SAR) b = j < 8 ? (uint64_t)j : rnd() & 63;
                uint64_t fin = 0x202 | (((i + j) & 1) ? ARITH : 0);
                uint64_t native = fns[s](a, b, fin, &r);
                uint64_t mine = lazy_flags(f, bytes, a, b, fin, r);
                cr_assert_eq(mine, native, "%s%d a=%#lx b=%#lx fin=%#lx: lazy %#lx native %#lx",
                             name, bytes * 8, a, b, fin, mine, native);
            }
    }
}

#define FNS(op) ((const native_fn[4]){ n_##op##8, n_##op##16, n_##op##32, n_##op##64 })

Test(x86_frontend, lazy_flags_match_native_arith)
{
    check_family("add", F_ADD, FNS(add));
    check_family("sub", F_SUB, FNS(sub));
    check_family("adc", F_ADC, FNS(adc));
    check_family("sbb", F_SBB, FNS(sbb));
    check_family("neg", F_NEG, FNS(neg));
}

Test(x86_frontend, lazy_flags_match_native_logic_incdec)
{
    check_family("and", F_LOGIC, FNS(and));
    check_family("xor", F_LOGIC, FNS(xor));
    check_family("inc", F_INC, FNS(inc));
    check_family("dec", F_DEC, FNS(dec));
}

Test(x86_frontend, lazy_flags_match_native_shift_mul)
{
    check_family("shl", F_SHL, FNS(shl));
    check_family("shr", F_SHR, FNS(shr));
    check_family("sar", F_SAR, FNS(sar));
    check_family("imul", F_IMUL, FNS(imul));
}

Test(x86_frontend, get_set_eflags_round_trip)
{
    struct x86_cpu cpu;
    memset(&cpu, 0, sizeof cpu);
    fe_x86_64.reset(&cpu);
    cr_assert_eq(x86_get_eflags(&cpu), 0x202);
    cr_assert_eq(cpu.mxcsr, 0x1f80);
    cr_assert_eq(cpu.df, 1);
    x86_set_eflags(&cpu, 0x202 | X86_DF | X86_CF | X86_ZF | X86_OF);
    cr_assert_eq(cpu.df, (uint64_t)-1);
    cr_assert_eq(x86_get_eflags(&cpu), 0x202 | X86_DF | X86_CF | X86_ZF | X86_OF);
}

/* Each extension a machine may lack and its CPUID bit (the SDM's). */
static const struct { uint64_t feature; uint32_t leaf, sub; int reg, bit; } feature_bits[] = {
    { X86_FEAT_SSE3, 1, 0, 2, 0 }, { X86_FEAT_PCLMULQDQ, 1, 0, 2, 1 }, { X86_FEAT_SSSE3, 1, 0, 2, 9 },
    { X86_FEAT_FMA, 1, 0, 2, 12 }, { X86_FEAT_CX16, 1, 0, 2, 13 }, { X86_FEAT_SSE4_1, 1, 0, 2, 19 },
    { X86_FEAT_SSE4_2, 1, 0, 2, 20 }, { X86_FEAT_MOVBE, 1, 0, 2, 22 }, { X86_FEAT_POPCNT, 1, 0, 2, 23 },
    { X86_FEAT_AES, 1, 0, 2, 25 }, { X86_FEAT_XSAVE, 1, 0, 2, 26 }, { X86_FEAT_XSAVE, 1, 0, 2, 27 },
    { X86_FEAT_AVX, 1, 0, 2, 28 }, { X86_FEAT_F16C, 1, 0, 2, 29 }, { X86_FEAT_RDRAND, 1, 0, 2, 30 },
    { X86_FEAT_FSGSBASE, 7, 0, 1, 0 }, { X86_FEAT_BMI1, 7, 0, 1, 3 }, { X86_FEAT_AVX2, 7, 0, 1, 5 },
    { X86_FEAT_BMI2, 7, 0, 1, 8 }, { X86_FEAT_RDSEED, 7, 0, 1, 18 }, { X86_FEAT_ADX, 7, 0, 1, 19 },
    { X86_FEAT_CLFLUSHOPT, 7, 0, 1, 23 }, { X86_FEAT_CLWB, 7, 0, 1, 24 }, { X86_FEAT_SHA, 7, 0, 1, 29 },
    { X86_FEAT_GFNI, 7, 0, 2, 8 }, { X86_FEAT_VAES, 7, 0, 2, 9 }, { X86_FEAT_VPCLMULQDQ, 7, 0, 2, 10 },
    { X86_FEAT_RDPID, 7, 0, 2, 22 }, { X86_FEAT_MOVDIRI, 7, 0, 2, 27 },
    { X86_FEAT_MOVDIR64B, 7, 0, 2, 28 }, { X86_FEAT_AVX_VNNI, 7, 1, 0, 4 },
    { X86_FEAT_XSAVEOPT, 0xd, 1, 0, 0 }, { X86_FEAT_XSAVEC, 0xd, 1, 0, 1 },
    { X86_FEAT_LAHF_LM, 0x80000001, 0, 2, 0 }, { X86_FEAT_ABM, 0x80000001, 0, 2, 5 },
    { X86_FEAT_RDTSCP, 0x80000001, 0, 3, 27 },
};
#define N_FEATURE_BITS (sizeof feature_bits / sizeof feature_bits[0])

/* Each bit set exactly where the machine has its extension. */
static void check_feature_bits(void)
{
    uint32_t r[4];
    for (size_t i = 0; i < N_FEATURE_BITS; i++) {
        x86_cpuid_query(feature_bits[i].leaf, feature_bits[i].sub, r);
        cr_assert_eq(r[feature_bits[i].reg] >> feature_bits[i].bit & 1,
                     x86_machine_has(feature_bits[i].feature), "leaf %#x.%u reg %d bit %d",
                     feature_bits[i].leaf, feature_bits[i].sub, feature_bits[i].reg,
                     feature_bits[i].bit);
    }
}

/* Leaf 0xD as XCR0 is: x87|SSE|AVX in 832 bytes, x87|SSE in 576 without
 * AVX, nothing without XSAVE. */
static void check_xsave_leaf(void)
{
    uint32_t r[4];
    bool xsave = x86_machine_has(X86_FEAT_XSAVE), avx = x86_machine_has(X86_FEAT_AVX);
    uint32_t size = avx ? 832 : 576;
    x86_cpuid_query(0xd, 0, r);
    cr_assert_eq(r[0], xsave ? (avx ? 7 : 3) : 0, "XCR0's components");
    cr_assert_eq(r[1], xsave ? size : 0);
    cr_assert_eq(r[2], xsave ? size : 0);
    x86_cpuid_query(0xd, 1, r);
    cr_assert_eq(r[0] & ~3u, xsave ? 4 : 0, "XGETBV1; no XSAVES");
    cr_assert_eq(r[1], xsave ? size : 0);
    x86_cpuid_query(0xd, 2, r);
    cr_assert_eq(r[0], avx ? 256 : 0, "YMM_Hi128: 256 bytes");
    cr_assert_eq(r[1], avx ? 576 : 0, "at 576");
    if (xsave)
        cr_assert_eq(x86_xcr0(), avx ? 7 : 3);
}

Test(x86_frontend, cpuid_identity)
{
    uint32_t r[4];
    char vendor[13] = { 0 }, brand[49] = { 0 };
    x86_cpuid_query(0, 0, r);
    memcpy(vendor, &r[1], 4); memcpy(vendor + 4, &r[3], 4); memcpy(vendor + 8, &r[2], 4);
    cr_assert_str_eq(vendor, "GenuineIntel");
    for (uint32_t l = 0; l < 3; l++) {
        x86_cpuid_query(0x80000002 + l, 0, r);
        memcpy(brand + 16 * l, r, 16);
    }
    cr_assert_str_eq(brand, "ferry virtual x86-64 CPU");
    x86_cpuid_query(1, 0, r);
    cr_assert_eq((r[0] >> 8) & 0xf, 6, "family 6");
    cr_assert_eq(r[2] & (1u << 3), 0, "no MONITOR");
    cr_assert(r[3] & (1u << 26), "SSE2 advertised");
    cr_assert_eq(x86_cpuid_hwcap(), r[3]);
    check_feature_bits();
    x86_cpuid_query(7, 0, r);
    cr_assert_eq(r[0], 1, "leaf 7: sub-leaf 1 is the last");
    uint32_t ecx = 0;
    for (size_t i = 0; i < N_FEATURE_BITS; i++)
        if (feature_bits[i].leaf == 7 && feature_bits[i].reg == 2 &&
            x86_machine_has(feature_bits[i].feature))
            ecx |= 1u << feature_bits[i].bit;
    cr_assert_eq(r[2], ecx, "leaf 7 ECX: GFNI VAES VPCLMULQDQ RDPID MOVDIRI MOVDIR64B, no more");
    x86_cpuid_query(7, 1, r);
    cr_assert_eq(r[1] | r[2] | r[3], 0);
    x86_cpuid_query(7, 2, r);
    cr_assert_eq(r[0] | r[1] | r[2] | r[3], 0);
    check_xsave_leaf();
}

/* A machine without some of ferry's extensions (FERRY_X86_MACHINE, set
 * before the first question decides the machine: criterion runs each test
 * in a process of its own). */
static void setup_lacking(const char *machine)
{
    setenv("FERRY_X86_MACHINE", machine, 1);
    setup();
}
static void setup_noavx(void) { setup_lacking("intel,noavx"); }
static void setup_nordseed(void) { setup_lacking("intel,nordseed"); }
static void setup_none(void)
{
    setup_lacking("intel,noavx,nobmi1,nobmi2,noabm,nomovbe,noadx,noaes,nopclmulqdq,nordrand,"
                  "nordseed,noxsave,nopopcnt,nopni,nossse3,nosse4_1,nosse4_2,nocx16,nofsgsbase,"
                  "noclflushopt,noclwb,nordtscp,nolahf_lm,nosha_ni,nogfni,nordpid,nomovdiri,"
                  "nomovdir64b");
}

/* ",noavx" takes what needs AVX with it (AVX2, FMA, F16C, VAES,
 * VPCLMULQDQ, AVX-VNNI), as Linux clears them; XCR0 is x87|SSE. */
Test(x86_frontend, machine_without_avx, .init = setup_noavx, .fini = teardown)
{
    static const uint64_t gone[] = { X86_FEAT_AVX, X86_FEAT_AVX2, X86_FEAT_FMA, X86_FEAT_F16C,
                                     X86_FEAT_VAES, X86_FEAT_VPCLMULQDQ, X86_FEAT_AVX_VNNI };
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        cr_assert(!x86_machine_has(gone[i]), "feature %zu still there", i);
    cr_assert(x86_machine_has(X86_FEAT_XSAVE) && x86_machine_has(X86_FEAT_BMI2));
    cr_assert_eq(x86_xcr0(), 3);
    check_feature_bits();
    check_xsave_leaf();
    static const uint8_t vpaddb[] = { 0xc5, 0xf1, 0xfc, 0xc2 };
    static const uint8_t vzeroupper[] = { 0xc5, 0xf8, 0x77 };
    static const uint8_t gfni_vex[] = { 0xc4, 0xe2, 0x71, 0xcf, 0xc2 };  /* vgf2p8mulb */
    expect_exit(vpaddb, sizeof vpaddb, 0, TR_EXIT_SIGILL);
    expect_exit(vzeroupper, sizeof vzeroupper, 0, TR_EXIT_SIGILL);
    expect_exit(gfni_vex, sizeof gfni_vex, 0, TR_EXIT_SIGILL);
    static const uint8_t andn[] = { 0xc4, 0xe2, 0x70, 0xf2, 0xc1, 0xc3 };  /* BMI: no AVX needed */
    cr_assert_neq(last_insn(translate(andn, sizeof andn))->aux[1], TR_EXIT_SIGILL);
}

/* F3 0F C7 /7 is rdpid, not a prefixed rdseed: it runs without RDSEED. */
Test(x86_frontend, rdpid_without_rdseed, .init = setup_nordseed, .fini = teardown)
{
    static const uint8_t rdseed[] = { 0x0f, 0xc7, 0xf8 }, rdpid[] = { 0xf3, 0x0f, 0xc7, 0xf8, 0xc3 };
    expect_exit(rdseed, sizeof rdseed, 0, TR_EXIT_SIGILL);
    cr_assert_neq(last_insn(translate(rdpid, sizeof rdpid))->aux[1], TR_EXIT_SIGILL);
}

/* Every extension a machine may lack, lacked: each hidden from CPUID and
 * one instruction of each #UD; lzcnt and tzcnt run (as bsr and bsf). */
Test(x86_frontend, machine_without_extensions, .init = setup_none, .fini = teardown)
{
    check_feature_bits();
    check_xsave_leaf();
    uint32_t r[4];
    x86_cpuid_query(1, 0x1234, r);      /* (glibc asks leaf 1 with any ECX) */
    cr_assert_eq(r[2], 0, "leaf 1 ECX: nothing beyond SSE2");
    static const struct { const char *name; uint8_t b[8]; size_t n; } refused[] = {
        { "vpaddb", { 0xc5, 0xf1, 0xfc, 0xc2 }, 4 },
        { "andn", { 0xc4, 0xe2, 0x70, 0xf2, 0xc1 }, 5 },
        { "shlx", { 0xc4, 0xe2, 0x71, 0xf7, 0xc1 }, 5 },
        { "popcnt", { 0xf3, 0x0f, 0xb8, 0xc1 }, 4 },
        { "movbe", { 0x0f, 0x38, 0xf0, 0x07 }, 4 },
        { "adcx", { 0x66, 0x0f, 0x38, 0xf6, 0xc1 }, 5 },
        { "aesenc", { 0x66, 0x0f, 0x38, 0xdc, 0xc1 }, 5 },
        { "pclmulqdq", { 0x66, 0x0f, 0x3a, 0x44, 0xc1, 0x00 }, 6 },
        { "sha1nexte", { 0x0f, 0x38, 0xc8, 0xc1 }, 4 },
        { "gf2p8mulb", { 0x66, 0x0f, 0x38, 0xcf, 0xc1 }, 5 },
        { "rdrand", { 0x0f, 0xc7, 0xf0 }, 3 },
        { "rdseed", { 0x0f, 0xc7, 0xf8 }, 3 },
        { "xgetbv", { 0x0f, 0x01, 0xd0 }, 3 },
        { "xsave", { 0x0f, 0xae, 0x27 }, 3 },
        { "haddps", { 0xf2, 0x0f, 0x7c, 0xc1 }, 4 },
        { "fisttp", { 0xdd, 0x0f }, 2 },
        { "pshufb", { 0x66, 0x0f, 0x38, 0x00, 0xc1 }, 5 },
        { "ptest", { 0x66, 0x0f, 0x38, 0x17, 0xc1 }, 5 },
        { "crc32", { 0xf2, 0x0f, 0x38, 0xf1, 0xc1 }, 5 },
        { "cmpxchg16b", { 0x48, 0x0f, 0xc7, 0x0f }, 4 },
        { "rdfsbase", { 0xf3, 0x48, 0x0f, 0xae, 0xc0 }, 5 },
        { "clflushopt", { 0x66, 0x0f, 0xae, 0x3f }, 4 },
        { "clwb", { 0x66, 0x0f, 0xae, 0x37 }, 4 },
        { "rdtscp", { 0x0f, 0x01, 0xf9 }, 3 },
        { "rdpid", { 0xf3, 0x0f, 0xc7, 0xf8 }, 4 },
        { "lahf", { 0x9f }, 1 },
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const struct ir_insn *e = last_insn(translate(refused[i].b, refused[i].n));
        cr_assert(e->op == IR_exit_code && e->aux[1] == TR_EXIT_SIGILL &&
                  (uint64_t)e->aux[0] == pc_of(0), "%s not refused", refused[i].name);
    }
    static const uint8_t lzcnt[] = { 0xf3, 0x0f, 0xbd, 0xc1, 0xc3 }, tzcnt[] = { 0xf3, 0x0f, 0xbc, 0xc1, 0xc3 };
    cr_assert_neq(last_insn(translate(lzcnt, sizeof lzcnt))->aux[1], TR_EXIT_SIGILL);
    cr_assert_neq(last_insn(translate(tzcnt, sizeof tzcnt))->aux[1], TR_EXIT_SIGILL);
}

/* ---- the bytes a block keeps are the bytes it was decoded from --------
 * A software MMU whose every address lookup (tr_g2h) first switches the
 * page between two versions of the code, as if another thread rewrote it
 * between any two reads: the block's guest_bytes, translated again from
 * memory that holds just them, give the same IR (smc.c compares memory
 * with guest_bytes, so they must be what the IR was made from). */
#define FLIP_PC 0x10100ull
static uint8_t flip_page[2][4096];
static unsigned flip_reads;

static size_t flip_fetchable(const struct tr_guest_mem *m, uint64_t pc, size_t want)
{
    (void)m;
    if (pc < 0x10000 || pc >= 0x11000) return 0;
    return want < 0x11000 - pc ? want : 0x11000 - pc;
}

static bool flip_writable(const struct tr_guest_mem *m, uint64_t addr, uint64_t len)
{
    (void)m, (void)addr, (void)len;
    return true;
}

static void *flip_g2h(const struct tr_guest_mem *m, uint64_t addr)
{
    (void)m;
    return &flip_page[flip_reads++ & 1][addr - 0x10000];
}

static void *steady_g2h(const struct tr_guest_mem *m, uint64_t addr)
{
    (void)m;
    return &flip_page[0][addr - 0x10000];
}

Test(x86_frontend, kept_bytes_are_the_decoded_bytes)
{
    static const uint8_t va[] = { 0xb0, 0x11, 0x04, 0x33, 0xc3 };  /* mov al,0x11; add al,0x33; ret */
    static const uint8_t vb[] = { 0x04, 0x22, 0x04, 0x44, 0xc3 };  /* add al,0x22; add al,0x44; ret */
    struct tr_guest_mem flip = { .mode = TR_MEM_SOFTMMU, .fetchable = flip_fetchable,
                                 .writable = flip_writable, .g2h = flip_g2h };
    struct tr_guest_mem steady = flip;
    steady.g2h = steady_g2h;
    static struct ir_block again;
    for (unsigned start = 0; start < 4; start++) {
        memset(flip_page, 0x90, sizeof flip_page);
        memcpy(&flip_page[0][FLIP_PC - 0x10000], va, sizeof va);
        memcpy(&flip_page[1][FLIP_PC - 0x10000], vb, sizeof vb);
        flip_reads = start;
        ir_block_init(&blk, &globals, FLIP_PC);
        fe_x86_64.translate(&blk, &flip, FLIP_PC, 64);
        cr_assert_eq(blk.guest_size, sizeof va);
        cr_assert(blk.guest_bytes != NULL);
        memcpy(&flip_page[0][FLIP_PC - 0x10000], blk.guest_bytes, blk.guest_size);
        ir_block_init(&again, &globals, FLIP_PC);
        fe_x86_64.translate(&again, &steady, FLIP_PC, 64);
        cr_assert_eq(again.n_insns, blk.n_insns);
        cr_assert(memcmp(again.insns, blk.insns, sizeof blk.insns[0] * (size_t)blk.n_insns) == 0,
                  "IR from the kept bytes differs (start %u)", start);
    }
}
