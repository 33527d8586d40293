/* vconsole_in.c -- test guest for virtio-console input (--console virtio):
 * keeps receive buffers of uneven sizes (1..61 bytes) posted, reads a
 * 4-byte little-endian count and then that many bytes from hvc0's receive
 * queue, and reports their count and FNV-1a on COM1, plus whether any
 * input reached the UART instead (it must not). */
#include "guest.h"

#define COM1_LSR 0x3fd

static struct vdev dev;
static uint8_t *bufs[VQ_SIZE];

static void post(uint16_t i)
{
    dev.q[0].desc[i] = (struct vdesc){ virt_to_phys(bufs[i]), 1 + (i * 20) % 61, VD_WRITE, 0 };
    vq_publish(&dev, 0, i);
}

/* Copies the next used receive buffer into `out` and offers it again;
 * returns its length, or -1. */
static long next_input(uint8_t *out)
{
    struct vqueue *q = &dev.q[0];
    long len = vq_wait_external(&dev, 0);
    if (len < 0)
        return -1;
    uint32_t id = *(volatile uint32_t *)(q->used + 4 + 8 * ((q->used_seen - 1) % q->size));
    if (id >= VQ_SIZE || len > 64)
        return -1;
    g_memcpy(out, bufs[id], len);
    post(id);
    return len;
}

int guest_main(int ncpus)
{
    if (virtio_open(&dev, 3, 0, 2) < 0) {
        put_str("no virtio-console\n");
        return 1;
    }
    for (uint16_t i = 0; i < VQ_SIZE; i++) {
        bufs[i] = dma_alloc(64, 8);
        post(i);
    }
    uint8_t copy[64];
    uint64_t want = 0, got = 0, header = 0;
    uint32_t h = FNV_INIT;
    while (header < 4 || got < want) {
        long len = next_input(copy);
        if (len < 0) {
            put_str("vcin: receive failed\n");
            return 1;
        }
        for (long i = 0; i < len; i++) {
            if (header < 4)
                want |= (uint64_t)copy[i] << (8 * header++);
            else if (got < want)
                h = fnv1a(&copy[i], 1, h), got++;
        }
    }
    put_str("vcin bytes "); put_dec(got);
    put_str(" fnv "); put_hex(h);
    put_str("\nuart rx empty ");
    put_str(inb(COM1_LSR) & 1 ? "no\n" : "yes\n");
    return 0;
}
