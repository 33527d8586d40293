/* sys_sigframe.c -- the x86-64 signal frame, as the kernel builds it:
 *
 *   rsp -> pretcode (sa_restorer: glibc's __restore_rt calls rt_sigreturn)
 *          struct ucontext   (flags, link, stack, sigcontext, sigmask)
 *          struct siginfo
 *          ... the XSAVE area (uc_mcontext.fpstate points here, 64-byte
 *              aligned), the interrupted FP state; the handler starts with
 *              a clean one
 *
 * below the interrupted rsp's red zone (or on the alternate stack), with
 * rsp + 8 16-byte aligned as at a function's entry.
 *
 * The FP state is in Linux's XSAVE layout (arch/x86/kernel/fpu/signal.c)
 * where ferry's CPUID has XSAVE: the 512-byte FXSAVE-format legacy region
 * whose software bytes (464..511) hold struct _fpx_sw_bytes (xfeatures =
 * XCR0 = x87|SSE|AVX, xstate_size 832, extended_size 836; 3, 576 and 580
 * on a machine without AVX), the XSAVE
 * header (XSTATE_BV with x87|SSE always set, AVX when the YMM upper halves
 * are in use), YMM_Hi128 at 576, FP_XSTATE_MAGIC2 right after the area,
 * and UC_FP_XSTATE in uc_flags.  On a machine without XSAVE (`,noxsave`)
 * the FXSAVE layout, as Linux 5.16+ writes it without XSAVE: the legacy
 * region alone (512 bytes, nothing after it), its software bytes
 * magic1, extended_size 516, xfeatures 0, xstate_size 512 (the task's
 * fpstate: user_size 512, user_xfeatures 0), uc_flags without
 * UC_FP_XSTATE; rt_sigreturn then always takes the region with fxrstor
 * semantics, whatever its software bytes say. */
#include <string.h>

#include "sys_internal.h"
#include "sys_sigframe.h"

struct x86_64_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved1[8];
};

struct x86_64_ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    struct x86_64_stack uc_stack;
    struct x86_64_sigcontext uc_mcontext;
    uint64_t uc_sigmask;
};

struct x86_64_rt_sigframe {
    uint64_t pretcode;
    struct x86_64_ucontext uc;
    struct x86_64_siginfo info;
};

/* Linux's struct _fpx_sw_bytes, at byte 464 of the legacy region. */
struct x86_64_fpx_sw_bytes {
    uint32_t magic1, extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size, padding[7];
};

#define SYS_FP_XSTATE_MAGIC1 0x46505853u
#define SYS_FP_XSTATE_MAGIC2 0x46505845u
#define SYS_FP_SW_BYTES 464
/* UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS for a 64-bit task, and
 * UC_FP_XSTATE on a CPU with XSAVE (Linux's frame_uc_flags). */
#define SYS_UC_FLAGS 6u
#define SYS_UC_FP_XSTATE 1u
#define SYS_UC_STRICT_RESTORE_SS 4u

/* The area and the magic word after it (Linux's xstate_sigframe_size). */
struct x86_64_xstate {
    _Alignas(64) uint8_t b[X86_XSAVE_SIZE];
    uint32_t magic2;
};

_Static_assert(sizeof(struct x86_64_sigcontext) == 256, "kernel sigcontext_64");
_Static_assert(sizeof(struct x86_64_ucontext) == 304, "kernel ucontext");
_Static_assert(sizeof(struct x86_64_siginfo) == 128, "kernel siginfo");
_Static_assert(sizeof(struct x86_64_fpx_sw_bytes) == 48, "kernel _fpx_sw_bytes");
_Static_assert(offsetof(struct x86_64_xstate, magic2) == X86_XSAVE_SIZE, "magic2 after the area");


/* General registers in sigcontext order, as x86_reg numbers. */
static const uint8_t sys_sc_order[] = {
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
    X86_RDI, X86_RSI, X86_RBP, X86_RBX, X86_RDX, X86_RAX, X86_RCX, X86_RSP,
};

