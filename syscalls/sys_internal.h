/* sys_internal.h -- what the syscall table, the dispatcher, strace and the
 * handler families share: the row type, the handler signature and the
 * small helpers every handler uses. */
#ifndef FERRY_SYS_INTERNAL_H
#define FERRY_SYS_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>

#include "syscalls.h"
#include "x86_cpu.h"

/* a[0..5] = rdi, rsi, rdx, r10, r8, r9.  Returns the value or -errno. */
typedef int64_t sys_handler(struct x86_cpu *cpu, const uint64_t *a);
#define SYS_HANDLER(name) int64_t name(struct x86_cpu *cpu, const uint64_t *a)

/* One row per x86-64 syscall.  fmt has one letter per argument (see
 * sys_strace.c); a leading '!' prints the call before running it (exit,
 * execve), a trailing "=x" prints the result in hex. */
struct sys_entry {
    uint16_t nr;
    const char *name;
    sys_handler *handler;       /* NULL: -ENOSYS */
    const char *fmt;
    /* SYS_NEW_FD: the call takes a new descriptor number before it does
     * anything else (the kernel's get_unused_fd first, or a failure
     * undone), so after EMFILE nothing was done and it may be made again
     * once ferry gave its own numbers up (sys_ferry_fd_give_up) */
    bool new_fd;
};
#define SYS_NEW_FD true
extern const struct sys_entry sys_table[];
extern const size_t sys_table_len;
const struct sys_entry *sys_lookup(uint64_t nr);
/* sys_ia32.c: the i386 system call of int $0x80 (x86_cpu.ia32_call); the
 * table's i-th row (number, name; NULL past the end) for the unit test. */
void sys_ia32_syscall(struct x86_cpu *cpu);
const char *sys_ia32_row_name(size_t i, unsigned *nr);
/* sys_cpu_loop.c: delivers the guest fault in cpu->rt.fault (or dies of it). */
void sys_cpu_fault(struct x86_cpu *cpu);
/* ... and serves what tr_run stopped for (a syscall, a fault, an interrupt). */
void sys_cpu_serve(struct x86_cpu *cpu, enum tr_stop stop);
/* sys_async_point.c: before an asynchronous signal is delivered at rt.pc,
 * runs on to a boundary with exact flags; true when an instruction on the
 * way stopped instead (*stop: TR_STOP_FAULT, rt.fault to deliver first). */
bool sys_async_settle(struct x86_cpu *cpu, enum tr_stop *stop);

/* strace: the call and its result, on ferry_log. */
void sys_strace_call(const struct sys_entry *e, uint64_t nr, const uint64_t *a);
void sys_strace_result(const struct sys_entry *e, uint64_t nr, const uint64_t *a, int64_t ret);

/* Set by rt_sigreturn: rax, rcx and r11 already hold the guest's values. */
extern __thread bool sys_regs_restored;
/* After each syscall: runs the lowest pending unblocked guest signal. */
void sys_signal_deliver_pending(struct x86_cpu *cpu);
/* ferry's forwarding handler back on glibc's SIGCANCEL and SIGSETXID. */
void sys_signal_hold_internal(void);
/* Makes the calling thread's host mask mirror its guest mask. */
void sys_signal_sync_mask(void);
/* After a syscall failed with EINTR: run it again (after the handler)? */
bool sys_signal_restart(uint64_t nr);
/* A new thread's signal state: the creator's mask (called in the thread). */
void sys_signal_thread_start(uint64_t blocked);
/* The default action of a fatal signal: the process dies by it. */
_Noreturn void sys_signal_die(int sig);
void sys_signal_force(struct x86_cpu *cpu, int sig);

/* sys_x86.c: a thread's segment registers re-checked after an LDT write
 * (before it runs guest code again; cheap when nothing was written). */
void sys_x86_ldt_sync(struct x86_cpu *cpu);
/* The #GP error code Linux reports when its return to user mode (iret)
 * cannot load ss: an LDT selector goes through espfix64, where the #GP
 * becomes a double fault and Linux fakes a #GP with the code lost (0);
 * a GDT one is the CPU's #GP(selector). */
static inline uint64_t sys_x86_iret_gp_err(uint16_t ss)
{
    return ss & 4 ? 0 : ss & 0xfffc;
}

/* sys_thread.c: guest threads. */
struct sys_thread_signals;
int64_t sys_clone_thread(struct x86_cpu *cpu, const uint64_t *a, bool vm_child);
/* The calling thread's group (getpid): the process's, or a CLONE_VM
 * child's own; whether the caller runs in such a child; the group of
 * guest thread tid (0: no such thread). */
