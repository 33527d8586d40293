/* runtime.c -- the test guests' basics: entry dispatch per vCPU, a bump
 * allocator for DMA memory, COM1 output/input, poweroff through the
 * debug-exit port, reset through the i8042, and FNV-1a checksums (the
 * tests compute the same ones natively). */
#include "guest.h"

#define COM1 0x3f8
#define DEBUG_EXIT 0x501
#define DMA_BASE (16u << 20)     /* guests run with at least 32 MiB of RAM */

static uint64_t dma_next = DMA_BASE;

__attribute__((weak)) void guest_ap(int cpu, int ncpus)
{
}

void guest_entry(int cpu, int ncpus)
{
    if (cpu == 0)
        poweroff(guest_main(ncpus));
    guest_ap(cpu, ncpus);
    halt_forever();
}

void *g_memset(void *d, int c, size_t n)
{
    volatile uint8_t *p = d;
    while (n--) *p++ = c;
    return d;
}

void *g_memcpy(void *d, const void *s, size_t n)
{
    volatile uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}

void *dma_alloc(size_t size, size_t align)
{
    dma_next = (dma_next + align - 1) & ~(uint64_t)(align - 1);
    void *p = phys_to_virt(dma_next);
    dma_next += size;
    return g_memset(p, 0, size);
}

void serial_putc(char c)
{
    while (!(inb(COM1 + 5) & 0x20))
        cpu_relax();
    outb(COM1, c);
}

void put_str(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

void put_dec(uint64_t v)
{
    char buf[24];
    int n = 0;
    do buf[n++] = '0' + v % 10; while (v /= 10);
    while (n) serial_putc(buf[--n]);
}

void put_hex(uint64_t v)
{
    put_str("0x");
    for (int s = 60; s >= 0; s -= 4)
        if (v >> s || s == 0)
            serial_putc("0123456789abcdef"[(v >> s) & 15]);
}

int serial_getc(void)
{
    while (!(inb(COM1 + 5) & 1))
        cpu_relax();
    return inb(COM1);
}

void poweroff(int status)
{
    outl(DEBUG_EXIT, status);
    halt_forever();
}

void reset_machine(void)
{
    outb(0x64, 0xfe);
    halt_forever();
}

uint32_t fnv1a(const void *p, size_t n, uint32_t h)
{
    const uint8_t *b = p;
    while (n--) h = (h ^ *b++) * 16777619u;
    return h;
}
