/* bus.c -- port I/O and MMIO range dispatch (see bus.h). Devices run under
 * vm->dev_lock, so a device model never sees two vCPUs at once. */
#include <string.h>

#include "vm.h"

int sys_bus_add(struct sys_bus *bus, uint64_t base, uint64_t len,
                const struct sys_dev_ops *ops, void *dev)
{
    if (bus->n == SYS_BUS_MAX)
        return -1;
    bus->r[bus->n++] = (struct sys_bus_range){ base, len, ops, dev };
    return 0;
}

static struct sys_bus_range *bus_find(struct sys_bus *bus, uint64_t addr, unsigned size)
{
    for (int i = 0; i < bus->n; i++) {
        struct sys_bus_range *r = &bus->r[i];
        if (addr >= r->base && addr - r->base < r->len && size <= r->len - (addr - r->base))
            return r;
    }
    return NULL;
}

bool sys_bus_access(struct sys_vm *vm, struct sys_bus *bus, uint64_t addr,
                    void *data, unsigned size, bool is_write)
{
    struct sys_bus_range *r = bus_find(bus, addr, size);
    if (!r) {
        if (!is_write)
            memset(data, 0xff, size);
        return false;
    }
    pthread_mutex_lock(&vm->dev_lock);
    if (is_write)
        r->ops->write(r->dev, addr - r->base, data, size);
    else
        r->ops->read(r->dev, addr - r->base, data, size);
    pthread_mutex_unlock(&vm->dev_lock);
    return true;
}

uint64_t sys_get_le(const void *data, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, data, size > 8 ? 8 : size);
    return v;
}

void sys_put_le(void *data, unsigned size, uint64_t v)
{
    memcpy(data, &v, size > 8 ? 8 : size);
}
