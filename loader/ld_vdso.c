/* ld_vdso.c -- maps the guest's vDSO (ld_vdso_image.c) into every new
 * guest image, where Linux's x86-64 kernel maps its own: in the mmap
 * area, wherever the host's mmap puts it below the guest's top (no fixed
 * address a guest's own layout could want), its data pages first
 * ([vvar], [vvar_vclock]: LD_VDSO_* in loader.h), as Linux's map_vdso.
 * One host mapping of zeroes, read-only on the host, holds all three; the
 * guest sees the data pages r-- and the image r-x ([vdso] in its maps,
 * AT_SYSINFO_EHDR in its auxv) and runs it translated like the rest of
 * its code.  FERRY_VDSO=0 in ferry's environment leaves it out (for
 * comparisons). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ld_internal.h"
#include "loader.h"

extern const uint8_t ld_vdso_image[], ld_vdso_image_end[];
extern const uint8_t ld_vdso32_image[], ld_vdso32_image_end[];

static bool ld_vdso_wanted(void)
{
    const char *v = getenv("FERRY_VDSO");
    return !v || strcmp(v, "0") != 0;
}

/* An image's bytes, also for ARCH_MAP_VDSO_* (syscalls/sys_vdso.c). */
const uint8_t *ld_vdso_bytes(bool compat, size_t *size)
{
    if (compat) {
        *size = (size_t)(ld_vdso32_image_end - ld_vdso32_image);
        return ld_vdso32_image;
    }
    *size = (size_t)(ld_vdso_image_end - ld_vdso_image);
    return ld_vdso_image;
}

/* The [vdso] start, 0 when there is none (not wanted, or no memory:
 * glibc then makes the system calls itself). */
uint64_t ld_map_vdso(struct ld_image *img)
{
    size_t size;
    const uint8_t *bytes = ld_vdso_bytes(false, &size);
    if (!ld_vdso_wanted() || !size || size > LD_VDSO_SIZE)
        return 0;
    uint8_t *p = ld_va_mmap(NULL, LD_VDSO_BLOCK, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    uint8_t *text = p + LD_VVAR_SIZE + LD_VCLOCK_SIZE;
    memcpy(text, bytes, size);
    if (mprotect(p, LD_VDSO_BLOCK, PROT_READ) != 0) {
        munmap(p, LD_VDSO_BLOCK);
        return 0;
    }
    uint64_t start = (uint64_t)(uintptr_t)p, vdso = (uint64_t)(uintptr_t)text;
    ld_note_mapping(img, start, vdso, PROT_READ);
    ld_note_mapping(img, vdso, vdso + LD_VDSO_SIZE, PROT_READ | PROT_EXEC);
    img->vdso_start = vdso;
    img->vdso_end = vdso + LD_VDSO_SIZE;
    return vdso;
}
