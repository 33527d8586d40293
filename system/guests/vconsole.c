/* vconsole.c -- test guest for virtio-console: sends two buffers on the
 * transmit queue (port 0) and reports the used lengths on COM1. */
#include "guest.h"

static struct vdev dev;

static void send(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    char *buf = dma_alloc(n, 1);
    g_memcpy(buf, s, n);
    dev.q[1].desc[0] = (struct vdesc){ virt_to_phys(buf), n, 0, 0 };
    vq_publish(&dev, 1, 0);
    long r = vq_wait(&dev, 1);
    put_str(r < 0 ? "[serial] send failed\n" : "[serial] sent\n");
}

int guest_main(int ncpus)
{
    if (virtio_open(&dev, 3, 0, 2) < 0) {
        put_str("no virtio-console\n");
        return 1;
    }
    send("hvc0: hello over virtio-console\n");
    send("hvc0: second buffer\n");
    return 0;
}
