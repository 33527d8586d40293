/* div_widths.c -- div and idiv at 8/16/32/64 bits over boundary dividends
 * and divisors, faulting ones included: a zero divisor, a quotient that
 * does not fit (unsigned: rdx >= divisor; signed: -2^(w-1) / -1 and its
 * kin, INT64_MIN / -1 from a 64-bit edx:eax), and the largest quotients
 * that still fit.  A #DE is caught (SIGFPE, siginfo's code and the rax
 * rdx the handler sees: the CPU writes neither).  ferry's helpers divide
 * in 64 bits when the dividend fits (every form up to 32 bits, the 64-bit
 * ones when rdx is zero or rax's sign) and in 128 bits otherwise: both
 * paths and their edges are here.  Output: per instruction a count of
 * faults and a hash of every result, vs native. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile uint64_t f_rax, f_rdx, f_code;

static void on_fpe(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    (void)sig;
    f_rax = (uint64_t)uc->uc_mcontext.gregs[REG_RAX];
    f_rdx = (uint64_t)uc->uc_mcontext.gregs[REG_RDX];
    f_code = (uint64_t)si->si_code;
    siglongjmp(env, 1);
}

/* Runs INSN on rdx:rax with divisor s; returns 1 and the registers the
 * handler saw when it faulted. */
#define DIVOP(NAME, INSN, W)                                                     \
    static int NAME(uint64_t *a, uint64_t *d, uint64_t s)                        \
    {                                                                            \
        volatile uint64_t ra = *a, rd = *d;                                      \
        if (sigsetjmp(env, 1)) {                                                 \
            *a = f_rax; *d = f_rdx ^ f_code << 56;                               \
            return 1;                                                            \
        }                                                                        \
        uint64_t x = ra, y = rd;                                                 \
        __asm__ volatile(INSN " %" W "[s]" : "+a"(x), "+d"(y) : [s] "r"(s));     \
        *a = x; *d = y;                                                          \
        return 0;                                                                \
    }

DIVOP(div_b, "divb", "b") DIVOP(div_w, "divw", "w") DIVOP(div_l, "divl", "k")
DIVOP(div_q, "divq", "q") DIVOP(idiv_b, "idivb", "b") DIVOP(idiv_w, "idivw", "w")
DIVOP(idiv_l, "idivl", "k") DIVOP(idiv_q, "idivq", "q")

static const struct {
    const char *name;
    int (*fn)(uint64_t *, uint64_t *, uint64_t);
    int bits;
} ops[] = {
    { "div_b", div_b, 8 }, { "div_w", div_w, 16 }, { "div_l", div_l, 32 }, { "div_q", div_q, 64 },
    { "idiv_b", idiv_b, 8 }, { "idiv_w", idiv_w, 16 }, { "idiv_l", idiv_l, 32 },
    { "idiv_q", idiv_q, 64 },
};

static uint64_t hash;

static void mix(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        hash ^= (v >> (i * 8)) & 0xff;
        hash *= 1099511628211ull;
    }
}

/* Values around the edges of a w-bit operand (sign-extended and not). */
static int edges(int bits, uint64_t *v)
{
    uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1, h = 1ull << (bits - 1);
    uint64_t base[] = { 0, 1, 2, 3, 7, h - 1, h, h + 1, m - 1, m, m / 3, h / 2 + 5 };
    int n = 0;
    for (unsigned i = 0; i < sizeof base / sizeof base[0]; i++) {
        v[n++] = base[i];
        v[n++] = (base[i] & h) ? base[i] | ~m : base[i];    /* sign-extended */
        v[n++] = base[i] | 0x5a5a5a5a00000000ull;           /* junk above w bits */
    }
    return n;
}

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        uint64_t v[64];
        int n = edges(ops[k].bits, v), faults = 0;
        hash = 14695981039346656037ull;
        for (int i = 0; i < n; i++)             /* rdx */
            for (int j = 0; j < n; j++)         /* rax */
                for (int s = 0; s < n; s++) {   /* divisor */
                    uint64_t a = v[j], d = v[i];
                    int f = ops[k].fn(&a, &d, v[s]);
                    faults += f;
                    mix(a); mix(d); mix((uint64_t)f);
                }
        for (int i = 0; i < n; i++)             /* rdx = rax's sign, as cqo/cdq make */
            for (int s = 0; s < n; s++) {
                uint64_t a = v[i], d = (int64_t)v[i] < 0 ? ~0ull : 0;
                int f = ops[k].fn(&a, &d, v[s]);
                faults += f;
                mix(a); mix(d); mix((uint64_t)f);
            }
        printf("%-7s faults %5d  %016llx\n", ops[k].name, faults, (unsigned long long)hash);
    }
    return 0;
}
