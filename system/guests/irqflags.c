/* irqflags.c -- test guest: the RFLAGS a hardware interrupt pushes are
 * the CPU's at the interrupted instruction, also where the incoming flags
 * are dead.  Each loop begins `cmp A` and reaches, through a direct jump,
 * code that overwrites A's flags before reading them (`cmp B`): a
 * translator's successor scan may drop the lazy-flag stores of that
 * exit, and the interrupt is taken at the next block's entry.  Loops:
 * through a jmp; through `dec; jnz` (every flag but CF over dead ones, a
 * jcc both ways); through a 16 KiB `rep movsb` before the writer (an
 * interrupt may also land inside it, with A's flags); straight into
 * `cmp B` (no load between that may fault).  The local APIC
 * timer fires every 40 us; the ISR computes the flags the CPU must hold
 * at the pushed RIP from the saved registers, by running the same
 * instructions itself (the CPU is the oracle), and counts mismatches.
 * Each loop prints its interrupts (200) and how many pushed other flags.
 * The hosted accelerator runs no guest instructions. */
#include "guest.h"
#include "../../tests/guest/dead_flag_loops.h"    /* shared with async_flags.c */

#define TIMER_VECTOR 0x32
#define HITS 200
#define COPY_BYTES (16 << 10)

volatile uint32_t flags_stop;

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("irqflags: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
extern char r_spin[], r_b[], r_end[], w_spin[], w_b[], w_end[];
void r_loop(void *src, void *dst), w_loop(void);
void flags_isr(void), flags_spurious(void);

/* The shared loops; r_loop: A, a rep movsb, then B; w_loop: A, then B
 * at the jmp's target, with no access that may fault between (an access
 * would keep A's flags stored: system-mode blocks are precise). */
__asm__(".text\n"
        DEAD_FLAG_LOOPS("flags_stop")
        "w_loop:\n"
        "  mov $1, %r8\n  mov $2, %r9\n"
        "w_spin:\n"
        "  cmp %r9, %r8\n"
        "  jmp 1f\n"
        "1:\n"
        "w_b:\n"
        "  cmp %r8, %r9\n"
        "  mov flags_stop(%rip), %ecx\n"
        "  jrcxz w_spin\n"
        "w_end:\n"
        "  ret\n"
        "r_loop:\n"                         /* (src, dst) */
        "  mov %rdi, %r10\n  mov %rsi, %r11\n"
        "  mov $1, %r8\n  mov $2, %r9\n"
        "r_spin:\n"
        "  cmp %r9, %r8\n"
        "  jmp 1f\n"
        "1:\n"
        "  mov %r10, %rsi\n  mov %r11, %rdi\n  mov $0x4000, %ecx\n"  /* COPY_BYTES */
        "  rep movsb\n"
        "  mov flags_stop(%rip), %ecx\n"
        "r_b:\n"
        "  cmp %r8, %r9\n"
        "  jrcxz r_spin\n"
        "r_end:\n"
        "  ret\n"
        /* The caller-saved registers, then flags_check(saved): saved[9]
         * is the pushed RIP, saved[11] the pushed RFLAGS. */
        "flags_isr:\n"
        "  push %rax\n  push %rcx\n  push %rdx\n  push %rsi\n  push %rdi\n"
        "  push %r8\n  push %r9\n  push %r10\n  push %r11\n"
        "  mov %rsp, %rdi\n"
        "  call flags_check\n"
        "  mov $0xfee000b0, %eax\n"         /* local APIC EOI */
        "  movl $0, (%rax)\n"
        "  pop %r11\n  pop %r10\n  pop %r9\n  pop %r8\n"
        "  pop %rdi\n  pop %rsi\n  pop %rdx\n  pop %rcx\n  pop %rax\n"
        "  iretq\n"
        "flags_spurious:\n"
        "  iretq\n");

enum { S_R11, S_R10, S_R9, S_R8, S_RDI, S_RSI, S_RDX, S_RCX, S_RAX, S_RIP, S_CS, S_RFLAGS };

static volatile uint32_t hits, wrong;

/* What the flags must be at ip: the shared loops', or r_loop's (A's
 * between `cmp A` and `cmp B` inclusive, B's after it and at its top). */
static int want_flags(const uint64_t *s, unsigned long *want)
{
    uint64_t ip = s[S_RIP];
    if (dead_flag_loops_want(ip, s[S_R8], s[S_R9], s[S_RDX], want))
        return 1;
    if (dead_flag_in(ip, r_spin, r_b) || dead_flag_in(ip, w_spin, w_b))
        *want = flags_cmp(s[S_R8], s[S_R9]);
    else if (dead_flag_in(ip, r_b, r_end) || ip == (uint64_t)r_spin ||
             dead_flag_in(ip, w_b, w_end) || ip == (uint64_t)w_spin)
        *want = flags_cmp(s[S_R9], s[S_R8]);
    else
        return 0;                           /* outside the loops */
    return 1;
}

void flags_check(const uint64_t *saved);
void flags_check(const uint64_t *saved)
{
    unsigned long want;
    if (flags_stop || !want_flags(saved, &want))
        return;
    wrong += (saved[S_RFLAGS] & ARITH) != want;
    if (++hits >= HITS)
        flags_stop = 1;
}

static void run(const char *what, void (*loop)(void *, void *), void *src, void *dst)
{
    hits = wrong = 0;
    flags_stop = 0;
    __asm__ volatile("sti");
    loop(src, dst);                         /* until the ISR's HITS-th interrupt */
    __asm__ volatile("cli");
    put_str("irqflags "); put_str(what);
    put_str(": interrupts "); put_dec(hits);
    put_str(" wrong flags "); put_dec(wrong);
    serial_putc('\n');
}

static void j_run(void *s, void *d) { j_loop(); }
static void d_run(void *s, void *d) { d_loop(); }
static void w_run(void *s, void *d) { w_loop(); }

int guest_main(int ncpus)
{
    lapic_only_irqs(TIMER_VECTOR, flags_isr, flags_spurious);
    uint8_t *src = dma_alloc(COPY_BYTES, 4096), *dst = dma_alloc(COPY_BYTES, 4096);
    lapic_timer_start(TIMER_VECTOR, 4000, 1);       /* 40 us */
    run("jmp into dead flags", j_run, 0, 0);
    run("dec; jnz into dead flags", d_run, 0, 0);
    run("rep movsb before the writer", r_loop, src, dst);
    run("jmp straight into the writer", w_run, 0, 0);
    lapic_timer_stop();
    put_str("irqflags done\n");
    return 0;
}
#endif
