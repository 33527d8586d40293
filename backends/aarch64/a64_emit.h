/* a64_emit.h -- what the AArch64 backend's emission files share: the host
 * register roles and small helpers that append instructions to a be_code.
 *
 * Register roles (AAPCS64 host, Linux):
 *   x19        env (callee-saved, so C helpers preserve it)
 *   x20-x29    pinned globals 0-9 (callee-saved; translated code keeps no
 *              frame pointer, enter() saved x29 with the others)
 *   x10-x15    pinned globals 10-15 (caller-saved)
 *   x7-x9      pinned globals 18-20 (the x86 lazy flags; caller-saved)
 *   x0-x6      the register allocator's pool
 *   x18        this vCPU's jump-cache table (rt.jmp_cache), kept by the
 *              inline probe of indirect exits, whose `bfi` changes only
 *              its index bits; loaded by enter() and again after every C
 *              call (x18 is an ordinary temporary on Linux), and set in
 *              a signal's ucontext by an exit request (exit_kick.c)
 *   x16, x17   backend scratch (IP0/IP1: the linker's veneer registers,
 *              never live across a call anyway), never allocated
 *   x30        backend scratch too (atomics' store status, jump-cache
 *              targets): enter() saved it and every call clobbers it
 *
 * Why this split: the x86-64 guest's 16 registers are read and written by
 * almost every block, so they live in host registers across blocks (the
 * allocator's pinned globals) instead of being loaded from and stored to
 * env in every block.  AArch64 has only ten callee-saved registers next to
 * env (x20-x28 and the frame pointer), so six pinned globals must be in
 * caller-saved ones.  Around a C helper call those cost a store each (only
 * when changed since the last write-back) and a reload when next used or
 * at the block's exit; keeping them all callee-saved would mean pinning
 * fewer globals, and helpers are far rarer than guest register accesses.
 * x10-x15 are the caller-saved registers no call needs: x0-x7 carry
 * arguments and the result and are rewritten for every call anyway, so
 * they (less x7, pinned) are the temporaries.  Temps that live across a call
 * are spilled to env (no callee-saved register is left for them); the
 * frontends' temps rarely do.
 */
#ifndef FERRY_A64_EMIT_H
#define FERRY_A64_EMIT_H

#include "a64_encode.h"
#include "backend.h"

enum {
    A64_ENV = 19,
    A64_TMP0 = 16,
    A64_TMP1 = 17,
    A64_PLATFORM_REG = 18,      /* named in brcond markers (never run) */
    A64_JMP_BASE = A64_PLATFORM_REG,    /* rt.jmp_cache, index bits aside */
    A64_SCRATCH_LR = A64_LR,    /* free inside translated code */
};

/* The jump-cache miss path, emitted once behind the epilogue, starts this
 * many bytes after it (be_code.epilogue is all a block knows). */
enum { A64_EPILOGUE_SLOT = 512 };

static inline void a64_put(struct be_code *c, uint32_t insn)
{
    __builtin_memcpy(be_writable(c, c->ptr), &insn, 4);
    c->ptr += 4;
}

static inline int64_t a64_offset_to(const struct be_code *c, const void *target)
{ return (const uint8_t *)target - c->ptr; }

/* A constant into a register: be_emit_movi (a64_glue.c) loads one of three
 * or four instructions from the block's literal pool (a64_literal.c); the
 * inline form always moves it with movz/movn/movk/orr (chain stubs, code
 * outside blocks). */
#define A64_LDR_LITERAL_X(rt) (0x58000000u | (uint32_t)(rt))
void a64_emit_movi_inline(struct be_code *c, int dst, uint64_t imm);
bool a64_literal_load(struct be_code *c, unsigned rd, uint64_t imm);
void a64_emit_literal_pool(struct be_code *c);
/* What a block reserves behind its code lowers c->end (a64_literal.c):
 * a64_tail_gen names the emission attempt, which a new be_code or a
 * retried block changes. */
unsigned a64_tail_gen(const struct be_code *c);
void a64_tail_reserve(struct be_code *c, unsigned bytes);
/* The out-of-line parts of the block's canonical-address tests (a64_mem.c). */
void a64_emit_canonical_stubs(struct be_code *c);

