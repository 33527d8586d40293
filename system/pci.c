/* pci.c -- PCI configuration space access (ports 0xCF8/0xCFC), BAR sizing,
 * and routing of accesses in the PCI MMIO window to the device whose BAR0
 * holds the address. */
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "pci.h"

static const uint8_t pci_irqs[PCI_MAX_SLOTS] = { 0, 5, 9, 10, 11, 12, 14, 15 };

static struct sys_pci *pci_of(void *dev) { return dev; }

void pci_set_ids(struct pci_dev *d, uint16_t vendor, uint16_t device, uint32_t class_rev,
                 uint16_t subsys)
{
    memset(d->cfg, 0, sizeof d->cfg);
    sys_put_le(d->cfg + 0x00, 2, vendor);
    sys_put_le(d->cfg + 0x02, 2, device);
    sys_put_le(d->cfg + 0x08, 4, class_rev);
    sys_put_le(d->cfg + 0x2c, 2, vendor);
    sys_put_le(d->cfg + 0x2e, 2, subsys);
}

uint32_t pci_bar0(const struct pci_dev *d)
{
    return (uint32_t)sys_get_le(d->cfg + 0x10, 4) & ~0xfu;
}

int pci_add(struct sys_vm *vm, struct pci_dev *d)
{
    struct sys_pci *pci = vm->pci;
    if (pci->nslots == PCI_MAX_SLOTS) {
        sys_err("too many PCI devices (at most %d)", PCI_MAX_SLOTS - 1);
        return -1;
    }
    d->slot = pci->nslots;
    d->irq = pci_irqs[d->slot];
    sys_put_le(d->cfg + 0x10, 4, LAYOUT_PCI_MMIO + d->slot * LAYOUT_PCI_BAR_SIZE);
    d->cfg[0x3c] = d->irq;
    d->cfg[0x3d] = d->bar_size ? 1 : 0;     /* INTA# */
    sys_put_le(d->cfg + 0x04, 2, 0x0002);   /* memory space enabled */
    pci->devs[pci->nslots++] = d;
    return 0;
}

static struct pci_dev *pci_selected(struct sys_pci *pci, unsigned *reg)
{
    uint32_t a = pci->addr_reg;
    unsigned bus = (a >> 16) & 0xff, slot = (a >> 11) & 0x1f, fn = (a >> 8) & 7;
    *reg = a & 0xfc;
    if (!(a & 0x80000000u) || bus || fn || slot >= (unsigned)pci->nslots)
        return NULL;
    return pci->devs[slot];
}

static void pci_cfg_write(struct pci_dev *d, unsigned off, uint32_t v, unsigned size)
{
    if (off >= 0x10 && off < 0x14 && size == 4) {
        /* BAR sizing: the address bits below the size read as zero. */
        sys_put_le(d->cfg + 0x10, 4, v & ~(d->bar_size - 1) & ~0xfu);
    } else if ((off >= 0x04 && off < 0x06) || off == 0x3c) {
        sys_put_le(d->cfg + off, size > 2 ? 2 : size, v);
    }
}

static void pci_data_read(void *dev, uint64_t off, void *data, unsigned size)
{
    unsigned reg;
    struct pci_dev *d = pci_selected(pci_of(dev), &reg);
    unsigned at = reg + (unsigned)off;
    if (!d || at + size > 256)
        memset(data, 0xff, size);
    else
        memcpy(data, d->cfg + at, size);
}

static void pci_data_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    unsigned reg;
    struct pci_dev *d = pci_selected(pci_of(dev), &reg);
    if (d && reg + off + size <= 256)
        pci_cfg_write(d, reg + (unsigned)off, (uint32_t)sys_get_le(data, size), size);
}

static void pci_addr_read(void *dev, uint64_t off, void *data, unsigned size)
{
    uint32_t v = pci_of(dev)->addr_reg;
    sys_put_le(data, size, off < 4 ? v >> (off * 8) : 0);
}

static void pci_addr_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    if (off == 0 && size == 4)
        pci_of(dev)->addr_reg = (uint32_t)sys_get_le(data, 4);
}

static struct pci_dev *pci_bar_owner(struct sys_pci *pci, uint64_t addr)
{
    for (int i = 1; i < pci->nslots; i++) {
        struct pci_dev *d = pci->devs[i];
        if (d->bar_size && addr >= pci_bar0(d) && addr - pci_bar0(d) < d->bar_size)
            return d;
    }
    return NULL;
}

static void pci_mmio_read(void *dev, uint64_t off, void *data, unsigned size)
{
    uint64_t addr = LAYOUT_PCI_MMIO + off;
    struct pci_dev *d = pci_bar_owner(pci_of(dev), addr);
    if (d)
        d->bar_ops->read(d->bar_dev, addr - pci_bar0(d), data, size);
    else
        memset(data, 0xff, size);
}

static void pci_mmio_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    uint64_t addr = LAYOUT_PCI_MMIO + off;
    struct pci_dev *d = pci_bar_owner(pci_of(dev), addr);
    if (d)
        d->bar_ops->write(d->bar_dev, addr - pci_bar0(d), data, size);
}

static const struct sys_dev_ops pci_addr_ops = { "pci-addr", pci_addr_read, pci_addr_write };
static const struct sys_dev_ops pci_data_ops = { "pci-data", pci_data_read, pci_data_write };
static const struct sys_dev_ops pci_mmio_ops = { "pci-mmio", pci_mmio_read, pci_mmio_write };

int pci_init(struct sys_vm *vm)
{
    struct sys_pci *pci = calloc(1, sizeof *pci);
    vm->pci = pci;
    pci_set_ids(&pci->host_bridge, 0x8086, 0x1237, 0x06000000, 0);  /* host bridge class */
    pci->devs[0] = &pci->host_bridge;
    pci->nslots = 1;
    sys_bus_add(&vm->pio, 0xcf8, 4, &pci_addr_ops, pci);
    sys_bus_add(&vm->pio, 0xcfc, 4, &pci_data_ops, pci);
    return sys_bus_add(&vm->mmio, LAYOUT_PCI_MMIO, PCI_MAX_SLOTS * LAYOUT_PCI_BAR_SIZE,
                       &pci_mmio_ops, pci);
}
