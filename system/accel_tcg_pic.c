/* accel_tcg_pic.c -- the tcg accelerator's legacy interrupt controller:
 * two 8259A PICs (ports 0x20/0x21, 0xa0/0xa1) and the ELCR (0x4d0/0x4d1)
 * that makes a line level-sensitive.  What guests read back is modelled:
 * initialisation words, the mask, the request register (IRR: for a level
 * line, the line itself; for an edge line, a latched rising edge) and the
 * in-service register through OCW3, specific and non-specific EOI, and
 * the interrupt itself: the master's output goes to vCPU 0's LINT0 (taken
 * when LINT0 is unmasked ExtINT), the slave cascades on IRQ 2, fixed
 * priority (IRQ 0 highest), auto-EOI if ICW4 asks. */
#include <string.h>

#include "accel_tcg.h"

struct pic8259 {
    uint8_t irr, imr, isr, elcr, lines;
    uint8_t icw_step;                   /* 0: operational; 2..4: the next ICW */
    uint8_t icw4_wanted, read_isr, base, auto_eoi;
};

static struct pic8259 pics[2];

/* The highest-priority request a PIC would raise INTR for, or -1. */
static int pic_pending(const struct pic8259 *p)
{
    uint8_t req = p->irr & ~p->imr;
    for (int i = 0; i < 8; i++) {
        if (p->isr & (1u << i))
            return -1;              /* an equal or higher level is in service */
        if (req & (1u << i))
            return i;
    }
    return -1;
}

static void pic_line(struct pic8259 *p, unsigned bit, int level);

/* The slave's output is the master's IRQ 2; then vCPU 0 is told. */
static void pic_update(void)
{
    pic_line(&pics[0], 2, pic_pending(&pics[1]) >= 0);
    if (pic_pending(&pics[0]) >= 0 && tcg_cpu_index(0))
        tcg_cpu_wake(tcg_cpu_index(0));
}

bool tcg_pic_intr(void) { return pic_pending(&pics[0]) >= 0; }

/* INTA: the vector of the request now in service (-1 if it went away). */
static int pic_ack_one(struct pic8259 *p)
{
    int irq = pic_pending(p);
    if (irq < 0)
        return -1;
    if (!(p->elcr & (1u << irq)))
        p->irr &= ~(1u << irq);
    if (!p->auto_eoi)
        p->isr |= 1u << irq;
    return irq;
}

int tcg_pic_ack(void)
{
    pthread_mutex_lock(&tcg_vm->dev_lock);
    int irq = pic_ack_one(&pics[0]), v = -1;
    if (irq == 2) {
        int s = pic_ack_one(&pics[1]);
        v = s < 0 ? pics[1].base + 7 : pics[1].base + s;     /* spurious: IRQ 15 */
    } else if (irq >= 0) {
        v = pics[0].base + irq;
    }
    pic_update();
    pthread_mutex_unlock(&tcg_vm->dev_lock);
    return v;
}

static void pic_line(struct pic8259 *p, unsigned bit, int level)
{
    uint8_t m = 1u << bit, was = p->lines & m;
    p->lines = level ? p->lines | m : p->lines & ~m;
    if (p->elcr & m)
        p->irr = level ? p->irr | m : p->irr & ~m;
    else if (level && !was)
        p->irr |= m;                    /* edge: latched until acknowledged */
}

void tcg_pic_line(unsigned irq, int level)
{
    if (irq >= 16)
        return;
    pic_line(&pics[irq >> 3], irq & 7, level);
    pic_update();
}

/* OCW2: EOI (non-specific clears the highest-priority in-service bit). */
static void pic_ocw2(struct pic8259 *p, uint8_t v)
{
    if ((v & 0xe0) == 0x60)
        p->isr &= ~(1u << (v & 7));
    else if ((v & 0xe0) == 0x20 && p->isr)
        p->isr &= p->isr - 1;
}

static void pic_cmd_write(struct pic8259 *p, uint8_t v)
{
    if (v & 0x10) {                     /* ICW1: start initialisation */
        p->icw_step = 2;
        p->icw4_wanted = v & 1;
        p->imr = p->isr = 0;
        p->irr = p->lines & p->elcr;
        p->read_isr = 0;
    } else if (v & 0x08) {              /* OCW3 */
        if (v & 2)
            p->read_isr = v & 1;
    } else {
        pic_ocw2(p, v);
    }
}

static void pic_data_write(struct pic8259 *p, uint8_t v)
{
    switch (p->icw_step) {
    case 2: p->base = v & 0xf8; p->icw_step = 3; break;
    case 3: p->icw_step = p->icw4_wanted ? 4 : 0; break;
    case 4: p->icw_step = 0; p->auto_eoi = (v >> 1) & 1; break;
    default: p->imr = v; break;
    }
}

static void pic_read(void *dev, uint64_t off, void *data, unsigned size)
{
    struct pic8259 *p = dev;
    uint8_t v = off ? p->imr : p->read_isr ? p->isr : p->irr;
    memset(data, 0, size);
    *(uint8_t *)data = v;
}

static void pic_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    uint8_t v = *(const uint8_t *)data;
    if (off)
        pic_data_write(dev, v);
    else
        pic_cmd_write(dev, v);
    pic_update();                       /* unmasked or ended: a request may now go out */
}

static void elcr_read(void *dev, uint64_t off, void *data, unsigned size)
{
    memset(data, 0, size);
    *(uint8_t *)data = pics[off & 1].elcr;
}

/* IRQ 0, 1, 2, 8 and 13 are edge-only on a PC. */
static void elcr_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    struct pic8259 *p = &pics[off & 1];
    p->elcr = *(const uint8_t *)data & (off & 1 ? 0xde : 0xf8);
    p->irr = (p->irr & ~p->elcr) | (p->lines & p->elcr);
}

static const struct sys_dev_ops pic_ops = { "pic", pic_read, pic_write };
static const struct sys_dev_ops elcr_ops = { "elcr", elcr_read, elcr_write };

int tcg_pic_init(struct sys_vm *vm)
{
    memset(pics, 0, sizeof pics);
    pics[0].imr = pics[1].imr = 0xff;
    return sys_bus_add(&vm->pio, 0x20, 2, &pic_ops, &pics[0]) < 0
        || sys_bus_add(&vm->pio, 0xa0, 2, &pic_ops, &pics[1]) < 0
        || sys_bus_add(&vm->pio, 0x4d0, 2, &elcr_ops, NULL) < 0 ? -1 : 0;
}
