/* loader.h -- maps an x86-64 ELF program (static, or dynamically linked
 * with its interpreter; a "#!" script runs its interpreter) and builds its
 * initial stack exactly as the Linux kernel does. */
#ifndef FERRY_LOADER_H
#define FERRY_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct ld_image {
    uint64_t entry;             /* first guest pc (the interpreter's entry, if any) */
    uint64_t stack_pointer;     /* initial guest rsp (points at argc) */
    uint64_t brk_start;         /* page-aligned end of the highest segment */
    uint64_t load_bias;         /* 0 for ET_EXEC, chosen base for (static-)PIE */
    uint64_t phdr, phent, phnum;
};

/* Loads `path`. argv[0] is the guest's argv[0]. On failure, writes a
 * one-line message "ferry: PATH: REASON" to errbuf and returns the exit
 * status a shell would use (126 not executable / bad format, 127 missing);
 * returns 0 on success. */
int ld_load_program(const char *path, char *const argv[], char *const envp[],
                    struct ld_image *img, char *errbuf, size_t errlen);

#endif
