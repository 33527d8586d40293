# frontend.mk -- the x86-64 guest decoder (every .c file in this directory).
FERRY_SRCS += $(wildcard frontends/x86_64/*.c)
