/* fuzz_boot.c -- libFuzzer harness for ferry-system's kernel loaders
 * (system/boot_elf.c: ELF and PVH; system/boot_bzimage.c: the Linux boot
 * protocol) against a fake guest RAM: one exactly-sized heap buffer, so
 * AddressSanitizer sees any write past it.  The input's first byte picks
 * whether its last quarter is an initrd and how long the command line is;
 * the rest is the kernel file. */
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "layout.h"

#define FZ_RAM_SIZE (20ull << 20)   /* low RAM only; PVH initrds go above 16 MiB */

static struct sys_vm fz_vm;
static struct sys_options fz_opts;

static void fz_vm_init(void)
{
    if (fz_vm.ram)
        return;
    fz_vm.ram = malloc(FZ_RAM_SIZE);
    fz_vm.ram_size = fz_vm.low_end = FZ_RAM_SIZE;
    fz_vm.opts = &fz_opts;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char cmdline[256];
    if (size < 1)
        return 0;
    fz_vm_init();
    uint8_t sel = data[0];
    size_t ksize = size - 1, isize = sel & 1 ? ksize / 4 : 0;
    ksize -= isize;
    memset(cmdline, 'c', sizeof cmdline);
    cmdline[(sel >> 1) % sizeof cmdline] = 0;
    fz_opts.append = sel & 0x80 ? NULL : cmdline;
    /* The loaders read the files as boot_read_file leaves them, mapped
     * (here heap copies of exactly their size); no descriptor: segments
     * are copied from the data. */
    struct boot_file k = { malloc(ksize + 1), ksize, "kernel", -1 };
    struct boot_file initrd = { malloc(isize + 1), isize, "initrd", -1 };
    memcpy(k.data, data + 1, ksize);
    memcpy(initrd.data, data + 1 + ksize, isize);
    int r = boot_elf(&fz_vm, &k, isize ? &initrd : NULL);
    if (r == 1)
        boot_bzimage(&fz_vm, &k, isize ? &initrd : NULL);
    free(k.data);
    free(initrd.data);
    return 0;
}
