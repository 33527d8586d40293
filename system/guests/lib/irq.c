/* irq.c -- interrupt plumbing of the freestanding test guests (pic, timer,
 * exc, ring3, irqstorm, irqflags, stishadow): the one IDT with its 64-bit
 * gates, the TSC, the PIT at 100 Hz, a bounded wait for timer ticks and
 * the local APIC timer.  The hosted build runs no
 * guest instructions and has none of it. */
#ifndef GUEST_HOSTED
#include "guest.h"

static uint8_t idt[256 * 16] __attribute__((aligned(16)));

void idt_gate(int vector, void (*fn)(void), uint8_t type)
{
    uint64_t a = (uint64_t)fn;
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    uint8_t *g = idt + 16 * vector;
    g_memset(g, 0, 16);
    g[0] = a; g[1] = a >> 8; g[2] = cs; g[3] = cs >> 8;
    g[5] = 0x80 | type;                     /* present, DPL 0 */
    g[6] = a >> 16; g[7] = a >> 24;
    for (int i = 0; i < 4; i++) g[8 + i] = a >> (32 + 8 * i);
}

void idt_load(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(d));
}

uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

void pit_start_100hz(void)
{
    outb(0x43, 0x34);                       /* PIT channel 0, rate generator */
    outb(0x40, 0x9c);                       /* 11932: 100 Hz */
    outb(0x40, 0x2e);
}

/* n ticks at 100 Hz take n * 10 ms; give up after 4e9 TSC cycles
 * (seconds at GHz rates). */
uint32_t wait_ticks(volatile uint32_t *ticks, uint32_t n)
{
    __asm__ volatile("sti");
    for (uint64_t start = rdtsc(); rdtsc() - start < 4000000000ull && *ticks < n;)
        cpu_relax();
    __asm__ volatile("cli");
    return *ticks < n ? *ticks : n;
}

void lapic_timer_start(int vector, uint32_t count, int periodic)
{
    mmio_write(LAPIC_BASE + 0xf0, 0x1ff, 4);        /* software-enabled */
    mmio_write(LAPIC_BASE + 0x3e0, 0xb, 4);         /* divide by 1 */
    mmio_write(LAPIC_BASE + 0x320, (uint32_t)vector | (periodic ? 1u << 17 : 0), 4);
    mmio_write(LAPIC_BASE + 0x380, count, 4);
}

void lapic_only_irqs(int vector, void (*isr)(void), void (*spurious)(void))
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    idt_gate(vector, isr, IDT_INTERRUPT_GATE);
    idt_gate(0xff, spurious, IDT_INTERRUPT_GATE);
    idt_load();
}

void lapic_timer_stop(void)
{
    mmio_write(LAPIC_BASE + 0x320, 1u << 16, 4);    /* masked */
}

int lapic_requested(int vector)
{
    return mmio_read(LAPIC_BASE + 0x200 + 0x10 * (vector >> 5), 4) >> (vector & 31) & 1;
}
#endif
