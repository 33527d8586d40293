/* machine.c -- assembles the machine from the options: legacy PC devices,
 * the PCI host and the VirtIO devices asked for. */
#include "devices.h"
#include "pci.h"

static int machine_virtio(struct sys_vm *vm)
{
    struct sys_options *o = vm->opts;
    for (int i = 0; i < o->ndisks; i++)
        if (virtio_blk_init(vm, o->disks[i].path, o->disks[i].ro) < 0)
            return -1;
    if (o->rng && virtio_rng_init(vm) < 0)
        return -1;
    if (o->vconsole && virtio_console_init(vm, o->console_virtio) < 0)
        return -1;
    if ((o->net_tap || o->net_user) && virtio_net_init(vm, o->net_tap) < 0)
        return -1;
    return 0;
}

int sys_machine_init(struct sys_vm *vm)
{
    if (pci_init(vm) < 0 || dev_uart_init(vm) < 0 || dev_i8042_init(vm) < 0
        || dev_debug_exit_init(vm) < 0 || dev_misc_ports_init(vm) < 0 || dev_rtc_init(vm) < 0)
        return -1;
    return machine_virtio(vm);
}
