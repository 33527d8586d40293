/* x86_vsyscall.c -- the legacy vsyscall page at 0xffffffffff600000, as
 * Linux emulates it (vsyscall=xonly/emulate): a call to one of its three
 * entry points (gettimeofday at +0, time at +0x400, getcpu at +0x800) runs
 * that system call and returns to the caller, every register but rax
 * unchanged (no rcx/r11 clobber: there is no syscall instruction).  The
 * page itself is neither readable nor mapped in the host, so these blocks
 * are built without fetching: the entry is a syscall exit whose next pc is
 * entry + 1, and entry + 1 is a `ret`.  The system-call path sets rcx and
 * r11 as the syscall instruction does, so the entry keeps them below rsp
 * (the red zone of the emulated callee, which nothing else uses) and the
 * ret restores them.  Any other address in the page is Linux's misaligned
 * vsyscall: SIGSEGV forced (SI_KERNEL, si_addr 0) at that rip, the
 * thread's last trap number and error code left as they were.
 */
#include "x86_internal.h"

#define VSYSCALL_BASE 0xffffffffff600000ull
#define VSYSCALL_SLOT 0x400u

static const uint64_t vsyscall_nr[3] = { 96, 201, 309 };    /* gettimeofday, time, getcpu */

static ir_ref below_sp(struct x86_dc *dc, uint64_t off)
{
    return x86_op2(dc, IR_sub, 8, x86_get_reg(dc, X86_RSP), x86_imm(dc, off));
}

static void vsyscall_entry(struct x86_dc *dc, unsigned k)
{
    x86_store(dc, 8, below_sp(dc, 8), x86_get_reg(dc, X86_RCX));
    x86_store(dc, 8, below_sp(dc, 16), x86_get_reg(dc, X86_R11));
    x86_set_reg(dc, X86_RAX, x86_imm(dc, vsyscall_nr[k]));
    x86_end_exit(dc, dc->pc + 1, TR_EXIT_SYSCALL);
}

static void vsyscall_ret(struct x86_dc *dc)
{
    x86_set_reg(dc, X86_RCX, x86_load(dc, 8, below_sp(dc, 8)));
    x86_set_reg(dc, X86_R11, x86_load(dc, 8, below_sp(dc, 16)));
    ir_ref sp = x86_get_reg(dc, X86_RSP);
    ir_ref target = x86_load(dc, 8, sp);
    x86_set_reg(dc, X86_RSP, x86_op2(dc, IR_add, 8, sp, x86_imm(dc, 8)));
    x86_end_indirect(dc, target);
}

static void vsyscall_misaligned(struct x86_dc *dc)
{
    ir_st_env(dc->b, IR_MO_64, x86_imm(dc, X86_TRAP_KEEP), X86_ENV_OFF(rt.fault.trapno));
    x86_end_exit(dc, dc->pc, TR_EXIT_SIGSEGV);
}

bool x86_vsyscall_block(struct ir_block *b, uint64_t pc)
{
    if (pc < VSYSCALL_BASE || pc - VSYSCALL_BASE >= 0x1000)
        return false;
    struct x86_flags_state fs;
    struct x86_dc dc = { .b = b, .flags = &fs, .pc = pc, .next_pc = pc };
    uint64_t off = pc - VSYSCALL_BASE;
    unsigned k = (unsigned)(off / VSYSCALL_SLOT);
    x86_flags_reset(&dc);
    ir_insn_start(b, pc, 1);
    if (k < 3 && off % VSYSCALL_SLOT == 0)
        vsyscall_entry(&dc, k);
    else if (k < 3 && off % VSYSCALL_SLOT == 1)
        vsyscall_ret(&dc);
    else
        vsyscall_misaligned(&dc);
    b->guest_size = 0;              /* nothing to fetch, nothing to check */
    b->guest_insns = 1;
    return true;
}
