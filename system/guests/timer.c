/* timer.c -- test guest (KVM runner only): the in-kernel PIT's interrupt
 * must reach the CPU through the IOAPIC pin that ferry-system's MP table
 * names for ISA IRQ 0, as Linux programs it. Finds that pin in the MP
 * table, routes it to vector 0x30 on this CPU's local APIC, runs the PIT
 * at 100 Hz with interrupts enabled and reports the ticks counted. A table
 * that disagrees with KVM's routing leaves Linux without a timer tick. The
 * hosted accelerator has no PIT (KVM provides it), so there it says so. */
#include "guest.h"

#define LAPIC 0xfee00000ull
#define IOAPIC 0xfec00000ull
#define TIMER_VECTOR 0x30

volatile uint32_t timer_ticks;

#ifndef GUEST_HOSTED
void timer_isr(void);
__asm__(".text\n"
        "timer_isr:\n"
        "  push %rax\n"
        "  lock incl timer_ticks(%rip)\n"
        "  mov $0xfee000b0, %eax\n"         /* local APIC EOI */
        "  movl $0, (%rax)\n"
        "  pop %rax\n"
        "  iretq\n"
        "spurious_isr:\n"                  /* no EOI for the spurious vector */
        "  iretq\n");
void spurious_isr(void);

static void ioapic_write(unsigned reg, uint32_t v)
{
    mmio_write(IOAPIC, reg, 4);
    mmio_write(IOAPIC + 0x10, v, 4);
}
#endif

/* The IOAPIC pin of ISA IRQ 0 according to the MP table, or -1. */
static int mp_irq0_pin(void)
{
    const uint8_t *fp = 0;
    for (uint64_t a = 0xf0000; a < 0x100000 && !fp; a += 16) {
        const uint8_t *p = phys_to_virt(a);
        if (p[0] == '_' && p[1] == 'M' && p[2] == 'P' && p[3] == '_')
            fp = p;
    }
    if (!fp)
        return -1;
    const uint8_t *hdr = phys_to_virt(*(const uint32_t *)(fp + 4)), *e = hdr + 44;
    int isa = -1;
    for (int n = *(const uint16_t *)(hdr + 34); n > 0; n--, e += e[0] == 0 ? 20 : 8) {
        if (e[0] == 1 && e[2] == 'I' && e[3] == 'S' && e[4] == 'A')
            isa = e[1];
        if (e[0] == 3 && e[4] == isa && e[5] == 0)
            return e[7];
    }
    return -1;
}

int guest_main(int ncpus)
{
    int pin = mp_irq0_pin();
    put_str("timer: mp table irq 0 -> ioapic pin "); put_dec(pin < 0 ? 99 : pin); serial_putc('\n');
#ifdef GUEST_HOSTED
    put_str("timer: the hosted accelerator has no PIT\n");
#else
    if (pin < 0)
        return 1;
    lapic_only_irqs(TIMER_VECTOR, timer_isr, spurious_isr);
    mmio_write(LAPIC + 0xf0, 0x1ff, 4);     /* local APIC software-enabled */
    mmio_write(LAPIC + 0x350, 0x10000, 4);  /* LINT0 (ExtINT) masked */
    ioapic_write(0x11 + 2 * pin, 0);        /* destination: APIC ID 0 */
    ioapic_write(0x10 + 2 * pin, TIMER_VECTOR);     /* fixed, edge, active high, unmasked */
    pit_start_100hz();
    uint32_t ticks = wait_ticks(&timer_ticks, 5);
    put_str("timer: ticks "); put_dec(ticks); serial_putc('\n');
#endif
    return 0;
}
