/* sys_vdso.c -- the vDSO's special mappings after start-up, as Linux
 * keeps them (mm/mmap.c's special mappings, arch/x86/entry/vdso/vma.c):
 * [vvar] and [vvar_vclock] (data pages ferry's vDSO never reads: zeroes)
 * right below [vdso] (loader/ld_vdso.c lays them out as the release the
 * guest sees has them; before 6.13 there is no [vvar_vclock]: its
 * sys_proc.vdso[] entry stays 0, no part, whatever the rule).
 * sys_proc.vdso[] is where each is, what /proc/self/maps names
 * (sys_maps.c) and what ARCH_MAP_VDSO_* sees.  Measured on Linux 6.18
 * (and 6.1 in tests/vm), as done here:
 *   - none is ever split: a munmap, MAP_FIXED mmap, mremap target or
 *     mprotect (one that changes the protection) with a boundary inside
 *     one is EINVAL (a MAP_FIXED one ENOMEM before 6.12); covering one
 *     whole ends it;
 *   - mremap moves one whole, same size, anywhere (the maps name goes
 *     along), a same-size MREMAP_FIXED move several at once (6.17+;
 *     before: EFAULT, past one mapping);
 *     otherwise growing one or a range past its end is EFAULT, any other
 *     size, part of one or MREMAP_DONTUNMAP EINVAL;
 *   - the data pages may not become writable or executable (EACCES: no
 *     VM_MAYWRITE/VM_MAYEXEC), the [vdso] may;
 *   - madvise: the data pages (VM_PFNMAP|VM_IO) refuse what would drop or
 *     page out their pages and MADV_DOFORK, the [vdso] MADV_FREE (not
 *     anonymous memory), all MADV_REMOVE (not shared): EINVAL;
 *     MADV_DONTNEED gives the [vdso] its image back (here: copied again,
 *     as the host's anonymous pages come back as zeroes);
 *   - MADV_DONTFORK keeps a part from fork children (VM_DONTCOPY);
 *   - ARCH_MAP_VDSO_64/_32 (Linux's prctl_map_vdso, CRIU's restore) is
 *     EEXIST while any of the three is mapped, else maps all three again
 *     where a hint's mmap would go and returns the image's size; _32 maps
 *     the 32-bit image (ferry_vdso32.s), _64 the 64-bit one.
 * ferry's vDSO keeps no pointer to itself (each function is a system
 * call), so moving its pages is all there is to do.  What the data pages
 * hold differs (Linux: the time, its random state; pages the hypervisor
 * gives no clock SIGBUS); ferry's are zeroes.  Callers hold the mm lock
 * (sys_mm.c), but for sys_vdso_map (arch_prctl), which takes it. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "loader.h"
#include "sys_internal.h"
#include "translator.h"

/* Which image the [vdso] holds (ARCH_MAP_VDSO_32's, or the 64-bit one). */
static bool sys_vdso_compat;
/* The parts under MADV_DONTFORK (bits by index): a fork child has none
 * of them (the host's fork leaves their pages out, as Linux's does). */
static unsigned sys_vdso_dontfork;
/* Linux's mm->context.vdso: where the last [vdso] was mapped or moved to;
 * an munmap keeps it (measured: a bare sysenter afterwards lands where it
 * did before).  The fast i386 entries return to it plus the 32-bit
 * image's landing pad, whichever image it holds. */
static uint64_t sys_vdso_ctx;

static const char *const sys_vdso_names[SYS_VDSO_PARTS] = { "[vvar]", "[vvar_vclock]", "[vdso]" };

/* The bytes of the data pages and the whole block. */
static uint64_t sys_vdso_data_size(void)
{
    return ld_vdso_layout()->vvar + ld_vdso_layout()->vclock;
}

static uint64_t sys_vdso_block_size(void)
{
    return sys_vdso_data_size() + ld_vdso_layout()->vdso;
}

/* The parts of a vDSO whose [vvar] starts at start (a 0-byte one: none). */
static void sys_vdso_place(uint64_t start)
{
    const struct ld_vdso_layout *l = ld_vdso_layout();
    const uint64_t size[SYS_VDSO_PARTS] = { l->vvar, l->vclock, l->vdso };
    for (int i = 0; i < SYS_VDSO_PARTS; i++) {
        sys_proc.vdso[i] = size[i] ? (struct sys_range){ start, start + size[i] }
                                   : (struct sys_range){ 0, 0 };
        start += size[i];
    }
}

