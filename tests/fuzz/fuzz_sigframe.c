/* fuzz_sigframe.c -- libFuzzer harness for the guest signal frame
 * (syscalls/sys_sigframe.c): rt_sigreturn's reading of a frame the guest
 * wrote (`sys_sigframe_pop`: the ucontext, the XSAVE/FXSAVE area it
 * points at, the magics and sizes, XRSTOR's header checks), then the
 * round trip from whatever state that left: `sys_sigframe_push` builds a
 * frame (on the stack or the alternate one) and popping it back must give
 * the same registers, rip, flags, signal mask, ss and FP state (x87, MXCSR,
 * XMM, the YMM upper halves).  Guest memory is an exactly-sized heap
 * buffer at a fixed guest address behind this file's sys_copy_in/out.
 *
 * Input: u16 rsp offset for the pop, the signal, flags (bit 0 SA_ONSTACK,
 * bit 1 altstack disabled, bit 2 a saved rt_sigsuspend mask), u16 altstack
 * offset and size / 16; the rest is written to guest memory at rsp. */
#include <stdlib.h>
#include <string.h>

#include "sys_internal.h"
#include "sys_sigframe.h"

#define FZ_GUEST 0x7ffff7a00000ull
#define FZ_MEM 8192u

static uint8_t *mem;

struct sys_signals sys_sig;
__thread struct sys_signals *sys_sig_own;     /* NULL: the process's dispositions */
__thread struct sys_thread_signals sys_tsig;

static uint8_t *at(uint64_t g, size_t len)
{
    uint64_t off = g - FZ_GUEST;
    return g >= FZ_GUEST && off <= FZ_MEM && len <= FZ_MEM - off ? mem + off : NULL;
}

int64_t sys_copy_in(void *dst, uint64_t g, size_t len)
{
    uint8_t *p = at(g, len);
    if (!p)
        return -14;
    memcpy(dst, p, len);
    return 0;
}

int64_t sys_copy_out(uint64_t g, const void *src, size_t len)
{
    uint8_t *p = at(g, len);
    if (!p)
        return -14;
    memcpy(p, src, len);
    return 0;
}

/* What a frame's round trip must keep. */
struct fz_state {
    uint64_t regs[16], pc, flags, blocked, ss;
    uint8_t fx[X86_FXSAVE_SIZE];
    x86_xmm ymm_hi[16];
};

#define FZ_FIX_FLAGS 0x40dd5ull           /* AC OF DF TF SF ZF AF PF CF: what sigreturn takes */

static void fz_capture(struct x86_cpu *cpu, struct fz_state *s)
{
    memset(s, 0, sizeof *s);
    memcpy(s->regs, cpu->regs, sizeof s->regs);
    s->pc = cpu->rt.pc;
    s->flags = x86_get_eflags(cpu) & FZ_FIX_FLAGS & ~0x100ull;   /* TF: not emulated */
    s->blocked = sys_tsig.blocked;
    s->ss = cpu->sel[X86_SREG_SS];
    x86_fpstate_save(cpu, s->fx);
    memcpy(s->ymm_hi, cpu->ymm_hi, sizeof s->ymm_hi);
}

/* After a successful rt_sigreturn the CPU holds the frame's sigcontext
 * (the kernel's struct sigcontext_64 at byte 40 of the ucontext: r8-r15,
 * rdi rsi rbp rbx rdx rax rcx rsp, rip, eflags) and its signal mask. */
static void fz_check_popped(const struct x86_cpu *cpu, const uint8_t *uc)
{
    static const uint8_t order[16] = { X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13,
                                       X86_R14, X86_R15, X86_RDI, X86_RSI, X86_RBP, X86_RBX,
                                       X86_RDX, X86_RAX, X86_RCX, X86_RSP };
    uint64_t v[18], mask;
    memcpy(v, uc + 40, sizeof v);
    memcpy(&mask, uc + 296, 8);
    for (int i = 0; i < 16; i++)
        if (cpu->regs[order[i]] != v[i])
            __builtin_trap();
    uint64_t fix = FZ_FIX_FLAGS & ~0x100ull;
    if (cpu->rt.pc != v[16] || (x86_get_eflags(cpu) & fix) != (v[17] & fix) ||
        sys_tsig.blocked != (mask & ~((1ull << 8) | (1ull << 18))))
        __builtin_trap();
}

