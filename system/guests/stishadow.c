/* stishadow.c -- test guest: the interrupt shadow of sti.  An sti that
 * sets IF lets no interrupt in before the next instruction has run (SDM
 * vol. 2, STI): `sti; hlt` with an interrupt already pending wakes after
 * the hlt (an interrupt taken between them returns to the hlt, which then
 * waits for the next one: the lost wake-up an idle loop's `sti; hlt`
 * avoids), and `sti; inc` is interrupted after the inc.  Each round arms
 * the local APIC timer once with interrupts off, waits until its vector
 * is requested, then runs the case; the ISR records the pushed RIP (and
 * moves one pointing at the hlt past it, so that a wrong answer does not
 * hang).  Each case prints its interrupts and how many were taken inside
 * the shadow.  The hosted accelerator runs no guest instructions. */
#include "guest.h"

#define SHADOW_VECTOR 0x33
#define ROUNDS 100
#define TSC_GUARD 4000000000ull             /* a hang guard, not a timing */

volatile uint64_t isr_rip;

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("stishadow: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
extern char sh_hlt[], sh_after_hlt[], sh_after_inc[];
void sh_sti_hlt(void), sh_sti_inc(void);
void shadow_isr(void), shadow_spurious(void);

__asm__(".text\n"
        "sh_sti_hlt:\n"
        "  sti\n"
        "sh_hlt:\n"
        "  hlt\n"
        "sh_after_hlt:\n"
        "  cli\n"
        "  ret\n"
        "sh_sti_inc:\n"
        "  sti\n"
        "  inc %rax\n"
        "sh_after_inc:\n"
        "  cli\n"
        "  ret\n"
        "shadow_isr:\n"
        "  push %rax\n"
        "  mov 8(%rsp), %rax\n"             /* the pushed RIP */
        "  mov %rax, isr_rip(%rip)\n"
        "  lea sh_hlt(%rip), %rax\n"
        "  cmp 8(%rsp), %rax\n"
        "  jne 1f\n"
        "  lea sh_after_hlt(%rip), %rax\n"  /* taken before the hlt: skip it */
        "  mov %rax, 8(%rsp)\n"
        "1:mov $0xfee000b0, %eax\n"         /* local APIC EOI */
        "  movl $0, (%rax)\n"
        "  pop %rax\n"
        "  iretq\n"
        "shadow_spurious:\n"
        "  iretq\n");

/* Interrupts off: the timer's vector requested, or 0 after the guard. */
static int arm_pending(void)
{
    lapic_timer_start(SHADOW_VECTOR, 1, 0);
    for (uint64_t t0 = rdtsc(); rdtsc() - t0 < TSC_GUARD;)
        if (lapic_requested(SHADOW_VECTOR))
            return 1;
    return 0;
}

static void run(const char *what, void (*fn)(void), const char *after)
{
    uint32_t taken = 0, inside = 0;
    for (int i = 0; i < ROUNDS && arm_pending(); i++) {
        isr_rip = 0;
        fn();
        taken += isr_rip != 0;
        inside += isr_rip != (uint64_t)after;
    }
    put_str("stishadow "); put_str(what);
    put_str(": interrupts "); put_dec(taken);
    put_str(" inside the shadow "); put_dec(inside);
    serial_putc('\n');
}

int guest_main(int ncpus)
{
    lapic_only_irqs(SHADOW_VECTOR, shadow_isr, shadow_spurious);
    run("sti; hlt", sh_sti_hlt, sh_after_hlt);
    run("sti; inc", sh_sti_inc, sh_after_inc);
    lapic_timer_stop();
    put_str("stishadow done\n");
    return 0;
}
#endif
