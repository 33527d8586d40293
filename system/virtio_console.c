/* virtio_console.c -- virtio-console (hvc0), one port, no multiport:
 * what the guest transmits goes to stdout. With --console virtio, a reader
 * thread feeds stdin into a byte ring that is poured into the receive
 * queue's buffers whenever the guest offers some; otherwise stdin belongs
 * to the UART (ttyS0) and the receive queue is only held, never filled. */
#include <stdlib.h>
#include <unistd.h>

#include "devices.h"
#include "virtio.h"

enum { CONSOLE_RXQ = 0, CONSOLE_TXQ = 1 };
#define CONSOLE_RING 4096

struct vconsole {
    struct virtio_dev vdev;
    uint8_t ring[CONSOLE_RING];
    unsigned head, tail;            /* stdin bytes not yet given; under dev_lock */
};

static void console_tx(struct virtio_dev *d)
{
    static struct vq_chain chain;
    for (unsigned n = 0; n < d->vq[CONSOLE_TXQ].size && vq_pop(d, CONSOLE_TXQ, &chain) == 1; n++) {
        for (int i = 0; i < chain.nout; i++)
            if (write(STDOUT_FILENO, chain.out[i].ptr, chain.out[i].len) < 0)
                break;
        vq_push(d, CONSOLE_TXQ, chain.head, 0);
    }
}

/* Copies the ring's oldest bytes into one chain; returns bytes placed. */
static uint32_t console_fill(struct vconsole *c, struct vq_chain *chain)
{
    uint32_t placed = 0;
    while (c->head != c->tail && placed < chain->in_len) {
        unsigned at = c->tail % CONSOLE_RING;
        unsigned run = c->head - c->tail;
        if (run > CONSOLE_RING - at)
            run = CONSOLE_RING - at;        /* up to the ring's wrap */
        size_t n = vq_copy_to_in(chain, placed, c->ring + at, run);
        if (!n)
            break;
        placed += n;
        c->tail += n;
    }
    return placed;
}

/* Under dev_lock: hands buffered input to the buffers the guest offered. */
static void console_rx_deliver(struct vconsole *c)
{
    static struct vq_chain chain;
    for (unsigned n = 0; n < c->vdev.vq[CONSOLE_RXQ].size && c->head != c->tail
                         && vq_pop(&c->vdev, CONSOLE_RXQ, &chain) == 1; n++)
        vq_push(&c->vdev, CONSOLE_RXQ, chain.head, console_fill(c, &chain));
}

static void console_notify(struct virtio_dev *d, int q)
{
    if (q == CONSOLE_TXQ)
        console_tx(d);
    else
        console_rx_deliver(d->priv);
}

/* stdin's bytes, as many as the ring holds (dev_stdin.c). */
static size_t console_input(void *dev, const uint8_t *buf, size_t n)
{
    struct vconsole *c = dev;
    size_t i = 0;
    for (; i < n && c->head - c->tail < CONSOLE_RING; i++)
        c->ring[c->head++ % CONSOLE_RING] = buf[i];
    console_rx_deliver(c);
    return i;
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

int virtio_console_init(struct sys_vm *vm, bool input)
{
    struct vconsole *c = calloc(1, sizeof *c);
    if (virtio_pci_add(vm, &c->vdev, &console_ops, c) < 0)
        return -1;
    if (input)
        dev_stdin_start(vm, console_input, c);
    return 0;
}
