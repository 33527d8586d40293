/* flags_ras_lazy.c -- flags a callee leaves at its `ret`, through the
 * return-address stack's hit and miss paths: every reader must get them,
 * compared with native (written for session 37's branch flagret, which
 * left them unstored on a hit -- not in main, docs/status.md -- and kept
 * as the pin for any such cut; main's decoder crashed ferry at the ret to
 * 0xffffffffffffffff below).
 *   - continuations that read the callee's cmp flags first (sbb/setz,
 *     pushf, jc), one through `call *%rax`, one behind its own `pop; ret`
 *     to a reading grand-caller, and one that overwrites them first;
 *   - a callee that rewrites its return address to a reader (the ret
 *     misses the stack and goes through the jump cache);
 *   - with a SIGSEGV handler installed, a continuation whose first insn
 *     faults: the handler checks REG_EFL against the callee's cmp;
 *   - rets right after a system call (only the stack's base entry, pc -1,
 *     left) to 0xffffffffffffffff, to two non-canonical targets and to one
 *     that is the caller's return pc with bit 63 flipped: the handler
 *     checks REG_EFL and prints where it stopped (RIP at the ret for a
 *     #GP, at the target for a fetch fault) and the stack's depth;
 *   - a loop `call; cmp A; ret` into `mov; cmp B` under a 200 us SIGALRM:
 *     the handler checks REG_EFL against A or B by where it landed.
 * Prints sums, the faults' places, and whether any handler saw wrong
 * flags. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "async_cases.h"

uint64_t r_read(uint64_t a, uint64_t b);
uint64_t r_pushf(uint64_t a, uint64_t b);
uint64_t r_jc(uint64_t a, uint64_t b);
uint64_t r_indirect(uint64_t a, uint64_t b);
uint64_t r_grand(uint64_t a, uint64_t b);
uint64_t r_dead(uint64_t a, uint64_t b);
uint64_t r_rewrite(uint64_t a, uint64_t b);
uint64_t r_fault(uint64_t a, uint64_t b);
extern char rf_load[], rf_after[];
void nc_ret(uint64_t target, uint64_t a, uint64_t b);
void nc_own(uint64_t a, uint64_t b);
extern char nc_at[], nc_own_at[], nc_own_back[], nc_back[];
extern char a_call[], a_cont[], a_b[], a_end[], a_callee[], a_cret[];
void a_loop(void);
volatile int a_stop;
uint64_t nc_saved_rsp;

__asm__(".text\n"
        /* callee: cmp b, a (a - b) and return with its flags */
        "r_cmp:\n"
        "  cmp %rsi, %rdi\n"
        "  ret\n"
        ".globl r_read\n"
        "r_read:\n"
        "  call r_cmp\n"
        "  sbb %rax, %rax\n"
        "  setz %cl\n"
        "  movzbl %cl, %ecx\n"
        "  lea 100(%rax,%rcx,2), %rax\n"
        "  ret\n"
        ".globl r_pushf\n"
        "r_pushf:\n"
        "  call r_cmp\n"
        "  pushfq\n"
        "  pop %rax\n"
        "  and $0x8d5, %eax\n"
        "  ret\n"
        ".globl r_jc\n"
        "r_jc:\n"
        "  call r_cmp\n"
        "  mov $3, %eax\n"
        "  jc 1f\n"
        "  mov $4, %eax\n"
        "1:\n"
        "  ret\n"
        ".globl r_indirect\n"
        "r_indirect:\n"
        "  lea r_cmp(%rip), %rax\n"
        "  call *%rax\n"
        "  setl %al\n"
        "  seto %cl\n"
        "  movzbl %al, %eax\n"
        "  movzbl %cl, %ecx\n"
        "  lea (%rax,%rcx,4), %rax\n"
        "  ret\n"
        /* the flags pass through r_pass's `pop; ret` to a reading caller */
        "r_pass:\n"
        "  push %rbx\n"
        "  call r_cmp\n"
        "  pop %rbx\n"
        "  ret\n"
        ".globl r_grand\n"
        "r_grand:\n"
        "  call r_pass\n"
        "  seta %al\n"
        "  sets %cl\n"
        "  movzbl %al, %eax\n"
        "  movzbl %cl, %ecx\n"
        "  lea (%rax,%rcx,2), %rax\n"
        "  ret\n"
        ".globl r_dead\n"
        "r_dead:\n"
        "  call r_cmp\n"
        "  cmp %rdi, %rsi\n"
        "  sbb %rax, %rax\n"
        "  ret\n"
        /* the callee returns to r_rw_reader instead */
        ".globl r_rewrite\n"
        "r_rewrite:\n"
        "  call r_rw_callee\n"
        "  mov $9, %eax\n"
        "  ret\n"
        "r_rw_callee:\n"
        "  lea r_rw_reader(%rip), %rax\n"
        "  mov %rax, (%rsp)\n"
        "  cmp %rsi, %rdi\n"
        "  ret\n"
        "r_rw_reader:\n"
        "  setbe %al\n"
        "  movzbl %al, %eax\n"
        "  add $20, %eax\n"
        "  ret\n"
        /* a precise continuation whose first insn faults (rdx = 0) */
        ".globl r_fault, rf_load, rf_after\n"
        "r_fault:\n"
        "  xor %edx, %edx\n"
        "  call r_cmp\n"
        "rf_load:\n"
        "  mov (%rdx), %rcx\n"
        "rf_after:\n"
        "  cmp %rdi, %rsi\n"
        "  setc %al\n"
        "  movzbl %al, %eax\n"
        "  ret\n"
        /* nc_ret(target, a, b): a system call, then ret to target with the
         * flags of cmp b, a; the handler resumes at nc_back */
        ".globl nc_ret, nc_at, nc_back\n"
        "nc_ret:\n"
        "  mov %rsp, nc_saved_rsp(%rip)\n"
        "  push %rdi\n"
        "  xor %eax, %eax\n"
        "  mov $39, %eax\n"             /* getpid */
        "  syscall\n"
        "  cmp %rdx, %rsi\n"
        "nc_at:\n"
        "  ret\n"
        "nc_back:\n"
        "  mov nc_saved_rsp(%rip), %rsp\n"
        "  ret\n"
        /* nc_own(a, b): ret to its own return pc with bit 63 flipped */
        ".globl nc_own, nc_own_at, nc_own_back\n"
        "nc_own:\n"
        "  mov %rsp, nc_saved_rsp(%rip)\n"
        "  btcq $63, (%rsp)\n"
        "  mov %rdi, %rsi\n"
        "  mov %rdi, %rdx\n"
        "  not %rdx\n"
        "  cmp %rdx, %rsi\n"
        "nc_own_at:\n"
        "  ret\n"
        "nc_own_back:\n"
        "  btcq $63, (%rsp)\n"
        "  ret\n"
        /* A: cmp r9, r8 in the callee; B: cmp r8, r9 in the continuation */
        ".globl a_loop, a_call, a_cont, a_b, a_end, a_callee, a_cret\n"
        "a_loop:\n"
        "  mov $1, %r8\n  mov $2, %r9\n"
        "a_call:\n"
        "  call a_callee\n"
        "a_cont:\n"
        "  mov a_stop(%rip), %ecx\n"
        "a_b:\n"
        "  cmp %r8, %r9\n"
        "  jrcxz a_call\n"
        "a_end:\n"
        "  ret\n"
        "a_callee:\n"
        "  cmp %r9, %r8\n"
        "a_cret:\n"
        "  ret\n");

