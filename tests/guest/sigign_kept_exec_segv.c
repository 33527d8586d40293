/* sigign_kept_exec_segv.c -- sigign_kept_exec.c's check for SIGSEGV and
 * SIGBUS, the signals a translator's fault handling keeps on the host: a
 * program that ignores them execs one that starts with them ignored.
 * Compared against a native run. */
#include <signal.h>

static const int kept[] = { SIGSEGV, SIGBUS };

#include "sigign_kept.h"
