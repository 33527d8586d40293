# debsweep.mk -- `make deb-sweep`: Debian source packages
# (tests/debsweep/packages.list) built with their own test suites by
# dpkg-buildpackage in an amd64 bookworm chroot, natively and with every
# process under ferry (the x86-64 build through binfmt_misc in a private
# namespace; the AArch64 build under qemu-aarch64 through
# FERRY_EXEC_WRAPPER), the exit status, test verdicts and .deb files
# compared (tests/debsweep/deb-sweep.sh).  Never part of make check: a
# package takes 10-45 min translated at load 10-30 on 2 shared cores
# (bzip2, libyaml; natively 1-7 min), the whole list hours; the AArch64
# build under qemu far longer (bzip2 not done in 75 min), so it builds
# DEB_SWEEP_A64_PACKAGES only.  The
# chroot is a copy of check-chroot's with deb-src lines, dpkg-dev and the
# packages' build-deps (.ci/setup-debsweep, cached outside the tree).
# Needs root.  Included by tests/tests.mk.
DEBSWEEP_CHROOT ?= /var/cache/ferry/chroot-amd64-bookworm-debsweep
DEBSWEEP_OUT    ?= $(BUILD)/tests/debsweep
DEBSWEEP_LIST   ?= tests/debsweep/packages.list
# Packages given here replace the list; the AArch64 build's two smallest.
DEB_SWEEP_PACKAGES ?=
DEB_SWEEP_A64_PACKAGES ?= bzip2 libyaml
# DEB_SWEEP_MODE=tests: configure and compile natively once (the tree kept
# in native/PKG-tree), then only the test step and the packaging step,
# natively and under ferry, compared (deb-sweep.sh -t; results in
# x86_64-tests/, aarch64-tests/).  Empty: whole builds.
DEB_SWEEP_MODE ?=
DEBSWEEP_MODE_ARGS = $(if $(filter tests,$(DEB_SWEEP_MODE)),-t)
DEBSWEEP_MODE_DIR = $(if $(filter tests,$(DEB_SWEEP_MODE)),-tests)

.PHONY: deb-sweep deb-sweep-x86_64 deb-sweep-aarch64 deb-sweep-deps
# One build after the other (they share the native builds in native/).
deb-sweep:
	$(MAKE) deb-sweep-x86_64; s=$$?; $(MAKE) deb-sweep-aarch64 && exit $$s
# The set-up is cheap when done (one stamp per package), so it runs every
# time: a package added to the list gets its build-deps and source.
deb-sweep-deps:
	FERRY_CHROOT=$(FERRY_CHROOT) FERRY_DEBSWEEP_CHROOT=$(DEBSWEEP_CHROOT) sh .ci/setup-debsweep $(DEBSWEEP_LIST)
deb-sweep-x86_64: $(FERRY_BIN_x86_64) deb-sweep-deps
	tests/debsweep/deb-sweep.sh -c $(DEBSWEEP_CHROOT) -o $(DEBSWEEP_OUT)/x86_64$(DEBSWEEP_MODE_DIR) -n $(DEBSWEEP_OUT)/native \
	    -f $(FERRY_BIN_x86_64) $(DEBSWEEP_MODE_ARGS) -s tests/debsweep/test-steps.list -k tests/debsweep/known.list \
	    $(if $(DEB_SWEEP_PACKAGES),$(DEB_SWEEP_PACKAGES),-l $(DEBSWEEP_LIST))
deb-sweep-aarch64: $(FERRY_BIN_aarch64) deb-sweep-deps
	tests/debsweep/deb-sweep.sh -c $(DEBSWEEP_CHROOT) -o $(DEBSWEEP_OUT)/aarch64$(DEBSWEEP_MODE_DIR) -n $(DEBSWEEP_OUT)/native \
	    -f $(FERRY_BIN_aarch64) -r "$(RUN_aarch64)" $(DEBSWEEP_MODE_ARGS) -s tests/debsweep/test-steps.list -k tests/debsweep/known.list $(DEB_SWEEP_A64_PACKAGES)
