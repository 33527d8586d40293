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

static uint8_t idt[256 * 16] __attribute__((aligned(16)));

static void idt_set(int vector, void (*fn)(void))
{
    uint64_t a = (uint64_t)fn;
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    uint8_t *g = idt + 16 * vector;
    g_memset(g, 0, 16);
    g[0] = a; g[1] = a >> 8; g[2] = cs; g[3] = cs >> 8;
    g[5] = 0x8e;                            /* present, 64-bit interrupt gate */
    g[6] = a >> 16; g[7] = a >> 24;
    for (int i = 0; i < 4; i++) g[8 + i] = a >> (32 + 8 * i);
}

static void idt_load(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(d));
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

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
    outb(0x21, 0xff);                       /* both PICs masked: IOAPIC only */
    outb(0xa1, 0xff);
    idt_set(TIMER_VECTOR, timer_isr);
    idt_set(0xff, spurious_isr);
    idt_load();
    mmio_write(LAPIC + 0xf0, 0x1ff, 4);     /* local APIC software-enabled */
    mmio_write(LAPIC + 0x350, 0x10000, 4);  /* LINT0 (ExtINT) masked */
    ioapic_write(0x11 + 2 * pin, 0);        /* destination: APIC ID 0 */
    ioapic_write(0x10 + 2 * pin, TIMER_VECTOR);     /* fixed, edge, active high, unmasked */
    outb(0x43, 0x34);                       /* PIT channel 0, rate generator */
    outb(0x40, 0x9c);                       /* 11932: 100 Hz */
    outb(0x40, 0x2e);
    __asm__ volatile("sti");
    /* 5 ticks take 50 ms; give up after 4e9 TSC cycles (seconds at GHz rates). */
    for (uint64_t start = rdtsc(); rdtsc() - start < 4000000000ull && timer_ticks < 5;)
        cpu_relax();
    __asm__ volatile("cli");
    put_str("timer: ticks "); put_dec(timer_ticks < 5 ? timer_ticks : 5); serial_putc('\n');
#endif
    return 0;
}
