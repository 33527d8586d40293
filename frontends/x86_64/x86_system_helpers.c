/* x86_system_helpers.c -- the C helpers behind the privileged
 * instructions of system mode (x86_system.c translates them into calls):
 * port I/O through the machine's hooks, control registers, MSRs, invlpg,
 * swapgs, popf and iretq with the privilege rules, syscall and sysretq,
 * the CPL 0 check, the machine's CPUID, and segments from the GDT (far
 * jmp/call/ret, segment register loads, verr/verw).  A helper that
 * faults leaves the exception in sys.event for the run loop and returns
 * from translated code with TR_EXIT_SIGSEGV at the instruction. */
#include <string.h>

#include "x86_internal.h"
#include "x86_system.h"

static struct x86_sys_cpu *sys_of(void *env) { return env; }
static bool cpl3(const struct x86_sys_cpu *c) { return (c->sys.cs & 3) == 3; }

/* ---- helpers (run on the vCPU's thread, env first) ---------------------- */

static _Noreturn void raise_event(struct x86_sys_cpu *c, int vector, bool has_err, uint64_t err,
                                  uint64_t pc)
{
    c->sys.event = (struct x86_sys_event){ vector, has_err, err };
    tr_raise(&c->cpu.rt, TR_EXIT_SIGSEGV, pc);
}


/* Privileged instructions at CPL 3 raise #GP(0) before doing anything
 * (in/out, cli, sti too: IOPL is 0 here, and no I/O bitmap is read). */
static uint64_t helper_cpl0(void *env, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (cpl3(c))
        raise_event(c, X86_EXC_GP, true, 0, pc);
    return 0;
}
const struct ir_helper x86_sys_helper_cpl0 = {
    (void *)helper_cpl0, "sys_cpl0", 1, 0, IR_HELPER_RW_GLOBALS };

/* syscall: RCX = next RIP, R11 = RFLAGS, RFLAGS &= ~SFMASK, CS/SS from
 * STAR[47:32], RIP = LSTAR, CPL 0 (#UD without EFER.SCE). */
static uint64_t helper_syscall(void *env, uint64_t pc, uint64_t next_pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (!(c->sys.efer & X86_EFER_SCE))
        raise_event(c, X86_EXC_UD, false, 0, pc);
    uint64_t flags = x86_get_eflags(&c->cpu);
    c->cpu.regs[X86_RCX] = next_pc;
    c->cpu.regs[X86_R11] = flags;
    x86_set_eflags(&c->cpu, (flags & ~c->sys.sfmask & ~0x10000ull) | 2);
    c->sys.cs = (c->sys.star >> 32) & 0xfffc;
    c->sys.ss = c->sys.cs + 8;
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, c->sys.lstar);
}
const struct ir_helper x86_sys_helper_syscall = {
    (void *)helper_syscall, "sys_syscall", 2, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* sysretq: RIP = RCX, RFLAGS = R11, CS/SS from STAR[63:48], CPL 3. */
static uint64_t helper_sysret(void *env, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (!(c->sys.efer & X86_EFER_SCE))
        raise_event(c, X86_EXC_UD, false, 0, pc);
    if (cpl3(c) || (c->cpu.regs[X86_RCX] >> 47 != 0 && c->cpu.regs[X86_RCX] >> 47 != 0x1ffff))
        raise_event(c, X86_EXC_GP, true, 0, pc);
    uint64_t base = (c->sys.star >> 48) & 0xffff;
    x86_set_eflags(&c->cpu, (c->cpu.regs[X86_R11] & 0x3c7fd7) | 2);
    c->sys.cs = (base + 16) | 3;
    c->sys.ss = (base + 8) | 3;
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, c->cpu.regs[X86_RCX]);
}
const struct ir_helper x86_sys_helper_sysret = {
    (void *)helper_sysret, "sys_sysret", 1, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

static uint64_t helper_io(void *env, uint64_t port, uint64_t bytes, uint64_t out, uint64_t value)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (out) {
        c->sys.hooks->io_out(c, (uint16_t)port, (unsigned)bytes, value);
        return 0;
    }
    return c->sys.hooks->io_in(c, (uint16_t)port, (unsigned)bytes);
}
const struct ir_helper x86_sys_helper_io = { (void *)helper_io, "sys_io", 4, 1, 0 };

