/* virtio_pci.c -- the modern (1.x) virtio-pci transport: vendor
 * capabilities in PCI config space pointing into BAR0, where the common
 * configuration, ISR, device configuration and notify registers live. Knows
 * nothing about device types: those come in through virtio_dev_ops. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "virtio.h"

enum { BAR_COMMON = 0x0000, BAR_ISR = 0x1000, BAR_DEVICE = 0x2000, BAR_NOTIFY = 0x3000,
       BAR_SIZE = 0x4000, NOTIFY_MULT = 4 };
enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4 };

static void virtio_pci_cap(struct pci_dev *p, uint8_t at, uint8_t next, uint8_t type,
                           uint32_t off, uint32_t len)
{
    uint8_t *c = p->cfg + at;
    c[0] = 0x09;                            /* vendor-specific capability */
    c[1] = next;
    c[2] = type == CAP_NOTIFY ? 20 : 16;
    c[3] = type;
    c[4] = 0;                               /* BAR0 */
    sys_put_le(c + 8, 4, off);
    sys_put_le(c + 12, 4, len);
    if (type == CAP_NOTIFY)
        sys_put_le(c + 16, 4, NOTIFY_MULT);
}

static void virtio_reset(struct virtio_dev *d)
{
    d->status = d->isr = 0;
    d->drv_features = 0;
    d->dev_feat_sel = d->drv_feat_sel = d->queue_sel = 0;
    d->failed_reported = false;
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
        d->vq[i] = (struct virtq){ .size = VIRTIO_QUEUE_MAX, .notify_off = i };
    sys_irq_line(d->vm, d->pci.irq, 0);
    if (d->ops->reset)
        d->ops->reset(d);
}

void virtio_irq(struct virtio_dev *d)
{
    sys_debug(d->vm, "%s: irq %u up (isr %u)", d->ops->name, d->pci.irq, d->isr);
    d->isr |= 1;
    sys_irq_line(d->vm, d->pci.irq, 1);
}

void virtio_fail(struct virtio_dev *d, const char *fmt, ...)
{
    if (!d->failed_reported) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "ferry-system: %s (slot %d): device error: ", d->ops->name, d->pci.slot);
        vfprintf(stderr, fmt, ap);
        fputs("; device needs reset\n", stderr);
        va_end(ap);
    }
    d->failed_reported = true;
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
    d->isr |= 2;                            /* configuration change */
    sys_irq_line(d->vm, d->pci.irq, 1);
}

bool virtio_live(struct virtio_dev *d, int q)
{
    return (d->status & VIRTIO_STATUS_DRIVER_OK) && !(d->status & VIRTIO_STATUS_NEEDS_RESET)
        && q < d->ops->num_queues && d->vq[q].ready;
}

/* ---- Common configuration registers. ---- */

static struct virtq *cur_vq(struct virtio_dev *d)
{
    return d->queue_sel < d->ops->num_queues ? &d->vq[d->queue_sel] : NULL;
}

static uint64_t dev_features(struct virtio_dev *d)
{
    return d->ops->features | VIRTIO_F_VERSION_1;
}

static uint64_t common_read(struct virtio_dev *d, unsigned off)
{
    struct virtq *vq = cur_vq(d);
    switch (off) {
    case 0: return d->dev_feat_sel;
    case 4: return d->dev_feat_sel < 2 ? (uint32_t)(dev_features(d) >> (32 * d->dev_feat_sel)) : 0;
    case 8: return d->drv_feat_sel;
    case 12: return d->drv_feat_sel < 2 ? (uint32_t)(d->drv_features >> (32 * d->drv_feat_sel)) : 0;
    case 16: return 0xffff;                 /* msix_config: no MSI-X */
    case 18: return d->ops->num_queues;
    case 20: return d->status;
    case 21: return d->cfg_gen;
    case 22: return d->queue_sel;
    case 24: return vq ? vq->size : 0;
    case 26: return 0xffff;
    case 28: return vq ? vq->ready : 0;
    case 30: return vq ? vq->notify_off : 0;
    case 32: return vq ? vq->desc : 0;
    case 40: return vq ? vq->avail : 0;
    case 48: return vq ? vq->used : 0;
    default: return 0;
    }
}

