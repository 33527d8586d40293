/* rep_fault.c -- a rep string instruction that faults part way: the signal
 * context must show the CPU's registers at the faulting element (rcx the
 * elements left, rsi/rdi advanced past the completed ones, rax of the last
 * lods, the flags of the last compare, rip at the rep instruction), and a
 * handler that makes the page accessible and returns lets the rest run.
 * rep movs/stos/lods/cmps/scas at every width, df = 0 and 1, the fault at
 * the source and at the destination, the faulting element inside the page
 * or straddling its boundary; repe cmps and repne scas stop two elements
 * after the fault.  Addresses are printed relative to their start. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

enum op { MOVS, STOS, LODS, CMPS, SCAS };
static const char *const op_names[] = { "movs", "stos", "lods", "cmps", "scas" };

struct regs { uint64_t rsi, rdi, rcx, rax, flags; };

/* The status flags (CF PF AF ZF SF OF). */
#define STATUS_FLAGS 0x8d5ull

#define RUN(TEXT)                                                                    \
    __asm__ volatile("test %[df], %[df]\n\tjz 1f\n\tstd\n1:\t" TEXT "\n\tcld\n\t"    \
                     "pushfq\n\tpopq %[fl]"                                          \
                     : "+S"(r->rsi), "+D"(r->rdi), "+c"(r->rcx), "+a"(r->rax),       \
                       [fl] "=r"(r->flags)                                           \
                     : [df] "r"(df)                                                  \
                     : "memory", "cc")
#define WIDTHS(OP, W, B, WD, L, Q)                                                   \
    case OP * 8 + 1: RUN(B); break;                                                  \
    case OP * 8 + 2: RUN(WD); break;                                                 \
    case OP * 8 + 4: RUN(L); break;                                                  \
    case OP * 8 + 8: RUN(Q); break;

static void run_rep(enum op op, int width, uint64_t df, struct regs *r)
{
    switch (op * 8 + width) {
        WIDTHS(MOVS, w, "rep movsb", "rep movsw", "rep movsl", "rep movsq")
        WIDTHS(STOS, w, "rep stosb", "rep stosw", "rep stosl", "rep stosq")
        WIDTHS(LODS, w, "rep lodsb", "rep lodsw", "rep lodsl", "rep lodsq")
        WIDTHS(CMPS, w, "repe cmpsb", "repe cmpsw", "repe cmpsl", "repe cmpsq")
        WIDTHS(SCAS, w, "repne scasb", "repne scasw", "repne scasl", "repne scasq")
    }
}

static long pg;
static uint8_t *region;                 /* 4 pages: the bad stream lives in pages 1-2 */
static uint8_t good[256];               /* the other stream */

/* What the handler saw, at each fault. */
static struct { int n; uint64_t addr[4]; greg_t rcx[4], rsi[4], rdi[4], rax[4], fl[4]; int at_rep[4]; } seen;

