# backend.mk -- the AArch64 host backend.
BACKEND_SRCS_aarch64 += $(wildcard backends/aarch64/*.c)
