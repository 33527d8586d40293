/* fuzz_virtq.c -- libFuzzer harness for the split-virtqueue descriptor
 * walker (system/virtqueue.c).  The input is a small queue header (size,
 * ring addresses, the device's last_avail) followed by guest RAM holding
 * descriptor table and rings (optionally half of it at 4 GiB); RAM is an exactly-sized heap buffer, so
 * AddressSanitizer reports any read or write outside it.  Every chain the
 * walker hands out is copied from and written to as a device would, and
 * completed with vq_push. */
#include <stdlib.h>
#include <string.h>

#include "virtio.h"

struct fz_hdr { uint16_t size, last_avail; uint32_t desc, avail, used; } __attribute__((packed));

/* The transport's pieces: fuzz_virtio_transport.c. */

static void fz_serve(struct virtio_dev *d)
{
    static struct vq_chain c;
    static uint8_t buf[4096];
    for (int n = 0; n < 2 * VIRTIO_QUEUE_MAX && vq_pop(d, 0, &c) == 1; n++) {
        size_t got = vq_copy_from_out(&c, n % 7, buf, sizeof buf);
        size_t put = vq_copy_to_in(&c, n % 5, buf, got ? got : sizeof buf);
        vq_push(d, 0, c.head, (uint32_t)put);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_hdr h;
    struct sys_vm vm = {0};
    struct virtio_dev d = {0};
    if (size < sizeof h)
        return 0;
    memcpy(&h, data, sizeof h);
    vm.ram_size = vm.low_end = size - sizeof h;
    /* The size's top bit: the second half of RAM is "above 4 GiB", as the
     * part of a large guest's RAM past the PCI hole (sys_mem_ptr's second
     * branch; not a real machine's layout, the same arithmetic). */
    if (h.size & 0x8000) {
        vm.low_end = vm.ram_size / 2;
        vm.high_size = vm.ram_size - vm.low_end;
    }
    vm.ram = malloc(vm.ram_size ? vm.ram_size : 1);
    memcpy(vm.ram, data + sizeof h, vm.ram_size);
    d.vm = &vm;
    /* The transport refuses sizes that are not powers of two up to 256. */
    uint16_t qsize = h.size % (VIRTIO_QUEUE_MAX + 1);
    d.vq[0] = (struct virtq){ .size = qsize, .desc = h.desc, .avail = h.avail, .used = h.used,
                              .last_avail = h.last_avail };
    if (qsize && !(qsize & (qsize - 1)) && vq_rings_valid(&d, &d.vq[0])) {
        d.vq[0].ready = true;
        fz_serve(&d);
    }
    free(vm.ram);
    return 0;
}
