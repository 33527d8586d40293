# fuzz.mk -- libFuzzer harnesses (tests/fuzz/README.md), built with
# Debian's clang under AddressSanitizer and UBSan into $(BUILD)/fuzz/.
#
#   make fuzz FUZZ_SECONDS=N   each harness for N seconds (default 60), new
#                              inputs kept in $(BUILD)/fuzz/corpus/TARGET
#   make check-fuzz            (in make check) replays tests/fuzz/TARGET/ and
#                              fuzzes each harness for FUZZ_CHECK_SECONDS (5),
#                              the converters' for FUZZ_CONV_SECONDS (1); and
#                              check-fuzz-aarch64: the AArch64 build's (below)
#   make check-fuzz-long       (in check-long) the same, longer: 30 s / 5 s each,
#                              and the AArch64 build's full mutation counts
# A crash stops the run with libFuzzer's report; the input is written to
# $(BUILD)/fuzz/crash-*: fix the code, then add the input to tests/fuzz/TARGET/.

FUZZ_CC      := clang
FUZZ_OUT     := $(BUILD)/fuzz
FUZZ_BASE_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wno-unused-parameter \
                    -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := $(FUZZ_BASE_CFLAGS) -fsanitize=fuzzer,address,undefined
# Objects are compiled once per toolchain and shared by every harness that
# links them (the engine's 130 files by x86 and sigframe, the loader by elf
# and map...): one include path for all, as no two parts' headers share a
# name.  Objects get libFuzzer's coverage, the link brings its main.
FUZZ_INC_ALL := $(INC_program) -Isystem
FUZZ_OBJ_CFLAGS := $(FUZZ_BASE_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined $(FUZZ_INC_ALL)
FUZZ_TARGETS := elf map boot virtq virtio_dev sysconv mmapflags sigevent stat semid epoll x86 sigframe
FUZZ_SECONDS ?= 60
# make check's share (session 13: 10 s and 2 s before; the longer runs
# went to check-fuzz-long, docs/status.md "make check time (session 13)").
FUZZ_CHECK_SECONDS ?= 5
# The syscall converters' inputs are 8 to 144 bytes through straight-line
# code: libFuzzer covers every edge of them in well under a second.
FUZZ_CONV_TARGETS := sysconv mmapflags sigevent stat semid epoll
FUZZ_CONV_SECONDS ?= 1
fuzz_check_seconds = $(if $(filter $(1),$(FUZZ_CONV_TARGETS)),$(FUZZ_CONV_SECONDS),$(FUZZ_CHECK_SECONDS))
FUZZ_ARGS    := -seed=1 -max_len=65536 -timeout=10 -rss_limit_mb=1024 -close_fd_mask=3 -print_final_stats=1

FUZZ_SRCS_elf   := tests/fuzz/fuzz_elf.c loader/ld_elf.c loader/ld_elf_note.c loader/ld_program.c \
                   loader/ld_shebang.c loader/ld_symbols.c
FUZZ_LIBS_elf   := -lelf
# The mapping path at the programs' own fixed addresses, and the initial
# stack (ld_map.c, ld_stack.c and what they use: the whole loader).
FUZZ_SRCS_map   := tests/fuzz/fuzz_map.c $(wildcard loader/*.c)
FUZZ_LIBS_map   := -lelf
FUZZ_SRCS_boot  := tests/fuzz/fuzz_boot.c system/boot_elf.c system/boot_bzimage.c \
                   system/boot_tables.c system/vm.c loader/ld_elf.c loader/ld_elf_note.c
FUZZ_LIBS_boot  := -lelf -pthread
FUZZ_SRCS_virtq := tests/fuzz/fuzz_virtq.c tests/fuzz/fuzz_virtio_transport.c system/virtqueue.c system/vm.c
FUZZ_LIBS_virtq := -pthread
# The devices' request parsing behind the walker; virtio-net with the
# harness as its backend (no tap, no libslirp).
FUZZ_SRCS_virtio_dev := tests/fuzz/fuzz_virtio_dev.c tests/fuzz/fuzz_virtio_transport.c system/virtio_blk.c system/virtio_rng.c \
                        system/virtio_console.c system/dev_stdin.c system/virtio_net.c system/virtqueue.c system/vm.c
FUZZ_LIBS_virtio_dev := -pthread

FUZZ_SRCS_sysconv := tests/fuzz/fuzz_sysconv.c syscalls/sys_flags.c
FUZZ_LIBS_sysconv :=
FUZZ_SRCS_mmapflags := tests/fuzz/fuzz_mmapflags.c syscalls/sys_flags.c
FUZZ_LIBS_mmapflags :=
FUZZ_SRCS_sigevent := tests/fuzz/fuzz_sigevent.c syscalls/sys_flags.c
FUZZ_LIBS_sigevent :=
# The structure converters (syscalls/sys_conv.c), a harness per family.
$(foreach t,stat semid epoll,$(eval FUZZ_SRCS_$(t) := tests/fuzz/fuzz_$(t).c syscalls/sys_conv.c) \
    $(eval FUZZ_LIBS_$(t) :=))

# The engine: translator (without ferry's program), the x86-64 frontend
# and this host's backend.
FUZZ_SRCS_x86 := tests/fuzz/fuzz_x86.c $(filter-out $(FERRY_MAIN_SRCS),$(wildcard translator/*.c)) \
                 $(wildcard frontends/x86_64/*.c) $(wildcard backends/x86_64/*.c) backends/vcache.c
FUZZ_SRCS_A64_x86 := $(filter-out backends/x86_64/%,$(FUZZ_SRCS_x86)) $(wildcard backends/aarch64/*.c)

# The signal frame (syscalls/sys_sigframe.c) on the frontend's FP state
# (XSAVE/FXSAVE images): the engine's sources for the CPU's helpers.
FUZZ_SRCS_sigframe := tests/fuzz/fuzz_sigframe.c syscalls/sys_sigframe.c $(filter-out tests/fuzz/%,$(FUZZ_SRCS_x86))
FUZZ_SRCS_A64_sigframe := tests/fuzz/fuzz_sigframe.c syscalls/sys_sigframe.c $(filter-out tests/fuzz/%,$(FUZZ_SRCS_A64_x86))
FUZZ_LIBS_sigframe = $(FUZZ_LIBS_x86)
FUZZ_LIBS_x86 := -lcapstone -lmpfr -lgmp -lm -pthread -l:libatomic.a

FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_TARGETS))

# fuzz_objs(OUT, SRCS): the shared objects of SRCS under OUT/obj.
fuzz_objs = $(patsubst %.c,$(1)/obj/%.o,$(2))
$(FUZZ_OUT)/obj/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_CFLAGS) -MMD -MP -c $< -o $@

define FUZZ_template
$(FUZZ_OUT)/fuzz_$(1): $$(call fuzz_objs,$(FUZZ_OUT),$$(FUZZ_SRCS_$(1)))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ $$^ $$(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_template,$(t))))
FUZZ_ALL_SRCS = $(sort $(foreach t,$(FUZZ_TARGETS),$(FUZZ_SRCS_$(t)) $(FUZZ_SRCS_A64_$(t))))
-include $(patsubst %.o,%.d,$(call fuzz_objs,$(FUZZ_OUT),$(FUZZ_ALL_SRCS)))

.PHONY: fuzz-build fuzz check-fuzz
fuzz-build: $(FUZZ_BINS)

# One harness: $(1) target, $(2) seconds.  New inputs go to a work corpus
# under build/ (the committed seeds are read, never written).
FUZZ_RUN = (mkdir -p $(FUZZ_OUT)/corpus/$(1) && cd $(FUZZ_OUT) && \
	./fuzz_$(1) $(FUZZ_ARGS) -max_total_time=$(2) corpus/$(1) $(CURDIR)/tests/fuzz/$(1) \
	  2>&1 | grep -E '^(stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|.*deadly signal|.*Test unit written)' \
	  | sed 's/^/fuzz $(1): /'; rc=$${PIPESTATUS[0]}; \
	  test $$rc -eq 0 || echo "fuzz $(1): the harness exited with status $$rc (over 128: killed by signal rc-128)"; \
	  test $$rc -eq 0)

fuzz: SHELL := /bin/bash
fuzz: $(FUZZ_BINS)
	@$(foreach t,$(FUZZ_TARGETS),$(call FUZZ_RUN,$(t),$(FUZZ_SECONDS)) &&) true

# Replay every committed input (seeds and past crashes), then fuzz a little.
check-fuzz: SHELL := /bin/bash
check-fuzz: $(FUZZ_BINS)
	@$(foreach t,$(FUZZ_TARGETS),$(FUZZ_OUT)/fuzz_$(t) -runs=0 $(FUZZ_ARGS) tests/fuzz/$(t) \
	    >/dev/null 2>&1 || { echo "check-fuzz: $(t): a committed input fails:"; \
	    $(FUZZ_OUT)/fuzz_$(t) -runs=0 -max_len=65536 tests/fuzz/$(t) 2>&1 | tail -30; exit 1; } &&) true
	@$(foreach t,$(FUZZ_TARGETS),$(call FUZZ_RUN,$(t),$(call fuzz_check_seconds,$(t))) &&) true
	@echo "check-fuzz: $(words $(FUZZ_TARGETS)) harnesses, corpora replayed, no crash"
CHECK_TARGETS += check-fuzz

# The AArch64 build: no libFuzzer runtime for it here, so each harness is
# linked with tests/fuzz/fuzz_driver.c (corpus replay, then a seeded
# mutation loop of FUZZ_A64_RUNS executions, no coverage feedback), built
# by gcc-aarch64-linux-gnu under ASan + UBSan and run under qemu-aarch64
# (LeakSanitizer does not run under qemu-user: leak checks off; the cross
# sanitizer runtimes live in /usr/aarch64-linux-gnu/lib: an rpath).
FUZZ_A64_OUT    := $(BUILD)/aarch64/fuzz
FUZZ_A64_CFLAGS := $(filter-out -fsanitize=fuzzer%,$(FUZZ_CFLAGS)) -fsanitize=address,undefined \
                   -Wl,-rpath,/usr/aarch64-linux-gnu/lib
# Blind mutations of the same seeds: make check runs a quarter of what
# check-fuzz-long runs (20,000; the converters 5,000).
FUZZ_A64_RUNS   ?= 5000
# The engine's harness flushes its code cache for every input: fewer.
FUZZ_A64_RUNS_x86 ?= 1500
# The converters are straight-line code over 8-144 bytes.
FUZZ_A64_CONV_RUNS ?= 1250
$(foreach t,$(FUZZ_CONV_TARGETS),$(eval FUZZ_A64_RUNS_$(t) ?= $(FUZZ_A64_CONV_RUNS)))
fuzz_a64_runs = $(or $(FUZZ_A64_RUNS_$(1)),$(FUZZ_A64_RUNS))
FUZZ_A64_BINS := $(patsubst %,$(FUZZ_A64_OUT)/fuzz_%,$(FUZZ_TARGETS))

$(FUZZ_A64_OUT)/obj/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_aarch64) $(FUZZ_A64_CFLAGS) $(FUZZ_INC_ALL) -MMD -MP -c $< -o $@

define FUZZ_A64_template
$(FUZZ_A64_OUT)/fuzz_$(1): $$(call fuzz_objs,$(FUZZ_A64_OUT),tests/fuzz/fuzz_driver.c $$(or $$(FUZZ_SRCS_A64_$(1)),$$(FUZZ_SRCS_$(1))))
	$(CC_aarch64) $(FUZZ_A64_CFLAGS) -o $$@ $$^ $$(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_A64_template,$(t))))
-include $(patsubst %.o,%.d,$(call fuzz_objs,$(FUZZ_A64_OUT),tests/fuzz/fuzz_driver.c $(FUZZ_ALL_SRCS)))

FUZZ_A64_RUN = (cd $(FUZZ_A64_OUT) && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	$(QEMU_aarch64) ./fuzz_$(1) -seed=1 -max_len=65536 -timeout=60 -runs=$(call fuzz_a64_runs,$(1)) \
	  -name=$(1) $(CURDIR)/tests/fuzz/$(1) 2>&1 | tail -20 | sed 's/^/fuzz-aarch64 $(1): /'; \
	  rc=$${PIPESTATUS[0]}; test $$rc -eq 0 || echo "fuzz-aarch64 $(1): failed with status $$rc"; \
	  test $$rc -eq 0)

.PHONY: fuzz-build-aarch64 check-fuzz-aarch64
fuzz-build-aarch64: $(FUZZ_A64_BINS)
check-fuzz-aarch64: SHELL := /bin/bash
check-fuzz-aarch64: $(FUZZ_A64_BINS)
	@$(foreach t,$(FUZZ_TARGETS),$(call FUZZ_A64_RUN,$(t)) &&) true
	@echo "check-fuzz-aarch64: $(words $(FUZZ_TARGETS)) harnesses, corpora replayed, no crash"
check-fuzz: check-fuzz-aarch64

# The longer sweep (check-long): what make check ran before session 13 and more.
.PHONY: check-fuzz-long
check-fuzz-long:
	$(MAKE) check-fuzz FUZZ_CHECK_SECONDS=30 FUZZ_CONV_SECONDS=5 FUZZ_A64_RUNS=20000 FUZZ_A64_CONV_RUNS=5000

# The unit tests and the x86-64 guest programs with ferry built under
# AddressSanitizer + UBSan (MODE=sanitize), in a build tree of its own
# (the test outputs do not depend on MODE).  Not in make check: several
# minutes (docs/status.md, issue 11).  Leak checks are off: ferry keeps
# the guest's strings and translations for the process's life on purpose.
# One unit test is left out: it hands the syscall layer PROT_NONE paths to
# see the kernel's EFAULT, and ASan's readlinkat interceptor reads them
# first (the sanitizer crashes, not ferry).
SANITIZE_UNIT_ARGS := '--filter=!(syscalls/bad_pointers_give_efault_not_a_crash)'
.PHONY: check-sanitize
check-sanitize:
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(MAKE) MODE=sanitize BUILD=$(BUILD)/sanitize-tree UNIT_ARGS="$(SANITIZE_UNIT_ARGS)" \
	    check-unit check-guest-x86_64
