/* accel_tcg_pit.c -- the tcg accelerator's 8254 PIT (ports 0x40-0x43:
 * counters with lo/hi access, latch, modes 0 (one interrupt) and 2/3
 * (periodic) on channel 0 = ISA IRQ 0) and the one host thread that keeps
 * time for the machine: it sleeps until the next PIT or local APIC timer
 * deadline and raises what expired.  Counts run at 1.193182 MHz against
 * CLOCK_MONOTONIC, never against guest instructions. */
#include <string.h>

#include "accel_tcg.h"

#define PIT_HZ 1193182ull

struct pit_channel {
    uint32_t reload;                    /* 1..65536 */
    uint8_t mode, access, write_hi, read_hi, latched;
    uint16_t latch;
    uint64_t start_ns;
};

static struct {
    struct pit_channel ch[3];
    uint64_t irq0_next_ns;              /* 0: channel 0 not interrupting */
    pthread_mutex_t lock;
    pthread_cond_t kick;
    pthread_t thread;
} pit = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t period_ns(const struct pit_channel *c)
{
    return c->reload * 1000000000ull / PIT_HZ;
}

static uint16_t current_count(const struct pit_channel *c)
{
    uint64_t ticks = (tcg_now_ns() - c->start_ns) * PIT_HZ / 1000000000ull;
    if (c->mode == 0)
        return ticks >= c->reload ? 0 : (uint16_t)(c->reload - ticks);
    return (uint16_t)(c->reload - ticks % c->reload);
}

/* Channel 0 (re)started: its first interrupt one period from now. */
static void channel_start(struct pit_channel *c, int n)
{
    c->start_ns = tcg_now_ns();
    if (n == 0) {
        pit.irq0_next_ns = c->start_ns + period_ns(c);
        tcg_timer_kick();
    }
}

static void data_write(struct pit_channel *c, int n, uint8_t v)
{
    bool hi = c->access == 2 || (c->access == 3 && c->write_hi);
    uint32_t r = c->reload == 65536 ? 0 : c->reload;
    r = hi ? (r & 0xff) | (uint32_t)v << 8 : (r & 0xff00) | v;
    c->reload = r ? r : 65536;
    if (c->access == 3)
        c->write_hi = !c->write_hi;
    if (c->access != 3 || !c->write_hi)
        channel_start(c, n);
}

static uint8_t data_read(struct pit_channel *c)
{
    uint16_t v = c->latched ? c->latch : current_count(c);
    bool hi = c->access == 2 || (c->access == 3 && c->read_hi);
    if (c->access == 3)
        c->read_hi = !c->read_hi;
    if (c->access != 3 || !c->read_hi)
        c->latched = 0;
    return hi ? v >> 8 : v & 0xff;
}

static void control_write(uint8_t v)
{
    unsigned n = v >> 6;
    if (n == 3)
        return;                         /* read-back: not modelled */
    struct pit_channel *c = &pit.ch[n];
    if ((v >> 4 & 3) == 0) {            /* counter latch */
        c->latch = current_count(c);
        c->latched = 1;
        return;
    }
    c->access = v >> 4 & 3;
    c->mode = v >> 1 & 7;
    c->write_hi = c->read_hi = 0;
    if (n == 0)
        pit.irq0_next_ns = 0;           /* stopped until the count is written */
}

static void pit_read(void *dev, uint64_t off, void *data, unsigned size)
{
    memset(data, 0, size);
    pthread_mutex_lock(&pit.lock);
    if (off < 3)
        *(uint8_t *)data = data_read(&pit.ch[off]);
    pthread_mutex_unlock(&pit.lock);
}

static void pit_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    uint8_t v = *(const uint8_t *)data;
    pthread_mutex_lock(&pit.lock);
    if (off < 3)
        data_write(&pit.ch[off], (int)off, v);
    else
        control_write(v);
    pthread_mutex_unlock(&pit.lock);
}

static const struct sys_dev_ops pit_ops = { "pit", pit_read, pit_write };

/* Called with pit.lock held or not: a spurious wake-up only recomputes. */
void tcg_timer_kick(void)
{
    pthread_cond_signal(&pit.kick);
}

/* Channel 0's interrupt, if due: an edge on IRQ 0; the next deadline. */
static uint64_t pit_tick(uint64_t now)
{
    pthread_mutex_lock(&pit.lock);
    struct pit_channel *c = &pit.ch[0];
    bool fire = pit.irq0_next_ns && now >= pit.irq0_next_ns;
    if (fire && (c->mode == 2 || c->mode == 3))
        while (pit.irq0_next_ns <= now)
            pit.irq0_next_ns += period_ns(c);
    else if (fire)
        pit.irq0_next_ns = 0;
    uint64_t next = pit.irq0_next_ns;
    pthread_mutex_unlock(&pit.lock);
    if (fire) {
        pthread_mutex_lock(&tcg_vm->dev_lock);
        tcg_pic_line(0, 1);
        tcg_ioapic_line(0, 1);
        tcg_pic_line(0, 0);
        tcg_ioapic_line(0, 0);
        pthread_mutex_unlock(&tcg_vm->dev_lock);
    }
    return next;
}

static uint64_t earlier(uint64_t a, uint64_t b) { return !a ? b : !b ? a : a < b ? a : b; }

static void *timer_thread(void *arg)
{
    while (!sys_vm_stopping(tcg_vm)) {
        uint64_t now = tcg_now_ns();
        uint64_t next = earlier(pit_tick(now), tcg_lapic_timers(now));
        uint64_t until = next ? next : now + 100000000ull;     /* idle: look again in 100 ms */
        struct timespec t = { (time_t)(until / 1000000000u), (long)(until % 1000000000u) };
        pthread_mutex_lock(&pit.lock);
        pthread_cond_timedwait(&pit.kick, &pit.lock, &t);
        pthread_mutex_unlock(&pit.lock);
    }
    return NULL;
}

int tcg_pit_init(struct sys_vm *vm)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&pit.kick, &a);
    for (int i = 0; i < 3; i++)
        pit.ch[i].reload = 65536;
    if (sys_bus_add(&vm->pio, 0x40, 4, &pit_ops, NULL) < 0
        || pthread_create(&pit.thread, NULL, timer_thread, NULL) != 0) {
        sys_err("tcg: cannot start the timer thread");
        return -1;
    }
    pthread_detach(pit.thread);
    return 0;
}
