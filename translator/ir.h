/* ir.h -- ferry's host-independent intermediate representation.
 *
 * A translation block (struct ir_block) is a straight-line list of
 * instructions with no internal labels: control leaves it only through the
 * exit ops (brcond, goto_tb, exit_indirect, exit_code; see ir_ops.def).
 * Values are 64-bit and come in three kinds:
 *   - globals: guest CPU-state fields living at a fixed offset in env (the
 *     guest registers, lazy-flag fields, fs base).  The register allocator
 *     caches them in host registers inside a block and writes dirty ones
 *     back before exits and before helper calls that touch CPU state.
 *   - temps:   block-local scratch values (not SSA: may be reassigned).
 *   - consts:  64-bit immediates.
 * The frontend builds blocks with the ir_* emitters below; the optimizer
 * (ir_opt.c) folds and removes dead code; the register allocator
 * (regalloc.c) drives the backend (backends/backend.h) to emit host code.
 */
#ifndef FERRY_IR_H
#define FERRY_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum ir_op_flags {
    IR_F_SIZED  = 1 << 0,   /* insn->size is 32 or 64 */
    IR_F_COND   = 1 << 1,   /* insn->cond is meaningful */
    IR_F_MEM    = 1 << 2,   /* insn->size is a memop */
    IR_F_SIDE   = 1 << 3,   /* never removed by dead-code elimination */
    IR_F_CALL   = 1 << 4,   /* helper call */
    IR_F_EXIT   = 1 << 5,   /* unconditional block exit: must be last */
    IR_F_BRANCH = 1 << 6,   /* conditional block exit */
    IR_F_VEC    = 1 << 7,   /* vector op: env operands in aux[0] (ir_ops.def) */
};

enum ir_op {
#define IR_OP(name, nout, nin, flags) IR_##name,
#include "ir_ops.def"
#undef IR_OP
    IR_NUM_OPS
};

/* The vector ops are the last section of ir_ops.def: backends map the
 * range IR_VEC_FIRST .. IR_NUM_OPS - 1 to their vector emitter. */
#define IR_VEC_FIRST IR_vmov
/* Vector moves that every backend emits inline (no helper). */
#define IR_VEC_IS_MOVE(op) ((op) >= IR_vmov && (op) <= IR_vfromg)   /* vmov .. vfromg */

struct ir_op_info {
    const char *name;
    uint8_t n_out, n_in;
    uint16_t flags;
};
extern const struct ir_op_info ir_op_info[IR_NUM_OPS];

/* aux[0] of atomic_rmw: what replaces the old memory value d. */
enum ir_atomic_op {
    IR_ATOMIC_ADD,          /* d + b */
    IR_ATOMIC_AND,          /* d & b */
    IR_ATOMIC_OR,           /* d | b */
    IR_ATOMIC_XOR,          /* d ^ b */
    IR_ATOMIC_XCHG,         /* b */
    IR_ATOMIC_RSUB,         /* b - d (lock neg: b = 0) */
    IR_NUM_ATOMIC_OPS
};

enum ir_cond {
    IR_EQ, IR_NE,
    IR_LT, IR_GE, IR_LE, IR_GT,         /* signed */
    IR_LTU, IR_GEU, IR_LEU, IR_GTU,     /* unsigned */
    IR_TSTEQ, IR_TSTNE,                 /* (a & b) == 0, (a & b) != 0 */
    IR_NUM_CONDS
};
extern const char *const ir_cond_names[IR_NUM_CONDS];
enum ir_cond ir_cond_invert(enum ir_cond c);
enum ir_cond ir_cond_swap(enum ir_cond c);   /* a c b  <=>  b swap(c) a */
bool ir_cond_eval(enum ir_cond c, uint64_t a, uint64_t b, int size);

