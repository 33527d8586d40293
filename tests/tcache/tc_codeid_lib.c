/* tc_codeid_lib.c -- the shared library of tc_codeid.c (check-tcache.sh,
 * "code identity"): lib_magic()'s constant is rewritten in the .so, in
 * place or in a copy renamed over it, with its size and mtime kept, to
 * prove that a library's changed code is never served from the cache.
 *
 * The constant's `mov` sits between 32 KiB of code on either side, so its
 * page lies in an aligned group of 8 code pages, all mapped from the file
 * and never writable: the pages a warm run hashes together from one copy
 * (tcache.c group_hash, session 36).  A hash of the group filed under the
 * wrong page, or one group read not checked, must not let the rewritten
 * page pass as unchanged.  (The padding is int3, never run: the function
 * jumps over it; no alignment attribute, which would raise the segment's
 * p_align and keep the library from being placed and cached.) */
__attribute__((noipa)) int lib_magic(void)
{
    int v;
    __asm__("jmp 1f\n\t.fill 32768, 1, 0xcc\n"
            "1:\tmov $0x2468ace, %%eax\n\t"
            "jmp 2f\n\t.fill 32768, 1, 0xcc\n"
            "2:" : "=a"(v));
    return v;
}
