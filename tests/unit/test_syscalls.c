/* test_syscalls.c -- the syscall layer against the host kernel (x86-64,
 * so the host's own structures and numbers are the oracle): the table
 * against <asm/unistd_64.h>, struct conversions against native calls,
 * the emulated brk, arch_prctl, strace's output format. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "frontend.h"
#include "options.h"
#include "sys_internal.h"
#include "sys_conv.h"
#include "syscalls.h"

#define UNISTD_64 "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

/* Runs guest syscall nr through the dispatcher. */
static int64_t guest_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    static struct x86_cpu cpu;
    cpu.regs[X86_RAX] = nr;
    cpu.regs[X86_RDI] = a0;
    cpu.regs[X86_RSI] = a1;
    cpu.regs[X86_RDX] = a2;
    cpu.regs[X86_R10] = a3;
    sys_x86_64_syscall(&cpu);
    return (int64_t)cpu.regs[X86_RAX];
}

#define P(x) ((uint64_t)(uintptr_t)(x))

/* The native kernel's answer to the same call, as -errno or the value. */
#define NATIVE(call) ((call) == -1 ? -(int64_t)errno : 0)

Test(syscalls, table_numbers_unique_and_named_as_the_kernel)
{
    FILE *f = fopen(UNISTD_64, "r");
    cr_assert(f, "cannot read " UNISTD_64);
    char line[256], name[128];
    unsigned nr, seen = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "#define __NR_%127s %u", name, &nr) != 2)
            continue;
        const struct sys_entry *e = sys_lookup(nr);
        cr_assert(e, "no row for %s (%u)", name, nr);
        cr_expect_str_eq(e->name, name, "row %u", nr);
        seen++;
    }
    fclose(f);
    cr_assert_eq(seen, sys_table_len, "the table has rows the kernel does not");
    for (size_t i = 0; i < sys_table_len; i++)
        for (size_t j = i + 1; j < sys_table_len; j++)
            cr_assert_neq(sys_table[i].nr, sys_table[j].nr, "%s and %s", sys_table[i].name,
                          sys_table[j].name);
}

#define UNISTD_32 "/usr/include/x86_64-linux-gnu/asm/unistd_32.h"

/* The i386 table (sys_ia32.c): each row's number names the kernel's call. */
Test(syscalls, ia32_rows_named_as_the_kernel)
{
    static char names[1024][64];
    FILE *f = fopen(UNISTD_32, "r");
    cr_assert(f, "cannot read " UNISTD_32);
    char line[256], name[64];
    unsigned nr, rows = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "#define __NR_%63s %u", name, &nr) == 2 && nr < 1024)
            strcpy(names[nr], name);
    fclose(f);
    const char *row;
    for (size_t i = 0; (row = sys_ia32_row_name(i, &nr)); i++, rows++) {
        cr_assert_lt(nr, 1024);
        cr_expect_str_eq(row, names[nr], "i386 row %u", nr);
    }
    cr_expect_gt(rows, 60);
}

/* After EMFILE the dispatcher makes a call again (once ferry gave its own
 * numbers up) only if the call took a new number before anything else:
 * exactly these rows, the descriptor-making calls ferry implements. */
Test(syscalls, only_calls_that_take_a_number_first_are_made_again)
{
    static const char *const first[] = {
        "open", "creat", "openat", "dup", "dup2", "dup3", "fcntl", "pipe", "pipe2", "socket",
        "socketpair", "accept", "accept4", "epoll_create", "epoll_create1", "eventfd", "eventfd2",
        "signalfd", "signalfd4", "timerfd_create", "inotify_init", "inotify_init1",
        "memfd_create", "mq_open", "io_uring_setup", "pidfd_open", "pidfd_getfd", NULL,
    };
    size_t marked = 0, listed = 0;
    for (size_t i = 0; i < sys_table_len; i++) {
        bool in_list = false;
        for (size_t k = 0; first[k]; k++)
            in_list |= !strcmp(first[k], sys_table[i].name);
        cr_expect_eq(sys_table[i].new_fd, in_list, "%s", sys_table[i].name);
        cr_expect(!sys_table[i].new_fd || sys_table[i].handler, "%s", sys_table[i].name);
        marked += sys_table[i].new_fd;
    }
    while (first[listed])
        listed++;
    cr_expect_eq(marked, listed);
}

