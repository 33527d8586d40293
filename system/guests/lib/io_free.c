/* io_free.c -- the freestanding guest's hardware access: in/out
 * instructions, volatile MMIO, identity-mapped physical memory, hlt. */
#ifndef GUEST_HOSTED
#include "guest.h"

void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }

uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

uint32_t mmio_read(uint64_t gpa, unsigned size)
{
    switch (size) {
    case 1: return *(volatile uint8_t *)gpa;
    case 2: return *(volatile uint16_t *)gpa;
    default: return *(volatile uint32_t *)gpa;
    }
}

void mmio_write(uint64_t gpa, uint64_t v, unsigned size)
{
    switch (size) {
    case 1: *(volatile uint8_t *)gpa = v; break;
    case 2: *(volatile uint16_t *)gpa = v; break;
    default: *(volatile uint32_t *)gpa = v; break;
    }
}

void *phys_to_virt(uint64_t gpa) { return (void *)gpa; }
uint64_t virt_to_phys(const void *p) { return (uint64_t)p; }
void cpu_relax(void) { __asm__ volatile("pause"); }

int irq_line_level(int irq)
{
    uint16_t elcr = irq < 8 ? 0x4d0 : 0x4d1, pic = irq < 8 ? 0x20 : 0xa0;
    uint8_t bit = 1u << (irq & 7);
    if (!(inb(elcr) & bit))
        outb(elcr, inb(elcr) | bit);    /* level mode: IRR follows the line */
    outb(pic, 0x0a);                    /* OCW3: the next read returns IRR */
    return (inb(pic) & bit) != 0;
}

void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}
#endif
