/* blk.c -- test guest for virtio-blk: prints capacity, read-only flag and
 * serial, an FNV-1a checksum of each of the first 16 sectors, then writes
 * sectors 20-21 with a known pattern, flushes, reads them back, discards
 * sectors 24-31, and tries a read past the end. The test computes the
 * same checksums on the image file natively and checks the file after. */
#include "guest.h"

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11 };
struct req { uint32_t type, reserved; uint64_t sector; };

static struct vdev dev;
static struct req *hdr;
static uint8_t *data, *status;

/* One request: header, optional data (device-writable for reads), status. */
static int blk_do(uint32_t type, uint64_t sector, uint32_t len, int data_writable)
{
    struct vdesc *d = dev.q[0].desc;
    hdr->type = type;
    hdr->sector = sector;
    *status = 0xff;
    d[0] = (struct vdesc){ virt_to_phys(hdr), sizeof *hdr, VD_NEXT, 1 };
    int n = 1;
    if (len)
        d[n] = (struct vdesc){ virt_to_phys(data), len, VD_NEXT | (data_writable ? VD_WRITE : 0), n + 1 }, n++;
    d[n] = (struct vdesc){ virt_to_phys(status), 1, VD_WRITE, 0 };
    vq_publish(&dev, 0, 0);
    if (vq_wait(&dev, 0) < 0)
        return -1;
    return *status;
}

static void print_sums(int first, int count)
{
    for (int s = first; s < first + count; s++) {
        int st = blk_do(T_IN, s, 512, 1);
        put_str("sector "); put_dec(s); put_str(" status "); put_dec(st);
        put_str(" fnv "); put_hex(fnv1a(data, 512, FNV_INIT)); serial_putc('\n');
    }
}

static void write_test(void)
{
    for (int i = 0; i < 1024; i++)
        data[i] = (uint8_t)(i * 7 + 3 + (i >> 9) * 101);
    put_str("write status "); put_dec(blk_do(T_OUT, 20, 1024, 0)); serial_putc('\n');
    put_str("flush status "); put_dec(blk_do(T_FLUSH, 0, 0, 0)); serial_putc('\n');
    print_sums(20, 2);
}

static void discard_test(void)
{
    struct { uint64_t sector; uint32_t num, flags; } *seg = (void *)data;
    seg->sector = 24;
    seg->num = 8;
    seg->flags = 0;
    put_str("discard status "); put_dec(blk_do(T_DISCARD, 0, 16, 0)); serial_putc('\n');
}

int guest_main(int ncpus)
{
    hdr = dma_alloc(sizeof *hdr, 16);
    data = dma_alloc(4096, 4096);
    status = dma_alloc(1, 1);
    if (virtio_open(&dev, 2, (1 << 5) | (1 << 9) | (1 << 13), 1) < 0) {
        put_str("no virtio-blk\n");
        return 1;
    }
    uint64_t cap = virtio_cfg_read(&dev, 0, 4) | (uint64_t)virtio_cfg_read(&dev, 4, 4) << 32;
    put_str("capacity "); put_dec(cap); serial_putc('\n');
    int st = blk_do(T_GET_ID, 0, 20, 1);
    put_str("id status "); put_dec(st); put_str(" serial "); put_str((char *)data); serial_putc('\n');
    print_sums(0, 16);
    write_test();
    discard_test();
    put_str("read past end status "); put_dec(blk_do(T_IN, cap, 512, 1)); serial_putc('\n');
    return 0;
}
