/* net_backend.h -- where virtio-net's frames go: a tap device (net_tap.c)
 * or libslirp user networking (net_slirp.c). A backend sends the guest's
 * frames and hands received ones to `receive` from its own thread. */
#ifndef SYS_NET_BACKEND_H
#define SYS_NET_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

typedef void (*net_receive_fn)(void *opaque, const uint8_t *frame, size_t len);

struct net_backend {
    struct sys_vm *vm;
    net_receive_fn receive;
    void *opaque;
    int (*send)(struct net_backend *be, const void *frame, size_t len);
    void *priv;
};

int net_tap_open(struct net_backend *be, const char *ifname);
int net_slirp_open(struct net_backend *be);

#endif
