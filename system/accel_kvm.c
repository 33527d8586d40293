/* accel_kvm.c -- the KVM accelerator: creates the VM with the in-kernel
 * IRQ chip and PIT, maps guest RAM, creates vCPUs with filtered CPUID and
 * the registers the boot protocol wants, and turns KVM_RUN exits into bus
 * accesses. Fatal exits print the exit reason and the guest RIP. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel.h"
#include "accel_kvm.h"
#include "layout.h"

struct kvm_state { int kvm_fd, vm_fd, run_size; };
struct kvm_cpu { int fd; struct kvm_run *run; uint32_t last_exit; };

static struct kvm_state *kvm_of(struct sys_vm *vm) { return vm->accel_state; }

static int kvm_ioctl_checked(int fd, unsigned long req, void *arg, const char *what)
{
    int r, tries = 0;
    /* EINTR/EAGAIN are retried, but boundedly: a KVM that keeps refusing
     * must end in an error line, not a hang. */
    while ((r = ioctl(fd, req, arg)) < 0 && (errno == EINTR || errno == EAGAIN) && ++tries < 200)
        usleep(5000);
    if (r < 0)
        sys_err("KVM: %s failed: %s", what, strerror(errno));
    return r;
}

/* Slot 0: RAM below the PCI hole; slot 1: the rest, from 4 GiB. */
static int kvm_map_ram(struct kvm_state *k, struct sys_vm *vm)
{
    struct kvm_userspace_memory_region low = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = vm->low_end,
        .userspace_addr = (uintptr_t)vm->ram,
    }, high = {
        .slot = 1, .guest_phys_addr = LAYOUT_RAM_HIGH, .memory_size = vm->high_size,
        .userspace_addr = (uintptr_t)(vm->ram + vm->low_end),
    };
    if (kvm_ioctl_checked(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &low, "KVM_SET_USER_MEMORY_REGION") < 0)
        return -1;
    if (vm->high_size)
        return kvm_ioctl_checked(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &high, "KVM_SET_USER_MEMORY_REGION");
    return 0;
}

static int kvm_create_machine(struct kvm_state *k, struct sys_vm *vm)
{
    uint64_t idmap = LAYOUT_IDMAP;
    struct kvm_pit_config pit = { .flags = 0 };
    if ((k->vm_fd = kvm_ioctl_checked(k->kvm_fd, KVM_CREATE_VM, 0, "KVM_CREATE_VM")) < 0
        || kvm_ioctl_checked(k->vm_fd, KVM_SET_TSS_ADDR, (void *)LAYOUT_TSS, "KVM_SET_TSS_ADDR") < 0
        || kvm_ioctl_checked(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap, "KVM_SET_IDENTITY_MAP_ADDR") < 0
        || kvm_ioctl_checked(k->vm_fd, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP") < 0
        || kvm_ioctl_checked(k->vm_fd, KVM_CREATE_PIT2, &pit, "KVM_CREATE_PIT2") < 0)
        return -1;
    return kvm_map_ram(k, vm);
}

static int kvm_init(struct sys_vm *vm)
{
    struct kvm_state *k = calloc(1, sizeof *k);
    vm->accel_state = k;
    k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->kvm_fd < 0) {
        sys_err("cannot open /dev/kvm: %s (ferry-system needs KVM)", strerror(errno));
        return -1;
    }
    int version = ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        if (version < 0)
            sys_err("/dev/kvm is not usable as KVM: KVM_GET_API_VERSION: %s", strerror(errno));
        else
            sys_err("KVM: API version %d, ferry-system needs %d", version, KVM_API_VERSION);
        return -1;
    }
    k->run_size = kvm_ioctl_checked(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
    return k->run_size <= 0 ? -1 : kvm_create_machine(k, vm);
}

/* ---- CPUID: pass through what KVM supports, minus what the VMM lacks. ---- */

static void cpuid_fix(struct kvm_cpuid_entry2 *e, int cpu_index)
{
    switch (e->function) {
    case 1:
        e->ebx = (e->ebx & 0x00ffffff) | (uint32_t)cpu_index << 24;  /* initial APIC ID */
        e->ecx |= 1u << 31;                                         /* hypervisor present */
        break;
    case 6:
        e->ecx &= ~(1u << 3);       /* no energy/performance bias MSR */
        break;
    case 0xa:                       /* no PMU emulated for the guest */
        e->eax = e->ebx = e->ecx = e->edx = 0;
        break;
    case 0xb: case 0x1f:
        e->edx = cpu_index;         /* x2APIC ID */
        break;
    }
}

