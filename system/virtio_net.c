/* virtio_net.c -- virtio-net on a tap device: transmitted frames (after
 * the 12-byte virtio_net_hdr) are written to the tap; a receive thread
 * reads frames from the tap and places each, behind a zeroed header, in
 * one receive buffer chain. No offloads are offered. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices.h"
#include "virtio.h"

enum { NET_RXQ = 0, NET_TXQ = 1 };
#define NET_F_MAC (1ull << 5)
#define NET_HDR_LEN 12
#define NET_FRAME_MAX 65550

struct vnet {
    struct virtio_dev vdev;
    int tap_fd;
    uint8_t mac[6];
    uint8_t frame[NET_FRAME_MAX];
    ssize_t pending;                /* bytes of frame waiting for a buffer */
};

static void net_tx(struct vnet *n)
{
    static struct vq_chain chain;
    static uint8_t buf[NET_FRAME_MAX];
    while (vq_pop(&n->vdev, NET_TXQ, &chain) == 1) {
        size_t len = vq_copy_from_out(&chain, NET_HDR_LEN, buf, sizeof buf);
        if (chain.out_len > NET_HDR_LEN && write(n->tap_fd, buf, len) < 0)
            sys_debug(n->vdev.vm, "virtio-net: tap write: %s", strerror(errno));
        vq_push(&n->vdev, NET_TXQ, chain.head, 0);
    }
}

/* Under dev_lock: hands the pending frame to the guest if it offered a buffer. */
static void net_rx_deliver(struct vnet *n)
{
    static struct vq_chain chain;
    static const uint8_t hdr[NET_HDR_LEN] = { [10] = 1 };   /* num_buffers = 1 */
    if (n->pending <= 0 || vq_pop(&n->vdev, NET_RXQ, &chain) != 1)
        return;
    size_t len = vq_copy_to_in(&chain, 0, hdr, NET_HDR_LEN);
    len += vq_copy_to_in(&chain, NET_HDR_LEN, n->frame, n->pending);
    vq_push(&n->vdev, NET_RXQ, chain.head, len);
    n->pending = 0;
}

static void *net_rx_thread(void *arg)
{
    struct vnet *n = arg;
    struct pollfd p = { .fd = n->tap_fd, .events = POLLIN };
    while (!sys_vm_stopping(n->vdev.vm)) {
        if (__atomic_load_n(&n->pending, __ATOMIC_ACQUIRE) > 0) {
            usleep(1000);           /* the guest has no buffer yet */
        } else if (poll(&p, 1, 100) == 1) {
            ssize_t r = read(n->tap_fd, n->frame, sizeof n->frame);
            __atomic_store_n(&n->pending, r, __ATOMIC_RELEASE);
        }
        pthread_mutex_lock(&n->vdev.vm->dev_lock);
        net_rx_deliver(n);
        pthread_mutex_unlock(&n->vdev.vm->dev_lock);
    }
    return NULL;
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

static int tap_open(const char *name)
{
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (strlen(name) >= IFNAMSIZ) {
        sys_err("--net tap=%s: interface name too long", name);
        return -1;
    }
    strcpy(ifr.ifr_name, name);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
        sys_err("--net tap=%s: %s", name, strerror(errno));
        return -1;
    }
    return fd;
}

static const struct virtio_dev_ops net_ops = {
    .name = "virtio-net", .device_id = 1, .pci_class = 0x0200, .num_queues = 2,
    .features = NET_F_MAC, .cfg_read = net_cfg_read, .notify = net_notify,
};

int virtio_net_init(struct sys_vm *vm, const char *tap)
{
    struct vnet *n = calloc(1, sizeof *n);
    if ((n->tap_fd = tap_open(tap)) < 0)
        return -1;
    memcpy(n->mac, (uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, 6);
    pthread_t t;
    if (virtio_pci_add(vm, &n->vdev, &net_ops, n) < 0 || pthread_create(&t, NULL, net_rx_thread, n))
        return -1;
    pthread_detach(t);
    return 0;
}
