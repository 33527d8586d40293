# loader.mk -- ELF loading and the initial stack.
FERRY_SRCS += $(wildcard loader/*.c)
# (A leaf: built with -Iloader alone, see INC_loader in the GNUmakefile.)