/* Memops for ld/st/ld_env/st_env (stored in insn->size). */
enum ir_memop {
    IR_MO_8 = 0, IR_MO_16 = 1, IR_MO_32 = 2, IR_MO_64 = 3,
    IR_MO_SIZE = 3,
    IR_MO_SIGN = 4,                     /* sign-extend a load */
    /* ld/st only: a host address (the engine's own bookkeeping, e.g. the
     * --stats counters), not guest memory: backends access it directly in
     * every guest-memory mode. */
    IR_MO_HOST = 8,
    /* st only: the address is a multiple of the store's size, proven by
     * ir_mark_stack_stores (ir_stack_align.c) from the block's entry test
     * of the stack pointer: the store lies in one page, and a backend that
     * tests stores for page crossings (be_desc.store_cross_tests) skips
     * its test. */
    IR_MO_ALIGNED = 16,
};
static inline int ir_memop_bytes(unsigned mo) { return 1 << (mo & IR_MO_SIZE); }

/* insn->size of the vector ops: element size, scalar flag. */
enum ir_vec_size {
    IR_VE_8 = 0, IR_VE_16 = 1, IR_VE_32 = 2, IR_VE_64 = 3,
    IR_VE_MASK = 3,
    IR_V_SCALAR = 4,                    /* lane 0 only (float ops) */
    IR_V_ALIGNED = 16,                  /* vst: its address is a multiple of its
                                           width (the frontend checked): it
                                           crosses no page */
    /* vst: one half of a 32-byte (ymm) store, two 16-byte vst of one
     * guest insn, the high half at the low half's address + 16, after it
     * (x86_avx.c avx_store).  x86 writes all 32 bytes or none: a backend
     * makes sure both pages are writable before the low half's store. */
    IR_V_PAIR_LO = 32,                  /* (8 is IR_MO_HOST, which ir_validate
                                           allows on ld/st only) */
    IR_V_PAIR_HI = 64,
    IR_V_PAIR = IR_V_PAIR_LO | IR_V_PAIR_HI,
};

/* Bits of a block's mode from here up: what a chained variant of it may
 * assume at entry (ir_block.exit_facts); never in tr_runtime.tb_mode.
 * Facts bits 0-15: the guest registers (globals 0-15) near the user half
 * (ir_check_accesses); bits 16-19 (TR_FACTS_FE): the frontend's own,
 * set by it at each chained exit and kept by ir_check_accesses (x86: the
 * lazy flag state the cc globals hold, x86_flags.c). */
#define TR_MODE_FACTS_SHIFT 12
#define TR_FACTS_REGS 0xffffu
#define TR_FACTS_FE_SHIFT 16
#define TR_FACTS_FE (0xfu << TR_FACTS_FE_SHIFT)
#define TR_MODE_BASE(m) ((m) & ((1u << TR_MODE_FACTS_SHIFT) - 1))
/* The translator's own mode bit (frontends use the bits below it): blocks
 * test for an exit request by loading and branching on rt.exit_request,
 * never by the guard-page load -- for a thread that requests reach often
 * (exit_request.c), where each guard fault would cost a host signal. */
#define TR_MODE_REQUEST_FLAG (1u << (TR_MODE_FACTS_SHIFT - 1))
/* The translator's: the guest's stack pointer was found not a multiple of
 * 8 at a block's entry test (ir_stack_align.c): blocks of this mode test
 * every store for a page crossing, and leave it again at an entry where
 * the stack pointer is a multiple of 8 (TR_EXIT_STACK_MODE). */
#define TR_MODE_STACK_CHECKED (1u << (TR_MODE_FACTS_SHIFT - 2))

typedef uint16_t ir_ref;                /* index into ir_block.values */
#define IR_NONE ((ir_ref)0xffff)

enum ir_value_kind { IR_VAL_GLOBAL, IR_VAL_TEMP, IR_VAL_CONST };

struct ir_value {
    uint8_t kind;
    int32_t env_offset;                 /* globals */
    uint64_t imm;                       /* consts */
    const char *name;                   /* globals, for dumps */
};

#define IR_MAX_ARGS 6

struct ir_insn {
    uint16_t op;                        /* enum ir_op */
    uint8_t size;                       /* 32/64, or a memop */
    uint8_t cond;                       /* enum ir_cond */
    ir_ref args[IR_MAX_ARGS];           /* outputs, then inputs */
    int64_t aux[2];                     /* per-op constants, see ir_ops.def */
};

/* A C function called from translated code: ret = fn(env, a0..a4).
 * Every argument and the result are uint64_t. */
