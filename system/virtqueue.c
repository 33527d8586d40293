/* virtqueue.c -- split virtqueues with validation. A device only ever
 * sees a chain whose every descriptor index is inside the queue, whose
 * length is at most the queue size (so no loops), whose buffers lie wholly
 * inside guest RAM, and whose writable part follows its readable part.
 * Anything else fails the device (virtio_fail) instead of the VMM. */
#include <string.h>

#include "virtio.h"

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };

bool vq_rings_valid(struct virtio_dev *d, struct virtq *vq)
{
    bool ok = sys_mem_ptr(d->vm, vq->desc, 16ull * vq->size)
           && sys_mem_ptr(d->vm, vq->avail, 6 + 2ull * vq->size)
           && sys_mem_ptr(d->vm, vq->used, 6 + 8ull * vq->size)
           && !(vq->desc & 15) && !(vq->avail & 1) && !(vq->used & 3);
    if (!ok)
        virtio_fail(d, "queue %u: rings outside guest RAM or misaligned (desc 0x%llx avail "
                    "0x%llx used 0x%llx)", d->queue_sel, (unsigned long long)vq->desc,
                    (unsigned long long)vq->avail, (unsigned long long)vq->used);
    return ok;
}

static uint16_t *avail_ring(struct virtio_dev *d, struct virtq *vq)
{
    return sys_mem_ptr(d->vm, vq->avail, 6 + 2ull * vq->size);
}

static int chain_add_seg(struct virtio_dev *d, int q, struct vq_chain *c, struct virtq_desc *desc)
{
    uint8_t *p = sys_mem_ptr(d->vm, desc->addr, desc->len);
    if (!p) {
        virtio_fail(d, "queue %d: descriptor buffer 0x%llx+0x%x outside guest RAM", q,
                    (unsigned long long)desc->addr, desc->len);
        return -1;
    }
    if (desc->flags & VIRTQ_DESC_F_WRITE) {
        sys_mem_host_write(d->vm, p, desc->len);   /* the device writes it (tcg's tracking) */
        c->in[c->nin++] = (struct vq_seg){ p, desc->len };
        c->in_len += desc->len;
    } else if (c->nin) {
        virtio_fail(d, "queue %d: readable descriptor after a writable one", q);
        return -1;
    } else {
        c->out[c->nout++] = (struct vq_seg){ p, desc->len };
        c->out_len += desc->len;
    }
    return 0;
}

static int chain_walk(struct virtio_dev *d, int q, struct vq_chain *c, uint16_t idx)
{
    struct virtq *vq = &d->vq[q];
    struct virtq_desc *table = sys_mem_ptr(d->vm, vq->desc, 16ull * vq->size);
    for (int n = 0;; n++) {
        if (idx >= vq->size || n >= vq->size) {
            virtio_fail(d, idx >= vq->size ? "queue %d: descriptor index out of range"
                                           : "queue %d: descriptor chain loops or exceeds the queue size", q);
            return -1;
        }
        struct virtq_desc desc;
        memcpy(&desc, &table[idx], sizeof desc);
        if (desc.flags & VIRTQ_DESC_F_INDIRECT) {
            virtio_fail(d, "queue %d: indirect descriptor not negotiated", q);
            return -1;
        }
        if (chain_add_seg(d, q, c, &desc) < 0)
            return -1;
        if (!(desc.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        idx = desc.next;
    }
}

int vq_pop(struct virtio_dev *d, int q, struct vq_chain *c)
{
    struct virtq *vq = &d->vq[q];
    if (!virtio_live(d, q))
        return 0;
    uint16_t *avail = avail_ring(d, vq);
    uint16_t avail_idx = __atomic_load_n(&avail[1], __ATOMIC_ACQUIRE);
    if (avail_idx == vq->last_avail)
        return 0;
    if ((uint16_t)(avail_idx - vq->last_avail) > vq->size) {
        virtio_fail(d, "queue %d: available index moved by more than the queue size", q);
        return -1;
    }
    uint16_t head = avail[2 + vq->last_avail % vq->size];
    c->head = head;
    c->nout = c->nin = 0;
    c->out_len = c->in_len = 0;
    if (chain_walk(d, q, c, head) < 0)
        return -1;
    vq->last_avail++;
    return 1;
}

void vq_push(struct virtio_dev *d, int q, uint16_t head, uint32_t written)
{
    struct virtq *vq = &d->vq[q];
    uint8_t *used = sys_mem_ptr(d->vm, vq->used, 6 + 8ull * vq->size);
    sys_mem_host_write(d->vm, used, 6 + 8ull * vq->size);
    uint16_t idx;
    memcpy(&idx, used + 2, 2);
    uint32_t elem[2] = { head, written };
    memcpy(used + 4 + 8 * (idx % vq->size), elem, 8);
    __atomic_store_n((uint16_t *)(used + 2), (uint16_t)(idx + 1), __ATOMIC_RELEASE);
    virtio_irq(d);
}

size_t vq_copy_from_out(struct vq_chain *c, size_t skip, void *dst, size_t len)
{
    size_t done = 0;
    for (int i = 0; i < c->nout && done < len; i++) {
        struct vq_seg *s = &c->out[i];
        if (skip >= s->len) { skip -= s->len; continue; }
        size_t n = s->len - skip < len - done ? s->len - skip : len - done;
        memcpy((uint8_t *)dst + done, s->ptr + skip, n);
        done += n;
        skip = 0;
    }
    return done;
}

size_t vq_copy_to_in(struct vq_chain *c, size_t skip, const void *src, size_t len)
{
    size_t done = 0;
    for (int i = 0; i < c->nin && done < len; i++) {
        struct vq_seg *s = &c->in[i];
        if (skip >= s->len) { skip -= s->len; continue; }
        size_t n = s->len - skip < len - done ? s->len - skip : len - done;
        memcpy(s->ptr + skip, (const uint8_t *)src + done, n);
        done += n;
        skip = 0;
    }
    return done;
}
