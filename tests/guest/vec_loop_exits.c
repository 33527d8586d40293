/* vec_loop_exits.c -- SSE loops that jump back to their own start (a
 * chained self-loop: one block whose back edge is a chain slot to itself),
 * whose xmm registers are written every pass and live out of the loop,
 * and every way such a loop is left or seen from outside: by the exit
 * after its back edge, by a conditional exit in the middle of its body,
 * by the top-tested exit of a loop closed with `jmp`, read by a helper
 * (pcmpistri) before the pass overwrites it, entered again from
 * outside with other register values, by a fault in its Nth pass (the
 * frame's xmm0-xmm3 and rip; in its third pass too, the loop's back
 * edge then still on its stub; a store that crosses into the unmapped
 * page, of which x86 writes nothing), by asynchronous signals while it spins (the
 * frame's xmm0 must match the pass counter in rcx wherever the signal
 * lands; one closed by `jmp` alone, left by the handler's siglongjmp)
 * and by single-stepping it (every step's xmm0/xmm2).  What a
 * write-back across the loop's back edge (keeping a dirty xmm register in
 * its host register around the loop, stored only where the loop is left)
 * would have to get right at each of these.  Output compared to native. */
//@cflags: -msse4.2
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>
#include "signal_cases.h"

static double dst[64] __attribute__((aligned(16))), src[64] __attribute__((aligned(16)));
static const double scale[2] = { 1.5, -0.25 };
static uint32_t out[4][4];

static void fill(void)
{
    for (int k = 0; k < 64; k++) {
        dst[k] = k * 0.5 - 3;
        src[k] = (k % 7) * 1.25 + 1;
    }
}

static void print_out(const char *name)
{
    printf("%s\n", name);
    for (int r = 0; r < 4; r++)
        printf("  x%d %08x %08x %08x %08x\n", r, out[r][0], out[r][1], out[r][2], out[r][3]);
    double sum = 0;
    for (int k = 0; k < 64; k++)
        sum += dst[k] * (k % 5 - 2);
    printf("  sum %.6f\n", sum);
}

#define SAVE_OUT "movdqu %%xmm0, (%[o])\n\tmovdqu %%xmm1, 16(%[o])\n\t"             \
                 "movdqu %%xmm2, 32(%[o])\n\tmovdqu %%xmm3, 48(%[o])\n\t"
#define CLOBBERS "rax", "rcx", "xmm0", "xmm1", "xmm2", "xmm3", "memory", "cc"

/* matmul's inner loop: xmm0 and xmm2 written in full on every pass
 * before they are read; left by the exit behind the back edge.  xmm3 is
 * set before the loop and only read in it. */
static void fallthrough(int bytes, uint32_t seed)
{
    __asm__ volatile("movd %[s], %%xmm0\n\tpshufd $0, %%xmm0, %%xmm2\n\tpaddd %%xmm2, %%xmm0\n\t"
                     "movupd (%[k]), %%xmm1\n\tmovdqa %%xmm2, %%xmm3\n\txor %%eax, %%eax\n"
                     "1:\n\tmovupd (%[d],%%rax), %%xmm0\n\tmovupd (%[r],%%rax), %%xmm2\n\t"
                     "mulpd %%xmm1, %%xmm2\n\taddpd %%xmm2, %%xmm0\n\tmovups %%xmm0, (%[d],%%rax)\n\t"
                     "add $16, %%rax\n\tcmp %q[n], %%rax\n\tjne 1b\n\t" SAVE_OUT
                     : : [d] "r"(dst), [r] "r"(src), [k] "r"(scale), [n] "r"((long)bytes),
                         [s] "r"(seed), [o] "r"(out)
                     : CLOBBERS);
}

/* The same with a conditional exit in the middle, taken in pass `stop`
 * (after xmm0 and xmm2 were written, before the store). */
static void early_exit(long stop)
{
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpcmpeqd %%xmm2, %%xmm2\n\t"
                     "movupd (%[k]), %%xmm1\n\tpxor %%xmm3, %%xmm3\n\txor %%eax, %%eax\n"
                     "1:\n\tmovupd (%[d],%%rax), %%xmm0\n\tmovupd (%[r],%%rax), %%xmm2\n\t"
                     "mulpd %%xmm1, %%xmm2\n\taddpd %%xmm2, %%xmm0\n\tcmp %[e], %%rax\n\tje 2f\n\t"
                     "movups %%xmm0, (%[d],%%rax)\n\tpaddd %%xmm0, %%xmm3\n\t"
                     "add $16, %%rax\n\tcmp $512, %%rax\n\tjne 1b\n2:\n\t" SAVE_OUT
                     : : [d] "r"(dst), [r] "r"(src), [k] "r"(scale), [e] "r"(stop * 16), [o] "r"(out)
                     : CLOBBERS);
}