/* The loader's vDSO (its [vdso] start, 0: none). */
void sys_vdso_started(uint64_t vdso)
{
    sys_vdso_compat = false;
    sys_vdso_dontfork = 0;
    sys_vdso_ctx = vdso;
    if (vdso)
        sys_vdso_place(vdso - sys_vdso_data_size());
    else
        memset(sys_proc.vdso, 0, sizeof sys_proc.vdso);
}

/* Part i is no more (unmapped, mapped over, not inherited). */
static void sys_vdso_end(int i)
{
    sys_proc.vdso[i] = (struct sys_range){ 0, 0 };
    sys_vdso_dontfork &= ~(1u << i);
}

static bool sys_vdso_overlaps(int i, uint64_t addr, uint64_t len)
{
    const struct sys_range *p = &sys_proc.vdso[i];
    return p->start && addr < p->end && addr + len > p->start;
}

/* Whether [addr, addr + len) has a boundary inside part i. */
static bool sys_vdso_splits(int i, uint64_t addr, uint64_t len)
{
    const struct sys_range *p = &sys_proc.vdso[i];
    uint64_t end = addr + ((len + 4095) & ~4095ull);
    return p->start && ((addr > p->start && addr < p->end) || (end > p->start && end < p->end));
}

/* Before munmap or a MAP_FIXED mapping of [addr, addr + len): 0, or
 * -EINVAL where it would split a part (Linux's special_mapping_split). */
int64_t sys_vdso_split_check(uint64_t addr, uint64_t len)
{
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        if (sys_vdso_splits(i, addr, len))
            return -EINVAL;
    return 0;
}

/* Before a MAP_FIXED mmap of [addr, addr + len): as munmap, but that
 * mmap_region answered ENOMEM for any failed unmap before 6.12 (Liam
 * Howlett's MAP_FIXED rework passes the error on). */
int64_t sys_vdso_fixed_check(uint64_t addr, uint64_t len)
{
    int64_t r = sys_vdso_split_check(addr, len);
    return r && ld_vdso_layout()->release < 612 ? -ENOMEM : r;
}

/* Before mprotect(addr, len) to guest_prot (TR_PROT_*). */
int64_t sys_vdso_mprotect_check(uint64_t addr, uint64_t len, int guest_prot)
{
    for (int i = SYS_VVAR; i <= SYS_VCLOCK; i++)
        if (sys_vdso_overlaps(i, addr, len) && (guest_prot & (TR_PROT_WRITE | TR_PROT_EXEC)))
            return -EACCES;
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        if (sys_vdso_splits(i, addr, len) && tr_prot_at(sys_engine, sys_proc.vdso[i].start) != guest_prot)
            return -EINVAL;
    return 0;
}

/* Before mremap(a[0], a[1], a[2], a[3], a[4]) of pages that hold a part,
 * or with a MREMAP_FIXED target that would split one.  A same-size
 * MREMAP_FIXED move may take several mappings along (Linux 6.17's
 * remap_move: each moved whole, gaps kept), the others one alone (and
 * all before 6.17). */
int64_t sys_vdso_mremap_check(const uint64_t *a)
{
    if ((a[3] & MREMAP_FIXED) && sys_vdso_split_check(a[4], a[2]))
        return -EINVAL;
    bool move_only = (a[3] & MREMAP_FIXED) && a[1] == a[2] && ld_vdso_layout()->release >= 617;
    for (int i = 0; i < SYS_VDSO_PARTS; i++) {
        const struct sys_range *p = &sys_proc.vdso[i];
        if (!sys_vdso_overlaps(i, a[0], a[1] ? a[1] : 1))
            continue;
        if (move_only && (sys_vdso_splits(i, a[0], a[1]) || (a[3] & MREMAP_DONTUNMAP)))
            return -EINVAL;
        if (move_only)
            continue;
        if (a[0] < p->start || a[0] + a[1] > p->end || a[2] > a[1])
            return -EFAULT;             /* past one mapping; VM_DONTEXPAND */
        if (a[0] != p->start || a[1] != p->end - p->start || a[2] != a[1])
            return -EINVAL;             /* it would split */
        return (a[3] & MREMAP_DONTUNMAP) ? -EINVAL : 0;
    }
    return 0;
}

/* After a successful mremap from old to new (sys_mm.c answers a
 * same-size one that does not move itself): the parts in the source
 * went along; parts the target covered ended. */
