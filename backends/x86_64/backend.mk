# backend.mk -- the x86-64 host backend.
BACKEND_SRCS_x86_64 += $(wildcard backends/x86_64/*.c) backends/vcache.c
