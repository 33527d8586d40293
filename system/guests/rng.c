/* rng.c -- test guest for virtio-rng: asks twice for 64 bytes and prints
 * them in hex with the lengths the device reported. */
#include "guest.h"

static struct vdev dev;

static void one_read(uint8_t *buf)
{
    dev.q[0].desc[0] = (struct vdesc){ virt_to_phys(buf), 64, VD_WRITE, 0 };
    vq_publish(&dev, 0, 0);
    long len = vq_wait(&dev, 0);
    put_str("rng len "); put_dec(len < 0 ? 0 : len); put_str(" bytes ");
    for (int i = 0; i < 64; i++) {
        serial_putc("0123456789abcdef"[buf[i] >> 4]);
        serial_putc("0123456789abcdef"[buf[i] & 15]);
    }
    serial_putc('\n');
}

int guest_main(int ncpus)
{
    uint8_t *a = dma_alloc(64, 64), *b = dma_alloc(64, 64);
    if (virtio_open(&dev, 4, 0, 1) < 0) {
        put_str("no virtio-rng\n");
        return 1;
    }
    one_read(a);
    one_read(b);
    return 0;
}
