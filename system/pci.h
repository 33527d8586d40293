/* pci.h -- the PCI host: configuration mechanism #1 on ports 0xCF8/0xCFC
 * (what kvmtool offers and Debian's kernel probes), a host bridge in slot 0,
 * one function per device slot, one 32-bit memory BAR per device placed by
 * the VMM in the PCI window, INTx pin A wired to a fixed legacy IRQ. */
#ifndef SYS_PCI_H
#define SYS_PCI_H

#include "vm.h"

#define PCI_MAX_SLOTS 8

struct pci_dev {
    uint8_t cfg[256];
    uint32_t bar_size;              /* power of two */
    uint8_t slot, irq;
    const struct sys_dev_ops *bar_ops;
    void *bar_dev;
};

struct sys_pci {
    uint32_t addr_reg;
    struct pci_dev host_bridge;
    struct pci_dev *devs[PCI_MAX_SLOTS];    /* index = slot; 0 = host bridge */
    int nslots;
};

int pci_init(struct sys_vm *vm);
/* Fills IDs first; pci_add assigns slot, IRQ and BAR0. */
void pci_set_ids(struct pci_dev *d, uint16_t vendor, uint16_t device, uint32_t class_rev,
                 uint16_t subsys);
int pci_add(struct sys_vm *vm, struct pci_dev *d);
uint32_t pci_bar0(const struct pci_dev *d);

#endif
