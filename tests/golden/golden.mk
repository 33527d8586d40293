# golden.mk -- golden codegen tests: the host code ferry emits for each
# guest instruction of tests/golden/cases.txt, pinned per backend in
# tests/golden/HOST.golden.  Included by tests/tests.mk.
#   check-golden          both hosts (in make check): any difference fails, with the diff
#   check-golden-HOST     one host (x86_64, or aarch64 under qemu)
#   golden-update         rewrites tests/golden/*.golden from the current code;
#                         a change to emitted code comes with its reviewed golden diff
GOLDEN_OUT   := $(BUILD)/tests/golden
GOLDEN_CASES := $(GOLDEN_OUT)/cases.hex
GOLDEN_SRCS  := $(wildcard tests/golden/*.c)
# The code pinned is what ferry emits when imitating this machine
# (frontends/x86_64/x86_machine.c), whatever machine runs the test.
GOLDEN_MACHINE := amd
# The driver is linked like ferry (static-pie, FERRY_LDFLAGS), so helpers
# sit as near the code cache as in ferry and are called the same way.
$(GOLDEN_CASES): tests/golden/cases.txt tests/golden/assemble.sh
	@mkdir -p $(@D)
	sh tests/golden/assemble.sh $< $@

# golden_build(HOST): OUT_HOST/tests/golden/golden and the check.
define golden_build
GOLDEN_OBJS_$(1) := $$(patsubst %.c,$$(OUT_$(1))/obj/%.o,$$(GOLDEN_SRCS))
GOLDEN_BIN_$(1)  := $$(OUT_$(1))/tests/golden/golden
$$(GOLDEN_OBJS_$(1)): CFLAGS := $$(CFLAGS_BASE) $$(INC_program)
$$(GOLDEN_BIN_$(1)): $$(GOLDEN_OBJS_$(1)) $$(FERRY_LIB_OBJS_$(1))
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(LDFLAGS) $$(FERRY_LDFLAGS) -o $$@ $$^ $$(FERRY_LDLIBS)
-include $$(GOLDEN_OBJS_$(1):.o=.d)
.PHONY: check-golden-$(1) golden-update-$(1)
ifeq ($$(STATIC),1)
check-golden-$(1): $$(GOLDEN_BIN_$(1)) $$(GOLDEN_CASES)
	FERRY_X86_MACHINE=$$(GOLDEN_MACHINE) $$(RUN_$(1)) $$(GOLDEN_BIN_$(1)) -ir $$(GOLDEN_CASES) > $$(GOLDEN_OUT)/$(1).out
	@diff -u -F "^=== " tests/golden/$(1).golden $$(GOLDEN_OUT)/$(1).out || { \
	    echo "check-golden-$(1): the host code differs from tests/golden/$(1).golden (diff above)."; \
	    echo "If the change is intended: make golden-update, review and commit the golden diff."; \
	    exit 1; }
else
check-golden-$(1):
	@echo "check-golden-$(1): NOT COMPARED: the goldens are for the static-pie build (STATIC=1);" \
	    "a dynamic one (STATIC=$$(STATIC), MODE=$$(MODE)) places helpers far from the code cache"
endif
golden-update-$(1): $$(GOLDEN_BIN_$(1)) $$(GOLDEN_CASES)
	FERRY_X86_MACHINE=$$(GOLDEN_MACHINE) $$(RUN_$(1)) $$(GOLDEN_BIN_$(1)) -ir $$(GOLDEN_CASES) > $$(GOLDEN_OUT)/$(1).out
	cp $$(GOLDEN_OUT)/$(1).out tests/golden/$(1).golden
endef
$(foreach a,$(ARCHES),$(eval $(call golden_build,$(a))))

.PHONY: check-golden golden-update
check-golden: $(foreach a,$(ARCHES),check-golden-$(a))
golden-update: $(foreach a,$(ARCHES),golden-update-$(a))
CHECK_TARGETS += check-golden
