/* accel_tcg.h -- private to the tcg accelerator (accel_tcg*.c): a vCPU on
 * ferry's translator, and the software MMU it reaches memory through. */
#ifndef SYS_ACCEL_TCG_H
#define SYS_ACCEL_TCG_H

#include "accel.h"
#include "guest_mem.h"
#include "translator.h"
#include "x86_system.h"

/* A local APIC (accel_tcg_apic.c); under its vCPU's lock. */
struct tcg_lapic {
    uint32_t id, tpr, svr, ldr, dfr, esr, icr_lo, icr_hi;
    uint32_t lvt[6];                    /* timer, thermal, perf, LINT0, LINT1, error */
    uint32_t timer_init, timer_div;     /* divide configuration register */
    uint32_t irr[8], isr[8];
    uint64_t timer_start_ns, timer_deadline_ns;     /* deadline 0: not counting */
};

/* The software TLB (accel_tcg_mmu.c): guest virtual page -> host page of
 * guest RAM, direct-mapped, one array per access kind, a quarter of each
 * per CPL (the rights differ): slot (CPL << TCG_TLB_BITS) | page number
 * mod TCG_TLB_PAGES.  The tag is the page address, the addend takes a
 * virtual address in the page to its host address.  Translated code
 * probes it inline (guest_mem.h struct tr_softmmu_tlb).  An empty slot's
 * tag is a page that never maps to it (tcg_tlb_empty). */
#define TCG_TLB_BITS 8
#define TCG_TLB_PAGES (1 << TCG_TLB_BITS)
#define TCG_TLB_SIZE (4 << TCG_TLB_BITS)
struct tcg_tlb_entry {
    uint64_t tag;
    uint64_t addend;                    /* host address - virtual address */
};

struct tcg_cpu {
    struct x86_sys_cpu x;               /* the env: first */
    struct tcg_tlb_entry tlb_read[TCG_TLB_SIZE], tlb_write[TCG_TLB_SIZE];
    /* A slow-path access that is not one RAM access (MMIO, a page
     * crossing): its loaded bytes, or where translated code's store goes
     * after the slow path made it. */
    uint8_t bounce[16] __attribute__((aligned(16)));
    struct sys_vcpu *vcpu;
    pthread_mutex_t lock;               /* guards apic and the wake-up below */
    pthread_cond_t wake;                /* hlt waits here for an interrupt or a stop */
    struct tcg_lapic apic;
    /* INIT and SIPI IPIs (under lock): the vCPU's own thread applies them. */
    bool init_request;                  /* an INIT arrived: reset, then wait for a SIPI */
    int sipi_vector;                    /* a SIPI's vector arrived (-1: none) */
    bool wait_sipi;                     /* after INIT: only a SIPI starts the vCPU */
    /* The code epoch (guest_mem.h code_epoch): a value no vCPU had
     * before, taken anew when this vCPU's TLB is flushed or a tracked code
     * page was written (code_writes moved on since seen_writes). */
    uint64_t code_epoch, seen_writes;
};

static inline struct tcg_cpu *tcg_cpu_of(void *env) { return env; }

/* accel_tcg_codewatch.c: write tracking of RAM pages that hold code. */
void tcg_codewatch_init(struct sys_vm *vm);
uint64_t tcg_codewatch_version(const uint8_t *h, bool track);
extern uint64_t tcg_code_writes;        /* writes to tracked pages so far */
uint64_t tcg_code_epoch(struct tcg_cpu *c);
void tcg_code_epoch_renew(struct tcg_cpu *c);
void tcg_codewatch_release(void *h, size_t len);
/* A vCPU is about to write the RAM page holding h (a write TLB entry was
 * just filled for it, or a C access): the page's tracking ends. */
void tcg_codewatch_write(const void *h);

/* accel_tcg_mmu.c: guest memory for the engine (TR_MEM_SOFTMMU) and the
 * page walk behind it and behind the frontend's virt_ptr hook. */
extern struct sys_vm *tcg_vm;
const struct tr_guest_mem *tcg_guest_mem(void);
void *tcg_virt_ptr(struct x86_sys_cpu *c, uint64_t va, bool write);
uint64_t tcg_fetch_fault(struct x86_sys_cpu *c, uint64_t va, uint64_t *err);
/* Drops the TLB entries of va's page, or all of them. */
void tcg_tlb_flush(struct tcg_cpu *c, uint64_t va, bool all);
/* Drops every vCPU's write entries that lead into [h, h+len) of RAM. */
void tcg_tlb_drop_writes(const uint8_t *h, uint64_t len);

/* accel_tcg_pic.c: the 8259 pair and ELCR (lines under vm->dev_lock). */
int tcg_pic_init(struct sys_vm *vm);
void tcg_pic_line(unsigned irq, int level);
bool tcg_pic_intr(void);                /* INTR is up (read without the lock: a hint) */
int tcg_pic_ack(void);                  /* INTA: the vector, or -1 */
/* Wakes a vCPU to look for interrupts (takes its lock). */
void tcg_cpu_wake(struct tcg_cpu *c);

/* accel_tcg_apic.c: the IOAPIC (under vm->dev_lock) and local APICs. */
int tcg_apic_init(struct sys_vm *vm);
void tcg_lapic_reset(struct tcg_cpu *c, int index);
void tcg_ioapic_line(unsigned pin, int level);
void tcg_lapic_mmio(struct tcg_cpu *c, uint64_t off, void *data, unsigned n, bool write);
int tcg_lapic_pending(struct tcg_cpu *c);           /* vector to take, or -1 */
bool tcg_lapic_extint(struct tcg_cpu *c);          /* LINT0 takes the 8259's INTR */
int tcg_lapic_pending_locked(struct tcg_cpu *c);    /* the same, c->lock held */
bool tcg_lapic_extint_locked(struct tcg_cpu *c);
void tcg_lapic_accept(struct tcg_cpu *c, int vector);
void tcg_lapic_raise(struct tcg_cpu *c, int vector);
/* INIT (sipi_vector < 0) or a SIPI with its vector, for c's thread. */
void tcg_cpu_init_sipi(struct tcg_cpu *c, int sipi_vector);
/* The timer thread: fires expired local APIC timers, returns the next
 * deadline (ns, CLOCK_MONOTONIC; 0: none). */
uint64_t tcg_lapic_timers(uint64_t now);
uint64_t tcg_now_ns(void);
struct tcg_cpu *tcg_cpu_index(int index);

/* accel_tcg_settle.c: before an interrupt is taken at rt.pc, steps to
 * the first instruction that writes every flag when the flags in env may
 * be older than the CPU's there.  False, or true with *stop what a step
 * did instead of finishing (a fault to deliver first: handle it as
 * tr_run's stop). */
bool tcg_settle(struct tcg_cpu *c, enum tr_stop *stop);
/* ... and, at the instruction in an interrupt shadow (after sti, mov ss,
 * pop ss), runs it first: true when it did (*stop: how that run ended,
 * for the loop to handle; look again before taking the interrupt). */
bool tcg_shadow_step(struct tcg_cpu *c, enum tr_stop *stop);
/* Forgets a shadow the vCPU has left (rt.pc elsewhere): at each turn. */
void tcg_shadow_forget_past(struct tcg_cpu *c);

/* accel_tcg_pit.c: the 8254 PIT and the thread that runs every timer. */
int tcg_pit_init(struct sys_vm *vm);
void tcg_timer_kick(void);              /* a deadline moved earlier */

#endif
