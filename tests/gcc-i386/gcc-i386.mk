# gcc-i386.mk -- `make gcc-i386-sweep`: GCC 12's own gcc.target/i386 runtime
# tests as a bug finder (issue 10), each compiled with its dg-options, run
# natively and under both builds, compared (tests/gcc-i386/sweep.py).  Not
# part of make check: about an hour at -j2 (the AArch64 runs under qemu).
# The tests come from Debian's gcc-12 source package (needs deb-src lines),
# or set GCC_I386_DIR to an unpacked gcc/testsuite/gcc.target/i386.
# Included by tests/tests.mk.
GCCI386_OUT := $(BUILD)/tests/gcc-i386
ifeq ($(origin GCC_I386_DIR),undefined)
GCC_I386_DIR := $(GCCI386_OUT)/src/gcc-12.2.0/gcc/testsuite/gcc.target/i386
GCCI386_SRC := $(GCCI386_OUT)/src/.unpacked
endif

$(GCCI386_OUT)/src/.unpacked:
	@mkdir -p $(@D)
	cd $(@D) && apt-get source --download-only gcc-12 && \
	    tar xzf gcc-12_*.orig.tar.gz --wildcards '*/gcc-12.2.0-dfsg.tar.xz' && \
	    tar xJf gcc-12-*/gcc-12.2.0-dfsg.tar.xz --wildcards 'gcc-12.2.0/gcc/testsuite/gcc.target/i386/*'
	touch $@
$(GCCI386_OUT)/cpufeat: tests/gcc-i386/cpufeat.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O2 -static -o $@ $<

# The sweep runs from copies of the two ferries: a rebuild mid-run would
# replace the binary under it.
.PHONY: gcc-i386-sweep
gcc-i386-sweep: $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) $(GCCI386_OUT)/cpufeat $(GCCI386_SRC)
	@mkdir -p $(GCCI386_OUT)/bin
	cp $(FERRY_BIN_x86_64) $(GCCI386_OUT)/bin/ferry-x86_64
	cp $(FERRY_BIN_aarch64) $(GCCI386_OUT)/bin/ferry-aarch64
	python3 tests/gcc-i386/sweep.py -j 2 $(GCC_I386_SWEEP_ARGS) $(GCC_I386_DIR) \
	    $(GCCI386_OUT)/bin/ferry-x86_64 $(GCCI386_OUT)/bin/ferry-aarch64 \
	    $(GCCI386_OUT)/cpufeat $(GCCI386_OUT)/run
