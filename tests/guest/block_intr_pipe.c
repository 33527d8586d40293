/* block_intr_pipe.c -- block_intr.c's storm on splice and tee from an
 * empty pipe: a signal just before or during the call must run its
 * handler before the call is released.  x86-64 build only
 * (GUEST_NOT_aarch64): qemu-user 7.2 makes splice and tee as plain host
 * calls and itself loses a few signals per thousand there, with no ferry
 * in the way (tests/qemu/safe_read_a64.c, `make qemu-safe-read`). */
#define BLOCK_INTR_STORM { OP_SPLICE, OP_TEE }
#define BLOCK_INTR_ONCE 0
#include "block_intr.c"