pid_t sys_thread_tgid(void);
bool sys_thread_in_vm_child(void);
pid_t sys_thread_group(pid_t tid);
/* sys_vm_child.c: CLONE_VM children that are not threads. */
void sys_vm_child_add(pid_t pid, pid_t parent, int exit_signal);
pid_t sys_vm_child_parent(pid_t pid);
void sys_vm_child_exited(pid_t pid, int status);
int64_t sys_vm_child_wait(pid_t self, pid_t pid, int *status, int options);
/* A condition wait that gives way to a signal or stop request (false). */
bool sys_wait_cond_or_wake(pthread_cond_t *cond, pthread_mutex_t *mutex);
/* sys_ptrace.c: the emulated ptrace of guest threads by a task sharing
 * their memory.  A stop point (after a syscall: nr, restarted when the
 * syscall instruction will run again; at an interrupt: nr -1) parks a
 * thread a tracer asked to stop; a thread that ends lets go of its
 * tracees and tells its tracer; wait4 on a tracee (handled: false when
 * pid is none). */
void sys_ptrace_stop_point(struct x86_cpu *cpu, int64_t nr, bool restarted);
void sys_ptrace_thread_gone(pid_t tid);
int64_t sys_ptrace_wait(pid_t pid, int *status, int options, bool *handled);
bool sys_ptrace_woke(void);
/* The host handler's test: sig/info (a siginfo_t) is a tracer's kick. */
bool sys_ptrace_is_kick(int sig, const void *info);
_Noreturn void sys_thread_exit(struct x86_cpu *cpu, int status);
void sys_thread_set_clear_tid(uint64_t addr);
int sys_thread_count(void);
/* The guest mask and pending set of its thread tid (false: none such). */
bool sys_thread_signals_of(pid_t tid, uint64_t *blocked, uint64_t *pending);
/* Makes every other guest thread leave translated code soon (its run
 * loop then re-checks what changed under it). */
void sys_thread_interrupt_others(void);
/* Runs post(thread's signal state, sig) under the registry lock and
 * interrupts that thread; false when tid is not a guest thread. */
bool sys_thread_post_signal(int tid, int sig, void (*post)(struct sys_thread_signals *, int));
void sys_thread_fork_prepare(void);
void sys_thread_fork_parent(void);
void sys_thread_fork_child(void);
/* The other locks fork() must not leave held in the child (sys_fork.c
 * takes them all, in one order). */
void sys_signal_fork_prepare(void);
void sys_signal_fork_parent(void);
void sys_signal_fork_child(void);
void sys_mm_fork_prepare(void);
void sys_mm_fork_parent(void);
void sys_mm_fork_child(void);

/* sys_exec.c: execve of `path`, or (execveat) of the readable
 * descriptor fd the guest knows by `path` (/dev/fd/N...); name: the file's
 * own name when comm comes from the file (AT_EMPTY_PATH), else NULL;
 * cloexec: the guest's descriptor is close-on-exec. */
struct sys_exec_fd {
    int fd;
    bool cloexec;
    const char *name;
};
/* Around a guest execve/execveat (begin true, then false if it failed)
 * and a fork (false in both processes after it): room for ferry's own
 * descriptors when the guest took every number. */
void sys_exec_room(bool begin);

int64_t sys_exec_program(const char *path, const struct sys_exec_fd *xfd, uint64_t gargv,
                         uint64_t genvp);

/* sys_vfork.c: a vfork child's writes to its parent's stack reach the
 * parent (the child is a fork).  Around the fork: prepare (-1: no pipe),
 * then child / wait (the parent sleeps until the child execs or ends);
 * the child sends before each exec and at exit; forget in a fork of it. */
int sys_vfork_prepare(int pipefd[2]);
void sys_vfork_child(int pipefd[2], uint64_t parent_sp);
void sys_vfork_wait(int pipefd[2]);
void sys_vfork_send(void);
void sys_vfork_forget(void);

/* Gives the host the guest's signal mask, and its SIG_IGN of the signals
 * ferry keeps for itself, right before execve (true), or takes them back
 * when execve failed (false). */
void sys_exec_pass_mask(bool before_exec);
/* SYS_EXEC_KEPT_IGN_ENV's "NAME=SET" for the new ferry's environment, ""
 * when the guest ignores none of the signals ferry keeps. */
