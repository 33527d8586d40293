/* boot_bzimage.c -- the Linux x86 boot protocol for bzImage: copies the
 * setup header into a zero page (boot_params) with e820 map, command line
 * and initrd, loads the protected-mode kernel at 1 MiB and enters its
 * 64-bit entry (load address + 0x200) with RSI = zero page. */
#include <string.h>

#include "boot.h"
#include "layout.h"

/* Offsets in boot_params / the setup header (Documentation/arch/x86/boot.rst). */
enum {
    BP_E820_ENTRIES = 0x1e8, BP_SETUP_SECTS = 0x1f1, BP_SYSSIZE = 0x1f4, BP_HEADER = 0x202,
    BP_VERSION = 0x206, BP_TYPE_OF_LOADER = 0x210, BP_LOADFLAGS = 0x211,
    BP_RAMDISK_IMAGE = 0x218, BP_RAMDISK_SIZE = 0x21c, BP_HEAP_END = 0x224,
    BP_CMD_LINE_PTR = 0x228, BP_INITRD_MAX = 0x22c, BP_XLOADFLAGS = 0x236,
    BP_E820_TABLE = 0x2d0, BP_E820_MAX = 128,
};
#define LOADED_HIGH   0x01
#define CAN_USE_HEAP  0x80
#define XLF_KERNEL_64 0x01

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static int bz_check(struct boot_file *k, uint64_t *setup_size)
{
    if (k->size < 0x1000 || memcmp(k->data + BP_HEADER, "HdrS", 4) != 0) {
        sys_err("%s: neither an ELF kernel nor a bzImage (no HdrS signature)", k->path);
        return -1;
    }
    uint16_t version = k->data[BP_VERSION] | k->data[BP_VERSION + 1] << 8;
    if (version < 0x20c || !(k->data[BP_XLOADFLAGS] & XLF_KERNEL_64)
        || !(k->data[BP_LOADFLAGS] & LOADED_HIGH)) {
        sys_err("%s: bzImage boot protocol 0x%x without a 64-bit entry", k->path, version);
        return -1;
    }
    unsigned sects = k->data[BP_SETUP_SECTS] ? k->data[BP_SETUP_SECTS] : 4;
    *setup_size = (sects + 1) * 512ull;
    if (*setup_size >= k->size) {
        sys_err("%s: truncated bzImage (setup of %llu bytes, file of %zu)", k->path,
                (unsigned long long)*setup_size, k->size);
        return -1;
    }
    /* syssize: the protected-mode kernel's size in 16-byte paragraphs */
    uint64_t sys_bytes = rd32(k->data + BP_SYSSIZE) * 16ull;
    if (sys_bytes == 0 || sys_bytes > k->size - *setup_size) {
        sys_err("%s: truncated bzImage (header says %llu bytes of kernel after the setup, file has %llu)",
                k->path, (unsigned long long)sys_bytes, (unsigned long long)(k->size - *setup_size));
        return -1;
    }
    return 0;
}

static void bz_zero_page(struct sys_vm *vm, struct boot_file *k, uint8_t *zp)
{
    memset(zp, 0, 4096);
    size_t hdr_end = BP_HEADER + k->data[0x201];   /* jump offset ends the header */
    if (hdr_end > 0x280)
        hdr_end = 0x280;
    memcpy(zp + BP_SETUP_SECTS, k->data + BP_SETUP_SECTS, hdr_end - BP_SETUP_SECTS);
    wr32(zp + BP_RAMDISK_IMAGE, 0);     /* the file's own values mean nothing: */
    wr32(zp + BP_RAMDISK_SIZE, 0);      /* bz_initrd sets them when there is one */
    zp[BP_TYPE_OF_LOADER] = 0xff;
    zp[BP_LOADFLAGS] |= CAN_USE_HEAP;
    zp[BP_HEAP_END] = 0x00;
    zp[BP_HEAP_END + 1] = 0xfe;
    struct e820_entry map[BP_E820_MAX];
    int n = boot_e820(vm, map, BP_E820_MAX);
    memcpy(zp + BP_E820_TABLE, map, n * sizeof map[0]);
    zp[BP_E820_ENTRIES] = n;
}

/* Above the kernel, below the header's initrd_addr_max (2.03+). */
static int bz_initrd(struct sys_vm *vm, struct boot_file *k, struct boot_file *initrd, uint8_t *zp,
                     uint64_t lowest)
{
    uint64_t at, max = rd32(k->data + BP_INITRD_MAX) + 1ull;
    if (boot_place_initrd(vm, initrd, lowest, max, &at) < 0)
        return -1;
    wr32(zp + BP_RAMDISK_IMAGE, at);
    wr32(zp + BP_RAMDISK_SIZE, initrd->size);
    return 0;
}

int boot_bzimage(struct sys_vm *vm, struct boot_file *k, struct boot_file *initrd)
{
    uint64_t setup_size, cmdline;
    if (bz_check(k, &setup_size) < 0)
        return -1;
    uint64_t kernel_size = k->size - setup_size;
    uint8_t *dst = sys_mem_ptr(vm, LAYOUT_HIGH, kernel_size);
    if (!dst) {
        sys_err("%s: kernel of %llu bytes does not fit in guest RAM", k->path,
                (unsigned long long)kernel_size);
        return -1;
    }
    memcpy(dst, k->data + setup_size, kernel_size);
    uint8_t *zp = sys_mem_ptr(vm, LAYOUT_ZERO_PAGE, 4096);
    bz_zero_page(vm, k, zp);
    if (boot_cmdline(vm, &cmdline) < 0)
        return -1;
    wr32(zp + BP_CMD_LINE_PTR, cmdline);
    if (initrd && bz_initrd(vm, k, initrd, zp, LAYOUT_HIGH + kernel_size) < 0)
        return -1;
    boot_write_gdt_and_paging(vm);
    vm->boot = (struct sys_boot){ .mode = BOOT_LONG64, .rip = LAYOUT_HIGH + 0x200,
                                  .rsi = LAYOUT_ZERO_PAGE, .rsp = LAYOUT_ZERO_PAGE };
    return 0;
}
