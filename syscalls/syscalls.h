/* syscalls.h -- the x86-64 Linux syscall layer. */
#ifndef FERRY_SYSCALLS_H
#define FERRY_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader.h"
#include "translator.h"
#include "x86_cpu.h"

/* The vDSO's special mappings, in Linux's order (sys_vdso.c). */
enum { SYS_VVAR, SYS_VCLOCK, SYS_VDSO, SYS_VDSO_PARTS };
struct sys_range {
    uint64_t start, end;                        /* 0, 0: none */
};

struct sys_process {
    uint64_t brk_start, brk_cur, brk_mapped;    /* emulated program break */
    const char *exe_path;                       /* guest program, for /proc/self/exe */
    uint64_t stack_start, stack_end;            /* main stack, [stack] in maps */
    uint64_t stack_floor;                       /* how far it may grow (sys_stack_grow.c) */
    uint64_t stack_hole;                        /* its reserved room's low end, or 0 */
    bool stack_exec;                            /* its pages executable */
    uint64_t arg_start, arg_end;                /* argv's strings, /proc/self/cmdline */
    uint64_t env_start, env_end;                /* envp's strings, /proc/self/environ */
    bool mm_published;                          /* the kernel's own arg/env range (sys_proc_mm.c) */
    bool auxv_published;                        /* ... and its auxv (sys_auxv.c) */
    struct ld_bounds bounds;                    /* the program's code and data (stat, status) */
    uint64_t start_stack;                       /* argc's address at start (stat's field 28) */
    struct sys_range vdso[SYS_VDSO_PARTS];      /* [vvar], [vvar_vclock], [vdso] */
};
extern struct sys_process sys_proc;

/* The engine the process's guest threads run on (set once by main). */
extern struct tr_engine *sys_engine;

/* A guest thread's run loop: runs cpu (attached to sys_engine) forever,
 * serving its system calls, faults and signals; leaves only through exit
 * or a fatal signal. */
_Noreturn void sys_cpu_loop(struct x86_cpu *cpu);

/* --perfmap: the engine's on_translate hook (sys_perfmap.c), writing
 * /tmp/perf-PID.map with guest function names. */
/* fd kept as ferry's own descriptor (sys_ferry_fd.c); NULL if no room. */
const int *sys_ferry_fd_adopt(int fd);
/* ... or, with no room, fd kept where it is (exec and vfork only). */
const int *sys_ferry_fd_adopt_in_place(int fd);
/* The guest's soft RLIMIT_NOFILE set back as the real one (raised for
 * ferry's opens over an execve): main.c, before the guest's first
 * instruction, and after a failed execve. */
void sys_ferry_fd_started(void);
/* Fewer than `need` descriptor numbers free (the guest took the others). */
bool sys_ferry_fd_short(int need);
/* The descriptor of ferry's binary kept among ferry's own (sys_exec.c). */
void sys_exec_self_fd_adopt(void);
/* ... and closed again, its slot freed. */
void sys_ferry_fd_release(const int *slot);
/* The slot's descriptor may be given up to a guest that needs its number
 * (sys_ferry_fd_give_up). */
void sys_ferry_fd_droppable(const int *slot);
/* sys_fd_private.c: fn(arg) run by a thread with a private copy of the
 * descriptor table, the guest's descriptors closed in it but `keep`
 * (-1: none); false if it could not run. */
bool sys_fd_private_run(void (*fn)(void *), void *arg, int keep);
/* fd's file under the slot's number instead (fd closed); false if not. */
bool sys_ferry_fd_replace(const int *slot, int fd);
void sys_perfmap_block(void *opaque, uint64_t guest_pc, uint32_t guest_size,
                       const void *code, uint32_t code_size);

/* Ends the process with the guest's status (--stats printed first). */
_Noreturn void sys_exit_process(int status);

/* A ferry a guest execve started runs under the guest's argv; this gives
 * main() ferry's own words back (sys_exec.c; argv unchanged otherwise). */
char **sys_exec_take_prefix(int *argc, char **argv);

/* sys_start.c: starts the guest process: undoes what ferry's execve put
 * in the environment, loads `path` (ld_load_program, same arguments and
 * result) with this CPU's AT_HWCAP and AT_PLATFORM, then
 * sys_process_init(img). */
int sys_process_load(const char *path, char *const argv[], char *const envp[],
                     struct ld_image *img, char *errbuf, size_t errlen);
/* The descriptor a guest's execveat passed the program through (the
 * loader reads it as binfmt_misc's AT_EXECFD), or -1. */
int sys_exec_passed_fd(void);
/* The descriptor of ferry's binary the ferry before passed (its path in
 * *path, malloc'ed), taken out of the environment; -1 if none. */
int sys_exec_passed_self(char **path);
/* Whether the ferry before lent that descriptor's number to its exec
 * (SYS_EXEC_SELF_LENT_ENV), taken out of the environment. */
bool sys_exec_passed_lent(void);
/* The syscall layer's view of a loaded image: the program break starts
 * at its end, /proc/self/exe is its exe_path. */
void sys_process_init(const struct ld_image *img);
/* Once sys_engine exists: tells it what the loader mapped (the guest's
 * first mappings; the syscall layer reports every later change). */
void sys_process_mapped(const struct ld_image *img);

/* Runs the syscall described by cpu->regs (rax = number, rdi, rsi, rdx,
 * r10, r8, r9) and writes the result (or -errno) to rax; sets rcx and r11
 * as the hardware does. Unknown numbers return -ENOSYS. */
void sys_x86_64_syscall(struct x86_cpu *cpu);

/* A fault the translator found at cpu->rt.pc (SIGSEGV, SIGFPE, SIGILL,
 * SIGTRAP, SIGBUS; addr = si_addr).  If the guest handles the signal,
 * pushes its frame, points rt.pc at the handler and returns true (keep
 * running); false means the default action is the translator's to take. */
bool sys_signal_fault(struct x86_cpu *cpu, int sig, uint64_t addr);

/* A host signal arrived during translated code: runs pending signals at
 * the block boundary the dispatcher stopped at. */
void sys_signal_interrupt(struct x86_cpu *cpu);
/* The vCPU's exact-flags-at-faults mode follows whether the guest handles
 * SIGSEGV, SIGBUS or SIGFPE (sys_signal.c). */
void sys_signal_precise_sync(struct x86_cpu *cpu);

#endif