static void sys_save_context(const struct x86_cpu *cpu, struct x86_64_sigcontext *sc)
{
    uint64_t *slot = &sc->r8;
    for (size_t i = 0; i < sizeof sys_sc_order; i++)
        slot[i] = cpu->regs[sys_sc_order[i]];
    sc->rip = cpu->rt.pc;
    sc->eflags = x86_get_eflags(cpu);
    /* The CPU saves RF set for a fault (not for the traps: int3's #BP,
     * icebp's #DB, int $4's #OF), so that an instruction breakpoint does
     * not hit again when it restarts. */
    uint64_t trap = cpu->rt.fault.trapno;
    if (cpu->rt.fault.sig != 0 && trap != 3 && trap != 1 && trap != 4)
        sc->eflags |= X86_RF;
    sc->cs = sys_tsig.frame_cs ? sys_tsig.frame_cs : x86_user_cs(cpu);   /* 0x23: compatibility mode */
    sc->ss = cpu->sel[X86_SREG_SS];
    sc->trapno = cpu->trap_nr;
    sc->err = cpu->trap_err;
    sc->cr2 = cpu->trap_cr2;
}

/* Linux fills every frame's trapno, err and cr2 from the thread's last
 * trap (thread.trap_nr, error_code, cr2): a synchronous fault being
 * delivered sets them first (cr2 only a page fault), an asynchronous
 * signal's frame shows the last fault's (measured: SIGUSR1 after a page
 * fault says 14, its error code and address), and a misaligned vsyscall
 * (X86_TRAP_KEEP) leaves them as they were. */
static void sys_note_trap(struct x86_cpu *cpu)
{
    uint64_t trap = cpu->rt.fault.trapno;
    if ((cpu->rt.fault.sig == 0 && trap == 0) || trap == X86_TRAP_KEEP)
        return;
    cpu->trap_nr = trap;
    cpu->trap_err = cpu->rt.fault.err;
    if (trap == 14)
        cpu->trap_cr2 = cpu->rt.fault.addr;
}

static void sys_restore_context(struct x86_cpu *cpu, const struct x86_64_sigcontext *sc)
{
    const uint64_t *slot = &sc->r8;
    for (size_t i = 0; i < sizeof sys_sc_order; i++)
        cpu->regs[sys_sc_order[i]] = slot[i];
    cpu->rt.pc = sc->rip;
    /* Linux returns to the frame's cs (RPL 3): __USER32_CS resumes
     * compatibility mode (x86_compat.c); any other stays 64-bit here. */
    x86_set_compat_mode(cpu, x86_seg_user32((uint16_t)(sc->cs | 3)) && (sc->cs | 3) == X86_USER32_CS);
    /* Linux takes only FIX_EFLAGS from the frame; RF is cleared again
     * once the instruction it was set for completes. */
    const uint64_t fix = X86_AC | X86_OF | X86_DF | X86_TF | X86_SF | X86_ZF | X86_AF |
                         X86_PF | X86_CF;
    x86_set_eflags(cpu, (x86_get_eflags(cpu) & ~fix) | (sc->eflags & fix));
    x86_set_tf(cpu, (sc->eflags & X86_TF) != 0);
}

/* The interrupted stack, or the top of the alternate one (SA_ONSTACK). */
static uint64_t sys_frame_stack(const struct x86_cpu *cpu, int sig)
{
    uint64_t sp = cpu->regs[X86_RSP];
    const struct x86_64_stack *alt = &sys_tsig.altstack;
    int on_alt = sp > alt->ss_sp && sp <= alt->ss_sp + alt->ss_size;
    if ((sys_action(sig)->flags & SYS_SA_ONSTACK) && !(alt->ss_flags & SYS_SS_DISABLE) &&
        !on_alt)
        return alt->ss_sp + alt->ss_size;
    return sp - 128;                    /* below the red zone */
}

/* Whether the frame has the XSAVE layout (Linux's use_xsave()). */
static bool sys_frame_xsave(void)
{
    return x86_machine_has(X86_FEAT_XSAVE);
}

