/* x86_system.h -- the x86-64 guest as a whole machine (system mode, the
 * frontend fe_x86_64_system): the privileged CPU state next to the user
 * CPU state, the events the privileged instructions leave for the run
 * loop, and the hooks through which they reach the machine (ports, MSRs
 * of devices).  ferry-system's tcg accelerator owns the vCPU loop and
 * the software MMU; the frontend translates the instructions.
 */
#ifndef FERRY_X86_SYSTEM_H
#define FERRY_X86_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "x86_cpu.h"

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_PGE (1ull << 7)
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)
#define X86_EFLAGS_IF (1ull << 9)
#define X86_NO_SHADOW (~0ull)

/* Exception vectors. */
enum { X86_EXC_DE = 0, X86_EXC_DB = 1, X86_EXC_BP = 3, X86_EXC_UD = 6, X86_EXC_DF = 8,
       X86_EXC_NP = 11, X86_EXC_SS = 12, X86_EXC_GP = 13, X86_EXC_PF = 14 };

struct x86_sys_cpu;

/* What the privileged instructions need from the machine. */
struct x86_sys_hooks {
    uint64_t (*io_in)(struct x86_sys_cpu *c, uint16_t port, unsigned bytes);
    void (*io_out)(struct x86_sys_cpu *c, uint16_t port, unsigned bytes, uint64_t value);
    /* The paging state changed (CR0, CR3, CR4, EFER writes, invlpg):
     * drop cached translations of va (all of them when all is set). */
    void (*tlb_flush)(struct x86_sys_cpu *c, uint64_t va, bool all);
    /* Host address of guest virtual va for a supervisor access (RAM only),
     * valid to the end of its page; NULL when it does not translate. */
    void *(*virt_ptr)(struct x86_sys_cpu *c, uint64_t va, bool write);
    /* Optional: the vCPU has run pause at the same pc `streak` times in a
     * row (a spin loop: a lock or a flag another vCPU holds). */
    void (*spinning)(struct x86_sys_cpu *c, uint64_t streak);
};

/* An exception or interrupt the run loop must deliver through the IDT
 * (left by helpers and by int $n before they leave translated code; the
 * return address is rt.pc). */
struct x86_sys_event {
    int32_t vector;                     /* -1: none */
    uint32_t has_err;
    uint64_t err;
    uint64_t soft;                      /* int $n, int3: their length (the gate's DPL is
                                           checked; a #GP for it points at them) */
};

struct x86_sys_state {
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
    uint64_t gdt_base, idt_base;
    uint64_t gdt_limit, idt_limit;
    uint64_t cs, ss, tr, ldtr;                /* selectors (CS and SS checked against the GDT by
                                           far jumps, calls, lret and mov to ss) */
    uint64_t ds, es, fs_sel, gs_sel;    /* data selectors as last loaded (bases: fs_base,
                                           gs_base, from the GDT for fs and gs) */
    uint64_t code32;                    /* CS is a 32-bit code segment (protected or
                                           compatibility mode): blocks decode as 32-bit */
    uint64_t code16;                    /* real mode (after INIT/SIPI): 16-bit code, and
                                           es/cs/ss/ds have bases (selector << 4) */
    uint64_t seg_base[4];               /* real mode: es, cs, ss, ds bases (fs, gs:
                                           fs_base, gs_base) */
    uint64_t mode_changed;              /* code32, code16 or a real-mode CS base changed:
                                           the run loop drops the blocks below 4 GiB,
                                           translated in the other mode */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base, tsc_aux;
    uint64_t apic_base, pat, misc_enable;
    uint64_t apic_id;                   /* CPUID leaf 1 EBX[31:24] */
    uint64_t ncpus;                     /* the machine's vCPUs: one package of that many
                                           cores (CPUID leaves 1 and 4) */
    uint64_t halted;                    /* hlt: wait for an interrupt */
    uint64_t pause_pc, pause_streak;    /* the last pause, how often in a row */
    uint64_t shadow_pc;                 /* the instruction after an sti that set IF, a mov
                                           ss or a pop ss: no interrupt is taken before it
                                           has run (X86_NO_SHADOW: none) */
    uint64_t shadow_rcx;                /* RCX then: a rep string there that paused between
                                           pages has run (system/accel_tcg_settle.c) */
    struct x86_sys_event event;
    const struct x86_sys_hooks *hooks;
};

/* The env of a system-mode vCPU: the user CPU state first (the engine and
 * every user-mode helper see a struct x86_cpu). */
struct x86_sys_cpu {
    struct x86_cpu cpu;
    struct x86_sys_state sys;
};

/* Delivers vector v through the IDT (long mode), returning to rt.pc:
 * pushes SS, RSP, RFLAGS, CS, RIP and the error code, clears IF for an
 * interrupt gate.  Returns false when the IDT cannot deliver it (no gate,
 * not present, stack not writable): the caller escalates (#DF, shutdown). */
bool x86_sys_deliver(struct x86_sys_cpu *c, int vector, bool has_err, uint64_t err);
/* Delivers an event left in sys.event: int $n and int3 (soft) first pass
 * the gate's DPL check (DPL < CPL: #GP(vector * 8 + 2) instead, a fault
 * at the instruction: SDM "INT n"). */
bool x86_sys_deliver_event(struct x86_sys_cpu *c, const struct x86_sys_event *ev);

/* Exact RFLAGS in an interrupt frame (x86_translate.c; the tcg loop's
 * accel_tcg_settle.c): user mode's x86_async_flags_stale and
 * x86_async_step_kind (x86_cpu.h) in the vCPU's code size. */
bool x86_sys_async_flags_stale(struct x86_sys_cpu *c);
enum x86_step_kind x86_sys_async_step_kind(struct x86_sys_cpu *c);

/* Real mode: the segment register numbers of seg_base (the SDM's order). */
enum { X86_SEG_ES = 0, X86_SEG_CS = 1, X86_SEG_SS = 2, X86_SEG_DS = 3 };

/* Reads the 8-byte GDT descriptor of sel (the LDT is not supported);
 * false when sel is outside the GDT's limit or names the LDT. */
bool x86_sys_descriptor(struct x86_sys_cpu *c, uint64_t sel, uint64_t *desc);

/* Reads/writes guest memory at a virtual address for the system helpers
 * (hooks->virt_ptr, page by page); false if any of it is not mapped. */
bool x86_sys_read(struct x86_sys_cpu *c, uint64_t va, void *out, unsigned len);
bool x86_sys_write(struct x86_sys_cpu *c, uint64_t va, const void *in, unsigned len);

#endif