/* Register holding input `a`: a constant goes to `scratch` (zero-extended
 * from `size` bits); with a64_src_zr a zero constant is simply XZR, for
 * operand positions where 31 means the zero register. */
unsigned a64_src(struct be_code *c, const struct be_arg *a, unsigned scratch, int size);
unsigned a64_src_zr(struct be_code *c, const struct be_arg *a, unsigned scratch, int size);

/* 64-bit register/env transfers with any offset (x16 as address scratch). */
/* [base + offset] (base must not be A64_TMP0 when the offset needs it). */
void a64_ldst_base(struct be_code *c, unsigned size_log2, enum a64_ldst_opc opc,
                   unsigned reg, unsigned base, int32_t offset);
void a64_ldst_env(struct be_code *c, unsigned size_log2, enum a64_ldst_opc opc,
                  unsigned reg, int32_t offset);
/* Whether [base + offset] is one access (scaled imm12 or unscaled imm9);
 * a64_ldst_split (when a64_offset_splits): an offset of two movz/movk as `add TMP0, base, #hi, lsl
 * #12` and the access at TMP0 + its low 12 bits (false: nothing emitted). */
bool a64_offset_is_immediate(unsigned size_log2, int64_t offset);
bool a64_offset_splits(unsigned size_log2, int64_t offset);
bool a64_ldst_split(struct be_code *c, unsigned size_log2, enum a64_ldst_opc opc,
                    unsigned reg, unsigned base, int64_t offset);

/* `b target`, or through x16 when target is out of imm26 range. */
void a64_emit_jump(struct be_code *c, const void *target);
/* x18 = rt.jmp_cache: at enter() and behind every C call (a64_glue.c). */
void a64_load_jmp_base(struct be_code *c);
/* a64_reloc.c: a host address into rd (always the fixed four-instruction
 * form, listed when the block is for the persistent cache), and a b/bl to
 * code-cache code or (branch_to, kind BE_RELOC_HOST) a helper: false when
 * out of range. */
void a64_emit_movi_addr(struct be_code *c, unsigned rd, const void *addr, enum be_reloc_kind kind);
bool a64_emit_branch_code(struct be_code *c, const void *target, bool link);
bool a64_emit_branch_to(struct be_code *c, const void *target, bool link, enum be_reloc_kind kind);

/* a64_hoist.c: loop-invariant constants of a self-chained block, built
 * before its loop entry on a second emission (be_emit_again): what the
 * first emission writes, the movi it then leaves out, the two words
 * behind the block's own chain slot, and where that slot chains to. */
void a64_hoist_op(struct be_code *c, const struct ir_insn *insn);
void a64_hoist_wrote(struct be_code *c, int reg);
void a64_hoist_call(struct be_code *c);
bool a64_hoist_movi(struct be_code *c, int dst, uint64_t imm);
int a64_hoist_src(struct be_code *c, uint64_t imm);
void a64_hoist_vones(struct be_code *c, int vreg);
void a64_hoist_vslot(struct be_code *c, int vreg, int32_t off);
bool a64_hoist_is_vslot(struct be_code *c, int vreg);
void a64_hoist_vtest(struct be_code *c, int vreg, bool dbl);
bool a64_hoist_vtest_preset(struct be_code *c, int vreg, bool dbl);
void a64_hoist_cold(struct be_code *c, bool cold);
bool a64_hoist_self_slot(const struct be_code *c, uint64_t pc);
void a64_hoist_put_info(struct be_code *c, const uint8_t *site);
const uint8_t *a64_hoist_chain_target(const uint8_t *site, intptr_t rw_delta, const uint8_t *target);
void a64_hoist_stepped(struct be_code *c, int reg);
int a64_hoist_align(struct be_code *c, unsigned rn, unsigned rm);

/* a64_store_cross.c: a 2-, 4- or 8-byte guest store's page-cross test and
 * probes at [base + (index << scale) + disp] (index A64_ZR: none), put
 * right before its access word, x30 and t (x17, or x16 when x17 holds the
 * value) its scratch.  Not for stores ir_mark_stack_stores marked
 * IR_MO_ALIGNED (a64_emit_st). */