/* The FP area's bytes in the frame (Linux's xstate_sigframe_size): the
 * XSAVE area and magic2, or the FXSAVE region alone. */
static uint32_t sys_fp_frame_size(void)
{
    return sys_frame_xsave() ? x86_xsave_size() + 4 : X86_FXSAVE_SIZE;
}

uint32_t sys_sigframe_min_stack(void)
{
    const uint32_t ia32_frame = 732;    /* sizeof(struct sigframe_ia32): the largest */
    const uint32_t fsave_header = 112;  /* sizeof(struct fregs_state) */
    uint32_t size = ia32_frame + 15 + sys_fp_frame_size() + fsave_header + 63;
    return (size + 15) & ~15u;
}

/* Without XSAVE: FXSAVE's image and the software bytes of a 512-byte
 * area without extended features (Linux's save_sw_bytes). */
static void sys_fill_fxstate(struct x86_cpu *cpu, struct x86_64_xstate *xs)
{
    memset(xs, 0, sizeof *xs);
    x86_fpstate_save(cpu, xs->b);
    struct x86_64_fpx_sw_bytes sw = {
        .magic1 = SYS_FP_XSTATE_MAGIC1, .extended_size = X86_FXSAVE_SIZE + 4,
        .xfeatures = 0, .xstate_size = X86_FXSAVE_SIZE,
    };
    memcpy(xs->b + SYS_FP_SW_BYTES, &sw, sizeof sw);
}

/* The FP part: the kernel clears the header, XSAVEs with XCR0, ORs x87|SSE
 * into XSTATE_BV and writes the software bytes and the second magic. */
static void sys_fill_xstate(struct x86_cpu *cpu, struct x86_64_xstate *xs)
{
    if (!sys_frame_xsave()) {
        sys_fill_fxstate(cpu, xs);
        return;
    }
    uint32_t size = x86_xsave_size();     /* the kernel sizes the frame by XCR0 */
    memset(xs, 0, sizeof *xs);
    x86_xsave_image(cpu, xs->b, x86_xcr0());
    uint64_t bv;
    memcpy(&bv, xs->b + X86_XSAVE_HEADER, 8);
    bv |= 3;
    memcpy(xs->b + X86_XSAVE_HEADER, &bv, 8);
    struct x86_64_fpx_sw_bytes sw = {
        .magic1 = SYS_FP_XSTATE_MAGIC1, .extended_size = size + 4,
        .xfeatures = x86_xcr0(), .xstate_size = size,
    };
    const uint32_t magic2 = SYS_FP_XSTATE_MAGIC2;
    memcpy(xs->b + SYS_FP_SW_BYTES, &sw, sizeof sw);
    memcpy((uint8_t *)xs + size, &magic2, 4);     /* right after the area */
}

static void sys_fill_frame(struct x86_cpu *cpu, struct x86_64_rt_sigframe *f,
                           uint64_t fp_addr, int sig, const struct x86_64_siginfo *info)
{
    memset(f, 0, sizeof *f);
    f->pretcode = sys_action(sig)->restorer;
    f->uc.uc_flags = SYS_UC_FLAGS | (sys_frame_xsave() ? SYS_UC_FP_XSTATE : 0);
    f->uc.uc_stack = sys_tsig.altstack;
    sys_note_trap(cpu);
    sys_save_context(cpu, &f->uc.uc_mcontext);
    f->uc.uc_mcontext.fpstate = fp_addr;
    uint64_t mask = sys_tsig.saved_mask_valid ? sys_tsig.saved_mask : sys_tsig.blocked;
    f->uc.uc_mcontext.oldmask = mask;
    f->uc.uc_sigmask = mask;
    f->info = *info;
}

