# numpy.mk -- `make numpy-sweep`: Debian's numpy 1.24 test suite (SIMD
# kernels picked by CPUID, float exceptions, MXCSR, threads), natively and
# under both builds, per-test outcomes compared (tests/numpy/numpy-sweep.sh).
# Never part of make check: the x86-64 build's modules take about 30 min at
# load 10 on 2 cores, the AArch64 subset under qemu-aarch64 longer.  Needs
# python3-numpy, python3-pytest and python3-hypothesis in /usr/bin/python3
# (numpy-sweep-deps installs them when missing).
# Included by tests/tests.mk.
NUMPY_SWEEP_OUT ?= $(BUILD)/tests/numpy-sweep
# Modules (under numpy's package directory); empty: the script's list.
NUMPY_SWEEP_MODULES ?=
# The AArch64 build's subset (qemu-aarch64 runs it 20-50x slower).
NUMPY_SWEEP_A64_MODULES ?= core/tests/test_cpu_features.py core/tests/test_simd_module.py \
    core/tests/test_half.py core/tests/test_casting_floatingpoint_errors.py \
    core/tests/test_errstate.py core/tests/test_umath_complex.py core/tests/test_simd.py

.PHONY: numpy-sweep numpy-sweep-x86_64 numpy-sweep-aarch64 numpy-sweep-deps
numpy-sweep: numpy-sweep-x86_64 numpy-sweep-aarch64
# What the sweep needs, installed as gcc-sweep installs its source.
NUMPY_SWEEP_PKGS = python3-numpy python3-pytest python3-hypothesis
numpy-sweep-deps:
	/usr/bin/python3 -c 'import numpy, pytest, hypothesis' 2>/dev/null || \
	    apt-get install -y --no-install-recommends $(NUMPY_SWEEP_PKGS)
numpy-sweep-x86_64: $(FERRY_BIN_x86_64) numpy-sweep-deps
	tests/numpy/numpy-sweep.sh -o $(NUMPY_SWEEP_OUT)/x86_64 -n $(NUMPY_SWEEP_OUT)/native \
	    -f "$(FERRY_CMD_x86_64)" $(NUMPY_SWEEP_MODULES)
numpy-sweep-aarch64: $(FERRY_BIN_aarch64) numpy-sweep-deps
	tests/numpy/numpy-sweep.sh -o $(NUMPY_SWEEP_OUT)/aarch64 -n $(NUMPY_SWEEP_OUT)/native \
	    -f "$(FERRY_CMD_aarch64)" $(NUMPY_SWEEP_A64_MODULES)