static uint64_t helper_write_cr(void *env, uint64_t n, uint64_t v, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    switch (n) {
    case 0: c->sys.cr0 = v | 0x10; break;          /* ET is hard-wired */
    case 2: c->sys.cr2 = v; return 0;
    case 3: c->sys.cr3 = v; break;
    case 4: c->sys.cr4 = v; break;
    case 8: c->sys.cr8 = v & 15; return 0;
    default: raise_event(c, X86_EXC_UD, false, 0, pc);
    }
    if ((c->sys.cr0 & X86_CR0_PG) && (c->sys.efer & X86_EFER_LME))
        c->sys.efer |= X86_EFER_LMA;
    c->sys.hooks->tlb_flush(c, 0, true);
    return 0;
}
const struct ir_helper x86_sys_helper_write_cr = {
    (void *)helper_write_cr, "sys_write_cr", 3, 0, IR_HELPER_RW_GLOBALS };

static uint64_t helper_read_cr(void *env, uint64_t n, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    switch (n) {
    case 0: return c->sys.cr0;
    case 2: return c->sys.cr2;
    case 3: return c->sys.cr3;
    case 4: return c->sys.cr4;
    case 8: return c->sys.cr8;
    default: raise_event(c, X86_EXC_UD, false, 0, pc);
    }
}
const struct ir_helper x86_sys_helper_read_cr = {
    (void *)helper_read_cr, "sys_read_cr", 2, 1, IR_HELPER_RW_GLOBALS };

/* The MSRs the tiny guests and Linux's early boot touch, by number. */
static uint64_t *msr_slot(struct x86_sys_cpu *c, uint32_t msr)
{
    switch (msr) {
    case 0x1b: return &c->sys.apic_base;
    case 0x1a0: return &c->sys.misc_enable;
    case 0x277: return &c->sys.pat;
    case 0xc0000080: return &c->sys.efer;
    case 0xc0000081: return &c->sys.star;
    case 0xc0000082: return &c->sys.lstar;
    case 0xc0000083: return &c->sys.cstar;
    case 0xc0000084: return &c->sys.sfmask;
    case 0xc0000100: return &c->cpu.fs_base;
    case 0xc0000101: return &c->cpu.gs_base;
    case 0xc0000102: return &c->sys.kernel_gs_base;
    case 0xc0000103: return &c->sys.tsc_aux;
    default: return NULL;
    }
}

/* IA32_ARCH_CAPABILITIES (MSR 0x10a, CPUID.7.0:EDX[29]): the CPU a tcg
 * guest runs on is ferry's translator, which has none of the transient-
 * execution flaws Linux would otherwise mitigate for this CPU model (page
 * table isolation, buffer clearing, and a RETBleed warning at boot):
 * RDCL_NO, SKIP_L1DFL_VMENTRY, SSB_NO, MDS_NO, IF_PSCHANGE_MC_NO, TAA_NO,
 * SBDR_SSDP_NO, FBSDP_NO, PSDP_NO, BHI_NO, PBRSB_NO, GDS_NO, RFDS_NO,
 * ITS_NO (bit numbers from Linux's msr-index.h / the SDM). */
#define ARCH_CAPABILITIES_TCG ((1ull << 0) | (1ull << 3) | (1ull << 4) | (1ull << 5) | (1ull << 6) \
                               | (1ull << 8) | (1ull << 13) | (1ull << 14) | (1ull << 15)         \
                               | (1ull << 20) | (1ull << 24) | (1ull << 26) | (1ull << 27)        \
                               | (1ull << 62))

static uint64_t helper_rdmsr(void *env, uint64_t msr, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if ((uint32_t)msr == 0x10a)
        return ARCH_CAPABILITIES_TCG;
    if ((uint32_t)msr == 0x3b)                      /* TSC_ADJUST: the TSC is not offset */
        return 0;
    if ((uint32_t)msr == 0x10)                      /* TSC */
        return x86_helper_rdtsc.fn ? ((uint64_t (*)(void *))x86_helper_rdtsc.fn)(env) : 0;
    if ((uint32_t)msr == 0x8b)                      /* microcode revision: none */
        return 0;
    uint64_t *slot = msr_slot(c, (uint32_t)msr);
    if (!slot)
        raise_event(c, X86_EXC_GP, true, 0, pc);
    return *slot;
}
const struct ir_helper x86_sys_helper_rdmsr = {
    (void *)helper_rdmsr, "sys_rdmsr", 2, 1, IR_HELPER_RW_GLOBALS };

