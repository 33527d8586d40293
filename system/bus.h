/* bus.h -- address-range dispatch for port I/O and MMIO exits: each device
 * registers ranges with one ops structure; an access outside every range is
 * ignored on write and reads as all ones. */
#ifndef SYS_BUS_H
#define SYS_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct sys_vm;

struct sys_dev_ops {
    const char *name;
    void (*read)(void *dev, uint64_t off, void *data, unsigned size);
    void (*write)(void *dev, uint64_t off, const void *data, unsigned size);
};

struct sys_bus_range {
    uint64_t base, len;
    const struct sys_dev_ops *ops;
    void *dev;
};

#define SYS_BUS_MAX 32
struct sys_bus {
    struct sys_bus_range r[SYS_BUS_MAX];
    int n;
};

int sys_bus_add(struct sys_bus *bus, uint64_t base, uint64_t len,
                const struct sys_dev_ops *ops, void *dev);
/* Returns false when no device claims the address. */
bool sys_bus_access(struct sys_vm *vm, struct sys_bus *bus, uint64_t addr,
                    void *data, unsigned size, bool is_write);

/* Little-endian helpers for register files. */
uint64_t sys_get_le(const void *data, unsigned size);
void sys_put_le(void *data, unsigned size, uint64_t v);

#endif
