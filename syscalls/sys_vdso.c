/* sys_vdso.c -- the [vdso] mapping after start-up, as Linux keeps its
 * special mapping: mremap moves it whole (Linux's vdso_mremap updates
 * mm->context.vdso; growing it is EFAULT, a different size EINVAL, as is
 * MREMAP_DONTUNMAP), and unmapping or mapping over it ends
 * it.  sys_proc.vdso_start/end is ferry's mm->context.vdso: what
 * /proc/self/maps names [vdso] (sys_maps.c) and ARCH_MAP_VDSO_* sees.
 * ferry's vDSO keeps no pointer to itself (each function is a system
 * call), so moving its page is all there is to do.  Callers hold the
 * mm lock (sys_mm.c), but for sys_vdso_map (arch_prctl), which takes it.
 *
 * ARCH_MAP_VDSO_64/_32 (Linux's prctl_map_vdso, CRIU's restore): EEXIST
 * while a vDSO is mapped (Linux also while its [vvar] pages are: ferry
 * has none, so unmapping [vdso] alone is enough here), else the image
 * mapped again where a hint's mmap would go, and the call returns the
 * vDSO's size.  Linux's vvar pages come first and its _32 maps the 32-bit
 * image (code only compatibility mode runs, not emulated: ferry maps its
 * one image for both). */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "loader.h"
#include "sys_internal.h"
#include "translator.h"

static bool sys_vdso_overlaps(uint64_t addr, uint64_t len)
{
    return sys_proc.vdso_start && addr < sys_proc.vdso_end && addr + len > sys_proc.vdso_start;
}

/* Before mremap(a[0], a[1], a[2], a[3], a[4]) of pages that hold the vDSO. */
int64_t sys_vdso_mremap_check(const uint64_t *a)
{
    if (!sys_vdso_overlaps(a[0], a[1] ? a[1] : 1))
        return 0;
    uint64_t size = sys_proc.vdso_end - sys_proc.vdso_start;
    if (a[2] > a[1])
        return -EFAULT;                 /* VM_DONTEXPAND: it never grows */
    if (a[0] != sys_proc.vdso_start || a[1] != size || a[2] != size)
        return -EINVAL;
    return (a[3] & MREMAP_DONTUNMAP) ? -EINVAL : 0;
}

/* After a successful mremap from old to new (len bytes): the vDSO went
 * along if it was the source; a MREMAP_FIXED target over it ended it. */
void sys_vdso_remapped(uint64_t old, uint64_t len, uint64_t new, uint64_t new_len)
{
    if (sys_proc.vdso_start && old == sys_proc.vdso_start && len) {
        sys_proc.vdso_start = new;
        sys_proc.vdso_end = new + new_len;
    } else {
        sys_vdso_unmapped(new, new_len);
    }
}

/* munmap, or a MAP_FIXED mapping, over [addr, addr + len). */
void sys_vdso_unmapped(uint64_t addr, uint64_t len)
{
    if (sys_vdso_overlaps(addr, len))
        sys_proc.vdso_start = sys_proc.vdso_end = 0;
}

/* ARCH_MAP_VDSO_64/_32: the vDSO's size, or -errno. */
int64_t sys_vdso_map(uint64_t hint)
{
    size_t size;
    const uint8_t *bytes = ld_vdso_bytes(&size);
    int64_t r = -EEXIST;
    sys_mm_lock();
    if (!sys_proc.vdso_start) {
        r = sys_mm_map_copy_locked(hint, bytes, size, TR_PROT_READ | TR_PROT_EXEC);
        if (r >= 0) {
            sys_proc.vdso_start = (uint64_t)r;
            sys_proc.vdso_end = (uint64_t)r + ((size + 4095) & ~(uint64_t)4095);
            r = (int64_t)(sys_proc.vdso_end - sys_proc.vdso_start);
        }
    }
    sys_mm_unlock();
    return r;
}
