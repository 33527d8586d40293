/* backend.h -- the one interface every host backend implements.
 *
 * Exactly one backend is linked into a ferry binary (backends/x86_64 or
 * backends/aarch64, chosen by ARCH in the GNUmakefile); both define the
 * same symbols below, so translator/ never tests the host architecture.
 *
 * Division of labour:
 *  - the generic register allocator (translator/regalloc.c) walks the IR,
 *    chooses host registers for every operand, and emits the glue it needs
 *    (moves, constant loads, loads/stores of globals and spill slots)
 *    through be_emit_mov / be_emit_movi / be_emit_ld_env / be_emit_st_env;
 *  - be_emit_insn() then emits one IR instruction with operands already
 *    in registers (or immediates where the backend's constraint table
 *    allowed it);
 *  - the backend owns its scratch registers and uses them for anything
 *    the ISA needs that the IR does not express (x86 shift counts in CL,
 *    MUL's RDX:RAX, A64 immediates that don't encode): registers outside
 *    alloc_mask, or allocatable ones that be_desc.op_clobbers names for
 *    the ops that take them;
 *  - a backend may pin the first globals (the guest's hottest registers)
 *    in host registers of their own for as long as translated code runs:
 *    be_desc.pinned_regs says where, enter() loads them, the epilogue
 *    stores them, and blocks, chained jumps and jump-cache jumps keep them
 *    in place; the allocator writes them back around helpers that look at
 *    the CPU state and calls that clobber their registers, and borrows one's
 *    register only when an op leaves it no other (regalloc.c).
 */
#ifndef FERRY_BACKEND_H
#define FERRY_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "ir.h"
#include "runtime.h"

/* An operand as the allocator hands it to be_emit_insn(). */
struct be_arg {
    bool is_const;
    bool dead;                  /* an input whose register nothing reads after this
                                   op (unless it is the output's): a backend may
                                   leave it unwritten by a load it merges the op into */
    int8_t reg;                 /* host register number when !is_const */
    uint64_t imm;
};

/* Which immediates an input may take; be_imm_fits() decides per value. */
enum be_imm_class {
    BE_IMM_NONE = 0,            /* register only */
    BE_IMM_ANY,                 /* any 64-bit constant */
    BE_IMM_ARITH,               /* add/sub/cmp immediate (x86: s32; A64: imm12, maybe shifted) */
    BE_IMM_LOGIC,               /* and/or/xor (x86: s32; A64: bitmask immediate) */
    BE_IMM_SHIFT,               /* shift/rotate count */
    BE_IMM_MEMOFF,              /* address for ld/st (x86: s32 absolute) */
    BE_IMM_ZERO,                /* the constant 0 alone (divu/divs's high half) */
};

/* Declarative operand constraints, one row per IR op (indexed by enum
 * ir_op).  imm[i] is the class for input i; zero means register only. */
struct be_constraint {
    uint8_t imm[5];
};

/* Rows every backend's table has: the float ops' input 0, the MXCSR mode,
 * is a constant from the x86 frontend (a translation-mode bit), taken as
 * an immediate so that a block of the default mode tests nothing per op. */
#define BE_FLOAT_MODE_IMM \
    [IR_vfadd] = { { BE_IMM_ANY } }, [IR_vfsub] = { { BE_IMM_ANY } }, \
    [IR_vfmul] = { { BE_IMM_ANY } }, [IR_vfdiv] = { { BE_IMM_ANY } }, \
    [IR_vfsqrt] = { { BE_IMM_ANY } }, [IR_vfmin] = { { BE_IMM_ANY } }, \
    [IR_vfmax] = { { BE_IMM_ANY } }, [IR_vfcmp] = { { BE_IMM_ANY } }, \
    [IR_vfcomi] = { { BE_IMM_ANY } }, [IR_vcvti2f] = { { BE_IMM_ANY } }, \
    [IR_vcvtf2i] = { { BE_IMM_ANY } }, [IR_vcvtf2f] = { { BE_IMM_ANY } }, \
    [IR_vcvti2fv] = { { BE_IMM_ANY } }, [IR_vcvtf2iv] = { { BE_IMM_ANY } }

