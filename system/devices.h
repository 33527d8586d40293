/* devices.h -- constructors of the device models; each registers itself on
 * the buses of the machine and returns -1 (after one line on stderr) when
 * its backend cannot be opened. */
#ifndef SYS_DEVICES_H
#define SYS_DEVICES_H

#include "vm.h"

#define DEBUG_EXIT_PORT 0x501   /* 32-bit write: power off with that status */

/* COM1, 0x3F8, IRQ 4: output to stdout; reads stdin unless hvc0 does. */
int dev_uart_init(struct sys_vm *vm);
int dev_i8042_init(struct sys_vm *vm);          /* 0x60/0x64: reset via 0xFE */
int dev_debug_exit_init(struct sys_vm *vm);     /* DEBUG_EXIT_PORT */
int dev_misc_ports_init(struct sys_vm *vm);     /* port 0x61, POST port 0x80 */
int dev_rtc_init(struct sys_vm *vm);            /* CMOS clock, 0x70/0x71 */
int virtio_blk_init(struct sys_vm *vm, const char *path, bool ro);
int virtio_rng_init(struct sys_vm *vm);
int virtio_console_init(struct sys_vm *vm, bool input);     /* input: stdin feeds hvc0 */
int virtio_net_init(struct sys_vm *vm, const char *tap);   /* NULL: libslirp */

/* stdin for a console device: a thread reads it and calls take(dev, buf,
 * n) under vm->dev_lock, which keeps what fits and returns how much
 * (dev_stdin.c; the rest is offered again a millisecond later). */
typedef size_t dev_stdin_take(void *dev, const uint8_t *buf, size_t n);
void dev_stdin_start(struct sys_vm *vm, dev_stdin_take *take, void *dev);

/* Builds the whole machine from vm->opts. */
int sys_machine_init(struct sys_vm *vm);

#endif