int sys_sigframe_push(struct x86_cpu *cpu, int sig, const struct x86_64_siginfo *info)
{
    struct x86_64_rt_sigframe f;
    struct x86_64_xstate xs;
    uint32_t frame = sys_fp_frame_size();
    uint64_t fp_addr = (sys_frame_stack(cpu, sig) - frame) & ~63ull;
    uint64_t sp = ((fp_addr - sizeof f) & ~15ull) - 8;
    sys_fill_frame(cpu, &f, fp_addr, sig, info);
    sys_fill_xstate(cpu, &xs);
    if (sys_copy_out(fp_addr, &xs, frame) || sys_copy_out(sp, &f, sizeof f))
        return -1;
    cpu->regs[X86_RSP] = sp;
    cpu->regs[X86_RDI] = (uint64_t)sig;
    cpu->regs[X86_RSI] = sp + offsetof(struct x86_64_rt_sigframe, info);
    cpu->regs[X86_RDX] = sp + offsetof(struct x86_64_rt_sigframe, uc);
    cpu->regs[X86_RAX] = 0;
    x86_set_eflags(cpu, x86_get_eflags(cpu) & ~(uint64_t)X86_DF);
    x86_set_tf(cpu, false);             /* the handler runs without single-stepping */
    uint64_t base;                      /* Linux keeps a valid ss, else __USER_DS */
    if (x86_seg_check(X86_SREG_SS, cpu->sel[X86_SREG_SS], &base))
        cpu->sel[X86_SREG_SS] = 0x2b;
    cpu->rt.pc = sys_action(sig)->handler;
    x86_set_compat_mode(cpu, false);    /* a 64-bit process's handler runs in 64-bit mode */
    x86_fpstate_reset(cpu);             /* the handler starts clean */
    return 0;
}

/* Linux's check_xstate_in_sigframe: whether the frame holds an XSAVE
 * layout (both magics, sane sizes); if not, only the legacy region counts,
 * restored with fxrstor semantics.  -1: the words cannot be read. */
static int sys_xstate_in_frame(uint64_t addr, struct x86_64_fpx_sw_bytes *sw)
{
    uint32_t magic2;
    if (sys_copy_in(sw, addr + SYS_FP_SW_BYTES, sizeof *sw))
        return -1;
    if (sw->magic1 != SYS_FP_XSTATE_MAGIC1 || sw->xstate_size < X86_XSAVE_MIN_SIZE ||
        sw->xstate_size > X86_XSAVE_SIZE || sw->xstate_size > sw->extended_size)
        return 0;
    if (sys_copy_in(&magic2, addr + sw->xstate_size, 4))
        return -1;
    return magic2 == SYS_FP_XSTATE_MAGIC2;
}

/* Components of XCR0 the frame did not restore get their init state, as
 * the kernel's XRSTOR of init_fpstate (compacted: MXCSR becomes 0x1f80
 * only with SSE, as this host's kernel does). */
static void sys_init_features(struct x86_cpu *cpu, uint64_t features)
{
    static const uint8_t init[X86_XSAVE_MIN_SIZE] = {
        [X86_XSAVE_HEADER + 15] = 0x80,             /* XCOMP_BV: compacted, no components */
    };
    if (features & x86_xcr0())
        x86_xrstor_image(cpu, init, features & x86_xcr0());
}

/* XRSTOR with the frame's xfeatures, reading only what it loads. */
static int sys_xrstor_frame(struct x86_cpu *cpu, uint64_t addr, uint64_t xfeatures)
{
    struct x86_64_xstate xs;
    memset(&xs, 0, sizeof xs);
    if ((addr & 63) || sys_copy_in(xs.b, addr, X86_XSAVE_MIN_SIZE))
        return -1;
    size_t len = x86_xrstor_extent(xs.b, xfeatures);
    if (len > X86_XSAVE_MIN_SIZE &&
        sys_copy_in(xs.b + X86_XSAVE_MIN_SIZE, addr + X86_XSAVE_MIN_SIZE, len - X86_XSAVE_MIN_SIZE))
        return -1;
    if (x86_xrstor_image(cpu, xs.b, xfeatures) != 0)
        return -1;
    sys_init_features(cpu, ~xfeatures);
    return 0;
}

/* Without the XSAVE layout: fxrstor of the legacy region, the other
 * components initialised. */
