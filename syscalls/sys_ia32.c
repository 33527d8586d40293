/* sys_ia32.c -- the i386 system call ABI of a 64-bit process, as Linux
 * with IA32 emulation runs it: int $0x80 from 64-bit code or from
 * compatibility mode (x86_compat.c), and the fast entries of the vDSO's
 * gate: sysenter in compatibility mode (Intel) and syscall there (AMD;
 * each #UD on the other, x86_control.c), which return to the 32-bit
 * image's landing pad (sys_vdso_landing_pad).  The
 * number is eax, the arguments ebx ecx edx esi edi ebp (a compat syscall:
 * ebx ebp edx esi edi [esp]), each 32 bits, zero-extended (pointers from
 * a 32-bit caller are 32-bit); the result goes to rax.
 *
 * One row per i386 number (arch/x86/entry/syscalls/syscall_32.tbl):
 * forwarded to the x86-64 handler of nr64 where the ABI is the same
 * (after fix: arguments the i386 ABI splits or narrows), or a handler of
 * its own that converts the 32-bit structures (time, gettimeofday,
 * clock_gettime/getres, old_mmap, mmap2, _llseek, the stat64 family,
 * readv/writev).  A number without a row
 * is -ENOSYS, shown under --strace as an unknown call. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>

#include "options.h"
#include "sys_block.h"
#include "sys_handlers.h"

struct sys_ia32_row {
    struct sys_entry e;         /* i386 number, name, own handler (or NULL), strace format */
    int nr64;                   /* else: the x86-64 call it forwards to (also: its restart
                                   rule, ferry-fd guard and, but for raw rows, pointer checks) */
    void (*fix)(uint64_t *a);   /* ... with these arguments rewritten first */
    bool raw;                   /* an own handler checks the guest's pointers itself */
};

/* ---- argument rewrites before forwarding ---- */

static uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)v; }

/* lseek's offset is a signed 32-bit compat_off_t. */
static void fix_lseek(uint64_t *a) { a[1] = sext32(a[1]); }
/* pread64/pwrite64: the 64-bit offset in two registers, low first. */
static void fix_pos64(uint64_t *a) { a[3] |= a[4] << 32; }
/* A compat mmap lands below 4 GiB (MAP_32BIT unless the caller fixes it). */
#define IA32_MAP_FIXED 0x10u            /* the guest's (x86) flag values */
#define IA32_MAP_32BIT 0x40u
#define IA32_MAP_FIXED_NOREPLACE 0x100000u
static uint64_t mmap32_flags(uint64_t flags)
{
    return flags & (IA32_MAP_FIXED | IA32_MAP_FIXED_NOREPLACE) ? flags : flags | IA32_MAP_32BIT;
}

/* ---- handlers of their own: 32-bit structures ---- */

struct ia32_timespec { int32_t sec, nsec; };

static int64_t ia32_put_time(uint64_t g, int64_t sec, int64_t frac)
{
    struct ia32_timespec t = { (int32_t)sec, (int32_t)frac };
    return g ? sys_copy_out(g, &t, sizeof t) : 0;
}

static SYS_HANDLER(ia32_time)
{
    (void)cpu;
    int32_t now = (int32_t)time(NULL);
    if (a[0] && sys_copy_out(a[0], &now, sizeof now))
        return -EFAULT;
    return now;
}

static SYS_HANDLER(ia32_gettimeofday)
{
    (void)cpu;
    struct timeval tv;
    struct timezone tz;
    if (gettimeofday(&tv, &tz) != 0)
        return -errno;
    if (ia32_put_time(a[0], tv.tv_sec, tv.tv_usec))
        return -EFAULT;
    return a[1] ? sys_copy_out(a[1], &tz, sizeof tz) : 0;
}

static int64_t ia32_clock(int (*fn)(clockid_t, struct timespec *), const uint64_t *a)
{
    struct timespec ts;
    if (fn((clockid_t)(int32_t)a[0], &ts) != 0)
        return -errno;
    return ia32_put_time(a[1], ts.tv_sec, ts.tv_nsec);
}

