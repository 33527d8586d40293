/* virtio_blk.c -- virtio-blk on a raw image file: read, write, flush
 * (fdatasync), discard (punches holes), get-id; ",ro" images refuse every
 * write with an I/O error. Requests run synchronously on the notifying
 * vCPU; every request is checked against the image size. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "virtio.h"

enum { BLK_T_IN = 0, BLK_T_OUT = 1, BLK_T_FLUSH = 4, BLK_T_GET_ID = 8, BLK_T_DISCARD = 11 };
enum { BLK_S_OK = 0, BLK_S_IOERR = 1, BLK_S_UNSUPP = 2 };
#define BLK_F_SEG_MAX  (1ull << 2)
#define BLK_F_RO       (1ull << 5)
#define BLK_F_FLUSH    (1ull << 9)
#define BLK_F_DISCARD  (1ull << 13)
#define SECTOR 512ull
#define MAX_DISCARD_SECTORS (1u << 22)

struct blk_req_hdr { uint32_t type, reserved; uint64_t sector; };
struct blk_discard { uint64_t sector; uint32_t num_sectors, flags; };

struct blk {
    struct virtio_dev vdev;
    struct virtio_dev_ops ops;
    int fd;
    bool ro;
    uint64_t sectors;
    char serial[20];
};

static bool blk_range_ok(struct blk *b, uint64_t sector, uint64_t bytes)
{
    return bytes % SECTOR == 0 && sector <= b->sectors && bytes / SECTOR <= b->sectors - sector;
}

/* Moves data between the image and the chain's segments, skipping `skip`
 * bytes of the chain (the header) and `tail` final bytes (the status). */
static int blk_rw(struct blk *b, struct vq_seg *seg, int n, size_t skip, size_t tail, off_t pos,
                  bool write)
{
    for (int i = 0; i < n; i++) {
        size_t len = seg[i].len;
        if (i == n - 1) len = len >= tail ? len - tail : 0;
        if (skip >= len) { skip -= len; continue; }
        if (!write)
            sys_mem_host_write(b->vdev.vm, seg[i].ptr + skip, len - skip);
        ssize_t r = write ? pwrite(b->fd, seg[i].ptr + skip, len - skip, pos)
                          : pread(b->fd, seg[i].ptr + skip, len - skip, pos);
        if (r != (ssize_t)(len - skip))
            return -1;
        pos += len - skip;
        skip = 0;
    }
    return 0;
}

static uint8_t blk_discard(struct blk *b, struct vq_chain *c)
{
    struct blk_discard r;
    for (size_t off = sizeof(struct blk_req_hdr); off < c->out_len; off += sizeof r) {
        if (vq_copy_from_out(c, off, &r, sizeof r) != sizeof r
            || !blk_range_ok(b, r.sector, (uint64_t)r.num_sectors * SECTOR))
            return BLK_S_IOERR;
        if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, r.sector * SECTOR,
                      r.num_sectors * SECTOR) < 0 && errno != EOPNOTSUPP)
            return BLK_S_IOERR;
    }
    return BLK_S_OK;
}

static uint8_t blk_execute(struct blk *b, struct vq_chain *c, struct blk_req_hdr *h, uint32_t *wrote)
{
    uint64_t out_data = c->out_len - sizeof *h, in_data = c->in_len - 1;
    bool is_write = h->type == BLK_T_OUT || h->type == BLK_T_DISCARD;
    if (is_write && b->ro)
        return BLK_S_IOERR;
    switch (h->type) {
    case BLK_T_IN:
        if (!blk_range_ok(b, h->sector, in_data)
            || blk_rw(b, c->in, c->nin, 0, 1, h->sector * SECTOR, false) < 0)
            return BLK_S_IOERR;
        *wrote = in_data;
        return BLK_S_OK;
    case BLK_T_OUT:
        if (!blk_range_ok(b, h->sector, out_data)
            || blk_rw(b, c->out, c->nout, sizeof *h, 0, h->sector * SECTOR, true) < 0)
            return BLK_S_IOERR;
        return BLK_S_OK;
    case BLK_T_FLUSH:
        return fdatasync(b->fd) < 0 ? BLK_S_IOERR : BLK_S_OK;
    case BLK_T_GET_ID:
        *wrote = vq_copy_to_in(c, 0, b->serial, in_data < 20 ? in_data : 20);
        return BLK_S_OK;
    case BLK_T_DISCARD:
        return blk_discard(b, c);
    default:
        return BLK_S_UNSUPP;
    }
}