static uint64_t helper_wrmsr(void *env, uint64_t msr, uint64_t v, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t *slot = msr_slot(c, (uint32_t)msr);
    if ((uint32_t)msr == 0x10 || (uint32_t)msr == 0x8b)
        return 0;                                   /* TSC, microcode revision: ignored */
    if ((uint32_t)msr == 0x3b && v)                 /* TSC_ADJUST: only 0 (the TSC is */
        raise_event(c, X86_EXC_GP, true, 0, pc);    /* the host clock's, never offset) */
    if ((uint32_t)msr == 0x3b)
        return 0;
    if (!slot)
        raise_event(c, X86_EXC_GP, true, 0, pc);
    if ((uint32_t)msr == 0xc0000080)                /* EFER: LMA follows LME with paging */
        v = (v & ~X86_EFER_LMA) | (c->sys.efer & X86_EFER_LMA);
    *slot = v;
    if ((uint32_t)msr == 0xc0000080)
        c->sys.hooks->tlb_flush(c, 0, true);
    return 0;
}
const struct ir_helper x86_sys_helper_wrmsr = {
    (void *)helper_wrmsr, "sys_wrmsr", 3, 0, IR_HELPER_RW_GLOBALS };

static uint64_t helper_invlpg(void *env, uint64_t va)
{
    struct x86_sys_cpu *c = sys_of(env);
    c->sys.hooks->tlb_flush(c, va, false);
    return 0;
}
const struct ir_helper x86_sys_helper_invlpg = { (void *)helper_invlpg, "sys_invlpg", 1, 0, 0 };

static uint64_t helper_swapgs(void *env)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t t = c->cpu.gs_base;
    c->cpu.gs_base = c->sys.kernel_gs_base;
    c->sys.kernel_gs_base = t;
    return 0;
}
const struct ir_helper x86_sys_helper_swapgs = {
    (void *)helper_swapgs, "sys_swapgs", 0, 0, IR_HELPER_RW_GLOBALS };

/* Every flag, IF included (CPL 0); back to the loop, which may now
 * deliver a pending interrupt. */
static uint64_t helper_popf(void *env, uint64_t v, uint64_t next_pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t keep = cpl3(c) ? X86_EFLAGS_IF | 0x3000 : 0;     /* IF, IOPL: CPL 0 only */
    v = (v & 0x3f7fd7 & ~keep) | (x86_get_eflags(&c->cpu) & keep);
    x86_set_eflags(&c->cpu, v | 2);
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, next_pc);
}
const struct ir_helper x86_sys_helper_popf = {
    (void *)helper_popf, "sys_popf", 2, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* iretq to the same privilege level: RIP, CS, RFLAGS, RSP, SS. */
static uint64_t helper_iretq(void *env, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t f[5];
    if (!x86_sys_read(c, c->cpu.regs[X86_RSP], f, sizeof f)
        || (cpl3(c) && (f[1] & 3) != 3))           /* no way up from CPL 3 */
        raise_event(c, X86_EXC_GP, true, f[1] & 0xfffc, pc);
    uint64_t keep = cpl3(c) ? X86_EFLAGS_IF | 0x3000 : 0;
    uint64_t flags = (f[2] & 0x3f7fd7 & ~keep) | (x86_get_eflags(&c->cpu) & keep);
    c->sys.cs = f[1] & 0xffff;
    x86_set_eflags(&c->cpu, flags | 2);
    c->cpu.regs[X86_RSP] = f[3];
    c->sys.ss = f[4] & 0xffff;
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, f[0]);
}
const struct ir_helper x86_sys_helper_iretq = {
    (void *)helper_iretq, "sys_iretq", 1, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* ---- CPUID of a whole machine ---- */

#define CPUID1_EDX_SYSTEM ((1u << 3) | (1u << 5) | (1u << 6) | (1u << 9) | (1u << 13) | (1u << 16) \
                           | (1u << 19))    /* PSE MSR PAE APIC PGE PAT CLFSH */
