/* layout.h -- where the VMM puts things in guest physical memory. Low
 * memory holds the boot structures; the PCI MMIO window sits below the
 * IOAPIC; guest RAM runs from 0 to at most 3 GiB and continues at 4 GiB
 * (the boot protocols' e820 map also reserves the legacy hole
 * 0x9FC00-0xFFFFF). One host mapping holds both parts back to back. */
#ifndef SYS_LAYOUT_H
#define SYS_LAYOUT_H

#define LAYOUT_GDT          0x0500ull
#define LAYOUT_PVH_INFO     0x6000ull
#define LAYOUT_PVH_MEMMAP   0x6800ull
#define LAYOUT_ZERO_PAGE    0x7000ull
#define LAYOUT_PML4         0x9000ull
#define LAYOUT_PDPT         0xA000ull
#define LAYOUT_PD           0xB000ull   /* 8 pages: identity map of 8 GiB */
#define LAYOUT_PD_PAGES     8
#define LAYOUT_CMDLINE      0x20000ull
#define LAYOUT_CMDLINE_MAX  0x10000ull
#define LAYOUT_LOW_RAM_END  0x9FC00ull
#define LAYOUT_MPTABLE      0xF0000ull
#define LAYOUT_HIGH         0x100000ull /* kernels load here */
#define LAYOUT_RAM_MAX      0xC0000000ull /* 3 GiB: the PCI hole begins */
#define LAYOUT_RAM_HIGH     0x100000000ull /* RAM beyond 3 GiB continues at 4 GiB */
#define LAYOUT_MEM_MAX      (64ull << 30)
#define LAYOUT_PCI_MMIO     0xD0000000ull
#define LAYOUT_PCI_BAR_SIZE 0x4000ull
#define LAYOUT_TSS          0xFFFBD000ull
#define LAYOUT_IDMAP        0xFFFBC000ull
#define LAYOUT_IOAPIC       0xFEC00000ull
#define LAYOUT_LAPIC        0xFEE00000ull

#define GDT_CODE64  0x10        /* selectors the Linux boot protocol expects */
#define GDT_DATA    0x18
#define GDT_CODE32  0x20

#endif
