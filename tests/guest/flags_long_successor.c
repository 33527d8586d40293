/* flags_long_successor.c -- flags set before a direct exit (jmp, jcc,
 * call) and read, or seen by a fault handler, far into the successor,
 * compared with native.
 *
 * A block leaves its lazy flags unstored when the successor scan proves
 * them overwritten before anything reads them (x86_translate.c's
 * succ_scan: up to X86_SCAN_INSNS instructions through movs, loads,
 * stores, SSE and string moves, direct jumps and calls, one jcc fork).
 * This pins the cases the scan must answer "read": a reader 11..30
 * instructions in (each side of the scan's reach), behind a followed jmp,
 * a call, a jcc fork, SSE movsd and string movsd (which pass the flags);
 * a load that faults 10..30 instructions in, before any flag writer,
 * whose SIGSEGV handler prints EFLAGS from the ucontext (the scan must
 * keep the flags for it in a block that handles faults); all while
 * SIGALRM arrives every 200 us with a handler that sets its own flags. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

static volatile unsigned long ticks;

static void on_alarm(int sig)
{
    (void)sig;
    unsigned long t = ticks;
    __asm__ volatile("cmp %0, %0; stc" : : "r"(t) : "cc");    /* handler's own flags */
    ticks = t + 1;
}

/* The fault handler: the arithmetic flags at the faulting load (the
 * 3-byte `mov (%rax), %rcx`, rax = 0), then past it. */
static volatile uint64_t fault_flags, faults;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    ucontext_t *uc = ctx;
    fault_flags = fault_flags * 33 + (uc->uc_mcontext.gregs[REG_EFL] & 0x8d5);
    faults++;
    uc->uc_mcontext.gregs[REG_RIP] += 3;
}

#define M1 "mov %%rdx, %%r8\n\t"
#define M2 M1 "lea 8(%%r8), %%r9\n\t"
#define M4 M2 "mov %%r9, %%r10\n\t" "mov %%r10, %%r11\n\t"
/* Register-only (no insn that may fault: the read cases must be found
 * by their reader, not kept for a possible fault in a precise block). */
#define M8 M4 "movzbl %%r11b, %%r9d\n\t" "mov %%r9, %%r10\n\t" "movsd %%xmm1, %%xmm2\n\t" \
    "lea (%%r9, %%r10), %%r11\n\t"
#define M10 M8 M2
#define M11 M10 M1
#define M12 M8 M4
#define M13 M12 M1
#define M16 M8 M8
#define M20 M16 M4
#define M22 M20 M2
#define M23 M22 M1
#define M24 M16 M8
#define M25 M24 M1
#define M30 M24 M4 M2

/* cmp, a direct jmp into N flag-passing insns, then setc/seto/setz. */
#define READ_AFTER(N)                                                              \
    static uint64_t read_after_##N(uint64_t a, uint64_t b)                         \
    {                                                                              \
        uint64_t c = 0, o = 0, z = 0;                                              \
        __asm__ volatile("cmp %[b], %[a]\n\t"                                      \
                         "jmp 1f\n"                                                \
                         "1:\n\t" M##N                                             \
                         "setc %b[c]\n\t" "seto %b[o]\n\t" "setz %b[z]\n\t"        \
                         : [c] "+&q"(c), [o] "+&q"(o), [z] "+&q"(z)               \
                         : [a] "r"(a), [b] "r"(b), "d"(a ^ b)                     \
                         : "r8", "r9", "r10", "r11", "xmm2", "cc", "memory");       \
        return c | o << 1 | z << 2;                                                \
    }
READ_AFTER(11) READ_AFTER(12) READ_AFTER(13) READ_AFTER(20) READ_AFTER(23)
READ_AFTER(24) READ_AFTER(25) READ_AFTER(30)

/* sub, then a jcc whose both ways run movs, a followed jmp, a string
 * movsd (rsi, rdi on a buffer) and the reader (adc: CF) after them. */
static uint64_t read_fork(uint64_t a, uint64_t b)
{
    uint64_t r = 0, buf[4] = { a, b, 0, 0 };
    void *s = &buf[0], *d = &buf[2];
    __asm__ volatile("sub %[b], %[a]\n\t"
                     "js 2f\n\t"
                     M8 "jmp 3f\n"
                     "2:\n\t" M4
                     "3:\n\t" M4 "cld\n\t" "movsl\n\t" M2
                     "adc $0, %[r]\n\t"
                     "seto %%r8b\n\t" "movzbl %%r8b, %%r8d\n\t" "lea (%[r], %%r8, 2), %[r]\n\t"
                     : [r] "+&r"(r), [a] "+&r"(a), "+S"(s), "+D"(d)
                     : [b] "r"(b), "d"(a)
                     : "r8", "r9", "r10", "r11", "xmm2", "cc", "memory");
    return r;
}

/* cmp, then a direct call whose callee reads the caller's flags (sbb)
 * after N movs; and one that returns them untouched to a setb. */
