/* accel_table_hosted.c -- the accelerators of the hosted test binaries. */
#include "accel.h"

extern const struct sys_accel_ops sys_accel_hosted;
const struct sys_accel_ops *const sys_accel_table[] = { &sys_accel_hosted, NULL };