void a64_store_cross_test(struct be_code *c, unsigned size_log2, unsigned base, unsigned index,
                          unsigned scale, int32_t disp, unsigned t);
bool a64_store_const_crosses(unsigned size_log2, uint64_t addr);

/* a64_writeback.c: remember the guest access just emitted; fold `add/sub
 * rn, rn, #delta` right behind it into its writeback (true: done). */
void a64_note_guest_access(struct be_code *c);
bool a64_fold_writeback(struct be_code *c, unsigned rd, unsigned rn, int64_t delta);
/* a64_writeback.c: a sign extension (bits: 8, 16, 32) of the guest load
 * just emitted as that load made signed (true: done, nothing to emit). */
bool a64_fold_sign_extend(struct be_code *c, unsigned rd, const struct be_arg *src,
                          unsigned bits);
/* a64_pair_fault.c: back into its probe when that is what faulted. */
void a64_pair_probe_fault(void);
/* a64_split_model.c (FERRY_A64_SPLIT_STORES, tests): a page-crossing
 * `str`'s bytes on writable pages written, as hardware may; its own
 * write's fault back into it. */
void a64_split_model_store(const void *uc);
void a64_split_model_fault(void);

/* Sets the flags for `a cond b` at `size` bits (cmp/cmn/tst) and returns
 * the A64 condition that is true when the IR condition holds. */
enum a64_cond a64_emit_compare(struct be_code *c, const struct ir_insn *insn,
                               const struct be_arg *a, const struct be_arg *b);
/* The A64 condition for an IR condition on flags already set: by a compare,
 * or by subs/adds/ands (brflags/setflags/movflags, ir_ops.def: the
 * conditions ir_fuse_flags allows mean the same on those flags). */
enum a64_cond a64_cond_of(enum ir_cond c);
/* Whether EQ/NE against v (sf: 64 bits) is the two-instruction split
 * compare (a64_cond.c); be_imm_fits lets such constants through. */
bool a64_cmp_split_fits(uint64_t v, bool sf);

/* Exit ops (a64_exits.c, a64_chain.c).  A chain stub stores pc and
 * c->tb in env and returns TR_EXIT_CHAIN0 + slot; the pending brcond exits
 * are emitted out of line by the block's final exit. */
void a64_emit_chain_stub(struct be_code *c, uint64_t pc, int slot);
void a64_emit_pending_cond_exits(struct be_code *c);
void a64_emit_goto_tb(struct be_code *c, uint64_t pc, int slot, int xfer);  /* enum ir_xfer */
void a64_emit_brcond(struct be_code *c, const struct ir_insn *insn, const struct be_arg *in);
/* An exit_indirect marked by ir_mark_canonical (ir_canonical.c) tests its
 * target on the jump-cache miss path: #GP at fault_pc, pinned register
 * undo_reg less undo (a ret's pop) first. */
struct a64_canonical {
    uint64_t fault_pc;
    uint32_t undo;
    int undo_reg;
};
void a64_emit_exit_indirect(struct be_code *c, const struct be_arg *pc, int xfer,
                            const struct a64_canonical *check);     /* NULL: none */
void a64_emit_exit_code(struct be_code *c, uint64_t pc, int code);
/* brexit: a branch over an inline exit_code (a64_chain.c); the exit alone
 * (a64_exits.c), which leaves the block's pending stubs for its end. */
void a64_emit_brexit(struct be_code *c, const struct ir_insn *insn, const struct be_arg *in);
void a64_emit_exit_inline(struct be_code *c, uint64_t pc, int code);
void a64_emit_exit_request(struct be_code *c, uint64_t pc, bool guard);
/* IR divu/divs (a64_div.c). */
void a64_emit_div(struct be_code *c, const struct ir_insn *i, const struct be_arg *out,
                  const struct be_arg *in);
/* Their slow paths, behind the block's final exit (from finish_block). */
void a64_emit_div_stubs(struct be_code *c);

