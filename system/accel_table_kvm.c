/* accel_table_kvm.c -- the accelerators of ferry-system on x86-64 hosts:
 * KVM (the default where /dev/kvm opens) and tcg, ferry's own translator. */
#include "accel.h"

extern const struct sys_accel_ops sys_accel_kvm, sys_accel_tcg;
const struct sys_accel_ops *const sys_accel_table[] = { &sys_accel_kvm, &sys_accel_tcg, NULL };