#define CPUID1_ECX_XSAVE ((1u << 26) | (1u << 27) | (1u << 28) | (1u << 12) | (1u << 29))
                                            /* XSAVE OSXSAVE AVX FMA F16C: xsetbv is not
                                               translated in system mode */
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_HTT (1u << 28)           /* leaf 1 EBX[23:16] counts logical CPUs */
#define CPUID7_EDX_ARCH_CAPABILITIES (1u << 29)   /* MSR 0x10a (helper_rdmsr) */
#define CPUID8_EBX_BTC_NO (1u << 29)        /* no branch type confusion: no RETBleed */
/* The TSC is the host's monotonic clock at 1 GHz: constant rate, never
 * stopped, the same on every vCPU.  With TSC_ADJUST (MSR 0x3b, always 0)
 * Linux then trusts it without a clocksource watchdog, which under a
 * slow translator would compare it with a late timer tick and mark it
 * unstable. */
#define CPUID7_EBX_TSC_ADJUST (1u << 1)
#define CPUID7_EDX_INVARIANT_TSC (1u << 8)  /* leaf 0x80000007 */
#define TSC_CRYSTAL_HZ 100000000u           /* the local APIC timer's clock (accel_tcg_apic.c) */

/* User mode's CPUID (the same CPU model), plus what an operating system
 * needs to see: the paging and APIC features system mode implements, the
 * vCPU's APIC ID, the hypervisor bit, and the TSC (1 GHz, x86_helpers.c;
 * invariant)
 * as 10 x a 100 MHz crystal in leaves 0x15/0x16 (Linux then needs no PIT
 * calibration and takes the crystal as the APIC timer's rate). */
/* The vCPUs are the cores of one package (a power of two of them, as
 * APIC IDs count): Linux then sees them as siblings and takes the boot
 * CPU's delay-loop calibration for the others instead of timing each
 * AP's loop, which under a translator fails with a warning. */
static uint32_t package_cores(const struct x86_sys_cpu *c)
{
    uint32_t n = 1;
    while (n < c->sys.ncpus && n < 128)
        n *= 2;
    return n;
}

static void sys_cpuid(const struct x86_sys_cpu *c, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    x86_cpuid_query(leaf, sub, r);
    switch (leaf) {
    case 0: r[0] = 0x16; break;
    case 1:
        r[1] = (r[1] & 0xffff) | package_cores(c) << 16 | (uint32_t)c->sys.apic_id << 24;
        r[2] = (r[2] & ~CPUID1_ECX_XSAVE) | CPUID1_ECX_HYPERVISOR;
        r[3] |= CPUID1_EDX_SYSTEM | (package_cores(c) > 1 ? CPUID1_EDX_HTT : 0);
        break;
    case 4:
        if (r[0] & 0x1f)                            /* a cache: cores per package - 1 */
            r[0] = (r[0] & 0x03ffffffu) | (package_cores(c) - 1) << 26;
        break;
    case 7:
        if (!sub) {
            r[1] = (r[1] & ~(1u << 5)) | CPUID7_EBX_TSC_ADJUST;    /* no AVX2 */
            r[3] |= CPUID7_EDX_ARCH_CAPABILITIES;
        }
        break;
    case 0x80000007: r[3] |= CPUID7_EDX_INVARIANT_TSC; break;
    case 0x80000008: r[1] |= CPUID8_EBX_BTC_NO; break;
    case 0xd: r[0] = r[1] = r[2] = r[3] = 0; break;
    case 0x15: r[0] = 1; r[1] = 10; r[2] = TSC_CRYSTAL_HZ; r[3] = 0; break;
    case 0x16: r[0] = r[1] = 1000; r[2] = 100; r[3] = 0; break;
    }
}

static uint64_t helper_sys_cpuid(void *env)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint32_t r[4];
    sys_cpuid(c, (uint32_t)c->cpu.regs[X86_RAX], (uint32_t)c->cpu.regs[X86_RCX], r);
    c->cpu.regs[X86_RAX] = r[0]; c->cpu.regs[X86_RBX] = r[1];
    c->cpu.regs[X86_RCX] = r[2]; c->cpu.regs[X86_RDX] = r[3];
    return 0;
}
const struct ir_helper x86_sys_helper_cpuid = {
    (void *)helper_sys_cpuid, "sys_cpuid", 0, 0, IR_HELPER_RW_GLOBALS };

