/* bootinfo.c -- test guest for the boot protocols. Its ELF carries a Xen
 * PVH note, so ferry-system enters it through pvh_entry32 (32-bit
 * protected mode, EBX = hvm_start_info), which switches to long mode on the
 * VMM's page tables. It prints what the VMM handed over: PVH start info or
 * a bzImage zero page (the hosted test binary also boots crafted bzImages
 * this way), the command line, the memory map, and checksums of the
 * initrd and of the bzImage's protected-mode kernel. */
#include "guest.h"

#define PVH_INFO 0x6000
#define ZERO_PAGE 0x7000

#ifndef GUEST_HOSTED
__asm__(
    ".pushsection .note.Xen, \"a\", @note\n"
    ".balign 4\n"
    ".long 4, 4, 18\n"                  /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    ".asciz \"Xen\"\n"
    ".long pvh_entry32\n"
    ".popsection\n"
    ".pushsection .text, \"ax\"\n"
    ".code32\n"
    "pvh_entry32:\n"
    "  mov %cr4, %eax\n  or $0x20, %eax\n  mov %eax, %cr4\n"      /* PAE */
    "  mov $0x9000, %eax\n  mov %eax, %cr3\n"                      /* VMM's PML4 */
    "  mov $0xc0000080, %ecx\n  rdmsr\n  or $0x100, %eax\n  wrmsr\n" /* EFER.LME */
    "  mov %cr0, %eax\n  or $0x80000000, %eax\n  mov %eax, %cr0\n"  /* paging on */
    "  ljmp $0x10, $pvh_entry64\n"
    ".code64\n"
    "pvh_entry64:\n"
    "  xor %edi, %edi\n  mov $1, %esi\n  jmp _start\n"
    ".popsection\n");
#endif

static void put_u32_field(const char *name, uint64_t v)
{
    put_str(name); put_hex(v); serial_putc('\n');
}

static void print_map(const uint8_t *e, int n, int stride)
{
    for (int i = 0; i < n; i++, e += stride) {
        put_str("map "); put_hex(*(const uint64_t *)e);
        serial_putc(' '); put_hex(*(const uint64_t *)(e + 8));
        serial_putc(' '); put_dec(*(const uint32_t *)(e + 16)); serial_putc('\n');
    }
}

static void print_blob(const char *name, uint64_t gpa, uint64_t size)
{
    put_str(name); put_str(" size "); put_dec(size);
    put_str(" fnv "); put_hex(fnv1a(phys_to_virt(gpa), size, FNV_INIT)); serial_putc('\n');
}

static void pvh_info(const uint8_t *si)
{
    put_str("protocol pvh\n");
    put_u32_field("magic ", *(const uint32_t *)si);
    put_str("cmdline "); put_str(phys_to_virt(*(const uint64_t *)(si + 24))); serial_putc('\n');
    print_map(phys_to_virt(*(const uint64_t *)(si + 40)), *(const uint32_t *)(si + 48), 24);
    if (*(const uint32_t *)(si + 12)) {
        const uint64_t *mod = phys_to_virt(*(const uint64_t *)(si + 16));
        print_blob("initrd", mod[0], mod[1]);
    }
}

static void bzimage_info(const uint8_t *zp)
{
    put_str("protocol bzimage\n");
    put_u32_field("loader ", zp[0x210]);
    put_str("cmdline "); put_str(phys_to_virt(*(const uint32_t *)(zp + 0x228))); serial_putc('\n');
    print_map(zp + 0x2d0, zp[0x1e8], 20);
    if (*(const uint32_t *)(zp + 0x21c))
        print_blob("initrd", *(const uint32_t *)(zp + 0x218), *(const uint32_t *)(zp + 0x21c));
    print_blob("kernel", 0x100000, *(const uint32_t *)(zp + 0x1f4) * 16ull);
}

int guest_main(int ncpus)
{
    const uint8_t *si = phys_to_virt(PVH_INFO), *zp = phys_to_virt(ZERO_PAGE);
    if (*(const uint32_t *)si == 0x336ec578u)
        pvh_info(si);
    else if (*(const uint32_t *)(zp + 0x202) == 0x53726448u)      /* "HdrS" */
        bzimage_info(zp);
    else
        put_str("protocol elf\n");
    return 0;
}
