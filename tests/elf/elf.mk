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
