/* flags_jc_dead.c -- flags left by a block that leaves through `jmp
 * *reg` / `call *reg`, where ferry's x86-64 host skips their lazy stores
 * when the target's jump-cache entry says its incoming flags are dead
 * (the entry's dead field, tr_block.flags_dead_in): every target that
 * reads them must still get them, compared with native.
 *   - two targets whose pcs share a jump-cache entry (4095 bytes apart
 *     across a page: (pc + (pc >> 12)) & 0xfff is the same), one that
 *     overwrites the flags first and one that reads CF and ZF first,
 *     taken in turns from one `cmp; jmp *%rax`: each fill of the
 *     entry must leave its dead field right (a stale one would skip the
 *     stores for the reader, or enter the other block);
 *   - a target that reads them behind a direct jmp (`jmp 1f; 1: adc`),
 *     and a callee reached by `call *%rax` whose first insn is `sbb`;
 *   - a precise target (a SIGSEGV handler is installed) whose first insn
 *     faults before its cmp: the handler checks REG_EFL against the
 *     flags of the cmp before the jump, and skips the load;
 *   - a loop whose `cmp A; jmp *%rax` leads to `mov; cmp B` under a 200 us
 *     SIGALRM: the handler checks REG_EFL against A or B by where it
 *     landed (async_flags.c's shape through an indirect jump).
 * Prints sums and whether any handler saw wrong flags. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "async_cases.h"

extern char jc_dead[], jc_read[];
uint64_t jc_pair(uint64_t a, uint64_t b, void *to);
uint64_t jc_behind(uint64_t a, uint64_t b);
uint64_t jc_call(uint64_t a, uint64_t b);
uint64_t jc_fault(uint64_t a, uint64_t b);
extern char jf_load[], jf_after[];
extern char a_spin[], a_b[], a_end[];
void a_loop(void);
volatile int a_stop;

/* jc_pair(a, b, to): cmp b, a; jmp *to.  jc_dead overwrites the flags
 * (cmp a, b) before reading them; jc_read reads CF (sbb) and ZF (setz)
 * first.  Both return a value in rax made from what they read. */
__asm__(".text\n"
        ".globl jc_pair, jc_dead, jc_read\n"
        ".p2align 12\n"
        "  nop\n"
        "jc_dead:\n"
        "  cmp %rdi, %rsi\n"
        "  sbb %rax, %rax\n"
        "  setz %cl\n"
        "  movzbl %cl, %ecx\n"
        "  lea 100(%rax,%rcx,2), %rax\n"
        "  ret\n"
        "jc_pair:\n"
        "  mov %rdx, %rax\n"
        "  cmp %rsi, %rdi\n"
        "  jmp *%rax\n"
        "  .skip 4095 - (. - jc_dead)\n"
        "jc_read:\n"
        "  sbb %rax, %rax\n"
        "  setz %cl\n"
        "  movzbl %cl, %ecx\n"
        "  lea 200(%rax,%rcx,2), %rax\n"
        "  ret\n"
        /* a reader behind a direct jmp */
        ".globl jc_behind\n"
        "jc_behind:\n"
        "  lea 1f(%rip), %rax\n"
        "  cmp %rdi, %rsi\n"
        "  jmp *%rax\n"
        "1:\n"
        "  jmp 2f\n"
        "2:\n"
        "  mov $7, %eax\n"
        "  adc $0, %rax\n"
        "  ret\n"
        /* a callee whose first insn reads CF */
        ".globl jc_call\n"
        "jc_call:\n"
        "  lea jc_callee(%rip), %rax\n"
        "  sub $3, %rdi\n"
        "  call *%rax\n"
        "  ret\n"
        "jc_callee:\n"
        "  sbb %rax, %rax\n"
        "  ret\n"
        /* a precise target whose first insn faults (rdx = 0) */
        ".globl jc_fault, jf_load, jf_after\n"
        "jc_fault:\n"
        "  lea jf_load(%rip), %rax\n"
        "  xor %edx, %edx\n"
        "  cmp %rsi, %rdi\n"
        "  jmp *%rax\n"
        "jf_load:\n"
        "  mov (%rdx), %rcx\n"
        "jf_after:\n"
        "  cmp %rdi, %rsi\n"
        "  setc %al\n"
        "  movzbl %al, %eax\n"
        "  ret\n"
        /* A: cmp r9, r8 (r8 - r9); B: cmp r8, r9, behind jmp *rax */
        ".globl a_loop, a_spin, a_b, a_end\n"
        "a_loop:\n"
        "  mov $1, %r8\n  mov $2, %r9\n"
        "  lea 1f(%rip), %rax\n"
        "a_spin:\n"
        "  cmp %r9, %r8\n"
        "  jmp *%rax\n"
        "1:\n"
        "  mov a_stop(%rip), %ecx\n"
        "a_b:\n"
        "  cmp %r8, %r9\n"
        "  jrcxz a_spin\n"
        "a_end:\n"
        "  ret\n");

static volatile unsigned long faults, fault_bad;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    unsigned long efl = (unsigned long)g[REG_EFL] & ARITH;
    faults++;
    fault_bad += (uintptr_t)g[REG_RIP] != (uintptr_t)jf_load ||
                 efl != flags_cmp((unsigned long)g[REG_RDI], (unsigned long)g[REG_RSI]);
    g[REG_RIP] = (greg_t)(uintptr_t)jf_after;
}

static volatile struct landings tally;

static void on_alarm(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    uintptr_t ip = (uintptr_t)g[REG_RIP];
    unsigned long r8 = g[REG_R8], r9 = g[REG_R9], want = 0;
    int in = 1;
    if (dead_flag_in(ip, a_spin, a_b))
        want = flags_cmp(r8, r9);
    else if ((ip > (uintptr_t)a_b && ip < (uintptr_t)a_end) || ip == (uintptr_t)a_spin)
        want = flags_cmp(r9, r8);
    else
        in = 0;
    if (landed(&tally, in, (unsigned long)g[REG_EFL] & ARITH, want))
        a_stop = 1;
}


int main(void)
{
    uint64_t sum = 0, sum2 = 0;
    for (int round = 0; round < 2000; round++)
        for (unsigned i = 0; i < FLAG_NV; i++)
            for (unsigned j = 0; j < FLAG_NV; j++) {
                void *to = ((round >> 2) ^ (j == 3)) & 1 ? (void *)jc_read : (void *)jc_dead;
                sum = sum * 31 + jc_pair(flag_vals[i], flag_vals[j], to);
                sum2 = sum2 * 31 + jc_behind(flag_vals[i], flag_vals[j]) + 3 * jc_call(flag_vals[i], flag_vals[j]);
            }
    printf("pair %016llx behind/call %016llx\n", (unsigned long long)sum, (unsigned long long)sum2);

    on_signal(SIGSEGV, on_segv);
    uint64_t fs = fault_sweep(jc_fault);
    printf("fault %016llx: %lu faults, %s\n", (unsigned long long)fs, faults,
           fault_bad ? "wrong flags" : "flags as the CPU's");

    landings_start(&tally, 1000, on_alarm, 200);
    a_loop();
    set_timer(0);
    printf("async through jmp *reg: %s\n", tally.bad ? "wrong flags" : "flags as the CPU's");
    return 0;
}
