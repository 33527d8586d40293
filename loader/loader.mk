# loader.mk -- ELF loading and the initial stack.
FERRY_SRCS += $(wildcard loader/*.c)
# (A leaf: built with -Iloader alone, see INC_loader in the GNUmakefile.)

# The guest's vDSO (loader/vdso/), an x86-64 shared object built by the
# x86-64 toolchain and embedded in both builds by ld_vdso_image.c.
VDSO_CC  := gcc
VDSO_SO  := $(BUILD)/vdso/ferry-vdso.so
VDSO_LDFLAGS := -nostdlib -shared -Wl,-T,loader/vdso/ferry_vdso.lds -Wl,--hash-style=both \
                -Wl,-soname=linux-vdso.so.1 -Wl,--eh-frame-hdr -Wl,--build-id=sha1 \
                -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack
$(VDSO_SO): loader/vdso/ferry_vdso.S loader/vdso/ferry_vdso.lds | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(VDSO_CC) $(VDSO_LDFLAGS) -o $@ loader/vdso/ferry_vdso.S

# The 32-bit vDSO ARCH_MAP_VDSO_32 maps (loader/vdso/ferry_vdso32.s): plain
# gas for i386, assembled and linked by the x86-64 binutils (no multilib
# compiler needed), embedded the same way.
VDSO32_SO := $(BUILD)/vdso/ferry-vdso32.so
VDSO32_LDFLAGS := -m elf_i386 -shared -T loader/vdso/ferry_vdso32.lds --hash-style=both \
                  -soname=linux-gate.so.1 --eh-frame-hdr --build-id=sha1 \
                  -z max-page-size=4096 -z noexecstack
$(VDSO32_SO): loader/vdso/ferry_vdso32.s loader/vdso/ferry_vdso32.lds | $(SETUP_STAMP)
	@mkdir -p $(@D)
	as --32 -o $(@:.so=.o) loader/vdso/ferry_vdso32.s
	ld $(VDSO32_LDFLAGS) -o $@ $(@:.so=.o)
# The same without __vdso_getcpu: Linux's before 6.3 (ld_vdso_bytes).
VDSO32_OLD_SO := $(BUILD)/vdso/ferry-vdso32-nogetcpu.so
$(VDSO32_OLD_SO): loader/vdso/ferry_vdso32.s loader/vdso/ferry_vdso32.lds | $(SETUP_STAMP)
	@mkdir -p $(@D)
	as --32 --defsym FERRY_VDSO32_NO_GETCPU=1 -o $(@:.so=.o) loader/vdso/ferry_vdso32.s
	ld $(VDSO32_LDFLAGS) -o $@ $(@:.so=.o)

$(foreach a,$(ARCHES),$(OUT_$(a))/obj/loader/ld_vdso_image.o): $(VDSO_SO) $(VDSO32_SO) $(VDSO32_OLD_SO)
$(foreach a,$(ARCHES),$(OUT_$(a))/obj/loader/ld_vdso_image.o): CFLAGS += -DLD_VDSO_FILE=$(abspath $(VDSO_SO)) \
        -DLD_VDSO32_FILE=$(abspath $(VDSO32_SO)) -DLD_VDSO32_OLD_FILE=$(abspath $(VDSO32_OLD_SO))
