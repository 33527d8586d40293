/* flags_fork_scan.c -- flags that live across a jcc in the successor.
 * The successor scan (x86_translate.c's succ_scan) sees through a jcc that
 * ends the successor into both its targets, and takes the incoming flags
 * other than CF as dead behind inc/dec (gzip's match loop: `cmp; jae`,
 * then `dec r9d; jne` to code that overwrites the flags on both sides).
 * Here the cmp's flags are read on one side only -- CF through setc, adc,
 * a jmp and then setc, sbb; ZF/CF after a plain jne; jbe after dec -- or
 * on neither, a loop of gzip's shape, and a load that faults on the
 * taken side (the SIGSEGV handler reads the cmp's CF in RFLAGS).  Output
 * vs native. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

static uint64_t hash = 14695981039346656037ull;

static void mix(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        hash ^= (v >> (i * 8)) & 0xff;
        hash *= 1099511628211ull;
    }
}

/* cmp; jae | dec; jne -> setc (the taken side reads the cmp's CF). */
static void taken_setc(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t t;
    __asm__ volatile("mov $0, %[t]\n\tcmp %[b], %[a]\n\tjae 5f\n\t"
                     "dec %[c]\n\tjne 2f\n\t"
                     "xor %[t], %[t]\n\tjmp 6f\n"
                     "2:\tsetc %b[t]\n\tjmp 6f\n"
                     "5:\tmov $7, %[t]\n6:"
                     : [t] "=&r"(t), [c] "+r"(c) : [a] "r"(a), [b] "r"(b) : "cc");
    mix(t); mix(c);
}

/* cmp; jae | dec; jne -> (fall-through) adc: the not-taken side reads CF. */
static void fall_adc(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t t;
    __asm__ volatile("mov $0x10, %[t]\n\tcmp %[b], %[a]\n\tjae 5f\n\t"
                     "dec %[c]\n\tjne 2f\n\t"
                     "adc $0x100, %[t]\n\tjmp 6f\n"
                     "2:\tadd $3, %[t]\n\tjmp 6f\n"
                     "5:\tmov $7, %[t]\n6:"
                     : [t] "=&r"(t), [c] "+r"(c) : [a] "r"(a), [b] "r"(b) : "cc");
    mix(t); mix(c);
}

/* cmp; jb | inc; jne -> jmp -> sbb: the reader behind a direct jmp. */
static void taken_jmp_sbb(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t t;
    __asm__ volatile("mov $0x40, %[t]\n\tcmp %[b], %[a]\n\tjb 5f\n\t"
                     "inc %[c]\n\tjne 2f\n\t"
                     "sub $1, %[t]\n\tjmp 6f\n"
                     "2:\tjmp 3f\n\tnop\n3:\tsbb $5, %[t]\n\tjmp 6f\n"
                     "5:\tmov $9, %[t]\n6:"
                     : [t] "=&r"(t), [c] "+r"(c) : [a] "r"(a), [b] "r"(b) : "cc");
    mix(t); mix(c);
}

/* cmp; jae | jne (reads the cmp's ZF itself) -> pushf on the taken side. */
static void plain_jne_pushf(uint64_t a, uint64_t b)
{
    uint64_t t = 0;
    __asm__ volatile("cmp %[b], %[a]\n\tjae 5f\n\t"
                     "jne 2f\n\t"
                     "xor %[t], %[t]\n\tjmp 6f\n"
                     "2:\tpushfq\n\tpop %[t]\n\tjmp 6f\n"
                     "5:\tmov $7, %[t]\n6:"
                     : [t] "+r"(t) : [a] "r"(a), [b] "r"(b) : "cc");
    mix(t & 0x8d5);
}

/* cmp; jae | dec; jbe (reads the cmp's CF and dec's ZF). */
static void dec_jbe(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t t = 0;
    __asm__ volatile("cmp %[b], %[a]\n\tjae 5f\n\t"
                     "dec %[c]\n\tjbe 2f\n\t"
                     "mov $1, %[t]\n\tjmp 6f\n"
                     "2:\tmov $2, %[t]\n\tjmp 6f\n"
                     "5:\tmov $7, %[t]\n6:"
                     : [t] "+r"(t), [c] "+r"(c) : [a] "r"(a), [b] "r"(b) : "cc");
    mix(t); mix(c);
}

/* cmp; jae | dec; jne -> both sides overwrite the flags, then pushf
 * (the cmp's flags are dead at its exit; the later ones must be right). */