static SYS_HANDLER(ia32_clock_gettime) { (void)cpu; return ia32_clock(clock_gettime, a); }
static SYS_HANDLER(ia32_clock_getres) { (void)cpu; return ia32_clock(clock_getres, a); }

/* A mapping the caller does not fix must land below 4 GiB: MAP_32BIT's
 * place when that is free, else (ferry's MAP_32BIT is only a hint where
 * it does not place mappings itself) the first free span of fixed tries
 * down from 0xf0000000, as Linux's compat layout grows down from there. */
static int64_t ia32_mmap(struct x86_cpu *cpu, const uint64_t *a, uint64_t offset)
{
    uint64_t m[6] = { a[0], a[1], a[2], mmap32_flags(a[3]), sext32(a[4]), offset };
    int64_t at = sys_mmap(cpu, m);
    if (at < 0 || (uint64_t)at + a[1] <= 0x100000000ull || (m[3] & IA32_MAP_FIXED))
        return at;
    const uint64_t un[2] = { (uint64_t)at, a[1] };
    sys_munmap(cpu, un);
    uint64_t span = (a[1] + 0xffffffull) & ~0xffffffull;       /* 16 MiB steps */
    m[3] = (m[3] & ~(uint64_t)IA32_MAP_32BIT) | IA32_MAP_FIXED_NOREPLACE;
    for (uint64_t hint = 0xf0000000ull - span; span && hint >= 0x10000000ull; hint -= span) {
        m[0] = hint;
        if ((at = sys_mmap(cpu, m)) >= 0 || at != -EEXIST)
            return at;
    }
    return -ENOMEM;
}

/* mmap2: the offset in 4096-byte pages. */
static SYS_HANDLER(ia32_mmap2) { return ia32_mmap(cpu, a, a[5] << 12); }

/* old_mmap: one pointer to six 32-bit arguments, the offset in bytes. */
static SYS_HANDLER(ia32_old_mmap)
{
    uint32_t v[6];
    if (sys_copy_in(v, a[0], sizeof v))
        return -EFAULT;
    const uint64_t m[6] = { v[0], v[1], v[2], v[3], v[4], v[5] };
    return ia32_mmap(cpu, m, v[5]);
}

/* struct stat64 of i386 (4-byte aligned 64-bit fields): what Linux's
 * cp_stat64 fills, __st_ino the inode's low half, times in 32 bits. */
struct ia32_stat64 {
    uint64_t dev;
    uint8_t pad0[4];
    uint32_t ino32, mode, nlink, uid, gid;
    uint64_t rdev;
    uint8_t pad3[4];
    int64_t size;
    uint32_t blksize;
    uint64_t blocks;
    uint32_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
    uint64_t ino;
} __attribute__((packed));
_Static_assert(sizeof(struct ia32_stat64) == 96, "i386 struct stat64");

static int64_t ia32_stat(int dirfd, const char *path, int flags, uint64_t buf)
{
    struct stat h;
    if (fstatat(dirfd, path, &h, flags) != 0)
        return -errno;
    struct ia32_stat64 g = {
        .dev = h.st_dev, .ino32 = (uint32_t)h.st_ino, .mode = h.st_mode,
        .nlink = (uint32_t)h.st_nlink, .uid = h.st_uid, .gid = h.st_gid, .rdev = h.st_rdev,
        .size = h.st_size, .blksize = (uint32_t)h.st_blksize, .blocks = (uint64_t)h.st_blocks,
        .atime = (uint32_t)h.st_atim.tv_sec, .atime_nsec = (uint32_t)h.st_atim.tv_nsec,
        .mtime = (uint32_t)h.st_mtim.tv_sec, .mtime_nsec = (uint32_t)h.st_mtim.tv_nsec,
        .ctime = (uint32_t)h.st_ctim.tv_sec, .ctime_nsec = (uint32_t)h.st_ctim.tv_nsec,
        .ino = h.st_ino,
    };
    return sys_copy_out(buf, &g, sizeof g);
}

