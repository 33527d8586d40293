/* x86_translate.h -- the x86-64 frontend's internal API, shared by every
 * instruction family (integer, SSE, MMX, x87): the decoder context and
 * operand access.  Everything here emits IR into dc->b.  Private to the
 * frontend (it pulls in capstone); the rest of ferry sees x86_cpu.h.
 */
#ifndef FERRY_X86_TRANSLATE_H
#define FERRY_X86_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include <capstone/capstone.h>

#include "ir.h"
#include "translator.h"
#include "x86_cpu.h"

struct x86_flags_state;             /* private to the flags code */
struct x86_insn_row;                /* x86_dispatch.h */

/* Decoder context for one block. */
struct x86_dc {
    struct ir_block *b;
    const cs_insn *insn;            /* current instruction (detail mode) */
    const cs_x86 *x;                /* &insn->detail->x86 */
    const struct x86_insn_row *row; /* its dispatch row (family data) */
    uint64_t pc, next_pc;           /* current instruction and the next */
    bool block_ended;               /* an exit op was emitted */
    struct x86_flags_state *flags;  /* lazy-flag tracking inside the block */
    bool system;                    /* system mode: privileged insns run (x86_system.c) */
    bool code32;                    /* 32-bit protected mode: 4-byte stack slots */
    bool code16;                    /* real mode: 16-bit code, segment bases */
    uint64_t cs_base;               /* real mode: pcs are cs_base + ip */
    bool xm_open;                   /* an #XM check is still to be emitted (x86_sse_xm.c) */
    bool align_required;            /* vector memory operands must be aligned (x86_align.c) */
    bool step;                      /* TF: one insn, then a trap (x86_single_step.c) */
};

/* IR globals of the x86 guest (valid after fe_x86_64.declare_globals). */
extern ir_ref x86_g_reg[16];        /* rax..r15 */
extern ir_ref x86_g_fs_base, x86_g_gs_base;
extern ir_ref x86_g_cc_op, x86_g_cc_dst, x86_g_cc_src, x86_g_cc_src2;
extern ir_ref x86_g_df;

#define X86_ENV_OFF(field) ((int32_t)offsetof(struct x86_cpu, field))

/* Effective address of a memory operand: base + index*scale + disp,
 * rip-relative resolved, fs/gs base added, 0x67 prefix truncation. */
ir_ref x86_ea(struct x86_dc *dc, const cs_x86_op *op);

/* General registers by capstone id (8/16/32/64-bit names, incl. AH..BH).
 * Reads return the value zero-extended to 64 bits; writes follow x86
 * rules (32-bit writes zero-extend, 8/16-bit writes merge). */
ir_ref x86_gpr_read(struct x86_dc *dc, x86_reg reg);
void x86_gpr_write(struct x86_dc *dc, x86_reg reg, ir_ref val);

/* Reads / writes an integer operand (register, memory or immediate) of
 * op->size bytes; reads zero-extend. */
ir_ref x86_operand_read(struct x86_dc *dc, const cs_x86_op *op);
/* The same for a reader that uses only the operand's op->size low bytes
 * (cvtsi2sd's integer): a 32-bit register as its whole 64-bit register,
 * with no zero-extension to emit. */
ir_ref x86_operand_read_low(struct x86_dc *dc, const cs_x86_op *op);
void x86_operand_write(struct x86_dc *dc, const cs_x86_op *op, ir_ref val);

/* XMM register number 0..15 of a capstone register, or -1. */
int x86_xmm_index(x86_reg reg);

/* Stores the current instruction's pc in rt.pc, for helpers that may
 * raise a guest exception (tr_raise). */
void x86_sync_pc(struct x86_dc *dc);

/* Ends the block: the current instruction raises SIGILL (logged under
 * -d unimpl with its bytes and disassembly). */
void x86_raise_sigill(struct x86_dc *dc);

/* Sets the arithmetic flags (CF PF AF ZF SF OF) to those in `eflags`
 * (e.g. from ucomisd); other lazily tracked state is discarded. */
void x86_flags_set_eflags(struct x86_dc *dc, ir_ref eflags);

#endif
