/* accel_tcg.c -- the tcg accelerator: each vCPU is a host thread running
 * the guest on ferry's own translator (one engine in system mode:
 * fe_x86_64_system over the software MMU of accel_tcg_mmu.c).  The loop
 * around tr_run is this file's: it delivers exceptions and interrupts
 * through the guest's IDT, waits in hlt, and stops with the machine.
 * Port I/O goes to the machine's port bus, MMIO to its MMIO bus; the
 * registers each vCPU starts with are those the KVM accelerator sets for
 * the boot protocol (long mode on the VMM's identity page tables, or the
 * PVH entry's 32-bit protected mode); a Linux AP waits for INIT and a
 * SIPI, which start it in real mode.  When a vCPU's code changes between
 * 16-, 32- and 64-bit, the loop drops the blocks of the other mode. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel_tcg.h"
#include "frontend.h"
#include "layout.h"
#include "translator.h"

static struct tr_engine *tcg_engine;

/* Pauses in a row (counted in 256s by the helper) before a short sleep. */
#define SPIN_SLEEP_EVERY 4096
#define SPIN_SLEEP_NS 50000

/* FERRY_SYSTEM_STATS set: the translator's counters at exit, for tuning. */
static void print_stats(void)
{
    tr_print_stats(tcg_engine, stderr);
}

static int tcg_init(struct sys_vm *vm)
{
    tcg_vm = vm;
    struct tr_engine_config cfg = { .guest = &fe_x86_64_system, .mem = tcg_guest_mem(), .ras = 0 };
    tcg_engine = tr_engine_new(&cfg);
    tr_kick_install(SIGUSR2);           /* exit requests to other vCPUs (exit_kick.c) */
    if (getenv("FERRY_SYSTEM_STATS"))
        atexit(print_stats);
    tcg_codewatch_init(vm);
    vm->before_host_write = tcg_codewatch_release;      /* devices' writes into RAM */
    return tcg_pic_init(vm) < 0 || tcg_apic_init(vm) < 0 || tcg_pit_init(vm) < 0 ? -1 : 0;
}

/* ---- the machine as the frontend's privileged instructions see it ---- */

static uint64_t io_in(struct x86_sys_cpu *c, uint16_t port, unsigned bytes)
{
    uint64_t v = 0;
    if (!sys_bus_access(tcg_vm, &tcg_vm->pio, port, &v, bytes, false))
        sys_debug(tcg_vm, "unclaimed port read 0x%x (%u bytes)", port, bytes);
    return v;
}

static void io_out(struct x86_sys_cpu *c, uint16_t port, unsigned bytes, uint64_t value)
{
    if (!sys_bus_access(tcg_vm, &tcg_vm->pio, port, &value, bytes, true))
        sys_debug(tcg_vm, "unclaimed port write 0x%x (%u bytes)", port, bytes);
    if (sys_vm_stopping(tcg_vm))
        tr_interrupt(c);                /* poweroff, reset: leave at the next block */
}

static void tlb_flush(struct x86_sys_cpu *c, uint64_t va, bool all)
{
    tcg_tlb_flush(tcg_cpu_of(c), va, all);
}

/* A guest spin loop (pause, x86_system_helpers.c) waits for another vCPU,
 * which may need this host CPU (2 vCPUs on a loaded host) or be
 * translating: a Linux boot spent a third of its translated code's time
 * spinning in locks and IPI waits.  Give the CPU away; when the wait goes
 * on, sleep a little (the thread's CPU time is what the wait costs).
 * Yielding every 64 pauses was slower, in wall and CPU time, than every
 * 256 (a yield on a loaded host can cost the spinner a whole time slice). */
static void spinning(struct x86_sys_cpu *c, uint64_t streak)
{
    if (streak % SPIN_SLEEP_EVERY) {
        sched_yield();
        return;
    }
    struct timespec t = { 0, SPIN_SLEEP_NS };
    nanosleep(&t, NULL);
}

static const struct x86_sys_hooks tcg_hooks = {
    .io_in = io_in, .io_out = io_out, .tlb_flush = tlb_flush, .virt_ptr = tcg_virt_ptr,
    .spinning = spinning,
};