static SYS_HANDLER(ia32_stat64) { (void)cpu; return ia32_stat(AT_FDCWD, sys_stat_path(AT_FDCWD, a[0], 0), 0, a[1]); }

static SYS_HANDLER(ia32_lstat64)
{
    (void)cpu;
    return ia32_stat(AT_FDCWD, sys_stat_path(AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW), AT_SYMLINK_NOFOLLOW, a[1]);
}

static SYS_HANDLER(ia32_fstat64) { (void)cpu; return ia32_stat((int)a[0], "", AT_EMPTY_PATH, a[1]); }

static SYS_HANDLER(ia32_fstatat64)
{
    (void)cpu;
    int flags = (int)a[3];
    return ia32_stat(sys_dirfd(a[0]), sys_stat_path(sys_dirfd(a[0]), a[1], (uint64_t)flags), flags, a[2]);
}

/* readv/writev: the i386 iovec is two 32-bit words.  The host call gets
 * a host copy of the vector, cut (as sys_guest_args.c cuts a 64-bit one)
 * at the first element the guest cannot wholly read or write: its
 * accessible prefix is the last element, so the kernel stops there as it
 * would natively (a short count); none at all is EFAULT. */
#define IA32_IOV_MAX 1024
static int64_t ia32_rwv(long nr, const uint64_t *a, int write_mem)
{
    static __thread struct iovec iov[IA32_IOV_MAX];
    uint32_t v[2];
    uint64_t n = a[2], kept = 0, want = 0;
    if ((int32_t)n < 0 || n > IA32_IOV_MAX)
        return -EINVAL;
    for (uint64_t i = 0; i < n; i++) {
        if (sys_copy_in(v, a[1] + 8 * i, sizeof v))
            return -EFAULT;
        uint64_t ok = sys_guest_accessible(v[0], v[1], write_mem);
        want += v[1];
        iov[kept++] = (struct iovec){ sys_ptr(v[0]), ok };
        if (ok < v[1])
            break;
    }
    if (want && kept && !iov[0].iov_len && kept == 1)
        return -EFAULT;
    return sys_block(nr, (int)a[0], iov, (int)kept);
}

static SYS_HANDLER(ia32_readv) { (void)cpu; return ia32_rwv(SYS_readv, a, 1); }
static SYS_HANDLER(ia32_writev) { (void)cpu; return ia32_rwv(SYS_writev, a, 0); }

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence). */
static SYS_HANDLER(ia32_llseek)
{
    const uint64_t l[3] = { a[0], a[1] << 32 | a[2], a[4] };
    int64_t pos = sys_lseek(cpu, l);
    if (pos < 0)
        return pos;
    return sys_copy_out(a[3], &pos, sizeof pos) ? -EFAULT : 0;
}

/* ---- the table ---- */

#define FWD(nr, name, nr64, fmt) { { nr, name, NULL, fmt }, nr64, NULL, false }
#define FIX(nr, name, nr64, fmt, fix) { { nr, name, NULL, fmt }, nr64, fix, false }
#define OWN(nr, name, fn, fmt) { { nr, name, fn, fmt }, -1, NULL, false }
/* ... converting, after the pointer checks and ferry-fd guard of nr64 */
#define CONV(nr, name, fn, fmt, nr64) { { nr, name, fn, fmt }, nr64, NULL, false }
/* ... the ferry-fd guard only (a 32-bit vector the 64-bit checks cannot read) */
#define RAW(nr, name, fn, fmt, nr64) { { nr, name, fn, fmt }, nr64, NULL, true }

