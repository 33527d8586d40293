/* flags_incdec_over.c -- inc/dec at a block entered with the flag state
 * unknown (busybox's `dec eax; js` at a function's entry).  They keep CF,
 * which ferry then keeps lazily -- the older state's cc_op with the inc/dec
 * attached (x86_flags_set_incdec_over, X86_CC_INCDEC_OVER) -- instead of
 * evaluating the older flags.  After producers of every lazy kind and an
 * indirect jump, inc/dec at 8/16/32/64 bits are read every way the state
 * can be met: pushf, lahf, all sixteen setcc, cmov, adc/sbb in the same
 * block; the sixteen jcc and pushf at the next block's start (the C
 * evaluation of the state in env); a second inc/dec over it in the same
 * block and in the next one (nested: the older fields stay); bt/btc over
 * it and inc/dec over a bt's state, in one block and across two; then,
 * with a SIGSEGV handler installed (precise flags at every fault point),
 * a load from an unmapped page right after the inc/dec, the flags taken
 * from the signal context.  Output: a hash per producer, vs native. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "flag_probe.h"

/* lahf after BODY (rax kept out of the operands). */
#define LAHF(PRE, BODY)                                                          \
    __asm__ volatile("mov %[a0], %[a]\n\t" PRE BODY "\n\tlahf\n\tmov %%eax, %k[fl]" \
                     : OUTS : INS : "cc", "memory", "xmm0", "xmm1", "rax");                      \
    mix((fl >> 8) & 0xd5); mix(t)

/* cmovCC after BODY. */
#define CMOV(PRE, BODY, CC)                                                      \
    __asm__ volatile("mov %[a0], %[a]\n\t" PRE BODY "\n\tmov %[b], %[fl]\n\t"   \
                     "cmov" CC " %[a], %[fl]"                                    \
                     : OUTS : INS : "cc", "memory", "xmm0", "xmm1");                             \
    mix(fl); mix(t)

/* A load from an unmapped page right after BODY: the flags the handler
 * finds in the signal context. */
static volatile uint64_t *hole;
static sigjmp_buf back;
static volatile uint64_t ctx_flags;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    ctx_flags = (uint64_t)((ucontext_t *)ctx)->uc_mcontext.gregs[REG_EFL];
    siglongjmp(back, 1);
}

#define FAULT(PRE, BODY)                                                         \
    if (!sigsetjmp(back, 1))                                                     \
        __asm__ volatile("mov %[a0], %[a]\n\t" PRE BODY "\n\tmov (%[h]), %[fl]"  \
                         : OUTS : INS, [h] "r"(hole) : "cc", "memory", "xmm0", "xmm1"); \
    mix(ctx_flags & 0x8d5)

#define BODIES(PRE)                                                              \
    PUSHF(PRE, "dec %k[a]");                                                     \
    PUSHF(PRE, "inc %b[a]");                                                     \
    SETCC(PRE, "dec %w[a]");                                                     \
    SETCC(PRE, "inc %[a]");                                                      \
    LAHF(PRE, "dec %b[a]");                                                      \
    CMOV(PRE, "dec %k[a]", "b"); CMOV(PRE, "inc %[a]", "be");                    \
    CMOV(PRE, "dec %w[a]", "l"); CMOV(PRE, "inc %k[a]", "o");                    \
    PUSHF(PRE, "dec %k[a]\n\tadc %[b], %[a]");                                    \
    PUSHF(PRE, "inc %b[a]\n\tsbb %k[b], %k[a]");                                  \
    JALL(PRE, "dec %k[a]");                                                      \
    JALL(PRE, "inc %w[a]");                                                      \
    PUSHF(PRE, "dec %[a]\n\tjmp 1f\n1:");                                        \
    PUSHF(PRE, "inc %b[a]\n\tjmp 1f\n1:\tadc %[b], %[a]");                         \
    PUSHF(PRE, "dec %k[a]\n\tinc %w[a]");                                         \
    PUSHF(PRE, "dec %k[a]\n\tjmp 1f\n1:\tinc %b[a]");                              \
    JALL(PRE, "inc %[a]\n\tjmp 1f\n1:\tdec %k[a]");                                \
    SETCC(PRE, "dec %w[a]\n\tjmp 1f\n1:\tdec %w[a]\n\tjmp 2f\n2:\tinc %[a]");         \
    PUSHF(PRE, "dec %k[a]\n\tbt %[n], %[a]");                                     \
    PUSHF(PRE, "dec %k[a]\n\tjmp 1f\n1:\tbtc %[n], %[a]");                         \
    PUSHF(PRE, "bt %[n], %[a]\n\tjmp 1f\n1:\tdec %k[a]");                          \
    JALL(PRE, "dec %b[a]\n\tjmp 1f\n1:\tbt %[n], %[a]\n\tjmp 2f\n2:\tinc %k[a]");    \
    PUSHF(PRE, "bt %[n], %[a]\n\tdec %[a]")

#define FAULT_BODIES(PRE)                                                        \
    FAULT(PRE, "dec %k[a]"); FAULT(PRE, "inc %b[a]"); FAULT(PRE, "dec %w[a]");   \
    FAULT(PRE, "inc %[a]"); FAULT(PRE, "dec %k[a]\n\tjmp 1f\n1:\tinc %w[a]")

#define PRODUCER(NAME, OP)                                                       \
    static void NAME(uint64_t a0, uint64_t b, int faults)                       \
    {                                                                            \
        uint8_t out[16];                                                         \
        uint64_t t, j, fl, n = b ^ (a0 >> 7);                                    \
        if (faults) {                                                            \
            FAULT_BODIES("bt $1, %[b]\n\t" OP "\n\t" IND);                       \
            return;                                                              \
        }                                                                        \
        BODIES("bt $1, %[b]\n\t" OP "\n\t" IND);                                 \
    }
FLAG_PRODUCERS(PRODUCER)

static const struct { const char *name; void (*fn)(uint64_t, uint64_t, int); } producers[] = {
    FLAG_PRODUCERS(FLAG_PRODUCER_ROW)
};

#define N_EDGES (sizeof edges / sizeof edges[0])

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next_random(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t v = rng ^ (rng >> 29);
    return (v >> 60) & 1 ? v >> (v & 63) : v;   /* some small values too */
}

static void run_all(int faults)
{
    for (unsigned k = 0; k < sizeof producers / sizeof producers[0]; k++) {
        hash = 14695981039346656037ull;
        for (unsigned i = 0; i < N_EDGES; i++)
            for (unsigned j = 0; j < N_EDGES; j++)
                producers[k].fn(edges[i], edges[j], faults);
        for (int n = 0; n < (faults ? 40 : 200); n++) {
            uint64_t a = next_random();
            producers[k].fn(a, next_random(), faults);
        }
        printf("%s%-8s %016llx\n", faults ? "fault " : "", producers[k].name,
               (unsigned long long)hash);
    }
}

int main(void)
{
    run_all(0);
    hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    run_all(1);
    return 0;
}
