# noavx.mk -- check-insn-noavx-x86_64 (in make check): the vector
# difftests again with AVX hidden from the x86-64 backend
# (GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX hides it from the C library's CPUID
# record that x64_host.c asks; ferry's guest CPUID model is its own), so
# that the two-operand SSE forms and their copies run as well as the VEX
# three-operand forms check-insn-x86_64 uses on a host with AVX.  The
# guest's glibc sees the tunable too (only its own string functions
# change).  x86-64 host only: the AArch64 backend has no AVX choice.
INSN_VECTOR := $(filter $(addprefix $(TESTS_OUT)/insn/, \
    sse.quick sse3.quick sse41.quick sse42.quick sse42_str.quick ssefp.quick mmx.quick \
    avx.quick avx2.quick avx2_mem.quick avx_move.quick fma.quick f16c.quick gfni.quick \
    vnni.quick crypto.quick crypto_vex.quick),$(INSN_QUICK))
.PHONY: check-insn-noavx-x86_64
check-insn-noavx-x86_64: $(FERRY_BIN_x86_64) $(INSN_VECTOR)
	$(RUN_DIFF) -t $(TEST_TIMEOUT_x86_64) -w $(TESTS_OUT)/run/insn-noavx-x86_64 -m tests/insn \
	    -f "env GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX $(FERRY_CMD_x86_64)" $(INSN_VECTOR)
CHECK_TARGETS += check-insn-noavx-x86_64
