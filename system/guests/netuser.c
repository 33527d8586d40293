/* netuser.c -- test guest for virtio-net with libslirp user networking:
 * asks by ARP who has 10.0.2.2 (the virtual gateway) and prints the
 * answer's sender addresses. */
#include "guest.h"

#define HDR 12
static struct vdev dev;
static const uint8_t my_ip[4] = { 10, 0, 2, 15 }, gw_ip[4] = { 10, 0, 2, 2 };

static void send_arp_request(const uint8_t *mac)
{
    static const uint8_t arp_head[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };  /* Ethernet/IPv4, request */
    uint8_t *buf = dma_alloc(HDR + 60, 16), *f = buf + HDR;
    g_memset(f, 0xff, 6);
    g_memcpy(f + 6, mac, 6);
    f[12] = 0x08; f[13] = 0x06;
    g_memcpy(f + 14, arp_head, 8);
    g_memcpy(f + 22, mac, 6);
    g_memcpy(f + 28, my_ip, 4);
    g_memcpy(f + 38, gw_ip, 4);
    dev.q[1].desc[0] = (struct vdesc){ virt_to_phys(buf), HDR + 60, 0, 0 };
    vq_publish(&dev, 1, 0);
    put_str(vq_wait(&dev, 1) < 0 ? "tx failed\n" : "arp request sent\n");
}

static void print_reply(const uint8_t *f)
{
    put_str("arp reply: ");
    for (int i = 0; i < 4; i++) { put_dec(f[28 + i]); serial_putc(i < 3 ? '.' : ' '); }
    put_str("is-at");
    for (int i = 0; i < 6; i++) {
        serial_putc(i ? ':' : ' ');
        serial_putc("0123456789abcdef"[f[22 + i] >> 4]);
        serial_putc("0123456789abcdef"[f[22 + i] & 15]);
    }
    serial_putc('\n');
}

int guest_main(int ncpus)
{
    uint8_t mac[6], *buf = dma_alloc(HDR + 1514, 16);
    if (virtio_open(&dev, 1, 1 << 5, 2) < 0)
        return 1;
    for (int i = 0; i < 6; i++)
        mac[i] = virtio_cfg_read(&dev, i, 1);
    send_arp_request(mac);
    for (int tries = 0; tries < 20; tries++) {
        dev.q[0].desc[0] = (struct vdesc){ virt_to_phys(buf), HDR + 1514, VD_WRITE, 0 };
        vq_publish(&dev, 0, 0);
        long len = vq_wait_external(&dev, 0);
        uint8_t *f = buf + HDR;
        if (len < 0)
            break;
        if (len >= HDR + 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2) {
            print_reply(f);
            return 0;
        }
    }
    put_str("no arp reply\n");
    return 1;
}
