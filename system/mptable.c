/* mptable.c -- the Intel MultiProcessor table (spec 1.4) at 0xF0000: one
 * processor entry per vCPU, the ISA and PCI buses, the in-kernel IOAPIC,
 * ISA IRQs 0-15 (identity, as KVM routes them) and each PCI slot's INTA#
 * routed to its IOAPIC pin. Linux
 * finds it by scanning the BIOS area and brings the APs up from it. */
#include <string.h>

#include "boot.h"
#include "layout.h"
#include "pci.h"

enum { MP_CPU = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_IOINT = 3, MP_LINT = 4 };
enum { BUS_PCI = 0, BUS_ISA = 1 };
#define IOAPIC_ID 0x20           /* above every APIC ID a vCPU can have */

struct mp_writer { uint8_t *base, *p; uint16_t count; };

static uint8_t mp_checksum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--) s += *p++;
    return (uint8_t)-s;
}

static void mp_put(struct mp_writer *w, const void *entry, size_t len)
{
    memcpy(w->p, entry, len);
    w->p += len;
    w->count++;
}

static void mp_cpus(struct mp_writer *w, int ncpus)
{
    for (int i = 0; i < ncpus; i++) {
        uint8_t e[20] = { MP_CPU, i, 0x14, 1 | (i == 0 ? 2 : 0) };
        sys_put_le(e + 4, 4, 0x600);            /* family 6 signature */
        sys_put_le(e + 8, 4, 0x201);            /* FPU, APIC */
        mp_put(w, e, sizeof e);
    }
}

static void mp_buses_and_ioapic(struct mp_writer *w)
{
    uint8_t pci[8] = { MP_BUS, BUS_PCI, 'P', 'C', 'I', ' ', ' ', ' ' };
    uint8_t isa[8] = { MP_BUS, BUS_ISA, 'I', 'S', 'A', ' ', ' ', ' ' };
    uint8_t ioapic[8] = { MP_IOAPIC, IOAPIC_ID, 0x11, 1 };
    sys_put_le(ioapic + 4, 4, LAYOUT_IOAPIC);
    mp_put(w, pci, 8);
    mp_put(w, isa, 8);
    mp_put(w, ioapic, 8);
}

static void mp_irq(struct mp_writer *w, uint8_t bus, uint8_t src, uint8_t pin, uint16_t flags)
{
    uint8_t e[8] = { MP_IOINT, 0, flags & 0xff, flags >> 8, bus, src, IOAPIC_ID, pin };
    mp_put(w, e, 8);
}

static void mp_interrupts(struct mp_writer *w, struct sys_pci *pci)
{
    /* ISA IRQ n on IOAPIC pin n, IRQ 0 included: KVM's default GSI routing
     * sends the in-kernel PIT (GSI 0) to pin 0. Declaring pin 2, as PC
     * firmware does, left Linux without a timer tick (its timers, e.g.
     * ping's, never fired) unless the VMM also rerouted GSI 0 to pin 2. */
    for (int irq = 0; irq < 16; irq++)
        if (irq != 2)
            mp_irq(w, BUS_ISA, irq, irq, 0);
    for (int s = 1; pci && s < pci->nslots; s++)     /* level, active low */
        mp_irq(w, BUS_PCI, s << 2, pci->devs[s]->irq, 0x0f);
    uint8_t extint[8] = { MP_LINT, 3, 0, 0, BUS_ISA, 0, 0xff, 0 };
    uint8_t nmi[8] = { MP_LINT, 1, 0, 0, BUS_ISA, 0, 0xff, 1 };
    mp_put(w, extint, 8);
    mp_put(w, nmi, 8);
}

void boot_write_mptable(struct sys_vm *vm)
{
    uint8_t *fp = sys_mem_ptr(vm, LAYOUT_MPTABLE, 4096);
    uint8_t *hdr = fp + 16;
    memset(fp, 0, 4096);
    struct mp_writer w = { hdr, hdr + 44, 0 };
    mp_cpus(&w, vm->ncpus);
    mp_buses_and_ioapic(&w);
    mp_interrupts(&w, vm->pci);
    memcpy(hdr, "PCMP", 4);
    sys_put_le(hdr + 4, 2, w.p - hdr);
    hdr[6] = 4;
    memcpy(hdr + 8, "FERRY   ", 8);
    memcpy(hdr + 16, "FERRY-SYSTEM", 12);
    sys_put_le(hdr + 34, 2, w.count);
    sys_put_le(hdr + 36, 4, LAYOUT_LAPIC);
    hdr[7] = mp_checksum(hdr, w.p - hdr);
    memcpy(fp, "_MP_", 4);
    sys_put_le(fp + 4, 4, LAYOUT_MPTABLE + 16);
    fp[8] = 1;
    fp[9] = 4;
    fp[10] = mp_checksum(fp, 16);
}
