# reliab.mk -- check-reliab-ARCH: the guest cannot harm ferry and bad input
# never hangs or crashes it (issue 11), each case compared with a native run
# where there is one (tests/reliab/check-reliab.sh).  Included by tests.mk.
RELIAB_OUT := $(BUILD)/tests/reliab
RELIAB_PROGS := $(patsubst tests/reliab/%.c,$(RELIAB_OUT)/%,$(wildcard tests/reliab/*.c))
$(RELIAB_OUT)/%: tests/reliab/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -static -O2 -pthread -o $@ $< -lm

# A static and a static-PIE program for elf_variants (check-reliab.sh).
$(RELIAB_OUT)/hello.static: tests/elf/hello.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -static -O1 -o $@ $<
$(RELIAB_OUT)/hello.spie: tests/elf/hello.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -static-pie -fPIE -O1 -o $@ $<
# ...and a dynamic one: with them, the bases of the fuzzed ELF corpus
# (gen_fuzz_elf.py).
$(RELIAB_OUT)/hello.dyn: tests/elf/hello.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O1 -o $@ $<
RELIAB_PROGS += $(RELIAB_OUT)/hello.static $(RELIAB_OUT)/hello.spie $(RELIAB_OUT)/hello.dyn
# The churn as a native AArch64 program: qemu-user's own growth per thread
# (it never frees a thread's state), which a ferry under qemu also shows.
$(RELIAB_OUT)/thread_churn.a64: tests/reliab/thread_churn.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_aarch64) -O2 -static -pthread -o $@ $<
RELIAB_PROGS += $(RELIAB_OUT)/thread_churn.a64
# ferry_ptr's oracle on the AArch64 build: what qemu-user gives a native
# AArch64 program (check-reliab.sh, both_a64).
$(RELIAB_OUT)/ferry_ptr.a64: tests/reliab/ferry_ptr.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_aarch64) -O2 -static -o $@ $<
RELIAB_PROGS += $(RELIAB_OUT)/ferry_ptr.a64
# Calls qemu-user 7.2 lacks (Linux AIO, io_uring): on the AArch64 build
# the guest must get what that host gives a native AArch64 program.
RELIAB_HOSTDEP := aio io_uring
$(RELIAB_HOSTDEP:%=$(RELIAB_OUT)/%): $(RELIAB_OUT)/%: tests/guest/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -static -O2 -pthread -o $@ $<
$(RELIAB_HOSTDEP:%=$(RELIAB_OUT)/%.a64): $(RELIAB_OUT)/%.a64: tests/guest/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_aarch64) -O2 -static -pthread -o $@ $<
RELIAB_PROGS += $(RELIAB_HOSTDEP:%=$(RELIAB_OUT)/%) $(RELIAB_HOSTDEP:%=$(RELIAB_OUT)/%.a64)

# Guest programs and Debian scripts run again with the guest's address
# space lowered below ferry's memory (FERRY_DEBUG_VA_CEILING: how a 48-bit
# AArch64 host places the guest; check-reliab.sh "below a lowered
# ceiling"): threads, mmap/mremap/munmap, fork, vfork, exec, signals,
# dynamically linked, a stack deeper than its room at exec (the pad above
# mmap_base); fewer on the AArch64 build (qemu).
RELIAB_VA_GUEST_x86_64 := $(foreach n,threads thread_munmap fork vfork execveat jit_remap malloc signals                             clone3 mqueue stack_limit,$(TESTS_OUT)/guest/$(n).O2 $(TESTS_OUT)/guest/$(n).dyn)
RELIAB_VA_GUEST_aarch64 := $(foreach n,threads thread_munmap fork jit_remap stack_limit,$(TESTS_OUT)/guest/$(n).dyn)
RELIAB_VA_DEBIAN_x86_64 := tests/debian/bash.sh tests/debian/python.sh
RELIAB_VA_DEBIAN_aarch64 := tests/debian/bash.sh
# ...and the stack's programs with ferry's own pages where the main stack
# grows (FERRY_DEBUG_STACK_HOLE: check-reliab.sh "ferry's memory where the
# stack grows"), both builds; stack_limit there grows past the room, into
# the pad reserved where the usual top is taken (loader/ld_stack.c).
RELIAB_STACK_GUEST := $(foreach n,stack_grow stack_hole stack_room,$(TESTS_OUT)/guest/$(n).O2 $(TESTS_OUT)/guest/$(n).dyn) \
                      $(foreach n,stack_limit stack_syscall_buf,$(TESTS_OUT)/guest/$(n).O2)
RELIAB_STACK_AS_GUEST := $(foreach n,stack_hole stack_room stack_syscall_buf,$(TESTS_OUT)/guest/$(n).O2)
# ...and the programs that raise RLIMIT_STACK with a page of ferry's in the
# room the new limit gives (FERRY_DEBUG_STACK_HOLE=raise: the reservation
# is taken ahead at the raise, syscalls/sys_stack_grow.c).
RELIAB_STACK_RAISE_GUEST := $(foreach n,stack_limit stack_room,$(TESTS_OUT)/guest/$(n).O2)

# ferry-system's path spelled out: system/system.mk, which sets
# FERRY_SYSTEM, may be read after this file (the eval below expands it now).
RELIAB_FERRY_SYSTEM := $(BUILD)$(MODE_DIR)/ferry-system
# The AArch64 build's ferry-system (tcg only) runs under the same runner.
RELIAB_FERRY_SYSTEM_x86_64 := $(RELIAB_FERRY_SYSTEM)
RELIAB_FERRY_SYSTEM_aarch64 := $(BUILD)/aarch64$(MODE_DIR)/ferry-system
RELIAB_FSYS_CMD_x86_64 = $(abspath $(RELIAB_FERRY_SYSTEM_x86_64))
RELIAB_FSYS_CMD_aarch64 = $(RUN_aarch64) $(abspath $(RELIAB_FERRY_SYSTEM_aarch64))

# Debian's kernel (.ci/setup-linux, system/system.mk's FERRY_LINUX), cut
# short for ferry-system's size checks.
RELIAB_LINUX := $(or $(FERRY_LINUX),/var/cache/ferry/linux-amd64-bookworm)

define reliab_for_arch
.PHONY: check-reliab-$(1) check-reliab-long-$(1)
check-reliab-$(1): $$(FERRY_BIN_$(1)) $$(RELIAB_PROGS) $$(RELIAB_FERRY_SYSTEM_$(1)) $$(RELIAB_LINUX)/.ferry-linux-1 \
                   $$(RELIAB_VA_GUEST_$(1)) $$(RELIAB_STACK_GUEST) $$(RELIAB_STACK_AS_GUEST) $$(RELIAB_STACK_RAISE_GUEST)
	RELIAB_VA_CASES="$$(RELIAB_VA_GUEST_$(1)) $$(RELIAB_VA_DEBIAN_$(1))" RELIAB_VA_TIMEOUT=$$(TEST_TIMEOUT_$(1)) \
	RELIAB_STACK_CASES="$$(RELIAB_STACK_GUEST)" RELIAB_STACK_AS_CASES="$$(RELIAB_STACK_AS_GUEST)" \
	RELIAB_STACK_RAISE_CASES="$$(RELIAB_STACK_RAISE_GUEST)" \
	sh tests/reliab/check-reliab.sh "$$(FERRY_CMD_$(1))" $$(abspath $$(RELIAB_OUT)) \
	    "$$(RELIAB_FSYS_CMD_$(1))" $$(RELIAB_LINUX)/vmlinuz
check-reliab-long-$(1): $$(FERRY_BIN_$(1)) $$(RELIAB_PROGS)
	RELIAB_LONG=1 sh tests/reliab/check-reliab.sh "$$(FERRY_CMD_$(1))" $$(abspath $$(RELIAB_OUT))
CHECK_TARGETS += check-reliab-$(1)
endef
$(foreach a,$(ARCHES),$(eval $(call reliab_for_arch,$(a))))
.PHONY: check-reliab
check-reliab: $(foreach a,$(ARCHES),check-reliab-$(a))