enum ir_helper_flags {
    IR_HELPER_RW_GLOBALS = 1 << 0,      /* reads/writes env globals: sync
                                           before, reload after */
    IR_HELPER_NORETURN   = 1 << 1,      /* raises a guest exception */
    IR_HELPER_NO_STORE   = 1 << 2,      /* stores no guest memory: the
                                           self-modifying-code checks after
                                           stores (smc.c) skip it */
};
struct ir_helper {
    void *fn;
    const char *name;
    uint8_t n_args;                     /* not counting env */
    uint8_t has_result;
    uint8_t flags;
};

#define IR_MAX_INSNS   4096
#define IR_MAX_VALUES  4096
#define IR_MAX_GLOBALS 64

/* Globals are declared once per guest (ir_globals) and copied into every
 * block as its first values, so a global's ir_ref is the same everywhere. */
struct ir_globals {
    int count;
    /* The guest's stack pointer, as the frontend names it: a global whose
     * value is nearly always a multiple of 8 (pushes, pops, calls, rets
     * and the compilers' frames keep it so): ir_stack_align.c.  has_sp
     * false: none. */
    bool has_sp;
    ir_ref sp;
    struct ir_value v[IR_MAX_GLOBALS];
};
ir_ref ir_global_declare(struct ir_globals *g, const char *name, int32_t env_offset);

struct ir_block {
    uint64_t guest_pc;                  /* first guest instruction */
    uint32_t guest_size;                /* bytes of guest code covered */
    const uint8_t *guest_bytes;         /* those bytes as the frontend decoded them
                                           (NULL: not kept; the engine reads memory) */
    uint32_t guest_insns;
    bool code_fixed;                    /* the frontend found the guest cannot write
                                           [guest_pc, guest_pc + guest_size): the
                                           translator need not ask again */
    uint32_t mode;                      /* the vCPU's translation mode (tr_runtime.tb_mode),
                                           and from TR_MODE_FACTS_SHIFT up a
                                           variant's entry facts (ir_check_accesses) */
    int n_insns, n_values, n_globals;
    ir_ref sp;                          /* ir_globals.sp, or IR_NONE */
    struct ir_insn insns[IR_MAX_INSNS];
    struct ir_value values[IR_MAX_VALUES];
    bool overflow;                      /* ran out of insns/values */
    uint32_t exit_facts[2];             /* ir_check_accesses: per chain slot, the
                                           guest registers (globals 0-15) proven
                                           near the user half there */
    /* The lazy-flag cut at indirect exits (be_desc.lazy_exit_stores): */
    uint64_t exit_lazy_globals;         /* bit g: global g (the frontend's lazy
                                           flag state) may reach an unmarked
                                           exit_indirect unstored, handed to the
                                           backend (be_code.lazy), which stores
                                           it unless the target's entry is dead */
    bool flags_dead_in;                 /* no code from guest_pc on reads those
                                           globals before overwriting them (the
                                           frontend's own proof, the one its
                                           asynchronous delivery answers from):
                                           tr_block.flags_dead_in */
};

void ir_block_init(struct ir_block *b, const struct ir_globals *g, uint64_t pc);

/* Value constructors. */
ir_ref ir_temp(struct ir_block *b);
ir_ref ir_const(struct ir_block *b, uint64_t imm);
static inline bool ir_is_const(const struct ir_block *b, ir_ref r)
{ return r != IR_NONE && b->values[r].kind == IR_VAL_CONST; }
static inline bool ir_is_temp(const struct ir_block *b, ir_ref r)
{ return r != IR_NONE && b->values[r].kind == IR_VAL_TEMP; }
/* Reads of value r by the block's insns, but those with skip[k] set
 * (skip may be NULL). */
int ir_count_reads(const struct ir_block *b, ir_ref r, const bool *skip);

/* Generic emitter; the typed wrappers below are what frontends use. */
struct ir_insn *ir_emit(struct ir_block *b, enum ir_op op, int size,
                        ir_ref a0, ir_ref a1, ir_ref a2);

static inline void ir_insn_start(struct ir_block *b, uint64_t pc, int len)
{ struct ir_insn *i = ir_emit(b, IR_insn_start, 0, IR_NONE, IR_NONE, IR_NONE);
  i->aux[0] = (int64_t)pc; i->aux[1] = len; }
