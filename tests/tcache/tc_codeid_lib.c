/* tc_codeid_lib.c -- the shared library of tc_codeid.c (check-tcache.sh,
 * "code identity"): lib_magic()'s constant is rewritten in the .so, in
 * place or in a copy renamed over it, with its size and mtime kept, to
 * prove that a library's changed code is never served from the cache. */
__attribute__((noipa)) int lib_magic(void) { return 0x2468ace; }
