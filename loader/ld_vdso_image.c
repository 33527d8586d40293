/* ld_vdso_image.c -- the bytes of the guest's vDSOs (loader/vdso/: the
 * x86-64 shared object every guest gets, and the 32-bit one
 * ARCH_MAP_VDSO_32 maps, and that one without __vdso_getcpu for releases
 * before 6.3, all built by the x86-64 toolchain), embedded as they are in
 * every ferry build, whatever the host.  LD_VDSO_FILE, LD_VDSO32_FILE and
 * LD_VDSO32_OLD_FILE name the built files (loader.mk); the assembler
 * copies them in.  A build that does not name them (the fuzzers' objects, built
 * outside loader.mk's rule) gets empty images, which ld_map_vdso maps as
 * no vDSO at all. */
#include "ld_internal.h"

#define LD_STR2(x) #x
#define LD_STR(x) LD_STR2(x)

#ifdef LD_VDSO_FILE
#define LD_INCBIN(f) ".incbin \"" LD_STR(f) "\"\n"
#else
#define LD_INCBIN(f) ""
#endif

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl ld_vdso_image\n"
        "ld_vdso_image:\n"
        LD_INCBIN(LD_VDSO_FILE)
        ".globl ld_vdso_image_end\n"
        "ld_vdso_image_end:\n"
        ".balign 16\n"
        ".globl ld_vdso32_image\n"
        "ld_vdso32_image:\n"
        LD_INCBIN(LD_VDSO32_FILE)
        ".globl ld_vdso32_image_end\n"
        "ld_vdso32_image_end:\n"
        ".balign 16\n"
        ".globl ld_vdso32_old_image\n"
        "ld_vdso32_old_image:\n"
        LD_INCBIN(LD_VDSO32_OLD_FILE)
        ".globl ld_vdso32_old_image_end\n"
        "ld_vdso32_old_image_end:\n"
        ".previous\n");
