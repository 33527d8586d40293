# pyregr.mk -- `make pyregr-sweep`: CPython 3.11's own regression suite
# (Debian's libpython3.11-testsuite, `python3 -m test`) natively and under
# both builds in an amd64 bookworm chroot, per-test verdicts compared
# (tests/pyregr/pyregr-sweep.sh).  Never part of make check: the x86-64
# list takes about half an hour on 2 shared cores, the AArch64 build under
# qemu-aarch64 longer.  The chroot is a copy of check-chroot's with python3
# and the testsuite installed (.ci/setup-pyregr, cached outside the tree).
# Needs root.  Included by tests/tests.mk.
PYREGR_CHROOT ?= /var/cache/ferry/chroot-amd64-bookworm-pyregr
PYREGR_OUT    ?= $(BUILD)/tests/pyregr
# Modules given here replace the lists (tests/pyregr/*.list).
PYREGR_MODULES ?=
PYREGR_A64_MODULES ?=
# The module lists; more.list is a second x86-64 batch (start-up, imports,
# archives, tracing, gc, number and codec kernels), not run by default.
PYREGR_LISTS ?= tests/pyregr/sys.list
PYREGR_A64_LISTS ?= tests/pyregr/aarch64.list
PYREGR_TIMEOUT ?= 1200

.PHONY: pyregr-sweep pyregr-sweep-x86_64 pyregr-sweep-aarch64
pyregr-sweep: pyregr-sweep-x86_64 pyregr-sweep-aarch64
$(PYREGR_CHROOT)/.ferry-pyregr-done:
	FERRY_CHROOT=$(FERRY_CHROOT) FERRY_PYREGR_CHROOT=$(PYREGR_CHROOT) sh .ci/setup-pyregr
pyregr-sweep-x86_64: $(FERRY_BIN_x86_64) $(PYREGR_CHROOT)/.ferry-pyregr-done
	tests/pyregr/pyregr-sweep.sh -c $(PYREGR_CHROOT) -o $(PYREGR_OUT)/x86_64 -n $(PYREGR_OUT)/native \
	    -t $(PYREGR_TIMEOUT) -f $(FERRY_BIN_x86_64) -k tests/pyregr/known.list \
	    $(if $(PYREGR_MODULES),$(PYREGR_MODULES),$(addprefix -l ,$(PYREGR_LISTS)))
pyregr-sweep-aarch64: $(FERRY_BIN_aarch64) $(PYREGR_CHROOT)/.ferry-pyregr-done
	tests/pyregr/pyregr-sweep.sh -c $(PYREGR_CHROOT) -o $(PYREGR_OUT)/aarch64 -n $(PYREGR_OUT)/native \
	    -t $(PYREGR_TIMEOUT) -f $(FERRY_BIN_aarch64) -r "$(RUN_aarch64)" -k tests/pyregr/known.list -k tests/pyregr/known-aarch64.list \
	    $(if $(PYREGR_A64_MODULES),$(PYREGR_A64_MODULES),$(addprefix -l ,$(PYREGR_A64_LISTS)))
