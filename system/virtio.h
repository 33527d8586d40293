/* virtio.h -- VirtIO 1.x devices: the device-type ops structure, the
 * modern virtio-pci transport state, and split virtqueues whose every
 * descriptor chain is validated before a device sees it. */
#ifndef SYS_VIRTIO_H
#define SYS_VIRTIO_H

#include "pci.h"

#define VIRTIO_MAX_QUEUES   4
#define VIRTIO_QUEUE_MAX    256

#define VIRTIO_F_VERSION_1  (1ull << 32)
#define VIRTIO_STATUS_ACK         1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED      0x80

struct virtio_dev;

struct virtio_dev_ops {
    const char *name;
    uint16_t device_id;             /* 1 net, 2 blk, 3 console, 4 rng */
    uint32_t pci_class;
    uint16_t num_queues;
    uint64_t features;              /* besides VIRTIO_F_VERSION_1 */
    void (*cfg_read)(struct virtio_dev *d, uint64_t off, void *data, unsigned size);
    void (*notify)(struct virtio_dev *d, int queue);
    void (*reset)(struct virtio_dev *d);
};

struct virtq {
    uint16_t size, notify_off;
    bool ready;
    uint64_t desc, avail, used;
    uint16_t last_avail;
};

struct virtio_dev {
    struct sys_vm *vm;
    const struct virtio_dev_ops *ops;
    void *priv;
    struct pci_dev pci;
    uint32_t dev_feat_sel, drv_feat_sel;
    uint64_t drv_features;
    uint8_t status, isr, cfg_gen;
    uint16_t queue_sel;
    bool failed_reported;
    struct virtq vq[VIRTIO_MAX_QUEUES];
};

/* Registers a device on the PCI bus (the transport is virtio_pci.c). */
int virtio_pci_add(struct sys_vm *vm, struct virtio_dev *d, const struct virtio_dev_ops *ops,
                   void *priv);
/* Interrupt for a used buffer (ISR bit 0, INTx asserted until ISR read). */
void virtio_irq(struct virtio_dev *d);
/* A malformed request: one line on stderr, DEVICE_NEEDS_RESET, config
 * interrupt; the device ignores its queues until the driver resets it. */
void virtio_fail(struct virtio_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool virtio_live(struct virtio_dev *d, int queue);

/* One validated descriptor chain: device-readable then device-writable
 * segments, each a pointer into guest RAM checked against its length. */
#define VQ_MAX_SEGS VIRTIO_QUEUE_MAX
struct vq_seg { uint8_t *ptr; uint32_t len; };
struct vq_chain {
    uint16_t head;
    int nout, nin;
    uint64_t out_len, in_len;
    struct vq_seg out[VQ_MAX_SEGS], in[VQ_MAX_SEGS];
};

/* 1: a chain was taken; 0: queue empty; -1: malformed (device failed).
 * A device takes at most the queue's size in chains per kick: a guest
 * whose used ring overlaps its avail index (each vq_push moves it on)
 * would otherwise keep the vCPU in the device for ever, past --timeout
 * (found by fuzz_virtio_dev).  No chain waits: with no notification
 * suppression offered, the driver kicks again after adding one. */
int vq_pop(struct virtio_dev *d, int q, struct vq_chain *c);
void vq_push(struct virtio_dev *d, int q, uint16_t head, uint32_t written);
/* Checks the ring areas when the driver enables a queue. */
bool vq_rings_valid(struct virtio_dev *d, struct virtq *vq);

/* Copies between a chain's segments and a flat buffer; returns bytes moved. */
size_t vq_copy_from_out(struct vq_chain *c, size_t skip, void *dst, size_t len);
size_t vq_copy_to_in(struct vq_chain *c, size_t skip, const void *src, size_t len);

#endif