void sys_exec_kept_ignores_env(char *buf, size_t len);

/* libc returns -1 and sets errno; the guest wants -errno. */
static inline int64_t sys_ret(long r)
{
    return r == -1 ? -(int64_t)errno : r;
}

/* Guest addresses are host addresses. */
static inline void *sys_ptr(uint64_t g)
{
    return (void *)(uintptr_t)g;
}

/* sys_guest.c: copies to / from guest memory, -EFAULT (never a crash)
 * for bad pointers; whether [g, g+len) is readable (and writable). */
int64_t sys_copy_out(uint64_t g, const void *src, size_t len);
int64_t sys_copy_in(void *dst, uint64_t g, size_t len);
int sys_guest_access_ok(uint64_t g, size_t len, int write);
/* How many bytes from g on (at most len) the guest may read or write. */
uint64_t sys_guest_accessible(uint64_t g, uint64_t len, int write);
/* Before a handler: guest pointers the host would follow into ferry's own
 * memory are made to fault, buffers running into it cut (sys_guest_args.c);
 * returns what sys_guest_args_done frees after the handler. */
void *sys_guest_args_fix(const struct sys_entry *e, uint64_t *a);
void sys_guest_args_done(void *fixed, int64_t ret);
/* Length of the guest string at g, at most max; -1 if unreadable. */
long sys_guest_strnlen(uint64_t g, size_t max);
int sys_guest_vector_ok(uint64_t g);

/* A guest path, with /proc/self/exe (however named, from dirfd) meaning
 * the guest program. */
const char *sys_path(uint64_t g);
const char *sys_path_at(int dirfd, uint64_t g);
/* sys_path, looked up under the sysroot first (loader/ld_sysroot.c): for the
 * calls that find an existing file (open, stat, access, readlink, exec).
 * follow: whether a final symbolic link is followed. */
const char *sys_path_lookup(uint64_t g, int follow);
const char *sys_path_lookup_at(int dirfd, uint64_t g, int follow);
const char *sys_stat_path(int dirfd, uint64_t path, uint64_t flags);
/* Guest dirfd: AT_FDCWD (-100) is the same on every Linux. */
static inline int sys_dirfd(uint64_t g)
{
    return (int)g;
}

/* sys_rlimit_mem.c: the guest's RLIMIT_AS and RLIMIT_DATA, kept apart
 * from ferry's own memory. */
struct ld_image;
struct rlimit64;
void sys_rlimit_mem_init(void);
void sys_rlimit_mem_image(const struct ld_image *img);
bool sys_rlimit_mem_is(int resource);
int64_t sys_rlimit_mem_get(int resource, struct rlimit64 *out);
int64_t sys_rlimit_mem_set(int resource, const struct rlimit64 *want);
/* The guest's bytes mapped in [lo, hi): all, and private writable ones. */
void sys_rlimit_mem_usage(uint64_t lo, uint64_t hi, uint64_t *total, uint64_t *data);
/* 0 or -ENOMEM (Linux's may_expand_vm) for len more bytes of TR_PROT_*
 * prot (-1: not data); _fixed: a MAP_FIXED over [addr, addr+len) whose
 * old pages go; _protect: mprotect to prot. */
int64_t sys_rlimit_mem_check(uint64_t len, int prot);
int64_t sys_rlimit_mem_check_fixed(uint64_t addr, uint64_t len, int prot);
int64_t sys_rlimit_mem_check_protect(uint64_t addr, uint64_t len, int prot);
/* The main stack grown down to addr's page where Linux would grow it
 * (sys_stack_grow.c): false when addr is not in its hole or the growth
 * is refused.  _for: the same, cheaply refused for an address far below
 * the stack or in a mapping of the guest's (a system call's argument).
 * _to_sp: before a system call, down to the guest's rsp.
 * sys_stack_args.c: grown for every buffer a system call's arguments
 * point to in the room (before sys_guest_args_fix's checks). */
bool sys_stack_grow(uint64_t addr);
bool sys_stack_grow_for(uint64_t addr);
void sys_stack_grow_to_sp(uint64_t rsp);
void sys_stack_grow_args(const struct sys_entry *e, const uint64_t *a);
void sys_stack_grow_init(const struct ld_image *img);
/* A guest mapping over the stack's reserved room, before the host's
 * mmap: _hint returns the hint to use (0: Linux would not honour it),
 * _fixed is for MAP_FIXED (noreplace: MAP_FIXED_NOREPLACE),
 * MREMAP_FIXED and an mremap growing a mapping in place (noreplace: the
 * part above its old end).  Either gives the reservation up where the
 * guest maps. */