static volatile unsigned long hits, bad, outside, want_hits, faults, fault_bad;
static volatile unsigned long nc_efl_bad;
static volatile long nc_where, nc_depth;
static volatile uint64_t nc_a, nc_b, nc_target;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    unsigned long efl = (unsigned long)g[REG_EFL] & ARITH;
    uintptr_t ip = (uintptr_t)g[REG_RIP];
    if (ip == (uintptr_t)rf_load) {
        faults++;
        fault_bad += efl != flags_cmp((unsigned long)g[REG_RDI], (unsigned long)g[REG_RSI]);
        g[REG_RIP] = (greg_t)(uintptr_t)rf_after;
        return;
    }
    /* a ret to nc_target: stopped at the ret (1), at the target (2) */
    nc_where = ip == (uintptr_t)nc_at || ip == (uintptr_t)nc_own_at ? 1 : ip == nc_target ? 2 : 3;
    nc_depth = (long)(nc_saved_rsp - (uint64_t)g[REG_RSP]);
    nc_efl_bad += efl != flags_cmp(nc_a, nc_b);
    g[REG_RIP] = (greg_t)(uintptr_t)(ip == (uintptr_t)nc_own_at ? nc_own_back : nc_back);
}

static void on_alarm(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    uintptr_t ip = (uintptr_t)g[REG_RIP];
    unsigned long efl = (unsigned long)g[REG_EFL] & ARITH, r8 = g[REG_R8], r9 = g[REG_R9];
    unsigned long want;
    if (ip == (uintptr_t)a_cret || (ip >= (uintptr_t)a_cont && ip <= (uintptr_t)a_b))
        want = flags_cmp(r8, r9);       /* after the callee's cmp r9, r8 */
    else if ((ip > (uintptr_t)a_b && ip <= (uintptr_t)a_end) || ip == (uintptr_t)a_call ||
             ip == (uintptr_t)a_callee)
        want = flags_cmp(r9, r8);       /* after the continuation's cmp r8, r9 */
    else {
        outside++;
        return;
    }
    hits++;
    bad += efl != want;
    if (hits >= want_hits)
        a_stop = 1;
}


