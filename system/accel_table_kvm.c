/* accel_table_kvm.c -- the accelerators built into ferry-system: KVM. */
#include "accel.h"

extern const struct sys_accel_ops sys_accel_kvm;
const struct sys_accel_ops *const sys_accel_table[] = { &sys_accel_kvm, NULL };
