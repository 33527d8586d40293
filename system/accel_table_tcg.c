/* accel_table_tcg.c -- the accelerators of ferry-system on hosts where
 * KVM cannot run x86-64 guests (AArch64): tcg only. */
#include "accel.h"

extern const struct sys_accel_ops sys_accel_tcg;
const struct sys_accel_ops *const sys_accel_table[] = { &sys_accel_tcg, NULL };
