/* fuzz.c -- test guest: 3000 random requests to a read-only virtio-blk
 * and to virtio-rng. Descriptors get random addresses (inside the DMA
 * area, straddling the end of RAM, far outside it), lengths, flags and
 * next indices; the available index sometimes jumps. Whenever a device
 * asks for a reset it gets one. The VMM must survive, touch only guest
 * RAM and leave the image file alone; the guest counts what happened. */
#include "guest.h"

#define ROUNDS 3000
#define DMA_AREA (16u << 20)
#define DMA_SPAN (8u << 20)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t ram_size;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t rnd_addr(void)
{
    switch (rnd() % 8) {
    case 0: return ram_size - (rnd() % 64);                 /* straddles the end */
    case 1: return rnd();                                   /* anywhere */
    default: return DMA_AREA + 4096 + rnd() % (DMA_SPAN - 8192);
    }
}

static uint32_t rnd_len(void)
{
    switch (rnd() % 6) {
    case 0: return (uint32_t)rnd();
    case 1: return 0;
    default: return 1 + rnd() % 1024;
    }
}

static void fill_descs(struct vqueue *q)
{
    for (int i = 0; i < q->size; i++) {
        uint16_t flags = rnd() % 4 == 0 ? (rnd() & 7) : (rnd() & 3);
        q->desc[i] = (struct vdesc){ rnd_addr(), rnd_len(), flags, (uint16_t)(rnd() % (q->size + 4)) };
    }
}

/* One random request; returns 1 if the device needed a reset. */
static int fuzz_one(struct vdev *d, int id, uint64_t features)
{
    struct vqueue *q = &d->q[0];
    fill_descs(q);
    if (id == 2 && rnd() % 2) {     /* often a plausible header first */
        uint32_t *hdr = phys_to_virt(DMA_AREA);
        hdr[0] = rnd() % 12;
        q->desc[0] = (struct vdesc){ DMA_AREA, 16, 1, 1 };
    }
    if (rnd() % 16 == 0)
        q->avail_idx += rnd() % 64;
    vq_publish(d, 0, rnd() % (q->size + 2));
    vq_wait(d, 0);
    if (!(virtio_status(d) & 0x40))
        return 0;
    *d = (struct vdev){0};
    virtio_open(d, id, features, 1);
    return 1;
}

int guest_main(int ncpus)
{
    static struct vdev blk, rng;
    ram_size = 64u << 20;
    dma_alloc(DMA_SPAN, 4096);                  /* reserve the area the fuzzer scribbles on */
    if (virtio_open(&blk, 2, 0, 1) < 0 || virtio_open(&rng, 4, 0, 1) < 0)
        return 1;
    int resets = 0;
    for (int i = 0; i < ROUNDS; i++)
        resets += i % 2 ? fuzz_one(&rng, 4, 0) : fuzz_one(&blk, 2, 0);
    put_str("fuzz rounds "); put_dec(ROUNDS); put_str(" resets "); put_dec(resets); serial_putc('\n');
    return 0;
}
