/* ir_vcopy.c -- whole-register vector copies forwarded into their readers:
 * `vmov d <- s` (16 bytes: x86's movdqa/movaps xmm, xmm, each half of a
 * ymm move, the frontend's d <- a of an SSE step) followed by ops that
 * read d as a source read s instead, and the vmov goes when the next op
 * that writes d writes it whole before anything could see d's copy.
 *
 *     vmov   x1 <- x2              (movdqa xmm1, xmm2)
 *     valignr x1 = x1:x5, 4        (palignr xmm1, xmm5, 4)
 * becomes
 *     valignr x1 = x2:x5, 4
 *
 * Vector registers live in env, so a vmov is a real host copy and an env
 * store; the op that overwrites d then reads s where it is (three-operand
 * forms on both hosts).  Exact state: the vmov stays whenever something
 * between it and the overwrite may see env -- a guest memory access (a
 * fault's signal frame shows every register), an exit or branch, a helper
 * call, an env load or store of d, any op that still reads d, and a float
 * op outside MXCSR's default mode (its #XM); a vector op's own slow path
 * reads only its sources, and gets a copied to d first (backends'
 * helper_copies_a), so d's old value is never read there.
 * Only ops the backends take with a != d (x86_avx.c's three-operand
 * steps) get a rewritten, never into the one form they refuse, a != d
 * with b == d. */
#include "ir.h"

enum { VCOPY_MAX = 16 };

/* A copy nothing could see yet: its vmov may still go.  One that is
 * seen is forgotten (reading s for it would gain nothing: on an x86-64
 * host without AVX an op with a apart from d costs a register copy). */
struct vcopy {
    int32_t d, s;           /* env slots: d holds a copy of s */
    int at;                 /* the vmov's insn */
};

struct vcopy_state {
    struct vcopy f[VCOPY_MAX];
    int n;
};

static bool overlaps(int32_t x, int32_t y) { return x < y + 16 && y < x + 16; }

/* Packed ops whose a may differ from d: x86_avx.c's three-operand steps. */
static bool takes_any_a(const struct ir_insn *i)
{
    if (i->size & IR_V_SCALAR)
        return false;
    switch (i->op) {
    case IR_vand: case IR_vor: case IR_vxor: case IR_vandn: case IR_vadd: case IR_vsub:
    case IR_vadds: case IR_vaddus: case IR_vsubs: case IR_vsubus: case IR_vmul:
    case IR_vmulhs: case IR_vmulhu: case IR_vmulwu: case IR_vmaddw: case IR_vcmpeq:
    case IR_vcmpgt: case IR_vmins: case IR_vmaxs: case IR_vminu: case IR_vmaxu:
    case IR_vavgu: case IR_vsadu: case IR_vshli: case IR_vshri: case IR_vsari:
    case IR_vshlb: case IR_vshrb: case IR_valignr: case IR_vziplo: case IR_vziphi:
    case IR_vpackss: case IR_vpackus: case IR_vshuf: case IR_vshuflo: case IR_vshufhi:
    case IR_vshuf2: case IR_vtbl: case IR_vfadd: case IR_vfsub: case IR_vfmul:
    case IR_vfdiv: case IR_vfmin: case IR_vfmax: case IR_vfcmp: case IR_vfsqrt:
    case IR_vaesenc: case IR_vaesencl: case IR_vaesdec: case IR_vaesdecl: case IR_vclmul:
        return true;
    default:
        return false;
    }
}

/* Whether the vector op writes env at d (all 16 bytes: the rest of a
 * partial result comes from a, or is zero). */
static bool writes_d(const struct ir_insn *i)
{
    return i->op != IR_vst && !ir_op_info[i->op].n_out;
}

/* The env slots the op reads (up to 3). */
static int reads(const struct ir_insn *i, int32_t *r)
{
    switch (i->op) {
    case IR_vld: case IR_vfromg:
        return 0;
    case IR_vmov: case IR_vst:
        r[0] = ir_vec_b(i);
        return 1;
    case IR_vsha256rnds2:           /* the imm is xmm0's slot */
        r[0] = ir_vec_a(i), r[1] = ir_vec_b(i), r[2] = (int32_t)ir_vec_imm(i);
        return 3;
    default:                        /* d, when an op reads it, is its a */
        r[0] = ir_vec_a(i), r[1] = ir_vec_b(i);
        return 2;
    }
}

/* A float op outside MXCSR's default mode may raise #XM in its helper. */
static bool may_trap(const struct ir_block *b, const struct ir_insn *i)
{
    const struct ir_op_info *info = &ir_op_info[i->op];
    if (!info->n_in || i->op == IR_vld || i->op == IR_vst || i->op == IR_vfromg)
        return false;
    ir_ref mode = i->args[info->n_out];
    return mode == IR_NONE || b->values[mode].kind != IR_VAL_CONST || b->values[mode].imm;
}

