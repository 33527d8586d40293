/* pinned_r14_r15.c -- guest r14 and r15 as working registers through what
 * may disturb a host register that holds them: ops that need the host's
 * scratch registers (mul, div, shifts by cl, bsr, setcc, deposits, andn
 * with its output in either input's register, a sub whose output goes to
 * its subtrahend's register with the flags read: x64_ops.c's forms that
 * need no scratch register), adc/sbb with the carry of the block before
 * (a helper call), vector helper ops, system calls, indirect calls to
 * targets not in the jump cache yet (the lookup call), faults whose
 * handler reads and changes r14 and r15 in its ucontext, SIGALRM arriving
 * anywhere in a loop (its handler changes them too, by amounts the
 * printed result takes out again), and fork.  Written for guest r14/r15
 * pinned in host registers (session 29 measured that as a loss on the
 * x86-64 host with three allocatable registers left, so they stay in env
 * for now: docs/status.md); it holds either way.  The output is compared
 * with a native run. */
#include "guest_regs_harness.h"     /* first: it defines _GNU_SOURCE */

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Many values live at once, through ops that take rax, rcx or rdx. */
static void arith(uint64_t seed)
{
    uint64_t mem[4] = { seed ^ 0x5555, seed * 3, ~seed, seed >> 3 }, res[6];
    __asm__ volatile(
        "mov %[s], %%r14\n\t"
        "lea 0x3b(%%r14,%%r14,4), %%r15\n\t"
        "mov (%[m]), %%r12\n\t"
        "mov %%r14, %%rcx\n\t"
        "and $63, %%ecx\n\t"
        "shl %%cl, %%r15\n\t"
        "ror %%cl, %%r14\n\t"
        "add %%r15, 16(%[m])\n\t"
        "mov %%r14, %%rax\n\t"
        "mul %%r15\n\t"
        "add %%rdx, %%r14\n\t"
        "xor %%rax, %%r15\n\t"
        "cmp %%r12, %%r14\n\t"
        "setb %%al\n\t"
        "movzbl %%al, %%eax\n\t"
        "add %%rax, %%r15\n\t"
        "bsr %%r14, %%rdx\n\t"
        "cmovz %%r12, %%rdx\n\t"
        "add %%rdx, %%r15\n\t"
        "mov %%r12b, %%r14b\n\t"
        "mov %%r15w, %%r14w\n\t"
        "andn %%r14, %%r15, %%r14\n\t"      /* r14 = ~r15 & r14 */
        "andn %%r15, %%r14, %%r15\n\t"      /* r15 = ~r14 & r15 */
        "andn %%r12, %%r14, %%r15\n\t"      /* r15 = ~r14 & r12 */
        "andn %%r12d, %%r15d, %%r12d\n\t"   /* 32 bits, r15's top half still live */
        "neg %%r14\n\t"
        "mov %%r12, %%r10\n\t"            /* r15 = r12 - r15 with its flags read */
        "sub %%r15, %%r10\n\t"
        "mov %%r10, %%r15\n\t"
        "setb %%dl\n\t"
        "movzbl %%dl, %%edx\n\t"
        "add %%rdx, %%r14\n\t"
        "mov %%r12, %%r11\n\t"            /* r14 = r12 - r14, CF into a jcc */
        "sub %%r14, %%r11\n\t"
        "mov %%r11, %%r14\n\t"
        "jb 3f\n\t"
        "xor $0x5a, %%r14\n"
        "3:\n\t"
        "mov $0x99, %%eax\n\t"
        "sub %%r15, %%rax\n\t"
        "mov %%rax, %%r15\n\t"
        "add %%r14, %%r15\n\t"              /* carry out, read after the jmp */
        "jmp 1f\n"
        "1:\n\t"
        "adc %%r12, %%r15\n\t"
        "sbb 24(%[m]), %%r14\n\t"
        "cmp %%r15, (%[m])\n\t"
        "jmp 2f\n"
        "2:\n\t"
        "adc $0x1234, %%r14\n\t"
        "mov %%r14, %%rax\n\t"
        "xor %%edx, %%edx\n\t"
        "mov %%r15, %%rcx\n\t"
        "or $1, %%rcx\n\t"
        "div %%rcx\n\t"
        "add %%rdx, %%r15\n\t"
        "imul %%rax, %%r14\n\t"
        "push %%r15\n\t"
        "not %%r15\n\t"
        "pop %%r12\n\t"
        "xchg %%r14, %%r15\n\t"
        "mov %%r14, (%[r])\n\t"
        "mov %%r15, 8(%[r])\n\t"
        "mov %%r12, 16(%[r])\n\t"
        :
        : [s] "D"(seed), [m] "S"(mem), [r] "b"(res)
        : "rax", "rcx", "rdx", "r10", "r11", "r12", "r14", "r15", "memory", "cc");
    harness_note("r14", res[0]);
    harness_note("r15", res[1]);
    harness_note("r12", res[2]);
    harness_note("mem2", mem[2]);
}