__asm__(".text\n"
        "fls_callee_sbb: mov %rdx, %r8; lea 8(%r8), %r9; mov %r9, %r10; mov %r10, %r11\n\t"
        "mov %r11, %r8; mov %r8, %r9; mov %r9, %r10; mov %r10, %r11\n\t"
        "mov %r11, %r8; mov %r8, %r9; mov %r9, %r10; mov %r10, %r11\n\t"
        "mov %r11, %r8; mov %r8, %r9; sbb %rax, %rax; ret\n"
        "fls_callee_pass: mov %rdx, %r8; lea 8(%r8), %r9; mov %r9, %r10; mov %r10, %r11\n\t"
        "mov %r11, %r8; mov %r8, %r9; mov %r9, %r10; mov %r10, %r11\n\t"
        "mov %r11, %r8; mov %r8, %r9; ret\n");

static uint64_t read_in_callee(uint64_t a, uint64_t b)
{
    uint64_t r, c = 0;
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\t"
                     "cmp %[b], %[a]\n\t"
                     "call fls_callee_sbb\n\t"
                     "cmp %[a], %[b]\n\t"
                     "call fls_callee_pass\n\t"
                     "setb %b[c]\n\t"
                     "lea 128(%%rsp), %%rsp\n\t"
                     : "=&a"(r), [c] "+&q"(c)
                     : [a] "r"(a), [b] "r"(b), "d"(a)
                     : "r8", "r9", "r10", "r11", "cc", "memory");
    return (r & 1) | c << 1;
}

/* cmp, a direct jmp, N movs, a load from address 0 (the handler sees the
 * cmp's flags), then a full flag writer: nothing but the handler reads
 * the cmp's flags. */
#define FAULT_AFTER(N)                                                              \
    static void fault_after_##N(uint64_t a, uint64_t b)                             \
    {                                                                               \
        __asm__ volatile("cmp %[b], %[a]\n\t"                                       \
                         "jmp 1f\n"                                                 \
                         "1:\n\t" M##N                                              \
                         "mov (%%rax), %%rcx\n\t"                                   \
                         M4 "add %%r8, %%r9\n\t"                                    \
                         :                                                          \
                         : [a] "r"(a), [b] "r"(b), "d"(a), "a"(0)                   \
                         : "rcx", "r8", "r9", "r10", "r11", "xmm2", "cc", "memory"); \
    }
FAULT_AFTER(10) FAULT_AFTER(13) FAULT_AFTER(20) FAULT_AFTER(23) FAULT_AFTER(30)

/* One round over the value pairs; faults: the fault cases too. */
static void run_round(uint64_t sum[3], int round, int faults_too)
{
    static const uint64_t vals[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000,
                                     0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                     0xffffffffffffffffull, 0x123456789abcdef0ull, 63 };
    enum { NV = sizeof(vals) / sizeof(vals[0]) };
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++) {
            uint64_t a = vals[i], b = vals[j];
            uint64_t r = read_after_11(a, b) | read_after_12(a, b) << 3 |
                         read_after_13(a, b) << 6 | read_after_20(a, b) << 9 |
                         read_after_23(a, b) << 12 | read_after_24(a, b) << 15 |
                         read_after_25(a, b) << 18 | read_after_30(a, b) << 21;
            sum[0] = sum[0] * 31 + r;
            sum[1] = sum[1] * 7 + read_fork(a, b);
            sum[2] = sum[2] * 5 + read_in_callee(a, b);
            if (faults_too && round % 20 == 0) {
                fault_after_10(a, b); fault_after_13(a, b); fault_after_20(a, b);
                fault_after_23(a, b); fault_after_30(a, b);
            }
            if (round == 0 && j == 0)
                printf("%2d: %016llx %016llx %016llx %016llx\n", i,
                       (unsigned long long)sum[0], (unsigned long long)sum[1],
                       (unsigned long long)sum[2], (unsigned long long)fault_flags);
        }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 200 }, { 0, 200 } };
    setitimer(ITIMER_REAL, &it, NULL);

    /* First with no fault handler (blocks not precise: only readers keep
     * the flags), then with one (the fault cases' handler reads them). */
    uint64_t sum[3] = { 0 };
    for (int round = 0; round < 200; round++)
        run_round(sum, round, 0);
    printf("sums %016llx %016llx %016llx\n", (unsigned long long)sum[0],
           (unsigned long long)sum[1], (unsigned long long)sum[2]);
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    memset(sum, 0, sizeof sum);
    for (int round = 0; round < 200; round++)
        run_round(sum, round, 1);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("sums %016llx %016llx %016llx, faults %llu flags %016llx\n",
           (unsigned long long)sum[0], (unsigned long long)sum[1], (unsigned long long)sum[2],
           (unsigned long long)faults, (unsigned long long)fault_flags);
    printf("signals arrived: %s\n", ticks > 0 ? "yes" : "no");
    return 0;
}
