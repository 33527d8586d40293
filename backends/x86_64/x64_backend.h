/* x64_backend.h -- what the x86-64 backend's files share: register roles,
 * the env bias, and the exit emitters (x64_exits.c) used by x64_ops.c. */
#ifndef FERRY_X64_BACKEND_H
#define FERRY_X64_BACKEND_H

#include "x64_encode.h"

/* Register roles.  RAX (call result, exit code, MUL), RCX (shift counts)
 * and RDX (MUL high half) are the ops' scratch registers, and allocated
 * with RSI between the ops that need none (x64_desc.c, x64_op_clobbers). */
#define X64_ENV     X64_R14
#define X64_SCRATCH X64_RAX
#define X64_SCRATCH2 X64_RCX

/* The env register points this far into env so that the guest state just
 * after struct tr_runtime is reachable with 8-bit displacements. */
#define X64_ENV_BIAS ((int32_t)sizeof(struct tr_runtime) + 128)

static inline int32_t x64_env_disp(int32_t offset) { return offset - X64_ENV_BIAS; }

enum x64_cc x64_cond_cc(enum ir_cond c);

/* The jump cache's index width (be_host.jmp_bits), a constant of the
 * inline probe (x64_exits.c): 16,384 entries, AArch64's.  cc1 -O2 misses
 * 23-43 % less than with 4,096 (session 40, x64spd), and a thread's start
 * no longer fills the tables (zeroed memory is empty: tc_jmp_empty). */
#define X64_JMP_BITS 14

/* Guest globals in host registers across blocks (x64_pinned.c). */
#define X64_N_PINNED 14
extern const int8_t x64_pinned_regs[X64_N_PINNED];
uint64_t x64_pinned_mask(const struct ir_globals *g);
/* The pinned registers a C call destroys, as code that calls C without
 * the allocator pushes them (popped in reverse order; an odd count is
 * padded to keep the call 16-byte aligned). */
#define X64_N_CLOBBERED_PINS 5
extern const int8_t x64_clobbered_pins[X64_N_CLOBBERED_PINS];

/* An 8-byte zero store to env as part of a run of them at consecutive
 * offsets, stored 16 bytes at a time from a zeroed xmm0 (x64_envzero.c). */
void x64_env_store_zero(struct be_code *c, int32_t offset);

/* Exits (x64_exits.c). */
void x64_emit_goto_tb(struct be_code *c, uint64_t pc, int slot, int xfer);  /* enum ir_xfer */
/* flags_from: where the code setting the flags the jcc reads starts (it
 * slides forward when the jcc needs padding, to stay next to it), or NULL. */
void x64_emit_brcond_exit(struct be_code *c, enum x64_cc cc, uint64_t pc, int slot,
                          uint8_t *flags_from);
/* An exit_indirect that also checks its target (ir_canonical.c): #GP at
 * fault_pc after `undo` is subtracted from host register undo_reg. */
struct x64_canonical {
    uint64_t fault_pc;
    uint32_t undo;
    int undo_reg;
};
void x64_emit_exit_indirect(struct be_code *c, const struct be_arg *pc, int xfer,
                            const struct x64_canonical *check);     /* NULL: none */
void x64_emit_exit_code(struct be_code *c, uint64_t pc, int code);
void x64_emit_brexit(struct be_code *c, enum x64_cc cc, uint64_t pc, int code);
/* IR divu/divs (x64_div.c). */
void x64_emit_div(struct be_code *c, const struct ir_insn *i, const struct be_arg *out,
                  const struct be_arg *in);
void x64_emit_exit_request(struct be_code *c, uint64_t pc, bool guard);

/* Host addresses a block embeds (x64_reloc.c): reg = addr in the imm64
 * form, and a jmp (0xe9) or call (0xe8) rel32 to code-cache code; both
 * listed when the block is for the persistent cache. */
void x64_emit_movi_addr(struct be_code *c, int reg, const void *addr, enum be_reloc_kind kind);
void x64_emit_rel32_code(struct be_code *c, uint8_t opcode, const uint8_t *target);
/* The relocation forms x64_reloc.c patches: an imm64 and a rel32. */
enum { X64_FORM_ABS64 = 1, X64_FORM_REL32 = 2 };

/* The host address of a guest access (x64_ops.c): every guest ld, st and
 * atomic goes through it, the one place that knows the guest-memory mode. */
const struct be_arg *x64_guest_addr(struct be_code *c, unsigned memop, const struct be_arg *addr);

/* A software MMU's inline TLB probe (x64_tlb.c): leaves the host address
 * of the access in rax (val: the stored value, NULL for a load); its stub
 * is emitted once, at the end of the prologue. */
void x64_tlb_probe(struct be_code *c, unsigned memop, const struct be_arg *base, int index,
                   int scale, int32_t disp, const struct be_arg *val);
void x64_tlb_emit_stub(struct be_code *c);

/* IR canon_test, a call's canonical-target test (x64_canon.c): the code
 * cache's two constants (emitted once, by the prologue), the test, its
 * stubs (by the block's final exit) and the start of a block's emission. */
void x64_canon_emit_constants(struct be_code *c);
void x64_emit_canon_test(struct be_code *c, const struct ir_insn *i, const struct be_arg *out,
                         const struct be_arg *in);
void x64_canon_flush(struct be_code *c);
void x64_canon_block_start(const struct be_code *c);

/* Atomics (x64_atomic.c). */
void x64_emit_atomic_rmw(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in);
void x64_emit_atomic_cas(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in);
void x64_emit_fence(struct be_code *c, const struct ir_insn *i,
                    const struct be_arg *out, const struct be_arg *in);

#endif