/* Targets reached by indirect calls, each changing r14 or r15. */
HARNESS_TARGETS(r14, r15)

/* Indirect calls (jump-cache misses, then hits), a system call and vector
 * helper ops with r14 and r15 live. */
static uint64_t calls(uint64_t seed)
{
    static void (*const table[])(void) = { t_add, t_mul, t_rot };
    uint64_t out[2];
    __asm__ volatile(
        "mov %[s], %%r14\n\t"
        "lea 1(%[s]), %%r15\n\t"
        "mov $0, %%ecx\n"
        "1:\n\t"
        HARNESS_ASM_CALL3
        "push %%rcx\n\t"
        "mov $39, %%eax\n\t"               /* getpid: the kernel keeps r14, r15 */
        "syscall\n\t"
        "pop %%rcx\n\t"
        "movq %%r14, %%xmm1\n\t"
        "pinsrq $1, %%r15, %%xmm1\n\t"
        "aesenc %%xmm1, %%xmm1\n\t"
        "movq %%xmm1, %%rax\n\t"
        "add %%rax, %%r15\n\t"
        "crc32q %%r15, %%r14\n\t"
        "add %%rcx, %%r14\n\t"
        "sub %%rcx, %%r15\n\t"
        "inc %%ecx\n\t"
        "cmp $40, %%ecx\n\t"
        "jne 1b\n\t"
        "mov %%r14, (%[r])\n\t"
        "mov %%r15, 8(%[r])\n\t"
        :
        : [s] "D"(seed), [t] "S"(table), [r] "b"(out)
        : "rax", "rcx", "rdx", "r11", "r14", "r15", "xmm1", "memory", "cc");
    return out[0] ^ out[1] * 7;
}

/* Faults with r14 and r15 just changed: the handler sees them in its
 * ucontext, changes both and skips the faulting 4-byte load. */
static volatile uint8_t *page;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;
    printf("fault      r14 %016llx r15 %016llx at +%lx\n", (unsigned long long)g[REG_R14],
           (unsigned long long)g[REG_R15], (unsigned long)((uintptr_t)si->si_addr - (uintptr_t)page));
    g[REG_R14] += 0x1000;
    g[REG_R15] ^= 0x30303;
    g[REG_RIP] += 4;                    /* mov 0x40(%rsi), %eax: 8b 46 40 + pad */
}

static uint64_t faults(uint64_t seed)
{
    uint64_t out;
    __asm__ volatile(
        "mov %[s], %%r14\n\t"
        "lea 1(%%r14), %%r15\n\t"
        "add $0x77, %%r14\n\t"
        "mov %%r14, %%rcx\n\t"
        "shl %%cl, %%r15\n\t"
        ".byte 0x8b, 0x46, 0x40, 0x90\n\t"     /* mov 0x40(%rsi), %eax; nop */
        "add %%r15, %%r14\n\t"
        "sub $9, %%r15\n\t"
        "jmp 1f\n"
        "1:\n\t"
        ".byte 0x8b, 0x46, 0x48, 0x90\n\t"     /* the block's first insn faults */
        "imul $5, %%r14, %%r14\n\t"
        "xor %%r15, %%r14\n\t"
        "mov %%r14, (%[r])\n\t"
        :
        : [s] "D"(seed), "S"(page), [r] "b"(&out)
        : "rax", "rcx", "r14", "r15", "memory", "cc");
    return out;
}