/* ---- start-up ---- */

static void boot_long_mode(struct tcg_cpu *c, const struct sys_boot *b, int index, int ncpus)
{
    struct x86_sys_state *s = &c->x.sys;
    s->cr0 = 0x80050033ull;             /* PG|AM|WP|NE|ET|MP|PE, as for KVM */
    s->cr3 = LAYOUT_PML4;
    s->cr4 = 0x620;                     /* PAE|OSFXSR|OSXMMEXCPT */
    s->efer = X86_EFER_LME | X86_EFER_LMA;
    s->cs = GDT_CODE64;
    s->ss = s->ds = s->es = s->fs_sel = s->gs_sel = GDT_DATA;
    s->gdt_base = LAYOUT_GDT;
    s->gdt_limit = 5 * 8 - 1;
    s->apic_base = 0xfee00900ull & ~(index ? 0x100ull : 0);     /* enabled, BSP flag */
    uint64_t *r = c->x.cpu.regs;
    c->x.cpu.rt.pc = b->rip;
    r[X86_RSP] = b->rsp - index * 0x1000ull;
    r[X86_RSI] = b->rsi;
    r[X86_RBX] = b->rbx;
    if (b->all_cpus_start) {
        r[X86_RDI] = index;
        r[X86_RSI] = ncpus;
    }
}

/* The PVH boot ABI's entry: 32-bit protected mode, paging off, flat
 * 32-bit code and data segments (the VMM's GDT), EBX = start info. */
static void boot_protected_mode(struct tcg_cpu *c, const struct sys_boot *b)
{
    struct x86_sys_state *s = &c->x.sys;
    s->cr0 = 0x11;                      /* PE|ET, as for KVM */
    s->cs = GDT_CODE32;
    s->ss = s->ds = s->es = s->fs_sel = s->gs_sel = GDT_DATA;
    s->gdt_base = LAYOUT_GDT;
    s->gdt_limit = 5 * 8 - 1;
    s->code32 = 1;
    s->apic_base = 0xfee00900ull;
    c->x.cpu.rt.pc = b->rip;
    c->x.cpu.regs[X86_RBX] = b->rbx;
}

static int tcg_vcpu_init(struct sys_vcpu *cpu)
{
    struct tcg_cpu *c = aligned_alloc(64, (sizeof(struct tcg_cpu) + 63) & ~63ul);
    if (!c) {
        sys_err("tcg: out of memory");
        return -1;
    }
    memset(c, 0, sizeof *c);
    cpu->accel = c;
    c->vcpu = cpu;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    c->sipi_vector = -1;
    fe_x86_64_system.reset(c);
    c->x.sys.hooks = &tcg_hooks;
    c->x.sys.apic_id = (uint64_t)cpu->index;
    c->x.sys.ncpus = (uint64_t)cpu->vm->ncpus;
    tcg_tlb_flush(c, 0, true);
    tcg_lapic_reset(c, cpu->index);
    struct sys_boot *b = &cpu->vm->boot;
    if (cpu->index == 0 && b->mode == BOOT_PROT32)
        boot_protected_mode(c, b);
    else if (cpu->index == 0 || b->all_cpus_start)
        boot_long_mode(c, b, cpu->index, cpu->vm->ncpus);
    else {
        c->wait_sipi = true;            /* a Linux AP: waits for INIT/SIPI */
        c->x.sys.apic_base = 0xfee00800ull;     /* enabled, not the BSP */
    }
    return 0;
}

/* ---- INIT and SIPI (SDM vol. 3, 9.1.1 and 10.4.7.3) ---- */

/* The state after INIT: real mode, CR0 = CD|NW|ET, flat 64 KiB segments
 * at 0, descriptor tables at 0 with limit 0xffff, registers zero; the
 * local APIC reset but for its ID, the APIC base MSR kept. */
