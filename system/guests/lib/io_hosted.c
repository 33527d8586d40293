/* io_hosted.c -- the hosted test guest's hardware access: calls straight
 * into the VMM's buses and guest RAM (see system/accel_hosted.c). Once
 * the machine stops, the calling vCPU thread parks, like a stopped vCPU. */
#ifdef GUEST_HOSTED
#include <sched.h>
#include <unistd.h>

#include "guest.h"
#include "vm.h"

extern struct sys_vm *hosted_vm;
int hosted_irq_level(unsigned irq);

static void hosted_access(struct sys_bus *bus, uint64_t addr, void *v, unsigned size, bool w)
{
    sys_bus_access(hosted_vm, bus, addr, v, size, w);
    if (sys_vm_stopping(hosted_vm))
        halt_forever();
}

void outb(uint16_t port, uint8_t v) { hosted_access(&hosted_vm->pio, port, &v, 1, true); }
void outl(uint16_t port, uint32_t v) { hosted_access(&hosted_vm->pio, port, &v, 4, true); }

uint8_t inb(uint16_t port)
{
    uint8_t v;
    hosted_access(&hosted_vm->pio, port, &v, 1, false);
    return v;
}

uint32_t inl(uint16_t port)
{
    uint32_t v;
    hosted_access(&hosted_vm->pio, port, &v, 4, false);
    return v;
}

uint32_t mmio_read(uint64_t gpa, unsigned size)
{
    uint32_t v = 0;
    hosted_access(&hosted_vm->mmio, gpa, &v, size, false);
    return v;
}

void mmio_write(uint64_t gpa, uint64_t v, unsigned size)
{
    hosted_access(&hosted_vm->mmio, gpa, &v, size, true);
}

void *phys_to_virt(uint64_t gpa) { return sys_mem_ptr(hosted_vm, gpa, 1); }

uint64_t virt_to_phys(const void *p)
{
    uint64_t off = (const uint8_t *)p - hosted_vm->ram;
    return off < hosted_vm->low_end ? off : off - hosted_vm->low_end + 0x100000000ull;
}
void cpu_relax(void) { sched_yield(); }
int irq_line_level(int irq) { return hosted_irq_level(irq); }

void halt_forever(void)
{
    for (;;)
        pause();
}

void hosted_guest_entry(int cpu, int ncpus)
{
    guest_entry(cpu, ncpus);
}
#endif
