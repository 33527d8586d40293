/* test_fault_map.c -- a block's fault map as a byte stream
 * (translator/fault_map.c): every access point the register allocator
 * recorded is found again, with its entries, at every host offset from it
 * to the next; offsets before the first point find none; the persistent
 * cache's copy (export, import) answers the same; every truncation of
 * the copy is refused on import; an RA_FAULT_ADD entry adjusts what
 * the others restored. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "regalloc.h"
#include "tr_internal.h"

static struct tr_xlate_work work;
static struct tr_xlate xl = { .work = &work };

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

/* n points in code order (some at the same offset), with 0-6 entries
 * each: registers, immediates of every size, the pinned set changing now
 * and then. */
static void fill(struct ra_fault_map *m, int n, uint64_t pc)
{
    uint32_t off = 3;
    uint64_t pinned = next();
    m->n_points = m->n_entries = 0;
    m->overflow = false;
    for (int k = 0; k < n; k++) {
        struct ra_fault_point *p = &m->points[m->n_points++];
        off += (uint32_t)(next() % 3 ? next() % 40 : 0);
        pc += next() % 4 ? next() % 15 : (uint64_t)-(int64_t)(next() % 300);
        if (next() % 5 == 0)
            pinned = next() & ((1ull << 16) - 1);
        *p = (struct ra_fault_point){ .host_off = off, .guest_pc = pc, .pinned = pinned,
                                      .write = next() & 1, .first = (uint32_t)m->n_entries,
                                      .count = (uint32_t)(next() % 7) };
        for (uint32_t e = 0; e < p->count; e++) {
            int shift = (int)(next() % 64);
            m->entries[m->n_entries++] = (struct ra_fault_entry){
                .env_offset = (int32_t)(8 * (next() % 8000)),
                .reg = (int8_t)(next() % 7 == 0 ? RA_FAULT_ADD
                                : next() % 3 ? (int)(next() % 16) : -1),
                .imm = next() >> shift };
        }
    }
}

static void expect_point(const struct ra_fault_map *m, int k, const struct ra_fault_point *got,
                         const struct ra_fault_entry *entries)
{
    const struct ra_fault_point *want = &m->points[k];
    cr_assert_eq(got->host_off, want->host_off);
    cr_assert_eq(got->guest_pc, want->guest_pc, "point %d", k);
    cr_assert_eq(got->pinned, want->pinned);
    cr_assert_eq(got->write, want->write);
    cr_assert_eq(got->count, want->count);
    for (uint32_t e = 0; e < want->count; e++) {
        const struct ra_fault_entry *w = &m->entries[want->first + e];
        cr_assert_eq(entries[got->first + e].env_offset, w->env_offset);
        cr_assert_eq(entries[got->first + e].reg, w->reg);
        if (w->reg < 0 || w->reg == RA_FAULT_ADD)
            cr_assert_eq(entries[got->first + e].imm, w->imm);
    }
}

/* At every offset of the code: the last point at or before it. */
static void expect_all(const struct ra_fault_map *m, const struct tr_block *tb)
{
    struct ra_fault_point p;
    struct ra_fault_entry entries[64];
    int k = -1;
    for (uint32_t off = 0; off < tb->code_size; off++) {
        while (k + 1 < m->n_points && m->points[k + 1].host_off <= off)
            k++;
        bool found = fault_map_point(tb, off, &p, entries);
        cr_assert_eq(found, k >= 0, "offset %u", off);
        if (found)
            expect_point(m, k, &p, entries);
    }
}

static uint64_t reg_value(const void *ctx, int r) { return ((const uint64_t *)ctx)[r]; }

/* A stack-pointer update left out of a push run (IR_fault_sp): the
 * RA_FAULT_ADD entry adds to what the others restored, wherever it is
 * listed, and to env's own value when no other entry names the slot. */
Test(fault_map, add_entry_adjusts_the_restored_value)
{
    uint64_t env[8] = { 0, 0, 0, 0x7000, 0, 0, 0, 0 }, regs[16] = { 0 };
    regs[5] = 0x7ffd1000;
    struct ra_fault_entry entries[3] = {
        { .env_offset = 16, .reg = RA_FAULT_ADD, .imm = (uint64_t)-24 },
        { .env_offset = 16, .reg = 5 },
        { .env_offset = 24, .reg = RA_FAULT_ADD, .imm = 8 },
    };
    struct ra_fault_point p = { .first = 0, .count = 3 };
    ra_fault_restore(env, &p, entries, NULL, reg_value, regs);
    cr_assert_eq(env[2], 0x7ffd1000 - 24);
    cr_assert_eq(env[3], 0x7008);
}