uint64_t sys_stack_room_hint(uint64_t addr, uint64_t len);
void sys_stack_room_fixed(uint64_t addr, uint64_t len, bool noreplace);
/* After the guest set RLIMIT_STACK: the reservation taken ahead down to
 * the new limit (at most 1 GiB), where nothing is there yet. */
void sys_stack_room_ahead(void);
/* brk's check_data_rlimit for a break at brk. */
bool sys_rlimit_mem_brk_ok(uint64_t brk, uint64_t start_brk);
/* "VAR=..." for the environment of the ferry an execve starts. */
void sys_rlimit_mem_pass(char *buf, size_t len);
/* Around an exec the kernel does itself: the guest's limits made real,
 * and ferry's soft limits raised again if it failed. */
void sys_rlimit_mem_make_real(void);
void sys_rlimit_mem_unmake_real(void);

/* sys_ferry_fd.c: ferry's own descriptors, out of the guest's way. */
bool sys_ferry_fd_is(int fd);
/* The guest's call failed with EMFILE: ferry's descriptors in its space
 * given up if it is full; true: make the call again. */
bool sys_ferry_fd_give_up(void);
/* The slot is ferry's binary's, kept for an exec under an emulator. */
bool sys_exec_self_reserve(const int *slot);
/* Whether a descriptor argument of syscall nr is one of ferry's (EBADF). */
bool sys_ferry_fd_arg(uint64_t nr, const uint64_t *a);
/* Before the guest sets its soft RLIMIT_NOFILE: ferry's descriptors
 * moved out of reach of the new limit (above it where the hard limit
 * lets them). */
void sys_ferry_fd_place(uint64_t soft);
/* The guest's setrlimit(RLIMIT_NOFILE): 0 or -errno. */
int64_t sys_ferry_fd_set_nofile(uint64_t soft, uint64_t hard);
/* The hard limit the guest sees, given the real one. */
uint64_t sys_ferry_fd_nofile_hard(uint64_t real);
/* "VAR=hard" for the environment of the ferry an execve starts, or "". */
void sys_ferry_fd_nofile_pass(char *buf, size_t len);
/* Before the guest takes fd with dup2/dup3: 0, or -EMFILE. */
int sys_ferry_fd_yield(int fd);
/* The same before F_DUPFD(arg), for the number it would get natively. */
int sys_ferry_fd_dupfd_yield(long arg);
/* fopen for ferry's own output files (kept out of the guest's way). */
FILE *sys_ferry_fopen(const char *path, const char *mode);
/* At start: the log stream (stderr, -D FILE) moves out of the way. */
void sys_ferry_fd_init(void);
/* Around the guest's execve: passes the log's descriptor on ("VAR=fd" in
 * buf for the environment, "" if none); false undoes it after a failure. */
void sys_ferry_fd_pass(bool before_exec, char *buf, size_t len);
/* Room for ferry's opens over an execve: the real soft limit raised (true)
 * or not (no room under the hard one), "VAR=soft" for the new ferry. */
bool sys_ferry_fd_exec_room(void);
void sys_ferry_fd_exec_soft_pass(char *buf, size_t len);

/* sys_ferry_mem.c: ferry's own memory is not the guest's.  Whether the
 * guest has every page of [start, end); the memory calls over ranges that
 * may hold ferry's memory; 0 or -ENOMEM for a MAP_FIXED range. */
bool sys_guest_has(uint64_t start, uint64_t end);
/* Held around a change of the guest's mappings and its report. */
void sys_mm_lock(void);
void sys_mm_unlock(void);
int64_t sys_ferry_mem_munmap(uint64_t addr, uint64_t len);
int64_t sys_ferry_mem_mprotect(uint64_t addr, uint64_t len, int host_prot, int guest_prot);
int64_t sys_ferry_mem_madvise(uint64_t addr, uint64_t len, int advice);
int64_t sys_ferry_mem_fixed_ok(uint64_t start, uint64_t len);

/* sys_guest_va.c: the guest's address space.  At start (before the
 * loader); the guest's TASK_SIZE; whether ferry places guest mappings
 * itself (the host maps above that top); mmap below the top (hint first,
 * then top-down; plain mmap when not placing); PROT_NONE room below the
 * top to map over; whether a range lies above the top. */
