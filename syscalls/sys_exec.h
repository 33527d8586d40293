/* sys_exec.h -- what execve shares with the loader and the tests. */
#ifndef FERRY_SYS_EXEC_H
#define FERRY_SYS_EXEC_H

#include <stddef.h>

/* Environment variable carrying the guest argv[0] across ferry's
 * re-exec; the loader removes it from the guest's environment. */
#define SYS_EXEC_ARGV0_ENV "FERRY_EXEC_ARGV0"
/* Command that runs ferry's own binary when the host kernel cannot (the
 * AArch64 build under qemu-user: FERRY_EXEC_WRAPPER="qemu-aarch64 -L /",
 * the default when unset).
 * Kept in ferry's environment, hidden from the guest's. */
#define SYS_EXEC_WRAPPER_ENV "FERRY_EXEC_WRAPPER"
/* Every variable with this prefix is ferry's, never the guest's. */
#define SYS_EXEC_PRIVATE_PREFIX "FERRY_EXEC_"

/* Parses "#!interp [arg]" in head; returns 1 (filled in), 0 (not a
 * script) or -1 (empty interpreter). */
int sys_exec_parse_shebang(const char *head, size_t len, char *interp, size_t ilen,
                           char *arg, size_t alen);

#endif