/* pause: a spin-wait hint.  Every 256th in a row at one pc tells the
 * machine, which lets the vCPU holding the lock (a host thread that may be
 * translating, or waiting for a host CPU) run instead of this one. */
static uint64_t helper_pause(void *env, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (c->sys.pause_pc != pc) {
        c->sys.pause_pc = pc;
        c->sys.pause_streak = 0;
    }
    if (++c->sys.pause_streak % 256 == 0 && c->sys.hooks->spinning)
        c->sys.hooks->spinning(c, c->sys.pause_streak);
    return 0;
}
const struct ir_helper x86_sys_helper_pause = { (void *)helper_pause, "sys_pause", 1, 0, 0 };

/* ---- code and data segments from the GDT (SDM vol. 2, JMP, CALL, RET,
 * MOV: the protected-mode checks of a far transfer to a code segment
 * and of a segment register load) ---- */

#define DESC_P (1ull << 47)
#define DESC_S (1ull << 44)                 /* code or data (not a system descriptor) */
#define DESC_CODE (1ull << 43)
#define DESC_CONFORMING (1ull << 42)        /* code: conforming; data: expand-down */
#define DESC_RW (1ull << 41)                /* code: readable; data: writable */
#define DESC_L (1ull << 53)
#define DESC_D (1ull << 54)

static unsigned desc_dpl(uint64_t d) { return (unsigned)(d >> 45) & 3; }
static unsigned cpl_of(const struct x86_sys_cpu *c) { return (unsigned)c->sys.cs & 3; }

static uint64_t desc_base(uint64_t d)
{
    return ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24;
}

/* The code segment a far jmp/call/ret names, checked as the SDM says for
 * a same-level transfer (call gates and task switches: #GP). */
static uint64_t code_descriptor(struct x86_sys_cpu *c, uint64_t sel, uint64_t pc)
{
    uint64_t d;
    if (!(sel & 0xfffc))
        raise_event(c, X86_EXC_GP, true, 0, pc);
    if (!x86_sys_descriptor(c, sel, &d) || (d & (DESC_S | DESC_CODE)) != (DESC_S | DESC_CODE))
        raise_event(c, X86_EXC_GP, true, sel & 0xfffc, pc);
    bool ok = (d & DESC_CONFORMING) ? desc_dpl(d) <= cpl_of(c)
                                    : (sel & 3) <= cpl_of(c) && desc_dpl(d) == cpl_of(c);
    if (!ok || ((c->sys.efer & X86_EFER_LMA) && (d & DESC_L) && (d & DESC_D)))
        raise_event(c, X86_EXC_GP, true, sel & 0xfffc, pc);
    if (!(d & DESC_P))
        raise_event(c, X86_EXC_NP, true, sel & 0xfffc, pc);
    if (!(d & DESC_L) && !(d & DESC_D))         /* 16-bit code: not emulated */
        raise_event(c, X86_EXC_GP, true, sel & 0xfffc, pc);
    return d;
}

/* Loads CS (the level stays) and the code mode it selects; the run loop
 * drops the other mode's blocks, then continues at rip. */
static _Noreturn void enter_code(struct x86_sys_cpu *c, uint64_t sel, uint64_t d, uint64_t rip)
{
    bool code32 = !((c->sys.efer & X86_EFER_LMA) && (d & DESC_L));
    c->sys.cs = (sel & 0xfffc) | cpl_of(c);
    if (code32 != (c->sys.code32 != 0) || c->sys.code16)
        c->sys.mode_changed = 1;
    c->sys.code32 = code32;
    c->sys.code16 = 0;
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, code32 ? rip & 0xffffffffull : rip);
}

static bool canonical(uint64_t va) { return (uint64_t)((int64_t)(va << 16) >> 16) == va; }

static void check_target(struct x86_sys_cpu *c, uint64_t d, uint64_t rip, uint64_t pc)
{
    bool long64 = (c->sys.efer & X86_EFER_LMA) && (d & DESC_L);
    if (long64 ? !canonical(rip) : rip > 0xffffffffull)
        raise_event(c, X86_EXC_GP, true, 0, pc);
}

