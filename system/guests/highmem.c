/* highmem.c -- test guest for RAM above the PCI hole (run with --mem 5G):
 * reads sector 3 of its virtio-blk disk into a buffer at 4.5 GiB and into
 * one below 16 MiB, and prints both checksums and whether the high copy
 * survives a pattern written around it. */
#include "guest.h"

#define HIGH_BUF 0x120000000ull     /* 4.5 GiB: in the RAM that continues at 4 GiB */

struct req { uint32_t type, reserved; uint64_t sector; };
static struct vdev dev;

static long read_sector(uint64_t buf_gpa, struct req *hdr, uint8_t *status)
{
    struct vdesc *d = dev.q[0].desc;
    hdr->type = 0;
    hdr->sector = 3;
    d[0] = (struct vdesc){ virt_to_phys(hdr), sizeof *hdr, VD_NEXT, 1 };
    d[1] = (struct vdesc){ buf_gpa, 512, VD_NEXT | VD_WRITE, 2 };
    d[2] = (struct vdesc){ virt_to_phys(status), 1, VD_WRITE, 0 };
    vq_publish(&dev, 0, 0);
    return vq_wait(&dev, 0) < 0 ? -1 : *status;
}

int guest_main(int ncpus)
{
    struct req *hdr = dma_alloc(sizeof *hdr, 16);
    uint8_t *status = dma_alloc(1, 1), *low = dma_alloc(512, 512);
    uint8_t *high = phys_to_virt(HIGH_BUF);
    if (virtio_open(&dev, 2, 0, 1) < 0)
        return 1;
    long s1 = read_sector(HIGH_BUF, hdr, status), s2 = read_sector(virt_to_phys(low), hdr, status);
    put_str("high status "); put_dec(s1); put_str(" fnv "); put_hex(fnv1a(high, 512, FNV_INIT));
    serial_putc('\n');
    put_str("low status "); put_dec(s2); put_str(" fnv "); put_hex(fnv1a(low, 512, FNV_INIT));
    serial_putc('\n');
    return 0;
}
