/* sys_x86.c -- the x86-specific calls: arch_prctl (the fs/gs bases live
 * in each thread's guest CPU), modify_ldt (the process's LDT, kept by the
 * frontend: x86_ldt.c), and each thread's re-check of its segment
 * registers after an LDT write (Linux reloads them on every CPU running
 * the process).  iopl and ioperm stay ENOSYS (sys_table.c): Linux built
 * without CONFIG_X86_IOPL_IOPERM answers that (Debian's and this host's
 * kernels), QEMU's user mode too, and ferry gives a guest no ports. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "sys_handlers.h"

#define SYS_ARCH_SET_GS 0x1001
#define SYS_ARCH_SET_FS 0x1002
#define SYS_ARCH_GET_FS 0x1003
#define SYS_ARCH_GET_GS 0x1004
#define SYS_ARCH_GET_CPUID 0x1011
#define SYS_ARCH_SET_CPUID 0x1012
#define SYS_ARCH_GET_XCOMP_SUPP 0x1021
#define SYS_ARCH_GET_XCOMP_PERM 0x1022
#define SYS_ARCH_REQ_XCOMP_PERM 0x1023
#define SYS_ARCH_GET_XCOMP_GUEST_PERM 0x1024
#define SYS_ARCH_REQ_XCOMP_GUEST_PERM 0x1025
#define SYS_ARCH_MAP_VDSO_32 0x2002
#define SYS_ARCH_MAP_VDSO_64 0x2003
#define SYS_XFEATURE_MAX 20             /* Linux 6.18's count of xstate components */

/* ARCH_REQ_XCOMP_PERM asks for a dynamic xstate component (AMX's tile
 * data): ferry's XCR0 has none, so every known index is EOPNOTSUPP, as
 * on a CPU without AMX; beyond Linux's components, EINVAL. */
static int64_t sys_xcomp_request(uint64_t idx)
{
    return idx >= SYS_XFEATURE_MAX ? -EINVAL : -EOPNOTSUPP;
}

/* CPUID faulting (Linux's ARCH_GET/SET_CPUID): on a machine that has it
 * (x86_machine()->cpuid_fault: this Intel host) SET_CPUID 0 makes CPUID
 * fault in this thread (SIGSEGV, SI_KERNEL, trap 13, err 0: measured),
 * any other value undoes it, and GET_CPUID says whether CPUID runs; the
 * AMD measured has none: SET_CPUID is ENODEV and CPUID always runs. */
static int64_t sys_cpuid_mode(struct x86_cpu *cpu, uint64_t op, uint64_t arg)
{
    if (op == SYS_ARCH_GET_CPUID)
        return !cpu->cpuid_faults;
    if (!x86_machine()->cpuid_fault)
        return -ENODEV;
    cpu->cpuid_faults = arg == 0;
    return 0;
}

/* Setting a base also loads the null selector into fs/gs, as Linux.
 * CPUID faulting: sys_cpuid_mode.  The xstate features supported and
 * permitted are ferry's XCR0 (x87, SSE, and AVX where the machine has
 * it); without XSAVE Linux supports the legacy x87|SSE (3) and permits
 * none (its default features stay 0).  ARCH_MAP_VDSO_64/_32: EEXIST while a
 * part of the vDSO is mapped, else the 64- or 32-bit image mapped again
 * with its data pages (sys_vdso.c); _X32 EINVAL (no
 * x32 ABI in the kernels measured).  Shadow stacks, LAM and the rest:
 * EINVAL, as this kernel on this AMD answers. */