static bool real_mode(const struct x86_sys_cpu *c) { return !(c->sys.cr0 & X86_CR0_PE); }

/* Real mode: a segment register holds a selector, its base is
 * selector << 4 (no descriptor). */
static void load_real_mode_seg(struct x86_sys_cpu *c, uint64_t seg, uint64_t sel)
{
    uint64_t base = (sel & 0xffff) << 4;
    if (seg == 4)
        c->cpu.fs_base = base, c->sys.fs_sel = sel;
    else if (seg == 5)
        c->cpu.gs_base = base, c->sys.gs_sel = sel;
    else if (seg == X86_SEG_CS)
        c->sys.cs = sel;
    else
        *(seg == X86_SEG_ES ? &c->sys.es : seg == X86_SEG_SS ? &c->sys.ss : &c->sys.ds) = sel;
    if (seg < 4)
        c->sys.seg_base[seg] = base;
}

/* Real mode's far jmp (still 16-bit code): blocks translated for another
 * CS base hold other pcs, so a new base drops them. */
static _Noreturn void real_mode_jmp(struct x86_sys_cpu *c, uint64_t sel, uint64_t ip)
{
    if ((sel & 0xffff) << 4 != c->sys.seg_base[X86_SEG_CS])
        c->sys.mode_changed = 1;
    load_real_mode_seg(c, X86_SEG_CS, sel & 0xffff);
    tr_raise(&c->cpu.rt, TR_EXIT_REQUEST, c->sys.seg_base[X86_SEG_CS] + ip);
}

