/* ir_dump.c -- human-readable IR, one instruction per line (-d ir),
 * e.g. "add_i32 t3, rax, $0x10". */
#include <inttypes.h>

#include "ir.h"

static const char *const memop_names[8] = {
    "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
};

static void dump_value(const struct ir_block *b, ir_ref r, FILE *out)
{
    if (r == IR_NONE || r >= b->n_values) {
        fputs("<none>", out);
        return;
    }
    const struct ir_value *v = &b->values[r];
    if (v->kind == IR_VAL_GLOBAL)
        fputs(v->name ? v->name : "g?", out);
    else if (v->kind == IR_VAL_CONST)
        fprintf(out, "$0x%" PRIx64, v->imm);
    else
        fprintf(out, "t%d", r - b->n_globals);
}

static void dump_name(const struct ir_insn *i, FILE *out)
{
    uint16_t fl = ir_op_info[i->op].flags;
    fputs(ir_op_info[i->op].name, out);
    if (fl & IR_F_SIZED)
        fprintf(out, "_i%d", i->size);
    if (fl & IR_F_MEM)
        fprintf(out, "_%s", memop_names[i->size & 7]);
    if (fl & IR_F_VEC)
        fprintf(out, "_e%d%s%s", 8 << (i->size & IR_VE_MASK), (i->size & IR_V_SCALAR) ? "s" : "",
                (i->size & IR_V_ALIGNED) ? "a" : "");
}

/* "[env+d] = [env+a], [env+b] imm N (helper)" */
static void dump_vec(const struct ir_insn *i, FILE *out)
{
    const struct ir_helper *h = ir_vec_helper(i);
    fprintf(out, " [env+0x%x] = [env+0x%x], [env+0x%x] imm 0x%x", (unsigned)ir_vec_d(i),
            (unsigned)ir_vec_a(i), (unsigned)ir_vec_b(i), ir_vec_imm(i));
    if (h)
        fprintf(out, " (%s)", h->name ? h->name : "?");
}

/* Operands in order; for calls only the used ones. */
static void dump_operands(const struct ir_block *b, const struct ir_insn *i, FILE *out)
{
    int n = ir_op_info[i->op].n_out + ir_op_info[i->op].n_in;
    const char *sep = " ";
    for (int k = 0; k < n; k++) {
        if (i->op == IR_call && i->args[k] == IR_NONE)
            continue;
        fputs(sep, out);
        dump_value(b, i->args[k], out);
        sep = ", ";
    }
}

static void dump_params(const struct ir_insn *i, FILE *out)
{
    uint16_t fl = ir_op_info[i->op].flags;
    if ((fl & IR_F_COND) && i->cond < IR_NUM_CONDS)
        fprintf(out, "%s%s", ir_op_info[i->op].n_out + ir_op_info[i->op].n_in ? ", " : " ",
                ir_cond_names[i->cond]);
    switch (i->op) {
    case IR_addx: case IR_subx: case IR_subfx:
        fprintf(out, ", %s", ir_op_info[i->aux[0]].name);
        if (i->aux[0] == IR_shl)
            fprintf(out, " %" PRId64, i->aux[1]);
        break;
    case IR_extract: case IR_sextract: case IR_deposit:
        fprintf(out, ", pos %" PRId64 ", len %" PRId64, i->aux[0], i->aux[1]);
        break;
    case IR_ld_env: case IR_st_env:
        fprintf(out, " [env+0x%" PRIx64 "]", i->aux[0]);
        break;
    case IR_ld: case IR_st:
        if (i->aux[0])
            fprintf(out, " disp %" PRId64, i->aux[0]);
        break;
    case IR_ldx: case IR_stx:
        fprintf(out, " scale %d", 1 << (int)i->aux[1]);
        if (i->aux[0])
            fprintf(out, " disp %" PRId64, i->aux[0]);
        break;
    case IR_brcond: case IR_brflags: case IR_goto_tb:
        fprintf(out, " -> 0x%" PRIx64 " slot %" PRId64, i->aux[0], i->aux[1]);
        break;
    case IR_atomic_rmw:
        fprintf(out, " op %" PRId64, i->aux[0]);
        break;
    case IR_exit_indirect:
        if (ir_canon_checked(i))
            fprintf(out, ", #GP at 0x%" PRIx64 " unless canonical", i->aux[0]);
        if (ir_canon_checked(i) && ir_canon_undo(i))
            fprintf(out, " (then global %u -= %d)", ir_canon_global(i), (int32_t)ir_canon_undo(i));
        break;
    case IR_exit_request:
        fprintf(out, " pc 0x%" PRIx64 "%s", i->aux[0],
                i->aux[1] & IR_REQUEST_BACKWARD_ONLY ? ", backward chains only" : "");
        break;
    case IR_divu: case IR_divs:
        fprintf(out, ", #DE at 0x%" PRIx64 "%s", i->aux[0], i->aux[1] & IR_DIV_NARROW ? ", narrow" : "");
        break;
    case IR_exit_code:
        fprintf(out, " pc 0x%" PRIx64 " code %" PRId64, i->aux[0], i->aux[1]);
        break;
    case IR_fault_sp:
        fprintf(out, " %+" PRId64, i->aux[0]);
        break;
    default:
        if (fl & IR_F_VEC)
            dump_vec(i, out);
        break;
    }
}

void ir_dump_insn(const struct ir_block *b, const struct ir_insn *i, FILE *out)
{
    if (i->op >= IR_NUM_OPS) {
        fprintf(out, "<bad op %d>\n", i->op);
        return;
    }
    if (i->op == IR_insn_start) {
        fprintf(out, " ---- 0x%" PRIx64 " len %" PRId64 "\n", i->aux[0], i->aux[1]);
        return;
    }
    dump_name(i, out);
    if (i->op == IR_call) {
        const struct ir_helper *h = (const struct ir_helper *)(intptr_t)i->aux[0];
        fprintf(out, " %s", h && h->name ? h->name : "?");
    }
    dump_operands(b, i, out);
    dump_params(i, out);
    fputc('\n', out);
}

void ir_dump(const struct ir_block *b, FILE *out)
{
    fprintf(out, "IR 0x%" PRIx64 ": %d insns, %d values\n", b->guest_pc, b->n_insns, b->n_values);
    for (int n = 0; n < b->n_insns; n++)
        ir_dump_insn(b, &b->insns[n], out);
    fputc('\n', out);
}