/* A mul or constant shift just emitted, folded into the add/sub/logic op
 * reading its result (a64_fold_prev.c): true when it was the last word
 * and its result dies there; the word is then gone (mul: replaced by the
 * madd/msub) and the op reads *rm shifted by *count (*rn its other
 * input).  first_too: in[0] may be the one folded (not a sub's). */
void a64_note_mul(struct be_code *c, bool sf, unsigned rd, unsigned rn, unsigned rm);
void a64_note_shift(struct be_code *c, bool sf, enum a64_shift shift, unsigned rd,
                    unsigned rn, unsigned count);
bool a64_fold_mul_add_sub(struct be_code *c, bool sf, bool sub, const struct be_arg *out,
                          const struct be_arg *in);
bool a64_fold_shift_operand(struct be_code *c, bool sf, bool first_too, bool rotate_ok,
                            unsigned *rn, unsigned *rm, enum a64_shift *shift,
                            unsigned *count, const struct be_arg *out, const struct be_arg *in);

/* Memory ops (a64_mem.c). */
unsigned a64_guest_addr(struct be_code *c, unsigned memop, const struct be_arg *addr);
/* An `add xd, xn, xm` just emitted for IR add (a64_ops.c), and a vector
 * access taking it in: true when the add is the last word emitted, xd is
 * addr's register and dead after the access, and the access needs no
 * address test: the add is gone, *rn and *rm are the register offset's
 * base and index (c->access_back set: the access takes the add's place). */
void a64_note_address_add(struct be_code *c);
bool a64_address_add_last(const struct be_code *c);
bool a64_fold_address_add(struct be_code *c, unsigned memop, const struct be_arg *addr,
                          unsigned *rn, unsigned *rm);
bool a64_fold_address_add_word(struct be_code *c, unsigned memop, const struct be_arg *addr,
                               unsigned *rn, unsigned *rm, uint32_t *word);
/* canon_test (ir_ops.def): x86's canonical test of a, unconditionally. */
void a64_emit_canon_test(struct be_code *c, const struct be_arg *a);
/* Guest loads and stores at addr + disp (IR ld/st aux[0]). */
void a64_emit_ld(struct be_code *c, unsigned memop, unsigned rd, const struct be_arg *addr,
                 int32_t disp);
void a64_emit_st(struct be_code *c, unsigned memop, const struct be_arg *addr, int32_t disp,
                 const struct be_arg *val);
/* ldx/stx: base + (index << scale) + disp, base and index in registers. */
struct a64_index {
    const struct be_arg *base, *index;
    unsigned scale;
    int32_t disp;
};
void a64_emit_ldx(struct be_code *c, unsigned memop, unsigned rd, const struct a64_index *x);
void a64_emit_stx(struct be_code *c, unsigned memop, const struct a64_index *x,
                  const struct be_arg *val);
void a64_emit_ld_env_op(struct be_code *c, unsigned memop, unsigned rd, int32_t offset);
void a64_emit_st_env_op(struct be_code *c, unsigned memop, const struct be_arg *val,
                        int32_t offset);
/* a64_envpair.c: an 8-byte env store as part of a run of them at
 * consecutive offsets, emitted as stp pairs (false: emit it alone). */
bool a64_env_store_paired(struct be_code *c, unsigned rt, int32_t offset);

/* A software MMU's inline TLB probe (a64_tlb.c): returns the register
 * (x16) holding the host address of the access at x's address (val: the
 * stored value, NULL for a load); its stub goes at the prologue's end. */
unsigned a64_tlb_probe(struct be_code *c, unsigned memop, const struct a64_index *x,
                       const struct be_arg *val);
void a64_tlb_emit_stub(struct be_code *c);

/* Atomics (a64_atomic.c). */
void a64_emit_atomic_rmw(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in);
void a64_emit_atomic_cas(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in);
/* The split lock of misaligned locked operations: released by the host
 * fault handler (be_fault_redirect) when the faulting thread holds it. */
extern uint64_t a64_split_lock;
void a64_split_lock_fault(void);
void a64_emit_fence(struct be_code *c, const struct ir_insn *i,
                    const struct be_arg *out, const struct be_arg *in);

#endif
