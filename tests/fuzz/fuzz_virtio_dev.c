/* fuzz_virtio_dev.c -- libFuzzer harness for the virtio devices' request
 * parsing: virtio-blk (request header, sector ranges, data segments,
 * discard ranges, the status byte), virtio-rng and virtio-console (tx and
 * rx), each served from a queue the input lays out in guest RAM.
 * fuzz_virtq covers the descriptor walker itself; here the chains it
 * hands out go through each device's notify, as a driver's kick would.
 * Input: device (byte 0: blk, rng, console), queue (byte 1), the queue
 * header of fuzz_virtq, then guest RAM, an exactly-sized heap buffer
 * (AddressSanitizer reports any access outside it).  The disk is a 64 KiB
 * memfd: writes and discards land there and cost nothing. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices.h"
#include "virtio.h"

struct fz_hdr { uint8_t dev, queue; uint16_t size, last_avail; uint32_t desc, avail, used; }
    __attribute__((packed));

enum { FZ_BLK, FZ_RNG, FZ_CONSOLE, FZ_DEVS };
static struct virtio_dev *fz_dev[FZ_DEVS];
static int fz_adding;

/* The transport (virtio_pci.c), reduced to the state the devices use. */
int virtio_pci_add(struct sys_vm *vm, struct virtio_dev *d, const struct virtio_dev_ops *ops,
                   void *priv)
{
    d->vm = vm;
    d->ops = ops;
    d->priv = priv;
    fz_dev[fz_adding] = d;
    return 0;
}

/* The transport's pieces: fuzz_virtio_transport.c. */

/* (bus.c's; used by config-space reads, which the harness does not make) */
void sys_put_le(void *data, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        ((uint8_t *)data)[i] = (uint8_t)(v >> (8 * i));
}

static void fz_make_devices(void)
{
    static struct sys_vm boot_vm;
    char path[64];
    int fd = memfd_create("fuzz-disk", 0);
    if (fd < 0 || ftruncate(fd, 64 << 10) < 0)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    fz_adding = FZ_BLK;
    if (virtio_blk_init(&boot_vm, path, false) < 0)
        abort();
    fz_adding = FZ_RNG;
    virtio_rng_init(&boot_vm);
    fz_adding = FZ_CONSOLE;
    virtio_console_init(&boot_vm, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_hdr h;
    struct sys_vm vm = {0};
    if (!fz_dev[FZ_BLK])
        fz_make_devices();
    if (size < sizeof h)
        return 0;
    memcpy(&h, data, sizeof h);
    struct virtio_dev *d = fz_dev[h.dev % FZ_DEVS];
    int q = h.queue % d->ops->num_queues;
    vm.ram_size = vm.low_end = size - sizeof h;
    vm.ram = malloc(vm.ram_size ? vm.ram_size : 1);
    memcpy(vm.ram, data + sizeof h, vm.ram_size);
    d->vm = &vm;
    d->status = 0;
    memset(d->vq, 0, sizeof d->vq);
    uint16_t qsize = h.size % (VIRTIO_QUEUE_MAX + 1);
    d->vq[q] = (struct virtq){ .size = qsize, .desc = h.desc, .avail = h.avail, .used = h.used,
                               .last_avail = h.last_avail };
    if (qsize && !(qsize & (qsize - 1)) && vq_rings_valid(d, &d->vq[q])) {
        d->vq[q].ready = true;
        d->ops->notify(d, q);
    }
    free(vm.ram);
    return 0;
}