static const struct sys_ia32_row sys_ia32_table[] = {
    FWD(1, "exit", 60, "!d"),
    FWD(3, "read", 0, "dpu"),
    FWD(4, "write", 1, "dpu"),
    FWD(5, "open", 2, "sOo"),
    FWD(6, "close", 3, "d"),
    FWD(8, "creat", 85, "so"),
    FWD(9, "link", 86, "ss"),
    FWD(10, "unlink", 87, "s"),
    FWD(12, "chdir", 80, "s"),
    OWN(13, "time", ia32_time, "p"),
    FWD(15, "chmod", 90, "so"),
    FIX(19, "lseek", 8, "dld", fix_lseek),
    FWD(20, "getpid", 39, ""),
    FWD(27, "alarm", 37, "u"),
    FWD(29, "pause", 34, ""),
    FWD(33, "access", 21, "so"),
    FWD(36, "sync", 162, ""),
    FWD(37, "kill", 62, "dS"),
    FWD(38, "rename", 82, "ss"),
    FWD(39, "mkdir", 83, "so"),
    FWD(40, "rmdir", 84, "s"),
    FWD(41, "dup", 32, "d"),
    FWD(42, "pipe", 22, "p"),
    FWD(45, "brk", 12, "p=x"),
    FWD(57, "setpgid", 109, "dd"),
    FWD(60, "umask", 95, "o"),
    FWD(63, "dup2", 33, "dd"),
    FWD(64, "getppid", 110, ""),
    FWD(65, "getpgrp", 111, ""),
    FWD(66, "setsid", 112, ""),
    OWN(78, "gettimeofday", ia32_gettimeofday, "pp"),
    FWD(83, "symlink", 88, "ss"),
    FWD(85, "readlink", 89, "spu"),
    OWN(90, "mmap", ia32_old_mmap, "p=x"),
    FWD(91, "munmap", 11, "px"),
    FWD(94, "fchmod", 91, "do"),
    FWD(118, "fsync", 74, "d"),
    FWD(122, "uname", 63, "p"),
    FWD(125, "mprotect", 10, "pxP"),
    FWD(132, "getpgid", 121, "d"),
    FWD(133, "fchdir", 81, "d"),
    OWN(140, "_llseek", ia32_llseek, "dxxpd"),
    RAW(145, "readv", ia32_readv, "dpd", 19),
    RAW(146, "writev", ia32_writev, "dpd", 20),
    FWD(147, "getsid", 124, "d"),
    FWD(148, "fdatasync", 75, "d"),
    FWD(158, "sched_yield", 24, ""),
    FWD(172, "prctl", 157, "dxxxx"),
    FWD(175, "rt_sigprocmask", 14, "dppu"),
    FIX(180, "pread64", 17, "dpuxx", fix_pos64),
    FIX(181, "pwrite64", 18, "dpuxx", fix_pos64),
    FWD(183, "getcwd", 79, "pu"),
    OWN(192, "mmap2", ia32_mmap2, "pxPMdx=x"),
    CONV(195, "stat64", ia32_stat64, "sp", 4),
    CONV(196, "lstat64", ia32_lstat64, "sp", 6),
    CONV(197, "fstat64", ia32_fstat64, "dp", 5),
    FWD(199, "getuid32", 102, ""),
    FWD(200, "getgid32", 104, ""),
    FWD(201, "geteuid32", 107, ""),
    FWD(202, "getegid32", 108, ""),
    FWD(219, "madvise", 28, "pxd"),
    FWD(224, "gettid", 186, ""),
    FWD(252, "exit_group", 231, "!d"),
    FWD(258, "set_tid_address", 218, "p"),
    OWN(265, "clock_gettime", ia32_clock_gettime, "dp"),
    OWN(266, "clock_getres", ia32_clock_getres, "dp"),
    FWD(270, "tgkill", 234, "ddS"),
    FWD(295, "openat", 257, "dsOo"),
    FWD(296, "mkdirat", 258, "dso"),
    CONV(300, "fstatat64", ia32_fstatat64, "dspx", 262),
    FWD(301, "unlinkat", 263, "dsx"),
    FWD(302, "renameat", 264, "dsds"),
    FWD(307, "faccessat", 269, "dso"),
    FWD(330, "dup3", 292, "ddx"),
    FWD(331, "pipe2", 293, "px"),
    FWD(355, "getrandom", 318, "pux"),
    FWD(403, "clock_gettime64", 228, "dp"),
    FWD(406, "clock_getres_time64", 229, "dp"),
};