static void fz_setup(const uint8_t *data, int *sig)
{
    *sig = 1 + data[2] % SYS_NSIG;
    uint8_t fl = data[3];
    uint16_t alt_off, alt_size;
    memcpy(&alt_off, data + 4, 2);
    memcpy(&alt_size, data + 6, 2);
    memset(&sys_sig, 0, sizeof sys_sig);
    sys_sig.action[*sig] = (struct x86_64_sigaction){
        .handler = 0x401000, .flags = fl & 1 ? SYS_SA_ONSTACK : 0, .restorer = 0x402000,
    };
    memset(&sys_tsig, 0, sizeof sys_tsig);
    sys_tsig.altstack = (struct x86_64_stack){
        .ss_sp = FZ_GUEST + alt_off % FZ_MEM, .ss_flags = fl & 2 ? SYS_SS_DISABLE : 0,
        .ss_size = (uint64_t)alt_size * 16,
    };
    sys_tsig.saved_mask_valid = fl & 4;
    sys_tsig.saved_mask = 0x5555;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    if (!mem)
        mem = malloc(FZ_MEM);
    memset(mem, 0, FZ_MEM);
    uint16_t rsp_off;
    memcpy(&rsp_off, data, 2);
    rsp_off %= FZ_MEM;
    size_t n = size - 8 < FZ_MEM - rsp_off ? size - 8 : FZ_MEM - rsp_off;
    memcpy(mem + rsp_off, data + 8, n);
    int sig;
    fz_setup(data, &sig);

    static struct x86_cpu cpu;
    memset(&cpu, 0, sizeof cpu);
    cpu.df = 1;
    cpu.sel[X86_SREG_SS] = 0x2b;        /* __USER_DS, as the frontend's reset gives it */
    x86_fpstate_reset(&cpu);
    cpu.regs[X86_RSP] = FZ_GUEST + rsp_off;
    uint8_t uc[304];
    memcpy(uc, mem + rsp_off, FZ_MEM - rsp_off < sizeof uc ? FZ_MEM - rsp_off : sizeof uc);
    if (sys_sigframe_pop(&cpu) == 0)    /* rt_sigreturn of the input's frame */
        fz_check_popped(&cpu, uc);
    sys_tsig.saved_mask_valid = false;  /* the pushed frame saves `blocked` */

    /* A bad ss or cs the input's frame left (its return to user mode
     * would fault; a cs is kept in sys_tsig.frame_cs) goes into the pushed
     * frame as Linux saves it, and popping that frame reports it again. */
    uint64_t ss_base;
    bool bad_ss = x86_seg_check(X86_SREG_SS, cpu.sel[X86_SREG_SS], &ss_base) != 0;
    int want_pop = bad_ss || sys_tsig.frame_cs ? SYS_SIGFRAME_BAD_SS : 0;
    struct fz_state before, after;
    fz_capture(&cpu, &before);
    if (sys_sigframe_push(&cpu, sig, &(struct x86_64_siginfo){ .si_signo = sig }) != 0)
        return 0;                       /* no room: the guest would get SIGSEGV */
    if (cpu.rt.pc != 0x401000 || cpu.regs[X86_RDI] != (uint64_t)sig || (cpu.regs[X86_RSP] + 8) % 16)
        __builtin_trap();
    cpu.regs[X86_RSP] += 8;             /* the handler's ret popped pretcode */
    if (sys_sigframe_pop(&cpu) != want_pop)
        __builtin_trap();
    fz_capture(&cpu, &after);
    if (memcmp(&before, &after, sizeof before))
        __builtin_trap();
    return 0;
}
