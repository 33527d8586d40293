# masked.mk -- instruction difftests again under the x86-64 build with a
# host CPU feature masked from ferry's own view of the host, so that the
# forms the x86-64 backend emits for a host without it run too (in make
# check).  glibc's tunable GLIBC_TUNABLES=glibc.cpu.hwcaps=-FEATURE hides
# the feature from the C library's CPUID record that x64_host.c asks
# (ferry's guest CPUID model is its own); the guest sees the same variable,
# and only its own glibc string functions change, which changes nothing in
# these tests' output.  x86-64 host only: the AArch64 backend has no such
# choice.
#
# insn_masked NAME, FEATURE, TESTS defines check-insn-NAME-x86_64.
define insn_masked
.PHONY: check-insn-$(1)-x86_64
check-insn-$(1)-x86_64: $$(FERRY_BIN_x86_64) $(3)
	$$(RUN_DIFF) -t $$(TEST_TIMEOUT_x86_64) -w $$(TESTS_OUT)/run/insn-$(1)-x86_64 -m tests/insn \
	    -f "env GLIBC_TUNABLES=glibc.cpu.hwcaps=-$(2) $$(FERRY_CMD_x86_64)" $(3)
CHECK_TARGETS += check-insn-$(1)-x86_64
endef

# SSSE3 hidden: valignr's SSE2 byte shifts and vtbl's helper instead of
# palignr/pshufb.
INSN_NOSSSE3 := $(TESTS_OUT)/insn/palignr.quick $(TESTS_OUT)/insn/sse3.quick
$(eval $(call insn_masked,nossse3,SSSE3,$(INSN_NOSSSE3)))

# AVX hidden: the two-operand SSE forms and their copies instead of the
# VEX three-operand forms check-insn-x86_64 uses on a host with AVX.
INSN_VECTOR := $(filter $(addprefix $(TESTS_OUT)/insn/, \
    sse.quick sse3.quick sse41.quick sse42.quick sse42_str.quick ssefp.quick mmx.quick \
    avx.quick avx2.quick avx2_mem.quick avx_move.quick fma.quick f16c.quick gfni.quick \
    vnni.quick crypto.quick crypto_vex.quick vaes.quick sha.quick),$(INSN_QUICK))
$(eval $(call insn_masked,noavx,AVX,$(INSN_VECTOR)))
