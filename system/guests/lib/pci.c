/* pci.c -- the guest side of PCI configuration mechanism #1. */
#include "guest.h"

uint32_t pci_cfg_read(int slot, unsigned off, unsigned size)
{
    outl(0xcf8, 0x80000000u | slot << 11 | (off & 0xfc));
    uint32_t v = inl(0xcfc) >> ((off & 3) * 8);
    return size == 4 ? v : v & ((1u << (size * 8)) - 1);
}

int pci_find(uint16_t vendor, uint16_t device)
{
    for (int slot = 0; slot < 32; slot++) {
        uint32_t id = pci_cfg_read(slot, 0, 4);
        if ((id & 0xffff) == vendor && id >> 16 == device)
            return slot;
    }
    return -1;
}
