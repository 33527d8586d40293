# loader.mk -- ELF loading and the initial stack.
FERRY_SRCS += $(wildcard loader/*.c)

# The loader is a leaf: its sources see only their own headers (and
# libc/libelf), so an include of another part's header fails to build.
$(foreach a,$(ARCHES),$(OUT_$(a))/obj/loader/%.o): CFLAGS := $(filter-out -I%,$(CFLAGS)) -Iloader
