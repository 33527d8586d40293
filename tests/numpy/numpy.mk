# numpy.mk -- `make numpy-sweep`: Debian's numpy 1.24 and SciPy 1.10 test
# suites (SIMD kernels picked by CPUID, float exceptions, MXCSR, threads,
# LAPACK), natively and under both builds, per-test outcomes compared
# (tests/numpy/numpy-sweep.sh).  Never part of make check: the x86-64
# build's lists take hours on 2 shared cores, the AArch64 build's lists
# under qemu-aarch64 longer.  Needs python3-numpy, python3-scipy,
# python3-pytest and python3-hypothesis in /usr/bin/python3
# (numpy-sweep-deps installs them when missing).
# Included by tests/tests.mk.
NUMPY_SWEEP_OUT ?= $(BUILD)/tests/numpy-sweep
# Modules (under numpy's package directory, scipy/... under SciPy's);
# given, they replace the lists below.
NUMPY_SWEEP_MODULES ?=
NUMPY_SWEEP_A64_MODULES ?=
# The module lists (tests/numpy/*.list), one per build.
NUMPY_SWEEP_LISTS ?= tests/numpy/numpy.list tests/numpy/scipy.list
NUMPY_SWEEP_A64_LISTS ?= tests/numpy/numpy-aarch64.list tests/numpy/scipy-aarch64.list

.PHONY: numpy-sweep numpy-sweep-x86_64 numpy-sweep-aarch64 numpy-sweep-deps
numpy-sweep: numpy-sweep-x86_64 numpy-sweep-aarch64
# What the sweep needs, installed as gcc-sweep installs its source.
NUMPY_SWEEP_PKGS = python3-numpy python3-scipy python3-pytest python3-hypothesis
numpy-sweep-deps:
	/usr/bin/python3 -c 'import numpy, scipy, pytest, hypothesis' 2>/dev/null || \
	    apt-get install -y --no-install-recommends $(NUMPY_SWEEP_PKGS)
numpy-sweep-x86_64: $(FERRY_BIN_x86_64) numpy-sweep-deps
	tests/numpy/numpy-sweep.sh -o $(NUMPY_SWEEP_OUT)/x86_64 -n $(NUMPY_SWEEP_OUT)/native \
	    -f "$(FERRY_CMD_x86_64)" \
	    $(if $(NUMPY_SWEEP_MODULES),$(NUMPY_SWEEP_MODULES),$(addprefix -l ,$(NUMPY_SWEEP_LISTS)))
numpy-sweep-aarch64: $(FERRY_BIN_aarch64) numpy-sweep-deps
	tests/numpy/numpy-sweep.sh -o $(NUMPY_SWEEP_OUT)/aarch64 -n $(NUMPY_SWEEP_OUT)/native \
	    -f "$(FERRY_CMD_aarch64)" \
	    $(if $(NUMPY_SWEEP_A64_MODULES),$(NUMPY_SWEEP_A64_MODULES),$(addprefix -l ,$(NUMPY_SWEEP_A64_LISTS)))
