/* flags_after_indirect.c -- flags set by a callee (or before an indirect
 * jump) and read right after the indirect transfer, compared with native.
 *
 * ferry stores the lazy flags to env at a block's indirect exit (ret,
 * jmp/call through a register or memory) because the next block is not
 * known; code that keeps the flags across such an exit is rare but real
 * (asm routines returning a result in CF, longjmp-style code).  This pins
 * that the block after the exit reads them exact: ret into `setc`/`seto`/
 * `pushf`, `jmp *%reg` and `jmp *mem` into `setc`/`adc`, `call *%reg` into
 * a callee that reads the caller's flags first, each producer kind (sub,
 * add, logic, inc/dec keeping CF, shifts, bt's CF over an unknown state),
 * in loops hot enough to be chained and found through the jump cache and
 * return-address stack, while SIGALRM arrives every 200 us (its handler
 * clobbers the flags; delivery between blocks must keep them). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static volatile unsigned long ticks;

static void on_alarm(int sig)
{
    (void)sig;
    unsigned long t = ticks;
    __asm__ volatile("cmp %0, %0; stc" : : "r"(t) : "cc");    /* handler's own flags */
    ticks = t + 1;
}

/* Callees: set flags, return; the caller reads them after the ret. */
__asm__(".text\n"
        "fai_sub:  mov %rdi, %rax; sub %rsi, %rax; ret\n"
        "fai_add:  mov %rdi, %rax; add %rsi, %rax; ret\n"
        "fai_and:  mov %rdi, %rax; and %rsi, %rax; ret\n"
        "fai_inc:  mov %rdi, %rax; inc %rax; ret\n"             /* CF from before the call */
        "fai_shl:  mov %rdi, %rax; mov %esi, %ecx; shl %cl, %rax; ret\n"
        "fai_bt:   mov %rdi, %rax; bt %rsi, %rax; ret\n"        /* CF over the caller's state */
        "fai_cmp8: cmp %sil, %dil; ret\n");

/* Calls f through a register after setting CF from `cin` (so inc and bt
 * see a known older state), then records EFLAGS' arithmetic bits right
 * after the ret: pushf, setc and seto, each its own reader. */
static uint64_t call_reg(void *f, uint64_t a, uint64_t b, uint64_t cin)
{
    uint64_t fl, c, o;
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\t"       /* past the red zone; lea keeps flags */
                     "bt $0, %[cin]\n\t"
                     "call *%[f]\n\t"
                     "pushfq\n\t"
                     "pop %[fl]\n\t"
                     "setc %b[c]\n\t"
                     "seto %b[o]\n\t"
                     "lea 128(%%rsp), %%rsp\n\t"
                     : [fl] "=&r"(fl), [c] "=&q"(c), [o] "=&q"(o), "+D"(a), "+S"(b)
                     : [f] "r"(f), [cin] "r"(cin)
                     : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "cc", "memory");
    return (fl & 0x8d5) ^ (c & 1) << 8 ^ (o & 1) << 9;
}

/* The same through memory (call *mem), reading only CF with adc. */
static uint64_t call_mem(void *f, uint64_t a, uint64_t b)
{
    void *slot = f;
    uint64_t r = 0;
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\t"
                     "call *(%[slot])\n\t"
                     "adc $0, %[r]\n\t"
                     "lea 128(%%rsp), %%rsp\n\t"
                     : [r] "+r"(r), "+D"(a), "+S"(b)
                     : [slot] "r"(&slot)
                     : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "cc", "memory");
    return r;
}

/* cmp, then jmp through a register to a label that reads the flags
 * (setb, then sbb); `which` picks one of two readers. */
static uint64_t jmp_reg(uint64_t a, uint64_t b, int which)
{
    uint64_t r = 0, t = 0;
    __asm__ volatile("lea 1f(%%rip), %[t]\n\t"
                     "test %[w], %[w]\n\t"
                     "jz 3f\n\t"
                     "lea 2f(%%rip), %[t]\n"
                     "3:\n\t"
                     "cmp %[b], %[a]\n\t"
                     "jmp *%[t]\n"
                     "1: setb %b[r]\n\t"
                     "jmp 4f\n"
                     "2: sbb %[r], %[r]\n"
                     "4:\n\t"
                     : [r] "+&q"(r), [t] "+&r"(t)
                     : [a] "r"(a), [b] "r"(b), [w] "r"((uint64_t)which)
                     : "cc");
    return r;
}

