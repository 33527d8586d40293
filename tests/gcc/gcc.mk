# gcc.mk -- `make gcc-sweep`: GCC 12's execution tests (gcc.c-torture/execute,
# its ieee/, gcc.dg/torture, gcc.dg/vect, gcc.dg run tests) compiled with
# gcc-12 and run natively and under ferry (tests/gcc/gcc_sweep.py), then
# gcc.target/i386's run tests within ferry's CPU (`make gcc-i386-sweep`,
# tests/gcc-i386/gcc-i386.mk).  Never part of make check: about two hours on
# 2 cores in full; GCC_SWEEP_QUICK=1 runs a sample (every 10th test, -O2 and
# -O3 -march=x86-64-v3) in about a quarter hour.  GCC's source comes from
# Debian's gcc-12-source package (`make gcc-sweep-deps` installs it and
# unpacks the test directories) unless GCC_TESTSUITE names an unpacked
# gcc/testsuite.  Included by tests/tests.mk.
GCC_SRC_DIR   ?= $(BUILD)/gcc-src
GCC_TESTSUITE ?= $(GCC_SRC_DIR)/gcc-12.2.0/gcc/testsuite
GCC_SWEEP_OUT ?= $(BUILD)/tests/gcc-sweep
# Option sets (O0, O2, v3 = -O3 -march=x86-64-v3); the AArch64 build runs
# ieee/ in full and every GCC_SWEEP_A64_EVERY-th test of the rest.
GCC_SWEEP_OPTS      ?= O2,v3
GCC_SWEEP_A64_EVERY ?= 10
# More options for gcc_sweep.py, e.g. --only 'ieee/' or --suites exec.
GCC_SWEEP_ARGS      ?=
# GCC_SWEEP_QUICK=1: every 10th test of each suite (and of gcc.target/i386),
# the AArch64 build on every 2nd of those.
GCC_SWEEP_QUICK     ?=
GCC_SWEEP_SAMPLE     = $(if $(GCC_SWEEP_QUICK),--every 10 --a64-every 2,--a64-every $(GCC_SWEEP_A64_EVERY))
GCC_I386_SAMPLE      = $(if $(GCC_SWEEP_QUICK),--every 10)

# Only the test directories the sweep reads are unpacked, from Debian's
# gcc-12-source package (installed here when missing; no deb-src needed),
# else from the source package (deb-src lines).
GCC_SRC_TARBALL ?= /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
GCC_SRC_DIRS := '*/gcc/testsuite/gcc.c-torture/*' '*/gcc/testsuite/gcc.dg/*'
$(GCC_TESTSUITE)/gcc.dg:
	mkdir -p $(GCC_SRC_DIR)
	[ -f $(GCC_SRC_TARBALL) ] || apt-get install -y --no-install-recommends gcc-12-source || true
	if [ -f $(GCC_SRC_TARBALL) ]; then \
	    cd $(GCC_SRC_DIR) && tar xJf $(GCC_SRC_TARBALL) --wildcards $(GCC_SRC_DIRS); \
	else \
	    cd $(GCC_SRC_DIR) && apt-get source --download-only gcc-12 && \
	    tar xzf gcc-12_*.orig.tar.gz && \
	    tar xJf gcc-12-*/gcc-*-dfsg.tar.xz --wildcards $(GCC_SRC_DIRS); \
	fi

# The package and both unpacked test trees (gcc-i386.mk's rule for
# gcc.target/i386; its GCC_I386_DIR is not set yet here).
.PHONY: gcc-sweep-deps
gcc-sweep-deps: | $(GCC_TESTSUITE)/gcc.dg $(GCC_TESTSUITE)/gcc.target/i386/i386.exp

# The torture suites, then gcc.target/i386 (a recursive make: one after the
# other, each at -j2 itself).
.PHONY: gcc-sweep gcc-torture-sweep
gcc-sweep: gcc-torture-sweep
	+$(MAKE) --no-print-directory gcc-i386-sweep \
	    GCC_I386_SWEEP_ARGS="$(GCC_I386_SAMPLE) $(GCC_I386_SWEEP_ARGS)"
gcc-torture-sweep: $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) | $(GCC_TESTSUITE)/gcc.dg
	python3 tests/gcc/gcc_sweep.py --testsuite $(GCC_TESTSUITE) --out $(GCC_SWEEP_OUT) \
	    --opts $(GCC_SWEEP_OPTS) --ferry "$(FERRY_CMD_x86_64)" --ferry-a64 "$(FERRY_CMD_aarch64)" \
	    $(GCC_SWEEP_SAMPLE) $(GCC_SWEEP_ARGS)
