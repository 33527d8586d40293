/* frontend.h -- the interface between the translator and a guest decoder.
 *
 * A frontend turns guest machine code at a guest pc into one IR block.
 * Only the x86-64 frontend exists; the struct keeps the translator
 * independent of it.
 */
#ifndef FERRY_FRONTEND_H
#define FERRY_FRONTEND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "guest_mem.h"
#include "ir.h"

struct fe_guest {
    const char *name;
    size_t env_size;
    /* Declares the guest's IR globals (called once at start-up). */
    void (*declare_globals)(struct ir_globals *g);
    /* Decodes guest code at pc into b (already ir_block_init()ed), at most
     * max_insns instructions; always ends the block with an exit op.  Code
     * is fetched through mem (never past what mem->fetchable allows). */
    void (*translate)(struct ir_block *b, const struct tr_guest_mem *mem, uint64_t pc,
                      int max_insns);
    /* Prints the guest instructions of [pc, pc+size) for -d in_asm. */
    void (*disas)(FILE *out, const struct tr_guest_mem *mem, uint64_t pc, size_t size);
    /* Initialises a fresh env (after it was zeroed). */
    void (*reset)(void *env);
};

extern const struct fe_guest fe_x86_64;
/* The same guest as a whole machine (ferry-system's tcg accelerator; its
 * env is struct x86_sys_cpu, x86_64/x86_system.h). */
extern const struct fe_guest fe_x86_64_system;

#endif
