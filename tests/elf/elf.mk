# elf.mk -- check-elf: ferry refuses malformed programs with one line and
# the right status, on both hosts.  Included by tests/tests.mk.
ELF_OUT := $(BUILD)/tests/elf
ELF_GEN := $(ELF_OUT)/gen_bad_elf

$(ELF_GEN): tests/elf/gen_bad_elf.c tests/elf/elf_cases.h | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC_x86_64) -std=gnu11 -O1 -Wall -o $@ $<
$(ELF_OUT)/hello: tests/elf/hello.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -static -O1 -o $@ $<
$(ELF_OUT)/fixtures/cases.txt: $(ELF_GEN) $(ELF_OUT)/hello
	@mkdir -p $(@D)
	$(ELF_GEN) $(ELF_OUT)/hello $(@D)

.PHONY: check-elf
check-elf: $(FERRY_BIN_x86_64) $(FERRY_BIN_aarch64) $(ELF_OUT)/fixtures/cases.txt
	sh tests/elf/check-elf.sh "$(FERRY_CMD_x86_64)" $(ELF_GEN) $(ELF_OUT)/fixtures
	sh tests/elf/check-elf.sh "$(FERRY_CMD_aarch64)" $(ELF_GEN) $(ELF_OUT)/fixtures
CHECK_TARGETS += check-elf

# check-dyn: dynamically linked programs and the -L sysroot, compared with
# native runs (tests/elf/check-dyn.sh).  The sysroot's interpreter is an
# absolute link to another absolute link inside it, then to the host's.
DYN_T := $(ELF_OUT)/sysroot/ferry-sysroot-test
$(ELF_OUT)/hello-pie: tests/elf/hello.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O1 -pie -fPIE -o $@ $<
$(ELF_OUT)/hello-nopie: tests/elf/hello.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O1 -no-pie -o $@ $<
$(DYN_T)/lib/libferrydyn.so: tests/elf/dyn_lib.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) -O1 -shared -fPIC -o $@ $<
$(ELF_OUT)/sysroot-main: tests/elf/dyn_main.c $(DYN_T)/lib/libferrydyn.so
	$(GUEST_CC) -O1 -o $@ $< -L$(DYN_T)/lib -lferrydyn -lm \
	    -Wl,--dynamic-linker=/ferry-sysroot-test/ld.so -Wl,-rpath,/ferry-sysroot-test/lib
	mkdir -p $(DYN_T)/bin && cp $@ $(DYN_T)/bin/sysroot-main
	ln -sfn /ferry-sysroot-test/real-ld.so $(DYN_T)/ld.so
	ln -sfn /lib64/ld-linux-x86-64.so.2 $(DYN_T)/real-ld.so
	echo "read through the sysroot" > $(DYN_T)/data.txt
DYN_FIXTURES := $(ELF_OUT)/hello-pie $(ELF_OUT)/hello-nopie $(ELF_OUT)/sysroot-main

.PHONY: check-dyn-x86_64 check-dyn-aarch64
check-dyn-x86_64: $(FERRY_BIN_x86_64) $(DYN_FIXTURES)
	sh tests/elf/check-dyn.sh "$(FERRY_CMD_x86_64)" $(ELF_OUT)
check-dyn-aarch64: $(FERRY_BIN_aarch64) $(DYN_FIXTURES)
	sh tests/elf/check-dyn.sh "$(FERRY_CMD_aarch64)" $(ELF_OUT)
CHECK_TARGETS += check-dyn-x86_64 check-dyn-aarch64

# check-binfmt: tests/binfmt/binfmt.mk.
