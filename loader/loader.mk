# loader.mk -- ELF loading and the initial stack.
FERRY_SRCS += $(wildcard loader/*.c)
