/* ld_vdso.c -- maps the guest's vDSO (ld_vdso_image.c) into every new
 * guest image, where Linux's x86-64 kernel maps its own: in the mmap
 * area, wherever the host's mmap puts it below the guest's top (no fixed
 * address a guest's own layout could want), its data pages first
 * ([vvar], [vvar_vclock]: ld_vdso_layout), as Linux's map_vdso.
 * One host mapping of zeroes, read-only on the host, holds them all; the
 * guest sees the data pages r-- and the image r-x ([vdso] in its maps,
 * AT_SYSINFO_EHDR in its auxv) and runs it translated like the rest of
 * its code.  FERRY_VDSO=0 in ferry's environment leaves it out (for
 * comparisons). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "ld_internal.h"
#include "loader.h"

extern const uint8_t ld_vdso_image[], ld_vdso_image_end[];
extern const uint8_t ld_vdso32_image[], ld_vdso32_image_end[];
extern const uint8_t ld_vdso32_old_image[], ld_vdso32_old_image_end[];

static bool ld_vdso_wanted(void)
{
    const char *v = getenv("FERRY_VDSO");
    return !v || strcmp(v, "0") != 0;
}

/* Linux's x86-64 data pages by release (docs/status.md, the vvar
 * section): one [vvar] of 4 pages (vvar, pvclock, hvclock, timens;
 * measured on 6.1) until 6.12; 6.13 split the clock pages off into
 * [vvar_vclock] (2 + 2); 6.15's generic data store made [vvar] 4 pages
 * again (time, timens, random, arch; measured on 6.18). */
static void ld_vdso_layout_for(struct ld_vdso_layout *l, int release)
{
    l->release = release;
    l->vdso = LD_VDSO_SIZE;
    l->vclock = release >= 613 ? 0x2000 : 0;
    l->vvar = release >= 613 && release < 615 ? 0x2000 : 0x4000;
}

/* The layout of the release the guest's uname shows (the host's),
 * decided at the first call (start-up: one uname); a release it cannot
 * read gets the newest measured, 6.18's. */
const struct ld_vdso_layout *ld_vdso_layout(void)
{
    static struct ld_vdso_layout layout;
    if (!layout.release) {
        struct utsname u;
        int major = 0, minor = 0;
        if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2 || major <= 0)
            major = 6, minor = 18;
        ld_vdso_layout_for(&layout, major * 100 + (minor < 100 ? minor : 99));
    }
    return &layout;
}

/* An image's bytes, also for ARCH_MAP_VDSO_* (syscalls/sys_vdso.c): the
 * 32-bit one has __vdso_getcpu from 6.3 on, as Linux's. */
const uint8_t *ld_vdso_bytes(bool compat, size_t *size)
{
    if (compat && ld_vdso_layout()->release < 603) {
        *size = (size_t)(ld_vdso32_old_image_end - ld_vdso32_old_image);
        return ld_vdso32_old_image;
    }
    if (compat) {
        *size = (size_t)(ld_vdso32_image_end - ld_vdso32_image);
        return ld_vdso32_image;
    }
    *size = (size_t)(ld_vdso_image_end - ld_vdso_image);
    return ld_vdso_image;
}

/* Where the data pages and the image go.  While the translation cache is
 * on (place), at a slot of the placed region (ld_place.c) that the image's
 * size and the layout decide, as ld.so and the libraries go to their
 * files': the vDSO's blocks (clock_gettime, time, gettimeofday: called by
 * most programs) are then at the same pcs in every run and come from the
 * cache.  Where the host's mmap put it, they were translated again in
 * every process, which then paid the translator's first use too
 * (capstone's set-up, first touches of the translator's memory: most of
 * a warm `date`'s translation time, 1-2 ms).  Else, or with that slot
 * taken, wherever the host's mmap puts it. */
static void *ld_vdso_reserve(size_t size, uint64_t block, bool place)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
    uint64_t id = ((uint64_t)size << 32 ^ block) * 0x9e3779b97f4a7c15ull ^ 0x7664736f;    /* "vdso" */
    void *p = place ? ld_place_map_id(id, block, PROT_READ | PROT_WRITE, flags, -1, 0) : MAP_FAILED;
    return p != MAP_FAILED ? p : ld_va_mmap(NULL, block, PROT_READ | PROT_WRITE, flags, -1, 0);
}

/* The [vdso] start, 0 when there is none (not wanted, or no memory:
 * glibc then makes the system calls itself). */
uint64_t ld_map_vdso(struct ld_image *img, bool place)
{
    size_t size;
    const uint8_t *bytes = ld_vdso_bytes(false, &size);
    if (!ld_vdso_wanted() || !size || size > LD_VDSO_SIZE)
        return 0;
    const struct ld_vdso_layout *l = ld_vdso_layout();
    uint64_t data = l->vvar + l->vclock, block = data + l->vdso;
    uint8_t *p = ld_vdso_reserve(size, block, place);
    if (p == MAP_FAILED)
        return 0;
    uint8_t *text = p + data;
    memcpy(text, bytes, size);
    if (mprotect(p, block, PROT_READ) != 0) {
        munmap(p, block);
        return 0;
    }
    uint64_t start = (uint64_t)(uintptr_t)p, vdso = (uint64_t)(uintptr_t)text;
    ld_note_mapping(img, start, vdso, PROT_READ);
    ld_note_mapping(img, vdso, vdso + l->vdso, PROT_READ | PROT_EXEC);
    img->vdso_start = vdso;
    img->vdso_end = vdso + l->vdso;
    return vdso;
}