static void drop(struct vcopy_state *st, int k) { st->f[k] = st->f[--st->n]; }

static void all_seen(struct vcopy_state *st) { st->n = 0; }

static int fact_of(const struct vcopy_state *st, int32_t slot)
{
    for (int k = 0; k < st->n; k++)
        if (st->f[k].d == slot)
            return k;
    return -1;
}

/* Reads of a copy read its source: a and b of the ops that take any a,
 * b of a vmov. */
static void substitute(struct vcopy_state *st, struct ir_insn *i)
{
    int32_t d = ir_vec_d(i), a = ir_vec_a(i), b = ir_vec_b(i);
    if (i->op == IR_vmov) {
        int k = fact_of(st, b);
        if (k >= 0)
            i->aux[0] = ir_vec_pack(d, a, st->f[k].s, ir_vec_imm(i));
        return;
    }
    if (!takes_any_a(i))
        return;
    int ka = fact_of(st, a), kb = fact_of(st, b);
    int32_t na = ka >= 0 ? st->f[ka].s : a, nb = kb >= 0 ? st->f[kb].s : b;
    if (na != d && nb == d)         /* the form the slow paths refuse */
        na = a;
    if (na != d && nb == d)
        return;
    i->aux[0] = ir_vec_pack(d, na, nb, ir_vec_imm(i));
}

/* After the op's reads: copies it reads are seen, copies it overwrites go
 * with their vmov, copies of what it writes end. */
static void vec_step(const struct ir_block *b, struct vcopy_state *st, struct ir_insn *i,
                     bool *dead)
{
    int32_t r[3];
    int n = reads(i, r);
    for (int k = 0; k < st->n; k++)
        for (int j = 0; j < n; j++)
            if (overlaps(st->f[k].d, r[j])) {
                drop(st, k--);
                break;
            }
    if (may_trap(b, i))
        all_seen(st);
    if (!writes_d(i))
        return;
    int32_t d = ir_vec_d(i);
    for (int k = 0; k < st->n; k++) {
        if (st->f[k].d == d)
            dead[st->f[k].at] = true;
        if (overlaps(st->f[k].d, d) || overlaps(st->f[k].s, d))
            drop(st, k--);
    }
    if (i->op == IR_vmov && ir_vec_imm(i) == 16 && ir_vec_b(i) != d && st->n < VCOPY_MAX)
        st->f[st->n++] = (struct vcopy){ d, ir_vec_b(i), (int)(i - b->insns) };
}

/* An env word access: a load of d sees the copy, a store into d or s
 * ends it. */
static void env_step(struct vcopy_state *st, const struct ir_insn *i)
{
    int32_t off = (int32_t)i->aux[0], n = ir_memop_bytes(i->size);
    for (int k = 0; k < st->n; k++) {
        bool on_d = off < st->f[k].d + 16 && st->f[k].d < off + n;
        bool on_s = off < st->f[k].s + 16 && st->f[k].s < off + n;
        if ((i->op == IR_ld_env && on_d) || (i->op == IR_st_env && (on_d || on_s)))
            drop(st, k--);
    }
}

void ir_forward_vec_copies(struct ir_block *b)
{
    struct vcopy_state st = { .n = 0 };
    bool dead[IR_MAX_INSNS] = { false };
    bool any = false;
    for (int n = 0; n < b->n_insns; n++) {
        struct ir_insn *i = &b->insns[n];
        uint16_t fl = ir_op_info[i->op].flags;
        if (fl & IR_F_VEC) {
            if (i->op == IR_vld || i->op == IR_vst)     /* guest accesses: */
                all_seen(&st);      /* a fault comes before vld writes d */
            if (st.n)
                substitute(&st, i);
            vec_step(b, &st, i, dead);
            any |= i->op == IR_vmov;
        } else if (i->op == IR_ld_env || i->op == IR_st_env) {
            if (st.n)
                env_step(&st, i);
        } else if (i->op == IR_call) {  /* helpers read and write env */
            st.n = 0;
        } else if (fl & (IR_F_MEM | IR_F_EXIT | IR_F_BRANCH)) {
            all_seen(&st);          /* a fault's frame or an exit sees env */
        }
    }
    if (!any)
        return;
    int w = 0;
    for (int n = 0; n < b->n_insns; n++)
        if (!dead[n])
            b->insns[w++] = b->insns[n];
    b->n_insns = w;
}
