/* ld_vdso.c -- maps the guest's vDSO (ld_vdso_image.c) into every new
 * guest image, where Linux's x86-64 kernel maps its own: in the mmap
 * area, wherever the host's mmap puts it below the guest's top (no fixed
 * address a guest's own layout could want).  The pages are read-only on
 * the host; the guest sees them r-x ([vdso] in its maps, AT_SYSINFO_EHDR
 * in its auxv) and runs them translated like the rest of its code.
 * FERRY_VDSO=0 in ferry's environment leaves it out (for comparisons). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ld_internal.h"
#include "loader.h"

extern const uint8_t ld_vdso_image[], ld_vdso_image_end[];

static bool ld_vdso_wanted(void)
{
    const char *v = getenv("FERRY_VDSO");
    return !v || strcmp(v, "0") != 0;
}

/* The image's bytes, also for ARCH_MAP_VDSO_* (syscalls/sys_vdso.c). */
const uint8_t *ld_vdso_bytes(size_t *size)
{
    *size = (size_t)(ld_vdso_image_end - ld_vdso_image);
    return ld_vdso_image;
}

/* 0 when there is none (not wanted, or no memory: glibc then makes the
 * system calls itself, as it did before ferry had a vDSO). */
uint64_t ld_map_vdso(struct ld_image *img)
{
    size_t size = (size_t)(ld_vdso_image_end - ld_vdso_image), len = LD_PAGE_UP(size);
    if (!ld_vdso_wanted() || !size)
        return 0;
    uint8_t *p = ld_va_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    memcpy(p, ld_vdso_image, size);
    if (mprotect(p, len, PROT_READ) != 0) {
        munmap(p, len);
        return 0;
    }
    uint64_t start = (uint64_t)(uintptr_t)p;
    ld_note_mapping(img, start, start + len, PROT_READ | PROT_EXEC);
    img->vdso_start = start;
    img->vdso_end = start + len;
    return start;
}
