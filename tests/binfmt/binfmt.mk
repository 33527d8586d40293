# binfmt.mk -- ferry as installed and used transparently (tests/binfmt/):
#   check-static-ARCH   the shipped ferry is static and runs guest execs in
#                       a chroot with no libraries and no /proc
#   check-binfmt        --binfmt register/status/unregister and ferry as the
#                       binfmt_misc handler (P, O, C, F flags) in a user
#                       namespace's own binfmt_misc (x86-64 build: the kernel
#                       must run the handler itself; skipped, saying why,
#                       where the kernel gives no instance)
#   check-install       make install into a DESTDIR for each host, then the
#                       installed ferry runs a program as natively
#   check-cpu-ARCH      -cpu MODEL: CPUID, __builtin_cpu_supports and ld.so's
#                       hwcaps levels against qemu-x86_64 -cpu MODEL
#   check-chroot-ARCH   bash, dpkg -l, C builds (Debian's zlib) and g++ in a debootstrap'ed amd64
#                       chroot, without and with /proc, against native
# All in make check.  Included by the GNUmakefile after tests/tests.mk.
BIN_OUT := $(BUILD)/tests/binfmt
# The test programs: marked with "FERRYT" in e_ident's padding (byte 9),
# which only the tests' binfmt_misc entry matches, or plain.
$(BIN_OUT)/argv-cpu-marked: tests/binfmt/argv_cpu.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O1 -o $@ $<
	printf FERRYT | dd of=$@ bs=1 seek=9 conv=notrunc status=none
$(BIN_OUT)/argv-cpu-static-marked: tests/binfmt/argv_cpu.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O1 -static -o $@ $<
	printf FERRYT | dd of=$@ bs=1 seek=9 conv=notrunc status=none
$(BIN_OUT)/argv-cpu-static: tests/binfmt/argv_cpu.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O1 -static -o $@ $<
$(BIN_OUT)/cpu-model: tests/binfmt/cpu_model.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O1 -o $@ $<

BUSYBOX_STATIC := /bin/busybox
RUNNER_x86_64  :=
RUNNER_aarch64 := qemu-aarch64
define binfmt_for_arch
.PHONY: check-static-$(1)
check-static-$(1): $$(FERRY_BIN_$(1)) $$(BIN_OUT)/argv-cpu-static
	sh tests/binfmt/check-static.sh $$(FERRY_BIN_$(1)) "$$(RUNNER_$(1))" $$(BUSYBOX_STATIC) \
	    $$(BIN_OUT)/argv-cpu-static
CHECK_TARGETS += check-static-$(1)
.PHONY: check-cpu-$(1)
check-cpu-$(1): $$(FERRY_BIN_$(1)) $$(BIN_OUT)/cpu-model
	sh tests/binfmt/check-cpu.sh $$(abspath $$(FERRY_BIN_$(1))) "$$(RUNNER_$(1))" $$(abspath $$(BIN_OUT)/cpu-model)
CHECK_TARGETS += check-cpu-$(1)
endef
$(foreach a,$(ARCHES),$(eval $(call binfmt_for_arch,$(a))))

.PHONY: check-binfmt check-install
check-binfmt: $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) $(BIN_OUT)/argv-cpu-marked $(BIN_OUT)/argv-cpu-static-marked
	sh tests/binfmt/check-binfmt.sh $(abspath $(FERRY_BIN_x86_64)) $(abspath $(BIN_OUT)/argv-cpu-marked) \
	    $(abspath $(BIN_OUT)/argv-cpu-static-marked) $(BUSYBOX_STATIC) "$(FERRY_CMD_aarch64)"
CHECK_TARGETS += check-binfmt

INST_OUT := $(BUILD)/tests/install
check-install: $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) $(FERRY_SYSTEM) $(BIN_OUT)/argv-cpu-static
	rm -rf $(INST_OUT)
	$(MAKE) --no-print-directory install PREFIX=/usr INSTALL_ARCH=x86_64 DESTDIR=$(abspath $(INST_OUT))/x86_64
	$(MAKE) --no-print-directory install PREFIX=/usr INSTALL_ARCH=aarch64 DESTDIR=$(abspath $(INST_OUT))/aarch64
	sh tests/binfmt/check-install.sh $(INST_OUT) $(abspath $(BIN_OUT)/argv-cpu-static) "$(RUNNER_aarch64)"
CHECK_TARGETS += check-install

# check-chroot-ARCH: the foreign-chroot workflow in the amd64 chroot that
# .ci/setup-chroot builds once (cached in $(FERRY_CHROOT), outside the tree).
FERRY_CHROOT ?= /var/cache/ferry/chroot-amd64-bookworm
# The stamp of the last set-up step (g++ and the zlib source came after
# the first chroots): an older cached chroot gets the new steps.
CHROOT_STAMP := $(FERRY_CHROOT)/.ferry-chroot-2
$(CHROOT_STAMP): | $(SETUP_STAMP)
	FERRY_CHROOT=$(FERRY_CHROOT) sh .ci/setup-chroot
.PHONY: check-chroot check-chroot-x86_64 check-chroot-aarch64
# One run at a time per chroot (flock): both builds' runs, and runs from other
# checkouts, share its dpkg database and work directories (make -j).
CHROOT_LOCK = flock $(FERRY_CHROOT).lock
check-chroot-x86_64: $(FERRY_BIN_x86_64) $(CHROOT_STAMP)
	$(CHROOT_LOCK) sh tests/binfmt/check-chroot.sh $(FERRY_CHROOT) x86_64 $(FERRY_BIN_x86_64)
check-chroot-aarch64: $(FERRY_BIN_aarch64) $(CHROOT_STAMP)
	$(CHROOT_LOCK) sh tests/binfmt/check-chroot.sh $(FERRY_CHROOT) aarch64 $(FERRY_BIN_aarch64) "$(RUNNER_aarch64)"
check-chroot: check-chroot-x86_64 check-chroot-aarch64
CHECK_TARGETS += check-chroot-x86_64 check-chroot-aarch64
