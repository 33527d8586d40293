# simde.mk -- `make simde-sweep`: SIMDe's x86 intrinsics (SSE..SSE4.2, AVX,
# AVX2, FMA, F16C, PCLMUL; Debian's libsimde-dev 0.7.4 headers) as a probe of
# ferry's vector instructions: tests/simde/simde_gen.py writes one program a
# header calling each SIMDe function on fixed inputs, built -march=x86-64-v3
# so SIMDe uses the native instructions, run natively and under both builds
# in seven MXCSR modes, stdout, stderr and exit status compared
# (tests/simde/simde_sweep.py).  Never part of make check.  The headers come
# from the libsimde-dev package (apt-get download, no install) unless
# SIMDE_INC names a directory holding simde/x86/*.h.  Included by
# tests/tests.mk.
SIMDE_DEB_DIR   ?= $(BUILD)/simde-deb
SIMDE_INC       ?= $(SIMDE_DEB_DIR)/usr/include
SIMDE_SWEEP_OUT ?= $(BUILD)/tests/simde-sweep
# More options for simde_sweep.py, e.g. --only avx2,fma, --modes 1f80 or
# --ferry-a64 '' (no AArch64 runs).
SIMDE_SWEEP_ARGS ?=

$(SIMDE_DEB_DIR)/usr/include/simde/x86/avx2.h:
	mkdir -p $(SIMDE_DEB_DIR)
	cd $(SIMDE_DEB_DIR) && rm -f libsimde-dev_*.deb && apt-get download libsimde-dev && \
	    dpkg-deb -x libsimde-dev_*.deb .

.PHONY: simde-sweep
simde-sweep: $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) | $(SIMDE_INC)/simde/x86/avx2.h
	python3 tests/simde/simde_sweep.py --include $(SIMDE_INC) --out $(SIMDE_SWEEP_OUT) \
	    --ferry "$(FERRY_CMD_x86_64)" --ferry-a64 "$(FERRY_CMD_aarch64)" $(SIMDE_SWEEP_ARGS)
