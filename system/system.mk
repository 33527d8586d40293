# system.mk -- ferry-system (KVM or tcg + VirtIO system mode), its tiny test
# guests and its tests.
#
#   $(BUILD)/ferry-system                   the VMM (KVM and tcg accelerators)
#   $(BUILD)/aarch64/ferry-system           the VMM for AArch64 hosts (tcg only)
#   $(BUILD)/system/guests/NAME.elf         freestanding test guests (ELF, 64-bit entry)
#   $(BUILD)/system/hosted/NAME             the same guest compiled for the host and
#                                           linked with the VMM's "hosted" accelerator
#   make check-system                       tests (part of make check)
#   make check-system-kvm                   the same tests on real KVM inside QEMU (SVM emulated)
#   make bench-system                       RSS / start-up time, Linux boot vs QEMU TCG (not in make check)
#   make boot-linux                         Debian kernel + busybox initramfs (needs real KVM)
#   make check-system-linux                 the same kernel on --accel tcg (part of make check)
#   make boot-linux-nested                  the same boot on KVM inside QEMU

SYS_OUT      := $(BUILD)$(MODE_DIR)/system
SYS_ACCELS   := system/accel_kvm.c system/accel_kvm_dump.c system/accel_table_kvm.c \
                system/accel_hosted.c system/accel_table_hosted.c \
                $(wildcard system/accel_tcg*.c) system/accel_table_tcg.c