static void reset_to_init_state(struct tcg_cpu *c)
{
    struct x86_sys_state *s = &c->x.sys;
    struct x86_sys_state keep = *s;
    memset(s, 0, sizeof *s);
    s->hooks = keep.hooks;
    s->apic_id = keep.apic_id;
    s->ncpus = keep.ncpus;
    s->apic_base = keep.apic_base;
    s->cr0 = 0x60000010ull;
    s->gdt_limit = s->idt_limit = 0xffff;
    s->code16 = 1;
    s->mode_changed = 1;
    memset(c->x.cpu.regs, 0, sizeof c->x.cpu.regs);
    c->x.cpu.fs_base = c->x.cpu.gs_base = 0;
    fe_x86_64_system.reset(c);
    tcg_tlb_flush(c, 0, true);
    pthread_mutex_lock(&c->lock);
    tcg_lapic_reset(c, c->vcpu->index);
    pthread_mutex_unlock(&c->lock);
}

/* A SIPI with vector v starts a vCPU waiting for one at v * 4096 in real
 * mode: CS = v << 8, IP = 0. */
static void start_at_sipi(struct tcg_cpu *c, int v)
{
    reset_to_init_state(c);
    c->wait_sipi = false;
    c->x.sys.cs = (uint64_t)v << 8;
    c->x.sys.seg_base[X86_SEG_CS] = (uint64_t)v << 12;
    c->x.cpu.rt.pc = (uint64_t)v << 12;
}

/* Applies the INIT and SIPI that other vCPUs sent (in that order); a
 * SIPI to a vCPU that is not waiting for one is ignored. */
static void take_init_sipi(struct tcg_cpu *c)
{
    if (!__atomic_load_n(&c->init_request, __ATOMIC_ACQUIRE)
        && __atomic_load_n(&c->sipi_vector, __ATOMIC_ACQUIRE) < 0)
        return;
    pthread_mutex_lock(&c->lock);
    bool init = c->init_request;
    int v = c->sipi_vector;
    c->init_request = false;
    c->sipi_vector = -1;
    pthread_mutex_unlock(&c->lock);
    if (init) {
        sys_debug(tcg_vm, "vCPU %d: INIT", c->vcpu->index);
        reset_to_init_state(c);
        c->wait_sipi = true;
    }
    if (v >= 0 && c->wait_sipi) {
        sys_debug(tcg_vm, "vCPU %d: SIPI, vector 0x%x", c->vcpu->index, v);
        start_at_sipi(c, v);
    }
}

/* ---- the run loop ---- */

/* A fetch that failed works now: the page was not present for a moment
 * (Linux migrating it leaves its PTE not present until the copy is done,
 * and the CPU that faults waits and runs the instruction again).  The
 * walk now would give a "present" error code, which the guest takes for
 * a protection fault (a SIGSEGV in a boot with a 300 us delay added to
 * each translation).  So the instruction runs again instead. */
static bool fetch_came_back(struct x86_sys_cpu *x)
{
    const struct tr_guest_mem *m = tcg_guest_mem();
    return m->fetchable(m, x->cpu.rt.pc, 16) == 16;
}

/* A contributory exception (#DE, #TS, #NP, #SS, #GP) or a #PF whose
 * delivery fails (a gate not present, beyond the IDT limit, a stack that
 * cannot be written) becomes #DF with error code 0 (Intel SDM vol. 3,
 * 6.15 table 6-5; every delivery failure counts as the contributory or
 * page fault it would raise).  A benign first exception (#UD, #BP, ...)
 * would take the second one serially; here it is still a triple fault. */
static bool double_fault(struct x86_sys_cpu *x, int first)
{
    bool escalates = first == X86_EXC_DE || first == X86_EXC_PF || (first >= 10 && first <= X86_EXC_GP);
    return escalates && x86_sys_deliver(x, X86_EXC_DF, true, 0);
}

/* Delivers the pending exception (or the one a user-mode exit code
 * stands for); false when the IDT cannot (a triple fault, here). */