Test(fault_map, every_point_found_again)
{
    struct tr_engine e = { .xl = &xl };
    for (int round = 0; round < 20; round++) {
        int n = 1 + (int)(next() % 200);
        struct tr_block tb = { .guest_pc = 0x7f0000401000ull + next() % 4096 };
        fill(&work.faults, n, tb.guest_pc);
        tb.code_size = work.faults.points[n - 1].host_off + 1 + (uint32_t)(next() % 20);
        fault_keep_map(&e, &tb);
        cr_assert_not_null(tb.fault_map);
        expect_all(&work.faults, &tb);
        fault_map_free(tb.fault_map);
    }
}

Test(fault_map, cache_copy_answers_the_same_and_truncations_refused)
{
    struct tr_engine e = { .xl = &xl };
    struct tr_block tb = { .guest_pc = 0x401000 };
    fill(&work.faults, 150, tb.guest_pc);
    tb.code_size = work.faults.points[149].host_off + 8;
    fault_keep_map(&e, &tb);
    size_t len = fault_map_export(&tb, NULL);
    uint8_t *copy = malloc(len);
    cr_assert_eq(fault_map_export(&tb, copy), len);
    struct tr_block back = { .guest_pc = tb.guest_pc, .code_size = tb.code_size };
    cr_assert(fault_map_import(&back, copy, len));
    expect_all(&work.faults, &back);
    for (size_t cut = 1; cut < len; cut++) {
        struct tr_block t = back;
        t.fault_map = NULL;
        cr_assert(!fault_map_import(&t, copy, cut), "truncated at %zu of %zu", cut, len);
    }
    struct tr_block small = { .guest_pc = tb.guest_pc, .code_size = work.faults.points[149].host_off };
    cr_assert(!fault_map_import(&small, copy, len), "a point past the code");
    fault_map_free(back.fault_map);
    fault_map_free(tb.fault_map);
    free(copy);
}

/* A fault handler looks the faulting host pc up (tc_find_by_host_pc)
 * while another vCPU translates: the block being filled in sits at the
 * end of the pool with no code yet, or after a flush with a dropped
 * block's stale code.  Every published block is still found (before the
 * fix a search that reached the new slot went past the block holding pc:
 * "no fault point" in ferry-system's Linux boot, about once in 50). */
Test(fault_map, host_pc_found_while_another_block_is_translated)
{
    static uint8_t code[64 * 64];
    struct tr_engine *e = calloc(1, sizeof(*e));
    cr_assert_not_null(e);
    e->tc.max_blocks = 64;
    e->tc.blocks = calloc(e->tc.max_blocks, sizeof(struct tr_block));
    for (int n = 1; n < 40; n++) {
        e->tc.n_blocks = e->tc.n_published = 0;
        for (int k = 0; k < n; k++) {
            struct tr_block *tb = tc_alloc_block(e, 0x1000 + 0x40 * (uint64_t)k);
            tb->code = code + 64 * k;
            tb->code_size = 48;
            tc_insert(e, tb);
        }
        struct tr_block *busy = tc_alloc_block(e, 0x9000);     /* no code yet */
        for (int k = 0; k < n; k++)
            for (int off = 0; off < 48; off += 7)
                cr_assert_eq(tc_find_by_host_pc(e, (uintptr_t)(code + 64 * k + off)),
                             &e->tc.blocks[k], "%d blocks, block %d, offset %d", n, k, off);
        busy->code = code;              /* a dropped block's, left by a flush */
        busy->code_size = 64 * 64;
        for (int k = 0; k < n; k++)
            cr_assert_eq(tc_find_by_host_pc(e, (uintptr_t)(code + 64 * k + 40)), &e->tc.blocks[k]);
        cr_assert_null(tc_find_by_host_pc(e, (uintptr_t)(code + 64 * n + 8)));
    }
    free(e->tc.blocks);
    free(e);
}
