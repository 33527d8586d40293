/* virtio_net.c -- virtio-net over a backend (tap or libslirp, see
 * net_backend.h): transmitted frames (after the 12-byte virtio_net_hdr) go
 * to the backend; each received frame waits in a one-frame slot until the
 * guest offers a receive buffer, and is placed there behind a zeroed
 * header. No offloads are offered. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "net_backend.h"
#include "virtio.h"

enum { NET_RXQ = 0, NET_TXQ = 1 };
#define NET_F_MAC (1ull << 5)
#define NET_HDR_LEN 12
#define NET_FRAME_MAX 65550

struct vnet {
    struct virtio_dev vdev;
    struct net_backend be;
    uint8_t mac[6];
    uint8_t frame[NET_FRAME_MAX];
    size_t pending;                 /* bytes of frame waiting for a buffer */
};

static void net_tx(struct vnet *n)
{
    static struct vq_chain chain;
    static uint8_t buf[NET_FRAME_MAX];
    for (unsigned k = 0; k < n->vdev.vq[NET_TXQ].size && vq_pop(&n->vdev, NET_TXQ, &chain) == 1; k++) {
        size_t len = vq_copy_from_out(&chain, NET_HDR_LEN, buf, sizeof buf);
        sys_debug(n->vdev.vm, "virtio-net: tx frame %zu bytes", len);
        if (chain.out_len > NET_HDR_LEN && n->be.send(&n->be, buf, len) < 0)
            sys_debug(n->vdev.vm, "virtio-net: backend send: %s", strerror(errno));
        vq_push(&n->vdev, NET_TXQ, chain.head, 0);
    }
}

/* Under dev_lock: hands the pending frame to the guest if it offered a buffer. */
static void net_rx_deliver(struct vnet *n)
{
    static struct vq_chain chain;
    static const uint8_t hdr[NET_HDR_LEN] = { [10] = 1 };   /* num_buffers = 1 */
    if (!n->pending || vq_pop(&n->vdev, NET_RXQ, &chain) != 1) {
        if (n->pending)
            sys_debug(n->vdev.vm, "virtio-net: rx: no buffer");
        return;
    }
    size_t len = vq_copy_to_in(&chain, 0, hdr, NET_HDR_LEN);
    len += vq_copy_to_in(&chain, NET_HDR_LEN, n->frame, n->pending);
    vq_push(&n->vdev, NET_RXQ, chain.head, len);
    __atomic_store_n(&n->pending, 0, __ATOMIC_RELEASE);
}

/* Called on the backend's thread: waits for the slot, then delivers. */
static void net_receive(void *opaque, const uint8_t *frame, size_t len)
{
    struct vnet *n = opaque;
    while (__atomic_load_n(&n->pending, __ATOMIC_ACQUIRE) && !sys_vm_stopping(n->vdev.vm))
        usleep(1000);               /* the guest has no buffer yet */
    if (len > sizeof n->frame)
        return;
    pthread_mutex_lock(&n->vdev.vm->dev_lock);
    if (!virtio_live(&n->vdev, NET_RXQ)) {         /* no driver yet: the link drops it */
        pthread_mutex_unlock(&n->vdev.vm->dev_lock);
        return;
    }
    sys_debug(n->vdev.vm, "virtio-net: rx frame %zu bytes", len);
    memcpy(n->frame, frame, len);
    n->pending = len;
    net_rx_deliver(n);
    pthread_mutex_unlock(&n->vdev.vm->dev_lock);
}

static void net_notify(struct virtio_dev *d, int q)
{
    struct vnet *n = d->priv;
    if (q == NET_TXQ)
        net_tx(n);
    else
        net_rx_deliver(n);
}

static void net_cfg_read(struct virtio_dev *d, uint64_t off, void *data, unsigned size)
{
    struct vnet *n = d->priv;
    uint8_t cfg[12] = {0};
    memcpy(cfg, n->mac, 6);
    for (unsigned i = 0; i < size; i++)
        ((uint8_t *)data)[i] = off + i < sizeof cfg ? cfg[off + i] : 0;
}

static const struct virtio_dev_ops net_ops = {
    .name = "virtio-net", .device_id = 1, .pci_class = 0x0200, .num_queues = 2,
    .features = NET_F_MAC, .cfg_read = net_cfg_read, .notify = net_notify,
};

/* tap == NULL: libslirp user networking. */
int virtio_net_init(struct sys_vm *vm, const char *tap)
{
    struct vnet *n = calloc(1, sizeof *n);
    n->be = (struct net_backend){ .vm = vm, .receive = net_receive, .opaque = n };
    memcpy(n->mac, (uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, 6);
    if (virtio_pci_add(vm, &n->vdev, &net_ops, n) < 0)
        return -1;
    return tap ? net_tap_open(&n->be, tap) : net_slirp_open(&n->be);
}