static void both_dead(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t t = 0;
    __asm__ volatile("cmp %[b], %[a]\n\tjae 5f\n\t"
                     "dec %[c]\n\tjne 2f\n\t"
                     "cmp %[a], %[c]\n\tjmp 6f\n"
                     "2:\ttest %[b], %[c]\n\tjmp 6f\n"
                     "5:\tadd %[a], %[c]\n6:\tpushfq\n\tpop %[t]"
                     : [t] "+r"(t), [c] "+r"(c) : [a] "r"(a), [b] "r"(b) : "cc");
    mix(t & 0x8d5); mix(c);
}

/* gzip's longest_match loop shape: load, cmp; jne | cmp; jae | dec; jne
 * back, and after the loop a reader of the last flags (adc). */
static void gzip_loop(const uint8_t *p, uint64_t n, uint64_t lim)
{
    uint64_t i = 0, cnt = n, t = 0, v;
    __asm__ volatile("1:\tmovzbl (%[p],%[i]), %k[v]\n\tcmp $0x41, %k[v]\n\tjne 3f\n\t"
                     "add $2, %[t]\n"
                     "3:\tinc %[i]\n\tcmp %[lim], %[v]\n\tjae 4f\n\t"
                     "dec %[cnt]\n\tjne 1b\n\t"
                     "adc $0x1000, %[t]\n\tjmp 5f\n"
                     "4:\tadc $0x2000, %[t]\n5:"
                     : [i] "+r"(i), [cnt] "+r"(cnt), [t] "+r"(t), [v] "=&r"(v)
                     : [p] "r"(p), [lim] "r"(lim) : "cc");
    mix(i); mix(cnt); mix(t);
}

static uint64_t resume, fault_flags;

static void on_segv(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    (void)sig; (void)si;
    fault_flags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL] & 0x8d5;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume;
}

/* cmp; jae | dec; jne -> a load from address 0: the handler sees the
 * cmp's CF and dec's other flags. */
static void taken_fault(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t t = 0, r;
    fault_flags = 0xffff;
    __asm__ volatile("lea 6f(%%rip), %[r]\n\tmov %[r], %[res]\n\txor %k[r], %k[r]\n\t"
                     "cmp %[b], %[a]\n\tjae 5f\n\t"
                     "dec %[c]\n\tjne 2f\n\t"
                     "xor %[t], %[t]\n\tjmp 6f\n"
                     "2:\tmov (%[r]), %[t]\n\tjmp 6f\n"
                     "5:\tmov $7, %[t]\n6:"
                     : [t] "+r"(t), [c] "+r"(c), [r] "=&r"(r), [res] "=m"(resume)
                     : [a] "r"(a), [b] "r"(b) : "cc", "memory");
    mix(t); mix(c); mix(fault_flags);
}

static const uint64_t edges[] = {
    0, 1, 2, 0x7f, 0x80, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x7fffffffffffffff, 0x8000000000000000, 0xfffffffffffffffe, 0xffffffffffffffff,
};
#define N_EDGES (sizeof edges / sizeof edges[0])

int main(void)
{
    for (unsigned i = 0; i < N_EDGES; i++)
        for (unsigned j = 0; j < N_EDGES; j++)
            for (unsigned k = 0; k < N_EDGES; k++) {
                uint64_t a = edges[i], b = edges[j], c = edges[k];
                taken_setc(a, b, c);
                fall_adc(a, b, c);
                taken_jmp_sbb(a, b, c);
                dec_jbe(a, b, c);
                both_dead(a, b, c);
            }
    for (unsigned i = 0; i < N_EDGES; i++)
        for (unsigned j = 0; j < N_EDGES; j++)
            plain_jne_pushf(edges[i], edges[j]);
    printf("cases %016llx\n", (unsigned long long)hash);
    uint8_t buf[256];
    for (int i = 0; i < 256; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    buf[200] = 0x41; buf[3] = 0x41;
    for (uint64_t n = 1; n < 256; n += 7)
        for (uint64_t lim = 0; lim < 260; lim += 13)
            gzip_loop(buf, n, lim);
    printf("loop %016llx\n", (unsigned long long)hash);
    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    for (unsigned i = 0; i < N_EDGES; i++)
        for (unsigned j = 0; j < N_EDGES; j++)
            for (unsigned k = 0; k < 4; k++)
                taken_fault(edges[i], edges[j], edges[k]);
    printf("fault %016llx\n", (unsigned long long)hash);
    return 0;
}