Test(syscalls, formats_have_at_most_six_arguments)
{
    for (size_t i = 0; i < sys_table_len; i++) {
        const char *f = sys_table[i].fmt;
        if (!f)
            continue;
        size_t n = strcspn(f[0] == '!' ? f + 1 : f, "=");
        cr_expect_leq(n, 6, "%s", sys_table[i].name);
    }
}

Test(syscalls, unknown_numbers_are_enosys_and_rcx_r11_set)
{
    struct x86_cpu cpu = { .rt.pc = 0x401234 };
    cpu.regs[X86_RAX] = 999;
    sys_x86_64_syscall(&cpu);
    cr_assert_eq((int64_t)cpu.regs[X86_RAX], -ENOSYS);
    cr_assert_eq(cpu.regs[X86_RCX], 0x401234);
    cr_assert_eq(guest_syscall(1u << 30 | 1, 1, 0, 0, 0), -ENOSYS, "x32 numbers");
    cr_assert_eq(guest_syscall(__NR_rseq, 0, 0, 0, 0), -ENOSYS);
}

static void check_stat_like_native(int64_t r, const struct x86_64_stat *g, const struct stat *h)
{
    _Static_assert(sizeof(struct stat) == sizeof(struct x86_64_stat), "x86-64 host");
    cr_assert_eq(r, 0);
    cr_assert(memcmp(g, h, sizeof *g) == 0, "guest stat differs from the native one");
}

Test(syscalls, stat_family_matches_native)
{
    char path[] = "/tmp/ferry-stat-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(write(fd, "hello", 5) == 5);
    struct stat h;
    struct x86_64_stat g;
    cr_assert(fstat(fd, &h) == 0);
    check_stat_like_native(guest_syscall(__NR_fstat, fd, P(&g), 0, 0), &g, &h);
    check_stat_like_native(guest_syscall(__NR_stat, P(path), P(&g), 0, 0), &g, &h);
    check_stat_like_native(guest_syscall(__NR_lstat, P(path), P(&g), 0, 0), &g, &h);
    check_stat_like_native(guest_syscall(__NR_newfstatat, (uint64_t)AT_FDCWD, P(path), P(&g), 0),
                           &g, &h);
    cr_assert_eq(guest_syscall(__NR_stat, P("/nonexistent/x"), P(&g), 0, 0),
                 NATIVE(stat("/nonexistent/x", &h)));
    cr_assert_eq(guest_syscall(__NR_fstat, fd, 8, 0, 0), NATIVE(syscall(SYS_fstat, fd, 8)));
    close(fd);
    unlink(path);
}

