/* accel_kvm_dump.c -- what the watchdog prints about a KVM guest that did
 * not finish, beyond its RIP: per vCPU the flags and the local APIC's
 * priority, in-service and pending vectors and timer; for the machine the
 * IOAPIC pins in use and the PICs. A guest waiting forever for an
 * interrupt shows here why it never came. */
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "accel_kvm.h"

static uint32_t apic_reg(const struct kvm_lapic_state *l, unsigned off)
{
    uint32_t v;
    memcpy(&v, l->regs + off, 4);
    return v;
}

/* The vectors set in a 256-bit APIC register (ISR at 0x100, IRR at 0x200). */
static void apic_vectors(const struct kvm_lapic_state *l, unsigned base, char *out, size_t n)
{
    size_t at = 0;
    out[0] = 0;
    for (int v = 0; v < 256 && at + 6 < n; v++)
        if (apic_reg(l, base + (v / 32) * 16) & (1u << (v % 32)))
            at += snprintf(out + at, n - at, " 0x%02x", v);
    if (!at)
        snprintf(out, n, " none");
}

static uint64_t vcpu_msr(int fd, uint32_t index)
{
    struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = { .h.nmsrs = 1, .e.index = index };
    return ioctl(fd, KVM_GET_MSRS, &m) == 1 ? m.e.data : 0;
}

void kvm_dump_vcpu(int fd, int index)
{
    struct kvm_regs r = {0};
    struct kvm_lapic_state l;
    char isr[256], irr[256];
    ioctl(fd, KVM_GET_REGS, &r);
    if (ioctl(fd, KVM_GET_LAPIC, &l) < 0)
        return;
    apic_vectors(&l, 0x100, isr, sizeof isr);
    apic_vectors(&l, 0x200, irr, sizeof irr);
    sys_err("vCPU %d: RFLAGS=0x%llx (IF=%d) APIC TPR=0x%x PPR=0x%x in service:%s pending:%s",
            index, (unsigned long long)r.rflags, (int)(r.rflags >> 9 & 1), apic_reg(&l, 0x80),
            apic_reg(&l, 0xa0), isr, irr);
    sys_err("vCPU %d: APIC timer LVT=0x%x initial=%u current=%u; TSC=0x%llx TSC deadline=0x%llx",
            index, apic_reg(&l, 0x320), apic_reg(&l, 0x380), apic_reg(&l, 0x390),
            (unsigned long long)vcpu_msr(fd, 0x10), (unsigned long long)vcpu_msr(fd, 0x6e0));
}

void kvm_dump_irqchip(int vm_fd)
{
    struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
    if (ioctl(vm_fd, KVM_GET_IRQCHIP, &chip) == 0) {
        struct kvm_ioapic_state *io = &chip.chip.ioapic;
        sys_err("IOAPIC: lines asserted 0x%x", io->irr);
        for (int pin = 0; pin < KVM_IOAPIC_NUM_PINS; pin++) {
            typeof(io->redirtbl[0].fields) *f = &io->redirtbl[pin].fields;
            if (!f->mask)
                sys_err("IOAPIC pin %d: vector 0x%02x %s active-%s remote_irr=%d dest 0x%x",
                        pin, f->vector, f->trig_mode ? "level" : "edge",
                        f->polarity ? "low" : "high", f->remote_irr, f->dest_id);
        }
    }
    for (int i = KVM_IRQCHIP_PIC_MASTER; i <= KVM_IRQCHIP_PIC_SLAVE; i++) {
        struct kvm_irqchip pic = { .chip_id = i };
        if (ioctl(vm_fd, KVM_GET_IRQCHIP, &pic) == 0)
            sys_err("PIC %s: irr 0x%02x imr 0x%02x isr 0x%02x elcr 0x%02x", i ? "slave" : "master",
                    pic.chip.pic.irr, pic.chip.pic.imr, pic.chip.pic.isr, pic.chip.pic.elcr);
    }
}
