/* bootinfo.c -- test guest for the boot protocols. Its ELF carries a Xen
 * PVH note, so ferry-system enters it through pvh_entry32 (32-bit
 * protected mode, EBX = hvm_start_info), which switches to long mode on the
 * its own page tables. It prints what the VMM handed over: PVH start info or
 * a bzImage zero page (the hosted test binary also boots crafted bzImages
 * this way), the command line, the memory map, and checksums of the
 * initrd and of the bzImage's protected-mode kernel. With "bench.idle" in a
 * PVH command line it then idles instead of powering off (make
 * bench-system measures the VMM's memory while the guest is alive). */
#include "guest.h"

#define PVH_INFO 0x6000
#define ZERO_PAGE 0x7000

#ifdef GUEST_HOSTED
static uint64_t pvh_start_info;         /* hosted: found at its fixed address */
#else
extern uint64_t pvh_start_info;         /* EBX at the PVH entry */
__asm__(
    ".pushsection .note.Xen, \"a\", @note\n"
    ".balign 4\n"
    ".long 4, 4, 18\n"                  /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    ".asciz \"Xen\"\n"
    ".long pvh_entry32\n"
    ".popsection\n"
    ".pushsection .text, \"ax\"\n"
    ".code32\n"
    "pvh_entry32:\n"                    /* own GDT and page tables: also boots under other VMMs */
    "  mov %ebx, pvh_start_info\n"
    "  lgdt pvh_gdt_desc\n"
    "  mov %cr4, %eax\n  or $0x20, %eax\n  mov %eax, %cr4\n"      /* PAE */
    "  mov $pvh_pml4, %eax\n  mov %eax, %cr3\n"
    "  mov $0xc0000080, %ecx\n  rdmsr\n  or $0x100, %eax\n  wrmsr\n" /* EFER.LME */
    "  mov %cr0, %eax\n  or $0x80000000, %eax\n  mov %eax, %cr0\n"  /* paging on */
    "  ljmp $0x10, $pvh_entry64\n"
    ".code64\n"
    "pvh_entry64:\n"
    "  mov $0x18, %eax\n  mov %eax, %ds\n  mov %eax, %es\n  mov %eax, %ss\n"
    "  xor %edi, %edi\n  mov $1, %esi\n  jmp _start\n"
    ".popsection\n"
    ".pushsection .data, \"aw\"\n"
    ".balign 8\n"
    ".globl pvh_start_info\n"
    "pvh_start_info: .quad 0\n"
    "pvh_gdt: .quad 0, 0, 0x00af9a000000ffff, 0x00cf92000000ffff\n"
    "pvh_gdt_desc: .word 31\n .long pvh_gdt\n"
    ".balign 4096\n"
    "pvh_pml4: .quad pvh_pdpt + 3\n .fill 511, 8, 0\n"
    "pvh_pdpt: .quad pvh_pd + 3, pvh_pd + 0x1003, pvh_pd + 0x2003, pvh_pd + 0x3003\n .fill 508, 8, 0\n"
    "pvh_pd:\n"
    ".set pvh_i, 0\n"
    ".rept 2048\n .quad (pvh_i << 21) | 0x83\n .set pvh_i, pvh_i + 1\n.endr\n"
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

static int has_word(const char *s, const char *w)
{
    for (; *s; s++) {
        int i = 0;
        while (w[i] && s[i] == w[i]) i++;
        if (!w[i]) return 1;
    }
    return 0;
}

int guest_main(int ncpus)
{
    const uint8_t *si = phys_to_virt(pvh_start_info ? pvh_start_info : PVH_INFO), *zp = phys_to_virt(ZERO_PAGE);
    if (*(const uint32_t *)si == 0x336ec578u)
        pvh_info(si);
    else if (*(const uint32_t *)(zp + 0x202) == 0x53726448u)      /* "HdrS" */
        bzimage_info(zp);
    else
        put_str("protocol elf\n");
    if (*(const uint32_t *)si == 0x336ec578u && has_word(phys_to_virt(*(const uint64_t *)(si + 24)), "bench.idle")) {
        put_str("bench idle\n");          /* make bench-system reads the VMM's memory now */
        halt_forever();
    }
    return 0;
}