/* Tested at the top, closed by `jmp`: the back edge is the block's
 * unconditional exit. */
static void jmp_back(void)
{
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm2, %%xmm2\n\t"
                     "movupd (%[k]), %%xmm1\n\tpcmpeqd %%xmm3, %%xmm3\n\txor %%eax, %%eax\n"
                     "1:\n\tcmp $496, %%rax\n\tje 2f\n\t"
                     "movupd (%[r],%%rax), %%xmm2\n\tmovapd %%xmm2, %%xmm0\n\tmulpd %%xmm1, %%xmm0\n\t"
                     "subpd %%xmm0, %%xmm2\n\tmovups %%xmm2, (%[d],%%rax)\n\tadd $16, %%rax\n\tjmp 1b\n"
                     "2:\n\t" SAVE_OUT
                     : : [d] "r"(dst), [r] "r"(src), [k] "r"(scale), [o] "r"(out)
                     : CLOBBERS);
}

/* A helper (pcmpistri's ordered compare) reads xmm0 from env before the
 * pass overwrites it: it must see the last pass's value. */
static void helper_in_loop(void)
{
    long acc;
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tmovdqu (%[r]), %%xmm1\n\txor %%eax, %%eax\n\t"
                     "pxor %%xmm2, %%xmm2\n\tpcmpeqd %%xmm3, %%xmm3\n\t"
                     "xor %%edx, %%edx\n"
                     "1:\n\tpcmpistri $0x0c, %%xmm0, %%xmm1\n\tlea 1(%%rdx,%%rcx,4), %%rdx\n\t"
                     "movdqu (%[r],%%rax), %%xmm0\n\tpaddb %%xmm0, %%xmm1\n\t"
                     "add $16, %%rax\n\tcmp $512, %%rax\n\tjne 1b\n\t" SAVE_OUT
                     : "=&d"(acc) : [r] "r"(src), [o] "r"(out) : CLOBBERS);
    print_out("helper_in_loop");
    printf("  acc %ld\n", acc);
}

/* ---- a fault in the loop's Nth pass ---- */

static uintptr_t case_fn;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    (void)si;
    signal_cases_print_xmm(uc, 4);
    printf("  rax %#llx rip fn+%#lx\n", (unsigned long long)uc->uc_mcontext.gregs[REG_RAX],
           (unsigned long)(uc->uc_mcontext.gregs[REG_RIP] - case_fn));
    siglongjmp(back, 1);
}

/* src's copy at the end of a page whose next page is unmapped: the loop
 * reads 16 bytes a pass from rsi + rax and faults when it crosses. */
static void fault_in_loop(const char *name, double *edge, int vst)
{
    printf("%s\n", name);
    case_fn = (uintptr_t)fault_in_loop;
    if (sigsetjmp(back, 1))
        return;
    if (vst)      /* the faulting access is the loop's store */
        __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm2, %%xmm2\n\tmovupd (%[k]), %%xmm1\n\t"
                         "pxor %%xmm3, %%xmm3\n\txor %%eax, %%eax\n"
                         "1:\n\tmovupd (%[r],%%rax), %%xmm0\n\tmovupd 16(%[r],%%rax), %%xmm2\n\t"
                         "mulpd %%xmm1, %%xmm2\n\taddpd %%xmm2, %%xmm0\n\tmovups %%xmm0, (%[e],%%rax)\n\t"
                         "add $16, %%rax\n\tcmp $4096, %%rax\n\tjne 1b\n\t"
                         : : [r] "r"(src), [e] "r"(edge), [k] "r"(scale) : CLOBBERS);
    else
        __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm2, %%xmm2\n\tmovupd (%[k]), %%xmm1\n\t"
                         "pxor %%xmm3, %%xmm3\n\txor %%eax, %%eax\n"
                         "1:\n\tmovupd (%[d],%%rax), %%xmm0\n\tmovupd (%[e],%%rax), %%xmm2\n\t"
                         "mulpd %%xmm1, %%xmm2\n\taddpd %%xmm2, %%xmm0\n\tmovups %%xmm0, (%[d],%%rax)\n\t"
                         "add $16, %%rax\n\tcmp $4096, %%rax\n\tjne 1b\n\t"
                         : : [d] "r"(dst), [e] "r"(edge), [k] "r"(scale) : CLOBBERS);
    printf("  no fault\n");
}