static int kvm_set_cpuid(struct kvm_state *k, struct kvm_cpu *c, int index)
{
    const int max = 256;
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + max * sizeof cpuid->entries[0]);
    cpuid->nent = max;
    int r = kvm_ioctl_checked(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid, "KVM_GET_SUPPORTED_CPUID");
    for (unsigned i = 0; r >= 0 && i < cpuid->nent; i++)
        cpuid_fix(&cpuid->entries[i], index);
    if (r >= 0)
        r = kvm_ioctl_checked(c->fd, KVM_SET_CPUID2, cpuid, "KVM_SET_CPUID2");
    free(cpuid);
    return r;
}

/* ---- Initial registers for the boot protocols. ---- */

static struct kvm_segment seg_flat(uint16_t sel, uint8_t type, bool l, bool db)
{
    return (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel,
                                 .type = type, .present = 1, .dpl = 0, .db = db, .s = 1,
                                 .l = l, .g = 1 };
}

static void sregs_for_boot(struct kvm_sregs *s, enum sys_boot_mode mode)
{
    bool lm = mode == BOOT_LONG64;
    s->cs = lm ? seg_flat(GDT_CODE64, 11, true, false) : seg_flat(GDT_CODE32, 11, false, true);
    s->ds = s->es = s->fs = s->gs = s->ss = seg_flat(GDT_DATA, 3, false, true);
    s->tr = (struct kvm_segment){ .limit = 0x67, .type = 11, .present = 1 };
    s->ldt = (struct kvm_segment){ .limit = 0xffff, .type = 2, .present = 1 };
    s->gdt = (struct kvm_dtable){ .base = LAYOUT_GDT, .limit = 5 * 8 - 1 };
    s->idt = (struct kvm_dtable){ .base = 0, .limit = 0 };
    s->cr0 = lm ? 0x80050033ull : 0x11ull;      /* PG|AM|WP|NE|ET|MP|PE, or PE|ET */
    s->cr3 = lm ? LAYOUT_PML4 : 0;
    s->cr4 = lm ? 0x620 : 0;                    /* PAE|OSFXSR|OSXMMEXCPT */
    s->efer = lm ? 0x500 : 0;                   /* LME|LMA */
}

static int kvm_set_boot_regs(struct sys_vcpu *cpu, struct kvm_cpu *c)
{
    struct sys_boot *b = &cpu->vm->boot;
    struct kvm_sregs s;
    struct kvm_regs r = { .rflags = 2, .rip = b->rip, .rsp = b->rsp - cpu->index * 0x1000,
                          .rsi = b->rsi, .rbx = b->rbx };
    struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
    if (b->all_cpus_start) {
        r.rdi = cpu->index;
        r.rsi = cpu->vm->ncpus;
    }
    if (kvm_ioctl_checked(c->fd, KVM_GET_SREGS, &s, "KVM_GET_SREGS") < 0)
        return -1;
    sregs_for_boot(&s, b->mode);
    if (kvm_ioctl_checked(c->fd, KVM_SET_SREGS, &s, "KVM_SET_SREGS") < 0
        || kvm_ioctl_checked(c->fd, KVM_SET_REGS, &r, "KVM_SET_REGS") < 0
        || kvm_ioctl_checked(c->fd, KVM_SET_FPU, &fpu, "KVM_SET_FPU") < 0)
        return -1;
    struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
    return cpu->index ? kvm_ioctl_checked(c->fd, KVM_SET_MP_STATE, &mp, "KVM_SET_MP_STATE") : 0;
}

static int kvm_vcpu_init(struct sys_vcpu *cpu)
{
    struct kvm_state *k = kvm_of(cpu->vm);
    struct kvm_cpu *c = calloc(1, sizeof *c);
    cpu->accel = c;
    c->fd = kvm_ioctl_checked(k->vm_fd, KVM_CREATE_VCPU, (void *)(long)cpu->index, "KVM_CREATE_VCPU");
    if (c->fd < 0)
        return -1;
    c->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
    if (c->run == MAP_FAILED) {
        sys_err("KVM: cannot map vCPU %d's run area: %s", cpu->index, strerror(errno));
        return -1;
    }
    if (kvm_set_cpuid(k, c, cpu->index) < 0)
        return -1;
    /* APs of a Linux guest wait for INIT/SIPI in the in-kernel LAPIC. */
    if (cpu->index == 0 || cpu->vm->boot.all_cpus_start)
        return kvm_set_boot_regs(cpu, c);
    return 0;
}

/* ---- The run loop. ---- */