SYS_HANDLER(sys_arch_prctl)
{
    const uint64_t xcr0 = x86_xcr0();
    const uint64_t perm = x86_machine_has(X86_FEAT_XSAVE) ? xcr0 : 0;
    switch (a[0]) {
    case SYS_ARCH_SET_FS: cpu->fs_base = a[1]; cpu->sel[X86_SREG_FS] = 0; return 0;
    case SYS_ARCH_SET_GS: cpu->gs_base = a[1]; cpu->sel[X86_SREG_GS] = 0; return 0;
    case SYS_ARCH_GET_FS: return sys_copy_out(a[1], &cpu->fs_base, 8);
    case SYS_ARCH_GET_GS: return sys_copy_out(a[1], &cpu->gs_base, 8);
    case SYS_ARCH_GET_CPUID: case SYS_ARCH_SET_CPUID: return sys_cpuid_mode(cpu, a[0], a[1]);
    case SYS_ARCH_GET_XCOMP_SUPP: return sys_copy_out(a[1], &xcr0, 8);
    case SYS_ARCH_GET_XCOMP_PERM: case SYS_ARCH_GET_XCOMP_GUEST_PERM:
        return sys_copy_out(a[1], &perm, 8);
    case SYS_ARCH_REQ_XCOMP_PERM: case SYS_ARCH_REQ_XCOMP_GUEST_PERM:
        return sys_xcomp_request(a[1]);
    case SYS_ARCH_MAP_VDSO_32: return sys_vdso_map(true, a[1]);
    case SYS_ARCH_MAP_VDSO_64: return sys_vdso_map(false, a[1]);
    default: return -EINVAL;
    }
}

/* ---- modify_ldt ---- */

/* Linux's struct user_desc (asm/ldt.h), its flag bits in one word. */
struct sys_user_desc {
    uint32_t entry_number, base_addr, limit, flags;
};
#define UD_SEG_32BIT(u)   ((u)->flags & 1)
#define UD_CONTENTS(u)    ((u)->flags >> 1 & 3)
#define UD_READ_EXEC_ONLY(u) ((u)->flags >> 3 & 1)
#define UD_LIMIT_IN_PAGES(u) ((u)->flags >> 4 & 1)
#define UD_NOT_PRESENT(u) ((u)->flags >> 5 & 1)
#define UD_USEABLE(u)     ((u)->flags >> 6 & 1)

/* Linux's LDT_empty: the one "no segment" form of the new interface
 * (lm is not looked at). */
static bool sys_ud_empty(const struct sys_user_desc *u)
{
    return !u->base_addr && !u->limit && (u->flags & 0x7f) == 0x28;
}

/* Linux's fill_ldt: DPL 3, S, the accessed bit set (so the kernel can map
 * the table read-only), never L; the old interface clears AVL. */
static uint64_t sys_ud_desc(const struct sys_user_desc *u, bool oldmode)
{
    uint64_t type = (uint64_t)(UD_READ_EXEC_ONLY(u) ^ 1) << 1 | UD_CONTENTS(u) << 2 | 1;
    uint64_t d = (u->limit & 0xffff) | (uint64_t)(u->base_addr & 0xffffff) << 16;
    d |= type << 40 | 1ull << 44 | 3ull << 45 | (uint64_t)(UD_NOT_PRESENT(u) ^ 1) << 47;
    d |= (uint64_t)(u->limit >> 16 & 15) << 48;
    d |= (uint64_t)(oldmode ? 0 : UD_USEABLE(u)) << 52;
    d |= (uint64_t)UD_SEG_32BIT(u) << 54 | (uint64_t)UD_LIMIT_IN_PAGES(u) << 55;
    return d | (uint64_t)(u->base_addr >> 24) << 56;
}

/* 16-bit segments are allowed (CONFIG_X86_16BIT, as Debian's kernels). */
static int64_t sys_write_ldt(uint64_t ptr, uint64_t bytecount, bool oldmode)
{
    struct sys_user_desc u;
    if (bytecount != sizeof u)
        return -EINVAL;
    if (sys_copy_in(&u, ptr, sizeof u))
        return -EFAULT;
    if (u.entry_number >= X86_LDT_ENTRIES)
        return -EINVAL;
    if (UD_CONTENTS(&u) == 3 && (oldmode || !UD_NOT_PRESENT(&u)))
        return -EINVAL;                 /* no conforming code segments */
    bool clear = (oldmode && !u.base_addr && !u.limit) || sys_ud_empty(&u);
    x86_ldt_set(u.entry_number, clear ? 0 : sys_ud_desc(&u, oldmode));
    sys_thread_interrupt_others();      /* Linux's flush_ldt on each CPU */
    return 0;
}

