/* pinned_rbp.c -- guest rbp (and r8-r15 beside it) as a working register
 * through everything that saves, clobbers or reads host registers around
 * it: arithmetic in register and memory forms, adc/sbb whose carry comes
 * from the block before (a five-argument flags helper call), shifts by cl,
 * mul/div, push/pop, indirect calls to targets not in the jump cache yet
 * (the lookup call on the miss path), a vector-helper op, and faults whose
 * handler reads rbp and r8-r15 from its ucontext and changes rbp there.
 * On the x86-64 host guest rbp lives in a caller-saved host register (r9)
 * that is also a C argument register (x64_pinned.c); the output is
 * compared with a native run. */
#include "guest_regs_harness.h"

/* Arithmetic with rbp as source, destination and memory operand; the
 * carry of add/sub reaches adc/sbb in the next block (jmp between). */
static void arith(uint64_t seed)
{
    uint64_t mem[2] = { seed ^ 0x5555, seed * 3 }, res[3];
    __asm__ volatile(
        "sub $128, %%rsp\n\t"         /* (the red zone) */
        "push %%rbp\n\t"
        "mov %[s], %%rbp\n\t"
        "mov %[s], %%r8\n\t"
        "lea 7(%%rbp,%%r8,2), %%r12\n\t"
        "add %%rbp, (%[m])\n\t"
        "add 8(%[m]), %%rbp\n\t"
        "sub %%r12, %%rbp\n\t"
        "xor %%rbp, %%r8\n\t"
        "add %%r8, %%rbp\n\t"           /* carry out, read after the jmp */
        "jmp 1f\n"
        "1:\n\t"
        "adc %%r12, %%rbp\n\t"
        "sbb 8(%[m]), %%rbp\n\t"
        "cmp %%rbp, (%[m])\n\t"
        "jmp 2f\n"
        "2:\n\t"
        "adc $0x1234, %%rbp\n\t"
        "mov %%rbp, %%rcx\n\t"
        "and $31, %%ecx\n\t"
        "rol %%cl, %%rbp\n\t"
        "shr %%cl, %%r8\n\t"
        "mov %%rbp, %%rax\n\t"
        "mul %%r12\n\t"
        "add %%rdx, %%rbp\n\t"
        "imul %%r8, %%rbp\n\t"
        "push %%rbp\n\t"
        "not %%rbp\n\t"
        "pop %%r8\n\t"
        "xchg %%rbp, %%r12\n\t"
        "neg %%rbp\n\t"
        "mov %%rbp, (%[r])\n\t"
        "mov %%r8, 8(%[r])\n\t"
        "mov %%r12, 16(%[r])\n\t"
        "pop %%rbp\n\t"
        "add $128, %%rsp\n\t"
        :
        : [s] "D"(seed), [m] "S"(mem), [r] "b"(res)
        : "rax", "rcx", "rdx", "r8", "r12", "memory", "cc");
    harness_note("rbp", res[0]);
    harness_note("r8", res[1]);
    harness_note("r12", res[2]);
    harness_note("mem0", mem[0]);
}

/* Targets reached by indirect calls, each changing rbp or r8 and reading
 * rbp. */
HARNESS_TARGETS(rbp, r8)

static uint64_t indirect(uint64_t seed)
{
    static void (*const table[])(void) = { t_add, t_mul, t_rot };
    uint64_t out[2];
    __asm__ volatile(
        "sub $128, %%rsp\n\t"
        "push %%rbp\n\t"
        "mov %[s], %%rbp\n\t"
        "lea 1(%[s]), %%r8\n\t"
        "mov $0, %%ecx\n"
        "1:\n\t"
        HARNESS_ASM_CALL3
        "add %%rcx, %%rbp\n\t"
        "inc %%ecx\n\t"
        "cmp $40, %%ecx\n\t"
        "jne 1b\n\t"
        "mov %%rbp, (%[r])\n\t"
        "mov %%r8, 8(%[r])\n\t"
        "pop %%rbp\n\t"
        "add $128, %%rsp\n\t"
        :
        : [s] "D"(seed), [t] "S"(table), [r] "b"(out)
        : "rax", "rcx", "rdx", "r8", "memory", "cc");
    return out[0] ^ out[1] * 7;
}

/* rbp live across vector ops (some go through helpers on some hosts). */
static uint64_t vector(uint64_t seed)
{
    uint64_t out;
    __asm__ volatile(
        "sub $128, %%rsp\n\t"
        "push %%rbp\n\t"
        "mov %[s], %%rbp\n\t"
        "movq %%rbp, %%xmm1\n\t"
        "pshufd $0x1b, %%xmm1, %%xmm2\n\t"
        "aesenc %%xmm1, %%xmm2\n\t"
        "pclmulqdq $0, %%xmm1, %%xmm2\n\t"
        "add $5, %%rbp\n\t"
        "crc32q %%rbp, %%rbp\n\t"
        "cvtsi2sd %%rbp, %%xmm3\n\t"
        "sqrtsd %%xmm3, %%xmm3\n\t"
        "roundsd $1, %%xmm3, %%xmm3\n\t"
        "cvttsd2si %%xmm3, %%rax\n\t"
        "movq %%xmm2, %%rdx\n\t"
        "xor %%rdx, %%rbp\n\t"
        "add %%rax, %%rbp\n\t"
        "mov %%rbp, (%[r])\n\t"
        "pop %%rbp\n\t"
        "add $128, %%rsp\n\t"
        :
        : [s] "D"(seed), [r] "b"(&out)
        : "rax", "rdx", "xmm1", "xmm2", "xmm3", "memory", "cc");
    return out;
}

/* Faults with rbp just changed: the handler sees it (and r8, r13) in its
 * ucontext, adds to rbp there and skips the faulting 4-byte load. */
static volatile uint8_t *page;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("fault      rbp %016llx r8 %016llx r13 %016llx at +%lx\n",
           (unsigned long long)g[REG_RBP], (unsigned long long)g[REG_R8],
           (unsigned long long)g[REG_R13], (unsigned long)((uintptr_t)si->si_addr - (uintptr_t)page));
    g[REG_RBP] += 0x1000;
    g[REG_RIP] += 4;                    /* mov 0x40(%rsi), %eax: 8b 46 40 + pad */
}

static uint64_t faults(uint64_t seed)
{
    uint64_t out;
    __asm__ volatile(
        "sub $128, %%rsp\n\t"
        "push %%rbp\n\t"
        "mov %[s], %%rbp\n\t"
        "lea 1(%%rbp), %%r8\n\t"
        "mov %%rbp, %%r13\n\t"
        "add $0x77, %%rbp\n\t"
        "shl $3, %%r13\n\t"
        ".byte 0x8b, 0x46, 0x40, 0x90\n\t"     /* mov 0x40(%rsi), %eax; nop */
        "add %%r8, %%rbp\n\t"
        "sub $9, %%rbp\n\t"
        "jmp 1f\n"
        "1:\n\t"
        ".byte 0x8b, 0x46, 0x48, 0x90\n\t"     /* the block's first insn faults */
        "imul $5, %%rbp, %%rbp\n\t"
        "mov %%rbp, (%[r])\n\t"
        "pop %%rbp\n\t"
        "add $128, %%rsp\n\t"
        :
        : [s] "D"(seed), "S"(page), [r] "b"(&out)
        : "rax", "r8", "r13", "memory", "cc");
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
