/* accel_tcg_apic.c -- the tcg accelerator's APICs: the IOAPIC at
 * 0xfec00000 (24 redirection entries, edge and level with remote IRR,
 * physical and flat logical destinations) and one local APIC per vCPU at
 * its APIC base (ID, TPR, EOI, spurious vector, ISR/IRR, fixed IPIs
 * through the ICR, LVT, the one-shot and periodic timer at a 100 MHz bus
 * clock).  The vCPU loop asks for the highest pending vector above the
 * in-service and task priority (tcg_lapic_pending) when IF is set.
 * Locks: IOAPIC state under vm->dev_lock, a local APIC under its vCPU's
 * lock, taken in that order (an EOI drops the vCPU lock first). */
#include <string.h>
#include <time.h>

#include "accel_tcg.h"
#include "layout.h"
#include "translator.h"

#define BUS_NS 10                       /* 100 MHz APIC timer clock */
#define LVT_MASKED (1u << 16)

struct ioapic {
    uint32_t regsel, id;
    uint64_t redir[24];
    uint32_t lines;
};
static struct ioapic io;

uint64_t tcg_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

struct tcg_cpu *tcg_cpu_index(int index)
{
    return index < tcg_vm->ncpus ? tcg_vm->cpus[index].accel : NULL;
}

/* ---- local APIC ---- */

static int highest(const uint32_t *bits)
{
    for (int i = 7; i >= 0; i--)
        if (bits[i])
            return i * 32 + 31 - __builtin_clz(bits[i]);
    return -1;
}

void tcg_lapic_reset(struct tcg_cpu *c, int index)
{
    struct tcg_lapic *a = &c->apic;
    memset(a, 0, sizeof *a);
    a->id = (uint32_t)index;
    a->svr = 0xff;
    a->dfr = 0xffffffff;
    for (int i = 0; i < 6; i++)
        a->lvt[i] = LVT_MASKED;
}

void tcg_cpu_wake(struct tcg_cpu *c)
{
    pthread_mutex_lock(&c->lock);
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
    tr_interrupt(c);
}

/* LINT0 unmasked in ExtINT mode: the 8259's INTR reaches this CPU. */
bool tcg_lapic_extint_locked(struct tcg_cpu *c)
{
    uint32_t lint0 = c->apic.lvt[3];
    return (c->apic.svr & 0x100) && !(lint0 & LVT_MASKED) && (lint0 >> 8 & 7) == 7;
}

bool tcg_lapic_extint(struct tcg_cpu *c)
{
    pthread_mutex_lock(&c->lock);
    bool on = tcg_lapic_extint_locked(c);
    pthread_mutex_unlock(&c->lock);
    return on;
}

void tcg_lapic_raise(struct tcg_cpu *c, int vector)
{
    pthread_mutex_lock(&c->lock);
    c->apic.irr[vector >> 5] |= 1u << (vector & 31);
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
    tr_interrupt(c);
}

void tcg_cpu_init_sipi(struct tcg_cpu *c, int sipi_vector)
{
    pthread_mutex_lock(&c->lock);
    if (sipi_vector < 0)
        c->init_request = true;
    else
        c->sipi_vector = sipi_vector;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
    tr_interrupt(c);
}

int tcg_lapic_pending_locked(struct tcg_cpu *c)
{
    struct tcg_lapic *a = &c->apic;
    int v = highest(a->irr), in = highest(a->isr);
    int floor = in > (int)a->tpr ? in : (int)(a->tpr & 0xff);
    if (!(a->svr & 0x100) || v < 0 || (v >> 4) <= (floor >> 4))
        v = -1;
    return v;
}

int tcg_lapic_pending(struct tcg_cpu *c)
{
    pthread_mutex_lock(&c->lock);
    int v = tcg_lapic_pending_locked(c);
    pthread_mutex_unlock(&c->lock);
    return v;
}

void tcg_lapic_accept(struct tcg_cpu *c, int vector)
{
    pthread_mutex_lock(&c->lock);
    c->apic.irr[vector >> 5] &= ~(1u << (vector & 31));
    c->apic.isr[vector >> 5] |= 1u << (vector & 31);
    pthread_mutex_unlock(&c->lock);
}

static uint64_t timer_period_ns(const struct tcg_lapic *a)
{
    unsigned d = (a->timer_div & 3) | (a->timer_div >> 1 & 4);
    uint64_t div = d == 7 ? 1 : 2ull << d;
    return (uint64_t)a->timer_init * div * BUS_NS;
}

static uint32_t timer_current(const struct tcg_lapic *a)
{
    uint64_t now = tcg_now_ns(), period = timer_period_ns(a);
    if (!a->timer_deadline_ns || !period || now >= a->timer_deadline_ns)
        return 0;
    return (uint32_t)((a->timer_deadline_ns - now) * a->timer_init / period);
}

static void timer_start(struct tcg_lapic *a)
{
    a->timer_start_ns = tcg_now_ns();
    a->timer_deadline_ns = a->timer_init ? a->timer_start_ns + timer_period_ns(a) : 0;
    tcg_timer_kick();
}

