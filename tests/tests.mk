# tests.mk -- every test suite, `make check` wiring, `make bench`.
#
# Outputs live under $(BUILD)/tests/. Each differential suite runs its cases
# natively and under ferry (tests/run-diff.sh) for both hosts:
#   check-unit                 criterion unit tests (x86-64 host only)
#   check-guest-ARCH           tests/guest/*.c, each at -O0, -O2, -static-pie
#                              and dynamically linked -O2 (dyn)
#   check-insn-ARCH            tests/insn/*.c instruction difftests (quick sweep)
#   check-insn-nossse3-x86_64  palignr.c, sse3.c with SSSE3 masked from ferry's
#                              view of the host (tests/insn/masked.mk)
#   check-insn-noavx-x86_64    the vector difftests with AVX masked (masked.mk)
#   check-busybox-ARCH         tests/busybox/*.sh with Debian's static busybox
#   check-debian-ARCH          tests/debian/*.sh: Debian's own dynamically linked
#                              programs (coreutils, grep, sed, tar, bash, python3, perl)
#   check-cli-ARCH             command-line behaviour and --stats (chaining)
#   check-golden               host code per guest instruction vs tests/golden/*.golden
#   check-long                 the full random instruction sweeps,
#                              tests/guest-long/*.c (thread stress), the guest
#                              builds make check leaves out, longer fuzzing
#   check-build                (make check's first) what the suites run, built
#                              with all cores; then the suites, CHECK_JOBS at
#                              a time (tests/check.mk)
# ARCH is x86_64 (build/ferry) or aarch64 (build/aarch64/ferry under qemu).

TESTS_OUT := $(BUILD)/tests
# The persistent translation cache is on by default: every test's runs
# share one under build/ (never $HOME); tests that count blocks or pin
# emitted code turn it off themselves (--no-tcache).
export FERRY_TCACHE := $(abspath $(TESTS_OUT)/tcache)
GUEST_CC  := gcc
# Guest code is x86-64 whatever the host: always built with the native gcc.
GUEST_CFLAGS := -std=gnu11 -Wall -Wno-unused-result -Wno-format-truncation -Wno-stringop-truncation -fno-strict-aliasing
# Inline-asm difftests push/pop around instructions: no red zone to clobber.
INSN_CFLAGS := -std=gnu11 -O1 -Wall -mno-red-zone -fno-strict-aliasing -Itests/insn
# How each host's ferry is invoked (absolute: cases run in a scratch dir).
FERRY_CMD_x86_64  = $(RUN_x86_64) $(abspath $(FERRY_BIN_x86_64))
FERRY_CMD_aarch64 = $(RUN_aarch64) $(abspath $(FERRY_BIN_aarch64))
# qemu-user makes the aarch64 runs much slower: more time per case.
TEST_TIMEOUT_x86_64  ?= 60
TEST_TIMEOUT_aarch64 ?= 400
# Cases of a differential suite run CHECK_JOBS at a time (the machine's
# cores: 2 in CI); make check also runs its suites CHECK_JOBS at a time
# (tests/check.mk).
CHECK_NPROC := $(shell nproc 2>/dev/null || echo 2)
CHECK_JOBS ?= $(CHECK_NPROC)
RUN_DIFF = sh tests/run-diff.sh -j $(CHECK_JOBS)

# --- unit tests (criterion), x86-64 host only ---------------------------
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(TESTS_OUT)/obj/unit/%.o,$(UNIT_SRCS))
UNIT_BIN  := $(TESTS_OUT)/unit
$(TESTS_OUT)/obj/unit/%.o: tests/unit/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_x86_64) $(CFLAGS) -MMD -MP -c $< -o $@
$(UNIT_BIN): $(UNIT_OBJS) $(FERRY_LIB_OBJS_x86_64) $(patsubst %.c,$(OUT_x86_64)/obj/%.o,$(CLI_SRCS))
	@mkdir -p $(@D)
	$(CC_x86_64) $(LDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)
-include $(UNIT_OBJS:.o=.d)
.PHONY: check-unit
check-unit: $(UNIT_BIN)
	$(UNIT_BIN) $(UNIT_ARGS)
