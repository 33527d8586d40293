/* fault_pushpop.c -- runs of pushes and pops whose first, second or third
 * access faults, at page boundaries in every order (the AArch64 host runs
 * two of them as one stp/ldp): the handler sees rip, rsp, the popped
 * registers, the flags, si_addr and si_code of the access that faults
 * first in program order, and the stack slots the pushes before it
 * wrote.  Not printed: the slot below a push whose own slot faults
 * (the AArch64 host's pair may have written it; nothing can read it but
 * a program that reads below its stack pointer after the fault). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "fault_signals.h"

#define PAGE 4096

/* Each case sets rsp to rdi, the registers and the flags, then (in a block
 * of its own, so that rsp is the register the accesses use and update)
 * pushes or pops; ud2 if nothing faulted. */
#define SET_REGS \
    "mov $0x1111, %rbx\n\t" "mov $0x2222, %r12\n\t" "mov $0x3333, %r13\n\t" \
    "mov $0x4444, %r14\n\t" "mov $0x5555, %r15\n\t" "mov %rdi, %rsp\n\t" "cmp $7, %r14\n\t" \
    "jmp 1f\n1:\n\t"
__asm__(".text\n"
        ".globl pp_push2\npp_push2:\n\t" SET_REGS "push %rbx\n\tpush %r12\n\tud2\n"
        ".globl pp_push3\npp_push3:\n\t" SET_REGS "push %rbx\n\tpush %r12\n\tpush %r13\n\tud2\n"
        ".globl pp_push6\npp_push6:\n\t" SET_REGS "push %rbx\n\tpush %r12\n\tpush %r13\n\t"
        "push %r14\n\tpush %r15\n\tpush %rbx\n\tud2\n"
        ".globl pp_pop2\npp_pop2:\n\t" SET_REGS "pop %rbx\n\tpop %r12\n\tud2\n"
        ".globl pp_pop3\npp_pop3:\n\t" SET_REGS "pop %rbx\n\tpop %r12\n\tpop %r13\n\tud2\n"
        ".globl pp_pop6\npp_pop6:\n\t" SET_REGS "pop %rbx\n\tpop %r12\n\tpop %r13\n\t"
        "pop %r14\n\tpop %r15\n\tpop %rbx\n\tud2\n"
        ".globl pp_popret\npp_popret:\n\t" SET_REGS "pop %rbx\n\tret\n");
void pp_push2(uint64_t sp), pp_push3(uint64_t sp), pp_push6(uint64_t sp);
void pp_pop2(uint64_t sp), pp_pop3(uint64_t sp), pp_pop6(uint64_t sp), pp_popret(uint64_t sp);

static sigjmp_buf back;
static ucontext_t seen;
static siginfo_t seen_si;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    seen = *(ucontext_t *)ctx;
    seen_si = *si;
    siglongjmp(back, sig);
}

static uint8_t *region;         /* pages: rw, none, rw, none */

static void run(const char *name, void (*fn)(uint64_t), uint64_t sp)
{
    for (int k = 0; k < 4; k += 2)
        for (int j = 0; j < PAGE / 8; j++)
            ((uint64_t *)(region + k * PAGE))[j] = 0xa000 + (uint64_t)(k * PAGE / 8 + j);
    int sig = sigsetjmp(back, 1);
    if (!sig)
        fn(sp);
    greg_t *g = seen.uc_mcontext.gregs;
    printf("%-22s sig %d rip +%lld rsp %+lld rbx %llx r12 %llx r13 %llx r14 %llx r15 %llx "
           "flags %llx", name, sig, (long long)(g[REG_RIP] - (greg_t)(uintptr_t)fn),
           (long long)(g[REG_RSP] - (greg_t)sp), (long long)g[REG_RBX], (long long)g[REG_R12],
           (long long)g[REG_R13], (long long)g[REG_R14], (long long)g[REG_R15],
           (long long)(g[REG_EFL] & 0x8d5));
    if (sig == SIGSEGV)
        printf(" addr %+lld code %d", (long long)((uint8_t *)seen_si.si_addr - (uint8_t *)sp),
               seen_si.si_code);
    printf("\n");
}

/* The slots [sp - 8 * n, sp) that are mapped, as the case left them. */
static void slots(uint64_t sp, int n)
{
    for (int k = 1; k <= n; k++) {
        uint64_t a = sp - 8 * (uint64_t)k;
        uint64_t page = (a - (uint64_t)(uintptr_t)region) / PAGE;
        if (page < 4 && page % 2 == 0)
            printf("  [sp-%d] %llx\n", 8 * k, (unsigned long long)*(uint64_t *)(uintptr_t)a);
    }
}

int main(void)
{
    fault_signals_catch(on_fault);      /* on an alternate stack: rsp points into the test pages */
    region = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        return 1;
    mprotect(region + PAGE, PAGE, PROT_NONE);
    mprotect(region + 3 * PAGE, PAGE, PROT_NONE);
    uint64_t r = (uint64_t)(uintptr_t)region;
    uint64_t down = r + PAGE, up = r + 2 * PAGE;  /* rw below none; none below rw */

    struct { const char *name; void (*fn)(uint64_t); uint64_t sp; int pushed; } cases[] = {
        { "push2 both bad", pp_push2, down + 0x800, 0 },
        { "push2 first bad", pp_push2, down + 8, 0 },
        { "push2 second bad", pp_push2, up + 8, 1 },
        { "push2 fine", pp_push2, up + 0x800, 2 },
        { "push3 third bad", pp_push3, up + 16, 2 },
        { "push6 fourth bad", pp_push6, up + 24, 3 },
        { "push6 fifth bad", pp_push6, up + 32, 4 },
        { "push6 sixth bad", pp_push6, up + 40, 5 },
        { "push6 first bad", pp_push6, down + 8, 0 },
        { "pop2 both bad", pp_pop2, down + 0x800, 0 },
        { "pop2 first bad", pp_pop2, up - 8, 0 },
        { "pop2 second bad", pp_pop2, down - 8, 0 },
        { "pop2 fine", pp_pop2, r + 0x800, 0 },
        { "pop3 third bad", pp_pop3, down - 16, 0 },
        { "pop6 fourth bad", pp_pop6, down - 24, 0 },
        { "pop6 fifth bad", pp_pop6, down - 32, 0 },
        { "pop6 sixth bad", pp_pop6, down - 40, 0 },
        { "pop6 second bad", pp_pop6, down - 8, 0 },
        { "pop, ret bad", pp_popret, down - 8, 0 },
        { "pop bad, ret", pp_popret, up - 8, 0 },
    };
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        run(cases[k].name, cases[k].fn, cases[k].sp);
        slots(cases[k].sp, cases[k].pushed);
    }
    return 0;
}
