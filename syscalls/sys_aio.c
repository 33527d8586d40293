/* sys_aio.c -- Linux AIO: io_setup, io_destroy, io_submit, io_cancel,
 * io_getevents, io_pgetevents, forwarded to the host kernel.  The guest's
 * struct iocb and struct io_event are written out below (the x86-64 ABI)
 * and converted field by field to the host's <linux/aio_abi.h> ones.
 *
 * The kernel names a request by the address of its iocb: it hands that
 * address back in io_event.obj and finds the request by it in io_cancel.
 * So each request in flight keeps its converted iocb in a slot of ferry's
 * (the host address the kernel knows) beside the guest's address, and
 * io_getevents gives the guest its own address back and frees the slot.
 * Slots are freed only by io_getevents/io_pgetevents and io_destroy: a
 * guest that reaps completions from the ring itself sees ferry's slot
 * address in obj (data is its own) and runs out of slots (EAGAIN).
 *
 * Vetted before the kernel sees them: the opcodes the kernel implements
 * (PREAD, PWRITE, FSYNC, FDSYNC, POLL, PREADV, PWRITEV; others -EINVAL,
 * as the kernel says), the file and the RESFD eventfd (ferry's own:
 * -EBADF); the iocb pointer array and each iocb are copied in (-EFAULT).
 * Data buffers and iovec arrays go to the kernel as given, as for read
 * and readv.  The ring the kernel maps at io_setup is in the guest's map
 * (libaio reads its header), below the guest's top (sys_guest_va.c).
 *
 * A host without AIO (a kernel built without CONFIG_AIO, or qemu-user,
 * which gives ENOSYS for all six calls) gives the guest ENOSYS for all of
 * them too, before ferry's own argument checks: what the host has decides,
 * as it would for a native program there. */
#define _GNU_SOURCE
#include <linux/aio_abi.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"
#include "sys_sigframe.h"
#include "translator.h"

/* The guest's struct iocb (x86-64, little-endian: aio_key first). */
struct x86_64_iocb {
    uint64_t aio_data;
    uint32_t aio_key;
    int32_t aio_rw_flags;
    uint16_t aio_lio_opcode;
    int16_t aio_reqprio;
    uint32_t aio_fildes;
    uint64_t aio_buf, aio_nbytes;
    int64_t aio_offset;
    uint64_t aio_reserved2;
    uint32_t aio_flags, aio_resfd;
};
_Static_assert(sizeof(struct x86_64_iocb) == 64, "x86-64 struct iocb");

struct x86_64_io_event {
    uint64_t data, obj;
    int64_t res, res2;
};
_Static_assert(sizeof(struct x86_64_io_event) == 32, "x86-64 struct io_event");

/* io_pgetevents' struct __aio_sigset. */
struct x86_64_aio_sigset {
    uint64_t sigmask, sigsetsize;
};

#define SYS_AIO_FLAG_RESFD 1u
#define SYS_AIO_PAGE 4096ull

/* The opcodes the kernel implements, each the same on every host. */
static bool sys_aio_op_ok(unsigned op)
{
    static const unsigned ok = 1u << IOCB_CMD_PREAD | 1u << IOCB_CMD_PWRITE |
                               1u << IOCB_CMD_FSYNC | 1u << IOCB_CMD_FDSYNC |
                               1u << IOCB_CMD_POLL | 1u << IOCB_CMD_PREADV |
                               1u << IOCB_CMD_PWRITEV;
    return op < 32 && (ok >> op & 1);
}

struct sys_aio_slot {
    struct iocb host;           /* the kernel's name for the request */
    uint64_t guest;             /* the guest's iocb address; 0: free */
};

/* One context: the kernel's id (its ring's address) and its slots. */
struct sys_aio_ctx {
    struct sys_aio_ctx *next;
    uint64_t id, ring_len;
    uint32_t nslots;
    struct sys_aio_slot *slots;
    unsigned users;             /* io_submits in the kernel right now */
    bool dead;                  /* destroyed: the last user frees it */
};
static struct sys_aio_ctx *sys_aio_ctxs;
static pthread_mutex_t sys_aio_lock = PTHREAD_MUTEX_INITIALIZER;

/* The context with that id (the caller holds sys_aio_lock), or NULL. */
static struct sys_aio_ctx *sys_aio_find(uint64_t id)
{
    struct sys_aio_ctx *c = sys_aio_ctxs;
    while (c && c->id != id)
        c = c->next;
    return c;
}