struct be_code;
struct be_desc {
    const char *name;                   /* "x86_64", "aarch64" */
    int n_regs;
    const char *const *reg_names;
    uint64_t alloc_mask;                /* registers the allocator may use */
    uint64_t call_clobbered;            /* destroyed by a C call */
    int env_reg;                        /* holds env inside translated code */
    int call_args[6];                   /* C argument registers; [0] gets env */
    int call_ret;                       /* C return register */
    const struct be_constraint *constraints;    /* [IR_NUM_OPS] */
    int cs_arch, cs_mode;               /* capstone ids for -d out_asm */
    bool ras_default;                   /* return-address stack unless --no-ras
                                           (on where it measured faster) */
    int jmp_bits;                       /* the jump cache's index bits, 0 for
                                           TR_JMP_BITS (translator.h) */
    bool request_guard;                 /* with cfg.env_guard, a block tests for an
                                           exit request by loading from the env's
                                           guard page (exit_request.c) */
    bool guard_every_block;             /* with request_guard: every block starts
                                           with its guard load, which only
                                           backward chains run (the others enter
                                           past it, be_code.entry_off), instead
                                           of blocks with a backward exit testing
                                           at every entry (translate.c) */
    bool canonical_at_exit;             /* a marked exit_indirect checks its target
                                           itself (ir_fold_canonical, ir.h) */
    bool canon_test_calls;              /* an indirect call's canonical check is
                                           one IR canon_test, not a brexit
                                           (ir_call_canon_tests, ir.h) */
    bool lazy_exit_stores;              /* an unmarked exit_indirect (no call/ret
                                           hint: jmp/call through a register or
                                           memory, and rets without the return-
                                           address stack) gets the dirty lazy-flag
                                           globals in be_code.lazy instead of
                                           their stores, and stores them unless
                                           its target's jump-cache entry has a
                                           dead field that matches (translator.h,
                                           TR_JMP_DEAD_TABLES) */
    bool jmp_dead_in_entry;             /* with lazy_exit_stores: the dead field
                                           in the entry (32 bytes: pc, code,
                                           dead), not in tables behind */
    bool canonical_accesses;            /* the host does not fault on every
                                           non-canonical guest address: TR_MEM_HOST
                                           accesses ir_check_accesses marks are tested */
    bool merge_stack_runs;              /* TR_MEM_HOST: a run of pushes and pops
                                           writes the stack pointer once
                                           (ir_merge_stack_runs; a host without
                                           writeback addressing) */
    bool store_cross_tests;             /* with be_store_cross_check, TR_MEM_HOST
                                           stores are tested for page crossings,
                                           but not those ir_mark_stack_stores
                                           marks IR_MO_ALIGNED */
    /* Pinned globals: global k, for k < n_pinned (and below the guest's
     * count of globals), lives in host register pinned_regs[k] whenever
     * translated code runs -- across blocks, not just inside one.  Pinned
     * registers are outside alloc_mask and are neither env_reg nor the
     * call return register; call-clobbered ones are written back (when
     * newer than env) before a C call and reloaded when next needed (one
     * that is a call argument register must be call-clobbered: a call's
     * arguments read it from env).  At
     * every exit, chained or not, each holds its global.  pinned_regs[k]
     * < 0 leaves global k unpinned (so a later global can be pinned). */
    int n_pinned;
    const int8_t *pinned_regs;
    /* Host flags across ops (ir_fuse_flags, ir_flags.c): keeps_flags[op]
     * nonzero when the backend emits op, and whatever allocator glue comes
     * around it (be_emit_mov/movi/ld_env/st_env/pinned), without touching
     * the host's condition flags; the backend then also emits subf/addf/
     * andf and brflags/setflags/movflags (ir_ops.def).  NULL: no fusion. */
    const uint8_t *keeps_flags;         /* [IR_NUM_OPS] */
    /* The backend emits the ops of the AArch64-shaped folds (translate.c
     * runs them when set): addx/subx with an extended or shifted operand
     * (ir_extfold.c), rebased accesses, range tests, masked shift counts,
     * fall-through layout, and tsteq/tstne exits (ir_bittest.c).  One flag
     * while only AArch64 has them; a second backend with some of them
     * would split it per fold. */
    bool ext_operands;
    /* Registers of alloc_mask that an op's code writes besides its output
     * (x86-64: rax, rcx and rdx for MUL's halves, shift counts in CL, the
     * jump-cache probe of an indirect exit), so that they can be allocated
     * between the ops that need them.  For such an op the allocator keeps
     * no value in them across it and places none of its operands (inputs,
     * output, materialised constants) there.  const_in: bit k set when
     * input k is a known constant, passed as an immediate where the op's
     * constraint row allows and be_imm_fits says so.  An exit's masks need
     * only cover its inputs: nothing unpinned lives past it.  A C call
     * (IR_call) is not asked: call_clobbered covers it.  NULL: none (the
     * backend's scratch registers are all outside alloc_mask).
     * op_scratch: every register it may return; the allocator hands those
     * out last, so values stay where the next op will not move them. */
    uint64_t (*op_clobbers)(const struct be_code *c, const struct ir_insn *i,
                            unsigned const_in);
    uint64_t op_scratch;
};
extern const struct be_desc be_host;

