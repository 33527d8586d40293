/* intx.c -- test guest for INTx (run with --rng --console virtio): the
 * interrupt line a virtio device reports in PCI config space must be
 * asserted once a buffer is used, stay asserted (level) until the driver
 * reads the ISR register, then drop; the ISR read returns the cause once.
 * Checked for a request completed on the vCPU's own notify (virtio-rng)
 * and for input delivered by another host thread (virtio-console
 * receive, fed from stdin), where a lost or stuck line hangs real drivers. */
#include "guest.h"

static struct vdev rng, con;

static void report(const char *what, int v)
{
    put_str(what); serial_putc(' '); put_dec(v); serial_putc(' ');
}

static int isr_read(struct vdev *d)
{
    return mmio_read(d->isr, 1);
}

static void rng_case(void)
{
    int irq = pci_cfg_read(rng.slot, 0x3c, 1);
    uint8_t *buf = dma_alloc(64, 64);
    put_str("rng: "); report("irq", irq); report("idle", irq_line_level(irq));
    rng.q[0].desc[0] = (struct vdesc){ virt_to_phys(buf), 16, VD_WRITE, 0 };
    rng.q[0].desc[1] = (struct vdesc){ virt_to_phys(buf + 16), 16, VD_WRITE, 0 };
    vq_publish(&rng, 0, 0);
    vq_wait(&rng, 0);
    report("used", irq_line_level(irq));
    vq_publish(&rng, 0, 1);     /* a second completion before the ISR read */
    vq_wait(&rng, 0);
    report("used2", irq_line_level(irq));
    report("isr", isr_read(&rng));
    report("after", irq_line_level(irq));
    report("isr2", isr_read(&rng));
    report("after2", irq_line_level(irq));
    serial_putc('\n');
}

static void console_case(void)
{
    int irq = pci_cfg_read(con.slot, 0x3c, 1);
    uint8_t *buf = dma_alloc(64, 64);
    put_str("console: "); report("irq", irq);
    con.q[0].desc[0] = (struct vdesc){ virt_to_phys(buf), 64, VD_WRITE, 0 };
    vq_publish(&con, 0, 0);
    long len = vq_wait_external(&con, 0);   /* stdin arrives on the VMM's reader thread */
    report("len", len);
    for (int spin = 0; spin < 1000000 && !irq_line_level(irq); spin++)
        cpu_relax();                        /* the used index may be seen before the line */
    report("used", irq_line_level(irq));
    report("isr", isr_read(&con));
    report("after", irq_line_level(irq));
    put_str("fnv "); put_hex(fnv1a(buf, len < 0 ? 0 : len, FNV_INIT));
    serial_putc('\n');
}

int guest_main(int ncpus)
{
    if (virtio_open(&rng, 4, 0, 1) < 0 || virtio_open(&con, 3, 0, 2) < 0) {
        put_str("intx: needs --rng --console virtio\n");
        return 1;
    }
    rng_case();
    console_case();
    return 0;
}