/* The table's entries, the rest of bytecount (at most the whole table's
 * size) zero-filled; 0 while the process has no LDT.  A buffer running
 * into memory the guest cannot write gets the bytes before it (the
 * kernel's copy_to_user), then EFAULT. */
static int64_t sys_read_ldt(uint64_t ptr, uint64_t bytecount)
{
    uint32_t n = x86_ldt_count();
    if (!n)
        return 0;
    if (bytecount > X86_LDT_ENTRIES * 8)
        bytecount = X86_LDT_ENTRIES * 8;
    uint64_t ok = sys_guest_accessible(ptr, bytecount, 1);
    for (uint64_t off = 0; off < ok; off += 8) {
        uint64_t d = off / 8 < n ? x86_ldt_get((uint32_t)(off / 8)) : 0;
        if (sys_copy_out(ptr + off, &d, ok - off < 8 ? (size_t)(ok - off) : 8))
            return -EFAULT;
    }
    return ok < bytecount ? -EFAULT : (int64_t)bytecount;
}

/* func 2: the "default LDT" is 128 zero bytes on x86-64. */
static int64_t sys_read_default_ldt(uint64_t ptr, uint64_t bytecount)
{
    static const uint8_t zero[128];
    if (bytecount > sizeof zero)
        bytecount = sizeof zero;
    return sys_copy_out(ptr, zero, bytecount) ? -EFAULT : (int64_t)bytecount;
}

/* Linux returns the int result as an unsigned int: errors reach rax as
 * 0xffffffea, not -22 (a quirk of its ABI the glibc wrapper keeps). */
SYS_HANDLER(sys_modify_ldt)
{
    int64_t r;
    switch ((int)a[0]) {
    case 0:    r = sys_read_ldt(a[1], a[2]); break;
    case 1:    r = sys_write_ldt(a[1], a[2], true); break;
    case 2:    r = sys_read_default_ldt(a[1], a[2]); break;
    case 0x11: r = sys_write_ldt(a[1], a[2], false); break;
    default:   r = -ENOSYS; break;
    }
    return (int64_t)(uint32_t)(int32_t)r;
}

/* ---- after an LDT write ---- */

static __thread uint32_t sys_ldt_seen;

/* Linux reloads ds and es from the new table on every CPU running the
 * process (a selector that no longer loads becomes null), and the return
 * to user mode reloads ss: one that no longer loads is #GP there
 * (SIGSEGV, the selector as error code).  fs and gs keep selector and
 * base until a context switch reloads them, which ferry has none of.
 * (ss was __USER_DS again in the writer: a system call's return.)  Called
 * by each thread before it runs guest code (sys_cpu_loop); the writer
 * interrupts the others. */
void sys_x86_ldt_sync(struct x86_cpu *cpu)
{
    uint32_t gen = x86_ldt_generation();
    if (gen == sys_ldt_seen)
        return;
    sys_ldt_seen = gen;
    uint64_t base;
    static const int data[] = { X86_SREG_ES, X86_SREG_DS };
    for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
        if (x86_seg_check(data[i], cpu->sel[data[i]], &base))
            cpu->sel[data[i]] = 0;
    uint16_t ss = cpu->sel[X86_SREG_SS];
    if (x86_seg_check(X86_SREG_SS, ss, &base)) {
        cpu->rt.fault.trapno = 13;
        cpu->rt.fault.err = sys_x86_iret_gp_err(ss);
        sys_signal_force(cpu, SIGSEGV);
        cpu->rt.fault.trapno = cpu->rt.fault.err = 0;
    }
}

