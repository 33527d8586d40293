/* store_cross_probe.c -- store_cross_scalar.c's rows with
 * FERRY_A64_SPLIT_STORES=1: on the AArch64 build, ferry's fault handler
 * then models hardware that writes the part of a page-crossing `str` on
 * the good page before the store faults (a64_split_model.c; qemu-user's
 * own store never does), so a store that reaches its `str` while it
 * crosses a page shows that part written where x86 (the native run)
 * writes nothing.  ferry's page-cross test and probes (a64_store_cross.c)
 * fault first, on one byte, and leave memory as x86 does.  The x86-64
 * build ignores the variable: the rows of store_cross_scalar.c again. */
//@cflags: -mavx2 -mxsave -mxsaveopt -mxsavec
//@env: FERRY_A64_SPLIT_STORES=1 FERRY_STORE_CROSS_CHECK=1
#include "store_cross_scalar.c"
