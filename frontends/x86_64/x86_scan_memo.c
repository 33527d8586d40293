/* x86_scan_memo.c -- a memo of the successor flag scans (x86_translate.c).
 *
 * A block that ends at a jump looks a few instructions into each successor
 * to learn whether the flags it leaves are read there.  Many blocks share
 * successors (a function's entry is scanned by every call to it), so the
 * answer is kept per pc in a small direct-mapped table.  An entry holds the
 * guest bytes its scan decoded and is used only while those bytes can
 * still be fetched and are unchanged: rewritten, unmapped or remapped code
 * is scanned afresh, with no invalidation hook.  The check fetches through
 * the caller's guest-memory interface, so the translation still depends on
 * (is listed under) the pages the answer came from, as after a real scan.
 *
 * Translation runs under the engine's lock: the table needs none.
 */
#include <stdlib.h>
#include <string.h>

#include "translator.h"
#include "x86_scan_memo.h"

#define MEMO_BITS 12
#define MEMO_BYTES 44                   /* an entry fills a 64-byte line */
#define MEMO_PAGE_BITS 6                /* 64 entries in a 4 KiB page */

struct memo_entry {
    uint64_t pc;                        /* start of the first run */
    uint64_t start1;                    /* start of the second run */
    uint8_t len[X86_SCAN_SPANS];        /* len[0] == 0: empty */
    uint8_t n, result;
    uint8_t bytes[MEMO_BYTES];          /* the runs, one after the other */
};

static struct memo_entry *memo;

void x86_scan_trace_begin(struct x86_scan_trace *t)
{
    t->n = 0;
}

/* Continues the current run, or starts one (after a followed jump). */
void x86_scan_trace_add(struct x86_scan_trace *t, uint64_t pc, int size)
{
    if (t->n < 0)
        return;
    if (t->n > 0 && t->start[t->n - 1] + t->len[t->n - 1] == pc) {
        t->len[t->n - 1] += (uint32_t)size;
        return;
    }
    if (t->n == X86_SCAN_SPANS) {
        t->n = -1;
        return;
    }
    t->start[t->n] = pc;
    t->len[t->n++] = (uint32_t)size;
}

static struct memo_entry *memo_slot(uint64_t pc)
{
    if (!memo && !(memo = tr_table_alloc((1u << MEMO_BITS) * sizeof *memo)))
        return NULL;
    /* A guest page's successors share one host page of the table (64
     * entries), picked by a hash of the page number: each table page first
     * touched is a page fault (about 60,000 host instructions' worth here),
     * and a small program spread over all 64 pages paid more in faults
     * than its hits saved. */
    uint64_t h = (pc >> 12) * 0x9e3779b97f4a7c15ull;
    unsigned where = (unsigned)(h >> (64 - (MEMO_BITS - MEMO_PAGE_BITS)));
    unsigned within = (unsigned)(pc ^ (pc >> MEMO_PAGE_BITS) ^ (h >> 32)) &
                      ((1u << MEMO_PAGE_BITS) - 1);
    return &memo[where << MEMO_PAGE_BITS | within];
}

static uint64_t run_start(const struct memo_entry *e, int k)
{
    return k == 0 ? e->pc : e->start1;
}

/* The run's bytes can be fetched now and equal the remembered ones. */
static bool run_unchanged(const struct tr_guest_mem *mem, uint64_t start, const uint8_t *bytes,
                          size_t len)
{
    return mem->fetchable(mem, start, len) == len && memcmp(tr_g2h(mem, start), bytes, len) == 0;
}

int x86_scan_memo_get(const struct tr_guest_mem *mem, uint64_t pc)
{
    const struct memo_entry *e = memo_slot(pc);
    if (!e || !e->len[0] || e->pc != pc)
        return -1;
    const uint8_t *bytes = e->bytes;
    for (int k = 0; k < e->n; k++) {
        if (!run_unchanged(mem, run_start(e, k), bytes, e->len[k]))
            return -1;
        bytes += e->len[k];
    }
    return e->result;
}

static uint32_t trace_bytes(const struct x86_scan_trace *t)
{
    uint32_t sum = 0;
    for (int k = 0; k < t->n; k++)
        sum += t->len[k];
    return sum;
}

void x86_scan_memo_put(const struct tr_guest_mem *mem, uint64_t pc,
                       const struct x86_scan_trace *t, int result)
{
    struct memo_entry *e = memo_slot(pc);
    if (!e || t->n <= 0 || t->start[0] != pc || trace_bytes(t) > MEMO_BYTES)
        return;
    e->pc = pc;
    e->start1 = t->n > 1 ? t->start[1] : 0;
    e->n = (uint8_t)t->n;
    e->result = (uint8_t)result;
    uint8_t *bytes = e->bytes;
    for (int k = 0; k < t->n; k++) {
        memcpy(bytes, tr_g2h(mem, t->start[k]), t->len[k]);
        e->len[k] = (uint8_t)t->len[k];
        bytes += t->len[k];
    }
    if (t->n < X86_SCAN_SPANS)
        e->len[1] = 0;
}