/* sub, then jmp through memory (a table, as a switch does) to a reader. */
static uint64_t jmp_mem(uint64_t a, uint64_t b, unsigned k)
{
    uint64_t r = 0;
    static void *table[2];
    __asm__ volatile("lea 1f(%%rip), %%rax\n\t"
                     "mov %%rax, %[t0]\n\t"
                     "lea 2f(%%rip), %%rax\n\t"
                     "mov %%rax, %[t1]\n\t"
                     "sub %[b], %[a]\n\t"
                     "jmp *(%[tab], %[k], 8)\n"
                     "1: seto %b[r]\n\t"
                     "jmp 3f\n"
                     "2: setz %b[r]\n"
                     "3:\n\t"
                     : [r] "+&q"(r), [a] "+r"(a), [t0] "=m"(table[0]), [t1] "=m"(table[1])
                     : [b] "r"(b), [tab] "r"(table), [k] "r"((uint64_t)(k & 1))
                     : "rax", "cc", "memory");
    return r;
}

/* call through a register to a callee whose first instruction reads the
 * caller's flags (adc): an indirect call's target reading them at entry. */
__asm__(".text\nfai_adc_entry: mov %rdi, %rax; adc %rsi, %rax; ret\n");

static uint64_t call_reader(uint64_t a, uint64_t b)
{
    extern char fai_adc_entry[];
    uint64_t r;
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\t"
                     "cmp %[b], %[a]\n\t"
                     "call *%[f]\n\t"
                     "lea 128(%%rsp), %%rsp\n\t"
                     : "=a"(r), [a] "+D"(a), [b] "+S"(b)
                     : [f] "r"((void *)fai_adc_entry)
                     : "rcx", "rdx", "r8", "r9", "r10", "r11", "cc", "memory");
    return r;
}

extern char fai_sub[], fai_add[], fai_and[], fai_inc[], fai_shl[], fai_bt[], fai_cmp8[];

int main(void)
{
    void *callees[] = { fai_sub, fai_add, fai_and, fai_inc, fai_shl, fai_bt, fai_cmp8 };
    static const uint64_t vals[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000,
                                     0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                     0xffffffffffffffffull, 0x123456789abcdef0ull, 63, 64 };
    enum { NV = sizeof(vals) / sizeof(vals[0]), NC = sizeof(callees) / sizeof(callees[0]) };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 200 }, { 0, 200 } };
    setitimer(ITIMER_REAL, &it, NULL);

    uint64_t sum[6] = { 0 };
    for (int round = 0; round < 300; round++)
        for (int i = 0; i < NV; i++)
            for (int j = 0; j < NV; j++) {
                uint64_t a = vals[i], b = vals[j];
                for (int k = 0; k < NC; k++) {
                    uint64_t f = call_reg(callees[k], a, b, (uint64_t)(i + j + k));
                    sum[0] = sum[0] * 31 + f;
                    sum[1] += call_mem(callees[k], a, b) << k;
                }
                sum[2] = sum[2] * 7 + jmp_reg(a, b, (i ^ j) & 1);
                sum[3] = sum[3] * 5 + jmp_mem(a, b, (unsigned)(i + j));
                sum[4] = sum[4] * 3 + call_reader(a, b);
                if (round == 0 && j == 0)
                    printf("%2d: %016llx %016llx %016llx %016llx %016llx\n", i,
                           (unsigned long long)sum[0], (unsigned long long)sum[1],
                           (unsigned long long)sum[2], (unsigned long long)sum[3],
                           (unsigned long long)sum[4]);
            }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("sums %016llx %016llx %016llx %016llx %016llx\n", (unsigned long long)sum[0],
           (unsigned long long)sum[1], (unsigned long long)sum[2], (unsigned long long)sum[3],
           (unsigned long long)sum[4]);
    printf("signals arrived: %s\n", ticks > 0 ? "yes" : "no");
    return 0;
}
