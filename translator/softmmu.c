/* softmmu.c -- guest memory through a software MMU (TR_MEM_SOFTMMU): the
 * lowering pass that rewrites every guest access of a block (ld, st,
 * atomic_rmw, atomic_cas, vld, vst; not IR_MO_HOST bookkeeping) into a
 * call of the guest-memory interface's helpers, which translate the
 * virtual address, reach RAM or a device, and raise the guest's page
 * fault precisely (the instruction's pc is an argument; the helpers sync
 * the guest registers, IR_HELPER_RW_GLOBALS).  Backends stay unaware of
 * the mode; an inline TLB probe in their guest-address emitters is the
 * later fast path, falling back to the same helpers. */
#include <string.h>

#include "tr_internal.h"

/* A copy of the block's instructions while they are re-emitted (under the
 * translation lock: one translation at a time per engine, and ferry-system
 * has one engine). */
static struct ir_insn lower_src[IR_MAX_INSNS];

static void copy_insn(struct ir_block *b, const struct ir_insn *i)
{
    if (b->n_insns >= IR_MAX_INSNS) {
        b->overflow = true;
        return;
    }
    b->insns[b->n_insns++] = *i;
}

/* a + disp (the folded displacement of ld/st). */
static ir_ref with_disp(struct ir_block *b, ir_ref a, int64_t disp)
{
    if (!disp)
        return a;
    ir_ref t = ir_temp(b);
    ir_binop(b, IR_add, 64, t, a, ir_const(b, (uint64_t)disp));
    return t;
}

static void call4(struct ir_block *b, const struct ir_helper *h, ir_ref d, ir_ref a0, ir_ref a1,
                  ir_ref a2, ir_ref a3)
{
    ir_ref args[5] = { a0, a1, a2, a3, IR_NONE };
    ir_call(b, h, d, args);
}

static void call5(struct ir_block *b, const struct ir_helper *h, ir_ref d, const ir_ref *args)
{
    ir_call(b, h, d, args);
}

/* Re-emits one guest access as its helper call; false for other ops. */
static bool lower_access(struct ir_block *b, const struct tr_softmmu_helpers *h,
                         const struct ir_insn *i, ir_ref pc)
{
    const ir_ref *a = i->args;
    switch (i->op) {
    case IR_ld:
        if (i->size & IR_MO_HOST)
            return false;
        call4(b, h->ld, a[0], with_disp(b, a[1], i->aux[0]), ir_const(b, i->size), pc, IR_NONE);
        return true;
    case IR_st:
        if (i->size & IR_MO_HOST)
            return false;
        call4(b, h->st, IR_NONE, with_disp(b, a[0], i->aux[0]), a[1], ir_const(b, i->size), pc);
        return true;
    case IR_atomic_rmw:
        call4(b, h->rmw, a[0], a[1], a[2], ir_const(b, i->size | (uint64_t)i->aux[0] << 8), pc);
        return true;
    case IR_atomic_cas: {
        ir_ref args[5] = { a[1], a[2], a[3], ir_const(b, i->size), pc };
        call5(b, h->cas, a[0], args);
        return true;
    }
    case IR_vld: case IR_vst:
        call4(b, i->op == IR_vld ? h->vld : h->vst, IR_NONE, a[0], ir_const(b, (uint64_t)i->aux[0]),
              pc, IR_NONE);
        return true;
    default:
        return false;
    }
}

void softmmu_lower(struct ir_block *b, const struct tr_softmmu_helpers *h)
{
    int n = b->n_insns;
    memcpy(lower_src, b->insns, sizeof(b->insns[0]) * (size_t)n);
    b->n_insns = 0;
    ir_ref pc = ir_const(b, b->guest_pc);
    for (int k = 0; k < n && !b->overflow; k++) {
        const struct ir_insn *i = &lower_src[k];
        if (i->op == IR_insn_start)
            pc = ir_const(b, (uint64_t)i->aux[0]);
        if (!lower_access(b, h, i, pc))
            copy_insn(b, i);
    }
}
