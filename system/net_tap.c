/* net_tap.c -- the tap backend of virtio-net: frames without packet
 * information header (IFF_NO_PI), one reader thread. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "net_backend.h"

#define TAP_FRAME_MAX 65550

static int tap_fd(struct net_backend *be) { return (int)(intptr_t)be->priv; }

static int tap_send(struct net_backend *be, const void *frame, size_t len)
{
    return write(tap_fd(be), frame, len) < 0 ? -1 : 0;
}

static void *tap_reader(void *arg)
{
    struct net_backend *be = arg;
    static uint8_t frame[TAP_FRAME_MAX];
    struct pollfd p = { .fd = tap_fd(be), .events = POLLIN };
    while (!sys_vm_stopping(be->vm)) {
        if (poll(&p, 1, 100) != 1)
            continue;
        ssize_t n = read(p.fd, frame, sizeof frame);
        if (n > 0)
            be->receive(be->opaque, frame, n);
    }
    return NULL;
}

int net_tap_open(struct net_backend *be, const char *name)
{
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
    if (strlen(name) >= IFNAMSIZ) {
        sys_err("--net tap=%s: interface name too long", name);
        return -1;
    }
    strcpy(ifr.ifr_name, name);
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
        sys_err("--net tap=%s: %s", name, strerror(errno));
        return -1;
    }
    be->priv = (void *)(intptr_t)fd;
    be->send = tap_send;
    pthread_t t;
    if (pthread_create(&t, NULL, tap_reader, be) != 0)
        return -1;
    pthread_detach(t);
    return 0;
}