static int sys_fxrstor_frame(struct x86_cpu *cpu, uint64_t addr)
{
    uint8_t fx[X86_FXSAVE_SIZE];
    if ((addr & 15) || sys_copy_in(fx, addr, sizeof fx))
        return -1;
    if (x86_fpstate_restore(cpu, fx) != 0)
        return -1;
    sys_init_features(cpu, ~3ull);
    return 0;
}

/* Linux: a null fpstate means "no FP state saved": start from init; an
 * unreadable or invalid one makes rt_sigreturn fail (SIGSEGV).  Without
 * XSAVE the region is taken with fxrstor semantics, its software bytes
 * unread. */
static int sys_restore_fpstate(struct x86_cpu *cpu, uint64_t addr)
{
    struct x86_64_fpx_sw_bytes sw;
    if (!addr) {
        x86_fpstate_reset(cpu);
        return 0;
    }
    if (!sys_frame_xsave())
        return sys_fxrstor_frame(cpu, addr);
    int xstate = sys_xstate_in_frame(addr, &sw);
    if (xstate < 0)
        return -1;
    return xstate ? sys_xrstor_frame(cpu, addr, sw.xfeatures) : sys_fxrstor_frame(cpu, addr);
}

/* Linux takes ss from the frame (RPL forced to 3).  With
 * UC_STRICT_RESTORE_SS (64-bit frames have it) a bad one makes the
 * return to user mode fault: SYS_SIGFRAME_BAD_SS, the #GP's error code in
 * rt.fault.err; without, a bad one becomes __USER_DS. */
static int sys_restore_ss(struct x86_cpu *cpu, const struct x86_64_ucontext *uc)
{
    uint16_t ss = uc->uc_mcontext.ss | 3;
    uint64_t base;
    bool bad = x86_seg_check(X86_SREG_SS, ss, &base) != 0;
    if (bad && !(uc->uc_flags & SYS_UC_STRICT_RESTORE_SS))
        ss = 0x2b, bad = false;
    cpu->sel[X86_SREG_SS] = ss;
    if (!bad)
        return 0;
    cpu->rt.fault.err = sys_x86_iret_gp_err(ss);
    return SYS_SIGFRAME_BAD_SS;
}

/* Linux's iret back to user mode loads the frame's cs (RPL 3) before ss:
 * of the GDT's selectors only __USER_CS and __USER32_CS are user code, any
 * other is #GP(selector), 0 for the null one (measured: 0x2b, 0x13, 0x8,
 * 0x3b, 3; an LDT one with no readable segment, 0x1237 without an LDT).
 * SYS_SIGFRAME_BAD_SS then, the selector in sys_tsig.frame_cs.  (An LDT
 * code segment there stays with the compat-mode test as before.) */
static int sys_check_cs(struct x86_cpu *cpu, uint16_t cs)
{
    cs |= 3;
    uint64_t base;
    if (cs == X86_USER_CS || cs == X86_USER32_CS || ((cs & 4) && x86_seg_check(X86_SREG_DS, cs, &base) == 0))
        return 0;
    cpu->rt.fault.err = cs & 0xfffc;
    sys_tsig.frame_cs = cs;
    return SYS_SIGFRAME_BAD_SS;
}

/* The handler's `ret` popped pretcode: rsp points at the ucontext. */
int sys_sigframe_pop(struct x86_cpu *cpu)
{
    struct x86_64_ucontext uc;
    if (sys_copy_in(&uc, cpu->regs[X86_RSP], sizeof uc))
        return -1;
    sys_restore_context(cpu, &uc.uc_mcontext);
    sys_tsig.blocked = uc.uc_sigmask & ~(SYS_SIGBIT(9) | SYS_SIGBIT(19));
    if (sys_restore_fpstate(cpu, uc.uc_mcontext.fpstate) == 0) {
        int ss = sys_restore_ss(cpu, &uc);
        return sys_check_cs(cpu, uc.uc_mcontext.cs) ? SYS_SIGFRAME_BAD_SS : ss;
    }
    x86_fpstate_reset(cpu);             /* Linux clears the user FP state */
    return -1;
}
