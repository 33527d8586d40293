/* loop_consts.c -- loops that jump back to their own start and use
 * constants no host instruction takes as an immediate (sieve's `cmp rax,
 * 0x30d40`, FNV's `imul ecx, ecx, 0x1000193`, masks that are no AArch64
 * bitmask): the AArch64 backend builds such constants once before the
 * block's loop entry and chains the block to that entry (a64_hoist.c).
 * Checked here: the loops' results; a loop left by a signal (the block's
 * exit-request load, then re-entered from its start) whose result is
 * recomputed for the iterations it ran; a guest fault inside such a loop
 * (registers and the faulting address from the signal frame).  Output
 * vs native. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>

/* Sieve's inner loop: byte stores at a stride up to a large bound. */
static uint64_t strided_stores(unsigned char *p, uint64_t start, uint64_t step)
{
    uint64_t i = start;
    __asm__ volatile("1: movb $1, (%1,%0)\n\t"
                     "add %2, %0\n\t"
                     "cmp $0x30d40, %0\n\t"
                     "jle 1b"
                     : "+r"(i) : "r"(p), "r"(step) : "cc", "memory");
    return i;
}

/* FNV-1a over n bytes, with a second constant and a non-bitmask and. */
static uint32_t fnv_masked(const unsigned char *p, const unsigned char *end)
{
    uint32_t h = 2166136261u, t;
    __asm__ volatile("1: movzbl (%1), %2\n\t"
                     "add $1, %1\n\t"
                     "xor %2, %0\n\t"
                     "imul $0x1000193, %0, %0\n\t"
                     "add $0x12345678, %0\n\t"
                     "and $0xfff0f0f1, %0\n\t"
                     "cmp %3, %1\n\t"
                     "jne 1b"
                     : "+r"(h), "+r"(p), "=&r"(t) : "r"(end) : "cc");
    return h;
}

/* The same loop in C, for checking a loop stopped after n passes. */
static uint64_t mix_ref(uint64_t h, uint64_t n)
{
    for (volatile uint64_t k = 0; k < n; k++)
        h = (h * 0x1000193) ^ 0x7654321;
    return h;
}

static volatile int stop;

static void on_alarm(int sig) { (void)sig; stop = 1; }

/* Runs until SIGALRM sets stop: h = (h * 0x1000193) ^ 0x7654321, counted. */
static uint64_t mix_until_stopped(uint64_t *h)
{
    uint64_t n = 0, v = *h;
    __asm__ volatile("1: imul $0x1000193, %0, %0\n\t"
                     "xor $0x7654321, %0\n\t"
                     "add $1, %1\n\t"
                     "cmpl $0, %2\n\t"
                     "je 1b"
                     : "+r"(v), "+r"(n) : "m"(stop) : "cc");
    *h = v;
    return n;
}

static sigjmp_buf back;
static unsigned char *page;

static void on_segv(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("fault at page+%#lx: rdi page+%#llx rdx %#llx rcx %#llx rip-loop ok %d\n",
           (unsigned long)((unsigned char *)si->si_addr - page),
           (unsigned long long)((unsigned char *)g[REG_RDI] - page),
           (unsigned long long)g[REG_RDX], (unsigned long long)g[REG_RCX], sig == SIGSEGV);
    siglongjmp(back, 1);
}

/* Stores down a mapped page into an unmapped one, building values from
 * two constants on every pass. */
static void fault_in_loop(void)
{
    __asm__ volatile("mov %0, %%rdi\n\t"
                     "xor %%edx, %%edx\n\t"
                     "xor %%ecx, %%ecx\n\t"
                     "1: add $0x123456, %%rdx\n\t"
                     "imul $0x1000193, %%edx, %%ecx\n\t"
                     "mov %%ecx, (%%rdi)\n\t"
                     "add $0x404, %%rdi\n\t"
                     "cmp $0x7777777, %%rdx\n\t"
                     "jb 1b"
                     : : "r"(page) : "rdi", "rdx", "rcx", "cc", "memory");
}

int main(void)
{
    static unsigned char bytes[0x30d40 + 64];
    uint64_t total = 0;
    for (uint64_t step = 2; step < 40; step += 7) {
        memset(bytes, 0, sizeof bytes);
        uint64_t end = strided_stores(bytes, step * step, step);
        for (size_t k = 0; k < sizeof bytes; k++)
            total += bytes[k] * (k & 0xff);
        printf("step %2llu ends at %#llx\n", (unsigned long long)step, (unsigned long long)end);
    }
    printf("strided total %llu\n", (unsigned long long)total);

    for (int len = 1; len < 4000; len = len * 3 + 1) {
        for (int k = 0; k < len; k++)
            bytes[k] = (unsigned char)(k * 7 + len);
        printf("fnv %4d %#x\n", len, fnv_masked(bytes, bytes + len));
    }

    signal(SIGALRM, on_alarm);
    struct itimerval t = { .it_value = { .tv_usec = 20000 } };
    setitimer(ITIMER_REAL, &t, NULL);
    uint64_t h = 0x1234, n = mix_until_stopped(&h);
    printf("stopped loop: %s\n", n > 0 && h == mix_ref(0x1234, n) ? "consistent" : "WRONG");

    page = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 0x1000, 0x1000);
    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
    sigaction(SIGSEGV, &sa, NULL);
    if (!sigsetjmp(back, 1))
        fault_in_loop();
    printf("after the fault: word 3 %#x\n", ((uint32_t *)page)[0x404 * 3 / 4]);
    return 0;
}
