/* x86_dispatch.c -- the registry of the frontend's dispatch table: lists
 * every family's row set, indexes the rows by capstone id once (at the
 * first lookup, so a process that translates nothing -- a warm run that
 * takes every block from the translation cache -- never builds it:
 * ~0.1 ms and 9 pages of a /bin/true) and answers the lookups of the
 * block loop.  Two rows for one id and form are an internal error,
 * reported and fatal at the first translation; the unit tests build the
 * index too.
 */
#include <pthread.h>
#include <stdlib.h>

#include "x86_internal.h"
#include "x86_mmx.h"
#include "x86_avx.h"

static const struct x86_row_set *const x86_families[] = {
    &x86_alu_rows, &x86_shift_rows, &x86_muldiv_rows, &x86_bits_rows,
    &x86_control_rows, &x86_string_rows, &x86_misc_rows, &x86_atomic_rows,
    &x86_stack_rows, &x86_mov_rows, &x86_sse_rows, &x86_mmx_rows, &x86_x87_rows,
    &x86_bmi_rows, &x86_segment_rows, &x86_crypto_rows, &x86_rand_rows,
    &x86_xsave_rows, &x86_sys_store_rows, &x86_bcd_rows, &x86_line_store_rows,
    &x86_avx_rows, &x86_avx_int_rows, &x86_avx2_rows, &x86_fma_rows, &x86_f16c_rows,
    &x86_crypto_vex_rows, &x86_gfni_rows, &x86_gfni_vex_rows, &x86_vnni_rows,
};

static struct x86_dispatch x86_index;

static const struct x86_insn_row *row_at(const struct x86_row_set *set, size_t i)
{
    return (const struct x86_insn_row *)((const char *)set->first + i * set->stride);
}

/* For reports: the family a row belongs to. */
static const char *family_of(const struct x86_insn_row *r)
{
    for (size_t f = 0; f < sizeof x86_families / sizeof x86_families[0]; f++) {
        const struct x86_row_set *set = x86_families[f];
        const char *p = (const char *)r, *first = (const char *)set->first;
        if (p >= first && p < first + set->count * set->stride) return set->family;
    }
    return "?";
}

static int add_row(struct x86_dispatch *d, const struct x86_insn_row *r, FILE *log)
{
    if (r->id == X86_INS_INVALID || r->id >= X86_ID_END || !r->fn) {
        fprintf(log, "x86 dispatch: bad row (id %u) in %s\n", r->id, family_of(r));
        return 1;
    }
    const struct x86_insn_row **slot = r->opform == X86_OPF_MM  ? &d->mm[r->id]
                                     : r->opform == X86_OPF_VEX ? &d->vex[r->id]
                                                                : &d->row[r->id];
    if (*slot) {
        fprintf(log, "x86 dispatch: id %u has two rows for one form, in %s and %s\n",
                r->id, family_of(*slot), family_of(r));
        return 1;
    }
    *slot = r;
    return 0;
}

/* An id's forms must agree on what the planner sees before operands are
 * known, and an ANY row leaves no room for an MM one. */
static int check_forms(const struct x86_dispatch *d, unsigned id, FILE *log)
{
    const struct x86_insn_row *r = d->row[id], *m = d->mm[id], *v = d->vex[id];
    if (v && r && (r->opform == X86_OPF_ANY || r->fclass != v->fclass ||
                   r->ends_block != v->ends_block)) {
        fprintf(log, "x86 dispatch: id %u: VEX row beside an ANY row or disagreeing\n", id);
        return 1;
    }
    if (!r || !m) return 0;
    if (r->opform == X86_OPF_ANY) {
        fprintf(log, "x86 dispatch: id %u has an ANY row and an MM row\n", id);
        return 1;
    }
    if (r->fclass != m->fclass || r->ends_block != m->ends_block) {
        fprintf(log, "x86 dispatch: id %u: XMM and MM rows disagree for the planner\n", id);
        return 1;
    }
    return 0;
}

int x86_dispatch_build(struct x86_dispatch *d, FILE *log)
{
    int conflicts = 0;
    for (size_t f = 0; f < sizeof x86_families / sizeof x86_families[0]; f++) {
        const struct x86_row_set *set = x86_families[f];
        for (size_t i = 0; i < set->count; i++)
            conflicts += add_row(d, row_at(set, i), log);
    }
    for (unsigned id = 0; id < X86_ID_END; id++)
        conflicts += check_forms(d, id, log);
    return conflicts;
}

static void x86_dispatch_init(void)
{
    if (x86_dispatch_build(&x86_index, stderr) == 0) return;
    fprintf(stderr, "ferry: internal error: conflicting x86 instruction rows\n");
    abort();
}

/* The index, built by whichever thread looks first (a guest thread, a
 * forked child, a signal handler's first new code: tests/tcache's
 * "first translation" cases).  Lookups come from translation, under the
 * engine's lock, which a guest fork takes too (tr_fork_prepare): no fork
 * copies the once half-done. */
static const struct x86_dispatch *x86_index_get(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, x86_dispatch_init);
    return &x86_index;
}

/* Array lookups; only ids with an XMM row, or none, look at operands. */
const struct x86_insn_row *x86_row_for(const struct x86_dc *dc)
{
    unsigned id = dc->insn->id;
    if (id >= X86_ID_END) return NULL;
    const struct x86_dispatch *d = x86_index_get();
    const struct x86_insn_row *row = d->row[id];
    if (x86_is_vex(dc))
        return d->vex[id] ? d->vex[id]
             : row && row->opform == X86_OPF_ANY ? row : NULL;
    if (row && row->opform == X86_OPF_ANY) return row;
    return x86_mmx_is_mmx(dc) ? d->mm[id] : row;
}

const struct x86_insn_row *x86_row_of_id(unsigned id)
{
    if (id >= X86_ID_END) return NULL;
    const struct x86_dispatch *d = x86_index_get();
    if (d->row[id]) return d->row[id];
    return d->mm[id] ? d->mm[id] : d->vex[id];
}

void x86_translate_row(struct x86_dc *dc, const struct x86_insn_row *row)
{
    dc->row = row;
    row->fn(dc);
}
