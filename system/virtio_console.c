/* virtio_console.c -- virtio-console (hvc0), one port, no multiport:
 * what the guest transmits goes to stdout. Standard input belongs to the
 * UART (ttyS0), so the receive queue is only held, never filled. */
#include <stdlib.h>
#include <unistd.h>

#include "devices.h"
#include "virtio.h"

enum { CONSOLE_RXQ = 0, CONSOLE_TXQ = 1 };

struct vconsole { struct virtio_dev vdev; };

static void console_notify(struct virtio_dev *d, int q)
{
    static struct vq_chain chain;
    if (q != CONSOLE_TXQ)
        return;
    while (vq_pop(d, q, &chain) == 1) {
        for (int i = 0; i < chain.nout; i++)
            if (write(STDOUT_FILENO, chain.out[i].ptr, chain.out[i].len) < 0)
                break;
        vq_push(d, q, chain.head, 0);
    }
}

static void console_cfg_read(struct virtio_dev *d, uint64_t off, void *data, unsigned size)
{
    uint8_t cfg[12] = { 80, 0, 25, 0 };     /* cols, rows, max_nr_ports, emerg_wr */
    for (unsigned i = 0; i < size; i++)
        ((uint8_t *)data)[i] = off + i < sizeof cfg ? cfg[off + i] : 0;
}

static const struct virtio_dev_ops console_ops = {
    .name = "virtio-console", .device_id = 3, .pci_class = 0x0780, .num_queues = 2,
    .cfg_read = console_cfg_read, .notify = console_notify,
};

int virtio_console_init(struct sys_vm *vm)
{
    struct vconsole *c = calloc(1, sizeof *c);
    return virtio_pci_add(vm, &c->vdev, &console_ops, c);
}
