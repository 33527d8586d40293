/* virtio.c -- a minimal modern virtio-pci driver for the test guests:
 * capability walk, feature negotiation, split queues of VQ_SIZE entries,
 * polling for used buffers (no interrupts). */
#include "guest.h"

enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4 };
enum { C_DFSEL = 0, C_DF = 4, C_GFSEL = 8, C_GF = 12, C_NUMQ = 18, C_STATUS = 20,
       C_QSEL = 22, C_QSIZE = 24, C_QENABLE = 28, C_QNOFF = 30, C_QDESC = 32,
       C_QDRIVER = 40, C_QDEVICE = 48 };

static void virtio_caps(struct vdev *d)
{
    uint64_t bar = pci_cfg_read(d->slot, 0x10, 4) & ~0xfull;
    for (unsigned at = pci_cfg_read(d->slot, 0x34, 1); at; at = pci_cfg_read(d->slot, at + 1, 1)) {
        if (pci_cfg_read(d->slot, at, 1) != 0x09)
            continue;
        uint64_t addr = bar + pci_cfg_read(d->slot, at + 8, 4);
        switch (pci_cfg_read(d->slot, at + 3, 1)) {
        case CAP_COMMON: d->common = addr; break;
        case CAP_ISR: d->isr = addr; break;
        case CAP_DEVICE: d->device = addr; break;
        case CAP_NOTIFY:
            d->notify_base = addr;
            d->notify_mult = pci_cfg_read(d->slot, at + 16, 4);
            break;
        }
    }
}

static void set_u64(uint64_t at, uint64_t v)
{
    mmio_write(at, (uint32_t)v, 4);
    mmio_write(at + 4, v >> 32, 4);
}

static void queue_setup(struct vdev *d, int i)
{
    struct vqueue *q = &d->q[i];
    q->size = VQ_SIZE;
    q->desc = dma_alloc(16 * VQ_SIZE, 16);
    q->avail = dma_alloc(6 + 2 * VQ_SIZE, 2);
    q->used = dma_alloc(6 + 8 * VQ_SIZE, 4);
    mmio_write(d->common + C_QSEL, i, 2);
    mmio_write(d->common + C_QSIZE, VQ_SIZE, 2);
    set_u64(d->common + C_QDESC, virt_to_phys(q->desc));
    set_u64(d->common + C_QDRIVER, virt_to_phys(q->avail));
    set_u64(d->common + C_QDEVICE, virt_to_phys(q->used));
    q->notify_addr = d->notify_base + mmio_read(d->common + C_QNOFF, 2) * d->notify_mult;
    mmio_write(d->common + C_QENABLE, 1, 2);
}

int virtio_open(struct vdev *d, int id, uint64_t features, int nq)
{
    d->slot = pci_find(0x1af4, 0x1040 + id);
    if (d->slot < 0)
        return -1;
    virtio_caps(d);
    mmio_write(d->common + C_STATUS, 0, 1);
    mmio_write(d->common + C_STATUS, 1 | 2, 1);             /* ACKNOWLEDGE, DRIVER */
    mmio_write(d->common + C_DFSEL, 0, 4);
    uint64_t offered = mmio_read(d->common + C_DF, 4);
    mmio_write(d->common + C_DFSEL, 1, 4);
    offered |= (uint64_t)mmio_read(d->common + C_DF, 4) << 32;
    uint64_t want = (features | (1ull << 32)) & offered;
    d->features = want;
    mmio_write(d->common + C_GFSEL, 0, 4);
    mmio_write(d->common + C_GF, (uint32_t)want, 4);
    mmio_write(d->common + C_GFSEL, 1, 4);
    mmio_write(d->common + C_GF, want >> 32, 4);
    mmio_write(d->common + C_STATUS, 1 | 2 | 8, 1);         /* FEATURES_OK */
    if (!(mmio_read(d->common + C_STATUS, 1) & 8))
        return -1;
    for (int i = 0; i < nq; i++)
        queue_setup(d, i);
    mmio_write(d->common + C_STATUS, 1 | 2 | 8 | 4, 1);     /* DRIVER_OK */
    return 0;
}

void vq_publish(struct vdev *d, int i, uint16_t head)
{
    struct vqueue *q = &d->q[i];
    q->avail[2 + q->avail_idx % q->size] = head;
    barrier();
    q->avail[1] = ++q->avail_idx;
    barrier();
    mmio_write(q->notify_addr, i, 2);
}

/* Spins until the used ring moves or the device asks for a reset; `spins`
 * < 0: no limit (the VMM's --timeout is the hang guard). */
static long vq_wait_spins(struct vdev *d, int i, long spins)
{
    struct vqueue *q = &d->q[i];
    for (long spin = 0; spins < 0 || spin < spins; spin++) {
        uint16_t idx = *(volatile uint16_t *)(q->used + 2);
        if (idx != q->used_seen) {
            barrier();
            uint32_t len = *(volatile uint32_t *)(q->used + 4 + 8 * (q->used_seen % q->size) + 4);
            q->used_seen++;
            return len;
        }
        if ((spin & 255) == 255 && (mmio_read(d->common + C_STATUS, 1) & 0x40))
            return -1;                                      /* DEVICE_NEEDS_RESET */
        cpu_relax();
    }
    return -1;
}

long vq_wait(struct vdev *d, int i) { return vq_wait_spins(d, i, 20000000); }

long vq_wait_external(struct vdev *d, int i) { return vq_wait_spins(d, i, -1); }

uint8_t virtio_status(struct vdev *d)
{
    return mmio_read(d->common + C_STATUS, 1);
}

uint32_t virtio_cfg_read(struct vdev *d, unsigned off, unsigned size)
{
    return mmio_read(d->device + off, size);
}