CHECK_TARGETS += check-unit
-include tests/elf/elf.mk
-include tests/reliab/reliab.mk
-include tests/gcc/gcc.mk
-include tests/gcc-i386/gcc-i386.mk
-include tests/valgrind/valgrind.mk
-include tests/simde/simde.mk
-include tests/numpy/numpy.mk
-include tests/pyregr/pyregr.mk
-include tests/debsweep/debsweep.mk

include tests/golden/golden.mk

# --- the parts' arrows (docs/architecture.md) --------------------------------
.PHONY: check-arch
check-arch:
	INC_translator="$(INC_translator)" INC_frontends="$(INC_frontends)" \
	INC_backends="$(INC_backends)" INC_loader="$(INC_loader)" INC_syscalls="$(INC_syscalls)" \
	CC="$(CC_x86_64)" sh tests/arch/check-arch.sh
CHECK_TARGETS += check-arch

# --- guest programs: four builds of each -----------------------------------
GUEST_NAMES := $(notdir $(basename $(wildcard tests/guest/*.c)))
GUEST_VARIANTS := O0 O2 pie dyn
GUEST_BINS := $(foreach n,$(GUEST_NAMES),$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v)))
# "//@cflags: ..." lines of a C guest program, appended last (they may
# override -O: avx_prog.c is built -O3 -march=x86-64-v3 in every variant).
guest_cflags = $(shell sed -n 's|^//@cflags: *||p' $(1))
$(TESTS_OUT)/guest/%.O0: tests/guest/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -static -O0 $(call guest_cflags,$<) -o $@ $< -lm
$(TESTS_OUT)/guest/%.O2: tests/guest/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -static -O2 $(call guest_cflags,$<) -o $@ $< -lm
$(TESTS_OUT)/guest/%.pie: tests/guest/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -static-pie -fPIE -O2 $(call guest_cflags,$<) -o $@ $< -lm
# Dynamically linked PIE (Debian's default), through the system's ld.so.
$(TESTS_OUT)/guest/%.dyn: tests/guest/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -O2 $(call guest_cflags,$<) -o $@ $< -lm
# Headers shared by guest programs.
$(foreach n,mqueue mqueue_notify,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/mqueue_io.h
$(foreach n,fault_flags fault_deadflags,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/fault_signals.h
$(foreach n,direct_spin indirect_spin,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/spin_harness.h
$(foreach n,sigaction_race sigaction_race_posted,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/sigaction_switch.h
$(foreach n,pinned_rbp pinned_r12_r13 pinned_r14_r15,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/guest_regs_harness.h
$(foreach n,dead_vstore vec_copy_fault cpl3_insns ymm_store_const vec_dead_window store_cross_scalar store_cross_probe vec_loop_exits loop_store_align,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/signal_cases.h
$(foreach n,store_fault store_cross_scalar store_cross_probe,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/store_pages.h
$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/store_cross_probe.$(v)): \
    tests/guest/store_cross_scalar.c
$(foreach n,sigign_kept_exec sigign_kept_exec_segv,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/sigign_kept.h
$(foreach n,signal_xstate_xcr0 signal_fxsave_frame,$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v))): \
    tests/guest/machine_rerun.h
# C++ guest programs (tests/guest/*.cc: exceptions, libgcc's unwinder), the same four builds.
GUEST_CXX      := g++
GUEST_CXXFLAGS := -std=gnu++17 -Wall -pthread
GUEST_CXX_NAMES := $(notdir $(basename $(wildcard tests/guest/*.cc)))
GUEST_BINS += $(foreach n,$(GUEST_CXX_NAMES),$(foreach v,$(GUEST_VARIANTS),$(TESTS_OUT)/guest/$(n).$(v)))
$(TESTS_OUT)/guest/%.O0: tests/guest/%.cc | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CXX) $(GUEST_CXXFLAGS) -static -O0 -o $@ $<
$(TESTS_OUT)/guest/%.O2: tests/guest/%.cc | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CXX) $(GUEST_CXXFLAGS) -static -O2 -o $@ $<
$(TESTS_OUT)/guest/%.pie: tests/guest/%.cc | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CXX) $(GUEST_CXXFLAGS) -static-pie -fPIE -O2 -o $@ $<
$(TESTS_OUT)/guest/%.dyn: tests/guest/%.cc | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CXX) $(GUEST_CXXFLAGS) -O2 -o $@ $<
.PHONY: guest-programs
guest-programs: $(GUEST_BINS)
# Which builds check-guest-ARCH runs: all four on the x86-64 host; under
# qemu-aarch64 (the slow part of make check) the static -O2 and the dynamic
# PIE build -- the other two run in check-guest-long-aarch64.
GUEST_QUICK_VARIANTS_x86_64  := $(GUEST_VARIANTS)
GUEST_QUICK_VARIANTS_aarch64 := O2 dyn
guest_bins_for = $(filter $(foreach v,$(1),%.$(v)),$(GUEST_BINS))
# Guest programs a build cannot run (the emulator it runs under lacks the
# calls: qemu-user 7.2 has no mq_notify, no io_uring and no Linux AIO, nor
# /dev/vsock's ioctl; sigaction_race: qemu-user's own race (its delivery reads the handler
# twice while ferry's other thread flips the host disposition to SIG_IGN:
# a jump to address 1); sigaction_race_posted pins ferry's lock there;
# guest_bins_arch(VARIANTS,ARCH).
GUEST_NOT_aarch64 := mqueue_notify io_uring aio vsock_cid sigaction_race
# cmsg_trunc: qemu-user 7.2's recvmsg truncates control data itself (a larger
# host buffer), without MSG_CTRUNC and with partial headers; an AArch64 program
# under qemu-aarch64 alone answers the same (docs/status.md, session 13 suites).
GUEST_NOT_aarch64 += cmsg_trunc
# block_intr_pipe: qemu-user 7.2's splice and tee are plain host calls that
# sleep through a signal arriving just before them (tests/qemu/safe_read_a64.c:
# qemu alone loses a few per thousand); block_intr's other calls run on both.
GUEST_NOT_aarch64 += block_intr_pipe
# process_vm: qemu-user 7.2 has no process_vm_readv/writev (ENOSYS to ferry).
GUEST_NOT_aarch64 += process_vm
# proc_environ_other: qemu-user 7.2 refuses prctl(PR_SET_MM) (EINVAL to ferry), so
# a ferry there cannot tell its kernel where its guest's argv and envp are, and
# another process does not see what that guest wrote into them
# (syscalls/sys_proc_mm.c; proc_paths and proc_environ cover the rest on both).
GUEST_NOT_aarch64 += proc_environ_other
# proc_stat_other: the same refusal: another process reads the qemu-run ferry's
# own code, data and stack addresses in its /proc/PID/stat.
GUEST_NOT_aarch64 += proc_stat_other

# fd_top: under qemu-user ferry keeps its memfd and its binary's descriptor
# at the top of a full space (soft = hard): qemu itself needs a number to
# start the exec'ed ferry, and in one RWX mapping qemu drops its code at
# every chain patch (docs/status.md, session 38 nofile3); an AArch64 host's
# kernel-started ferry gives them up as the x86-64 build does.
GUEST_NOT_aarch64 += fd_top
# sig_inherit_internal: qemu-user 7.2 does not carry an inherited SIG_IGN of
# signals 32 and 33 into its guest (it maps them onto other host signals),
# so the ferry it runs cannot see what make passed on (ferry on the x86-64
# host asks the kernel: syscalls/sys_signal.c, sys_inherit_ignored).
GUEST_NOT_aarch64 += sig_inherit_internal
GUEST_NOT_x86_64 :=
guest_bins_arch = $(filter-out $(foreach n,$(GUEST_NOT_$(2)),%/$(n).O0 %/$(n).O2 %/$(n).pie %/$(n).dyn), \
                    $(call guest_bins_for,$(1)))
# Programs that test ferry's run time (signal races, threads changing
# mappings) and take seconds natively (sigaction_race_posted 15-20 s at load
# 12, thread_munmap 8 s): their -O0 and static-pie builds add no code paths
# to make check (fork_mprotect: 25 forks, 12 s under qemu-aarch64), so on
# the x86-64 build they run in check-guest-long-x86_64
# (docs/status.md, "make check time (session 13)").  guest_quick_bins(ARCH):
# check-guest-ARCH's cases; guest_rest_bins(ARCH): check-guest-long-ARCH's.
GUEST_TWO_VARIANTS := sigaction_race_posted sigaction_race thread_munmap setxid_storm sysv_block block_intr \
                      block_intr_pipe \
                      spawn_race fork_mprotect vfork_threads modify_ldt far_xfer vdso_mremap vdso_vvar \
                      arch_prctl_x86
# Run-time tests whose cost is the emulator's (spawn_race: 64 forks of
# qemu-user, 47 s at load 12; fork_mprotect: 25 forks, 12 s; the code it covers is the same on both
# builds and its hang showed 3 in 3 on x86-64): check-guest-long-aarch64.
GUEST_LONG_ONLY_aarch64 := spawn_race fork_mprotect
guest_quick_bins = $(filter-out $(foreach n,$(GUEST_TWO_VARIANTS),%/$(n).O0 %/$(n).pie) \
                     $(foreach n,$(GUEST_LONG_ONLY_$(1)),%/$(n).O2 %/$(n).dyn), \
                     $(call guest_bins_arch,$(GUEST_QUICK_VARIANTS_$(1)),$(1)))
guest_rest_bins = $(filter-out $(call guest_quick_bins,$(1)),$(call guest_bins_arch,$(GUEST_VARIANTS),$(1)))

# qemu-user's own signal delivery around an svc, without ferry
# (tests/qemu/safe_read_a64.c; docs/status.md, session 15 flaky).
.PHONY: qemu-safe-read
qemu-safe-read: $(TESTS_OUT)/qemu/safe_read_a64
	for m in read plain splice tee; do $(QEMU_aarch64) $< 5000 $$m || exit 1; done
$(TESTS_OUT)/qemu/safe_read_a64: tests/qemu/safe_read_a64.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_aarch64) -O2 -static -pthread -o $@ $<

# Guest programs for check-long only (long stress runs).
GUEST_LONG_BINS := $(patsubst tests/guest-long/%.c,$(TESTS_OUT)/guest-long/%.O2,$(wildcard tests/guest-long/*.c))
$(TESTS_OUT)/guest-long/%.O2: tests/guest-long/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -static -O2 -pthread -o $@ $< -lm

# --- instruction difftests: a quick sweep and a long one ---------------------
INSN_NAMES := $(notdir $(basename $(wildcard tests/insn/*.c)))
INSN_QUICK := $(INSN_NAMES:%=$(TESTS_OUT)/insn/%.quick)
# INSN_SEED=0x... (nonzero): the long sweeps' random operands drawn from another
# seed (insn.h), built apart in insn-seedN/: `make check-insn-long-aarch64
# INSN_SEED=0x9e3779b97f4a7c15` sweeps operands the default seed never tries.
INSN_LONG_DIR := $(TESTS_OUT)/insn$(if $(INSN_SEED),-seed$(INSN_SEED))
INSN_LONG  := $(INSN_NAMES:%=$(INSN_LONG_DIR)/%.long)
$(TESTS_OUT)/insn/%.quick: tests/insn/%.c $(wildcard tests/insn/*.h) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(INSN_CFLAGS) -static -o $@ $< -lm
$(INSN_LONG_DIR)/%.long: tests/insn/%.c $(wildcard tests/insn/*.h) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(INSN_CFLAGS) -DINSN_LONG $(if $(INSN_SEED),-DINSN_SEED=$(INSN_SEED)) -static -o $@ $< -lm

# tests/debian scripts a build leaves out of check-debian: NOT, never (the
# host emulator cannot: unshare.sh and cmdline.sh say why); LONG, in check-long instead
# (java: HotSpot under qemu-aarch64 costs about 85 s of CPU cold).  ruby.sh
# is back in check-debian-aarch64 (about 50 s wall, 16 s CPU at load 12; its
# Open3 EACCES of session 5 no longer reproduces); so is node.sh since
# session 10 (the translation cache keeps exact-fault-flags records: a
# warm node start is ~12 s under qemu; node.sh ~56 s wall, 47 s CPU cold,
# 41 s and 35 s warm, at load 2-3).  pyregr.sh (Python's regrtest
# modules, 12 s of CPU on x86-64) is long under qemu-aarch64.
DEBIAN_NOT_aarch64  := tests/debian/unshare.sh tests/debian/cmdline.sh
DEBIAN_LONG_aarch64 := tests/debian/java.sh tests/debian/pyregr.sh

# --- the per-host suites --------------------------------------------------
# tests_for_arch(ARCH): check-{guest,insn,busybox,cli}-ARCH.
define tests_for_arch
.PHONY: check-guest-$(1) check-insn-$(1) check-busybox-$(1) check-debian-$(1) check-debian-long-$(1) check-cli-$(1) \
        check-insn-long-$(1) \
        check-guest-long-$(1)
check-guest-$(1): $$(FERRY_BIN_$(1)) $$(call guest_quick_bins,$(1))
	$$(RUN_DIFF) -t $$(TEST_TIMEOUT_$(1)) -w $$(TESTS_OUT)/run/guest-$(1) -m tests/guest \
	    -f "$$(FERRY_CMD_$(1))" $$(call guest_quick_bins,$(1))
check-insn-$(1): $$(FERRY_BIN_$(1)) $$(INSN_QUICK)
	$$(RUN_DIFF) -t $$(TEST_TIMEOUT_$(1)) -w $$(TESTS_OUT)/run/insn-$(1) -m tests/insn \
	    -f "$$(FERRY_CMD_$(1))" $$(INSN_QUICK)
check-insn-long-$(1): $$(FERRY_BIN_$(1)) $$(INSN_LONG)
	$$(RUN_DIFF) -t $$$$(( 4 * $$(TEST_TIMEOUT_$(1)) )) -w $$(TESTS_OUT)/run/insn-long-$(1) \
	    -m tests/insn -f "$$(FERRY_CMD_$(1))" $$(INSN_LONG)
check-guest-long-$(1): $$(FERRY_BIN_$(1)) $$(GUEST_LONG_BINS) $$(GUEST_BINS)
	$$(RUN_DIFF) -t $$(TEST_TIMEOUT_$(1)) -w $$(TESTS_OUT)/run/guest-long-$(1) -m tests/guest-long \
	    -f "$$(FERRY_CMD_$(1))" $$(GUEST_LONG_BINS)
	$$(if $$(call guest_rest_bins,$(1)),$$(RUN_DIFF) -t $$(TEST_TIMEOUT_$(1)) \
	    -w $$(TESTS_OUT)/run/guest-rest-$(1) -m tests/guest -f "$$(FERRY_CMD_$(1))" \
	    $$(call guest_rest_bins,$(1)))
check-busybox-$(1): $$(FERRY_BIN_$(1))
	$$(RUN_DIFF) -t $$(TEST_TIMEOUT_$(1)) -w $$(TESTS_OUT)/run/busybox-$(1) \
	    -f "$$(FERRY_CMD_$(1))" $$(sort $$(wildcard tests/busybox/*.sh))
check-debian-$(1): $$(FERRY_BIN_$(1))
	$$(RUN_DIFF) -t $$(TEST_TIMEOUT_$(1)) -w $$(TESTS_OUT)/run/debian-$(1) \
	    -f "$$(FERRY_CMD_$(1))" $$(sort $$(filter-out $$(DEBIAN_NOT_$(1)) $$(DEBIAN_LONG_$(1)), \
	    $$(wildcard tests/debian/*.sh)))
check-debian-long-$(1): $$(FERRY_BIN_$(1))
	$$(if $$(DEBIAN_LONG_$(1)),$$(RUN_DIFF) -t $$$$(( 3 * $$(TEST_TIMEOUT_$(1)) )) \
	    -w $$(TESTS_OUT)/run/debian-long-$(1) -f "$$(FERRY_CMD_$(1))" $$(DEBIAN_LONG_$(1)),@true)
check-cli-$(1): $$(FERRY_BIN_$(1)) $$(TESTS_OUT)/guest/loop.O2 $$(TESTS_OUT)/guest/thread_atomics.O2 \
                $$(TESTS_OUT)/guest/thread_munmap.dyn $$(TESTS_OUT)/guest/jit_remap.O2 \
                $$(TESTS_OUT)/guest/smc_neighbours.O2 $$(TESTS_OUT)/guest/sigaction_race_posted.O2
	sh tests/check-cli.sh "$$(FERRY_CMD_$(1))" $$(abspath $$(TESTS_OUT)/guest/loop.O2) \
	    $$(abspath $$(TESTS_OUT)/guest/thread_atomics.O2) \
	    $$(abspath $$(TESTS_OUT)/guest/thread_munmap.dyn) $$(abspath $$(TESTS_OUT)/guest/jit_remap.O2) \
	    $$(abspath $$(TESTS_OUT)/guest/smc_neighbours.O2) $$(abspath $$(TESTS_OUT)/guest/sigaction_race_posted.O2)
CHECK_TARGETS += check-guest-$(1) check-insn-$(1) check-busybox-$(1) check-debian-$(1) check-cli-$(1)
endef
$(foreach a,$(ARCHES),$(eval $(call tests_for_arch,$(a))))
include tests/insn/crypto.mk
include tests/insn/masked.mk

.PHONY: check-long
check-long: $(foreach a,$(ARCHES),check-insn-long-$(a) check-guest-long-$(a) check-reliab-long-$(a) \
            check-debian-long-$(a)) check-fuzz-long

# --- tests whose oracle is Linux in a VM (tests/vm/check-vm.sh) -------------
# What this host cannot show (its paravirtualised kernel gives the CPU no
# LDT; its kernel is one release): tests/vm/*.c and VM_GUEST's
# tests/guest programs run natively in Debian's kernel (6.1) on
# qemu-system-x86_64 (TCG) and under both builds in the same VM.  Not in
# make check (a boot: about 3 minutes).
# Built -static -no-pie: data addresses fit a 32-bit segment base.
VM_GUEST := vdso_vvar
VM_BINS := $(patsubst tests/vm/%.c,$(TESTS_OUT)/vm/%,$(wildcard tests/vm/*.c)) \
           $(VM_GUEST:%=$(TESTS_OUT)/vm/%)
$(TESTS_OUT)/vm/%: tests/vm/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -O2 -static -no-pie -pthread -o $@ $<
$(TESTS_OUT)/vm/%: tests/guest/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -O2 -static -no-pie -pthread -o $@ $<
.PHONY: check-vm
check-vm: $(VM_BINS) $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) setup-linux
	@sh tests/vm/check-vm.sh $(abspath $(TESTS_OUT)/vm/run) $(FERRY_LINUX)/vmlinuz \
	    $(abspath $(FERRY_BIN_x86_64)) "$(if $(FERRY_BIN_aarch64),$(abspath $(FERRY_BIN_aarch64)))" \
	    $(abspath $(VM_BINS))

# --- benchmarks -------------------------------------------------------------
# Not part of `make check`: tests/bench/setup.sh installs what they run.
# BENCH_RUNS rounds (medians), BENCH_QUICK=1 quarter-size inputs,
# BENCH_ONLY=ERE a subset by workload name (see tests/bench/bench.sh).
BENCH_NAMES := $(filter-out threads2,$(notdir $(basename $(wildcard tests/bench/*.c))))
# (tests/bench/tools/ holds measuring aids built by hand, not workloads.)
BENCH_BINS  := $(BENCH_NAMES:%=$(TESTS_OUT)/bench/%)
# The 2-thread program is dynamically linked, like the Debian programs.
BENCH_THREADS2 := $(TESTS_OUT)/bench/threads2
BENCH_RUNS  ?= 3
# QEMU's arm64 qemu-x86_64, unpacked from qemu-user-static:arm64 (setup.sh).
BENCH_QEMU_ARM64 ?= $(BUILD)/bench/qemu-arm64
BENCH_ENV  = BENCH_QUICK="$(BENCH_QUICK)" BENCH_ONLY="$(BENCH_ONLY)"
BENCH_ARGS = -n $(BENCH_RUNS) -p $(abspath $(BENCH_THREADS2))
$(TESTS_OUT)/bench/%: tests/bench/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -std=gnu11 -O2 -static -o $@ $< -lm
$(BENCH_THREADS2): tests/bench/threads2.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -std=gnu11 -O2 -pthread -o $@ $<
.PHONY: bench bench-aarch64
bench: $(FERRY_BIN_x86_64) $(BENCH_BINS) $(BENCH_THREADS2)
	sh tests/bench/setup.sh x86_64
	$(BENCH_ENV) sh tests/bench/bench.sh $(BENCH_ARGS) -w $(TESTS_OUT)/bench/work \
	    -t "x86-64 host: build/ferry vs qemu-x86_64" \
	    -f "$(abspath $(FERRY_BIN_x86_64))" -q "qemu-x86_64" $(abspath $(BENCH_BINS))
# Both translators run under the same qemu-aarch64: only ferry/qemu is a
# meaningful ratio there (ferry/native includes qemu-aarch64's own cost).
bench-aarch64: $(FERRY_BIN_aarch64) $(BENCH_BINS) $(BENCH_THREADS2)
	sh tests/bench/setup.sh aarch64 $(BENCH_QEMU_ARM64)
	$(BENCH_ENV) sh tests/bench/bench.sh $(BENCH_ARGS) -w $(TESTS_OUT)/bench/work-aarch64 \
	    -t "AArch64 build under qemu-aarch64: build/aarch64/ferry vs QEMU's arm64 qemu-x86_64" \
	    -f "$(FERRY_CMD_aarch64)" -q "$(QEMU_aarch64) $(abspath $(BENCH_QEMU_ARM64))/qemu-x86_64" \
	    $(abspath $(BENCH_BINS))

# libFuzzer harnesses: make fuzz, make check-fuzz.
include tests/fuzz/fuzz.mk

# --- the persistent translation cache (--tcache) ----------------------------
# check-tcache-ARCH: tests/tcache/check-tcache.sh -- cold and warm runs
# equal to native with far fewer blocks translated warm, corrupt files,
# code changed in place, concurrent writers (seconds on both hosts).
define tcache_for_arch
.PHONY: check-tcache-$(1)
check-tcache-$(1): $$(FERRY_BIN_$(1))
	sh tests/tcache/check-tcache.sh "$$(FERRY_CMD_$(1))" $$(abspath $$(TESTS_OUT)/run/tcache-$(1))
CHECK_TARGETS += check-tcache-$(1)
endef
$(foreach a,$(ARCHES),$(eval $(call tcache_for_arch,$(a))))

# --- AddressSanitizer programs (LeakSanitizer's ptrace stop-the-world) ----
# x86-64 host only: under qemu-user (the AArch64 build's runs) ASan's
# shadow and LSan's allocator ranges collide with qemu's own mappings
# before main (also before ptrace was emulated); tests/guest/ptrace_stop.c
# does LSan's sequence by hand on both hosts.
ASAN_BINS := $(TESTS_OUT)/asan/leak $(TESTS_OUT)/asan/threads
$(TESTS_OUT)/asan/%: tests/asan/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) -g -O1 -fsanitize=address -o $@ $< -lpthread
.PHONY: check-asan-x86_64
check-asan-x86_64: $(FERRY_BIN_x86_64) $(ASAN_BINS)
	$(RUN_DIFF) -t $(TEST_TIMEOUT_x86_64) -w $(TESTS_OUT)/run/asan-x86_64 \
	    -f "$(FERRY_CMD_x86_64)" tests/asan/asan.sh
CHECK_TARGETS += check-asan-x86_64
