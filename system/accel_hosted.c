/* accel_hosted.c -- the test harness's accelerator: instead of running
 * guest machine code, each vCPU thread calls the test guest's C code
 * compiled for the host (system/guests/lib/io_hosted.c). The guest's port
 * and MMIO accesses go through the same buses, and its DMA buffers live in
 * the same guest RAM, as under KVM, so every device model, the virtio-pci
 * transport and the descriptor validation run unchanged on a machine
 * without /dev/kvm. It executes no guest instruction bytes at all. */
#include "accel.h"

struct sys_vm *hosted_vm;                   /* read by io_hosted.c */
void hosted_guest_entry(int cpu, int ncpus);
int hosted_irq_level(unsigned irq);

/* Interrupt lines are only recorded: the guest reads them (irq_line_level). */
static int hosted_lines[24];

static void hosted_irq_line(struct sys_vm *vm, unsigned irq, int level)
{
    if (irq < 24)
        __atomic_store_n(&hosted_lines[irq], level, __ATOMIC_RELEASE);
}

int hosted_irq_level(unsigned irq)
{
    return irq < 24 ? __atomic_load_n(&hosted_lines[irq], __ATOMIC_ACQUIRE) : 0;
}

static int hosted_init(struct sys_vm *vm)
{
    hosted_vm = vm;
    return 0;
}

static int hosted_vcpu_init(struct sys_vcpu *cpu)
{
    return 0;
}

static void hosted_vcpu_run(struct sys_vcpu *cpu)
{
    hosted_guest_entry(cpu->index, cpu->vm->ncpus);
}

const struct sys_accel_ops sys_accel_hosted = {
    .name = "hosted", .init = hosted_init, .vcpu_init = hosted_vcpu_init,
    .vcpu_run = hosted_vcpu_run, .irq_line = hosted_irq_line,
};
