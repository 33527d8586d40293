/* tc_codeid.c -- check-tcache.sh's "code identity" cases: the code the
 * translation cache must never serve stale when the file it came from
 * keeps its path (and size and mtime) but not its bytes.
 * `tc_codeid`: prints main_magic() and the library's lib_magic(), whose
 * constants the test rewrites in the files (in place, or a copy renamed
 * over the original: another binary at the same path).
 * `tc_codeid patch`: the program also rewrites main_magic()'s constant in
 * its own text (mprotect RWX, store, back to RX, as a patching loader or
 * a hot-patcher does) and calls it again: a cached translation of the page
 * as mapped must not run after the store, in this run or the next.
 * `tc_codeid rwx` (session 36): main_magic's page made writable (RWX) and
 * left so, its neighbour pages' code run (their pages hashed again after
 * an mprotect that changes nothing but is a mapping change), then the
 * constant stored and main_magic called for the first time: the cache may
 * not take a hash of the writable page, taken before the store with its
 * neighbour's (tcache.c group_hash reads the 8 pages around a page
 * together, only if all are code that is not writable), for its state
 * after. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int lib_magic(void);

/* main_magic on a page of its own, called through a pointer: after the
 * patch the call looks its pc up again (in the translation mode of a
 * plain jump), and the page's other code is not patched with it.  One
 * block of assembly, so that its layout is this one whatever order the
 * compiler emits functions in: 7 pages of int3 (never run), before_magic's
 * page, main_magic's, after_magic's, 7 more pages of int3 -- whatever the
 * load address, the aligned group of 8 pages around main_magic's lies in
 * it, and so does one of its neighbours. */
int main_magic(void);
int before_magic(void);
int after_magic(void);
__asm__(".text\n\t.p2align 12\n"
        "tcid_pad_before:\n\t.fill 7 * 4096, 1, 0xcc\n"
        "\t.globl before_magic\n\t.type before_magic, @function\n"
        "before_magic:\n\tmov $0x2b, %eax\n\tret\n\t.p2align 12, 0xcc\n"
        "\t.globl main_magic\n\t.type main_magic, @function\n"
        "main_magic:\n\tmov $0x1357bdf, %eax\n\tret\n\t.p2align 12, 0xcc\n"
        "\t.globl after_magic\n\t.type after_magic, @function\n"
        "after_magic:\n\tmov $0x2a, %eax\n\tret\n\t.p2align 12, 0xcc\n"
        "tcid_pad_after:\n\t.fill 7 * 4096, 1, 0xcc\n");
static int (*volatile magic_ptr)(void) = main_magic;
static int (*volatile before_ptr)(void) = before_magic;
static int (*volatile after_ptr)(void) = after_magic;

/* The rwx case (see the top): 0 when done. */
static int rwx_patch(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    uint8_t *f = (uint8_t *)(uintptr_t)main_magic;
    int old = 0x1357bdf, value = 0x7654321;
    if (f[0] != 0xb8 || memcmp(f + 1, &old, 4) || (uintptr_t)f % (uintptr_t)ps)
        return -1;
    if (mprotect(f, (size_t)ps, PROT_READ | PROT_WRITE | PROT_EXEC) ||
        mprotect(f - ps, (size_t)ps, PROT_READ | PROT_EXEC) || mprotect(f + ps, (size_t)ps, PROT_READ | PROT_EXEC))
        return -1;
    printf("neighbours %#x %#x\n", before_ptr(), after_ptr());
    memcpy(f + 1, &value, 4);
    printf("rwx main %#x\n", magic_ptr());
    return 0;
}

/* main_magic's `mov $imm32, %eax` rewritten to return value. */
static int patch_magic(int value)
{
    uint8_t *f = (uint8_t *)(uintptr_t)main_magic;
    int old = 0x1357bdf;
    for (int k = 0; k < 16; k++) {
        if (f[k] != 0xb8 || memcmp(f + k + 1, &old, 4))
            continue;
        long ps = sysconf(_SC_PAGESIZE);
        uint8_t *lo = (uint8_t *)((uintptr_t)(f + k) & ~(uintptr_t)(ps - 1));
        size_t len = (size_t)(f + k + 5 - lo) > (size_t)ps ? 2 * (size_t)ps : (size_t)ps;
        if (mprotect(lo, len, PROT_READ | PROT_WRITE | PROT_EXEC))
            return -1;
        memcpy(f + k + 1, &value, 4);
        return mprotect(lo, len, PROT_READ | PROT_EXEC);
    }
    return -1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "rwx"))
        return rwx_patch() ? 9 : 0;
    printf("main %#x lib %#x neighbours %#x %#x\n", magic_ptr(), lib_magic(), before_ptr(), after_ptr());
    if (argc > 1 && !strcmp(argv[1], "patch")) {
        if (patch_magic(0x7654321))
            return 9;
        printf("patched main %#x\n", magic_ptr());
    }
    return 0;
}
