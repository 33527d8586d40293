/* golden.h -- what the golden codegen driver's files share (tests/golden/):
 * the driver's own symbol table (golden_sym.c) and the normalisation that
 * turns host pointers in disassembly into stable names (golden_norm.c). */
#ifndef FERRY_GOLDEN_H
#define FERRY_GOLDEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Loads the symbols of the running binary (path: its ELF file); exits
 * with a message when it has none. */
void gd_sym_load(const char *path);
/* "name" or "name+0xN" for a host address inside a sized symbol of the
 * running binary, NULL otherwise. */
const char *gd_sym_name(uint64_t addr, char *buf, size_t len);

/* The host addresses a block's code may embed, named by gd_norm_value. */
struct gd_ranges {
    uint64_t block, block_size;         /* the block's code: "blk+0xN" */
    uint64_t cache;                     /* code cache start (entry, epilogue): "cache+0xN" */
    uint64_t tb;                        /* the block's record: "tb+0xN" */
};
extern struct gd_ranges gd_ranges;

/* The name of v if it is one of those host addresses (buf), else NULL. */
const char *gd_norm_value(uint64_t v, char *buf, size_t len);
/* Writes s to out with every hex number that names a host address
 * replaced by its name. */
void gd_norm_print(FILE *out, const char *s);

#endif