bool be_imm_fits(enum be_imm_class cls, const struct ir_insn *insn, uint64_t imm);

/* Persistent translation cache (translator/tcache.c): a block emitted
 * with be_code.relocs set is stored on disk and later copied into another
 * process's code cache, where ferry, its code cache and the block's
 * tr_block sit elsewhere.  For such a block the backend emits every host
 * address it embeds in a form that can be rewritten in place (never one
 * whose length depends on the address) and lists it.  Guest addresses are
 * not listed: a record is only used at the guest address it came from. */
enum be_reloc_kind {
    BE_RELOC_BLOCK,             /* the block's own tr_block (exit stubs) */
    BE_RELOC_HOST,              /* an address in ferry's own image (C helpers) */
    BE_RELOC_CODE,              /* code cache outside the block (epilogue, stubs) */
};
struct be_reloc {
    uint32_t offset;            /* of the field, from the block's start */
    uint8_t kind;               /* enum be_reloc_kind */
    uint8_t form;               /* how the field encodes it (backend's own) */
    uint64_t target;            /* the address it holds */
};
#define BE_MAX_RELOCS 96
struct be_relocs {
    int n;
    bool overflow;              /* more than BE_MAX_RELOCS: not cacheable */
    struct be_reloc r[BE_MAX_RELOCS];
};
/* Lists a field (backends call it only when c->relocs is set). */
struct be_code;
void be_reloc_note(struct be_code *c, const uint8_t *field, enum be_reloc_kind kind,
                   unsigned form, const void *target);
/* Rewrites the field r describes in code_size bytes of code that run at
 * `code` (written at code + rw_delta) to hold `target`; false when the
 * form is unknown, the field does not fit in the code, or the form cannot
 * reach target.  Makes nothing visible to instruction fetch (the caller
 * does, once: be_code_written). */
bool be_reloc_patch(uint8_t *code, uint32_t code_size, intptr_t rw_delta,
                    const struct be_reloc *r, uint64_t target);
/* Makes rewritten code in [code, code+len) visible to instruction fetch. */
void be_code_written(uint8_t *code, size_t len);

/* An emission buffer for one block (or the prologue).  start/ptr/end are
 * the addresses where the code will run (the code cache's executable
 * view, never writable); every byte is written at its address plus
 * rw_delta (the cache's writable alias; 0 where one mapping is both, as in
 * the backends' tests) -- through be_writable(), nowhere else. */