static const char *const kvm_exit_names[] = {
    [KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION", [KVM_EXIT_IO] = "IO",
    [KVM_EXIT_HLT] = "HLT", [KVM_EXIT_MMIO] = "MMIO", [KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
    [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY", [KVM_EXIT_INTR] = "INTR",
    [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR", [KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
};

static const char *kvm_exit_name(uint32_t reason)
{
    if (reason < sizeof kvm_exit_names / sizeof *kvm_exit_names && kvm_exit_names[reason])
        return kvm_exit_names[reason];
    return "other";
}

static void kvm_report(struct sys_vcpu *cpu, struct kvm_cpu *c, const char *what)
{
    struct kvm_regs r = {0};
    ioctl(c->fd, KVM_GET_REGS, &r);
    sys_err("vCPU %d: %s: last KVM exit %u (%s), guest RIP=0x%llx RSP=0x%llx", cpu->index, what,
            c->last_exit, kvm_exit_name(c->last_exit), (unsigned long long)r.rip,
            (unsigned long long)r.rsp);
}

static void kvm_exit_io(struct sys_vm *vm, struct kvm_run *run)
{
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    bool out = run->io.direction == KVM_EXIT_IO_OUT;
    for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
        if (!sys_bus_access(vm, &vm->pio, run->io.port, data, run->io.size, out))
            sys_debug(vm, "unclaimed port %s 0x%x (%u bytes)", out ? "write" : "read",
                      run->io.port, run->io.size);
}

static void kvm_exit_system_event(struct sys_vm *vm, struct kvm_run *run)
{
    if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
        sys_vm_stop(vm, STOP_POWEROFF, 0);
    else
        sys_vm_stop(vm, STOP_RESET, 0);
}

/* Returns false when the exit ends the machine. */
static bool kvm_handle_exit(struct sys_vcpu *cpu, struct kvm_cpu *c)
{
    struct sys_vm *vm = cpu->vm;
    struct kvm_run *run = c->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO: kvm_exit_io(vm, run); return true;
    case KVM_EXIT_MMIO:
        if (!sys_bus_access(vm, &vm->mmio, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
                            run->mmio.is_write))
            sys_debug(vm, "unclaimed MMIO %s 0x%llx (%u bytes)", run->mmio.is_write ? "write" : "read",
                      (unsigned long long)run->mmio.phys_addr, run->mmio.len);
        return true;
    case KVM_EXIT_HLT: usleep(1000); return true;
    case KVM_EXIT_INTR: return true;
    case KVM_EXIT_SYSTEM_EVENT: kvm_exit_system_event(vm, run); return false;
    case KVM_EXIT_SHUTDOWN:
        kvm_report(cpu, c, "triple fault (guest shutdown), treated as reset");
        sys_vm_stop(vm, STOP_RESET, 0);
        return false;
    default:
        kvm_report(cpu, c, "fatal exit");
        if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
            sys_err("KVM entry failure, hardware reason 0x%llx",
                    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
            sys_err("KVM internal error, suberror %u", run->internal.suberror);
        sys_vm_stop(vm, STOP_ERROR, 1);
        return false;
    }
}

static void kvm_vcpu_run(struct sys_vcpu *cpu)
{
    struct kvm_cpu *c = cpu->accel;
    while (!sys_vm_stopping(cpu->vm)) {
        if (ioctl(c->fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            sys_err("vCPU %d: KVM_RUN: %s", cpu->index, strerror(errno));
            sys_vm_stop(cpu->vm, STOP_ERROR, 1);
            break;
        }
        c->last_exit = c->run->exit_reason;
        if (!kvm_handle_exit(cpu, c))
            break;
    }
    if (cpu->vm->stop == STOP_TIMEOUT) {
        kvm_report(cpu, c, "stopped by the watchdog");
        kvm_dump_vcpu(c->fd, cpu->index);
        if (cpu->index == 0)
            kvm_dump_irqchip(kvm_of(cpu->vm)->vm_fd);
    }
}

static void kvm_irq_line(struct sys_vm *vm, unsigned irq, int level)
{
    struct kvm_irq_level l = { .irq = irq, .level = level };
    ioctl(kvm_of(vm)->vm_fd, KVM_IRQ_LINE, &l);
}

static void kvm_vcpu_kick(struct sys_vcpu *cpu)
{
    struct kvm_cpu *c = cpu->accel;
    if (c && c->run && c->run != MAP_FAILED)
        c->run->immediate_exit = 1;
    if (cpu->thread)
        pthread_kill(cpu->thread, SIGUSR1);
}

const struct sys_accel_ops sys_accel_kvm = {
    .name = "kvm", .init = kvm_init, .vcpu_init = kvm_vcpu_init, .vcpu_run = kvm_vcpu_run,
    .irq_line = kvm_irq_line, .vcpu_kick = kvm_vcpu_kick,
};
