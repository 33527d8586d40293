# syscalls.mk -- the x86-64 Linux syscall layer.
FERRY_SRCS += $(wildcard syscalls/*.c)
