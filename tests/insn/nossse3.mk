# nossse3.mk -- check-insn-nossse3-x86_64 (in make check): palignr.c and
# sse3.c's quick builds under the x86-64 build with SSSE3 masked from
# ferry's own view of the host (glibc's tunable: CPU_FEATURE_ACTIVE(SSSE3)
# is then false in backends/x86_64/x64_vec.c), so that the SSE2 forms the
# backend emits for a host without SSSE3 (valignr's byte shifts; vtbl's
# helper) run as well as the palignr/pshufb that check-insn-x86_64 uses.
# The guest sees the same variable; its own glibc string functions then
# take their SSE2 variants, which changes nothing in these tests' output.
INSN_NOSSSE3 := $(TESTS_OUT)/insn/palignr.quick $(TESTS_OUT)/insn/sse3.quick
.PHONY: check-insn-nossse3-x86_64
check-insn-nossse3-x86_64: $(FERRY_BIN_x86_64) $(INSN_NOSSSE3)
	$(RUN_DIFF) -t $(TEST_TIMEOUT_x86_64) -w $(TESTS_OUT)/run/insn-nossse3-x86_64 -m tests/insn \
	    -f "env GLIBC_TUNABLES=glibc.cpu.hwcaps=-SSSE3 $(FERRY_CMD_x86_64)" $(INSN_NOSSSE3)
CHECK_TARGETS += check-insn-nossse3-x86_64