/* A loop closed by `jmp` alone whose load at its top faults in its third
 * pass (the second of its own block, entered after its back edge's first
 * way through its stub). */
static void fault_jmp_loop(const char *edge)
{
    printf("fault_jmp_loop\n");
    case_fn = (uintptr_t)fault_jmp_loop;
    if (sigsetjmp(back, 1))
        return;
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\t"
                     "pxor %%xmm3, %%xmm3\n\txor %%eax, %%eax\n\txor %%ecx, %%ecx\n"
                     "1:\n\tmov (%[e]), %%rax\n\tadd $8, %[e]\n\tmovq %%rcx, %%xmm0\n\t"
                     "paddq %%xmm0, %%xmm0\n\tmovdqa %%xmm0, %%xmm2\n\tadd $1, %%rcx\n\tjmp 1b\n\t"
                     : [e] "+r"(edge) : : CLOBBERS);
}

/* ---- asynchronous signals while the loop spins ---- */

static volatile int ticks, stop_flag, bad, forever;
/* the loops' code (the asm below) */
extern const char vle_spin_lo[], vle_spin_hi[], vle_ever_lo[], vle_ever_hi[];

/* Each pass: xmm0 = rcx (movq, in full), doubled, its copy in xmm2; then
 * rcx + 1.  Wherever a signal lands, xmm0's low quadword is rcx, 2 rcx or
 * 2 (rcx - 1) and its high one 0 (before the first pass: 0, rcx = 0);
 * outside the loop (the timer's first signal may come before it) it is
 * not looked at. */
static void on_alarm(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    (void)si;
    const uint32_t *x0 = uc->uc_mcontext.fpregs->_xmm[0].element;
    uint64_t lo = x0[0] | (uint64_t)x0[1] << 32, hi = x0[2] | (uint64_t)x0[3] << 32;
    uint64_t rcx = (uint64_t)uc->uc_mcontext.gregs[REG_RCX];
    uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    bool in_loop = (rip >= (uintptr_t)vle_spin_lo && rip <= (uintptr_t)vle_spin_hi) ||
                   (rip >= (uintptr_t)vle_ever_lo && rip <= (uintptr_t)vle_ever_hi);
    if (in_loop && (hi || (lo != rcx && lo != 2 * rcx && lo != 2 * (rcx - 1) && !(lo == 0 && rcx == 0))))
        bad++;
    if (++ticks == 5)
        stop_flag = 1;
    if (ticks == 5 && forever)
        siglongjmp(back, 1);
}

/* The timer: SIGALRM to on_alarm every 2 ms, or stopped. */
static void alarm_timer(int on)
{
    static const int sigs[] = { SIGALRM };
    if (on)
        signal_cases_catch(on_alarm, sigs, 1);
    struct itimerval t = { { 0, on ? 2000 : 0 }, { 0, on ? 2000 : 0 } };
    setitimer(ITIMER_REAL, &t, NULL);
}

/* The pass described above on_alarm, after its label LO; rcx and xmm0 start at 0. */
#define SPIN_PASS(lo) "pxor %%xmm0, %%xmm0\n\txor %%ecx, %%ecx\n.globl " lo "\n" lo ":\n"       \
                      "1:\n\tmovq %%rcx, %%xmm0\n\tpaddq %%xmm0, %%xmm0\n\tmovdqa %%xmm0, %%xmm2\n\t" \
                      "add $1, %%rcx\n\t"

static void async_spin(void)
{
    alarm_timer(1);
    __asm__ volatile(SPIN_PASS("vle_spin_lo") "cmpl $0, (%[f])\n\tje 1b\n"
                     ".globl vle_spin_hi\nvle_spin_hi:\n\t"
                     : : [f] "r"(&stop_flag) : CLOBBERS);
    alarm_timer(0);
    printf("async_spin ticks>=5 %d bad %d\n", ticks >= 5, bad);
}

