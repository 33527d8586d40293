# backend.mk -- the AArch64 host backend, and its execution test.
BACKEND_SRCS_aarch64 += $(wildcard backends/aarch64/*.c) backends/vcache.c

# check-a64-exec: tests/a64/*.c cross-built for AArch64 and run (under
# qemu-aarch64 here): single ops, exits and random IR blocks through
# regalloc + this backend, checked against C.  The backend is linked whole
# (its be_ucontext_* hooks are only weakly referenced); the translator core
# comes from an archive, so only what the test uses is pulled in.
A64_EXEC_OUT  := $(OUT_aarch64)/tests/a64-exec
A64_EXEC_OBJS := $(patsubst %.c,$(OUT_aarch64)/obj/%.o,$(wildcard tests/a64/*.c) \
    $(BACKEND_SRCS_aarch64))
A64_EXEC_LIB_OBJS := $(patsubst %.c,$(OUT_aarch64)/obj/%.o,$(filter translator/%,$(FERRY_SRCS)))
$(A64_EXEC_OUT)/libferry.a: $(A64_EXEC_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && aarch64-linux-gnu-ar rcs $@ $^
$(A64_EXEC_OUT)/a64-exec: $(A64_EXEC_OBJS) $(A64_EXEC_OUT)/libferry.a
	$(CC_aarch64) $(LDFLAGS) -o $@ $^ $(LDLIBS)
-include $(A64_EXEC_OBJS:.o=.d)
.PHONY: check-a64-exec
check-a64-exec: $(A64_EXEC_OUT)/a64-exec
	$(RUN_aarch64) $<
CHECK_TARGETS += check-a64-exec
