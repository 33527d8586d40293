/* sys_block.h -- sys_block(): the host calls a guest signal must be able
 * to interrupt (reads and writes of pipes and sockets, waits, sleeps,
 * futex waits).  A plain call there loses a signal that arrives after the
 * guest's syscall instruction but before the host call sleeps: the host
 * handler only records it, and the call then sleeps through it (glibc's
 * set*id broadcast waited forever for a thread entering read()).  These go
 * through the backend's be_safe_syscall() (translator.h: tr_safe_syscall),
 * which checks the thread's wake flag (set by sys_signal.c's host handler)
 * at the kernel entry; woken
 * before entering, the guest's syscall instruction runs again after the
 * signal is delivered (sys_dispatch.c), as if the signal came first. */
#ifndef FERRY_SYS_BLOCK_H
#define FERRY_SYS_BLOCK_H

#include "sys_sigframe.h"
#include "translator.h"

#define SYS_BLOCK_CALL(nr, a0, a1, a2, a3, a4, a5, ...)                                  \
    tr_safe_syscall(&sys_tsig.wake, (nr), (long)(a0), (long)(a1), (long)(a2), (long)(a3), \
                    (long)(a4), (long)(a5))
/* sys_block(SYS_read, fd, buf, n): up to six arguments; the raw result. */
#define sys_block(...) SYS_BLOCK_CALL(__VA_ARGS__, 0, 0, 0, 0, 0, 0)

#endif
