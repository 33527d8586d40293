/* regalloc.h -- the register allocator that turns one optimised IR block
 * into host code through the backend (regalloc.c, regalloc_live.c). */
#ifndef FERRY_REGALLOC_H
#define FERRY_REGALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "ir.h"

/* Per insn: bit k set when args[k] is a temp that is not used after the
 * insn (for an output: its result is never read). */
void ra_liveness(const struct ir_block *b, uint8_t *dies);
/* The same, and per insn in across[]: bit k set when args[k] is a temp
 * whose value (after the insn) is still read after a later IR_call, so it
 * is better kept in a register the call preserves. */
void ra_liveness_calls(const struct ir_block *b, uint8_t *dies, uint8_t *across);

/* Where the guest state is at each guest memory access (ld/st), so that a
 * host fault there becomes a precise guest fault: the guest pc, every
 * unpinned global newer than env with its host register (or constant),
 * and which pinned globals are in their registers (the others are in env
 * then, written back around a helper call and not reloaded yet). */
struct ra_fault_point {
    uint32_t host_off;                  /* the access starts at or after this */
    uint32_t first, count;              /* entries of this point */
    uint64_t guest_pc;
    uint64_t pinned;                    /* bit k: global k in be_host.pinned_regs[k] */
    bool write;                         /* the access writes (page-fault error code) */
};
struct ra_fault_entry {
    int32_t env_offset;
    int8_t reg;                         /* -1: the value is imm; RA_FAULT_ADD:
                                           imm is added to what the others
                                           restored there (IR_fault_sp) */
    uint64_t imm;
};
enum { RA_FAULT_ADD = 64 };
#define RA_FAULT_MAX_ENTRIES 16384
struct ra_fault_map {
    int n_points, n_entries;
    bool overflow;
    struct ra_fault_point points[IR_MAX_INSNS];
    struct ra_fault_entry entries[RA_FAULT_MAX_ENTRIES];
};
/* Writes what fault point p records back into env: its entries (from
 * `entries`, the map's array) and the pinned globals in their registers,
 * whose values reg(ctx, host register) reads -- be_ucontext_reg on a
 * signal handler's ucontext.  globals: the guest's (env offsets). */
void ra_fault_restore(void *env, const struct ra_fault_point *p,
                      const struct ra_fault_entry *entries, const struct ir_value *globals,
                      uint64_t (*reg)(const void *ctx, int r), const void *ctx);

/* The allocator's working state; each engine owns one (ra_state_new),
 * used under its translation lock.  ra_emit_block makes it the calling
 * thread's current state for the duration of the call (as QEMU's
 * per-thread tcg_ctx), so several engines may translate at once. */
struct ra_state;
struct ra_state *ra_state_new(void);

/* Record into m during the following ra_emit_block calls (NULL: don't). */
void ra_record_faults(struct ra_state *st, struct ra_fault_map *m);

/* Emits b into c. Returns false when c ran out of room (c->end) or the
 * block needs more spill slots than env has (then ra_spill_overflow()). */
bool ra_emit_block(struct ra_state *st, struct be_code *c, const struct ir_block *b);
bool ra_spill_overflow(const struct ra_state *st);

#endif