static void nc_case(const char *name, uint64_t target, uint64_t a, uint64_t b)
{
    nc_a = a, nc_b = b, nc_target = target, nc_where = 0, nc_efl_bad = 0;
    nc_ret(target, a, b);
    printf("ret to %s: stopped %s, %ld bytes pushed, %s\n", name,
           nc_where == 1 ? "at the ret" : nc_where == 2 ? "at the target" : "elsewhere",
           nc_depth, nc_efl_bad ? "wrong flags" : "flags as the CPU's");
}

int main(void)
{
    uint64_t sum = 0, sum2 = 0;
    for (int round = 0; round < 300; round++)
        for (unsigned i = 0; i < FLAG_NV; i++)
            for (unsigned j = 0; j < FLAG_NV; j++) {
                uint64_t a = flag_vals[i], b = flag_vals[(j + round) % FLAG_NV];
                sum = sum * 31 + r_read(a, b) + 5 * r_pushf(a, b) + 7 * r_jc(a, b);
                sum2 = sum2 * 31 + r_indirect(a, b) + 3 * r_grand(a, b) + 11 * r_dead(a, b) +
                       13 * r_rewrite(a, b);
            }
    printf("readers %016llx others %016llx\n", (unsigned long long)sum, (unsigned long long)sum2);

    on_signal(SIGSEGV, on_segv);
    uint64_t fs = fault_sweep(r_fault);
    printf("fault %016llx: %lu faults, %s\n", (unsigned long long)fs, faults,
           fault_bad ? "wrong flags" : "flags as the CPU's");

    nc_case("0xffffffffffffffff", ~0ull, 1, 2);
    nc_case("0xffffffffffffffff", ~0ull, 2, 1);
    nc_case("0x8000000000000000", 0x8000000000000000ull, 5, 5);
    nc_case("0x0000800000000000", 0x0000800000000000ull, 0, 0x8000000000000000ull);
    for (unsigned i = 0; i < 3; i++) {
        nc_a = flag_vals[i + 3], nc_b = ~flag_vals[i + 3], nc_target = 0, nc_where = 0, nc_efl_bad = 0;
        nc_own(flag_vals[i + 3], 0);
        printf("ret to its own return pc ^ 2^63: stopped %s, %ld bytes pushed, %s\n",
               nc_where == 1 ? "at the ret" : "elsewhere", nc_depth,
               nc_efl_bad ? "wrong flags" : "flags as the CPU's");
    }

    want_hits = 1000;
    on_signal(SIGALRM, on_alarm);
    set_timer(200);
    a_loop();
    set_timer(0);
    printf("async through ret: %s\n", bad ? "wrong flags" : "flags as the CPU's");
    return 0;
}