/* SIGALRM lands anywhere in this loop (between alarm_lo and alarm_hi);
 * its handler adds ALARM_K to r14 and 1 to r15, which the loop only adds
 * to or reads, so r14 - r15 * ALARM_K is the same however many arrive. */
#define ALARM_K 0x10001ull
extern const char alarm_lo[], alarm_hi[];

static void on_alarm(int sig, siginfo_t *si, void *ucv)
{
    greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;
    if ((uintptr_t)g[REG_RIP] >= (uintptr_t)alarm_lo && (uintptr_t)g[REG_RIP] < (uintptr_t)alarm_hi) {
        g[REG_R14] += ALARM_K;
        g[REG_R15] += 1;
    }
}

static uint64_t alarmed(uint64_t seed, long rounds)
{
    uint64_t out[2];
    __asm__ volatile(
        "mov %[s], %%r14\n\t"
        "xor %%r15d, %%r15d\n\t"
        "xor %%ecx, %%ecx\n\t"
        ".globl alarm_lo\n"
        "alarm_lo:\n\t"
        "mov %%rcx, %%rax\n\t"
        "mul %%rcx\n\t"
        "add %%rax, %%r14\n\t"
        "mov %%rcx, %%rdx\n\t"
        "and $31, %%ecx\n\t"
        "mov %%r15, %%rax\n\t"              /* r15 read, not changed */
        "shl %%cl, %%rax\n\t"
        "mov %%rdx, %%rcx\n\t"
        "test %%rax, %%rax\n\t"
        "setz %%al\n\t"
        "inc %%rcx\n\t"
        "cmp %[n], %%rcx\n\t"
        "jb alarm_lo\n\t"
        ".globl alarm_hi\n"
        "alarm_hi:\n\t"
        "mov %%r14, (%[r])\n\t"
        "mov %%r15, 8(%[r])\n\t"
        :
        : [s] "D"(seed), [n] "r"(rounds), [r] "b"(out)
        : "rax", "rcx", "rdx", "r14", "r15", "memory", "cc");
    return out[0] - out[1] * ALARM_K;
}

/* fork with r14 and r15 live: both processes see them after the syscall. */
static void forked(uint64_t seed)
{
    uint64_t out[3];
    fflush(stdout);
    __asm__ volatile(
        "mov %[s], %%r14\n\t"
        "lea 0x1234(%[s]), %%r15\n\t"
        "mov $57, %%eax\n\t"               /* fork */
        "syscall\n\t"
        "mov %%rax, (%[r])\n\t"
        "mov %%r14, 8(%[r])\n\t"
        "mov %%r15, 16(%[r])\n\t"
        :
        : [s] "D"(seed), [r] "b"(out)
        : "rax", "rcx", "r11", "r14", "r15", "memory", "cc");
    if (out[0] == 0) {
        printf("child      r14 %016llx r15 %016llx\n", (unsigned long long)out[1],
               (unsigned long long)out[2]);
        fflush(stdout);
        _exit(0);
    }
    waitpid((pid_t)out[0], NULL, 0);
    printf("parent     r14 %016llx r15 %016llx\n", (unsigned long long)out[1],
           (unsigned long long)out[2]);
}

/* One round: each part with the seed. */
static void round_of(uint64_t seed)
{
    arith(seed);
    harness_note("calls", calls(seed));
    harness_note("faults", faults(seed));
}

int main(void)
{
    page = harness_fault_page();
    harness_on_segv(on_segv);
    harness_rounds(round_of);
    forked(0x5eed);
    harness_alarm(on_alarm, 200);
    for (unsigned k = 0; k < 3; k++)
        harness_note("alarmed", alarmed(harness_seeds[k], 3000000));
    harness_alarm(NULL, 0);
    harness_done();
    return 0;
}