struct be_code {
    uint8_t *start, *ptr, *end;         /* end leaves BE_MAX_INSN_BYTES slack */
    intptr_t rw_delta;                  /* writable alias - executable address */
    const uint8_t *epilogue;            /* set by be_emit_prologue() */
    const uint8_t *ras_miss;            /* set by be_emit_prologue(): where an
                                           empty return-address-stack entry
                                           leads (AArch64: rt.pc is stored, look
                                           it up; x86-64: the base entry, pc -1,
                                           stores that pc itself) */
    struct tr_block *tb;                /* block being emitted (stored by exit stubs) */
    uint64_t guest_end;                 /* guest pc right after the block: a
                                           call's return pc (0: unknown) */
    const struct tr_guest_mem *mem;     /* how guest ld/st/atomics reach memory */
    uint32_t jump_site[2];              /* offsets (from start) of the patchable
                                           jump of chain slots 0 and 1, or
                                           UINT32_MAX when the slot is unused */
    uint32_t stub[2];                   /* offsets of the stubs those jumps first
                                           lead to: be_patch_jump(site, stub)
                                           unchains a slot */
    struct be_relocs *relocs;           /* non-NULL: a block for the persistent
                                           cache (see be_reloc_note) */
    uint8_t check_address;              /* the guest access being emitted is
                                           marked: its IR_ACCESS_* bits (ir.h) */
    int n_lazy;                         /* for the exit_indirect being emitted
                                           (be_desc.lazy_exit_stores): the dirty
                                           globals of ir_block.exit_lazy_globals
                                           the allocator left unstored, each in a
                                           register or a constant; 0 elsewhere */
    struct be_lazy {
        int32_t env_offset;
        int8_t reg;                     /* -1: the constant imm */
        int8_t pin;                     /* a pinned global's: its register, which
                                           the value goes to; -1: stored to env */
        uint64_t imm;
    } lazy[4];
    const uint64_t *regs_held;          /* set by the allocator for its block:
                                           while an op is emitted, the registers
                                           it holds a value in after the op (the
                                           output's among them, dying inputs'
                                           not), so that code borrowing one of
                                           the others for the op need not
                                           restore it (x86-64 division's rax);
                                           NULL: every register is held */
    uint8_t entry_off;                  /* set by the backend: bytes from start
                                           where every entry but a backward chain
                                           comes in -- past the block's first op,
                                           an exit_request guard marked
                                           IR_REQUEST_BACKWARD_ONLY, when that is
                                           all its code there; 0: all at start */
    uint8_t access_back;                /* set by the backend: the guest access
                                           just emitted starts this many bytes
                                           before its op's code did (it took in
                                           the code emitted before it); the
                                           allocator moves its fault point */
};

/* Where code that runs at `p` is written. */
static inline uint8_t *be_writable(const struct be_code *c, const uint8_t *p)
{
    return (uint8_t *)(uintptr_t)p + c->rw_delta;
}

/* No single be_emit_* call writes more than this many bytes. */
#define BE_MAX_INSN_BYTES 256

/* Entry trampoline, emitted once at the start of the code cache:
 *     uint64_t enter(void *env, const void *host_code);
 * saves callee-saved registers, puts env in env_reg, loads the pinned
 * globals (of `globals`, the guest's list) and jumps to host_code.
 * Also emits the epilogue (c->epilogue): translated code jumps there with
 * an enum tr_exit value in call_ret; it stores the pinned globals into
 * env, restores registers and returns that value from enter().  Whatever
 * else the backend's exits need once per code cache (a jump-cache miss
 * path) goes behind it.  Returns the address of enter. */
void *be_emit_prologue(struct be_code *c, const struct ir_globals *globals);

/* Allocator glue. ld_env/st_env move 64 bits between a register and
 * env + offset. */
void be_emit_mov(struct be_code *c, int dst, int src);
void be_emit_movi(struct be_code *c, int dst, uint64_t imm);
void be_emit_ld_env(struct be_code *c, int reg, int32_t offset);
void be_emit_st_env(struct be_code *c, int reg, int32_t offset);
/* Moves the pinned globals in `mask` (bit k: global k) between their
 * registers and their homes in env (load: env -> registers); `globals`
 * gives their env offsets (an ir_block's values or ir_globals.v).
 * Needed (and only called) when be_desc.n_pinned > 0. */
