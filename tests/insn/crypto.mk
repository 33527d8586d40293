# crypto.mk -- check-insn-soft-crypto-HOST (in make check): the AES-NI and
# PCLMULQDQ difftests (crypto.c, crypto_vex.c, vaes.c, their quick builds) again
# with FERRY_SOFT_CRYPTO=1, so that the C helpers run as well as the host's
# AES/carry-less multiply instructions that check-insn-HOST uses
# (be_soft_crypto, backends/backend.h).  About a second per host.
INSN_CRYPTO := $(TESTS_OUT)/insn/crypto.quick $(TESTS_OUT)/insn/crypto_vex.quick $(TESTS_OUT)/insn/vaes.quick
define insn_soft_crypto
.PHONY: check-insn-soft-crypto-$(1)
check-insn-soft-crypto-$(1): $$(FERRY_BIN_$(1)) $$(INSN_CRYPTO)
	$$(RUN_DIFF) -t $$(TEST_TIMEOUT_$(1)) -w $$(TESTS_OUT)/run/insn-soft-crypto-$(1) -m tests/insn \
	    -f "env FERRY_SOFT_CRYPTO=1 $$(FERRY_CMD_$(1))" $$(INSN_CRYPTO)
CHECK_TARGETS += check-insn-soft-crypto-$(1)
endef
$(foreach a,$(ARCHES),$(eval $(call insn_soft_crypto,$(a))))