static inline void ir_mov(struct ir_block *b, ir_ref d, ir_ref a)
{ ir_emit(b, IR_mov, 64, d, a, IR_NONE); }
static inline void ir_movi(struct ir_block *b, ir_ref d, uint64_t imm)
{ ir_mov(b, d, ir_const(b, imm)); }
/* d = a OP b for the IR_F_SIZED binary ops (add, sub, ..., rotr). */
static inline void ir_binop(struct ir_block *b, enum ir_op op, int size, ir_ref d, ir_ref x, ir_ref y)
{ ir_emit(b, op, size, d, x, y); }
static inline void ir_unop(struct ir_block *b, enum ir_op op, int size, ir_ref d, ir_ref x)
{ ir_emit(b, op, size, d, x, IR_NONE); }
void ir_extract(struct ir_block *b, ir_ref d, ir_ref a, int pos, int len);
void ir_deposit(struct ir_block *b, ir_ref d, ir_ref a, ir_ref v, int pos, int len);
void ir_setcond(struct ir_block *b, enum ir_cond c, int size, ir_ref d, ir_ref x, ir_ref y);
void ir_movcond(struct ir_block *b, enum ir_cond c, int size, ir_ref d,
                ir_ref x, ir_ref y, ir_ref vtrue, ir_ref vfalse);
void ir_ld(struct ir_block *b, unsigned memop, ir_ref d, ir_ref addr);
void ir_st(struct ir_block *b, unsigned memop, ir_ref addr, ir_ref val);
void ir_ld_env(struct ir_block *b, unsigned memop, ir_ref d, int32_t offset);
void ir_st_env(struct ir_block *b, unsigned memop, ir_ref val, int32_t offset);
/* args: up to 5 refs; pass n = helper->n_args. d may be IR_NONE. */
void ir_call(struct ir_block *b, const struct ir_helper *h, ir_ref d, const ir_ref *args);
void ir_brcond(struct ir_block *b, enum ir_cond c, int size, ir_ref x, ir_ref y,
               uint64_t target_pc, int slot);
void ir_goto_tb(struct ir_block *b, uint64_t target_pc, int slot);
void ir_exit_indirect(struct ir_block *b, ir_ref pc);
/* What a goto_tb/exit_indirect exit is, in its `cond` field: a guest call
 * (the backend pushes the block's end pc on the return-address stack) or
 * a guest ret (the backend pops and predicts).  Hints only: any exit may
 * ignore them. */
enum ir_xfer { IR_XFER_JUMP, IR_XFER_CALL, IR_XFER_RET };
void ir_mark_exit(struct ir_block *b, enum ir_xfer kind);     /* the last op */
/* The last op, an exit_indirect, also checks that its target is canonical
 * (bits 63:47 equal), for the guest instruction at fault_pc whose brexit
 * made the same check: see ir_fold_canonical. */
void ir_mark_canonical(struct ir_block *b, uint64_t fault_pc, ir_ref undo_global, uint32_t undo);
/* The mark, in a marked exit_indirect's aux[1] (aux[0]: fault_pc): on a
 * non-canonical target the exit subtracts `undo` from global `undo_global`
 * (the stack pointer a ret already popped), stores fault_pc and leaves
 * with TR_EXIT_SIGSEGV: the state the brexit would have left. */
#define IR_CANON_MARK(g, undo) ((int64_t)(1u | (uint64_t)(g) << 8 | (uint64_t)(uint32_t)(undo) << 32))
static inline bool ir_canon_checked(const struct ir_insn *i) { return i->aux[1] & 1; }
static inline ir_ref ir_canon_global(const struct ir_insn *i) { return (ir_ref)(i->aux[1] >> 8 & 0xffff); }
static inline uint32_t ir_canon_undo(const struct ir_insn *i) { return (uint32_t)((uint64_t)i->aux[1] >> 32); }
void ir_exit_code(struct ir_block *b, uint64_t pc, int code);
void ir_discard(struct ir_block *b, ir_ref global);
/* if (x c y) exit_code(pc, code), else go on (a conditional exception). */
void ir_brexit(struct ir_block *b, enum ir_cond c, int size, ir_ref x, ir_ref y, uint64_t pc,
               int code);