void sys_vdso_remapped(uint64_t old, uint64_t len, uint64_t new, uint64_t new_len)
{
    bool moved[SYS_VDSO_PARTS];
    if (new == old)
        return;                         /* in place: nothing it covers is new */
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        moved[i] = len && sys_proc.vdso[i].start && sys_proc.vdso[i].start >= old &&
                   sys_proc.vdso[i].end <= old + len;
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        if (!moved[i] && sys_vdso_overlaps(i, new, new_len))
            sys_vdso_end(i);
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        if (moved[i]) {
            sys_proc.vdso[i].start += new - old;
            sys_proc.vdso[i].end += new - old;
        }
    if (moved[SYS_VDSO])
        sys_vdso_ctx = sys_proc.vdso[SYS_VDSO].start;
}

/* munmap, or a MAP_FIXED mapping, over [addr, addr + len) (after
 * sys_vdso_split_check: what it touches, it covers). */
void sys_vdso_unmapped(uint64_t addr, uint64_t len)
{
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        if (sys_vdso_overlaps(i, addr, len))
            sys_vdso_end(i);
}

/* In a fork child: the parts its parent kept from it are gone. */
void sys_vdso_fork_child(void)
{
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        if (sys_vdso_dontfork & 1u << i)
            sys_vdso_end(i);
}

/* ---- the 32-bit image's system call gate ---- */

/* The offset of __kernel_vsyscall's int $0x80 in the 32-bit image (the
 * first cd 80 from its entry; ferry_vdso32.s), 0 without one. */
static uint64_t sys_vdso32_int80(const uint8_t *img, size_t size)
{
    uint32_t entry;
    if (size < 0x1c)
        return 0;
    memcpy(&entry, img + 0x18, 4);      /* Elf32_Ehdr.e_entry */
    for (uint64_t o = entry; o < entry + 32 && o + 1 < size; o++)
        if (img[o] == 0xcd && img[o + 1] == 0x80)
            return o;
    return 0;
}

/* The image as ARCH_MAP_VDSO maps it: the 32-bit one with the slot before
 * int $0x80 holding the imitated machine's fast entry, as Linux's
 * alternatives patch it (X86_FEATURE_SYSENTER32 on Intel, SYSCALL32 on
 * AMD; neither without IA32 emulation: int $0x80 alone). */
static const uint8_t *sys_vdso_image(bool compat, size_t *size)
{
    static uint8_t img32[8192];
    static size_t img32_size;
    const uint8_t *bytes = ld_vdso_bytes(compat, size);
    if (!compat || !*size || *size > sizeof img32)
        return bytes;
    if (!img32_size) {
        memcpy(img32, bytes, *size);
        uint64_t o = sys_vdso32_int80(img32, *size);
        const struct x86_machine *m = x86_machine();
        static const uint8_t sysenter[4] = { 0x89, 0xe5, 0x0f, 0x34 };
        static const uint8_t syscall32[4] = { 0x89, 0xcd, 0x0f, 0x05 };
        if (o >= 4 && x86_machine_ia32())
            memcpy(img32 + o - 4, m->intel ? sysenter : syscall32, 4);
        img32_size = *size;
    }
    return img32;
}

/* Where the fast i386 entries (sysenter, a compat syscall) return: Linux's
 * do_fast_syscall_32 takes context.vdso + the 32-bit image's
 * int80_landing_pad, whatever is mapped there now. */
uint64_t sys_vdso_landing_pad(void)
{
    size_t size;
    const uint8_t *img = ld_vdso_bytes(true, &size);
    uint64_t o = sys_vdso32_int80(img, size);
    return sys_vdso_ctx + (o ? o + 2 : 0);
}

/* ARCH_MAP_VDSO_64/_32: the image's size, or -errno. */
int64_t sys_vdso_map(bool compat, uint64_t hint)
{
    size_t size;
    const uint8_t *bytes = sys_vdso_image(compat, &size);
    int64_t r = -EEXIST;
    uint64_t block = sys_vdso_block_size(), vdso_size = ld_vdso_layout()->vdso;
    if (!size || size > vdso_size)
        return -ENODEV;                 /* an image-less build (the fuzzers') */
    sys_mm_lock();
    if (!sys_proc.vdso[SYS_VVAR].start && !sys_proc.vdso[SYS_VCLOCK].start &&
        !sys_proc.vdso[SYS_VDSO].start) {
        r = sys_mm_map_copy_locked(hint, block, block - vdso_size, bytes, size);
        if (r >= 0) {
            sys_vdso_place((uint64_t)r);
            sys_vdso_compat = compat;
            sys_vdso_dontfork = 0;
            sys_vdso_ctx = sys_proc.vdso[SYS_VDSO].start;
            tr_map_changed(sys_engine, TR_PROTECT, sys_proc.vdso[SYS_VDSO].start, vdso_size,
                           TR_PROT_READ | TR_PROT_EXEC);
            r = (int64_t)vdso_size;
        }
    }
    sys_mm_unlock();
    return r;
}

