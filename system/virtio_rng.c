/* virtio_rng.c -- virtio-rng (entropy device): fills each writable buffer
 * the driver offers with getrandom() bytes. */
#include <stdlib.h>
#include <sys/random.h>

#include "devices.h"
#include "virtio.h"

struct rng { struct virtio_dev vdev; };

static void rng_fill(struct sys_vm *vm, struct vq_chain *c, uint32_t *wrote)
{
    for (int i = 0; i < c->nin; i++) {
        size_t done = 0;
        sys_mem_host_write(vm, c->in[i].ptr, c->in[i].len);
        while (done < c->in[i].len) {
            ssize_t r = getrandom(c->in[i].ptr + done, c->in[i].len - done, 0);
            if (r <= 0)
                break;
            done += r;
        }
        *wrote += done;
    }
}

static void rng_notify(struct virtio_dev *d, int q)
{
    static struct vq_chain chain;
    for (unsigned n = 0; n < d->vq[q].size && vq_pop(d, q, &chain) == 1; n++) {
        uint32_t wrote = 0;
        rng_fill(d->vm, &chain, &wrote);
        vq_push(d, q, chain.head, wrote);
    }
}

static const struct virtio_dev_ops rng_ops = {
    .name = "virtio-rng", .device_id = 4, .pci_class = 0xff00, .num_queues = 1,
    .notify = rng_notify,
};

int virtio_rng_init(struct sys_vm *vm)
{
    struct rng *r = calloc(1, sizeof *r);
    return virtio_pci_add(vm, &r->vdev, &rng_ops, r);
}