# tcg: ferry's engine (translator, x86-64 frontend, the host's backend) in
# system mode; its files also see the frontend's public headers.
SYS_TCG_SRCS := $(wildcard system/accel_tcg*.c)
SYS_TCG_CFLAGS := -Ifrontends -Ifrontends/x86_64
SYS_CORE_SRCS := $(filter-out $(SYS_ACCELS),$(wildcard system/*.c))
SYS_CFLAGS   := $(CFLAGS_BASE) $(INC_system) -pthread
SYS_CORE_OBJS := $(patsubst %.c,$(SYS_OUT)/obj/%.o,$(SYS_CORE_SRCS) $(CLI_SRCS))
# ELF kernels are read by ferry's own ELF reader (loader/ld_elf.h): the
# same objects as in build/ferry.
SYS_CORE_OBJS += $(OUT_x86_64)/obj/loader/ld_elf.o $(OUT_x86_64)/obj/loader/ld_elf_note.o
SYS_LIBS     := -lelf -ldl -pthread   # libslirp: dlopen()ed by net_slirp.c
FERRY_SYSTEM := $(BUILD)$(MODE_DIR)/ferry-system

$(SYS_OUT)/obj/system/%.o: system/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_x86_64) $(SYS_CFLAGS) $(if $(filter $<,$(SYS_TCG_SRCS)),$(SYS_TCG_CFLAGS)) -MMD -MP -c $< -o $@
# The command-line helper shared with ferry (translator/cli.c).
$(SYS_OUT)/obj/translator/%.o: translator/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_x86_64) $(SYS_CFLAGS) -MMD -MP -c $< -o $@

# The engine: every object of the translator, the x86-64 frontend and the
# host's backend, the same as build/ferry's (linked whole, not as an
# archive: backends fill tables from constructors).
SYS_ENGINE_OBJS_x86_64 := $(patsubst %.c,$(OUT_x86_64)/obj/%.o,$(filter translator/% frontends/%,$(FERRY_SRCS)) \
                          $(BACKEND_SRCS_x86_64))
SYS_ENGINE_OBJS_aarch64 := $(patsubst %.c,$(OUT_aarch64)/obj/%.o,$(filter translator/% frontends/%,$(FERRY_SRCS)) \
                           $(BACKEND_SRCS_aarch64))
SYS_ENGINE_LIBS := -lcapstone -lmpfr -lgmp -lm -l:libatomic.a

$(FERRY_SYSTEM): $(SYS_CORE_OBJS) $(SYS_OUT)/obj/system/accel_kvm.o $(SYS_OUT)/obj/system/accel_kvm_dump.o \
                 $(patsubst %.c,$(SYS_OUT)/obj/%.o,$(SYS_TCG_SRCS)) \
                 $(SYS_OUT)/obj/system/accel_table_kvm.o $(SYS_ENGINE_OBJS_x86_64)
	$(CC_x86_64) $(LDFLAGS) -o $@ $^ $(SYS_LIBS) $(SYS_ENGINE_LIBS)

# The AArch64 build: tcg only (KVM there cannot run x86-64 guests); run
# under qemu-aarch64 by the tests.
SYS_OUT_A64 := $(OUT_aarch64)/system
FERRY_SYSTEM_A64 := $(OUT_aarch64)/ferry-system
SYS_A64_OBJS := $(patsubst %.c,$(SYS_OUT_A64)/obj/%.o,$(SYS_CORE_SRCS) $(CLI_SRCS) $(SYS_TCG_SRCS) \
                system/accel_table_tcg.c) \
                $(OUT_aarch64)/obj/loader/ld_elf.o $(OUT_aarch64)/obj/loader/ld_elf_note.o
$(SYS_OUT_A64)/obj/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_aarch64) $(SYS_CFLAGS) $(if $(filter $<,$(SYS_TCG_SRCS)),$(SYS_TCG_CFLAGS)) -MMD -MP -c $< -o $@
$(FERRY_SYSTEM_A64): $(SYS_A64_OBJS) $(SYS_ENGINE_OBJS_aarch64)
	$(CC_aarch64) $(LDFLAGS) -o $@ $^ $(SYS_LIBS) $(SYS_ENGINE_LIBS)
-include $(SYS_A64_OBJS:.o=.d)

# ---- Test guests: one C file each over a small library (serial, PCI, virtio). ----
SYS_GUESTS     := $(basename $(notdir $(wildcard system/guests/*.c)))
SYS_GLIB_SRCS  := $(wildcard system/guests/lib/*.c)
SYS_GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Isystem/guests/lib
SYS_FREE_CFLAGS := $(SYS_GUEST_CFLAGS) -ffreestanding -fno-pic -fno-pie -mno-red-zone \
                   -mgeneral-regs-only -fno-stack-protector -fno-builtin -mcmodel=small
SYS_GLIB_FREE_OBJS := $(patsubst %.c,$(SYS_OUT)/free/%.o,$(SYS_GLIB_SRCS)) \
                      $(SYS_OUT)/free/system/guests/lib/start.o
SYS_GLIB_HOST_OBJS := $(patsubst %.c,$(SYS_OUT)/host/%.o,$(SYS_GLIB_SRCS))
SYS_GUEST_ELFS := $(patsubst %,$(SYS_OUT)/guests/%.elf,$(SYS_GUESTS))
SYS_GUEST_HOSTED := $(patsubst %,$(SYS_OUT)/hosted/%,$(SYS_GUESTS))

$(SYS_OUT)/free/%.o: %.c
	@mkdir -p $(@D)
	$(CC_x86_64) $(SYS_FREE_CFLAGS) -MMD -MP -c $< -o $@
$(SYS_OUT)/free/%.o: %.S
	@mkdir -p $(@D)
	$(CC_x86_64) $(SYS_FREE_CFLAGS) -c $< -o $@
$(SYS_OUT)/guests/%.elf: $(SYS_OUT)/free/system/guests/%.o $(SYS_GLIB_FREE_OBJS) system/guests/lib/guest.ld
	@mkdir -p $(@D)
	$(CC_x86_64) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T system/guests/lib/guest.ld \
	    -o $@ $(filter %.o,$^)

# The PVH test guest as ELF32 files (QEMU's -kernel takes those, EM_386 or
# EM_X86_64): same code and PVH note, 32-bit headers.
SYS_GUEST_ELF32 := $(SYS_OUT)/guests/bootinfo32.elf $(SYS_OUT)/guests/bootinfo32x.elf
$(SYS_OUT)/guests/bootinfo32.elf: $(SYS_OUT)/guests/bootinfo.elf
	objcopy -O elf32-i386 $< $@
$(SYS_OUT)/guests/bootinfo32x.elf: $(SYS_OUT)/guests/bootinfo.elf
	objcopy -O elf32-x86-64 $< $@

$(SYS_OUT)/host/%.o: %.c
	@mkdir -p $(@D)
	$(CC_x86_64) $(SYS_GUEST_CFLAGS) -DGUEST_HOSTED -Isystem -pthread -MMD -MP -c $< -o $@
$(SYS_OUT)/hosted/%: $(SYS_OUT)/host/system/guests/%.o $(SYS_GLIB_HOST_OBJS) $(SYS_CORE_OBJS) \
                     $(SYS_OUT)/obj/system/accel_hosted.o $(SYS_OUT)/obj/system/accel_table_hosted.o
	@mkdir -p $(@D)
	$(CC_x86_64) $(LDFLAGS) -o $@ $^ $(SYS_LIBS)

# Guest objects come from pattern chains: keep them (no rebuild every time).
.SECONDARY: $(SYS_GLIB_FREE_OBJS) $(SYS_GLIB_HOST_OBJS) \
            $(patsubst %,$(SYS_OUT)/free/system/guests/%.o,$(SYS_GUESTS)) \
            $(patsubst %,$(SYS_OUT)/host/system/guests/%.o,$(SYS_GUESTS)) \
            $(SYS_OUT)/obj/system/accel_hosted.o $(SYS_OUT)/obj/system/accel_table_hosted.o

SYS_ALL_OBJS := $(SYS_CORE_OBJS) $(patsubst %.c,$(SYS_OUT)/obj/%.o,$(SYS_ACCELS)) \
                $(SYS_GLIB_FREE_OBJS) $(SYS_GLIB_HOST_OBJS) \
                $(patsubst %,$(SYS_OUT)/free/system/guests/%.o,$(SYS_GUESTS)) \
                $(patsubst %,$(SYS_OUT)/host/system/guests/%.o,$(SYS_GUESTS))
-include $(SYS_ALL_OBJS:.o=.d)

.PHONY: system-all check-system bench-system boot-linux
# The AArch64 build joins in release mode (sanitizer runtimes are x86-64's).
SYS_A64_CHECK := $(if $(filter release,$(MODE)),$(FERRY_SYSTEM_A64))
system-all: $(FERRY_SYSTEM) $(SYS_A64_CHECK) $(SYS_GUEST_ELFS) $(SYS_GUEST_ELF32) $(SYS_GUEST_HOSTED)
ALL_EXTRA += system-all

check-system: system-all
	@python3 system/tests/run_tests.py $(FERRY_SYSTEM) $(SYS_OUT) $(SYS_A64_CHECK)
CHECK_TARGETS += check-system

boot-linux: $(FERRY_SYSTEM)
	@sh system/tests/boot-linux.sh $(FERRY_SYSTEM) $(SYS_OUT)

# Debian's kernel on ferry's translator (--accel tcg): its vmlinux through
# the PVH entry, or with LINUX_KIND=bzimage the bzImage.  The kernel (and
# bench-system's qemu-system-x86) come from the set-up step .ci/setup-linux,
# run once like .ci/setup-chroot and cached outside the tree in
# $(FERRY_LINUX); the initramfs is built here, from busybox-static, the
# kernel's virtio modules and linux-init.sh.  In make check on the x86-64
# host (11-25 s), and the AArch64 build's boot under qemu-aarch64 (about
# 2 minutes of CPU since session 10; 6 minutes at load 14).
FERRY_LINUX ?= /var/cache/ferry/linux-amd64-bookworm
LINUX_STAMP := $(FERRY_LINUX)/.ferry-linux-1
LINUX_INITRAMFS := $(SYS_OUT)/linux-tcg-initramfs.cpio.gz
$(LINUX_STAMP): | $(SETUP_STAMP)
	FERRY_LINUX=$(FERRY_LINUX) sh .ci/setup-linux
$(LINUX_INITRAMFS): system/tests/linux-init.sh system/tests/mkinitramfs.py $(LINUX_STAMP)
	@mkdir -p $(@D)
	python3 system/tests/mkinitramfs.py $@.tmp --init system/tests/linux-init.sh \
	    --modroot $(FERRY_LINUX)/root/lib/modules \
	    --modules virtio_pci,virtio_blk,virtio_net,virtio_console,virtio-rng
	mv $@.tmp $@
.PHONY: check-system-linux setup-linux
setup-linux: $(LINUX_STAMP)
check-system-linux: $(FERRY_SYSTEM) $(LINUX_INITRAMFS)
	@FERRY_LINUX=$(FERRY_LINUX) sh system/tests/boot-linux-tcg.sh $(FERRY_SYSTEM) $(SYS_OUT) $(or $(LINUX_KIND),pvh)
# The AArch64 build boots the same kernel to init and powers off under
# qemu-aarch64; LINUX_TCG_TIMEOUT (default here 2400 s) only guards
# against a hang.
.PHONY: check-system-linux-aarch64
check-system-linux-aarch64: $(FERRY_SYSTEM_A64) $(LINUX_INITRAMFS)
	@FERRY_LINUX=$(FERRY_LINUX) LINUX_TCG_TIMEOUT=$${LINUX_TCG_TIMEOUT:-2400} \
	    sh system/tests/boot-linux-tcg.sh $(FERRY_SYSTEM_A64) $(SYS_OUT) aarch64
# Only in the release build (the sanitizer builds run it too slowly for a
# boot); the AArch64 build's when it is built (SYS_A64_CHECK).
ifeq ($(MODE),release)
CHECK_TARGETS += check-system-linux
ifneq ($(SYS_A64_CHECK),)
CHECK_TARGETS += check-system-linux-aarch64
endif
endif

# The VMM's start-up and memory overhead (tiny guests), then the Linux boot
# on tcg: ferry-system vs qemu-system-x86_64, to init's first line and to
# poweroff (BENCH_SYSTEM_RUNS runs each, default 5).
bench-system: system-all $(LINUX_INITRAMFS)
	@sh system/tests/need-qemu.sh
	@python3 system/tests/bench.py $(FERRY_SYSTEM) $(SYS_OUT)
	@python3 system/tests/bench_linux.py $(FERRY_SYSTEM) $(FERRY_LINUX)/vmlinux $(LINUX_INITRAMFS)

# The same suite with real KVM: QEMU's TCG emulates SVM, Debian's kernel
# runs KVM inside it (needs qemu-system-x86 and apt-get download; minutes).
.PHONY: check-system-kvm
check-system-kvm: system-all
	@sh system/tests/need-qemu.sh
	@python3 system/tests/nested_kvm.py suite $(FERRY_SYSTEM) $(SYS_OUT)

# make boot-linux where there is no /dev/kvm: the same boot inside QEMU's
# emulated SVM machine, with a tap for virtio-net (minutes).
.PHONY: boot-linux-nested
boot-linux-nested: $(FERRY_SYSTEM)
	@sh system/tests/need-qemu.sh
	@python3 system/tests/nested_kvm.py boot-linux $(FERRY_SYSTEM) $(SYS_OUT)
