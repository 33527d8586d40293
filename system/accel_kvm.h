/* accel_kvm.h -- shared between the KVM accelerator's files. */
#ifndef SYS_ACCEL_KVM_H
#define SYS_ACCEL_KVM_H

#include "vm.h"

/* The watchdog's report (accel_kvm_dump.c): a vCPU's flags and local APIC
 * (call on its own thread, out of KVM_RUN); the IOAPIC and PICs. */
void kvm_dump_vcpu(int vcpu_fd, int index);
void kvm_dump_irqchip(int vm_fd);

#endif
