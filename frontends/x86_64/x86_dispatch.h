/* x86_dispatch.h -- the x86-64 frontend's one dispatch table: a row per
 * instruction form, from capstone instruction id to the function that
 * translates it, with what the block planner needs to know about it.
 *
 * Each family file owns its rows and exports them as a row set (x86_alu.c:
 * add, sub, cmp ...; x86_sse_table.c: SSE to SSE4.2; x86_x87_translate.c:
 * every x87 id).  x86_dispatch.c lists the sets -- the one place that says
 * which rows exist -- and indexes them by id once, before main, refusing two
 * rows for one id and form; translating an instruction is then an array
 * index and one call.  An id with no row raises SIGILL.
 */
#ifndef FERRY_X86_DISPATCH_H
#define FERRY_X86_DISPATCH_H

#include <stddef.h>
#include <stdio.h>

#include "x86_translate.h"

/* Translates the current instruction (dc->insn, dc->row) into IR. */
typedef void x86_handler_fn(struct x86_dc *dc);
typedef x86_handler_fn *x86_handler;

/* How an instruction relates to the arithmetic flags, for the backward
 * liveness pass that lets handlers skip computing flags nobody reads. */
enum x86_fclass {
    X86_FL_READ = 0,    /* reads flags (or unknown): flags live before it */
    X86_FL_PASS,        /* leaves flags alone, or updates some and keeps the
                           rest (needs the old flags only if its own are live) */
    X86_FL_FULL,        /* overwrites all six without reading them */
};

/* Which encodings of its id a row translates.  Capstone gives the MMX and
 * the SSE form of an instruction one id (paddb mm, mm/m64 and paddb xmm,
 * xmm/m128); such an id has an XMM row and an MM row, and the instruction's
 * operands pick one (x86_mmx_is_mmx).  An MMX register operand where the id
 * has no MM row is SIGILL. */
enum x86_opform {
    X86_OPF_ANY = 0,    /* every encoding (integer, system, x87 rows) */
    X86_OPF_XMM,        /* the encodings without an MMX register */
    X86_OPF_MM,         /* the encodings with one (and emms, cvtpi2ps/pd) */
    X86_OPF_VEX,        /* the VEX encodings (x86_avx.h): a VEX instruction
                           finds only these rows, or ANY rows (BMI) */
};

/* Ids of instructions capstone 4 has none for (it cannot decode them:
 * x86_isa_alias.c and x86_ext_decode.c decode them as an encoding of the
 * same operand shape and give them one of these), after capstone's own. */
enum x86_ferry_ins {
    X86_FERRY_INS_GF2P8MULB = X86_INS_ENDING, X86_FERRY_INS_GF2P8AFFINEQB,
    X86_FERRY_INS_GF2P8AFFINEINVQB,
    X86_FERRY_INS_VPDPBUSD, X86_FERRY_INS_VPDPBUSDS, X86_FERRY_INS_VPDPWSSD,
    X86_FERRY_INS_VPDPWSSDS,
    X86_FERRY_INS_CLZERO,               /* x86_ext_decode.c -> x86_line_store.c */
    X86_FERRY_INS_MOVDIR64B,            /* x86_ext_decode.c -> x86_line_store.c */
    X86_FERRY_INS_RDPRU,                /* x86_ext_decode.c -> x86_rand.c */
    X86_ID_END                  /* capstone's ids and these */
};

struct x86_insn_row {
    unsigned id;            /* X86_INS_xxx or X86_FERRY_INS_xxx */
    x86_handler fn;
    uint8_t fclass;         /* enum x86_fclass (vector and x87 rows: READ) */
    uint8_t ends_block;     /* control transfer / exit: stop decoding after it */
    uint8_t opform;         /* enum x86_opform */
    /* The translation under a lock prefix (and of xchg with a memory
     * operand, locked without one); NULL: lock is #UD (SIGILL). */
    x86_handler atomic;
};

/* A family's rows: `count` rows, `stride` bytes apart.  A family whose row
 * type carries more (SSE, MMX) keeps struct x86_insn_row as its first
 * member, and its handler finds the rest from dc->row. */
struct x86_row_set {
    const char *family;
    const struct x86_insn_row *first;
    size_t count, stride;
};
#define X86_ROW_SET(family, rows) \
    { family, &(rows)[0], sizeof(rows) / sizeof((rows)[0]), sizeof((rows)[0]) }
#define X86_ROW_SET_OF(family, rows, member) \
    { family, &(rows)[0].member, sizeof(rows) / sizeof((rows)[0]), sizeof((rows)[0]) }

/* Every family's rows (x86_dispatch.c lists them). */
extern const struct x86_row_set x86_alu_rows, x86_shift_rows, x86_muldiv_rows,
    x86_bits_rows, x86_control_rows, x86_string_rows, x86_misc_rows,
    x86_atomic_rows, x86_stack_rows, x86_mov_rows, x86_sse_rows, x86_mmx_rows,
    x86_x87_rows, x86_sys_store_rows, x86_bcd_rows;
/* ISA extensions beyond x86-64-v2 (one set per file). */
extern const struct x86_row_set x86_bmi_rows, x86_segment_rows, x86_crypto_rows,
    x86_rand_rows, x86_xsave_rows, x86_gfni_rows, x86_line_store_rows;
/* VEX-encoded vector instructions (x86_avx.h). */
extern const struct x86_row_set x86_avx_rows, x86_avx_int_rows, x86_fma_rows, x86_f16c_rows;
extern const struct x86_row_set x86_avx2_rows, x86_crypto_vex_rows, x86_gfni_vex_rows,
    x86_vnni_rows;


/* The id-indexed lookup: row[id] is the id's ANY or XMM row, mm[id] its
 * MM row, vex[id] its VEX row. */
struct x86_dispatch {
    const struct x86_insn_row *row[X86_ID_END];
    const struct x86_insn_row *mm[X86_ID_END];
    const struct x86_insn_row *vex[X86_ID_END];
};

/* Indexes every family's rows into d (zeroed); returns the number of
 * conflicts (two rows for one id and form, an MM row beside an ANY row,
 * forms of one id that disagree on fclass or ends_block), each reported
 * on `log`.  Done once before main; the unit tests call it too. */
int x86_dispatch_build(struct x86_dispatch *d, FILE *log);

/* The row that translates the current instruction, or NULL. */
const struct x86_insn_row *x86_row_for(const struct x86_dc *dc);
/* What the block planner needs of an id (fclass, ends_block: the same in
 * all of its rows), before operands are looked at; NULL if it has none. */
const struct x86_insn_row *x86_row_of_id(unsigned id);
/* Translates the current instruction with another family's row: for a
 * handler whose id also names another family's instruction (movsd/cmpsd:
 * string and SSE2) and which picks by encoding. */
void x86_translate_row(struct x86_dc *dc, const struct x86_insn_row *row);
/* Whether an id is a string instruction (movs stos lods cmps scas). */
bool x86_string_id(unsigned id);

#endif
