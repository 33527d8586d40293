# valgrind.mk -- `make valgrind-sweep`: valgrind 3.19's own regression
# programs for x86 instructions (none/tests/amd64: AVX/AVX2/FMA/BMI, SSE4.2
# strings, AES, PCLMULQDQ, x87, the generated insn_* tests, ...; the generic
# none/tests; none/tests/x86's programs that build for x86-64) run natively
# and under both builds, stdout, stderr, exit status and signal compared
# (tests/valgrind/vg_sweep.py).  Never part of make check: valgrind's
# configure and build of its test programs take minutes, the AArch64 runs
# more.  The source is Debian's valgrind source package (apt-get source,
# deb-src needed) unless VALGRIND_SRC names an unpacked valgrind-3.19 tree.
# Included by tests/tests.mk.
VALGRIND_SRC_DIR   ?= $(BUILD)/valgrind-src
VALGRIND_SRC       ?= $(VALGRIND_SRC_DIR)/valgrind-3.19.0
VALGRIND_SWEEP_OUT ?= $(BUILD)/tests/valgrind-sweep
# More options for vg_sweep.py, e.g. --only 'amd64/avx' or --ferry-a64 '' (no AArch64 runs).
VALGRIND_SWEEP_ARGS ?=

$(VALGRIND_SRC)/configure:
	mkdir -p $(VALGRIND_SRC_DIR)
	cd $(VALGRIND_SRC_DIR) && apt-get source --download-only valgrind && \
	    tar xjf valgrind_3.19.0.orig.tar.bz2

# valgrind's own configure decides which programs its toolchain can build;
# `make check` in none/tests builds them (and the feature probe in tests/);
# -k: a program the toolchain cannot build is reported as excluded.
$(VALGRIND_SRC)/.ferry-built: $(VALGRIND_SRC)/configure
	cd $(VALGRIND_SRC) && ./configure --prefix=$(abspath $(VALGRIND_SRC_DIR))/inst >configure.log 2>&1
	$(MAKE) -C $(VALGRIND_SRC)/include >/dev/null
	$(MAKE) -C $(VALGRIND_SRC)/tests check >/dev/null
	-$(MAKE) -k -C $(VALGRIND_SRC)/none/tests check >$(VALGRIND_SRC)/ferry-build.log 2>&1
	touch $@

.PHONY: valgrind-sweep
valgrind-sweep: $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) | $(VALGRIND_SRC)/.ferry-built
	python3 tests/valgrind/vg_sweep.py --src $(VALGRIND_SRC) --out $(VALGRIND_SWEEP_OUT) \
	    --ferry "$(FERRY_CMD_x86_64)" --ferry-a64 "$(FERRY_CMD_aarch64)" $(VALGRIND_SWEEP_ARGS)
