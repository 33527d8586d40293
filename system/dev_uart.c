/* dev_uart.c -- an 8250/16550 UART on COM1 (ports 0x3F8-0x3FF, IRQ 4),
 * the guest's ttyS0: transmitted bytes go to stdout, stdin feeds the
 * receive buffer through a reader thread (unless --console virtio gives
 * stdin to hvc0). FIFOs are modelled as one
 * receive ring; the transmitter is always empty. */
#include <stdlib.h>
#include <unistd.h>

#include "devices.h"

enum { UART_RBR_THR, UART_IER, UART_IIR_FCR, UART_LCR, UART_MCR, UART_LSR, UART_MSR, UART_SCR };
#define LCR_DLAB  0x80
#define MCR_LOOP  0x10
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define IER_RDI   0x01
#define IER_THRI  0x02
#define IIR_NONE  0x01
#define IIR_THRI  0x02
#define IIR_RDI   0x04
#define UART_IRQ  4
#define RX_SIZE   1024

struct uart {
    struct sys_vm *vm;
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    bool thri_pending;
    uint8_t rx[RX_SIZE];
    unsigned rx_head, rx_tail;      /* guarded by vm->dev_lock */
};

static bool uart_rx_ready(struct uart *u) { return u->rx_head != u->rx_tail; }

static uint8_t uart_iir(struct uart *u)
{
    uint8_t fifo = (u->fcr & 1) ? 0xc0 : 0;
    if ((u->ier & IER_RDI) && uart_rx_ready(u))
        return IIR_RDI | fifo;
    if ((u->ier & IER_THRI) && u->thri_pending)
        return IIR_THRI | fifo;
    return IIR_NONE | fifo;
}

static void uart_update_irq(struct uart *u)
{
    sys_irq_line(u->vm, UART_IRQ, !(uart_iir(u) & IIR_NONE));
}

/* Modem status: CTS, DSR, DCD always; in loopback mode (which Linux's
 * probe uses) the MCR outputs appear on the inputs instead. */
static uint8_t uart_msr(struct uart *u)
{
    if (!(u->mcr & MCR_LOOP))
        return 0xb0;
    return (u->mcr & 0x01) << 5 | (u->mcr & 0x02) << 3 | (u->mcr & 0x04) << 4 | (u->mcr & 0x08) << 4;
}

static uint8_t uart_read_reg(struct uart *u, unsigned reg)
{
    uint8_t v = 0;
    switch (reg) {
    case UART_RBR_THR:
        if (u->lcr & LCR_DLAB) return u->dll;
        if (uart_rx_ready(u)) v = u->rx[u->rx_tail++ % RX_SIZE];
        return v;
    case UART_IER: return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
    case UART_IIR_FCR:
        v = uart_iir(u);
        if ((v & 0x0f) == IIR_THRI) u->thri_pending = false;
        return v;
    case UART_LCR: return u->lcr;
    case UART_MCR: return u->mcr;
    case UART_LSR: return LSR_THRE | LSR_TEMT | (uart_rx_ready(u) ? LSR_DR : 0);
    case UART_MSR: return uart_msr(u);
    default: return u->scr;
    }
}

static void uart_transmit(struct uart *u, uint8_t c)
{
    if (u->mcr & MCR_LOOP) {
        if (u->rx_head - u->rx_tail < RX_SIZE)
            u->rx[u->rx_head++ % RX_SIZE] = c;
    } else if (write(STDOUT_FILENO, &c, 1) < 0) { /* stdout gone: the guest can't know */ }
    u->thri_pending = true;
}

static void uart_write_reg(struct uart *u, unsigned reg, uint8_t v)
{
    switch (reg) {
    case UART_RBR_THR:
        if (u->lcr & LCR_DLAB) u->dll = v; else uart_transmit(u, v);
        break;
    case UART_IER:
        if (u->lcr & LCR_DLAB) u->dlm = v;
        else { u->ier = v & 0x0f; u->thri_pending = true; }
        break;
    case UART_IIR_FCR: u->fcr = v; break;
    case UART_LCR: u->lcr = v; break;
    case UART_MCR: u->mcr = v; break;
    case UART_SCR: u->scr = v; break;
    default: break;
    }
}

static void uart_read(void *dev, uint64_t off, void *data, unsigned size)
{
    struct uart *u = dev;
    for (unsigned i = 0; i < size; i++)
        ((uint8_t *)data)[i] = uart_read_reg(u, (off + i) & 7);
    uart_update_irq(u);
}

static void uart_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    struct uart *u = dev;
    for (unsigned i = 0; i < size; i++)
        uart_write_reg(u, (off + i) & 7, ((const uint8_t *)data)[i]);
    uart_update_irq(u);
}

/* stdin's bytes, as many as the receive ring holds (dev_stdin.c). */
static size_t uart_receive(void *dev, const uint8_t *buf, size_t n)
{
    struct uart *u = dev;
    size_t i = 0;
    for (; i < n && u->rx_head - u->rx_tail < RX_SIZE; i++)
        u->rx[u->rx_head++ % RX_SIZE] = buf[i];
    uart_update_irq(u);
    return i;
}

static const struct sys_dev_ops uart_ops = { "uart", uart_read, uart_write };

int dev_uart_init(struct sys_vm *vm)
{
    struct uart *u = calloc(1, sizeof *u);
    u->vm = vm;
    if (!vm->opts->console_virtio)
        dev_stdin_start(vm, uart_receive, u);
    return sys_bus_add(&vm->pio, 0x3f8, 8, &uart_ops, u);
}
