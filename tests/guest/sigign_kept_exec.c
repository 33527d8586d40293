/* sigign_kept_exec.c -- a SIG_IGN of the signals a translator keeps for
 * itself on the host (here SIGILL, SIGFPE, SIGTRAP and glibc's internal
 * 32 and 33) survives execve as every other SIG_IGN does: GNU make's
 * commands, and what they exec, start with 32 and 33 ignored.  The steps
 * are sigign_kept.h's (a failed exec first, then one of itself);
 * sigign_kept_exec_segv.c does SIGSEGV and SIGBUS.  Compared against a
 * native run. */
#include <signal.h>

static const int kept[] = { SIGILL, SIGFPE, SIGTRAP, 32, 33 };

#include "sigign_kept.h"