static void set_status(struct virtio_dev *d, uint8_t v)
{
    sys_debug(d->vm, "%s: status 0x%x", d->ops->name, v);
    if (v == 0) {
        virtio_reset(d);
        return;
    }
    /* FEATURES_OK only sticks for a subset of ours that includes VERSION_1. */
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK)
        && ((d->drv_features & ~dev_features(d)) || !(d->drv_features & VIRTIO_F_VERSION_1)))
        v &= ~VIRTIO_STATUS_FEATURES_OK;
    d->status = v | (d->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void set_queue_enable(struct virtio_dev *d, struct virtq *vq, uint64_t v)
{
    if (v != 1 || !vq)
        return;
    if (!vq->size || (vq->size & (vq->size - 1)) || vq->size > VIRTIO_QUEUE_MAX) {
        virtio_fail(d, "queue %u: size %u is not a power of two <= %u", d->queue_sel, vq->size,
                    VIRTIO_QUEUE_MAX);
        return;
    }
    if (!vq_rings_valid(d, vq))
        return;
    vq->ready = true;
    vq->last_avail = 0;
    sys_debug(d->vm, "%s: queue %u enabled, size %u", d->ops->name, d->queue_sel, vq->size);
}

static void set_u64_half(uint64_t *field, unsigned off, uint64_t v, unsigned size)
{
    if (size == 8)
        *field = v;
    else if (off & 4)
        *field = (*field & 0xffffffffull) | v << 32;
    else
        *field = (*field & ~0xffffffffull) | (uint32_t)v;
}

static void common_write(struct virtio_dev *d, unsigned off, uint64_t v, unsigned size)
{
    struct virtq *vq = cur_vq(d);
    bool writable_q = vq && !vq->ready;
    switch (off) {
    case 0: d->dev_feat_sel = v; break;
    case 8: d->drv_feat_sel = v; break;
    case 12: if (d->drv_feat_sel < 2) set_u64_half(&d->drv_features, d->drv_feat_sel * 4, v, 4); break;
    case 20: set_status(d, v); break;
    case 22: d->queue_sel = v; break;
    case 24: if (writable_q) vq->size = v; break;
    case 28: set_queue_enable(d, vq, v); break;
    case 32: case 36: if (writable_q) set_u64_half(&vq->desc, off, v, size); break;
    case 40: case 44: if (writable_q) set_u64_half(&vq->avail, off, v, size); break;
    case 48: case 52: if (writable_q) set_u64_half(&vq->used, off, v, size); break;
    default: break;
    }
}

/* ---- BAR0 dispatch. ---- */

static void bar_read(void *dev, uint64_t off, void *data, unsigned size)
{
    struct virtio_dev *d = dev;
    memset(data, 0, size);
    if (off < BAR_ISR) {
        sys_put_le(data, size, common_read(d, off));
    } else if (off == BAR_ISR) {
        sys_debug(d->vm, "%s: isr read %u", d->ops->name, d->isr);
        *(uint8_t *)data = d->isr;          /* reading acknowledges */
        d->isr = 0;
        sys_irq_line(d->vm, d->pci.irq, 0);
    } else if (off >= BAR_DEVICE && off < BAR_NOTIFY && d->ops->cfg_read) {
        d->ops->cfg_read(d, off - BAR_DEVICE, data, size);
    }
}

static void bar_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    struct virtio_dev *d = dev;
    if (off < BAR_ISR) {
        common_write(d, off, sys_get_le(data, size), size);
    } else if (off >= BAR_NOTIFY && off < BAR_SIZE) {
        int q = (off - BAR_NOTIFY) / NOTIFY_MULT;
        sys_debug(d->vm, "%s: notify q%d", d->ops->name, q);
        if (virtio_live(d, q) && d->ops->notify)
            d->ops->notify(d, q);
    }
}

static const struct sys_dev_ops virtio_bar_ops = { "virtio-pci", bar_read, bar_write };

int virtio_pci_add(struct sys_vm *vm, struct virtio_dev *d, const struct virtio_dev_ops *ops,
                   void *priv)
{
    d->vm = vm;
    d->ops = ops;
    d->priv = priv;
    pci_set_ids(&d->pci, 0x1af4, 0x1040 + ops->device_id, ops->pci_class << 16 | 1, ops->device_id);
    d->pci.cfg[0x06] = 0x10;                /* status: capability list */
    d->pci.cfg[0x34] = 0x40;
    virtio_pci_cap(&d->pci, 0x40, 0x50, CAP_COMMON, BAR_COMMON, 56);
    virtio_pci_cap(&d->pci, 0x50, 0x60, CAP_ISR, BAR_ISR, 1);
    virtio_pci_cap(&d->pci, 0x60, 0x70, CAP_DEVICE, BAR_DEVICE, 0x1000);
    virtio_pci_cap(&d->pci, 0x70, 0x00, CAP_NOTIFY, BAR_NOTIFY, 0x1000);
    d->pci.bar_size = BAR_SIZE;
    d->pci.bar_ops = &virtio_bar_ops;
    d->pci.bar_dev = d;
    virtio_reset(d);
    return pci_add(vm, &d->pci);
}