const size_t sys_ia32_table_len = sizeof sys_ia32_table / sizeof sys_ia32_table[0];

static const struct sys_ia32_row *sys_ia32_lookup(uint64_t nr)
{
    for (size_t i = 0; i < sys_ia32_table_len; i++)
        if (sys_ia32_table[i].e.nr == nr)
            return &sys_ia32_table[i];
    return NULL;
}

/* For the unit test: the i-th row's number and name (NULL past the end). */
const char *sys_ia32_row_name(size_t i, unsigned *nr)
{
    if (i >= sys_ia32_table_len)
        return NULL;
    *nr = sys_ia32_table[i].e.nr;
    return sys_ia32_table[i].e.name;
}

/* The call itself: a forwarded one goes through the x86-64 handler's
 * guest-pointer checks (sys_guest_args_fix) and ferry-fd guard. */
static int64_t sys_ia32_run(struct x86_cpu *cpu, const struct sys_ia32_row *r, uint64_t *a)
{
    if (!r)
        return -ENOSYS;
    if (r->e.handler && r->nr64 < 0)
        return r->e.handler(cpu, a);
    const struct sys_entry *e64 = sys_lookup((uint64_t)r->nr64);
    if (!e64 || !e64->handler)
        return -ENOSYS;
    if (r->fix)
        r->fix(a);
    if (sys_ferry_fd_arg(e64->nr, a))
        return -EBADF;
    void *fixed = r->raw ? NULL : sys_guest_args_fix(e64, a);
    int64_t ret = r->e.handler ? r->e.handler(cpu, a) : e64->handler(cpu, a);
    sys_guest_args_done(fixed, ret);
    return ret;
}

/* The fast entries (sysenter, a compat syscall), as Linux's
 * do_fast_syscall_32: ebp is reloaded from [ebp] (sysenter, whose esp
 * the vDSO passed in ebp) or [esp] (syscall) -- the caller's ebp, arg 6.
 * false: that read faulted (the call is -EFAULT, not made). */
static bool sys_ia32_fast_args(struct x86_cpu *cpu, int kind, uint64_t *a)
{
    if (kind == X86_IA32_SYSENTER)      /* do_SYSENTER_32: regs->sp = regs->bp */
        cpu->regs[X86_RSP] = cpu->regs[X86_RBP];
    else                                /* ecx holds the return eip */
        a[1] = (uint32_t)cpu->regs[X86_RBP];
    uint32_t bp = 0;
    if (sys_copy_in(&bp, (uint32_t)cpu->regs[X86_RSP], 4))
        return false;
    cpu->regs[X86_RBP] = (cpu->regs[X86_RBP] & ~0xffffffffull) | bp;    /* a u32 store */
    a[5] = bp;
    return true;
}

/* The arguments as the entry takes them (32 bits each); false: a fast
 * entry's ebp could not be read. */
static bool sys_ia32_args(struct x86_cpu *cpu, int kind, uint64_t *a)
{
    static const int reg[6] = { X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_RBP };
    for (int i = 0; i < 6; i++)
        a[i] = (uint32_t)cpu->regs[reg[i]];
    return kind == X86_IA32_INT80 || sys_ia32_fast_args(cpu, kind, a);
}

/* A fast entry's return (ret: the result, or restart): to the vDSO's
 * landing pad (restart: the int $0x80 before it); through sysretl when
 * it lands there, Linux's opportunistic path: rcx the pad, r11 the flags,
 * r8-r15 zero (pt_regs' r12-r15 are never reloaded, r8-r10 are cleared:
 * measured); else iret, which restores them (the -EFAULT of an
 * unreadable ebp, a restart). */
