/* softmmu.c -- guest memory through a software MMU (TR_MEM_SOFTMMU): the
 * lowering pass that rewrites every guest access of a block (ld, st,
 * atomic_rmw, atomic_cas, vld, vst; not IR_MO_HOST bookkeeping) into a
 * call of the guest-memory interface's helpers, which translate the
 * virtual address, reach RAM or a device, and raise the guest's page
 * fault precisely (the instruction's pc is an argument; the helpers sync
 * the guest registers, IR_HELPER_RW_GLOBALS).
 *
 * With a TLB the backend probes inline (be_tlb_probe; guest_mem.h struct
 * tr_softmmu_tlb), ld/st stay as they are: the backend's guest-address
 * emitter looks the page up and only a miss calls tr_softmmu_slow, without
 * syncing anything.  A fault there finds its guest pc and the globals
 * held in host registers through the block's fault map, as a host fault
 * on a user-mode access does (fault.c). */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "tr_internal.h"

/* The slow path running on this thread: its return address in the block
 * and the host registers saved at the call. */
static __thread struct { uintptr_t ret; const uint64_t *regs; } slow_call;

static uint64_t saved_reg(const void *regs, int r) { return ((const uint64_t *)regs)[r & 63]; }

bool tr_softmmu_in_slow(void) { return slow_call.ret != 0; }

uint64_t tr_softmmu_fault_pc(void *env)
{
    uint64_t pc;
    uintptr_t ret = slow_call.ret;
    slow_call.ret = 0;
    if (!fault_restore_at(env, ret, saved_reg, slow_call.regs, &pc)) {
        fprintf(stderr, "ferry: internal error: no fault point at host %#lx\n", (unsigned long)ret);
        abort();
    }
    return pc;
}

void *tr_softmmu_slow(void *env, uint64_t va, uint64_t value, uint64_t memop_w, uintptr_t ret,
                      const uint64_t *regs)
{
    const struct tr_runtime *rt = env;
    slow_call.ret = ret;
    slow_call.regs = regs;
    void *h = rt->mem->soft->tlb->slow(env, va, value, (unsigned)memop_w & 0xff, memop_w >> 8 & 1);
    slow_call.ret = 0;
    return h;
}

/* Whether ld/st stay for the backend's inline probe.  (Off in session 9's
 * merge: a fault in the slow path found no fault point when the other
 * vCPU was translating -- codecache.c tc_find_by_host_pc.) */
static bool probed_inline(const struct tr_softmmu_helpers *h)
{
    return h->tlb && be_tlb_probe && be_tlb_probe(h->tlb);
}

/* Under an inline probe, guest ld/st change the host flags: the
 * backend's table without them (for ir_fuse_flags). */
const uint8_t *softmmu_keeps_flags(const struct tr_guest_mem *m, const uint8_t *keeps)
{
    static uint8_t table[IR_NUM_OPS];
    if (!keeps || m->mode != TR_MEM_SOFTMMU || !probed_inline(m->soft))
        return keeps;
    memcpy(table, keeps, sizeof table);
    table[IR_ld] = table[IR_st] = table[IR_ldx] = table[IR_stx] = 0;
    return table;
}

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
    if ((i->op == IR_ld || i->op == IR_st) && probed_inline(h))
        return false;
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
    case IR_vld:
        call4(b, h->vld, IR_NONE, a[0], ir_const(b, (uint64_t)i->aux[0]), pc, IR_NONE);
        return true;
    case IR_vst:
        call4(b, h->vst, IR_NONE, a[0], ir_const(b, (uint64_t)i->aux[0]), pc,
              ir_const(b, i->size & IR_V_PAIR_LO ? 32 : ir_vec_imm(i)));
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

void *tr_guest_tlb_hit(const void *env, uint64_t addr, uint64_t len, bool write)
{
    const struct tr_guest_mem *m = ((const struct tr_runtime *)env)->mem;
    const struct tr_softmmu_tlb *t = m && m->mode != TR_MEM_HOST && m->soft ? m->soft->tlb : NULL;
    if (!t || len == 0 || len > 4096)
        return NULL;
    const uint8_t *e = env;
    unsigned cpl = e[t->cpl_off] & 3u;
    unsigned slot = cpl << t->bits | (unsigned)((addr >> 12) & ((1u << t->bits) - 1));
    const uint64_t *ent = (const uint64_t *)(e + (write ? t->write_off : t->read_off)) + 2 * slot;
    uint64_t tag = __atomic_load_n(&ent[0], __ATOMIC_RELAXED);
    if (addr - tag > 4096 - len)
        return NULL;
    return (void *)(uintptr_t)(addr + __atomic_load_n(&ent[1], __ATOMIC_RELAXED));
}