/* rip at a rep-prefixed string instruction (prefixes 66/f2/f3/REX.W). */
static int at_rep(const uint8_t *p)
{
    int rep = 0;
    for (; *p == 0x66 || *p == 0xf2 || *p == 0xf3 || (*p & 0xf0) == 0x40; p++)
        rep |= *p == 0xf2 || *p == 0xf3;
    return rep && *p >= 0xa4 && *p <= 0xaf && *p != 0xa8 && *p != 0xa9;
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    int i = seen.n++;
    if (i >= 4)
        _exit(3);
    seen.addr[i] = (uint64_t)si->si_addr;
    seen.rcx[i] = g[REG_RCX], seen.rsi[i] = g[REG_RSI], seen.rdi[i] = g[REG_RDI];
    seen.rax[i] = g[REG_RAX], seen.fl[i] = g[REG_EFL];
    seen.at_rep[i] = at_rep((const uint8_t *)g[REG_RIP]);
    uintptr_t page = (uintptr_t)si->si_addr & ~(uintptr_t)(pg - 1);
    mprotect((void *)page, pg, PROT_READ | PROT_WRITE);
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

#define K 3                              /* elements before the fault */
#define N (K + 6)                        /* elements in all */

/* One case: the stream in `region` (the source if bad_src) runs from its
 * good page into the protected one after K elements. */
static void one(enum op op, int width, int df, int bad_src, int straddle)
{
    int half = straddle ? width / 2 : 0;
    for (int i = 0; i < 4 * pg; i++)
        region[i] = (uint8_t)(i * 7 + 1);
    for (int i = 0; i < (int)sizeof good; i++)
        good[i] = (uint8_t)(i * 13 + 5);
    uint8_t *boundary = region + 2 * pg;
    /* forward: K elements below the boundary; backward: K above it */
    uint8_t *bad = df ? boundary + (K - 1) * width + half : boundary - K * width - half;
    uint8_t *other = df ? good + (N - 1) * width : good;
    uint8_t *bad_lo = df ? bad - (N - 1) * width : bad;
    uint8_t *other_lo = df ? good : good;
    if (op == CMPS) {                    /* equal streams, differing at element K + 2 */
        memset(bad_lo, 0x5a, N * width);
        memset(other_lo, 0x5a, N * width);
        other[(df ? -1 : 1) * (K + 2) * width] ^= 1;
    } else if (op == SCAS) {             /* the value first found at element K + 2 */
        memset(bad_lo, 0x11, N * width);
        memset(bad + (df ? -1 : 1) * (K + 2) * width, 0x5a, width);
    }
    mprotect(df ? boundary - pg : boundary, pg, PROT_NONE);
    struct regs r = { 0, 0, N, 0x5a5a5a5a5a5a5a5aull, 0 };
    uint64_t s0, d0;
    if (op == MOVS || op == CMPS) {
        s0 = (uint64_t)(bad_src ? bad : other);
        d0 = (uint64_t)(bad_src ? other : bad);
    } else {
        s0 = d0 = (uint64_t)bad;
    }
    r.rsi = s0, r.rdi = d0;
    if (op == STOS || op == SCAS)
        r.rsi = 0;
    if (op == LODS)
        r.rdi = 0;
    uint64_t rsi0 = r.rsi, rdi0 = r.rdi;
    memset(&seen, 0, sizeof seen);
    run_rep(op, width, (uint64_t)df, &r);
    printf("%s%d df%d %s%s:", op_names[op], width, df, bad_src ? "src" : "dst",
           straddle ? " straddle" : "");
    for (int i = 0; i < seen.n; i++)
        printf(" [fault addr %+lld rcx %lld rsi %+lld rdi %+lld rax %#llx fl %#llx rep %d]",
               (long long)(seen.addr[i] - (uint64_t)boundary), (long long)seen.rcx[i],
               (long long)(seen.rsi[i] - rsi0), (long long)(seen.rdi[i] - rdi0),
               (unsigned long long)seen.rax[i],
               (unsigned long long)(seen.fl[i] & STATUS_FLAGS), seen.at_rep[i]);
    printf(" end rcx %lld rsi %+lld rdi %+lld rax %#llx fl %#llx mem %016llx %016llx\n",
           (long long)r.rcx, (long long)(r.rsi - rsi0), (long long)(r.rdi - rdi0),
           (unsigned long long)r.rax, (unsigned long long)(r.flags & STATUS_FLAGS),
           (unsigned long long)fnv(region, 4 * pg), (unsigned long long)fnv(good, sizeof good));
    mprotect(region, 4 * pg, PROT_READ | PROT_WRITE);
}

int main(void)
{
    pg = sysconf(_SC_PAGESIZE);
    region = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    static const int widths[] = { 1, 2, 4, 8 };
    for (int op = MOVS; op <= SCAS; op++)
        for (int w = 0; w < 4; w++)
            for (int df = 0; df < 2; df++)
                for (int bad_src = 0; bad_src < 2; bad_src++)
                    for (int straddle = 0; straddle < (widths[w] > 1 ? 2 : 1); straddle++) {
                        if (bad_src && (op == STOS || op == SCAS))
                            continue;     /* no source */
                        if (!bad_src && op == LODS)
                            continue;     /* no destination */
                        one((enum op)op, widths[w], df, bad_src, straddle);
                    }
    return 0;
}
