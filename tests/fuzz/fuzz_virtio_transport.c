/* fuzz_virtio_transport.c -- the transport's pieces (virtio_pci.c) that the
 * virtqueue walker and the devices call, reduced to the state they keep:
 * shared by the virtq and virtio_dev harnesses. */
#include "virtio.h"

void virtio_fail(struct virtio_dev *d, const char *fmt, ...)
{
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
}

bool virtio_live(struct virtio_dev *d, int queue)
{
    return d->vq[queue].ready && !(d->status & VIRTIO_STATUS_NEEDS_RESET);
}

void virtio_irq(struct virtio_dev *d)
{
    d->isr |= 1;
}