static bool deliver_fault(struct tcg_cpu *c)
{
    struct x86_sys_cpu *x = &c->x;
    struct x86_sys_event ev = x->sys.event;
    x->sys.event.vector = -1;
    if (ev.vector < 0) {                /* SIGILL, SIGFPE, SIGTRAP, #GP from user-mode rows */
        ev.vector = (int32_t)x->cpu.rt.fault.trapno;
        ev.has_err = ev.vector == X86_EXC_GP || ev.vector == X86_EXC_PF;
        ev.soft = ev.vector == X86_EXC_BP;      /* int3 (1 byte): a software interrupt */
        ev.err = x->cpu.rt.fault.err;
        if (ev.vector == X86_EXC_PF && fetch_came_back(x)) {
            tr_invalidate_fetch(tcg_engine, x->cpu.rt.pc);     /* the block standing for it */
            x->cpu.rt.fault.err = x->cpu.rt.fault.trapno = 0;
            x->cpu.rt.fault.code = 0;
            return true;
        }
        if (ev.vector == X86_EXC_PF) {      /* a fetch fault: the walk says why */
            x->sys.cr2 = tcg_fetch_fault(x, x->cpu.rt.fault.addr, &ev.err);
            /* The block that stands for the fault must not outlive it:
             * the handler may map the page. */
            tr_invalidate_fetch(tcg_engine, x->sys.cr2);
        }
    }
    /* Consumed: a trap number or code stored by the translated code (an
     * icebp's #DB, an x87 #MF) stands for this exit only (user mode clears
     * them the same way in sys_cpu_loop.c). */
    x->cpu.rt.fault.err = x->cpu.rt.fault.trapno = 0;
    x->cpu.rt.fault.code = 0;
    sys_debug(tcg_vm, "vCPU %d: exception %d (error code 0x%llx) at RIP=0x%llx, CR2=0x%llx",
              c->vcpu->index, ev.vector, (unsigned long long)ev.err,
              (unsigned long long)x->cpu.rt.pc, (unsigned long long)x->sys.cr2);
    if (x86_sys_deliver_event(x, &ev) || double_fault(x, ev.vector))
        return true;
    sys_err("vCPU %d: guest exception %d (error code 0x%llx) at RIP=0x%llx cannot be delivered "
            "(IDT limit 0x%llx): triple fault, treated as reset", c->vcpu->index, ev.vector,
            (unsigned long long)ev.err, (unsigned long long)x->cpu.rt.pc,
            (unsigned long long)x->sys.idt_limit);
    return false;
}

/* An interrupt will be taken at rt.pc now: IF set, one pending, and the
 * vCPU running (after a hlt the flags are in env: its block stored them). */
static bool interrupt_due(struct tcg_cpu *c)
{
    if (!(c->x.cpu.eflags_rest & X86_EFLAGS_IF) || c->x.sys.halted)
        return false;
    return tcg_lapic_pending(c) >= 0 || (c->vcpu->index == 0 && tcg_pic_intr() && tcg_lapic_extint(c));
}

/* With IF set, the highest pending interrupt goes through the IDT (and
 * ends a hlt); true when the vCPU has something to run. */
static bool take_interrupt(struct tcg_cpu *c)
{
    if (!(c->x.cpu.eflags_rest & X86_EFLAGS_IF))
        return !c->x.sys.halted;
    int v = tcg_lapic_pending(c);
    if (v >= 0)
        tcg_lapic_accept(c, v);
    else if (c->vcpu->index == 0 && tcg_pic_intr() && tcg_lapic_extint(c))
        v = tcg_pic_ack();
    if (v < 0)
        return !c->x.sys.halted;
    c->x.sys.halted = 0;
    if (!x86_sys_deliver(&c->x, v, false, 0)) {
        sys_err("vCPU %d: interrupt vector %d at RIP=0x%llx cannot be delivered: triple fault, "
                "treated as reset", c->vcpu->index, v, (unsigned long long)c->x.cpu.rt.pc);
        sys_vm_stop(tcg_vm, STOP_RESET, 0);
        return false;
    }
    return true;
}

/* hlt: sleeps until something wakes the vCPU (an interrupt, a stop). */
static void wait_halted(struct tcg_cpu *c)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += 10 * 1000 * 1000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000;
    }
    /* Under the lock the raisers take to wake us: none is missed. */
    pthread_mutex_lock(&c->lock);
    bool pending = tcg_lapic_pending_locked(c) >= 0
                   || (c->vcpu->index == 0 && tcg_pic_intr() && tcg_lapic_extint_locked(c));
    pending = (pending && (c->x.cpu.eflags_rest & X86_EFLAGS_IF)) || c->init_request
              || c->sipi_vector >= 0;
    if (!sys_vm_stopping(tcg_vm) && !pending)
        pthread_cond_timedwait(&c->wake, &c->lock, &t);
    pthread_mutex_unlock(&c->lock);
}

