/* hint.c -- difftest of the hint-space NOPs and the CET instructions on a
 * CPU whose shadow stacks are off (as Linux runs user programs unless they
 * opt in): every 0F 18-1F opcode with all 256 ModRM bytes (memory forms
 * with SIB and displacements, register forms) under no prefix, 66, F2,
 * F3, REX.W, REX.B/X/R, segment overrides and lock; 0F 0D (prefetch/w);
 * endbr32/endbr64, rdsspd/q (a NOP: the register is unchanged), incsspd/q,
 * saveprevssp, rstorssp, setssbsy, clrssbsy, wrss/wruss, and lfence/
 * mfence/sfence with every r/m field.
 *
 * Each encoding is written into an executable buffer followed by `ret` and
 * called with all general registers and EFLAGS set to known values; a case
 * prints the registers and flags that changed, or SIGILL / SIGSEGV.  The
 * memory operands point nowhere (NOPs and prefetches never access memory).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "insn.h"

#define NREGS 16
/* [0..15] rax..r15 (rsp ignored), [16] rflags; read and written by hint_call. */
uint64_t hint_regs[NREGS + 1];
void *hint_target;
void hint_call(void);
__asm__(".text\n"
        "hint_call:\n"
        "push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "pushq hint_regs+128(%rip)\n popfq\n"
        "mov hint_regs+0(%rip), %rax\n mov hint_regs+8(%rip), %rcx\n"
        "mov hint_regs+16(%rip), %rdx\n mov hint_regs+24(%rip), %rbx\n"
        "mov hint_regs+40(%rip), %rbp\n mov hint_regs+48(%rip), %rsi\n"
        "mov hint_regs+56(%rip), %rdi\n mov hint_regs+64(%rip), %r8\n"
        "mov hint_regs+72(%rip), %r9\n mov hint_regs+80(%rip), %r10\n"
        "mov hint_regs+88(%rip), %r11\n mov hint_regs+96(%rip), %r12\n"
        "mov hint_regs+104(%rip), %r13\n mov hint_regs+112(%rip), %r14\n"
        "mov hint_regs+120(%rip), %r15\n"
        "call *hint_target(%rip)\n"
        "pushfq\n popq hint_regs+128(%rip)\n"
        "mov %rax, hint_regs+0(%rip)\n mov %rcx, hint_regs+8(%rip)\n"
        "mov %rdx, hint_regs+16(%rip)\n mov %rbx, hint_regs+24(%rip)\n"
        "mov %rbp, hint_regs+40(%rip)\n mov %rsi, hint_regs+48(%rip)\n"
        "mov %rdi, hint_regs+56(%rip)\n mov %r8, hint_regs+64(%rip)\n"
        "mov %r9, hint_regs+72(%rip)\n mov %r10, hint_regs+80(%rip)\n"
        "mov %r11, hint_regs+88(%rip)\n mov %r12, hint_regs+96(%rip)\n"
        "mov %r13, hint_regs+104(%rip)\n mov %r14, hint_regs+112(%rip)\n"
        "mov %r15, hint_regs+120(%rip)\n"
        "pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "ret\n");

static sigjmp_buf hint_jmp;
static void on_signal(int sig) { siglongjmp(hint_jmp, sig); }

#define SLOT 32
static uint8_t *code;           /* one 32-byte slot per case */
static unsigned code_slots;

/* Register values: distinct and, as addresses, unmapped or non-canonical. */
static void regs_init(unsigned salt)
{
    for (int i = 0; i < NREGS; i++)
        hint_regs[i] = 0x8000000000000000ull ^ ((uint64_t)(i + 1) << 52) ^ (salt * 0x10001ull);
    hint_regs[4] = 0;
    hint_regs[NREGS] = F_BASE | ((salt & 1) ? F_ARITH : 0);
}

/* Runs bytes[0..n) + ret from a fresh slot; prints what changed. */
static void run_case(const char *name, const uint8_t *b, unsigned n, unsigned salt)
{
    uint8_t *slot = code + (code_slots++ % (65536 / SLOT)) * SLOT;
    memcpy(slot, b, n);
    slot[n] = 0xc3;
    insn_puts(name);
    for (unsigned i = 0; i < n; i++) insn_hex(b[i]);
    insn_puts(" ->");
    regs_init(salt);
    uint64_t before[NREGS + 1];
    memcpy(before, hint_regs, sizeof before);
    hint_target = slot;
    int sig = sigsetjmp(hint_jmp, 1);
    if (sig) {
        insn_puts(sig == SIGILL ? " SIGILL\n" : " SIGNAL\n");
        return;
    }
    hint_call();
    for (int i = 0; i <= NREGS; i++)
        if (hint_regs[i] != before[i]) { insn_hex((uint64_t)i); insn_hex(hint_regs[i]); }
    insn_puts(" same\n");
}

/* Bytes after the ModRM byte: a SIB and the displacement the form needs. */
static unsigned modrm_tail(uint8_t modrm, uint8_t *out)
{
    unsigned mod = modrm >> 6, rm = modrm & 7, n = 0, disp = 0;
    if (mod == 3) return 0;
    if (rm == 4) {
        uint8_t sib = (uint8_t)(0x88 ^ modrm);    /* varied scale/index/base */
        out[n++] = sib;
        if (mod == 0 && (sib & 7) == 5) disp = 4;
    }
    if (mod == 0 && rm == 5) disp = 4;
    if (mod == 1) disp = 1;
    if (mod == 2) disp = 4;
    for (unsigned i = 0; i < disp; i++) out[n++] = (uint8_t)(0x11 * (i + 1));
    return n;
}

static void run_form(const char *name, const uint8_t *pre, unsigned npre, uint8_t op0,
                     uint8_t op1, uint8_t modrm, unsigned salt)
{
    uint8_t b[24];
    unsigned n = 0;
    memcpy(b, pre, npre);
    n = npre;
    b[n++] = op0;
    b[n++] = op1;
    b[n++] = modrm;
    n += modrm_tail(modrm, b + n);
    run_case(name, b, n, salt);
}

struct prefix { const char *name; uint8_t b[3]; unsigned n; };
static const struct prefix prefixes[] = {
    { "none", {0}, 0 }, { "66", {0x66}, 1 }, { "f2", {0xf2}, 1 }, { "f3", {0xf3}, 1 },
    { "rex.w", {0x48}, 1 }, { "rex.b", {0x41}, 1 }, { "rex.rx", {0x46}, 1 },
    { "66.rex.w", {0x66, 0x48}, 2 }, { "f3.rex.w", {0xf3, 0x48}, 2 },
    { "f3.rex.wb", {0xf3, 0x49}, 2 }, { "cs.66", {0x2e, 0x66}, 2 }, { "fs", {0x64}, 1 },
    { "lock", {0xf0}, 1 },
};

/* 0F 18..1F: every ModRM byte under every prefix set. */
INSN_TEST(hint_space)
{
    for (unsigned p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++)
        for (unsigned op = 0x18; op <= 0x1f; op++)
            for (unsigned m = 0; m < 256; m++)
                run_form(prefixes[p].name, prefixes[p].b, prefixes[p].n, 0x0f, (uint8_t)op,
                         (uint8_t)m, m);
}

/* 0F 0D (AMD prefetch / prefetchw; the register forms are NOPs on Intel):
 * all ModRM bytes under every prefix set. */
INSN_TEST(prefetch_0d)
{
    for (unsigned p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++)
        for (unsigned m = 0; m < 256; m++)
            run_form(prefixes[p].name, prefixes[p].b, prefixes[p].n, 0x0f, 0x0d, (uint8_t)m, m);
}

#define CASE(name, ...)                                                       \
    do {                                                                      \
        const uint8_t b_[] = { __VA_ARGS__ };                                 \
        for (unsigned s_ = 0; s_ < 2; s_++) run_case(name, b_, sizeof b_, s_); \
    } while (0)

/* The CET instructions: endbr and rdssp are hint NOPs, the others #UD
 * while shadow stacks are off. */
INSN_TEST(cet)
{
    CASE("endbr64", 0xf3, 0x0f, 0x1e, 0xfa);
    CASE("endbr32", 0xf3, 0x0f, 0x1e, 0xfb);
    for (unsigned r = 0; r < 8; r++) {
        CASE("rdsspd", 0xf3, 0x0f, 0x1e, (uint8_t)(0xc8 + r));
        CASE("rdsspq", 0xf3, 0x48, 0x0f, 0x1e, (uint8_t)(0xc8 + r));
        CASE("rdsspq r8+", 0xf3, 0x49, 0x0f, 0x1e, (uint8_t)(0xc8 + r));
        CASE("incsspd", 0xf3, 0x0f, 0xae, (uint8_t)(0xe8 + r));
        CASE("incsspq", 0xf3, 0x48, 0x0f, 0xae, (uint8_t)(0xe8 + r));
        CASE("lfence", 0x0f, 0xae, (uint8_t)(0xe8 + r));
        CASE("mfence", 0x0f, 0xae, (uint8_t)(0xf0 + r));
        CASE("sfence", 0x0f, 0xae, (uint8_t)(0xf8 + r));
        for (unsigned p = 1; p < 5; p++) {      /* 66, f2, f3, rex.w */
            uint8_t pb = prefixes[p].b[0];
            CASE(prefixes[p].name, pb, 0x0f, 0xae, (uint8_t)(0xe8 + r));
            CASE(prefixes[p].name, pb, 0x0f, 0xae, (uint8_t)(0xf0 + r));
            CASE(prefixes[p].name, pb, 0x0f, 0xae, (uint8_t)(0xf8 + r));
        }
    }
    CASE("saveprevssp", 0xf3, 0x0f, 0x01, 0xea);
    CASE("rstorssp", 0xf3, 0x0f, 0x01, 0x28);
    CASE("setssbsy", 0xf3, 0x0f, 0x01, 0xe8);
    CASE("clrssbsy", 0xf3, 0x0f, 0xae, 0x30);
    CASE("wrssd", 0x0f, 0x38, 0xf6, 0x00);
    CASE("wrssq", 0x48, 0x0f, 0x38, 0xf6, 0x00);
    CASE("wrussd", 0x66, 0x0f, 0x38, 0xf5, 0x00);
    CASE("wrussq", 0x66, 0x48, 0x0f, 0x38, 0xf5, 0x00);
}

int main(void)
{
    code = mmap(NULL, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    if (code == MAP_FAILED) return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    return insn_main();
}
