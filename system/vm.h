/* vm.h -- the machine: guest RAM, the port/MMIO buses, the vCPUs, the
 * devices' shared lock, and how the machine stops (poweroff, reset, error).
 * Every other file of ferry-system works on a struct sys_vm. */
#ifndef SYS_VM_H
#define SYS_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "sys_options.h"

#define SYS_MAX_CPUS 32

struct sys_accel_ops;
struct sys_pci;

struct sys_vcpu {
    struct sys_vm *vm;
    int index;
    pthread_t thread;
    void *accel;                /* the accelerator's per-vCPU state */
};

/* Registers the boot protocol wants in the first vCPU (and, for the
 * project's own ELF guests, in every vCPU). */
enum sys_boot_mode { BOOT_LONG64, BOOT_PROT32 };
struct sys_boot {
    enum sys_boot_mode mode;
    uint64_t rip, rsp, rsi, rbx;
    bool all_cpus_start;        /* plain ELF guests: APs start at rip too */
};

enum sys_stop { STOP_NONE, STOP_POWEROFF, STOP_RESET, STOP_ERROR, STOP_TIMEOUT };

struct sys_vm {
    struct sys_options *opts;
    uint8_t *ram;
    uint64_t ram_size;          /* all of it */
    uint64_t low_end;           /* RAM is [0, low_end) and [4 GiB, 4 GiB + high_size) */
    uint64_t high_size;
    struct sys_bus pio, mmio;
    pthread_mutex_t dev_lock;   /* serialises device models */
    const struct sys_accel_ops *accel;
    void *accel_state;
    bool accel_ready;           /* init done: interrupt lines exist */
    int ncpus;
    struct sys_vcpu cpus[SYS_MAX_CPUS];
    struct sys_boot boot;
    struct sys_pci *pci;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    enum sys_stop stop;
    int exit_status;
    /* Called before a device writes guest RAM (its virtqueue buffers and
     * rings, pread into a buffer): tcg's write tracking of code pages must
     * hear of writes made outside the vCPUs' TLBs (accel_tcg_codewatch.c).
     * NULL otherwise. */
    void (*before_host_write)(void *host, size_t len);
};

static inline void sys_mem_host_write(struct sys_vm *vm, void *host, size_t len)
{
    if (vm->before_host_write)
        vm->before_host_write(host, len);
}

/* Pointer to guest RAM [gpa, gpa+len), or NULL when any byte lies outside
 * it: the one gate every device goes through to touch guest memory. */
void *sys_mem_ptr(struct sys_vm *vm, uint64_t gpa, uint64_t len);
int sys_mem_alloc(struct sys_vm *vm, uint64_t size);

/* Ends the machine: main() wakes, prints why, and exits with status. */
void sys_vm_stop(struct sys_vm *vm, enum sys_stop why, int status);
bool sys_vm_stopping(struct sys_vm *vm);

/* Raises or lowers a legacy interrupt line (through the accelerator). */
void sys_irq_line(struct sys_vm *vm, unsigned irq, int level);

/* One-line diagnostics on stderr, prefixed "ferry-system: ". */
void sys_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sys_debug(struct sys_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