void sys_va_init(void);
uint64_t sys_va_top(void);
bool sys_va_placing(void);
void *sys_va_map(void *hint, size_t len, int prot, int flags, int fd, long off);
void *sys_va_reserve(size_t len);
void *sys_va_map_32bit(size_t len, int prot, int flags, int fd, long off);
bool sys_va_above_top(uint64_t addr, uint64_t len);
/* Where the loader puts the main stack when it can: its guard's bottom
 * (further below, past the randomisation pad, the top-down search of
 * guest mappings) and its top. */
void sys_va_stack_layout(uint64_t *low, uint64_t *top);

/* sys_stack_debug.c: the FERRY_DEBUG_STACK_HOLE test hook, ferry's own
 * pages in the main stack's hole, before the loader and after it (=1),
 * and after the guest set RLIMIT_STACK (=1 or =raise), at `at`. */
#define SYS_STACK_DEBUG_ENV "FERRY_DEBUG_STACK_HOLE"
void sys_stack_debug_before_load(void);
void sys_stack_debug_after_load(uint64_t floor, uint64_t start);
void sys_stack_debug_after_raise(uint64_t at);

/* sys_vdso.c: the vDSO's special mappings ([vvar], [vvar_vclock],
 * [vdso]) as Linux keeps them: never split (-EINVAL), moved whole by
 * mremap, ended when unmapped or mapped over; their maps names. */
void sys_vdso_started(uint64_t vdso);
int64_t sys_vdso_split_check(uint64_t addr, uint64_t len);
int64_t sys_vdso_fixed_check(uint64_t addr, uint64_t len);
int64_t sys_vdso_mprotect_check(uint64_t addr, uint64_t len, int guest_prot);
int64_t sys_vdso_mremap_check(const uint64_t *a);
void sys_vdso_remapped(uint64_t old, uint64_t len, uint64_t new, uint64_t new_len);
void sys_vdso_unmapped(uint64_t addr, uint64_t len);
int64_t sys_vdso_map(bool compat, uint64_t hint);
uint64_t sys_vdso_landing_pad(void);
int64_t sys_vdso_madvise_check(uint64_t addr, uint64_t len, int advice);
void sys_vdso_madvised(uint64_t addr, uint64_t len, int advice);
void sys_vdso_fork_child(void);
const char *sys_vdso_name(uint64_t addr);
uint64_t sys_vdso_cut(uint64_t lo, uint64_t hi);
/* sys_mm.c: bytes copied into a new private mapping near hint (mm lock held). */
int64_t sys_mm_map_copy_locked(uint64_t hint, uint64_t len, uint64_t at, const void *bytes,
                               size_t size);

/* The openers of ferry's made-up /proc files (the guest's own; sys_proc_path.c
 * finds which one a path names): the descriptor, -errno, or
 * SYS_MAPS_NOT_OURS where the host's file is the right one. */
#define SYS_MAPS_NOT_OURS (-4096)
/* sys_maps.c: its maps (the host's filtered to the guest's mappings) */
int64_t sys_maps_open(int host_flags);
/* sys_maps.c: the sizes of those mappings in bytes, as the kernel counts
 * them: all, executable (not writable, not the stack), the stack, private
 * writable (not the stack). */
struct sys_maps_totals {
    uint64_t total, exec, stack, data;
};
void sys_maps_totals(struct sys_maps_totals *t);
/* sys_maps.c: a guest mapping's part of a host /proc/PID/maps (or smaps
 * header) line, as the guest's maps shows it. */
struct sys_maps_run {
    uint64_t host_lo, host_hi;          /* the host's mapping */
    uint64_t lo, hi;                    /* the guest's run in it */
    int prot;                           /* the guest's PROT_* */
    char shared;                        /* 'p' or 's' */
    unsigned long long off, inode;
    const char *dev, *name;
};
/* each(ctx, run) for the guest's runs in the host's line; false if the
 * line is not a mapping's */
bool sys_maps_runs(const char *line, void (*each)(void *ctx, const struct sys_maps_run *r), void *ctx);
/* the run's line, as maps prints it */
void sys_maps_print_run(FILE *out, const struct sys_maps_run *r);
/* the [vsyscall] line every x86-64 process has */
extern const struct sys_maps_run sys_maps_vsyscall_run;
/* sys_limits.c: its limits (its RLIMIT_AS, RLIMIT_DATA and hard
 * RLIMIT_NOFILE, not the real ones) */
