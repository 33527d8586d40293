/* ld_place.c -- where shared objects go while the persistent translation
 * cache is on (docs/translation-cache.md, "Shared libraries and ld.so").
 *
 * A cached translation embeds guest addresses, so it is of use only where
 * its code is mapped at the same address in every run.  Linux puts ld.so
 * and each library at a random address (ASLR); while the cache is on,
 * ferry maps each shared object at a slot derived from its file's
 * identity (device, inode, size, mtime) in a region kept for them, as
 * qemu-user places every guest mapping deterministically.  The same file
 * then lands at the same address in every process, whatever else the
 * process mapped before and in whatever order it loads its libraries.
 *
 * A slot already taken (another object hashed near it, or anything else
 * mapped there) is probed past; nothing is ever mapped over an existing
 * mapping (MAP_FIXED_NOREPLACE: ferry's own memory, the guest stack, the
 * guest's other mappings), and when no slot fits the caller maps as
 * usual (the kernel's choice). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ld_internal.h"

/* [0x7c00'0000'0000, 0x7e00'0000'0000), 2 TiB, on x86-64's 128 TiB: below
 * where Linux's top-down mmap area starts (under the stack, at most 1 TiB
 * below it with the default 28 random bits), far above a PIE and its heap
 * (ELF_ET_DYN_BASE, 0x5555...) and the legacy bottom-up layout's start
 * (0x2aaa...), and inside the "high application memory" of the
 * sanitizers' fixed layouts (ASan: above 0x1000'7fff'8000; MSan, TSan:
 * from 0x7000'... and 0x7a80'...), as kernel-placed libraries are.  A
 * smaller guest address space (ld_va: a host with fewer VA bits, or
 * FERRY_DEBUG_VA_CEILING) has it as far below its own top, shrunk to an
 * eighth of the space where 2 TiB would not fit. */
#define LD_PLACE_SLOT_SHIFT 24              /* 16 MiB: most objects fit one */
#define LD_PLACE_SIZE_MAX (1ull << 41)      /* 2 TiB */
#define LD_PLACE_PROBES 32

struct ld_place_region {
    uint64_t base, slots;
};

static struct ld_place_region ld_place_region(void)
{
    uint64_t slot = 1ull << LD_PLACE_SLOT_SHIFT;
    uint64_t top = (ld_va_get()->task_size + slot - 1) & ~(slot - 1);
    uint64_t size = top / 8 < LD_PLACE_SIZE_MAX ? (top / 8) & ~(slot - 1) : LD_PLACE_SIZE_MAX;
    return (struct ld_place_region){ top - 2 * size, size >> LD_PLACE_SLOT_SHIFT };
}

/* A 64-bit mix of the file's identity (one per file version). */
static uint64_t ld_place_hash(const struct stat *st)
{
    const uint64_t id[5] = { (uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
                             (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec };
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int k = 0; k < 5; k++) {
        h = (h ^ id[k]) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    return h;
}

void *ld_place_map(const struct stat *st, size_t len, int prot, int flags, int fd, long off)
{
    return ld_place_map_id(ld_place_hash(st), len, prot, flags, fd, off);
}

void *ld_place_map_id(uint64_t id, size_t len, int prot, int flags, int fd, long off)
{
    struct ld_place_region r = ld_place_region();
    uint64_t first = r.slots ? id % r.slots : 0, span = LD_PAGE_UP((uint64_t)len);
    uint64_t end = r.base + (r.slots << LD_PLACE_SLOT_SHIFT);
    if (!len || !r.slots || span > (r.slots << LD_PLACE_SLOT_SHIFT) / 2)
        return MAP_FAILED;
    for (uint64_t k = 0; k < LD_PLACE_PROBES; k++) {
        uint64_t at = r.base + (((first + k) % r.slots) << LD_PLACE_SLOT_SHIFT);
        if (at + span > end)
            continue;                   /* would run past the region's end */
        void *want = (void *)(uintptr_t)at;
        void *p = mmap(want, len, prot, flags | MAP_FIXED_NOREPLACE, fd, (off_t)off);
        if (p == want)
            return p;
        if (p != MAP_FAILED) {          /* a kernel without MAP_FIXED_NOREPLACE */
            munmap(p, len);
            return MAP_FAILED;
        }
        if (errno != EEXIST)
            return MAP_FAILED;
    }
    return MAP_FAILED;
}

/* One fstat and one pread of the header: cheap next to the mmap. */
bool ld_place_is_shared_object(int fd, struct stat *st)
{
    Elf64_Ehdr eh;
    if (fd < 0 || fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_size < (off_t)sizeof eh ||
        pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh)
        return false;
    return memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
           eh.e_type == ET_DYN && eh.e_machine == EM_X86_64;
}
