# translator.mk -- IR, optimizer, register allocator, code cache, dispatcher
# (the engine: FERRY_SRCS, which unit tests link too) and ferry's program:
# main.c and its command line, which stay out of the engine.
# CLI_SRCS, the option helper, is ferry-system's as well.
CLI_SRCS        := translator/cli.c
FERRY_MAIN_SRCS += translator/main.c translator/cli_ferry.c translator/cli_binfmt.c $(CLI_SRCS)
FERRY_SRCS      += $(filter-out $(FERRY_MAIN_SRCS),$(wildcard translator/*.c))
