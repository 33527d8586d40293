/* boot_tables.c -- structures every boot protocol shares: the GDT and the
 * identity page tables the VMM prepares for a 64-bit entry, the e820 memory
 * map, the kernel command line, and where the initrd goes. */
#include <string.h>

#include "boot.h"
#include "layout.h"

static const uint64_t gdt_entries[] = {
    0,                          /* null */
    0,                          /* unused: Linux's boot GDT starts at 0x10 */
    0x00af9a000000ffffull,      /* GDT_CODE64: 64-bit code */
    0x00cf92000000ffffull,      /* GDT_DATA: flat data */
    0x00cf9a000000ffffull,      /* GDT_CODE32: flat 32-bit code (PVH) */
};

void boot_write_gdt_and_paging(struct sys_vm *vm)
{
    memcpy(sys_mem_ptr(vm, LAYOUT_GDT, sizeof gdt_entries), gdt_entries, sizeof gdt_entries);
    uint64_t *pml4 = sys_mem_ptr(vm, LAYOUT_PML4, 4096);
    uint64_t *pdpt = sys_mem_ptr(vm, LAYOUT_PDPT, 4096);
    uint64_t *pd = sys_mem_ptr(vm, LAYOUT_PD, LAYOUT_PD_PAGES * 4096);
    memset(pml4, 0, 4096);
    memset(pdpt, 0, 4096);
    pml4[0] = LAYOUT_PDPT | 3;                  /* present, writable */
    for (int i = 0; i < LAYOUT_PD_PAGES; i++)
        pdpt[i] = (LAYOUT_PD + i * 4096ull) | 3;
    for (uint64_t i = 0; i < LAYOUT_PD_PAGES * 512; i++)
        pd[i] = (i << 21) | 0x83;               /* 2 MiB page, writable */
}

int boot_e820(struct sys_vm *vm, struct e820_entry *out, int max)
{
    const struct e820_entry map[] = {
        { 0, LAYOUT_LOW_RAM_END, 1 },
        { LAYOUT_LOW_RAM_END, LAYOUT_HIGH - LAYOUT_LOW_RAM_END, 2 },
        { LAYOUT_HIGH, vm->low_end - LAYOUT_HIGH, 1 },
        { LAYOUT_RAM_HIGH, vm->high_size, 1 },
    };
    int n = sizeof map / sizeof map[0] - (vm->high_size ? 0 : 1);
    if (n > max)
        n = max;
    memcpy(out, map, n * sizeof map[0]);
    return n;
}

int boot_cmdline(struct sys_vm *vm, uint64_t *gpa)
{
    const char *s = vm->opts->append ? vm->opts->append : "";
    size_t len = strlen(s) + 1;
    if (len > LAYOUT_CMDLINE_MAX) {
        sys_err("--append: command line longer than %llu bytes",
                (unsigned long long)LAYOUT_CMDLINE_MAX);
        return -1;
    }
    memcpy(sys_mem_ptr(vm, LAYOUT_CMDLINE, len), s, len);
    *gpa = LAYOUT_CMDLINE;
    return 0;
}

/* Puts the initrd as high as allowed, page aligned, above `lowest`. */
int boot_place_initrd(struct sys_vm *vm, struct boot_file *initrd, uint64_t lowest,
                      uint64_t highest, uint64_t *gpa)
{
    uint64_t top = vm->low_end < highest ? vm->low_end : highest;
    if (initrd->size > top || ((top - initrd->size) & ~0xfffull) < lowest) {
        sys_err("%s: initrd of %zu bytes does not fit in guest RAM", initrd->path, initrd->size);
        return -1;
    }
    *gpa = (top - initrd->size) & ~0xfffull;
    memcpy(sys_mem_ptr(vm, *gpa, initrd->size), initrd->data, initrd->size);
    return 0;
}