void be_emit_pinned(struct be_code *c, bool load, uint64_t mask,
                    const struct ir_value *globals) __attribute__((weak));

/* Calls fn(env, call_args[1..]) after the allocator has placed the
 * arguments; the result is left in call_ret. */
void be_emit_call(struct be_code *c, const void *fn);

/* Whether a guest access with this memop uses its address as a host
 * address: TR_MEM_HOST (or no mode given, as in the backends' tests), or
 * an IR_MO_HOST access.  Backends abort translation on any other mode
 * until they implement it (the software MMU's TLB lookup). */
static inline bool be_access_is_direct(const struct be_code *c, unsigned memop)
{
    return (memop & IR_MO_HOST) || !c->mem || c->mem->mode == TR_MEM_HOST;
}
_Noreturn void be_unsupported_mem_mode(void);

/* Optional (weak; missing or false: translator/softmmu.c lowers every
 * guest ld/st to a helper call): whether the backend's guest-address
 * emitter probes this software-MMU TLB (guest_mem.h) inline, calling
 * tr_softmmu_slow on a miss.  The probe changes the host flags. */
bool be_tlb_probe(const struct tr_softmmu_tlb *t) __attribute__((weak));
/* A miss of that probe (translator/softmmu.c): memop | write << 8; ret is
 * the host return address inside the block (its fault point) and regs
 * the host registers at the call, indexed by register number. */
void *tr_softmmu_slow(void *env, uint64_t va, uint64_t value, uint64_t memop_w, uintptr_t ret,
                      const uint64_t *regs);

/* Emits one IR instruction.  out[] / in[] follow the op's outputs and
 * inputs.  For IR_call the allocator has already placed the arguments and
 * out[0] (if any) is call_ret; the backend just emits be_emit_call().
 * Guest memory ops (ld, st, atomic_rmw, atomic_cas) reach memory as
 * c->mem->mode says (guest_mem.h): each backend has one guest-address
 * emitter that every such op goes through; TR_MEM_HOST uses the address
 * as it is.  ld/st with IR_MO_HOST are host accesses in every mode.
 * Exits (goto_tb, brcond, exit_*) follow the protocol in runtime.h:
 *   chain slot n: a patchable jump (offset recorded in c->jump_site[n]),
 *   initially to a stub (offset in c->stub[n]) that stores the target pc
 *   in rt.pc, c->tb in rt.exit_tb, TR_EXIT_CHAIN0 + n in call_ret and
 *   jumps to the epilogue.
 *   exit_indirect stores the pc in rt.pc and may jump straight to the
 *   block the vCPU's jump cache has for it (tr_lookup_code, translator.h).
 *   All dirty unpinned globals were written back by the allocator
 *   beforehand (but those in c->n_lazy/c->lazy, be_desc.lazy_exit_stores),
 *   and every pinned global is in its register. */
void be_emit_insn(struct be_code *c, const struct ir_insn *insn,
                  const struct be_arg *out, const struct be_arg *in);

/* Optional (weak): called after a block's complete emission; true asks
 * for the same block to be emitted once more from the same be_code (the
 * allocator makes the same choices), which the backend may emit
 * differently with what it saw the first time (AArch64: constants of a
 * self-chained loop built once before its loop entry).  The backend
 * answers false after at most a few rounds. */
bool be_emit_again(struct be_code *c) __attribute__((weak));

/* Re-points the patchable jump at `site` to `target` (another block, or
 * back to the slot's own stub), writing it at site + rw_delta (the code
 * cache's writable alias), and makes the change visible to instruction
 * fetch at site. */
void be_patch_jump(uint8_t *site, intptr_t rw_delta, const uint8_t *target);

/* Optional (weak; missing: true): whether instruction fetch at rx sees code
 * rewritten through the alias rw once the backend's cache maintenance ran.
 * It does on hardware; an emulator that notices changed code only through
 * its executable address (qemu-user) does not, and then the code cache
 * maps rewritten pages again (tc_views.c).  rw/rx: a scratch page. */
bool be_fetch_sees_alias(uint8_t *rw, const uint8_t *rx) __attribute__((weak));