static uint64_t helper_far_jmp(void *env, uint64_t sel, uint64_t rip, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    if (real_mode(c))
        real_mode_jmp(c, sel, rip);
    uint64_t d = code_descriptor(c, sel, pc);
    check_target(c, d, rip, pc);
    enter_code(c, sel, d, rip);
}
const struct ir_helper x86_sys_helper_far_jmp = {
    (void *)helper_far_jmp, "sys_far_jmp", 3, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* Pushes CS, then the return RIP, `word` bytes each. */
static uint64_t helper_far_call(void *env, uint64_t sel, uint64_t rip, uint64_t word, uint64_t pc,
                                uint64_t next_pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t d = code_descriptor(c, sel, pc);
    check_target(c, d, rip, pc);
    uint64_t sp = c->cpu.regs[X86_RSP] - 2 * word;
    uint64_t frame[2] = { next_pc, c->sys.cs }, slots = 0;
    uint8_t bytes[16];
    for (int i = 0; i < 2; i++, slots += word)
        memcpy(bytes + slots, &frame[i], (size_t)word);
    if (!x86_sys_write(c, sp, bytes, (unsigned)(2 * word)))
        raise_event(c, X86_EXC_SS, true, 0, pc);
    c->cpu.regs[X86_RSP] = sp;
    enter_code(c, sel, d, rip);
}
const struct ir_helper x86_sys_helper_far_call = {
    (void *)helper_far_call, "sys_far_call", 5, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* lret/lretq to the same privilege level (what kernels use to reload CS
 * after lgdt): RIP, then CS, of `bytes` each, then imm16 more bytes. */
static uint64_t helper_lret(void *env, uint64_t bytes, uint64_t extra, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t f[2] = { 0, 0 };
    uint64_t sp = c->cpu.regs[X86_RSP];
    if (!x86_sys_read(c, sp, &f[0], (unsigned)bytes) || !x86_sys_read(c, sp + bytes, &f[1], (unsigned)bytes)
        || (f[1] & 3) != (c->sys.cs & 3))        /* to another level: not supported */
        raise_event(c, X86_EXC_GP, true, f[1] & 0xfffc, pc);
    uint64_t d = code_descriptor(c, f[1] & 0xffff, pc);
    check_target(c, d, f[0], pc);
    c->cpu.regs[X86_RSP] = sp + 2 * bytes + extra;
    enter_code(c, f[1] & 0xffff, d, f[0]);
}
const struct ir_helper x86_sys_helper_lret = {
    (void *)helper_lret, "sys_lret", 3, 0, IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN };

/* mov to ss: a writable data segment at CPL = RPL = DPL (#SS if absent);
 * in 64-bit mode a null SS is allowed below CPL 3 with RPL = CPL. */
static void check_ss(struct x86_sys_cpu *c, uint64_t sel, uint64_t d, uint64_t pc)
{
    unsigned cpl = cpl_of(c);
    if ((sel & 3) != cpl || (d & (DESC_S | DESC_CODE | DESC_RW)) != (DESC_S | DESC_RW)
        || desc_dpl(d) != cpl)
        raise_event(c, X86_EXC_GP, true, sel & 0xfffc, pc);
    if (!(d & DESC_P))
        raise_event(c, X86_EXC_SS, true, sel & 0xfffc, pc);
}

/* mov to ds/es/fs/gs: data or readable code; for data and non-conforming
 * code RPL and CPL at most DPL (#NP if absent). */
static void check_data(struct x86_sys_cpu *c, uint64_t sel, uint64_t d, uint64_t pc)
{
    bool code = d & DESC_CODE;
    if (!(d & DESC_S) || (code && !(d & DESC_RW))
        || ((!code || !(d & DESC_CONFORMING))
            && ((sel & 3) > desc_dpl(d) || cpl_of(c) > desc_dpl(d))))
        raise_event(c, X86_EXC_GP, true, sel & 0xfffc, pc);
    if (!(d & DESC_P))
        raise_event(c, X86_EXC_NP, true, sel & 0xfffc, pc);
}

static uint64_t *seg_selector(struct x86_sys_cpu *c, uint64_t seg)
{
    switch (seg) {
    case 0: return &c->sys.es;
    case 2: return &c->sys.ss;
    case 3: return &c->sys.ds;
    case 4: return &c->sys.fs_sel;
    default: return &c->sys.gs_sel;
    }
}

/* A null selector loads nothing else (fs/gs keep their bases, as on AMD
 * processors; SS only as check_ss allows). */
static uint64_t helper_load_seg(void *env, uint64_t seg, uint64_t sel, uint64_t pc)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t d = 0;
    sel &= 0xffff;
    if (real_mode(c)) {
        load_real_mode_seg(c, seg, sel);
        return 0;
    }
    bool null = !(sel & 0xfffc);
    if (null && seg == 2 && (!(c->sys.efer & X86_EFER_LMA) || c->sys.code32
                             || cpl_of(c) == 3 || (sel & 3) != cpl_of(c)))
        raise_event(c, X86_EXC_GP, true, 0, pc);
    if (!null && !x86_sys_descriptor(c, sel, &d))
        raise_event(c, X86_EXC_GP, true, sel & 0xfffc, pc);
    if (!null && seg == 2)
        check_ss(c, sel, d, pc);
    else if (!null)
        check_data(c, sel, d, pc);
    *seg_selector(c, seg) = sel;
    if (!null && seg == 4)
        c->cpu.fs_base = desc_base(d);
    if (!null && seg == 5)
        c->cpu.gs_base = desc_base(d);
    return 0;
}
const struct ir_helper x86_sys_helper_load_seg = {
    (void *)helper_load_seg, "sys_load_seg", 3, 0, IR_HELPER_RW_GLOBALS };

/* verr/verw: 1 when sel names a segment readable (verr: data, or readable
 * code) or writable (verw: writable data) from CPL and its RPL; never
 * faults (SDM vol. 2, VERR/VERW). */
static uint64_t helper_verify_seg(void *env, uint64_t sel, uint64_t write)
{
    struct x86_sys_cpu *c = sys_of(env);
    uint64_t d;
    if (!(sel & 0xfffc) || !x86_sys_descriptor(c, sel, &d) || !(d & DESC_S))
        return 0;
    bool code = d & DESC_CODE;
    if (write ? code || !(d & DESC_RW) : code && !(d & DESC_RW))
        return 0;
    if ((!code || !(d & DESC_CONFORMING)) && (desc_dpl(d) < cpl_of(c) || desc_dpl(d) < (sel & 3)))
        return 0;
    return 1;
}
const struct ir_helper x86_sys_helper_verify_seg = {
    (void *)helper_verify_seg, "sys_verify_seg", 2, 1, IR_HELPER_RW_GLOBALS };