Test(syscalls, open_flags_round_trip_like_native)
{
    int64_t fd = guest_syscall(__NR_openat, (uint64_t)AT_FDCWD, P("/tmp"),
                               O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    int native = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cr_assert_eq(guest_syscall(__NR_fcntl, fd, F_GETFL, 0, 0), fcntl(native, F_GETFL));
    cr_assert_eq(guest_syscall(__NR_fcntl, fd, F_GETFD, 0, 0), FD_CLOEXEC);
    cr_assert_eq(guest_syscall(__NR_open, P("/dev/null"), O_RDONLY | O_DIRECTORY, 0, 0),
                 NATIVE(open("/dev/null", O_RDONLY | O_DIRECTORY)));
    cr_assert_eq(guest_syscall(__NR_fcntl, fd, 12345, 0, 0), NATIVE(fcntl(native, 12345)));
    close((int)fd);
    close(native);
}

Test(syscalls, uname_says_x86_64_and_matches_native)
{
    struct utsname g, h;
    cr_assert(uname(&h) == 0);
    cr_assert_eq(guest_syscall(__NR_uname, P(&g), 0, 0, 0), 0);
    cr_assert_str_eq(g.machine, "x86_64");
    cr_assert_str_eq(g.sysname, h.sysname);
    cr_assert_str_eq(g.release, h.release);
    cr_assert_str_eq(g.nodename, h.nodename);
}

/* Mapping syscalls tell the engine (tr_map_changed): give them one. */
static void need_engine(void)
{
    static const struct tr_engine_config cfg = { .guest = &fe_x86_64, .code_cache_size = 1 << 20 };
    if (!sys_engine)
        sys_engine = tr_engine_new(&cfg);
}

Test(syscalls, brk_grows_shrinks_and_refuses_below_start)
{
    need_engine();
    void *area = mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t start = P(area);
    munmap(area, 1 << 20);      /* a hole ferry may grow into */
    sys_proc.brk_start = sys_proc.brk_cur = sys_proc.brk_mapped = start;
    cr_assert_eq(guest_syscall(__NR_brk, 0, 0, 0, 0), start);
    cr_assert_eq(guest_syscall(__NR_brk, start + 10000, 0, 0, 0), start + 10000);
    memset(area, 0xab, 10000);
    cr_assert_eq(guest_syscall(__NR_brk, start + 100, 0, 0, 0), start + 100);
    cr_assert_eq(guest_syscall(__NR_brk, start + 8192, 0, 0, 0), start + 8192);
    cr_assert_eq(((uint8_t *)area)[5000], 0, "pages given back come back zeroed");
    cr_assert_eq(guest_syscall(__NR_brk, start - 4096, 0, 0, 0), start + 8192);
    /* growing into someone else's mapping fails and keeps the break */
    void *block = mmap((void *)(uintptr_t)(start + 65536), 4096, PROT_READ,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    cr_assert_eq(P(block), start + 65536);
    cr_assert_eq(guest_syscall(__NR_brk, start + 200000, 0, 0, 0), start + 8192);
}

Test(syscalls, arch_prctl_fs_gs)
{
    struct x86_cpu cpu = { 0 };
    uint64_t got = 0;
    cpu.regs[X86_RAX] = __NR_arch_prctl, cpu.regs[X86_RDI] = 0x1002, cpu.regs[X86_RSI] = 0x1234;
    sys_x86_64_syscall(&cpu);
    cr_assert_eq(cpu.fs_base, 0x1234);
    cpu.regs[X86_RAX] = __NR_arch_prctl, cpu.regs[X86_RDI] = 0x1003, cpu.regs[X86_RSI] = P(&got);
    sys_x86_64_syscall(&cpu);
    cr_assert_eq(got, 0x1234);
    cpu.regs[X86_RAX] = __NR_arch_prctl, cpu.regs[X86_RDI] = 0x1001, cpu.regs[X86_RSI] = 77;
    sys_x86_64_syscall(&cpu);
    cr_assert_eq(cpu.gs_base, 77);
    cpu.regs[X86_RAX] = __NR_arch_prctl, cpu.regs[X86_RDI] = 0x9999;
    sys_x86_64_syscall(&cpu);
    cr_assert_eq((int64_t)cpu.regs[X86_RAX], -EINVAL);
}

Test(syscalls, readlink_proc_self_exe_is_the_guest)
{
    char buf[64];
    sys_proc.exe_path = "/opt/guest/prog";
    int64_t n = guest_syscall(__NR_readlink, P("/proc/self/exe"), P(buf), sizeof buf, 0);
    cr_assert_eq(n, 15);
    cr_assert(memcmp(buf, "/opt/guest/prog", 15) == 0);
    cr_assert_eq(guest_syscall(__NR_readlinkat, (uint64_t)AT_FDCWD, P("/proc/self/exe"), P(buf), 4),
                 4);
}

Test(syscalls, getdents_matches_getdents64_names)
{
    char a[8192], b[8192];
    int fd1 = open("/", O_RDONLY | O_DIRECTORY), fd2 = open("/", O_RDONLY | O_DIRECTORY);
    int64_t n1 = guest_syscall(__NR_getdents, fd1, P(a), sizeof a, 0);
    int64_t n2 = syscall(SYS_getdents64, fd2, b, sizeof b);
    cr_assert_gt(n1, 0);
    for (int64_t p1 = 0, p2 = 0; p2 < n2; ) {
        cr_assert_lt(p1, n1);
        uint16_t r1, r2;
        memcpy(&r1, a + p1 + 16, 2), memcpy(&r2, b + p2 + 16, 2);
        cr_assert_str_eq(a + p1 + 18, b + p2 + 19);
        cr_assert_eq(a[p1 + r1 - 1], b[p2 + 18], "d_type");
        cr_assert(memcmp(a + p1, b + p2, 8) == 0, "d_ino");
        p1 += r1, p2 += r2;
    }
    close(fd1), close(fd2);
}

Test(syscalls, rt_sigaction_records_and_returns_old)
{
    uint64_t act[4] = { 1 /* SIG_IGN */, 0x04000000, 0x401000, 0 }, old[4] = { 9, 9, 9, 9 };
    cr_assert_eq(guest_syscall(__NR_rt_sigaction, 10, P(act), 0, 8), 0);
    cr_assert_eq(guest_syscall(__NR_rt_sigaction, 10, 0, P(old), 8), 0);
    cr_assert(memcmp(act, old, sizeof act) == 0);
    cr_assert_eq(guest_syscall(__NR_rt_sigaction, 9, P(act), 0, 8), -EINVAL, "SIGKILL");
    cr_assert_eq(guest_syscall(__NR_rt_sigaction, 10, P(act), 0, 16), -EINVAL, "sigsetsize");
    /* ignored by the guest: kill to self is a no-op */
    cr_assert_eq(guest_syscall(__NR_kill, getpid(), 10, 0, 0), 0);
}

Test(syscalls, kill_self_takes_the_default_action, .signal = SIGTERM)
{
    guest_syscall(__NR_kill, getpid(), SIGTERM, 0, 0);
}

Test(syscalls, exit_group_ends_with_the_status, .exit_code = 42)
{
    guest_syscall(__NR_exit_group, 42, 0, 0, 0);
}

Test(syscalls, ioctl_unknown_and_winsize)
{
    int fd = open("/dev/null", O_RDONLY);
    char ws[8];
    cr_assert_eq(guest_syscall(__NR_ioctl, fd, 0x12345678, 0, 0),
                 NATIVE(ioctl(fd, 0x12345678, 0)));
    cr_assert_eq(guest_syscall(__NR_ioctl, 12345, 0x5413, P(ws), 0),
                 NATIVE(ioctl(12345, 0x5413, ws)));
    cr_assert_eq(guest_syscall(__NR_ioctl, fd, 0x5413, P(ws), 0), NATIVE(ioctl(fd, 0x5413, ws)),
                 "not a tty");
    close(fd);
}

Test(syscalls, pipe_write_read_and_poll)
{
    int fds[2];
    char buf[8] = { 0 };
    cr_assert_eq(guest_syscall(__NR_pipe2, P(fds), 02000000 /* O_CLOEXEC */, 0, 0), 0);
    cr_assert_eq(fcntl(fds[0], F_GETFD), FD_CLOEXEC);
    cr_assert_eq(guest_syscall(__NR_write, fds[1], P("hey"), 3, 0), 3);
    struct { int fd; short events, revents; } pfd = { fds[0], 1, 0 };
    cr_assert_eq(guest_syscall(__NR_poll, P(&pfd), 1, 0, 0), 1);
    cr_assert_eq(pfd.revents, 1);
    cr_assert_eq(guest_syscall(__NR_read, fds[0], P(buf), sizeof buf, 0), 3);
    cr_assert_str_eq(buf, "hey");
    close(fds[0]), close(fds[1]);
}

Test(syscalls, execve_refuses_like_the_kernel)
{
    char *argv[] = { "x", NULL }, plain[] = "/tmp/ferry-noexec-XXXXXX";
    close(mkstemp(plain));
    cr_assert_eq(guest_syscall(__NR_execve, P("/nonexistent"), P(argv), 0, 0),
                 NATIVE(execve("/nonexistent", argv, NULL)));
    cr_assert_eq(guest_syscall(__NR_execve, P(plain), P(argv), 0, 0),
                 NATIVE(execve(plain, argv, NULL)), "not executable");
    chmod(plain, 0755);
    cr_assert_eq(guest_syscall(__NR_execve, P(plain), P(argv), 0, 0),
                 NATIVE(execve(plain, argv, NULL)), "empty file");
    unlink(plain);
}

static char strace_buf[4096];

static void strace_to_buffer(void)
{
    ferry_opts.strace = true;
    ferry_log = fmemopen(strace_buf, sizeof strace_buf, "w");
}

Test(syscalls, strace_lines_look_like_qemu)
{
    strace_to_buffer();
    int fd = open("/dev/null", O_WRONLY);
    guest_syscall(__NR_write, fd, 0x4a2000, 0, 0);
    guest_syscall(__NR_openat, (uint64_t)AT_FDCWD, P("/nope"), 02000000, 0);
    guest_syscall(444, 1, 2, 0, 0);
    fclose(ferry_log);
    char want[1024];
    snprintf(want, sizeof want,
             "%d write(%d,0x4a2000,0) = 0\n"
             "%d openat(AT_FDCWD,\"/nope\",O_RDONLY|O_CLOEXEC,0) = -1 errno=2 (No such file or directory)\n"
             "%d landlock_create_ruleset(0x1,0x2,0,0,0,0) = -1 errno=38 (Function not implemented)\n",
             getpid(), fd, getpid(), getpid());
    cr_assert_str_eq(strace_buf, want);
}

Test(syscalls, strace_unknown_number)
{
    strace_to_buffer();
    guest_syscall(500, 7, 0, 0, 0);
    fclose(ferry_log);
    char want[256];
    snprintf(want, sizeof want,
             "%d syscall_500(0x7,0,0,0,0,0) = -1 errno=38 (Function not implemented)\n", getpid());
    cr_assert_str_eq(strace_buf, want);
}

Test(syscalls, bad_pointers_give_efault_not_a_crash)
{
    void *none = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct x86_64_stat g;
    struct utsname u;
    int fd = open("/dev/null", O_RDONLY);
    cr_assert_eq(guest_syscall(__NR_fstat, fd, P(none), 0, 0), NATIVE(syscall(SYS_fstat, fd, none)));
    cr_assert_eq(guest_syscall(__NR_uname, P(ro), 0, 0, 0), NATIVE(syscall(SYS_uname, ro)));
    cr_assert_eq(guest_syscall(__NR_readlink, P(none), P(&u), 10, 0),
                 NATIVE(readlink(none, (char *)&u, 10)));
    cr_assert_eq(guest_syscall(__NR_openat, (uint64_t)AT_FDCWD, P(none), 0, 0),
                 NATIVE(open(none, 0)));
    cr_assert_eq(guest_syscall(__NR_fstat, fd, P(&g), 0, 0), 0, "good pointers still work");
    strace_to_buffer();
    guest_syscall(__NR_openat, (uint64_t)AT_FDCWD, P(none), 0, 0);
    cr_assert_eq(guest_syscall(__NR_execve, P("/bin/true"), P(none), 0, 0),
                 NATIVE(execve("/bin/true", none, NULL)));
    guest_syscall(__NR_execve, P(none), P(none), P(none), 0);
    fclose(ferry_log);
    cr_assert(strstr(strace_buf, "openat(AT_FDCWD,0x"), "%s", strace_buf);
    close(fd);
}

/* The frame must read like the kernel's to code compiled against glibc's
 * <sys/ucontext.h> and <signal.h> (the native layouts are the oracle). */
#include <sys/ucontext.h>

static uint8_t sig_stack[65536] __attribute__((aligned(16)));

static struct x86_cpu *cpu_for_signals(void)
{
    static struct x86_cpu cpu;
    memset(&cpu, 0, sizeof cpu);
    for (int i = 0; i < 16; i++)
        cpu.regs[i] = 0x1000 + (uint64_t)i;
    cpu.regs[X86_RSP] = P(sig_stack + sizeof sig_stack - 256);
    cpu.rt.pc = 0x401234;
    cpu.xmm[3].q[0] = 0x3333;
    cpu.mxcsr = 0x1f80;
    cpu.sel[X86_SREG_SS] = 0x2b;        /* __USER_DS, as the frontend's reset sets it */
    return &cpu;
}

static void install_guest_handler(int sig, uint64_t flags)
{
    uint64_t act[4] = { 0x402000 /* handler */, flags | 0x04000000 /* SA_RESTORER */,
                        0x403000 /* restorer */, 0 };
    cr_assert_eq(guest_syscall(__NR_rt_sigaction, (uint64_t)sig, P(act), 0, 8), 0);
}

Test(syscalls, fault_frame_reads_like_the_kernels)
{
    struct x86_cpu *cpu = cpu_for_signals();
    uint64_t old_rsp = cpu->regs[X86_RSP];
    install_guest_handler(SIGFPE, SA_SIGINFO);
    cr_assert(sys_signal_fault(cpu, SIGFPE, 0x401234));
    cr_assert_eq(cpu->rt.pc, 0x402000);
    cr_assert_eq((cpu->regs[X86_RSP] + 8) % 16, 0, "aligned as at a function entry");
    cr_assert_lt(cpu->regs[X86_RSP], old_rsp - 128, "below the red zone");
    cr_assert_eq(*(uint64_t *)(uintptr_t)cpu->regs[X86_RSP], 0x403000, "returns to the restorer");
    cr_assert_eq(cpu->regs[X86_RDI], SIGFPE);
    const siginfo_t *si = (const siginfo_t *)(uintptr_t)cpu->regs[X86_RSI];
    cr_assert_eq(si->si_signo, SIGFPE);
    cr_assert_eq(si->si_code, FPE_INTDIV);
    cr_assert_eq(P(si->si_addr), 0x401234);
    const ucontext_t *uc = (const ucontext_t *)(uintptr_t)cpu->regs[X86_RDX];
    cr_assert_eq(uc->uc_mcontext.gregs[REG_RIP], 0x401234);
    cr_assert_eq(uc->uc_mcontext.gregs[REG_RSP], (greg_t)old_rsp);
    cr_assert_eq(uc->uc_mcontext.gregs[REG_RAX], 0x1000);
    cr_assert_eq(uc->uc_mcontext.gregs[REG_R15], 0x100f);
    cr_assert_eq(uc->uc_mcontext.fpregs->mxcsr, 0x1f80);
    cr_assert_eq(uc->uc_mcontext.fpregs->_xmm[3].element[0], 0x3333);
    cr_assert(sigismember((const sigset_t *)&uc->uc_sigmask, SIGFPE) == 0, "old mask saved");
}

Test(syscalls, sigreturn_restores_everything)
{
    struct x86_cpu *cpu = cpu_for_signals(), before = *cpu;
    install_guest_handler(SIGFPE, 0);
    cr_assert(sys_signal_fault(cpu, SIGFPE, 0));
    cr_assert(!sys_signal_fault(cpu, SIGFPE, 0), "blocked inside its own handler");
    cpu->xmm[3].q[0] = 0;
    cpu->regs[X86_RSP] += 8;                        /* the handler's ret */
    cpu->regs[X86_RAX] = __NR_rt_sigreturn;
    sys_x86_64_syscall(cpu);
    cr_assert(memcmp(cpu->regs, before.regs, sizeof cpu->regs) == 0);
    cr_assert_eq(cpu->rt.pc, before.rt.pc);
    cr_assert_eq(cpu->xmm[3].q[0], 0x3333);
    cr_assert(sys_signal_fault(cpu, SIGFPE, 0), "unblocked again");
}

Test(syscalls, kill_self_runs_the_handler_after_the_syscall)
{
    struct x86_cpu *cpu = cpu_for_signals();
    install_guest_handler(SIGUSR1, 0);
    cpu->regs[X86_RAX] = __NR_kill;
    cpu->regs[X86_RDI] = (uint64_t)getpid();
    cpu->regs[X86_RSI] = SIGUSR1;
    sys_x86_64_syscall(cpu);
    cr_assert_eq(cpu->rt.pc, 0x402000);
    const ucontext_t *uc = (const ucontext_t *)(uintptr_t)cpu->regs[X86_RDX];
    cr_assert_eq(uc->uc_mcontext.gregs[REG_RAX], 0, "kill's result is saved");
    cr_assert_eq(uc->uc_mcontext.gregs[REG_RCX], 0x401234, "rcx = next pc, as SYSCALL does");
    const siginfo_t *si = (const siginfo_t *)(uintptr_t)cpu->regs[X86_RSI];
    cr_assert_eq(si->si_code, SI_USER);
    cr_assert_eq(si->si_pid, getpid());
}

Test(syscalls, blocked_signal_waits_until_unblocked)
{
    struct x86_cpu *cpu = cpu_for_signals();
    uint64_t set = 1ull << (SIGUSR2 - 1), pending = 0;
    install_guest_handler(SIGUSR2, 0);
    cr_assert_eq(guest_syscall(__NR_rt_sigprocmask, SIG_BLOCK, P(&set), 0, 8), 0);
    cr_assert_eq(guest_syscall(__NR_tgkill, (uint64_t)getpid(), (uint64_t)gettid(), SIGUSR2, 0), 0);
    cr_assert_eq(guest_syscall(__NR_rt_sigpending, P(&pending), 8, 0, 0), 0);
    cr_assert_eq(pending, set);
    cpu->regs[X86_RAX] = __NR_rt_sigprocmask;
    cpu->regs[X86_RDI] = SIG_UNBLOCK, cpu->regs[X86_RSI] = P(&set);
    cpu->regs[X86_RDX] = 0, cpu->regs[X86_R10] = 8;
    sys_x86_64_syscall(cpu);
    cr_assert_eq(cpu->rt.pc, 0x402000);
}

Test(syscalls, sigsuspend_delivers_and_the_frame_keeps_the_old_mask)
{
    struct x86_cpu *cpu = cpu_for_signals();
    uint64_t usr1 = 1ull << (SIGUSR1 - 1), none = 0;
    install_guest_handler(SIGUSR1, 0);
    cr_assert_eq(guest_syscall(__NR_rt_sigprocmask, SIG_BLOCK, P(&usr1), 0, 8), 0);
    cr_assert_eq(guest_syscall(__NR_kill, (uint64_t)getpid(), SIGUSR1, 0, 0), 0);
    cpu->regs[X86_RAX] = __NR_rt_sigsuspend;
    cpu->regs[X86_RDI] = P(&none), cpu->regs[X86_RSI] = 8;
    sys_x86_64_syscall(cpu);
    cr_assert_eq(cpu->rt.pc, 0x402000);
    const ucontext_t *uc = (const ucontext_t *)(uintptr_t)cpu->regs[X86_RDX];
    cr_assert_eq(uc->uc_mcontext.gregs[REG_RAX], -EINTR);
    cr_assert_eq(sigismember((const sigset_t *)&uc->uc_sigmask, SIGUSR1), 1);
}

Test(syscalls, socketpair_carries_data)
{
    int sv[2];
    char buf[8] = { 0 };
    cr_assert_eq(guest_syscall(__NR_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, P(sv)), 0);
    cr_assert_eq(fcntl(sv[0], F_GETFD), FD_CLOEXEC);
    cr_assert_eq(guest_syscall(__NR_sendto, sv[0], P("ping"), 4, 0), 4);
    cr_assert_eq(guest_syscall(__NR_recvfrom, sv[1], P(buf), sizeof buf, 0), 4);
    cr_assert_str_eq(buf, "ping");
    close(sv[0]), close(sv[1]);
}

Test(syscalls, epoll_events_in_the_packed_x86_64_layout)
{
    int p[2];
    cr_assert(pipe(p) == 0);
    int64_t ep = guest_syscall(__NR_epoll_create1, 0, 0, 0, 0);
    cr_assert_geq(ep, 0);
    struct __attribute__((packed)) { uint32_t events; uint64_t data; } ev = { 1, 0x1122334455667788ull },
        out[2];
    _Static_assert(sizeof ev == sizeof(struct epoll_event), "x86-64 host: the native layout");
    cr_assert_eq(guest_syscall(__NR_epoll_ctl, ep, 1 /* ADD */, p[0], P(&ev)), 0);
    cr_assert(write(p[1], "x", 1) == 1);
    cr_assert_eq(guest_syscall(__NR_epoll_wait, ep, P(out), 2, 0), 1);
    cr_assert_eq(out[0].events, 1);
    cr_assert_eq(out[0].data, 0x1122334455667788ull);
    close(p[0]), close(p[1]), close((int)ep);
}

/* /bin/true with its PT_INTERP renamed to a file that does not exist. */
static const char *true_without_interpreter(void)
{
    static const char path[] = "/tmp/ferry-test-no-interp";
    static const char interp[] = "/lib64/ld-linux-x86-64.so.2";
    static char data[1 << 20];
    FILE *f = fopen("/bin/true", "rb");
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    char *p = memmem(data, n, interp, sizeof interp);
    cr_assert(p, "/bin/true names %s", interp);
    p[sizeof interp - 2] = 'X';
    f = fopen(path, "wb");
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
    chmod(path, 0755);
    return path;
}

Test(syscalls, execve_of_a_program_without_its_interpreter_fails_and_says_why)
{
    const char *path = true_without_interpreter();
    char *argv[] = { "true", NULL };
    ferry_log = fmemopen(strace_buf, sizeof strace_buf, "w");
    int64_t r = guest_syscall(__NR_execve, P(path), P(argv), 0, 0);
    fclose(ferry_log);
    unlink(path);
    cr_assert_eq(r, -ENOENT, "like the kernel, not retried as a script");
    cr_assert(strstr(strace_buf, "cannot find interpreter /lib64/ld-linux-x86-64.so.X"),
              "%s", strace_buf);
}