/* d = hi:lo / c (op IR_divu or IR_divs; flags IR_DIV_NARROW: lo alone,
 * hi the constant 0), #DE exiting to pc (ir_ops.def). */
enum { IR_DIV_NARROW = 1 };
void ir_div(struct ir_block *b, enum ir_op op, ir_ref d, ir_ref lo, ir_ref hi, ir_ref c,
            uint64_t pc, unsigned flags);
/* The divisions divu/divs leave out of their inline code (ir_div.c),
 * called through a backend's helper stub as fn(env, how, 0, 0): the
 * operands hi, lo, c in env's rt.div[0..2], how = IR_DIV_NARROW |
 * IR_DIV_SIGNED.  Returns the quotient with rt.div[0] = 0, or rt.div[0] =
 * 1 for a #DE. */
enum { IR_DIV_SIGNED = 2 };
uint64_t ir_div_slow(void *env, uint64_t how, uint64_t unused, uint64_t unused2);
void ir_atomic_rmw(struct ir_block *b, unsigned memop, enum ir_atomic_op op, ir_ref d,
                   ir_ref addr, ir_ref val);
void ir_atomic_cas(struct ir_block *b, unsigned memop, ir_ref d, ir_ref addr, ir_ref expected,
                   ir_ref desired);
void ir_exit_request(struct ir_block *b, uint64_t pc);
/* An exit_request's aux[1]: IR_REQUEST_GUARD, test with one load from
 * the env's guard page (be_desc.request_guard); IR_REQUEST_BACKWARD_ONLY
 * besides, only backward chains (which enter at the block's start) need
 * the test (be_desc.guard_every_block, translate.c), so every other entry
 * comes in past it (be_code.entry_off); IR_REQUEST_NO_LOOP, the block
 * has no backward direct exit of its own (a64_hoist.c looks no further). */
#define IR_REQUEST_GUARD 1
#define IR_REQUEST_BACKWARD_ONLY 2
#define IR_REQUEST_NO_LOOP 4

/* Vector ops (IR_F_VEC): env byte offsets d, a, b and a 16-bit imm,
 * packed into aux[0]; aux[1] is the op's exact C helper. */
static inline int64_t ir_vec_pack(int32_t d, int32_t a, int32_t b, unsigned imm)
{ return (int64_t)((uint64_t)(uint16_t)d | (uint64_t)(uint16_t)a << 16 |
                   (uint64_t)(uint16_t)b << 32 | (uint64_t)(uint16_t)imm << 48); }
static inline int32_t ir_vec_d(const struct ir_insn *i) { return (int32_t)(i->aux[0] & 0xffff); }
static inline int32_t ir_vec_a(const struct ir_insn *i) { return (int32_t)(i->aux[0] >> 16 & 0xffff); }
static inline int32_t ir_vec_b(const struct ir_insn *i) { return (int32_t)(i->aux[0] >> 32 & 0xffff); }
static inline unsigned ir_vec_imm(const struct ir_insn *i) { return (unsigned)((uint64_t)i->aux[0] >> 48); }
static inline int ir_vec_ebits(const struct ir_insn *i) { return 8 << (i->size & IR_VE_MASK); }
static inline bool ir_vec_scalar(const struct ir_insn *i) { return i->size & IR_V_SCALAR; }
static inline const struct ir_helper *ir_vec_helper(const struct ir_insn *i)
{ return (const struct ir_helper *)(intptr_t)i->aux[1]; }
/* Emits vector op `op` on packed operands; inputs/outputs (mode, values)
 * are then set in the returned insn's args. */
struct ir_insn *ir_vec(struct ir_block *b, enum ir_op op, unsigned size, int64_t operands,
                       const struct ir_helper *h);

/* Checks operand kinds, counts, sizes, and that the block ends in an exit.
 * Returns NULL when valid, else a static message naming the bad insn. */
const char *ir_validate(const struct ir_block *b);
void ir_dump(const struct ir_block *b, FILE *out);
void ir_dump_insn(const struct ir_block *b, const struct ir_insn *i, FILE *out);