/* Fixed, INIT and start-up IPIs by destination shorthand, physical ID,
 * or flat logical mask.  An INIT with the level bit clear is the "INIT
 * level de-assert" older CPUs needed: nothing happens. */
static void send_ipi(struct tcg_cpu *from, uint32_t lo, uint32_t hi)
{
    unsigned shorthand = lo >> 18 & 3, mode = lo >> 8 & 7, dest = hi >> 24;
    if (mode == 5 && !(lo & (1u << 14)))
        return;
    if (mode != 0 && mode != 5 && mode != 6)
        return;                         /* SMI, NMI, lowest priority: not emulated */
    for (int i = 0; i < tcg_vm->ncpus; i++) {
        struct tcg_cpu *t = tcg_cpu_index(i);
        if (!t)
            continue;
        bool self = t == from, hit;
        if (shorthand == 1) hit = self;
        else if (shorthand == 2) hit = true;
        else if (shorthand == 3) hit = !self;
        else if (lo & (1u << 11)) hit = (t->apic.ldr >> 24) & dest;
        else hit = t->apic.id == dest;
        if (hit && mode == 0)
            tcg_lapic_raise(t, lo & 0xff);
        else if (hit)
            tcg_cpu_init_sipi(t, mode == 6 ? (int)(lo & 0xff) : -1);
    }
}

static void ioapic_eoi(int vector);

static uint32_t lapic_read(struct tcg_lapic *a, unsigned reg)
{
    switch (reg) {
    case 0x20: return a->id << 24;
    case 0x30: return 0x50014;          /* version 0x14, 6 LVT entries */
    case 0x80: return a->tpr;
    case 0xa0: { int in = highest(a->isr); return (uint32_t)(in > (int)a->tpr ? in & 0xf0 : a->tpr); }
    case 0xd0: return a->ldr;
    case 0xe0: return a->dfr;
    case 0xf0: return a->svr;
    case 0x280: return a->esr;
    case 0x300: return a->icr_lo & ~(1u << 12);    /* delivered at once */
    case 0x310: return a->icr_hi;
    case 0x380: return a->timer_init;
    case 0x390: return timer_current(a);
    case 0x3e0: return a->timer_div;
    }
    if (reg >= 0x100 && reg < 0x180) return a->isr[(reg - 0x100) >> 4];
    if (reg >= 0x200 && reg < 0x280) return a->irr[(reg - 0x200) >> 4];
    if (reg >= 0x320 && reg < 0x380) return a->lvt[(reg - 0x320) >> 4];
    return 0;
}

/* Returns the vector an EOI ended (for the IOAPIC), or -1. */
static int lapic_write(struct tcg_cpu *c, unsigned reg, uint32_t v, bool *ipi)
{
    struct tcg_lapic *a = &c->apic;
    switch (reg) {
    case 0x80: a->tpr = v & 0xff; break;
    case 0xb0: {
        int in = highest(a->isr);
        if (in >= 0)
            a->isr[in >> 5] &= ~(1u << (in & 31));
        return in;
    }
    case 0xd0: a->ldr = v & 0xff000000; break;
    case 0xe0: a->dfr = v | 0x0fffffff; break;
    case 0xf0: a->svr = v & 0x1ff; break;
    case 0x280: a->esr = 0; break;
    case 0x300: a->icr_lo = v; *ipi = true; break;
    case 0x310: a->icr_hi = v; break;
    case 0x380: a->timer_init = v; timer_start(a); break;
    case 0x3e0: a->timer_div = v & 0xb; break;
    default:
        if (reg >= 0x320 && reg < 0x380)
            a->lvt[(reg - 0x320) >> 4] = v;
    }
    return -1;
}

void tcg_lapic_mmio(struct tcg_cpu *c, uint64_t off, void *data, unsigned n, bool write)
{
    unsigned reg = (unsigned)off & 0xff0;
    bool ipi = false;
    int eoi = -1;
    uint32_t v = 0;
    pthread_mutex_lock(&c->lock);
    if (write) {
        memcpy(&v, data, n < 4 ? n : 4);
        eoi = lapic_write(c, reg, v, &ipi);
    } else {
        v = lapic_read(&c->apic, reg) >> 8 * (off & 3);
        memset(data, 0, n);
        memcpy(data, &v, n < 4 ? n : 4);
    }
    uint32_t lo = c->apic.icr_lo, hi = c->apic.icr_hi;
    pthread_mutex_unlock(&c->lock);
    if (ipi)
        send_ipi(c, lo, hi);
    if (eoi >= 0)
        ioapic_eoi(eoi);
}