/* Optional (weak: a backend without them just makes host faults on guest
 * memory fatal): the interrupted host pc and the value of host register
 * `reg` in a signal handler's ucontext, so the translator can turn a fault
 * in translated code into a precise guest signal. */
uintptr_t be_ucontext_pc(const void *uc) __attribute__((weak));
uint64_t be_ucontext_reg(const void *uc, int reg) __attribute__((weak));
/* Optional: the backend keeps this vCPU's jump-cache table (rt.jmp_cache)
 * in a host register across blocks, loaded at enter() and after every C
 * call; this sets it in a signal handler's ucontext (exit_kick.c: an exit
 * request reaching a thread in translated code). */
void be_ucontext_jmp_base(void *uc, const void *table) __attribute__((weak));
/* Host vector registers in the fault map (be_fault_note_vec): `reg`
 * BE_FAULT_VREG + 2 * v + h is the low (h 0) or high (h 1) 8 bytes of
 * host vector register v (v < 16), which be_ucontext_reg then reads. */
enum { BE_FAULT_VREG = 32 };
/* The allocator's service to a backend emitting a guest access (its fault
 * point, recorded right before the op's code): at that access env bytes
 * [env_offset, env_offset + 16) are only in host vector register v (the
 * env store of a vector result dropped, x64_vec.c `pend`), so a fault
 * there restores them from it.  False: not noted (no fault map, a full
 * point): the store must stay.  be_fault_code_cut: the backend took out
 * `len` bytes of code at offset `at` (from c->start) and moved what
 * followed back; the fault points after it move with it. */
bool be_fault_note_vec(int32_t env_offset, int v);
void be_fault_code_cut(uint32_t at, uint32_t len);
/* A fault point at c->ptr for an op that is no guest access (x86-64: a
 * self-loop's exit-request guard load at its loop entry, where the
 * guard's fault handler, tr_guard_fault, finds it): the op's
 * be_fault_note_vec calls add to it.  False: no fault map, or full. */
bool be_fault_point_here(const struct be_code *c);
/* Optional (weak), for a host that tests guest addresses itself
 * (be_desc.canonical_accesses): the host pc of the guest access whose #GP
 * a fault at the interrupted pc raises (the out-of-line part of a failed
 * test), or 0; and the guest address and byte count of the access at host
 * pc (its instruction decoded against uc's registers), false when not
 * known -- the host may report no usable si_addr above 2^47 (qemu-user on
 * a 47-bit host), and x86 wants #GP for an access that only ends there. */
uintptr_t be_fault_redirect(const void *uc) __attribute__((weak));
bool be_fault_access(const void *uc, uintptr_t pc, uint64_t *addr, unsigned *bytes)
    __attribute__((weak));
/* Optional (weak), for a backend with be_desc.request_guard: whether the
 * host instruction at pc is a block's guard load (be_emit_... of
 * exit_request with its guard), so that a fault on the env's guard page
 * is told from a guest access that happens to reach it. */
bool be_guard_load_at(uintptr_t pc) __attribute__((weak));
/* Optional (weak), for a backend that merges two guest accesses into one
 * host instruction (AArch64's push/pop pairs): when the faulting
 * instruction at pc is such a pair, does the first guest access itself
 * if it can (registers in uc, memory), and returns the offset from pc at
 * which the fault map has the faulting access's point: 0 (the first
 * faulted: nothing done) or 2 (the first done, the second faults; its
 * point lies inside the pair's word, regalloc.c); *addr, *bytes: that
 * access, *addr the host's fault address host_addr when it lies in it.
 * -1: not a pair. */
int be_fault_split(void *uc, uintptr_t pc, uint64_t host_addr, uint64_t *addr, unsigned *bytes)
    __attribute__((weak));