static void sys_aio_iocb_to_host(const struct x86_64_iocb *g, struct iocb *h)
{
    memset(h, 0, sizeof *h);
    h->aio_data = g->aio_data;
    h->aio_key = g->aio_key;
    h->aio_rw_flags = g->aio_rw_flags;
    h->aio_lio_opcode = g->aio_lio_opcode;
    h->aio_reqprio = g->aio_reqprio;
    h->aio_fildes = g->aio_fildes;
    h->aio_buf = g->aio_buf;
    h->aio_nbytes = g->aio_nbytes;
    h->aio_offset = g->aio_offset;
    h->aio_reserved2 = g->aio_reserved2;
    h->aio_flags = g->aio_flags;
    h->aio_resfd = g->aio_resfd;
}

static void sys_aio_event_to_guest(const struct io_event *h, uint64_t obj,
                                   struct x86_64_io_event *g)
{
    g->data = h->data;
    g->obj = obj;
    g->res = h->res;
    g->res2 = h->res2;
}

/* The kernel's ring: a header of 8 unsigned (nr second), then nr events. */
static uint64_t sys_aio_ring_len(uint64_t id)
{
    const uint32_t *ring = sys_ptr(id);
    uint64_t len = 32 + (uint64_t)ring[1] * sizeof(struct io_event);
    return (len + SYS_AIO_PAGE - 1) & ~(SYS_AIO_PAGE - 1);
}

/* Remembers a new context; false when there is no memory for it. */
static bool sys_aio_add(uint64_t id, uint32_t nr)
{
    struct sys_aio_ctx *c = calloc(1, sizeof *c);
    struct sys_aio_slot *s = c ? calloc(nr, sizeof *s) : NULL;
    if (!s) {
        free(c);
        return false;
    }
    *c = (struct sys_aio_ctx){ .id = id, .nslots = nr, .slots = s,
                               .ring_len = sys_aio_ring_len(id) };
    sys_mm_lock();
    tr_map_changed(sys_engine, TR_MAP, id, c->ring_len, TR_PROT_READ | TR_PROT_WRITE);
    sys_mm_unlock();
    pthread_mutex_lock(&sys_aio_lock);
    c->next = sys_aio_ctxs;
    sys_aio_ctxs = c;
    pthread_mutex_unlock(&sys_aio_lock);
    return true;
}

static bool sys_aio_missing;
static pthread_once_t sys_aio_probe_once = PTHREAD_ONCE_INIT;

/* io_setup(0, NULL): EFAULT or EINVAL where AIO exists, else ENOSYS. */
static void sys_aio_probe(void)
{
    sys_aio_missing = syscall(SYS_io_setup, 0, NULL) != 0 && errno == ENOSYS;
}

static bool sys_aio_host_lacks(void)
{
    pthread_once(&sys_aio_probe_once, sys_aio_probe);
    return sys_aio_missing;
}

/* Where ferry places guest mappings (sys_guest_va.c), a ring the kernel
 * put above the guest's top moves below it: mremap of an AIO ring moves
 * its context's id with it (Linux 3.19's aio_ring_mremap, for CRIU).
 * The ring is its 32-byte header and nr 32-byte events, whole pages.
 * 0, or -ENOMEM (the context destroyed). */