int64_t sys_limits_open(int host_flags);
/* sys_cmdline.c: its argv's strings, not ferry's */
int64_t sys_cmdline_open(int host_flags);
/* sys_environ.c: its envp's strings, not ferry's */
int64_t sys_environ_open(int host_flags);
/* sys_smaps.c: its smaps and smaps_rollup (maps' lines, the host's counts) */
int64_t sys_smaps_open(int host_flags);
int64_t sys_smaps_rollup_open(int host_flags);
/* sys_auxv.c: its auxv (the initial stack's, not ferry's) */
int64_t sys_auxv_open(int host_flags);
/* sys_proc_stat.c: its stat and status from the host's file in dir (a
 * /proc/N or /proc/N/task/T of its own), with the guest's addresses,
 * sizes and signal sets */
int64_t sys_proc_stat_open(const char *dir, int host_flags);
int64_t sys_proc_status_open(const char *dir, int host_flags);
/* sys_cpuinfo.c: /proc/cpuinfo (ferry's virtual CPU) */
int64_t sys_cpuinfo_open(int host_flags);
/* sys_environ.c: another process's environ (host path "/proc/N/environ")
 * without ferry's variables (a ferry that could not tell its kernel). */
int64_t sys_environ_open_other(const char *path, int host_flags);
/* sys_proc_path.c: a guest path (from dirfd, as the kernel resolves it)
 * that names one of the files above, opened; SYS_MAPS_NOT_OURS if none. */
int64_t sys_proc_open(int dirfd, uint64_t g, int host_flags);
/* sys_proc_path.c: whether the path names the process's own exe link. */
bool sys_proc_names_exe(int dirfd, uint64_t g);
/* sys_proc_mm.c: the kernel's argv/envp range of the process set to the
 * guest's (sys_proc.mm_published), after sys_environ_started. */
void sys_proc_mm_publish(void);
/* sys_cmdline.c: where argv's strings are, from the initial stack pointer
 * (argc, then argv). */
void sys_cmdline_started(uint64_t sp);
/* sys_cmdline.c: fills a synthesized file (sys_synth_open) with the guest
 * bytes [start, end), as the kernel reads a process's argv and envp
 * strings; 0 or -errno. */
int sys_synth_guest_bytes(int fd, uint64_t start, uint64_t end);
/* sys_auxv.c: the auxv copied from the initial stack (before the guest
 * runs), and the copy (its size in bytes, AT_NULL's pair included). */
#define SYS_AUXV_MAX_WORDS 64
void sys_auxv_started(uint64_t sp);
const uint64_t *sys_auxv_vector(size_t *bytes);
/* sys_environ.c: where envp's strings are, from the initial stack pointer
 * (after sys_cmdline_started). */
void sys_environ_started(uint64_t sp);
/* sys_maps.c: a file ferry makes up (maps, cpuinfo), read-only: a memfd
 * called name that fill writes and leaves at offset 0; the descriptor or
 * -errno. */
int64_t sys_synth_open(const char *name, int host_flags, int (*fill)(int fd));
/* sys_maps.c: fills fd with the host's host_path, each line through
 * each_line, then end (may be NULL); 0 or -errno. */
int sys_synth_filter(int fd, const char *host_path, void (*each_line)(FILE *out, const char *line),
                     void (*end)(FILE *out));

/* sys_flags.c: the guest's struct sigevent as the host's (timer_create);
 * -EINVAL for notifications the kernel does not do. */
#define SYS_SIGEV_SIGNAL 0
#define SYS_SIGEV_NONE 1
#define SYS_SIGEV_THREAD 2
#define SYS_SIGEV_THREAD_ID 4

/* The kernel's struct sigevent on x86-64 (64 bytes). */
struct x86_64_sigevent {
    uint64_t value;                 /* union sigval */
    int32_t signo;
    int32_t notify;
    union {
        int32_t tid;                /* SIGEV_THREAD_ID */
        int32_t pad[12];
    } u;
};
_Static_assert(sizeof(struct x86_64_sigevent) == 64, "x86-64 sigevent");
struct sigevent;
int sys_sigevent_to_host(struct sigevent *h, const struct x86_64_sigevent *g);

/* sys_flags.c: x86-64 open(2) flags <-> host flags. */
int sys_open_flags_to_host(uint64_t guest);
uint64_t sys_open_flags_to_guest(int host);
/* sys_flags.c: x86-64 mmap(2) flags as the host's (not MAP_32BIT). */
int sys_map_flags_to_host(uint64_t guest);

#endif
