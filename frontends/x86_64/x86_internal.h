/* x86_internal.h -- private interfaces of the x86-64 integer frontend:
 * row macros and atomic forms, lazy-flag tracking, small IR-building
 * shortcuts and the C helpers called from translated code.  (The SSE
 * translator uses x86_translate.h and x86_dispatch.h.)
 */
#ifndef FERRY_X86_INTERNAL_H
#define FERRY_X86_INTERNAL_H

#include "x86_dispatch.h"

/* ---- rows and atomic forms --------------------------------------------- */

/* The integer families' rows: struct x86_insn_row (x86_dispatch.h), in
 * a row set per file. */
#define X86_ROW(id, fn, fclass, ends_block) \
    { X86_INS_##id, fn, X86_FL_##fclass, ends_block, X86_OPF_ANY, NULL }
/* ... with an atomic translation under a lock prefix. */
#define X86_ROW_LOCK(id, fn, fclass, atomic) \
    { X86_INS_##id, fn, X86_FL_##fclass, 0, X86_OPF_ANY, atomic }

/* x86_atomic.c: the atomic translations of the rows that take a lock
 * prefix (a memory destination; anything else is #UD, SIGILL).  bt*
 * handle the prefix in their own handler (x86_bits.c). */
bool x86_is_locked(const struct x86_dc *dc);
x86_handler_fn x86_atomic_add, x86_atomic_sub, x86_atomic_and, x86_atomic_or,
    x86_atomic_xor, x86_atomic_adc, x86_atomic_sbb, x86_atomic_inc, x86_atomic_dec,
    x86_atomic_neg, x86_atomic_not, x86_atomic_xadd, x86_atomic_xchg,
    x86_atomic_cmpxchg, x86_atomic_cmpxchg8b, x86_atomic_cmpxchg16b;
/* x86_cmpxchg16b.c: atomic with or without the lock prefix */
void x86_emit_cmpxchg16b(struct x86_dc *dc);

/* x86_sse_table.c: the SSE2 forms of movsd and cmpsd, whose ids are the
 * string instructions' rows (x86_string.c picks by opcode). */
extern const struct x86_insn_row *const x86_sse_movsd_row, *const x86_sse_cmpsd_row;

/* ---- lazy flags (x86_flags.c, x86_cond.c, x86_eflags.c) ---------------- */

/* cc_op = kind << 2 | log2(operand bytes).  Field meaning per kind:
 *   EFLAGS: src = the six arithmetic flags
 *   ADD/SUB: dst = result, src = second operand
 *   ADC/SBB: ... and src2 = carry in (0/1)
 *   LOGIC:  dst = result
 *   INC/DEC: dst = result, src = preserved CF (0/1)
 *   SHL:    dst = result, src = value shifted by count-1 (CF = its msb)
 *   SAR:    dst = result, src = value shifted by count-1 (CF = its lsb),
 *           also used for shr
 *   MUL:    dst = 1 if the product overflowed, src = older flags (S Z A P kept)
 *   BSF:    dst = bit index (0 for a zero source), src = source (bsf, bsr)
 *   BMI:    dst = result, src = source, src2 = older flags (OF kept):
 *           tzcnt, lzcnt
 *   BMI1:   dst = result, src = fixed bits (CF as 0/1, AF), src2 = which of
 *           PF ZF SF come from the result: andn bextr blsi blsmsk blsr bzhi
 * A cc_op with X86_CC_CF_OVER set is an older state (its low 8 bits, the
 * fields as that kind says) whose CF is replaced by bit X86_CC_CF_SHIFT:
 * bt/bts/btr/btc, clc, stc at a block entered with the flags unknown
 * (x86_flags_set_cf).  The translator's state then has kind CF_OVER,
 * lhs = that cc_op value, src = CF (0/1), dst/src2 IR_NONE (the cc
 * globals keep the older state's fields).
 * A cc_op with X86_CC_INCDEC_OVER set is an inc/dec over an older state
 * that the translator did not know (INC/DEC keep CF): its bits 12-19 are
 * the inc/dec's own cc_op (O S Z A P from its result in cc_dst), bits 0-9
 * the older cc_op (CF_OVER bits included) whose CF stays, with cc_src the
 * older src, cc_src2 the older dst and bit 10 the older src2's bit 0
 * (adc/sbb's carry in): x86_flags_set_incdec_over.  Kinds INC_OVER and
 * DEC_OVER name it in the translator: dst = result, lhs = the cc_op
 * value, src2 = the cc_src2 value, src IR_NONE (cc_src stays). */
enum x86_cc_kind {
    X86_CC_EFLAGS, X86_CC_ADD, X86_CC_ADC, X86_CC_SUB, X86_CC_SBB,
    X86_CC_LOGIC, X86_CC_INC, X86_CC_DEC, X86_CC_SHL, X86_CC_SAR, X86_CC_MUL,
    X86_CC_BSF, X86_CC_BMI, X86_CC_BMI1,
    X86_CC_CF_OVER,         /* the translator's name for an X86_CC_CF_OVER cc_op */
    X86_CC_INC_OVER, X86_CC_DEC_OVER,   /* ... for an X86_CC_INCDEC_OVER one */
    X86_CC_NUM_KINDS
};
#define X86_CC_OP(kind, bytes) ((uint64_t)(kind) << 2 | (uint64_t)x86_log2(bytes))
#define X86_CC_CF_OVER_BIT 0x100ull
#define X86_CC_CF_SHIFT 9
#define X86_CC_INCDEC_OVER_BIT 0x800ull
#define X86_CC_INCDEC_CIN_SHIFT 10
#define X86_CC_INCDEC_OP_SHIFT 12
static inline bool x86_cc_incdec_over(int kind)
{
    return kind == X86_CC_INC_OVER || kind == X86_CC_DEC_OVER;
}
#define X86_ARITH_FLAGS (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)

struct x86_flags_state {
    bool known;             /* kind/values below describe the flags */
    bool dirty;             /* ... and the cc_* globals do not yet */
    bool live;              /* the current insn's flag results are read later */
    bool exit_live;         /* the flags may be read after the block's direct exits */
    bool exit_taken_live;   /* ... after the target of a final jcc (x86_control.c) */
    bool exit_fall_live;    /* ... after its fall-through */
    bool cf_live;           /* the current insn's CF result is read later */
    int kind, bytes;
    ir_ref dst, src, src2;
    ir_ref lhs;             /* first operand of add/sub/cmp (not in globals) */
    int g_op;               /* the cc_op the cc globals hold (written or found at
                               entry), -1 when not known: x86_flags_exit_fact */
};

void x86_flags_reset(struct x86_dc *dc);
static inline bool x86_flags_live(const struct x86_dc *dc) { return dc->flags->live; }
/* Records the flags of an operation (ignored when they are dead). */
void x86_flags_set(struct x86_dc *dc, int kind, int bytes, ir_ref dst, ir_ref src,
                   ir_ref src2, ir_ref lhs);
/* The six arithmetic flags as an IR value (state becomes EFLAGS). */
ir_ref x86_flags_eflags(struct x86_dc *dc);
/* x86_flag_ir.c: the flags in `want` of the known producer as IR ops
 * (other bits 0), or IR_NONE for a kind it leaves to the helper. */
ir_ref x86_flags_inline(struct x86_dc *dc, uint64_t want);
/* At least the flags in want (more bits may be set), for an instruction
 * that keeps them: inline when it can, else x86_flags_eflags. */
ir_ref x86_flags_kept(struct x86_dc *dc, uint64_t want);
/* CF as 0/1; the _known variant returns IR_NONE instead of calling the
 * flag helper. */
ir_ref x86_flags_cf(struct x86_dc *dc);
ir_ref x86_flags_cf_known(struct x86_dc *dc);
/* The older flags with CF replaced by cf (0/1): bt and its kin, clc, stc.
 * Lazy when the older state is unknown (X86_CC_CF_OVER): no helper. */
void x86_flags_set_cf(struct x86_dc *dc, ir_ref cf);
/* Whether the state's CF is known to the block (an IR value or a few ops
 * away); if not, inc/dec (kind X86_CC_INC or DEC, result r) records
 * x86_flags_set_incdec_over: lazy, no helper (X86_CC_INCDEC_OVER). */
bool x86_flags_cf_at_hand(const struct x86_dc *dc);
void x86_flags_set_incdec_over(struct x86_dc *dc, int kind, int bytes, ir_ref r);
/* Writes the tracked state into the cc_* globals (before exits and helpers
 * that read them). */
void x86_flags_sync(struct x86_dc *dc);
/* Before goto_tb/brcond/exit_indirect: as x86_flags_sync, unless every
 * successor overwrites the flags before reading them. */
void x86_flags_sync_exit(struct x86_dc *dc);
/* After a helper wrote the cc_* globals itself. */
void x86_flags_clobbered(struct x86_dc *dc);
/* Chained exits tell the successor's variant which lazy state the cc
 * globals hold (ir.h TR_FACTS_FE): _exit_fact after emitting the exit of
 * chain slot `slot` (reads: whether that successor reads the flags), and
 * _enter at a block's start, from its mode, for a known producer there
 * (a jcc at the start of a block after the previous block's cmp). */
void x86_flags_exit_fact(struct x86_dc *dc, int slot, bool reads);
void x86_flags_enter(struct x86_dc *dc, uint32_t mode);

/* x86_cond.c: condition code cc (Intel encoding 0..15: O NO B AE E NE BE A
 * S NS P NP L GE LE G) as one IR comparison. */
struct x86_cmp {
    enum ir_cond cond;
    int size;
    ir_ref a, b;
};
void x86_cond(struct x86_dc *dc, int cc, struct x86_cmp *out);
int x86_cc_of_insn(unsigned id);    /* jcc/setcc/cmovcc id -> cc, or -1 */

/* x86_eflags.c: C evaluation of a lazy state (the oracle-tested one). */
uint64_t x86_cc_compute(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);
extern const struct ir_helper x86_helper_cc_compute;
/* Only the flags in `want` (CF alone is cheap): for one condition or one
 * carry read at the start of a block. */
uint64_t x86_cc_bits(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2, uint64_t want);
extern const struct ir_helper x86_helper_cc_bits;
ir_ref x86_flags_unknown_bits(struct x86_dc *dc, uint64_t want);

/* ---- IR shortcuts (x86_operand.c) -------------------------------------- */

static inline int x86_log2(int bytes)
{ return bytes >= 8 ? 3 : bytes >= 4 ? 2 : bytes >= 2 ? 1 : 0; }
static inline int x86_ir_size(int bytes) { return bytes == 8 ? 64 : 32; }
static inline uint64_t x86_mask(int bytes)
{ return bytes >= 8 ? ~0ull : (1ull << (bytes * 8)) - 1; }

ir_ref x86_new(struct x86_dc *dc);
ir_ref x86_imm(struct x86_dc *dc, uint64_t v);
ir_ref x86_op2(struct x86_dc *dc, enum ir_op op, int bytes, ir_ref a, ir_ref b);
ir_ref x86_op1(struct x86_dc *dc, enum ir_op op, ir_ref a);   /* ext*, 64-bit */
/* a OP b at the operand size, result zero-extended from `bytes`. */
ir_ref x86_arith(struct x86_dc *dc, enum ir_op op, int bytes, ir_ref a, ir_ref b);
ir_ref x86_trunc(struct x86_dc *dc, ir_ref v, int bytes);      /* zero-extend low bytes */
ir_ref x86_sext(struct x86_dc *dc, ir_ref v, int bytes);       /* sign-extend low bytes */
ir_ref x86_setcond(struct x86_dc *dc, enum ir_cond c, int size, ir_ref a, ir_ref b);
ir_ref x86_select(struct x86_dc *dc, const struct x86_cmp *c, ir_ref t, ir_ref f);
ir_ref x86_load(struct x86_dc *dc, int bytes, ir_ref addr);
void x86_store(struct x86_dc *dc, int bytes, ir_ref addr, ir_ref val);
int x86_gpr_num(x86_reg reg);                                /* 0..15 or -1 */
ir_ref x86_get_reg(struct x86_dc *dc, int n);                     /* 64-bit GPR n */
void x86_set_reg(struct x86_dc *dc, int n, ir_ref v);
/* GPR n's global itself: only for a value whose every use is emitted
 * before the instruction writes that register (x86_operand.c). */
ir_ref x86_reg_now(struct x86_dc *dc, int n);
ir_ref x86_call(struct x86_dc *dc, const struct ir_helper *h, ir_ref a0, ir_ref a1,
                ir_ref a2, ir_ref a3, ir_ref a4);
/* x86_align.c: #GP for a misaligned SSE operand (x86_ea calls the check
 * with each memory operand's address) and a non-canonical jump target. */
bool x86_align_required(const struct x86_dc *dc);
/* The vst flag (IR_V_ALIGNED) of a store to op: x86_ea checked it aligned. */
unsigned x86_vst_aligned(const struct x86_dc *dc, const cs_x86_op *op);
void x86_check_align(struct x86_dc *dc, const cs_x86_op *op, ir_ref ea);
void x86_check_canonical(struct x86_dc *dc, ir_ref target);
/* x86_guard.c: #GP (tr_raise) unless [addr, addr+len) is canonical. */
void x86_check_canonical_span(struct x86_cpu *c, uint64_t addr, size_t len);
void x86_canonical_exit(struct x86_dc *dc, uint32_t popped);
/* x86_single_step.c: blocks of X86_TB_STEP (dc->step) end in the #DB
 * trap at the pc the instruction reaches; popf's TF changes the mode. */
void x86_step_trap(struct x86_dc *dc, uint64_t pc);
void x86_step_branch_only(struct x86_dc *dc, const struct x86_cmp *c, uint64_t target);
void x86_step_branch(struct x86_dc *dc, const struct x86_cmp *c, uint64_t target);
void x86_step_indirect(struct x86_dc *dc, ir_ref target);
/* After popf stored eflags_rest (`rest`, the value it holds now; `popped`
 * the value it popped): leaves the block when TF or AC changed the
 * translation mode. */
void x86_popf_modes(struct x86_dc *dc, ir_ref popped, ir_ref rest);
/* x86_align_check.c: #AC while EFLAGS.AC is set (X86_TB_AC, user mode). */
bool x86_ac_mode(const struct x86_dc *dc);
/* Tests before each 2-8-byte guest access among insns [first, n_insns)
 * of the current instruction. */
void x86_ac_checks(struct x86_dc *dc, int first);
/* A rep string in a step block runs one iteration (TF's trap after each),
 * or whole in the settle's step blocks (X86_TB_SETTLE). */
bool x86_step_each_iteration(const struct x86_dc *dc);

/* Operand i of the current instruction. */
static inline const cs_x86_op *x86_opnd(const struct x86_dc *dc, int i)
{ return &dc->x->operands[i]; }
/* Reads an operand at `bytes` (immediates truncated to it). */
ir_ref x86_read(struct x86_dc *dc, const cs_x86_op *op, int bytes);
/* x86_read, where a 64-bit register is its global (x86_reg_now's rule). */
ir_ref x86_read_now(struct x86_dc *dc, const cs_x86_op *op, int bytes);
/* Offset part of an address (no segment base): lea. */
ir_ref x86_ea_offset(struct x86_dc *dc, const cs_x86_op *op);
void x86_operand_reset(struct x86_dc *dc);  /* new instruction: forget cached EA */
static inline bool x86_has_prefix(const struct x86_dc *dc, uint8_t prefix)
{
    const uint8_t *p = dc->x->prefix;
    return p[0] == prefix || p[1] == prefix || p[2] == prefix || p[3] == prefix;
}
/* x86_segment.c: the fs/gs base global an fs/gs prefix selects, or IR_NONE. */
ir_ref x86_seg_base(const struct x86_dc *dc);
/* A segment register as an operand in user mode (x86_segment.c): the
 * selector read, or loaded with Linux's checks (#GP(selector)). */
bool x86_is_seg_reg(x86_reg r);
ir_ref x86_seg_read(struct x86_dc *dc, x86_reg r);
void x86_seg_write(struct x86_dc *dc, x86_reg r, ir_ref sel);
/* A far pointer's offset size without 0x66: 8 with REX.W on Intel, else 4. */
int x86_far_offset_bytes(const struct x86_dc *dc);

/* x86_stack.c / x86_control.c */
void x86_push(struct x86_dc *dc, int bytes, ir_ref v);
/* A stack slot (push, call, ret): 4 bytes in 32-bit code, 2 in real
 * mode, else 8. */
static inline int x86_stack_word(const struct x86_dc *dc) { return dc->code16 ? 2 : dc->code32 ? 4 : 8; }
/* push/pop's operand size: the stack word, or with a 0x66 prefix 2 (4 in
 * real mode). */
int x86_stack_bytes(const struct x86_dc *dc);
/* The address of stack offset sp: in real mode SS's base + SP. */
ir_ref x86_stack_addr(struct x86_dc *dc, ir_ref sp);
/* x86_compat.c: compatibility-mode code's access through a null ds/es/
 * fs/gs is #GP(0): a memory operand's, a string instruction's. */
/* x86_bcd.c: daa das aaa aas aam aad (op 0..5) on ax and the flags:
 * the new ax | the arithmetic flags << 16. */
uint32_t x86_bcd_eval(int op, uint32_t ax, uint32_t flags, uint32_t imm);
void x86_compat_seg_check(struct x86_dc *dc, const cs_x86_op *op);
void x86_compat_str_check(struct x86_dc *dc, bool src, bool dst, bool rep);
/* Real mode: a code offset (a return address pushed) from a pc, and a pc
 * from an offset (an indirect target); other modes: unchanged. */
static inline uint64_t x86_code_offset(const struct x86_dc *dc, uint64_t pc) { return pc - dc->cs_base; }
ir_ref x86_code_linear(struct x86_dc *dc, ir_ref ip);
ir_ref x86_full_eflags(struct x86_dc *dc);   /* EFLAGS image as pushf sees it */

/* ---- block ends (x86_translate.c) -------------------------------------- */
void x86_end_goto(struct x86_dc *dc, uint64_t target, int slot);
void x86_end_indirect(struct x86_dc *dc, ir_ref target);
void x86_end_exit(struct x86_dc *dc, uint64_t pc, int code);
/* x86_vsyscall.c: the block at pc if pc is in the vsyscall page. */
bool x86_vsyscall_block(struct ir_block *b, uint64_t pc);

/* ---- hint-space NOPs capstone cannot decode, CET (x86_hint.c) ----------- */
bool x86_hint_decode(const uint8_t *code, size_t size, uint64_t pc, cs_insn *ci);
/* x86_ext_decode.c: clzero, rdpru, movdiri, movdir64b (capstone 4 lacks them). */
bool x86_ext_decode(csh cs, const uint8_t *code, size_t size, uint64_t pc, cs_insn *ci);
bool x86_fence_prefixed(const struct x86_dc *dc);

/* ---- system mode (x86_system.c) ----------------------------------------- */
/* Translates the current instruction if system mode handles it itself
 * (privileged instructions); false: the user-mode table decides. */
bool x86_sys_translate(struct x86_dc *dc);
void x86_declare_globals(struct ir_globals *g);     /* x86_frontend.c */
/* x86_system_helpers.c: what the privileged instructions call. */
extern const struct ir_helper x86_sys_helper_cpl0, x86_sys_helper_syscall, x86_sys_helper_sysret,
    x86_sys_helper_io, x86_sys_helper_write_cr, x86_sys_helper_read_cr, x86_sys_helper_rdmsr,
    x86_sys_helper_wrmsr, x86_sys_helper_invlpg, x86_sys_helper_swapgs, x86_sys_helper_popf,
    x86_sys_helper_iretq, x86_sys_helper_lret, x86_sys_helper_far_jmp, x86_sys_helper_far_call,
    x86_sys_helper_load_seg, x86_sys_helper_cpuid, x86_sys_helper_verify_seg,
    x86_sys_helper_pause;
/* code_bits: 64, 32 (protected or compatibility mode) or 16 (real mode,
 * whose pcs are cs_base + ip). */
void x86_translate_block_mode(struct ir_block *b, const struct tr_guest_mem *mem, uint64_t pc,
                              int max_insns, bool system, int code_bits, uint64_t cs_base);
/* Real mode: the base of segment register seg (X86_SEG_*) as an IR value. */
ir_ref x86_sys_seg_base(struct x86_dc *dc, int seg);

/* ---- C helpers (x86_helpers.c, x86_cpuid.c) ---------------------------- */
extern const struct ir_helper x86_helper_popcnt, x86_helper_rdtsc, x86_helper_cpuid;
extern const struct ir_helper x86_helper_rcl, x86_helper_rcr;
extern const struct ir_helper x86_helper_shld, x86_helper_shrd;
extern const struct ir_helper x86_helper_far_ret;   /* lret, iret at CPL 3 */
extern const struct ir_helper x86_helper_far_cs;    /* ljmp, lcall's selector */
extern const struct ir_helper x86_helper_far_mode;  /* ... and the target's mode */
extern const struct ir_helper x86_helper_rep_movs, x86_helper_rep_stos,
    x86_helper_rep_lods, x86_helper_rep_cmps, x86_helper_rep_scas;
/* Clears from a CPUID result what the -cpu model lacks (x86_cpu_model.c). */
void x86_cpu_model_mask(uint32_t leaf, uint32_t sub, uint32_t out[4]);

#endif