/* Fires the expired timers; the earliest deadline left (0: none). */
uint64_t tcg_lapic_timers(uint64_t now)
{
    uint64_t next = 0;
    for (int i = 0; i < tcg_vm->ncpus; i++) {
        struct tcg_cpu *c = tcg_cpu_index(i);
        int fire = -1;
        if (!c)
            continue;
        pthread_mutex_lock(&c->lock);
        struct tcg_lapic *a = &c->apic;
        if (a->timer_deadline_ns && now >= a->timer_deadline_ns) {
            fire = a->lvt[0] & LVT_MASKED ? -1 : (int)(a->lvt[0] & 0xff);
            uint64_t period = timer_period_ns(a);
            if ((a->lvt[0] >> 17 & 3) == 1 && period)
                while (a->timer_deadline_ns <= now)
                    a->timer_deadline_ns += period;
            else
                a->timer_deadline_ns = 0;
        }
        if (a->timer_deadline_ns && (!next || a->timer_deadline_ns < next))
            next = a->timer_deadline_ns;
        pthread_mutex_unlock(&c->lock);
        if (fire >= 16)
            tcg_lapic_raise(c, fire);
    }
    return next;
}

/* ---- IOAPIC ---- */

#define RED_MASKED (1ull << 16)
#define RED_LEVEL (1ull << 15)
#define RED_REMOTE_IRR (1ull << 14)
#define RED_LOGICAL (1ull << 11)

static void ioapic_deliver(unsigned pin)
{
    uint64_t r = io.redir[pin];
    unsigned dest = (unsigned)(r >> 56), vector = r & 0xff;
    if ((r & RED_MASKED) || vector < 16 || (r >> 8 & 7) > 1)
        return;
    if (r & RED_LEVEL)
        io.redir[pin] |= RED_REMOTE_IRR;
    for (int i = 0; i < tcg_vm->ncpus; i++) {
        struct tcg_cpu *t = tcg_cpu_index(i);
        if (!t)
            continue;
        bool hit = r & RED_LOGICAL ? ((t->apic.ldr >> 24) & dest) != 0 : t->apic.id == dest;
        if (hit) {
            tcg_lapic_raise(t, (int)vector);
            if (r >> 8 & 7)             /* lowest priority: one of them */
                break;
        }
    }
}

/* Under vm->dev_lock (as every device's interrupt line is raised). */
void tcg_ioapic_line(unsigned pin, int level)
{
    if (pin >= 24)
        return;
    uint32_t m = 1u << pin, was = io.lines & m;
    io.lines = level ? io.lines | m : io.lines & ~m;
    if (!level)
        return;
    if (io.redir[pin] & RED_LEVEL) {
        if (!(io.redir[pin] & RED_REMOTE_IRR))
            ioapic_deliver(pin);
    } else if (!was) {
        ioapic_deliver(pin);
    }
}

static void ioapic_eoi(int vector)
{
    pthread_mutex_lock(&tcg_vm->dev_lock);
    for (unsigned pin = 0; pin < 24; pin++) {
        if ((io.redir[pin] & 0xff) != (uint64_t)vector || !(io.redir[pin] & RED_REMOTE_IRR))
            continue;
        io.redir[pin] &= ~RED_REMOTE_IRR;
        if (io.lines & (1u << pin))
            ioapic_deliver(pin);
    }
    pthread_mutex_unlock(&tcg_vm->dev_lock);
}

static void ioapic_read(void *dev, uint64_t off, void *data, unsigned size)
{
    uint32_t v = 0, r = io.regsel;
    if (off == 0)
        v = io.regsel;
    else if (r == 0)
        v = io.id << 24;
    else if (r == 1)
        v = 0x00170011;                 /* 24 entries, version 0x11 */
    else if (r >= 0x10 && r < 0x40)
        v = (uint32_t)(io.redir[(r - 0x10) / 2] >> (r & 1 ? 32 : 0));
    memset(data, 0, size);
    memcpy(data, &v, size < 4 ? size : 4);
}

static void ioapic_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    uint32_t v = 0;
    memcpy(&v, data, size < 4 ? size : 4);
    if (off == 0) {
        io.regsel = v & 0xff;
        return;
    }
    unsigned r = io.regsel;
    if (r == 0) {
        io.id = v >> 24 & 0xf;
    } else if (r >= 0x10 && r < 0x40) {
        unsigned pin = (r - 0x10) / 2;
        uint64_t keep = io.redir[pin] & (RED_REMOTE_IRR | 1ull << 12);
        if (r & 1)
            io.redir[pin] = (io.redir[pin] & 0xffffffffull) | (uint64_t)v << 32;
        else
            io.redir[pin] = ((io.redir[pin] & ~0xffffffffull) | (v & ~(RED_REMOTE_IRR | 1u << 12))) | keep;
        if ((io.redir[pin] & RED_LEVEL) && !(io.redir[pin] & RED_MASKED) && (io.lines & (1u << pin))
            && !(io.redir[pin] & RED_REMOTE_IRR))
            ioapic_deliver(pin);
    }
}

static const struct sys_dev_ops ioapic_ops = { "ioapic", ioapic_read, ioapic_write };

int tcg_apic_init(struct sys_vm *vm)
{
    memset(&io, 0, sizeof io);
    io.id = 0;
    for (int i = 0; i < 24; i++)
        io.redir[i] = RED_MASKED;
    return sys_bus_add(&vm->mmio, LAYOUT_IOAPIC, 0x20, &ioapic_ops, NULL);
}
