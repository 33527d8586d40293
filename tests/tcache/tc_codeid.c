/* tc_codeid.c -- check-tcache.sh's "code identity" cases: the code the
 * translation cache must never serve stale when the file it came from
 * keeps its path (and size and mtime) but not its bytes.
 * `tc_codeid`: prints main_magic() and the library's lib_magic(), whose
 * constants the test rewrites in the files (in place, or a copy renamed
 * over the original: another binary at the same path).
 * `tc_codeid patch`: the program also rewrites main_magic()'s constant in
 * its own text (mprotect RWX, store, back to RX, as a patching loader or
 * a hot-patcher does) and calls it again: a cached translation of the page
 * as mapped must not run after the store, in this run or the next. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int lib_magic(void);

/* On a page of its own, called through a pointer: after the patch the
 * call looks its pc up again (in the translation mode of a plain jump),
 * and the page's other code is not patched with it. */
__attribute__((noipa, aligned(4096))) int main_magic(void) { return 0x1357bdf; }
static int (*volatile magic_ptr)(void) = main_magic;

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
    printf("main %#x lib %#x\n", magic_ptr(), lib_magic());
    if (argc > 1 && !strcmp(argv[1], "patch")) {
        if (patch_magic(0x7654321))
            return 9;
        printf("patched main %#x\n", magic_ptr());
    }
    return 0;
}
