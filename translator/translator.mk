# translator.mk -- IR, optimizer, register allocator, code cache, dispatcher, main.
FERRY_SRCS      += $(filter-out translator/main.c,$(wildcard translator/*.c))
FERRY_MAIN_SRCS += translator/main.c
