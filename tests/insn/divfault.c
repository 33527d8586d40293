/* divfault.c -- difftest of div/idiv where muldiv.c stops: every width,
 * register and memory divisors, over edge values of rax, rdx (0, values,
 * rax's sign extension) and the divisor, faulting cases included.  A case
 * that divides prints rax and rdx (the flags are undefined: undef_flags.c
 * has them); one that raises #DE prints what the SIGFPE handler finds:
 * rax, rdx, the divisor register, two bystanders (r8, r11), the arithmetic
 * flags from before the instruction (popf'd in both states), si_code, rip
 * against si_addr and the opcode bytes at rip.  ferry's IR divu/divs
 * divide inline when the dividend fits 64 bits and the divisor is neither
 * 0 nor (signed) -1, and call C otherwise; both paths and their #DE exits
 * are here. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>

#include "insn.h"

static const uint64_t vals[] = {
    0, 1, 3, 0x7f, 0x80, 0xff, 0x8000, 0x7fffffff, 0x80000000,
    0xffffffffffffffffull, 0x8000000000000000ull, 0x123456789abcdef0ull,
};
#define NVALS (sizeof vals / sizeof vals[0])
/* rdx: these, then (h == NHI) rax's sign extension at the width */
static const uint64_t his[] = {
    0, 1, 0x7f, 0xffffffffffffffffull, 0x8000000000000000ull, 0x123456789abcdef0ull,
};
#define NHI (sizeof his / sizeof his[0])

static sigjmp_buf jb;
static volatile uint64_t seen[9];

static void on_fpe(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    const uint8_t *rip = (const uint8_t *)g[REG_RIP];
    (void)sig;
    seen[0] = (uint64_t)g[REG_RAX];
    seen[1] = (uint64_t)g[REG_RDX];
    seen[2] = (uint64_t)g[REG_RCX];
    seen[3] = (uint64_t)g[REG_R8];
    seen[4] = (uint64_t)g[REG_R11];
    seen[5] = (uint64_t)g[REG_EFL] & F_ARITH;
    seen[6] = (uint64_t)si->si_code;
    seen[7] = (uint64_t)g[REG_RIP] - (uint64_t)si->si_addr;
    seen[8] = (uint64_t)rip[0] | (uint64_t)rip[1] << 8 | (uint64_t)rip[2] << 16;
    siglongjmp(jb, 1);
}

static uint64_t sign_of(uint64_t v, unsigned width)
{
    return (uint64_t)((int64_t)(v << (64 - width)) >> 63);
}

/* INSN with the divisor in rcx (OPND a register of it) or in memory
 * (OPND "(%[m])"). */
#define DIVF(FN, INSN, OPND, WIDTH)                                           \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < NVALS; i++)                                  \
            for (unsigned h = 0; h <= NHI; h++)                               \
                for (unsigned k = 0; k < NVALS; k++) {                        \
                    uint64_t a = vals[i], s = vals[k];                        \
                    uint64_t d = h < NHI ? his[h] : sign_of(a, WIDTH);        \
                    uint64_t fl0 = insn_flags_in[(i + h + k) & 1] | F_BASE;   \
                    uint64_t in[] = { a, d, s, fl0 & F_ARITH };               \
                    volatile uint64_t mem = s;                                \
                    if (sigsetjmp(jb, 1) == 0) {                              \
                        register uint64_t r8 __asm__("r8") = 0x8888888888888888ull;   \
                        register uint64_t r11 __asm__("r11") = 0xbbbbbbbbbbbbbbbbull; \
                        uint64_t fl = fl0;                                    \
                        __asm__ volatile(INSN_FLAGS(INSN " " OPND)            \
                                         : "+a"(a), "+d"(d), [fl] "+r"(fl),   \
                                           "+r"(r8), "+r"(r11)                \
                                         : "c"(s), [m] "r"(&mem)              \
                                         : "cc", "memory");                   \
                        uint64_t out[] = { 0, a, d };                         \
                        INSN_CASE(INSN, in, out);                             \
                    } else {                                                  \
                        uint64_t out[] = { 1, seen[0], seen[1], seen[2],      \
                                           seen[3], seen[4], seen[5],         \
                                           seen[6], seen[7], seen[8] };       \
                        INSN_CASE(INSN, in, out);                             \
                    }                                                         \
                }                                                             \
    }

INSN_TEST(install)
{
    struct sigaction sa = { .sa_sigaction = on_fpe, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigaction(SIGFPE, &sa, NULL);
}

DIVF(div_b, "divb", "%%cl", 8)
DIVF(div_w, "divw", "%%cx", 16)
DIVF(div_l, "divl", "%%ecx", 32)
DIVF(div_q, "divq", "%%rcx", 64)
DIVF(idiv_b, "idivb", "%%cl", 8)
DIVF(idiv_w, "idivw", "%%cx", 16)
DIVF(idiv_l, "idivl", "%%ecx", 32)
DIVF(idiv_q, "idivq", "%%rcx", 64)
DIVF(div_lm, "divl", "(%[m])", 32)
DIVF(div_qm, "divq", "(%[m])", 64)
DIVF(idiv_bm, "idivb", "(%[m])", 8)
DIVF(idiv_qm, "idivq", "(%[m])", 64)

int main(void) { return insn_main(); }