/* The host's flag for the guest's denormal-operand exception (x86
 * MXCSR.DE), which <fenv.h> does not reach: on an x86-64 host the
 * translated SSE float ops run as the host's own and set it in the host
 * MXCSR (the guest's other flags accumulate in the host FP status, read
 * through <fenv.h>); guest reads of MXCSR merge it in, writes clear it.
 * Returns whether it is set and clears it when `clear`.  A host without
 * such a flag (AArch64: its translated code sends denormal operands to
 * the helpers, which record DE themselves) returns false. */
bool be_fp_denormal_flag(bool clear);
/* Optional (weak): the host's CRC-32C (Castagnoli) instructions for the
 * translation cache's checksum (translator/tc_hash.c): the n / 8 8-byte
 * words at p (n a multiple of 8, little-endian), word i into lane[i % 4]
 * as one 64-bit CRC-32C step does (no inversion).  False, nothing done,
 * when the CPU lacks them: the caller computes the same in C.  x86-64:
 * SSE4.2 crc32q (x64_crc32c.c); AArch64: the CRC32 extension's crc32cx
 * (a64_crc32c.c). */
bool be_crc32c_lanes(uint32_t lane[4], const uint8_t *p, size_t n) __attribute__((weak));
/* The vector crypto ops (vaesenc .. vclmul, vsha1rnds4 .. vsha256msg2:
 * ir_ops.def) run as the host's AES, carry-less multiply and SHA
 * instructions where it has them (each backend asks its CPU once per op
 * it emits: x64_host.c, a64_host.c) and as their C helpers otherwise -- or always, when this is set: FERRY_SOFT_CRYPTO=1
 * (translator/main.c, before anything is translated; the translation
 * cache's key says which), so that the tests run both paths on one host.
 * Defined by each backend. */
extern bool be_soft_crypto;
/* A guest store of 2, 4 or 8 bytes that crosses a page writes none of its
 * bytes when either page faults, on a host whose own store may write the
 * part on the good page first (AArch64: a64_store_cross.c tests and probes
 * such stores).  Set from FERRY_STORE_CROSS_CHECK=1 (translator/main.c,
 * before anything is translated; the translation cache's key says which);
 * off by default for its cost.  Defined by each backend; x86-64 stores are
 * all-or-nothing already and ignore it. */
extern bool be_store_cross_check;
/* Take every host feature the backend asks about (x64_host.h,
 * a64_host.h) as present without asking the CPU: set by the golden
 * codegen tests (tests/golden/golden.c), whose code is compared, never
 * run, so that their output does not depend on which extensions (AES,
 * SHA, AVX, ...) the machine running them has.  Defined by each backend. */
extern bool be_assume_host_features;
/* The host instructions the backend may choose by asking its CPU (CPUID,
 * HWCAP), as bits: part of the translation cache's key (translator/main.c),
 * so a cache directory shared by machines whose CPUs differ never hands
 * one code with instructions it lacks.  Built from the same feature list
 * the emitters ask (x64_host.c, a64_host.c).  Defined by each backend. */
unsigned be_host_features(void);
/* Optional (weak), for a host signal handler that leaves through
 * siglongjmp instead of returning (the kernel's sigreturn would restore
 * the interrupted FP state; x86-64 Linux runs handlers with a clean one):
 * sets the calling thread's host FP exception flags to those of the
 * interrupted context uc, keeping its control bits. */
void be_ucontext_fp_flags(const void *uc) __attribute__((weak));

/* Interruptible host system call (QEMU's safe_syscall), for the calls a
 * guest signal must wake (reads, waits, sleeps): runs host system call nr
 * with a0..a5 and returns its raw result (-errno on failure), or
 * -BE_SAFE_SYSCALL_WOKEN without entering the kernel when *wake is set.
 * A host signal handler sets *wake, then calls be_safe_syscall_rewind(uc):
 * a thread interrupted between the check and the kernel entry goes back
 * to the check, so a signal arriving just before the call cannot leave it
 * asleep. */
#define BE_SAFE_SYSCALL_WOKEN 513    /* Linux's ERESTARTSYS: user space never sees it */
long be_safe_syscall(const volatile int *wake, long nr, long a0, long a1, long a2, long a3,
                     long a4, long a5);
void be_safe_syscall_rewind(void *uc);

#endif