static void blk_request(struct blk *b, struct vq_chain *c)
{
    struct blk_req_hdr h;
    if (c->out_len < sizeof h || c->in_len < 1 || c->in[c->nin - 1].len < 1) {
        virtio_fail(&b->vdev, "queue 0: request without header or status byte");
        return;
    }
    vq_copy_from_out(c, 0, &h, sizeof h);
    uint32_t wrote = 0;
    uint8_t status = blk_execute(b, c, &h, &wrote);
    struct vq_seg *last = &c->in[c->nin - 1];
    last->ptr[last->len - 1] = status;
    vq_push(&b->vdev, 0, c->head, wrote + 1);
}

static void blk_notify(struct virtio_dev *d, int q)
{
    static struct vq_chain chain;   /* large; devices run under dev_lock */
    /* at most a queue's worth per kick (virtio.h, vq_pop) */
    for (unsigned n = 0; n < d->vq[q].size && vq_pop(d, q, &chain) == 1; n++)
        blk_request(d->priv, &chain);
}

static void blk_cfg_read(struct virtio_dev *d, uint64_t off, void *data, unsigned size)
{
    struct blk *b = d->priv;
    uint8_t cfg[60] = {0};
    sys_put_le(cfg + 0, 8, b->sectors);
    sys_put_le(cfg + 12, 4, VQ_MAX_SEGS - 2);           /* seg_max */
    sys_put_le(cfg + 36, 4, MAX_DISCARD_SECTORS);       /* max_discard_sectors */
    sys_put_le(cfg + 40, 4, 1);                         /* max_discard_seg */
    sys_put_le(cfg + 44, 4, 1);                         /* discard_sector_alignment */
    if (off < sizeof cfg && size <= sizeof cfg - off)
        memcpy(data, cfg + off, size);
}

/* Opened without blocking (a FIFO is refused at once) and locked as QEMU
 * does: exclusively when writable, shared when read-only, so two machines
 * never write one image (or one reads while another writes). */
static int blk_open(struct blk *b, const char *path, bool ro)
{
    struct stat st;
    b->fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
    if (b->fd < 0 || fstat(b->fd, &st) < 0) {
        sys_err("--disk %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        sys_err("--disk %s: not a regular file or block device", path);
        return -1;
    }
    if (flock(b->fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        sys_err("--disk %s: %s", path, errno == EWOULDBLOCK ? "in use by another process (locked)"
                                                             : strerror(errno));
        return -1;
    }
    fcntl(b->fd, F_SETFL, fcntl(b->fd, F_GETFL) & ~O_NONBLOCK);
    b->sectors = lseek(b->fd, 0, SEEK_END) / SECTOR;
    return 0;
}

int virtio_blk_init(struct sys_vm *vm, const char *path, bool ro)
{
    static int count;
    struct blk *b = calloc(1, sizeof *b);
    if (blk_open(b, path, ro) < 0) {
        if (b->fd >= 0)
            close(b->fd);
        free(b);
        return -1;
    }
    b->ro = ro;
    snprintf(b->serial, sizeof b->serial, "ferry-blk-%d", count++);
    b->ops = (struct virtio_dev_ops){
        .name = "virtio-blk", .device_id = 2, .pci_class = 0x0180, .num_queues = 1,
        .features = BLK_F_SEG_MAX | BLK_F_FLUSH | (ro ? BLK_F_RO : BLK_F_DISCARD),
        .cfg_read = blk_cfg_read, .notify = blk_notify,
    };
    return virtio_pci_add(vm, &b->vdev, &b->ops, b);
}
