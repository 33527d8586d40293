/* accel.h -- the accelerator interface: what runs guest instructions.
 * KVM implements it in accel_kvm.c; the test harness's "hosted" accelerator
 * (accel_hosted.c) runs guest programs compiled for the host against the
 * same buses and RAM; tcg (accel_tcg.c) runs the guest on ferry's own
 * translator. */
#ifndef SYS_ACCEL_H
#define SYS_ACCEL_H

#include "vm.h"

struct sys_accel_ops {
    const char *name;
    /* Creates the VM: RAM already allocated in vm->ram. */
    int (*init)(struct sys_vm *vm);
    int (*vcpu_init)(struct sys_vcpu *cpu);
    /* Runs one vCPU until the machine stops; called on its own thread. */
    void (*vcpu_run)(struct sys_vcpu *cpu);
    void (*irq_line)(struct sys_vm *vm, unsigned irq, int level);
    /* Wakes a vCPU blocked in the guest so it sees the stop. */
    void (*vcpu_kick)(struct sys_vcpu *cpu);
};

/* NULL-terminated; the first entry is the default. One table per binary. */
extern const struct sys_accel_ops *const sys_accel_table[];

#endif