/* The same loop closed by `jmp` alone (a block whose back edge is its
 * unconditional exit), left only by the handler's siglongjmp. */
static void spin_forever(void)
{
    ticks = bad = 0;
    forever = 1;
    if (!sigsetjmp(back, 1)) {
        alarm_timer(1);
        __asm__ volatile(SPIN_PASS("vle_ever_lo") "jmp 1b\n.globl vle_ever_hi\nvle_ever_hi:\n\t"
                         : : : CLOBBERS);
    }
    alarm_timer(0);
    forever = 0;
    printf("spin_forever ticks>=5 %d bad %d\n", ticks >= 5, bad);   /* (more may come before the timer stops) */
}

/* ---- single-stepping the loop ---- */

static uint64_t step_hash;
static int steps;

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    (void)si;
    const uint32_t *x0 = uc->uc_mcontext.fpregs->_xmm[0].element;
    const uint32_t *x2 = uc->uc_mcontext.fpregs->_xmm[2].element;
    for (int k = 0; k < 4; k++)
        step_hash = (step_hash ^ x0[k] ^ (uint64_t)x2[k] << 32) * 0x100000001b3ull;
    steps++;
}

static void single_step(void)
{
    static const int sigs[] = { SIGTRAP };
    signal_cases_catch(on_trap, sigs, 1);
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm2, %%xmm2\n\tmovupd (%[k]), %%xmm1\n\t"
                     "xor %%eax, %%eax\n\tpushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n"
                     "1:\n\tmovupd (%[d],%%rax), %%xmm0\n\tmovupd (%[r],%%rax), %%xmm2\n\t"
                     "mulpd %%xmm1, %%xmm2\n\taddpd %%xmm2, %%xmm0\n\tmovups %%xmm0, (%[d],%%rax)\n\t"
                     "add $16, %%rax\n\tcmp $64, %%rax\n\tjne 1b\n\t"
                     "pushfq\n\tandq $~0x100, (%%rsp)\n\tpopfq\n\t"
                     : : [d] "r"(dst), [r] "r"(src), [k] "r"(scale) : CLOBBERS);
    printf("single_step steps %d hash %016llx\n", steps, (unsigned long long)step_hash);
}

int main(void)
{
    fill();
    fallthrough(512, 7);
    print_out("fallthrough");
    for (uint32_t k = 1; k <= 3; k++) {         /* entered again, other values */
        fallthrough(16 * (int)k, k * 0x01010101u);
        print_out("fallthrough_again");
    }
    early_exit(5);
    print_out("early_exit_5");
    early_exit(0);
    print_out("early_exit_0");
    jmp_back();
    print_out("jmp_back");
    helper_in_loop();

    long page = sysconf(_SC_PAGESIZE);
    char *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two == MAP_FAILED)
        return 1;
    munmap(two + page, page);
    double *edge = (double *)(two + page - 16 * 5);     /* five passes fit */
    for (int k = 0; k < 10; k++)
        edge[k] = k * 0.75 + 0.5;
    static const int segv[] = { SIGSEGV };
    signal_cases_catch(on_segv, segv, 1);
    fill();
    /* first in its third pass: the block at the loop label runs from the
     * second, its back edge not chained yet (its stub) */
    fault_in_loop("fault_load_pass3", (double *)(two + page - 32), 0);
    fault_in_loop("fault_load", edge, 0);
    fault_in_loop("fault_store_pass3", (double *)(two + page - 32), 1);
    fault_in_loop("fault_store", edge, 1);
    /* The store crosses into the unmapped page in its sixth pass (8 bytes
     * below the edge, 8 above): x86 writes none of it.  The AArch64 host's
     * `str q` may write the part below, so its page-cross test (a64_vec.c
     * probe_page_cross, whose constant a self-loop builds before its loop
     * entry) must send it to the probes first. */
    unsigned char *below = (unsigned char *)two + page - 8;
    memset(below, 0xa5, 8);
    fault_in_loop("fault_store_cross", (double *)(two + page - 16 * 5 - 8), 1);
    printf("  below the edge:");
    for (int k = 0; k < 8; k++)
        printf(" %02x", below[k]);
    printf("\n");
    fault_jmp_loop(two + page - 16);

    fill();
    single_step();
    async_spin();
    spin_forever();
    return 0;
}
