/* net_slirp.c -- libslirp user networking for virtio-net (--net user):
 * 10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, DHCP from 10.0.2.15, as in
 * QEMU. libslirp is not thread-safe, so one thread owns it: the guest's
 * frames reach that thread through a SOCK_SEQPACKET socketpair, and its
 * poll loop also runs libslirp's sockets and timers. libslirp is loaded
 * with dlopen() only for --net user: linked in, it and the glib and pcre2
 * it pulls in cost every VM's start-up a few milliseconds of dynamic
 * loading (see make bench-system). */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net_backend.h"

#define SLIRP_MAX_FDS 256
#define SLIRP_MAX_TIMERS 16
#define SLIRP_FRAME_MAX 65550

static struct {
    typeof(slirp_new) *new_;
    typeof(slirp_input) *input;
    typeof(slirp_pollfds_fill) *pollfds_fill;
    typeof(slirp_pollfds_poll) *pollfds_poll;
} lib;

static int slirp_load(void)
{
    void *h = dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        sys_err("--net user: cannot load libslirp: %s", dlerror());
        return -1;
    }
    lib.new_ = (typeof(lib.new_))dlsym(h, "slirp_new");
    lib.input = (typeof(lib.input))dlsym(h, "slirp_input");
    lib.pollfds_fill = (typeof(lib.pollfds_fill))dlsym(h, "slirp_pollfds_fill");
    lib.pollfds_poll = (typeof(lib.pollfds_poll))dlsym(h, "slirp_pollfds_poll");
    if (!lib.new_ || !lib.input || !lib.pollfds_fill || !lib.pollfds_poll) {
        sys_err("--net user: libslirp.so.0 lacks the functions ferry-system needs");
        return -1;
    }
    return 0;
}

struct slirp_timer { SlirpTimerCb cb; void *cb_opaque; int64_t expire_ms; bool armed, used; };

struct slirp_net {
    struct net_backend *be;
    Slirp *slirp;
    int guest_fd, thread_fd;        /* socketpair: vCPU side, slirp side */
    struct pollfd fds[SLIRP_MAX_FDS];
    int nfds;
    struct slirp_timer timers[SLIRP_MAX_TIMERS];
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct slirp_net *s = opaque;
    s->be->receive(s->be->opaque, buf, len);
    return len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    struct slirp_net *s = opaque;
    sys_debug(s->be->vm, "slirp: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque) { return now_ns(); }

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    struct slirp_net *s = opaque;
    for (int i = 0; i < SLIRP_MAX_TIMERS; i++)
        if (!s->timers[i].used) {
            s->timers[i] = (struct slirp_timer){ cb, cb_opaque, 0, false, true };
            return &s->timers[i];
        }
    return NULL;
}

static void cb_timer_free(void *timer, void *opaque)
{
    if (timer)
        ((struct slirp_timer *)timer)->used = false;
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    struct slirp_timer *t = timer;
    if (t) {
        t->expire_ms = expire_ms;
        t->armed = true;
    }
}

static void cb_fd_noop(int fd, void *opaque) {}
static void cb_notify(void *opaque) {}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet, .guest_error = cb_guest_error, .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new, .timer_free = cb_timer_free, .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_fd_noop, .unregister_poll_fd = cb_fd_noop, .notify = cb_notify,
};

static int cb_add_poll(int fd, int events, void *opaque)
{
    struct slirp_net *s = opaque;
    if (s->nfds == SLIRP_MAX_FDS)
        return -1;
    short ev = (events & SLIRP_POLL_IN ? POLLIN : 0) | (events & SLIRP_POLL_OUT ? POLLOUT : 0)
             | (events & SLIRP_POLL_PRI ? POLLPRI : 0);
    s->fds[s->nfds] = (struct pollfd){ .fd = fd, .events = ev };
    return s->nfds++;
}

static int cb_get_revents(int idx, void *opaque)
{
    struct slirp_net *s = opaque;
    short r = idx >= 0 && idx < s->nfds ? s->fds[idx].revents : 0;
    return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0)
         | (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0)
         | (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

static void slirp_run_timers(struct slirp_net *s)
{
    int64_t ms = now_ns() / 1000000;
    for (int i = 0; i < SLIRP_MAX_TIMERS; i++) {
        struct slirp_timer *t = &s->timers[i];
        if (t->used && t->armed && t->expire_ms <= ms) {
            t->armed = false;
            t->cb(t->cb_opaque);
        }
    }
}

static void slirp_take_guest_frames(struct slirp_net *s)
{
    static uint8_t frame[SLIRP_FRAME_MAX];
    ssize_t n;
    while ((n = recv(s->thread_fd, frame, sizeof frame, MSG_DONTWAIT)) > 0)
        lib.input(s->slirp, frame, n);
}

static void *slirp_thread(void *arg)
{
    struct slirp_net *s = arg;
    while (!sys_vm_stopping(s->be->vm)) {
        uint32_t timeout = 10;
        s->fds[0] = (struct pollfd){ .fd = s->thread_fd, .events = POLLIN };
        s->nfds = 1;
        lib.pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
        int r = poll(s->fds, s->nfds, timeout > 10 ? 10 : timeout);
        if (s->fds[0].revents & POLLIN)
            slirp_take_guest_frames(s);
        lib.pollfds_poll(s->slirp, r < 0, cb_get_revents, s);
        slirp_run_timers(s);
    }
    return NULL;
}

static int slirp_send(struct net_backend *be, const void *frame, size_t len)
{
    struct slirp_net *s = be->priv;
    return send(s->guest_fd, frame, len, MSG_DONTWAIT) < 0 ? -1 : 0;
}

static Slirp *slirp_create(struct slirp_net *s)
{
    SlirpConfig cfg = { .version = 1, .in_enabled = true };
    inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
    inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
    inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
    inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
    cfg.vhostname = "ferry-system";
    return lib.new_(&cfg, &slirp_callbacks, s);
}

int net_slirp_open(struct net_backend *be)
{
    if (!lib.new_ && slirp_load() < 0)
        return -1;
    struct slirp_net *s = calloc(1, sizeof *s);
    int sv[2];
    s->be = be;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || !(s->slirp = slirp_create(s))) {
        sys_err("--net user: cannot start libslirp");
        return -1;
    }
    s->guest_fd = sv[0];
    s->thread_fd = sv[1];
    be->priv = s;
    be->send = slirp_send;
    pthread_t t;
    if (pthread_create(&t, NULL, slirp_thread, s) != 0)
        return -1;
    pthread_detach(t);
    return 0;
}
