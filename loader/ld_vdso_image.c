/* ld_vdso_image.c -- the bytes of the guest's vDSO (loader/vdso/: an
 * x86-64 shared object built by the x86-64 toolchain), embedded as they
 * are in every ferry build, whatever the host.  LD_VDSO_FILE names the
 * built file (loader.mk); the assembler copies it in.  A build that does
 * not name it (the fuzzers' objects, built outside loader.mk's rule) gets
 * an empty image, which ld_map_vdso maps as no vDSO at all. */
#include "ld_internal.h"

#define LD_STR2(x) #x
#define LD_STR(x) LD_STR2(x)

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl ld_vdso_image\n"
        "ld_vdso_image:\n"
#ifdef LD_VDSO_FILE
        ".incbin \"" LD_STR(LD_VDSO_FILE) "\"\n"
#endif
        ".globl ld_vdso_image_end\n"
        "ld_vdso_image_end:\n"
        ".previous\n");
