/* malformed.c -- test guest that hands virtio-blk broken requests, one
 * case at a time, each on a freshly reset device: buffers outside guest
 * RAM, a descriptor loop, an oversize length, an out-of-range head, an
 * available index that jumps, rings outside RAM, and an out-of-RAM
 * virtio-rng buffer. After each it prints whether the device asked for a
 * reset; at the end a valid read proves the devices still work. Every
 * broken request is a write, so the image file must stay untouched. */
#include "guest.h"

struct req { uint32_t type, reserved; uint64_t sector; };

static struct vdev blk, rng;
static struct req *hdr;
static uint8_t *data, *status;
static const uint64_t far_away = 0xfff0000000ull;  /* no RAM there */

static void open_blk(void)
{
    blk = (struct vdev){0};
    virtio_open(&blk, 2, 1 << 9, 1);
}

static void good_write_chain(struct vdesc *d)
{
    hdr->type = 1;
    hdr->sector = 0;
    d[0] = (struct vdesc){ virt_to_phys(hdr), sizeof *hdr, VD_NEXT, 1 };
    d[1] = (struct vdesc){ virt_to_phys(data), 512, VD_NEXT, 2 };
    d[2] = (struct vdesc){ virt_to_phys(status), 1, VD_WRITE, 0 };
}

static void report(const char *name, struct vdev *d, int q, int publish_head)
{
    if (publish_head >= 0)
        vq_publish(d, q, publish_head);
    long r = vq_wait(d, q);
    put_str("case "); put_str(name);
    put_str(": used "); put_str(r < 0 ? "no" : "yes");
    put_str(" needs_reset "); put_dec((virtio_status(d) >> 6) & 1); serial_putc('\n');
}

static void case_chain(const char *name, void (*breakit)(struct vdesc *d))
{
    open_blk();
    good_write_chain(blk.q[0].desc);
    breakit(blk.q[0].desc);
    report(name, &blk, 0, 0);
}

static void data_outside_ram(struct vdesc *d) { d[1].addr = far_away; }
static void loop(struct vdesc *d) { d[2] = (struct vdesc){ virt_to_phys(status), 1, VD_WRITE | VD_NEXT, 1 }; d[1].flags |= VD_WRITE; }
static void loop_readable(struct vdesc *d) { d[1].next = 0; }
static void oversize(struct vdesc *d) { d[1].len = 0xfffff000u; }
static void bad_next(struct vdesc *d) { d[1].next = 999; }

static void case_bad_head(void)
{
    open_blk();
    good_write_chain(blk.q[0].desc);
    report("head-out-of-range", &blk, 0, 200);
}

static void case_avail_jump(void)
{
    open_blk();
    good_write_chain(blk.q[0].desc);
    blk.q[0].avail_idx += 100;
    report("avail-index-jump", &blk, 0, 0);
}

/* Programs queue 0 with a descriptor table far outside RAM. */
static void case_ring_outside(void)
{
    open_blk();
    mmio_write(blk.common + 20, 0, 1);
    mmio_write(blk.common + 20, 1 | 2 | 8, 1);
    mmio_write(blk.common + 22, 0, 2);
    mmio_write(blk.common + 32, (uint32_t)far_away, 4);
    mmio_write(blk.common + 36, far_away >> 32, 4);
    mmio_write(blk.common + 28, 1, 2);
    put_str("case ring-outside-ram: enabled "); put_dec(mmio_read(blk.common + 28, 2));
    put_str(" needs_reset "); put_dec((virtio_status(&blk) >> 6) & 1); serial_putc('\n');
}

static void case_rng_outside(void)
{
    virtio_open(&rng, 4, 0, 1);
    rng.q[0].desc[0] = (struct vdesc){ virt_to_phys(data) , 0x7fffffff, VD_WRITE, 0 };
    report("rng-oversize", &rng, 0, 0);
}

static void valid_read(void)
{
    open_blk();
    struct vdesc *d = blk.q[0].desc;
    hdr->type = 0;
    hdr->sector = 1;
    d[0] = (struct vdesc){ virt_to_phys(hdr), sizeof *hdr, VD_NEXT, 1 };
    d[1] = (struct vdesc){ virt_to_phys(data), 512, VD_NEXT | VD_WRITE, 2 };
    d[2] = (struct vdesc){ virt_to_phys(status), 1, VD_WRITE, 0 };
    vq_publish(&blk, 0, 0);
    long r = vq_wait(&blk, 0);
    put_str("valid read after resets: len "); put_dec(r < 0 ? 0 : r);
    put_str(" status "); put_dec(*status);
    put_str(" fnv "); put_hex(fnv1a(data, 512, FNV_INIT)); serial_putc('\n');
}

int guest_main(int ncpus)
{
    hdr = dma_alloc(sizeof *hdr, 16);
    data = dma_alloc(4096, 4096);
    status = dma_alloc(1, 1);
    for (int i = 0; i < 512; i++)
        data[i] = 0xee;
    case_chain("data-outside-ram", data_outside_ram);
    case_chain("loop-writable", loop);
    case_chain("loop", loop_readable);
    case_chain("oversize-length", oversize);
    case_chain("next-out-of-range", bad_next);
    case_bad_head();
    case_avail_jump();
    case_ring_outside();
    case_rng_outside();
    valid_read();
    return 0;
}
