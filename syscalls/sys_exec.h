/* sys_exec.h -- what execve passes to the ferry it re-executes (read back
 * by sys_start.c) and the tests. */
#ifndef FERRY_SYS_EXEC_H
#define FERRY_SYS_EXEC_H

/* Environment variable carrying the guest argv[0] across ferry's
 * re-exec; the new process removes it from the guest's environment. */
#define SYS_EXEC_ARGV0_ENV "FERRY_EXEC_ARGV0"
/* Command that runs ferry's own binary when the host kernel cannot (the
 * AArch64 build under qemu-user: FERRY_EXEC_WRAPPER="qemu-aarch64 -L /",
 * the default when unset).
 * Kept in ferry's environment, hidden from the guest's. */
#define SYS_EXEC_WRAPPER_ENV "FERRY_EXEC_WRAPPER"
/* The descriptor of the stderr the ferry before the guest's execve
 * logged to (--strace, -d): the new ferry keeps logging there. */
#define SYS_EXEC_LOG_FD_ENV "FERRY_EXEC_LOG_FD"
/* execveat's program: the descriptor the new ferry loads it through
 * (as binfmt_misc's AT_EXECFD), named as the guest's AT_EXECFN says. */
#define SYS_EXEC_FD_ENV "FERRY_EXEC_FD"
/* ferry's own binary, "FD:PATH": FD an inherited descriptor of the file
 * the ferry before ran from (the old inode even when a relink replaced
 * the path; an exec wrapper and binfmt_misc open it as /proc/self/fd/FD),
 * PATH its name.  The new ferry keeps it as its own and closes FD. */
#define SYS_EXEC_SELF_ENV "FERRY_EXEC_SELF"
/* Set ("1") when the ferry before closed its binary's descriptor and
 * lent the number to its exec path (no number free, no room over the soft
 * limit, sys_exec.c): only then does the new ferry, as short of numbers,
 * open its binary after loading the program and keep its own descriptors
 * where the kernel gives them (the numbers the ferry before held).  A ferry
 * started short of numbers without it closes what finds no room (main.c). */
#define SYS_EXEC_SELF_LENT_ENV "FERRY_EXEC_SELF_LENT"
/* The new process's name (/proc/PID/comm) when it is not the program's
 * file name: a script's name (not its interpreter's), execveat's file. */
#define SYS_EXEC_COMM_ENV "FERRY_EXEC_COMM"
/* The guest's SIG_IGN of the signals ferry keeps for itself (a hex set,
 * sys_signal.c): the host disposition cannot carry them from a
 * multi-threaded guest, nor SIGSEGV's and SIGBUS's under qemu-user. */
#define SYS_EXEC_KEPT_IGN_ENV "FERRY_EXEC_KEPT_IGN"
/* ferry's own argv up to the program path ("ferry", options, "--", path),
 * joined by SYS_EXEC_PREFIX_SEP: the new ferry's argv is then the guest's
 * own, so /proc/PID/cmdline and ps show the program as natively, and
 * main.c puts the prefix back before parsing (sys_exec_take_prefix). */
#define SYS_EXEC_PREFIX_ENV "FERRY_EXEC_PREFIX"
#define SYS_EXEC_PREFIX_SEP '\x1f'
/* Every variable with this prefix is ferry's, never the guest's. */
#define SYS_EXEC_PRIVATE_PREFIX "FERRY_EXEC_"
/* The guest's hard RLIMIT_NOFILE when ferry keeps the real one a few
 * numbers over it for its own descriptors (sys_ferry_fd.c). */
#define SYS_EXEC_NOFILE_HARD_ENV "FERRY_EXEC_NOFILE_HARD"
/* The guest's soft RLIMIT_NOFILE when the ferry before raised the real
 * one for its exec path and the new ferry's start-up (sys_ferry_fd.c):
 * the new ferry sets it back before the guest's first instruction. */
#define SYS_EXEC_NOFILE_SOFT_ENV "FERRY_EXEC_NOFILE_SOFT"
/* The guest's RLIMIT_AS and RLIMIT_DATA, soft and hard, which ferry keeps
 * apart from the real ones (sys_rlimit_mem.c). */
#define SYS_EXEC_RLIMIT_MEM_ENV "FERRY_EXEC_RLIMIT_MEM"
/* sys_guest_va.c's test hook: not the guest's, passed on by execve. */
#define SYS_EXEC_VA_CEILING_ENV "FERRY_DEBUG_VA_CEILING"

#endif
