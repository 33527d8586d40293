/* async_rep_flags.c -- the flags and string registers an asynchronous
 * signal's handler finds in uc_mcontext where a long `rep movsb` / `rep
 * stosq` lies between dead flags and the first instruction that writes
 * them all: `cmp A; jmp 1f`, then at 1: the string's registers, the rep
 * (64 KiB), and `cmp B; jrcxz back`.  Natively a timer's SIGALRM lands
 * anywhere, also inside the rep (rip at it, rcx partway); wherever it
 * lands, the saved flags are A's up to the end of the rep and B's after
 * cmp B, and the string's registers agree with each other (rcx plus the
 * elements done is the count; rsi and rdi moved by as many).  Each
 * handler checks those properties from the context's registers and
 * counts mismatches; the program prints only whether there were any.
 * ferry catches the signal at 1:'s entry, where the scan proved A's flags
 * dead (they were not stored); it single-steps to cmp B before delivering
 * (sys_async_point.c), one iteration of the rep per step until session
 * 35, so the 64-step bound delivered it inside the rep with env's older
 * flags (500 of 500 signals).  -DCOUNTS prints the counts on stderr (for
 * measuring). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

#include "async_cases.h"

#define COUNT 65536ul              /* bytes of each rep */

static unsigned char src[COUNT], dst[COUNT];
extern char m_spin[], m_rep[], m_after[], m_b[], m_end[];
extern char s_spin[], s_rep[], s_after[], s_b[], s_end[];
void m_loop(unsigned char *to, const unsigned char *from);
void s_loop(unsigned char *to);
volatile int c_stop;

/* A: cmp r9, r8 (r8 - r9); B: cmp r8, r9.  r10/r11: the buffers. */
__asm__(".text\n"
        ".globl m_loop, m_spin, m_rep, m_after, m_b, m_end\n"
        "m_loop:\n"
        "  mov $1, %r8\n  mov $2, %r9\n  mov %rdi, %r10\n  mov %rsi, %r11\n"
        "m_spin:\n"
        "  cmp %r9, %r8\n"
        "  jmp 1f\n"
        "1:\n"
        "  mov %r10, %rdi\n  mov %r11, %rsi\n  mov $65536, %ecx\n"
        "m_rep:\n"
        "  rep movsb\n"
        "m_after:\n"
        "  mov c_stop(%rip), %ecx\n"
        "m_b:\n"
        "  cmp %r8, %r9\n"
        "  jrcxz m_spin\n"
        "m_end:\n"
        "  ret\n"
        ".globl s_loop, s_spin, s_rep, s_after, s_b, s_end\n"
        "s_loop:\n"
        "  mov $1, %r8\n  mov $2, %r9\n  mov %rdi, %r10\n  mov $0x5a5a5a5a, %eax\n"
        "s_spin:\n"
        "  cmp %r9, %r8\n"
        "  jmp 1f\n"
        "1:\n"
        "  mov %r10, %rdi\n  mov $8192, %ecx\n"
        "s_rep:\n"
        "  rep stosq\n"
        "s_after:\n"
        "  mov c_stop(%rip), %ecx\n"
        "s_b:\n"
        "  cmp %r8, %r9\n"
        "  jrcxz s_spin\n"
        "s_end:\n"
        "  ret\n");

struct loop_marks { const char *spin, *rep, *after, *b, *end; unsigned long elem; bool movs; };
static const struct loop_marks *marks;
static volatile struct landings tally;
static volatile unsigned long bad_regs;

/* At the rep (before it, or inside it with rcx partway) and right after
 * it: rcx plus the elements done is the count, rsi went as far as rdi. */
static bool regs_agree(const greg_t *g)
{
    unsigned long done = (unsigned long)(g[REG_RDI] - g[REG_R10]);
    if (done % marks->elem || done / marks->elem + (unsigned long)g[REG_RCX] != COUNT / marks->elem)
        return false;
    return !marks->movs || (unsigned long)(g[REG_RSI] - g[REG_R11]) == done;
}

static void loop_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    const char *ip = (const char *)g[REG_RIP];
    unsigned long efl = (unsigned long)g[REG_EFL] & ARITH, r8 = g[REG_R8], r9 = g[REG_R9];
    unsigned long want = 0;
    int in = 1;
    if (ip > marks->spin && ip <= marks->b)
        want = flags_cmp(r8, r9);
    else if ((ip > marks->b && ip < marks->end) || ip == marks->spin)
        want = flags_cmp(r9, r8);
    else
        in = 0;
    bad_regs += in && (ip == marks->rep || ip == marks->after) && !regs_agree(g);
    if (landed(&tally, in, efl, want))
        c_stop = 1;
}

static void run_loop(const char *what, const struct loop_marks *m, unsigned long n)
{
    marks = m;
    bad_regs = 0;
    c_stop = 0;
    landings_start(&tally, n, loop_signal, 200);
    if (m->movs) m_loop(dst, src);
    else s_loop(dst);
    set_timer(0);
    printf("%s: %s, %s\n", what, tally.bad ? "wrong flags" : "flags as the CPU's",
           bad_regs ? "string registers disagree" : "string registers agree");
#ifdef COUNTS
    fprintf(stderr, "hits %lu wrong flags %lu wrong regs %lu outside %lu\n", tally.hits, tally.bad,
            bad_regs, tally.outside);
#endif
}

int main(void)
{
    static const struct loop_marks movs = { m_spin, m_rep, m_after, m_b, m_end, 1, true };
    static const struct loop_marks stos = { s_spin, s_rep, s_after, s_b, s_end, 8, false };
    setvbuf(stdout, NULL, _IONBF, 0);
    run_loop("rep movsb between dead flags and their writer", &movs, 500);
    run_loop("rep stosq between dead flags and their writer", &stos, 500);
    return 0;
}
