/* pinned_r12_r13.c -- guest r12 and r13 as working registers while the
 * host allocator's registers are taken by the ops that need them: mul and
 * div (rdx:rax), shifts and rotates by cl, setcc, bsr, partial register
 * writes (deposits), andn, adc/sbb with the carry of the block before (a
 * five-argument helper call), indirect calls to targets not in the jump
 * cache yet (the lookup call on the miss path), vector-helper ops, and
 * faults whose handler reads r12 and r13 (and r14, r15) from its
 * ucontext and changes r12 and r13 there.  On the x86-64 host guest r12
 * and r13 live in caller-saved host registers (r8 and rdi, x64_pinned.c),
 * rdi also the register a C call's env argument goes to, and rax, rcx and
 * rdx are allocated between the ops that clobber them (x64_desc.c,
 * x64_op_clobbers); the output is compared with a native run. */
#include "guest_regs_harness.h"

/* Many values live at once, through ops that take rax, rcx or rdx. */
static void arith(uint64_t seed)
{
    uint64_t mem[4] = { seed ^ 0x5555, seed * 3, ~seed, seed >> 3 }, res[6];
    __asm__ volatile(
        "mov %[s], %%r13\n\t"
        "lea 0x3b(%%r13,%%r13,4), %%r12\n\t"
        "mov (%[m]), %%r15\n\t"
        "mov 8(%[m]), %%r14\n\t"
        "mov %%r13, %%rcx\n\t"
        "and $63, %%ecx\n\t"
        "shl %%cl, %%r12\n\t"
        "ror %%cl, %%r15\n\t"
        "add %%r14, %%r13\n\t"
        "add %%r12, 16(%[m])\n\t"
        "sar %%cl, %%r14\n\t"
        "mov %%r13, %%rax\n\t"
        "mul %%r12\n\t"
        "add %%rdx, %%r13\n\t"
        "xor %%rax, %%r12\n\t"
        "cmp %%r15, %%r13\n\t"
        "setb %%al\n\t"
        "movzbl %%al, %%eax\n\t"
        "add %%rax, %%r12\n\t"
        "bsr %%r13, %%rdx\n\t"
        "cmovz %%r15, %%rdx\n\t"
        "add %%rdx, %%r14\n\t"
        "mov %%r15b, %%r13b\n\t"
        "mov %%r14w, %%r12w\n\t"
        "andn %%r13, %%r12, %%r15\n\t"
        "add %%r12, %%r13\n\t"          /* carry out, read after the jmp */
        "jmp 1f\n"
        "1:\n\t"
        "adc %%r15, %%r13\n\t"
        "sbb 24(%[m]), %%r12\n\t"
        "cmp %%r13, (%[m])\n\t"
        "jmp 2f\n"
        "2:\n\t"
        "adc $0x1234, %%r12\n\t"
        "mov %%r12, %%rax\n\t"
        "xor %%edx, %%edx\n\t"
        "mov %%r13, %%rcx\n\t"
        "or $1, %%rcx\n\t"
        "div %%rcx\n\t"
        "add %%rdx, %%r13\n\t"
        "imul %%rax, %%r12\n\t"
        "push %%r13\n\t"
        "not %%r13\n\t"
        "pop %%r14\n\t"
        "xchg %%r12, %%r15\n\t"
        "neg %%r12\n\t"
        "mov %%r13, (%[r])\n\t"
        "mov %%r14, 8(%[r])\n\t"
        "mov %%r12, 16(%[r])\n\t"
        "mov %%r15, 24(%[r])\n\t"
        :
        : [s] "D"(seed), [m] "S"(mem), [r] "b"(res)
        : "rax", "rcx", "rdx", "r15", "r13", "r14", "r12", "memory", "cc");
    harness_note("r13", res[0]);
    harness_note("r14", res[1]);
    harness_note("r12", res[2]);
    harness_note("r15", res[3]);
    harness_note("mem2", mem[2]);
}

/* Targets reached by indirect calls, each changing r13 or r12. */
HARNESS_TARGETS(r13, r12)