/* Blocks are keyed by pc alone: when this vCPU's code changed between 16-,
 * 32- and 64-bit mode (a far jump at boot, a SIPI), or real mode's CS base
 * changed, the translations made before must not run.  16- and 32-bit
 * code lives below 4 GiB. */
static void drop_other_mode_blocks(struct tcg_cpu *c)
{
    if (!c->x.sys.mode_changed)
        return;
    c->x.sys.mode_changed = 0;
    tr_invalidate(tcg_engine, 0, 1ull << 32);
}

static void report_watchdog(struct tcg_cpu *c)
{
    struct x86_cpu *u = &c->x.cpu;
    sys_err("vCPU %d: stopped by the watchdog: guest RIP=0x%llx RSP=0x%llx%s", c->vcpu->index,
            (unsigned long long)u->rt.pc, (unsigned long long)u->regs[X86_RSP],
            c->x.sys.halted ? " (halted)" : "");
}

/* What tr_run's stop asks of the loop: a fault delivered through the IDT. */
static void after_run(struct tcg_cpu *c, enum tr_stop why)
{
    if (why == TR_STOP_FAULT && !deliver_fault(c)) {
        sys_vm_stop(tcg_vm, STOP_RESET, 0);
    } else if (why == TR_STOP_SYSCALL) {
        c->x.sys.event = (struct x86_sys_event){ X86_EXC_UD, 0, 0 };   /* syscall: not yet */
        if (!deliver_fault(c))
            sys_vm_stop(tcg_vm, STOP_RESET, 0);
    }
}

/* Before an interrupt: past an interrupt shadow, and the flags it pushes
 * exact (accel_tcg_settle.c); true when a step ran or stopped for
 * something the loop handles first. */
static bool settle_before_interrupt(struct tcg_cpu *c)
{
    enum tr_stop why;
    tcg_shadow_forget_past(c);
    if (!interrupt_due(c))
        return false;
    drop_other_mode_blocks(c);
    /* (a settle may end right after a mov ss: its shadow again) */
    if (!tcg_shadow_step(c, &why) && !tcg_settle(c, &why) && !tcg_shadow_step(c, &why))
        return false;
    after_run(c, why);
    return true;
}

static void tcg_vcpu_run(struct sys_vcpu *cpu)
{
    struct tcg_cpu *c = cpu->accel;
    struct sys_vm *vm = cpu->vm;
    tr_cpu_attach(tcg_engine, c);
    while (!sys_vm_stopping(vm)) {
        take_init_sipi(c);
        if (c->wait_sipi) {
            wait_halted(c);
            continue;
        }
        if (settle_before_interrupt(c))
            continue;
        if (!take_interrupt(c)) {
            wait_halted(c);
            continue;
        }
        drop_other_mode_blocks(c);
        after_run(c, tr_run(c));
    }
    if (vm->stop == STOP_TIMEOUT)
        report_watchdog(c);
}

/* ISA and PCI lines: the PIC's input and the IOAPIC pin of the same
 * number (as the MP table says); callers hold vm->dev_lock. */
static void tcg_irq_line(struct sys_vm *vm, unsigned irq, int level)
{
    tcg_pic_line(irq, level);
    tcg_ioapic_line(irq, level);
}

static void tcg_vcpu_kick(struct sys_vcpu *cpu)
{
    struct tcg_cpu *c = cpu->accel;
    if (!c)
        return;
    tr_interrupt(c);
    pthread_mutex_lock(&c->lock);
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

const struct sys_accel_ops sys_accel_tcg = {
    .name = "tcg", .init = tcg_init, .vcpu_init = tcg_vcpu_init, .vcpu_run = tcg_vcpu_run,
    .irq_line = tcg_irq_line, .vcpu_kick = tcg_vcpu_kick,
};
