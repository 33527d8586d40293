/* fuzz_virtio_dev.c -- libFuzzer harness for the virtio devices' request
 * parsing: virtio-blk (request header, sector ranges, data segments,
 * discard ranges, the status byte), virtio-rng and virtio-console (tx and
 * rx) and virtio-net (tx frames to the backend; rx: a frame of the
 * input's RAM received from the backend and placed in the guest's buffer),
 * each served from a queue the input lays out in guest RAM.
 * fuzz_virtq covers the descriptor walker itself; here the chains it
 * hands out go through each device's notify, as a driver's kick would.
 * Input: device (byte 0: blk, rng, console, net), queue (byte 1), the queue
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
#include "net_backend.h"
#include "virtio.h"

struct fz_hdr { uint8_t dev, queue; uint16_t size, last_avail; uint32_t desc, avail, used; }
    __attribute__((packed));

enum { FZ_BLK, FZ_RNG, FZ_CONSOLE, FZ_NET, FZ_DEVS };
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

/* virtio-net's backend: frames sent are read whole (ASan checks their
 * extent); received ones come from the harness. */
static struct net_backend *fz_net;

static volatile uint8_t fz_net_sum;

static int fz_net_send(struct net_backend *be, const void *frame, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fz_net_sum += ((const uint8_t *)frame)[i];
    return (int)len;
}

int net_slirp_open(struct net_backend *be)
{
    be->send = fz_net_send;
    fz_net = be;
    return 0;
}

int net_tap_open(struct net_backend *be, const char *ifname) { return net_slirp_open(be); }

/* A frame of the first bytes of RAM (14 + 11 * (queue byte >> 1) bytes,
 * the queue byte's bit 0 being the queue) arrives: it
 * is placed at once if the guest offered a receive buffer, else it waits
 * in the device's slot (a stopping VM makes the backend's wait for the
 * slot give up, so a frame left from an earlier input is replaced). */
static void fz_net_receive(struct sys_vm *vm, uint8_t queue_byte)
{
    size_t len = 14 + 11 * (size_t)(queue_byte >> 1);
    vm->stop = STOP_POWEROFF;
    size_t n = len < vm->ram_size ? len : vm->ram_size;
    fz_net->receive(fz_net->opaque, vm->ram, n);
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
    fz_adding = FZ_NET;
    virtio_net_init(&boot_vm, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_hdr h;
    static struct sys_options opts;     /* no --debug: sys_debug reads it */
    struct sys_vm vm = { .opts = &opts };
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
        if (d == fz_dev[FZ_NET] && q == 0)
            fz_net_receive(&vm, h.queue);
        else
            d->ops->notify(d, q);
    }
    free(vm.ram);
    return 0;
}