static uint64_t indirect(uint64_t seed)
{
    static void (*const table[])(void) = { t_add, t_mul, t_rot };
    uint64_t out[2];
    __asm__ volatile(
        "mov %[s], %%r13\n\t"
        "lea 1(%[s]), %%r12\n\t"
        "mov $0, %%ecx\n"
        "1:\n\t"
        HARNESS_ASM_CALL3
        "add %%rcx, %%r13\n\t"
        "sub %%rcx, %%r12\n\t"
        "inc %%ecx\n\t"
        "cmp $40, %%ecx\n\t"
        "jne 1b\n\t"
        "mov %%r13, (%[r])\n\t"
        "mov %%r12, 8(%[r])\n\t"
        :
        : [s] "D"(seed), [t] "S"(table), [r] "b"(out)
        : "rax", "rcx", "rdx", "r13", "r12", "memory", "cc");
    return out[0] ^ out[1] * 7;
}

/* r13 and r12 live across vector ops (some go through helpers). */
static uint64_t vector(uint64_t seed)
{
    uint64_t out;
    __asm__ volatile(
        "mov %[s], %%r13\n\t"
        "mov %[s], %%r12\n\t"
        "not %%r12\n\t"
        "movq %%r13, %%xmm1\n\t"
        "pinsrq $1, %%r12, %%xmm1\n\t"
        "pshufd $0x1b, %%xmm1, %%xmm2\n\t"
        "aesenc %%xmm1, %%xmm2\n\t"
        "pclmulqdq $0, %%xmm1, %%xmm2\n\t"
        "add $5, %%r13\n\t"
        "crc32q %%r12, %%r13\n\t"
        "cvtsi2sd %%r13, %%xmm3\n\t"
        "sqrtsd %%xmm3, %%xmm3\n\t"
        "roundsd $1, %%xmm3, %%xmm3\n\t"
        "cvttsd2si %%xmm3, %%rax\n\t"
        "movq %%xmm2, %%rdx\n\t"
        "pextrq $1, %%xmm2, %%rcx\n\t"
        "xor %%rdx, %%r13\n\t"
        "add %%rax, %%r12\n\t"
        "add %%rcx, %%r12\n\t"
        "xor %%r12, %%r13\n\t"
        "mov %%r13, (%[r])\n\t"
        :
        : [s] "D"(seed), [r] "b"(&out)
        : "rax", "rcx", "rdx", "r13", "r12", "xmm1", "xmm2", "xmm3", "memory", "cc");
    return out;
}

/* Faults with r13 and r12 just changed: the handler sees them (and r15,
 * r14) in its ucontext, changes r13 and r12 there and skips the faulting
 * 4-byte load. */
static volatile uint8_t *page;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("fault      r13 %016llx r12 %016llx r15 %016llx r14 %016llx at +%lx\n",
           (unsigned long long)g[REG_R13], (unsigned long long)g[REG_R12],
           (unsigned long long)g[REG_R15], (unsigned long long)g[REG_R14],
           (unsigned long)((uintptr_t)si->si_addr - (uintptr_t)page));
    g[REG_R13] += 0x1000;
    g[REG_R12] ^= 0x30303;
    g[REG_RIP] += 4;                    /* mov 0x40(%rsi), %eax: 8b 46 40 + pad */
}

static uint64_t faults(uint64_t seed)
{
    uint64_t out;
    __asm__ volatile(
        "mov %[s], %%r13\n\t"
        "lea 1(%%r13), %%r15\n\t"
        "mov %%r13, %%r12\n\t"
        "mov %%r13, %%r14\n\t"
        "add $0x77, %%r13\n\t"
        "shl $3, %%r12\n\t"
        "mov %%r13, %%rcx\n\t"
        "shr %%cl, %%r14\n\t"
        ".byte 0x8b, 0x46, 0x40, 0x90\n\t"     /* mov 0x40(%rsi), %eax; nop */
        "add %%r15, %%r13\n\t"
        "sub $9, %%r12\n\t"
        "jmp 1f\n"
        "1:\n\t"
        ".byte 0x8b, 0x46, 0x48, 0x90\n\t"     /* the block's first insn faults */
        "imul $5, %%r13, %%r13\n\t"
        "add %%r14, %%r12\n\t"
        "xor %%r12, %%r13\n\t"
        "mov %%r13, (%[r])\n\t"
        :
        : [s] "D"(seed), "S"(page), [r] "b"(&out)
        : "rax", "rcx", "r15", "r13", "r14", "r12", "memory", "cc");
    return out;
}

/* One round: each part with the seed. */
static void round_of(uint64_t seed)
{
    arith(seed);
    harness_note("indirect", indirect(seed));
    harness_note("vector", vector(seed));
    harness_note("faults", faults(seed));
}

int main(void)
{
    page = harness_fault_page();
    harness_on_segv(on_segv);
    harness_rounds(round_of);
    harness_done();
    return 0;
}
