/* net.c -- test guest for virtio-net: prints its MAC, sends one broadcast
 * frame (EtherType 0x88b5, payload "ferry guest frame"), then waits for a
 * frame of that EtherType and prints its length, checksum and payload.
 * Then many frames both ways: it receives the peer's burst of BURST frames
 * (EtherType 0x88b6, keeping RX_POSTED buffers offered) and prints their
 * count and FNV-1a, and sends its own burst (0x88b7, lengths and bytes
 * given by burst_frame, which the test recomputes). */
#include "guest.h"

#define HDR 12
#define ETH_TYPE_HI 0x88
#define ETH_TYPE_LO 0xb5

static struct vdev dev;

static void send_frame(const uint8_t *mac)
{
    static const char payload[] = "ferry guest frame";
    uint8_t *buf = dma_alloc(HDR + 64, 16);
    uint8_t *f = buf + HDR;
    g_memset(f, 0xff, 6);
    g_memcpy(f + 6, mac, 6);
    f[12] = ETH_TYPE_HI;
    f[13] = ETH_TYPE_LO;
    g_memcpy(f + 14, payload, sizeof payload - 1);
    dev.q[1].desc[0] = (struct vdesc){ virt_to_phys(buf), HDR + 14 + 46, 0, 0 };
    vq_publish(&dev, 1, 0);
    put_str(vq_wait(&dev, 1) < 0 ? "tx failed\n" : "tx done\n");
}

/* Offers one receive buffer until a frame of our EtherType arrives. */
static void receive_frame(void)
{
    uint8_t *buf = dma_alloc(HDR + 1514, 16);
    for (int tries = 0; tries < 50; tries++) {
        dev.q[0].desc[0] = (struct vdesc){ virt_to_phys(buf), HDR + 1514, VD_WRITE, 0 };
        vq_publish(&dev, 0, 0);
        long len = vq_wait_external(&dev, 0);
        if (len < 0)
            break;
        uint8_t *f = buf + HDR;
        if (len < HDR + 14 || f[12] != ETH_TYPE_HI || f[13] != ETH_TYPE_LO)
            continue;
        put_str("rx len "); put_dec(len - HDR);
        put_str(" fnv "); put_hex(fnv1a(f, len - HDR, FNV_INIT));
        put_str(" payload ");
        for (long i = 14; i < len - HDR && f[i]; i++)
            serial_putc(f[i]);
        serial_putc('\n');
        return;
    }
    put_str("rx: nothing received\n");
}

#define BURST 32
#define RX_POSTED 8

/* Guest burst frame i: broadcast, type 0x88b7, 46 + (i * 37) % 1400 payload bytes. */
static int burst_frame(uint8_t *f, const uint8_t *mac, int i)
{
    int len = 14 + 46 + (i * 37) % 1400;
    g_memset(f, 0xff, 6);
    g_memcpy(f + 6, mac, 6);
    f[12] = 0x88;
    f[13] = 0xb7;
    for (int j = 14; j < len; j++)
        f[j] = (uint8_t)(i + j * 13);
    return len;
}

static void send_burst(const uint8_t *mac)
{
    uint8_t *buf = dma_alloc(HDR + 1514, 16);
    for (int i = 0; i < BURST; i++) {
        int len = burst_frame(buf + HDR, mac, i);
        uint16_t d = i % VQ_SIZE;
        dev.q[1].desc[d] = (struct vdesc){ virt_to_phys(buf), HDR + len, 0, 0 };
        vq_publish(&dev, 1, d);
        if (vq_wait(&dev, 1) < 0) {
            put_str("burst tx failed\n");
            return;
        }
    }
    put_str("burst tx "); put_dec(BURST); serial_putc('\n');
}

static void receive_burst(void)
{
    static uint8_t *bufs[RX_POSTED];
    struct vqueue *q = &dev.q[0];
    for (uint16_t i = 0; i < RX_POSTED; i++) {
        bufs[i] = dma_alloc(HDR + 1514, 16);
        q->desc[i] = (struct vdesc){ virt_to_phys(bufs[i]), HDR + 1514, VD_WRITE, 0 };
        vq_publish(&dev, 0, i);
    }
    uint32_t h = FNV_INIT;
    int got = 0;
    while (got < BURST) {
        long len = vq_wait_external(&dev, 0);
        if (len < 0)
            break;
        uint32_t id = *(volatile uint32_t *)(q->used + 4 + 8 * ((q->used_seen - 1) % q->size));
        if (id >= RX_POSTED)
            break;
        uint8_t *f = bufs[id] + HDR;
        if (len >= HDR + 14 && f[12] == 0x88 && f[13] == 0xb6) {
            h = fnv1a(f, len - HDR, h);
            got++;
        }
        vq_publish(&dev, 0, id);        /* offer it again */
    }
    put_str("burst rx "); put_dec(got); put_str(" fnv "); put_hex(h); serial_putc('\n');
}

int guest_main(int ncpus)
{
    uint8_t mac[6];
    if (virtio_open(&dev, 1, 1 << 5, 2) < 0) {
        put_str("no virtio-net\n");
        return 1;
    }
    put_str("mac");
    for (int i = 0; i < 6; i++) {
        mac[i] = virtio_cfg_read(&dev, i, 1);
        serial_putc(i ? ':' : ' ');
        serial_putc("0123456789abcdef"[mac[i] >> 4]);
        serial_putc("0123456789abcdef"[mac[i] & 15]);
    }
    serial_putc('\n');
    send_frame(mac);
    receive_frame();
    receive_burst();
    send_burst(mac);
    return 0;
}