static void sys_ia32_fast_return(struct x86_cpu *cpu, bool sysret, bool restart)
{
    uint64_t pad = sys_vdso_landing_pad();
    x86_set_compat_mode(cpu, true);     /* pt_regs->cs is __USER32_CS on either path */
    cpu->regs[X86_RSP] = (uint32_t)cpu->regs[X86_RSP];     /* sysretl's esp; iret into */
    cpu->sel[X86_SREG_SS] = 0x2b;                           /* 32-bit code too (measured) */
    cpu->rt.pc = (uint32_t)(restart ? pad - 2 : pad);
    if (!sysret || restart)
        return;
    cpu->regs[X86_RCX] = pad;
    cpu->regs[X86_R11] = x86_get_eflags(cpu);
    for (int r = X86_R8; r <= X86_R15; r++)
        if (r != X86_R11)
            cpu->regs[r] = 0;
}

/* An i386 entry where the kernel runs no i386 calls (x86_machine_ia32
 * false; translation assumed it could): the fault the instruction gives
 * there -- int $0x80 #GP(0x402) as any closed gate, sysenter #UD. */
static void sys_ia32_gate_closed(struct x86_cpu *cpu, int kind, unsigned len)
{
    cpu->rt.pc -= len;
    if (kind == X86_IA32_INT80)
        cpu->rt.fault.err = 0x80 * 8 + 2;
    tr_exit_fault(&cpu->rt, kind == X86_IA32_INT80 ? TR_EXIT_SIGSEGV : TR_EXIT_SIGILL);
    sys_cpu_fault(cpu);
}

void sys_ia32_syscall(struct x86_cpu *cpu)
{
    int kind = X86_IA32_KIND(cpu->ia32_call);
    unsigned len = X86_IA32_LEN(cpu->ia32_call);
    cpu->ia32_call = 0;
    if (!x86_machine_ia32()) {
        sys_ia32_gate_closed(cpu, kind, len);
        return;
    }
    const uint64_t rax = cpu->regs[X86_RAX], nr = (uint32_t)rax;
    uint64_t a[6], shown[6];
    bool fast = kind != X86_IA32_INT80;
    if (kind == X86_IA32_SYSCALL)       /* the iret path's r11: SYSCALL put the flags there */
        cpu->regs[X86_R11] = x86_get_eflags(cpu);
    if (!sys_ia32_args(cpu, kind, a)) {
        cpu->regs[X86_RAX] = (uint64_t)-EFAULT;
        if (kind == X86_IA32_SYSCALL)   /* pt_regs->cx: ebp */
            cpu->regs[X86_RCX] = a[1];
        sys_ia32_fast_return(cpu, false, false);
        sys_signal_deliver_pending(cpu);
        return;
    }
    memcpy(shown, a, sizeof a);
    const struct sys_ia32_row *r = sys_ia32_lookup(nr);
    const struct sys_entry *e = r ? &r->e : NULL;
    if (ferry_opts.strace)
        sys_strace_call(e, nr, shown);
    int64_t ret = sys_ia32_run(cpu, r, a);
    if (ferry_opts.strace)
        sys_strace_result(e, nr, shown, ret);
    bool woken = ret == -TR_SYSCALL_WOKEN;
    uint64_t nr64 = r && r->nr64 >= 0 ? (uint64_t)r->nr64 : ~0ull;
    if (!sys_regs_restored && (woken || (ret == -EINTR && sys_signal_restart(nr64)))) {
        cpu->regs[X86_RAX] = rax;           /* int $0x80 / syscall again: 2 bytes */
        if (kind == X86_IA32_SYSCALL)
            cpu->regs[X86_RCX] = shown[1];
        if (fast)
            sys_ia32_fast_return(cpu, false, true);
        else
            cpu->rt.pc -= 2;
    } else if (!sys_regs_restored) {
        cpu->regs[X86_RAX] = (uint64_t)ret;
        if (fast)
            sys_ia32_fast_return(cpu, true, false);
    }
    sys_regs_restored = false;
    sys_signal_deliver_pending(cpu);
}