/* ir_opt.c: constant folding, copy propagation, dead-code elimination. */
void ir_optimize(struct ir_block *b);
void ir_eliminate_dead(struct ir_block *b);     /* only the last */
/* ir_vcopy.c: a whole-register vmov forwarded into the ops that read its
 * copy, and dropped when the next write of its slot makes it unseen. */
void ir_forward_vec_copies(struct ir_block *b);

/* ir_flags.c: compares that read the flags of an earlier sub/add/and on
 * the host (subf/addf/andf and brflags/setflags/movflags, ir_ops.def).
 * keeps_flags[op]: the backend emits op without touching its flags.
 * Returns whether anything was fused (dead copies are then removed). */
bool ir_fuse_flags(struct ir_block *b, const uint8_t *keeps_flags);

/* ir_extfold.c: an extension read only by one 64-bit add/sub becomes that
 * op's extended operand (addx/subx, ir_ops.def), for a backend with
 * be_desc.ext_operands.  Returns whether anything was folded. */
bool ir_fold_ext(struct ir_block *b);

/* ir_loadext.c: a zero-extending guest load of 8, 16 or 32 bits read only
 * by a sign extension of its width becomes a sign-extending load (x86's
 * movsx/movsxd from memory), for every backend.  Returns whether anything
 * was folded. */
bool ir_fold_load_ext(struct ir_block *b);

/* ir_canonical.c: an exit_indirect marked by ir_mark_canonical takes over
 * its instruction's non-canonical-target brexit when the host checks the
 * target on its jump-cache miss path (be_desc.canonical_at_exit); else the
 * mark goes and the brexit stays. */
void ir_fold_canonical(struct ir_block *b, bool host_checks);
/* An indirect call's canonical check as one canon_test (ir_canonical.c). */
void ir_call_canon_tests(struct ir_block *b);

/* ir_rebase.c: loads/stores addressed from the newest value of a pointer
 * moved by constant adds (push/pop sequences), for the same backends. */
void ir_rebase_accesses(struct ir_block *b);

/* ir_layout.c: a forward jcc's conditional branch leads to the fall-through
 * (brcond !cond -> next; goto_tb -> taken), for the same backends. */
void ir_predict_fallthrough(struct ir_block *b);
/* ir_bittest.c: an exit on (a & c) != 0, a sign or a zero-extended field
 * as brcond tsteq/tstne on its source (a host's tbz/tbnz), for the same
 * backends; before ir_fuse_flags */
void ir_fold_bit_tests(struct ir_block *b);
/* ir_range_test.c: x86's canonical-address test as sextract + compare */
void ir_fold_range_tests(struct ir_block *b);
/* ir_access_check.c: for a host that does not fault on every
 * non-canonical guest address (be_desc.canonical_accesses), marks the
 * guest accesses (ld, st, ldx, stx, atomics, vld, vst) whose address is
 * not proven to lie where the host faults as x86 would; run last, before
 * emission.  The mark is insn->cond (unused by those ops otherwise). */
void ir_check_accesses(struct ir_block *b);
/* ir_stack_align.c: stores at the entry stack pointer plus a multiple of
 * their size get IR_MO_ALIGNED behind one entry test of it (TR_EXIT_STACK_MODE),
 * or, in TR_MODE_STACK_CHECKED, the block tests whether it may leave that
 * mode.  For a backend with be_desc.store_cross_tests. */
void ir_mark_stack_stores(struct ir_block *b);
/* ir_stack_runs.c: a run of pushes and pops writes the stack pointer
 * once; the writes left out become IR_fault_sp for the fault points.
 * For a backend with be_desc.merge_stack_runs, in TR_MEM_HOST. */
void ir_merge_stack_runs(struct ir_block *b);
enum { IR_ACCESS_TEST = 1, IR_ACCESS_BASE = 2 };   /* ldx/stx: the base alone */
static inline bool ir_access_checked(const struct ir_insn *i) { return i->cond & IR_ACCESS_TEST; }
static inline bool ir_access_base_only(const struct ir_insn *i) { return i->cond & IR_ACCESS_BASE; }
/* ir_shiftcount.c: a shift's count without x86's masking (counts are modulo size) */
void ir_fold_shift_counts(struct ir_block *b);

#endif
