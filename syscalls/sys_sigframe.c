/* sys_sigframe.c -- the x86-64 signal frame, as the kernel builds it:
 *
 *   rsp -> pretcode (sa_restorer: glibc's __restore_rt calls rt_sigreturn)
 *          struct ucontext   (flags, link, stack, sigcontext, sigmask)
 *          struct siginfo
 *          ... 512-byte FXSAVE-format area (uc_mcontext.fpstate points here),
 *              the interrupted FP state; the handler starts with a clean one
 *
 * below the interrupted rsp's red zone (or on the alternate stack), with
 * rsp + 8 16-byte aligned as at a function's entry. */
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

/* The FXSAVE-format area (the frontend's fxsave image): x87, MXCSR and
 * XMM0-15, with no FP_XSTATE_MAGIC, restored as with fxrstor.  (ferry's
 * CPUID now has XSAVE with XCR0 = x87|SSE, where Linux would write the
 * XSAVE layout: not done yet, see docs/status.md, issue 10.) */
struct x86_64_fxsave {
    _Alignas(16) uint8_t b[X86_FXSAVE_SIZE];
};

_Static_assert(sizeof(struct x86_64_sigcontext) == 256, "kernel sigcontext_64");
_Static_assert(sizeof(struct x86_64_ucontext) == 304, "kernel ucontext");
_Static_assert(sizeof(struct x86_64_siginfo) == 128, "kernel siginfo");
_Static_assert(sizeof(struct x86_64_fxsave) == 512, "FXSAVE area");

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
    sc->cs = 0x33, sc->ss = 0x2b;
    /* a synchronous fault being delivered (zero otherwise) */
    sc->trapno = cpu->rt.fault.trapno;
    sc->err = cpu->rt.fault.err;
    if (sc->trapno == 14)
        sc->cr2 = cpu->rt.fault.addr;
}

static void sys_restore_context(struct x86_cpu *cpu, const struct x86_64_sigcontext *sc)
{
    const uint64_t *slot = &sc->r8;
    for (size_t i = 0; i < sizeof sys_sc_order; i++)
        cpu->regs[sys_sc_order[i]] = slot[i];
    cpu->rt.pc = sc->rip;
    x86_set_eflags(cpu, sc->eflags);
}

/* The interrupted stack, or the top of the alternate one (SA_ONSTACK). */
static uint64_t sys_frame_stack(const struct x86_cpu *cpu, int sig)
{
    uint64_t sp = cpu->regs[X86_RSP];
    const struct x86_64_stack *alt = &sys_tsig.altstack;
    int on_alt = sp > alt->ss_sp && sp <= alt->ss_sp + alt->ss_size;
    if ((sys_sig.action[sig].flags & SYS_SA_ONSTACK) && !(alt->ss_flags & SYS_SS_DISABLE) &&
        !on_alt)
        return alt->ss_sp + alt->ss_size;
    return sp - 128;                    /* below the red zone */
}

static void sys_fill_frame(struct x86_cpu *cpu, struct x86_64_rt_sigframe *f,
                           struct x86_64_fxsave *fx, uint64_t fx_addr, int sig,
                           const struct x86_64_siginfo *info)
{
    memset(f, 0, sizeof *f);
    f->pretcode = sys_sig.action[sig].restorer;
    f->uc.uc_stack = sys_tsig.altstack;
    sys_save_context(cpu, &f->uc.uc_mcontext);
    f->uc.uc_mcontext.fpstate = fx_addr;
    uint64_t mask = sys_tsig.saved_mask_valid ? sys_tsig.saved_mask : sys_tsig.blocked;
    f->uc.uc_mcontext.oldmask = mask;
    f->uc.uc_sigmask = mask;
    f->info = *info;
    x86_fpstate_save(cpu, fx->b);
}

int sys_sigframe_push(struct x86_cpu *cpu, int sig, const struct x86_64_siginfo *info)
{
    struct x86_64_rt_sigframe f;
    struct x86_64_fxsave fx;
    uint64_t fx_addr = (sys_frame_stack(cpu, sig) - sizeof fx) & ~63ull;
    uint64_t sp = ((fx_addr - sizeof f) & ~15ull) - 8;
    sys_fill_frame(cpu, &f, &fx, fx_addr, sig, info);
    if (sys_copy_out(fx_addr, &fx, sizeof fx) || sys_copy_out(sp, &f, sizeof f))
        return -1;
    cpu->regs[X86_RSP] = sp;
    cpu->regs[X86_RDI] = (uint64_t)sig;
    cpu->regs[X86_RSI] = sp + offsetof(struct x86_64_rt_sigframe, info);
    cpu->regs[X86_RDX] = sp + offsetof(struct x86_64_rt_sigframe, uc);
    cpu->regs[X86_RAX] = 0;
    x86_set_eflags(cpu, x86_get_eflags(cpu) & ~(uint64_t)(X86_DF | X86_TF));
    cpu->rt.pc = sys_sig.action[sig].handler;
    x86_fpstate_reset(cpu);             /* the handler starts clean */
    return 0;
}

/* Linux: a null fpstate means "no FP state saved": start from init; an
 * unreadable or invalid one makes rt_sigreturn fail (SIGSEGV). */
static int sys_restore_fpstate(struct x86_cpu *cpu, uint64_t addr)
{
    struct x86_64_fxsave fx;
    if (!addr) {
        x86_fpstate_reset(cpu);
        return 0;
    }
    if ((addr & 15) || sys_copy_in(&fx, addr, sizeof fx))
        return -1;
    return x86_fpstate_restore(cpu, fx.b);
}

/* The handler's `ret` popped pretcode: rsp points at the ucontext. */
int sys_sigframe_pop(struct x86_cpu *cpu)
{
    struct x86_64_ucontext uc;
    if (sys_copy_in(&uc, cpu->regs[X86_RSP], sizeof uc))
        return -1;
    sys_restore_context(cpu, &uc.uc_mcontext);
    sys_tsig.blocked = uc.uc_sigmask & ~(SYS_SIGBIT(9) | SYS_SIGBIT(19));
    return sys_restore_fpstate(cpu, uc.uc_mcontext.fpstate);
}