enum {                                  /* Linux's MADV_* (the same everywhere) */
    SYS_MADV_DONTNEED = 4, SYS_MADV_FREE = 8, SYS_MADV_REMOVE = 9, SYS_MADV_DONTFORK = 10,
    SYS_MADV_DOFORK = 11, SYS_MADV_COLD = 20,
    SYS_MADV_PAGEOUT = 21, SYS_MADV_DONTNEED_LOCKED = 24,
};

/* Before madvise(addr, len, advice): 0, or -EINVAL as Linux answers. */
int64_t sys_vdso_madvise_check(uint64_t addr, uint64_t len, int advice)
{
    bool data = sys_vdso_overlaps(SYS_VVAR, addr, len) || sys_vdso_overlaps(SYS_VCLOCK, addr, len);
    if (data && (advice == SYS_MADV_DONTNEED || advice == SYS_MADV_FREE ||
                 advice == SYS_MADV_DOFORK || advice == SYS_MADV_COLD ||
                 advice == SYS_MADV_PAGEOUT || advice == SYS_MADV_DONTNEED_LOCKED ||
                 advice == SYS_MADV_REMOVE))
        return -EINVAL;
    if ((advice == SYS_MADV_FREE || advice == SYS_MADV_REMOVE) &&
        sys_vdso_overlaps(SYS_VDSO, addr, len))
        return -EINVAL;                 /* not anonymous; not shared */
    return 0;
}

/* After a successful madvise: MADV_DONTFORK/DOFORK marks; pages of the
 * [vdso] it dropped get the image's bytes again. */
void sys_vdso_madvised(uint64_t addr, uint64_t len, int advice)
{
    const struct sys_range *p = &sys_proc.vdso[SYS_VDSO];
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        if ((advice == SYS_MADV_DONTFORK || advice == SYS_MADV_DOFORK) &&
            sys_vdso_overlaps(i, addr, len))
            sys_vdso_dontfork = advice == SYS_MADV_DONTFORK ? sys_vdso_dontfork | 1u << i
                                                              : sys_vdso_dontfork & ~(1u << i);
    if ((advice != SYS_MADV_DONTNEED && advice != SYS_MADV_DONTNEED_LOCKED) ||
        !sys_vdso_overlaps(SYS_VDSO, addr, len))
        return;
    size_t size;
    const uint8_t *bytes = sys_vdso_image(sys_vdso_compat, &size);
    uint64_t lo = addr > p->start ? addr : p->start;
    uint64_t hi = addr + len < p->end ? addr + len : p->end;
    uint64_t img_hi = p->start + size < hi ? p->start + size : hi;
    int prot = tr_prot_at(sys_engine, p->start);
    if (lo >= img_hi || prot < 0)
        return;
    lo &= ~4095ull;
    mprotect((void *)(uintptr_t)lo, img_hi - lo, PROT_READ | PROT_WRITE);
    memcpy((void *)(uintptr_t)lo, bytes + (lo - p->start), img_hi - lo);
    /* the host's protection as sys_mm.c gives it: exec implies read */
    mprotect((void *)(uintptr_t)lo, img_hi - lo, (prot & PROT_EXEC) ? prot | PROT_READ : prot);
}

/* The maps name of the page at addr: a part's, or NULL. */
const char *sys_vdso_name(uint64_t addr)
{
    for (int i = 0; i < SYS_VDSO_PARTS; i++)
        if (addr >= sys_proc.vdso[i].start && addr < sys_proc.vdso[i].end)
            return sys_vdso_names[i];
    return NULL;
}

/* hi, or the first part boundary above lo below it: maps lines end
 * there, whatever the host merged (the parts are one host mapping). */
uint64_t sys_vdso_cut(uint64_t lo, uint64_t hi)
{
    for (int i = 0; i < SYS_VDSO_PARTS; i++) {
        const struct sys_range *p = &sys_proc.vdso[i];
        if (!p->start)
            continue;
        if (p->start > lo && p->start < hi)
            hi = p->start;
        if (p->end > lo && p->end < hi)
            hi = p->end;
    }
    return hi;
}