static int sys_aio_ring_below_top(aio_context_t *id)
{
    uint64_t len = (32 + 32 * (uint64_t)((const uint32_t *)sys_ptr(*id))[1] + 4095) & ~4095ull;
    if (!sys_va_placing() || !sys_va_above_top(*id, len))
        return 0;
    void *to = sys_va_reserve(len);
    void *p = to == MAP_FAILED ? MAP_FAILED
                               : mremap(sys_ptr(*id), len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    if (p == MAP_FAILED) {
        if (to != MAP_FAILED)
            munmap(to, len);
        syscall(SYS_io_destroy, *id);
        return -ENOMEM;
    }
    *id = (aio_context_t)(uintptr_t)p;
    return 0;
}

SYS_HANDLER(sys_io_setup)
{
    if (sys_aio_host_lacks())
        return -ENOSYS;
    uint64_t old;
    aio_context_t id = 0;
    if (sys_copy_in(&old, a[1], sizeof old))
        return -EFAULT;
    if (old || (uint32_t)a[0] == 0)
        return -EINVAL;
    if (syscall(SYS_io_setup, (unsigned)a[0], &id) != 0)
        return -errno;
    if (sys_aio_ring_below_top(&id) != 0)
        return -ENOMEM;
    /* the ring holds at most nr - 1 requests and completions */
    if (!sys_aio_add(id, ((const uint32_t *)sys_ptr(id))[1])) {
        syscall(SYS_io_destroy, id);
        return -ENOMEM;
    }
    uint64_t g = id;
    if (sys_copy_out(a[1], &g, sizeof g) == 0)
        return 0;
    syscall(SYS_io_destroy, id);
    return -EFAULT;
}

static void sys_aio_free(struct sys_aio_ctx *c)
{
    free(c->slots);
    free(c);
}

/* Forgets a destroyed context (its ring is gone too). */
static void sys_aio_forget(uint64_t id)
{
    pthread_mutex_lock(&sys_aio_lock);
    struct sys_aio_ctx **p = &sys_aio_ctxs;
    while (*p && (*p)->id != id)
        p = &(*p)->next;
    struct sys_aio_ctx *c = *p;
    if (c) {
        *p = c->next;
        c->dead = true;
    }
    bool unused = c && !c->users;
    pthread_mutex_unlock(&sys_aio_lock);
    if (!c)
        return;
    sys_mm_lock();
    tr_map_changed(sys_engine, TR_UNMAP, id, c->ring_len, 0);
    sys_mm_unlock();
    if (unused)
        sys_aio_free(c);
}

SYS_HANDLER(sys_io_destroy)
{
    if (sys_aio_host_lacks())
        return -ENOSYS;
    long r = syscall(SYS_io_destroy, (aio_context_t)a[0]);
    if (r == 0)
        sys_aio_forget(a[0]);
    return sys_ret(r);
}

/* A guest iocb vetted and converted into a free slot of c (the caller
 * holds sys_aio_lock); 0 or -errno. */
static int64_t sys_aio_take(struct sys_aio_ctx *c, uint64_t g, struct iocb **out)
{
    struct x86_64_iocb in;
    if (sys_copy_in(&in, g, sizeof in))
        return -EFAULT;
    if (!sys_aio_op_ok(in.aio_lio_opcode))
        return -EINVAL;
    if (sys_ferry_fd_is((int)in.aio_fildes) ||
        ((in.aio_flags & SYS_AIO_FLAG_RESFD) && sys_ferry_fd_is((int)in.aio_resfd)))
        return -EBADF;
    for (uint32_t k = 0; k < c->nslots; k++)
        if (!c->slots[k].guest) {
            c->slots[k].guest = g;
            sys_aio_iocb_to_host(&in, &c->slots[k].host);
            *out = &c->slots[k].host;
            return 0;
        }
    return -EAGAIN;
}

/* The slot whose host iocb the kernel named obj, or NULL. */
static struct sys_aio_slot *sys_aio_slot_of(struct sys_aio_ctx *c, uint64_t obj)
{
    uint64_t base = (uintptr_t)c->slots, size = sizeof c->slots[0];
    if (obj < base || obj >= base + c->nslots * size || (obj - base) % size)
        return NULL;
    return &c->slots[(obj - base) / size];
}

static void sys_aio_release(struct sys_aio_ctx *c, struct iocb **host, long from, long to)
{
    for (long i = from; i < to; i++)
        sys_aio_slot_of(c, (uintptr_t)host[i])->guest = 0;
}

/* Vets and converts up to nr iocbs, stopping at the first bad one; the
 * host pointers in host[], their number in *n; 0 or the first error. */
static int64_t sys_aio_take_all(struct sys_aio_ctx *c, uint64_t list, long nr,
                                struct iocb **host, long *n)
{
    for (*n = 0; *n < nr; (*n)++) {
        uint64_t g;
        if (sys_copy_in(&g, list + 8 * (uint64_t)*n, sizeof g))
            return -EFAULT;
        int64_t err = sys_aio_take(c, g, &host[*n]);
        if (err)
            return err;
    }
    return 0;
}

/* The host's io_submit of n converted iocbs, without sys_aio_lock (a
 * write may block until another thread's request reads); the slots the
 * kernel did not take are freed. */
static int64_t sys_aio_submit_host(struct sys_aio_ctx *c, struct iocb **host, long n)
{
    long r = syscall(SYS_io_submit, (aio_context_t)c->id, n, host);
    int64_t ret = r < 0 ? -errno : r;
    pthread_mutex_lock(&sys_aio_lock);
    sys_aio_release(c, host, r < 0 ? 0 : r, n);
    bool last = --c->users == 0 && c->dead;
    pthread_mutex_unlock(&sys_aio_lock);
    if (last)
        sys_aio_free(c);
    return ret;
}

SYS_HANDLER(sys_io_submit)
{
    if (sys_aio_host_lacks())
        return -ENOSYS;
    long nr = (long)a[1], n = 0;
    if (nr < 0)
        return -EINVAL;
    pthread_mutex_lock(&sys_aio_lock);
    struct sys_aio_ctx *c = sys_aio_find(a[0]);
    if (c && nr > (long)c->nslots)
        nr = c->nslots;
    struct iocb **host = c ? malloc((size_t)(nr ? nr : 1) * sizeof *host) : NULL;
    int64_t err = !c ? -EINVAL : host ? sys_aio_take_all(c, a[2], nr, host, &n) : -ENOMEM;
    if (n)
        c->users++;
    pthread_mutex_unlock(&sys_aio_lock);
    int64_t ret = n ? sys_aio_submit_host(c, host, n) : err;
    free(host);
    return ret;
}

SYS_HANDLER(sys_io_cancel)
{
    if (sys_aio_host_lacks())
        return -ENOSYS;
    struct x86_64_iocb in;
    struct io_event unused;
    if (sys_copy_in(&in, a[1], sizeof in))
        return -EFAULT;
    if (in.aio_key != 0)
        return -EINVAL;
    pthread_mutex_lock(&sys_aio_lock);
    struct sys_aio_ctx *c = sys_aio_find(a[0]);
    struct iocb *host = NULL;
    for (uint32_t k = 0; c && k < c->nslots && !host; k++)
        if (c->slots[k].guest == a[1])
            host = &c->slots[k].host;
    pthread_mutex_unlock(&sys_aio_lock);
    if (!c || !host)
        return -EINVAL;
    /* the slot stays: its completion comes through io_getevents */
    return sys_ret(syscall(SYS_io_cancel, (aio_context_t)a[0], host, &unused));
}

/* Completions as the guest's: its own iocb addresses in obj, the slots
 * freed; -EFAULT when the guest's array is not writable. */
static int64_t sys_aio_events_out(uint64_t id, const struct io_event *h, long n, uint64_t g)
{
    struct x86_64_io_event *out = malloc((size_t)(n ? n : 1) * sizeof *out);
    if (!out)
        return -ENOMEM;
    pthread_mutex_lock(&sys_aio_lock);
    struct sys_aio_ctx *c = sys_aio_find(id);
    for (long i = 0; i < n; i++) {
        struct sys_aio_slot *s = c ? sys_aio_slot_of(c, h[i].obj) : NULL;
        sys_aio_event_to_guest(&h[i], s ? s->guest : h[i].obj, &out[i]);
        if (s)
            s->guest = 0;
    }
    pthread_mutex_unlock(&sys_aio_lock);
    int64_t r = sys_copy_out(g, out, (size_t)n * sizeof *out) ? -EFAULT : n;
    free(out);
    return r;
}

/* How many events to ask the host for: the kernel never returns more
 * than the ring holds, however large nr is. */
static long sys_aio_events_cap(uint64_t id, long min_nr, long nr)
{
    pthread_mutex_lock(&sys_aio_lock);
    struct sys_aio_ctx *c = sys_aio_find(id);
    long cap = c ? (long)c->nslots : nr;
    pthread_mutex_unlock(&sys_aio_lock);
    if (nr > cap)
        nr = cap > min_nr ? cap : min_nr;
    return nr;
}

/* io_getevents and io_pgetevents: sig is the host's __aio_sigset or NULL. */
static int64_t sys_aio_getevents(const uint64_t *a, const void *sig)
{
    long min_nr = (long)a[1], nr = (long)a[2];
    struct timespec ts;
    if (a[4] && sys_copy_in(&ts, a[4], sizeof ts))
        return -EFAULT;
    if (min_nr < 0 || nr < min_nr)
        return -EINVAL;
    nr = sys_aio_events_cap(a[0], min_nr, nr);
    if (nr > (1l << 24))
        return -EINVAL;
    struct io_event *h = malloc((size_t)(nr ? nr : 1) * sizeof *h);
    if (!h)
        return -ENOMEM;
    const struct timespec *tsp = a[4] ? &ts : NULL;
    long r = sig ? sys_block(SYS_io_pgetevents, (aio_context_t)a[0], min_nr, nr, h, tsp, sig)
                 : sys_block(SYS_io_getevents, (aio_context_t)a[0], min_nr, nr, h, tsp);
    int64_t ret = r < 0 ? r : sys_aio_events_out(a[0], h, r, a[3]);
    free(h);
    return ret;
}

SYS_HANDLER(sys_io_getevents)
{
    return sys_aio_host_lacks() ? -ENOSYS : sys_aio_getevents(a, NULL);
}

SYS_HANDLER(sys_io_pgetevents)
{
    if (sys_aio_host_lacks())
        return -ENOSYS;
    struct x86_64_aio_sigset g;
    uint64_t set;
    sigset_t host_set;
    struct { const sigset_t *sigmask; size_t sigsetsize; } host = { NULL, 8 };
    if (!a[5])
        return sys_aio_getevents(a, &host);
    if (sys_copy_in(&g, a[5], sizeof g))
        return -EFAULT;
    if (g.sigmask) {
        if (g.sigsetsize != 8)
            return -EINVAL;
        if (sys_copy_in(&set, g.sigmask, sizeof set))
            return -EFAULT;
        sys_signal_host_set(set, &host_set);
        host.sigmask = &host_set;
    }
    return sys_aio_getevents(a, &host);
}
