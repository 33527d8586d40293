# gcc-i386.mk -- `make gcc-i386-sweep`: GCC 12's own gcc.target/i386 runtime
# tests as a bug finder (issue 10), each compiled with its dg-options, run
# natively and under both builds, compared (tests/gcc-i386/sweep.py).  Not
# part of make check: about an hour at -j2 (the AArch64 runs under qemu).
# The tests come from Debian's gcc-12 source package, in the same place as
# make gcc-sweep's (tests/gcc/gcc.mk; deb-src lines needed), or set
# GCC_I386_DIR to an unpacked gcc/testsuite/gcc.target/i386.
# Included by tests/tests.mk.
GCC_SRC_DIR   ?= $(BUILD)/gcc-src
GCC_TESTSUITE ?= $(GCC_SRC_DIR)/gcc-12.2.0/gcc/testsuite
GCC_I386_DIR  ?= $(GCC_TESTSUITE)/gcc.target/i386
GCCI386_OUT   := $(BUILD)/tests/gcc-i386
# More options for sweep.py: --only REGEX, --no-a64, --extra "FLAGS".
GCC_I386_SWEEP_ARGS ?=

# Only gcc.target/i386 is unpacked (the source package is fetched once).
# From Debian's gcc-12-source package as in gcc.mk, else the source package.
$(GCC_I386_DIR)/i386.exp:
	mkdir -p $(GCC_SRC_DIR)
	[ -f $(GCC_SRC_TARBALL) ] || apt-get install -y --no-install-recommends gcc-12-source || true
	if [ -f $(GCC_SRC_TARBALL) ]; then \
	    cd $(GCC_SRC_DIR) && tar xJf $(GCC_SRC_TARBALL) --wildcards '*/gcc/testsuite/gcc.target/i386/*'; \
	else \
	    cd $(GCC_SRC_DIR) && { ls gcc-12_*.orig.tar.gz > /dev/null 2>&1 || \
	        apt-get source --download-only gcc-12; } && \
	    tar xzf gcc-12_*.orig.tar.gz && \
	    tar xJf gcc-12-*/gcc-*-dfsg.tar.xz --wildcards '*/gcc/testsuite/gcc.target/i386/*'; \
	fi
$(GCCI386_OUT)/cpufeat: tests/gcc-i386/cpufeat.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O2 -static -o $@ $<

# The sweep runs from copies of the two ferries: a rebuild mid-run would
# replace the binary under it.
.PHONY: gcc-i386-sweep
gcc-i386-sweep: $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) $(GCCI386_OUT)/cpufeat \
                | $(GCC_I386_DIR)/i386.exp
	@mkdir -p $(GCCI386_OUT)/bin
	cp $(FERRY_BIN_x86_64) $(GCCI386_OUT)/bin/ferry-x86_64
	cp $(FERRY_BIN_aarch64) $(GCCI386_OUT)/bin/ferry-aarch64
	python3 tests/gcc-i386/sweep.py -j 2 $(GCC_I386_SWEEP_ARGS) $(GCC_I386_DIR) \
	    $(GCCI386_OUT)/bin/ferry-x86_64 $(GCCI386_OUT)/bin/ferry-aarch64 \
	    $(GCCI386_OUT)/cpufeat $(GCCI386_OUT)/run
