/* dev_legacy.c -- the small PC ports: the i8042 keyboard controller (only
 * what reboot needs: command 0xFE pulses reset; to Linux's probe it is a
 * controller that is not there), the debug-exit port that
 * powers the machine off with a status, port 0x61 (whose refresh bit Linux
 * polls while calibrating) and the POST port 0x80 (a delay). */
#include <string.h>

#include "devices.h"

static void i8042_read(void *dev, uint64_t off, void *data, unsigned size)
{
    memset(data, 0, size);
}

/* Output buffer full for good, input buffer empty: Linux's i8042 probe
 * finds it cannot drain the output buffer and says "No controller found"
 * at once, and a reset's wait for the input buffer ends at once.  (An
 * empty output buffer made Linux wait for the answer to its CTR read:
 * 10,000 udelay(50) polls, 2-6 s of a tcg boot's wall time on a loaded
 * host, before "Can't read CTR while initializing i8042".) */
static void i8042_status_read(void *dev, uint64_t off, void *data, unsigned size)
{
    memset(data, 0, size);
    *(uint8_t *)data = 0x01;
}

static void i8042_cmd_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    if (*(const uint8_t *)data == 0xfe)
        sys_vm_stop(dev, STOP_RESET, 0);
}

static void debug_exit_read(void *dev, uint64_t off, void *data, unsigned size)
{
    memset(data, 0, size);
}

static void debug_exit_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    sys_vm_stop(dev, STOP_POWEROFF, (int)(sys_get_le(data, size) & 0xff));
}

static void port61_read(void *dev, uint64_t off, void *data, unsigned size)
{
    static uint8_t toggle;
    memset(data, 0, size);
    if (off == 0)
        *(uint8_t *)data = (toggle ^= 0x10) | 0x20;
}

static void ignore_write(void *dev, uint64_t off, const void *data, unsigned size) {}

static const struct sys_dev_ops i8042_data_ops = { "i8042-data", i8042_read, ignore_write };
static const struct sys_dev_ops i8042_cmd_ops = { "i8042-cmd", i8042_status_read, i8042_cmd_write };
static const struct sys_dev_ops debug_exit_ops = { "debug-exit", debug_exit_read, debug_exit_write };
static const struct sys_dev_ops port61_ops = { "port61", port61_read, ignore_write };
static const struct sys_dev_ops post_ops = { "post", debug_exit_read, ignore_write };

int dev_i8042_init(struct sys_vm *vm)
{
    sys_bus_add(&vm->pio, 0x60, 1, &i8042_data_ops, vm);
    return sys_bus_add(&vm->pio, 0x64, 1, &i8042_cmd_ops, vm);
}

int dev_debug_exit_init(struct sys_vm *vm)
{
    return sys_bus_add(&vm->pio, DEBUG_EXIT_PORT, 4, &debug_exit_ops, vm);
}

int dev_misc_ports_init(struct sys_vm *vm)
{
    sys_bus_add(&vm->pio, 0x61, 1, &port61_ops, vm);
    return sys_bus_add(&vm->pio, 0x80, 1, &post_ops, vm);
}
