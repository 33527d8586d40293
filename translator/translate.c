/* translate.c -- guest pc -> translated block: frontend, optimizer,
 * validation, register allocation and emission into the engine's code
 * cache, with the -d in_asm/ir/out_asm logs and the --stats execution
 * counter.  Runs under the engine's translation lock, on its scratch. */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "regalloc.h"
#include "tr_internal.h"

#define TR_MAX_BLOCK_INSNS 256

/* --stats: the block bumps its own counter with host-address ld/st. */
static void add_exec_counter(struct ir_block *b, struct tr_block *tb)
{
    if (b->n_insns + 3 > IR_MAX_INSNS || b->n_values + 4 > IR_MAX_VALUES)
        return;
    memmove(&b->insns[3], &b->insns[0], sizeof(b->insns[0]) * (size_t)b->n_insns);
    int n = b->n_insns;
    b->n_insns = 0;
    ir_ref addr = ir_const(b, (uint64_t)(uintptr_t)&tb->exec_count);
    ir_ref t = ir_temp(b);
    ir_ld(b, IR_MO_64 | IR_MO_HOST, t, addr);
    ir_binop(b, IR_add, 64, t, t, ir_const(b, 1));
    ir_st(b, IR_MO_64 | IR_MO_HOST, addr, t);
    b->n_insns = n + 3;
}

/* Whether the block may continue in translated code at or before its
 * own start: a backward direct exit (a call's included).  Indirect exits
 * need no test: a jump-cache probe misses once a request is made
 * (exit_request.c), and a ret the return-address stack predicts needs
 * no test either (docs/architecture.md, "exit_request"): every hit pops
 * the entry of a call still pending, whose return pc lies past the start
 * of the calling block, and every chained call goes forward (a backward
 * one is a backward direct exit), so the pending calls' blocks start at
 * rising addresses -- a path of forward exits, forward calls and
 * predicted rets cannot repeat without a backward direct exit or a
 * probe.  (Blocks with an indirect exit are a ninth of those cc1 runs;
 * with the stack on, the test cost each two host instructions.) */
static bool is_backward_exit(const struct ir_block *b, const struct ir_insn *i)
{
    return (i->op == IR_goto_tb || i->op == IR_brcond) && (uint64_t)i->aux[0] <= b->guest_pc;
}

static bool may_loop(const struct ir_block *b)
{
    for (int k = 0; k < b->n_insns; k++)
        if (is_backward_exit(b, &b->insns[k]))
            return true;
    return false;
}

/* A thread looping in chained blocks must still reach the dispatcher when
 * another thread needs it out (exclusive flush) or a host signal arrives
 * for the guest: such blocks start by testing rt.exit_request.  Every
 * cycle of chained blocks contains one with a backward exit (the one
 * starting highest), so blocks whose exits all go forward skip the test;
 * a cycle through the jump cache reaches the dispatcher once requested.
 * Where the backend starts every block with its guard load
 * (be_desc.guard_every_block), every block has the test and only
 * backward chains run it (tc_chain_entry): a cycle's backward exit is a
 * chain into a block's test.  False: a block that should test has no
 * room for it (no backward chain may enter it: tc_chain). */
static bool add_exit_request(const struct tr_engine *e, struct ir_block *b)
{
    bool guard = e->cfg.env_guard && be_host.request_guard && !(b->mode & TR_MODE_REQUEST_FLAG);
    bool every = guard && be_host.guard_every_block, loops = may_loop(b);
    if (!every && !loops)
        return true;
    if (b->n_insns + 1 > IR_MAX_INSNS)
        return !every;
    memmove(&b->insns[1], &b->insns[0], sizeof(b->insns[0]) * (size_t)b->n_insns);
    int n = b->n_insns;
    b->n_insns = 0;
    ir_exit_request(b, b->guest_pc);
    b->n_insns = n + 1;
    if (guard)                                      /* test: one guard load */
        b->insns[0].aux[1] = IR_REQUEST_GUARD | (every ? IR_REQUEST_BACKWARD_ONLY : 0) |
                             (loops ? 0 : IR_REQUEST_NO_LOOP);
    return true;
}

/* Without the return-address stack, calls and rets are plain exits; with
 * it, so are they under -d exec (every block through the dispatcher). */
static void drop_xfer_hints(const struct tr_engine *e, struct ir_block *b)
{
    bool ras = e->cfg.ras < 0 ? be_host.ras_default : e->cfg.ras;
    if (ras && !LOG_ON(LOG_EXEC))
        return;
    for (int k = 0; k < b->n_insns; k++)
        if (b->insns[k].op == IR_goto_tb || b->insns[k].op == IR_exit_indirect)
            b->insns[k].cond = IR_XFER_JUMP;
}

static void log_out_asm(const struct tr_block *tb)
{
    static csh cs;
    static bool opened;
    if (!opened && cs_open((cs_arch)be_host.cs_arch, (cs_mode)be_host.cs_mode, &cs) != CS_ERR_OK)
        return;
    opened = true;
    cs_insn *insn;
    size_t n = cs_disasm(cs, tb->code, tb->code_size, (uint64_t)(uintptr_t)tb->code, 0, &insn);
    fprintf(ferry_log, "OUT 0x%" PRIx64 "%s: %u bytes", tb->guest_pc, variant_name(tb), tb->code_size);
    fprintf(ferry_log, tb->entry_off ? ", entered at +%u but by backward chains\n" : "\n", tb->entry_off);
    for (size_t k = 0; k < n; k++)
        fprintf(ferry_log, "  0x%" PRIx64 ":  %-8s %s\n", insn[k].address, insn[k].mnemonic, insn[k].op_str);
    fputc('\n', ferry_log);
    if (n)
        cs_free(insn, n);
}

/* Builds the IR, halving the instruction budget while it overflows.  The
 * frontend fetches through the log of pages the block depends on. */
static void build_ir(struct tr_engine *e, uint64_t pc, uint32_t mode, int max_insns)
{
    struct ir_block *b = &e->xl->work->ir;
    const struct tr_guest_mem *mem = tc_fetch_log_start(e);
    for (int max = max_insns;; max /= 2) {
        ir_block_init(b, &e->globals, pc);
        b->mode = mode;
        e->cfg.guest->translate(b, mem, pc, max);
        if (mem->mode == TR_MEM_SOFTMMU && !b->overflow)
            softmmu_lower(b, mem->soft);
        if (!b->overflow || max <= 1)
            return;
    }
}

static void check_ir(const struct ir_block *b)
{
    const char *err = ir_validate(b);
    if (!err)
        return;
    fprintf(stderr, "ferry: internal error: invalid IR for block 0x%" PRIx64 ": %s\n",
            b->guest_pc, err);
    ir_dump(b, stderr);
    abort();
}

static bool emit_block(struct tr_engine *e, struct tr_block *tb, bool cacheable)
{
    struct be_code c;
    tc_code_buffer(e, &c);
    c.tb = tb;
    if (cacheable) {
        e->xl->relocs.n = 0;
        e->xl->relocs.overflow = false;
        c.relocs = &e->xl->relocs;
    }
    c.guest_end = tb->guest_pc + e->xl->work->ir.guest_size;
    const struct be_code fresh = c;
    if (!ra_emit_block(e->xl->work->ra, &c, &e->xl->work->ir))
        return false;
    while (be_emit_again && be_emit_again(&c)) {    /* the backend learnt from it */
        c = fresh;
        if (cacheable)
            e->xl->relocs.n = 0, e->xl->relocs.overflow = false;
        if (!ra_emit_block(e->xl->work->ra, &c, &e->xl->work->ir))
            return false;
    }
    tb->code = c.start;
    tb->code_size = (uint32_t)(c.ptr - c.start);
    memcpy(tb->jump_site, c.jump_site, sizeof(tb->jump_site));
    memcpy(tb->stub, c.stub, sizeof(tb->stub));
    tb->entry_off = c.entry_off;
    tc_commit_code(e, c.ptr);
    return true;
}

static void log_block(struct tr_engine *e, const struct tr_block *tb)
{
    const struct ir_block *b = &e->xl->work->ir;
    if (LOG_ON(LOG_IN_ASM)) {
        fprintf(ferry_log, "IN 0x%" PRIx64 ": %u insns\n", tb->guest_pc, b->guest_insns);
        e->cfg.guest->disas(ferry_log, e->cfg.mem, tb->guest_pc, tb->guest_size);
        fputc('\n', ferry_log);
    }
    if (LOG_ON(LOG_IR))
        ir_dump(b, ferry_log);
    if (LOG_ON(LOG_OUT_ASM))
        log_out_asm(tb);
}

static bool translate_into(struct tr_engine *e, struct tr_block *tb, uint64_t pc, int max_insns);

/* The scratch of translating, made at the first translation (tr_internal.h:
 * a warm process may translate nothing). */
static void xlate_work_ready(struct tr_engine *e)
{
    struct tr_xlate_work *w = e->xl->work;
    if (w)
        return;
    w = tr_table_alloc(sizeof(*w));
    if (!w) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    w->ra = ra_state_new();
    e->xl->work = w;
}

/* One attempt; false when the cache or the block table is full.  A block
 * that needs too many spill slots is retried with fewer instructions. */
static bool try_translate(struct tr_engine *e, uint64_t pc, uint32_t mode, int budget,
                          struct tr_block **out)
{
    xlate_work_ready(e);
    for (int max = budget;; max = max > 1 ? max / 2 : 1) {
        struct tr_block *tb = tc_alloc_block(e, pc);
        if (!tb)
            return false;
        tb->mode = mode;
        if (translate_into(e, tb, pc, max)) {
            *out = tb;
            return true;
        }
        tc_free_last_block(e, tb);
        if (!ra_spill_overflow(e->xl->work->ra) || max == 1)
            return false;
    }
}

/* Whether the insn may call a helper: one may change the translation
 * mode (ldmxcsr, fxrstor, ...), after which its block's exits must come
 * back to the dispatcher (chain() checks the mode at every exit). */
static bool calls_helper(const struct ir_insn *i)
{
    uint16_t flags = ir_op_info[i->op].flags;
    return (flags & IR_F_CALL) || ((flags & IR_F_VEC) && ir_vec_helper(i));
}

/* The guest pc each chain slot leads to, for chaining ahead (chain_ahead);
 * none in a block that calls a helper.  One walk over the block. */
static void note_exit_pcs(struct tr_engine *e, const struct ir_block *b)
{
    uint64_t *pc = e->xl->exit_pc;
    pc[0] = pc[1] = 0;
    for (int k = 0; k < b->n_insns; k++) {
        const struct ir_insn *i = &b->insns[k];
        if (calls_helper(i)) {
            pc[0] = pc[1] = 0;
            return;
        }
        bool direct = i->op == IR_goto_tb || i->op == IR_brcond || i->op == IR_brflags;
        if (direct && i->aux[1] >= 0 && i->aux[1] < 2)
            pc[i->aux[1]] = (uint64_t)i->aux[0];
    }
}

static bool translate_into(struct tr_engine *e, struct tr_block *tb, uint64_t pc, int max_insns)
{
    struct ir_block *b = &e->xl->work->ir;
    build_ir(e, pc, tb->mode, max_insns);
    const struct tr_guest_mem *mem = e->cfg.mem;
    bool writable = !b->code_fixed && mem->writable(mem, pc, b->guest_size);
    /* Variants for the access checks' register facts are not cached (as
     * since they were made); those for the frontend's facts alone are
     * (x86: the lazy flag state), or a warm run translates them again. */
    bool reg_facts = (tb->mode >> TR_MODE_FACTS_SHIFT) & TR_FACTS_REGS;
    bool cacheable = !writable && !reg_facts && tcache_cacheable(e, pc, b->guest_size);
    if (writable) {
        smc_prepare(tb, b->guest_size);
        smc_guard_stores(b, tb, mem);
        smc_guard_block(b, tb, mem);
    }
    ir_fold_canonical(b, be_host.canonical_at_exit);
    if (be_host.canon_test_calls)
        ir_call_canon_tests(b);
    if (e->cfg.count_blocks)
        add_exec_counter(b, tb);
    tb->untested = !add_exit_request(e, b);
    drop_xfer_hints(e, b);
    ir_forward_vec_copies(b);
    ir_optimize(b);
    ir_fold_load_ext(b);
    if (be_host.ext_operands)
        ir_fold_bit_tests(b);
    if (be_host.keeps_flags)
        ir_fuse_flags(b, softmmu_keeps_flags(e->cfg.mem, be_host.keeps_flags));
    if (be_host.ext_operands) {
        ir_fold_ext(b);
        ir_rebase_accesses(b);
        ir_predict_fallthrough(b);
        ir_fold_range_tests(b);
        ir_fold_shift_counts(b);
    }
    if (be_host.merge_stack_runs && mem->mode == TR_MEM_HOST)
        ir_merge_stack_runs(b);
    if (be_host.store_cross_tests && be_store_cross_check && mem->mode == TR_MEM_HOST)
        ir_mark_stack_stores(b);
    if (be_host.canonical_accesses && e->cfg.check_canonical && mem->mode == TR_MEM_HOST)
        ir_check_accesses(b);
    if (e->cfg.check_ir)
        check_ir(b);
    note_exit_pcs(e, b);
    fault_begin_block(e);
    if (!emit_block(e, tb, cacheable))
        return false;
    tb->guest_size = b->guest_size;
    memcpy(tb->exit_facts, b->exit_facts, sizeof(tb->exit_facts));
    tb->flags_dead_in = b->flags_dead_in;
    fault_keep_map(e, tb);
    if (writable)
        smc_keep_bytes(e, tb, b->guest_bytes);
    if (cacheable)
        tcache_record(e, tb, &e->xl->relocs, b->guest_insns);
    return true;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A new block's direct exits to blocks already there jump to them from
 * the start: no trip through the dispatcher for them, and the patch is
 * made before the block first runs (patching code that has run costs the
 * host a pipeline flush).  Chaining later, as chain() does, stays for
 * successors still to come. */
static void chain_to_pcs(struct tr_engine *e, struct tr_block *tb, const uint64_t exit_pc[2])
{
    if (LOG_ON(LOG_EXEC))               /* -d exec logs every block entered */
        return;
    for (int slot = 0; slot < 2; slot++) {
        uint64_t pc = exit_pc[slot];
        struct tr_block *to = pc ? tc_lookup(e, pc, tr_successor_mode(tb, slot)) : NULL;
        if (to && tc_chain(e, tb, slot, to))
            e->stats.chains_patched++;
    }
}

static void chain_ahead(struct tr_engine *e, struct tr_block *tb)
{
    chain_to_pcs(e, tb, e->xl->exit_pc);
}

/* A new block becomes findable by pc and by page, and the embedder hears of it. */
static void make_findable(struct tr_engine *e, struct tr_block *tb)
{
    tc_insert(e, tb);
    tc_pages_add(e, tb);
    if (e->cfg.on_translate)
        e->cfg.on_translate(e->cfg.opaque, tb->guest_pc, tb->guest_size, tb->code, tb->code_size);
}

static void register_block(struct tr_engine *e, struct tr_block *tb)
{
    make_findable(e, tb);
    chain_ahead(e, tb);
}

/* A block from the persistent cache, registered like a translated one;
 * with the blocks restored ahead of it (tcache.c, "restoring ahead"), each
 * registered as it comes, chained once all are there, the chains made in
 * the staging copy (the backends read a chain site where they write it),
 * which tcache_ahead_end writes where the code runs.  Nothing runs
 * meanwhile: one thread. */
#define AHEAD_MAX 2048

static struct tr_block *from_tcache(struct tr_engine *e, uint64_t pc, uint32_t mode)
{
    static struct { struct tr_block *tb; uint64_t exit_pc[2]; } batch[AHEAD_MAX];
    bool ahead = tcache_ahead_begin(e);
    struct tr_block *tb = tcache_restore(e, pc, mode), *next = tb;
    if (!ahead) {
        if (tb)
            register_block(e, tb);
        return tb;
    }
    unsigned n = 0;
    while (next) {
        make_findable(e, next);
        batch[n].tb = next;
        memcpy(batch[n++].exit_pc, e->xl->exit_pc, sizeof batch[0].exit_pc);
        next = n < AHEAD_MAX ? tcache_restore_ahead(e) : NULL;
    }
    for (unsigned k = 0; k < n; k++)
        chain_to_pcs(e, batch[k].tb, batch[k].exit_pc);
    tcache_ahead_end(e);
    return tb;
}

struct tr_block *tr_translate(struct tr_engine *e, uint64_t pc, uint32_t mode)
{
    /* a record holds one block per pc, of the mode it was made in (a
     * process with a fault handler runs X86_TB_PRECISE blocks) */
    struct tr_block *tb = e->tcache ? from_tcache(e, pc, mode) : NULL;
    if (tb)
        return tb;
    uint64_t start = now_ns();
    if (!try_translate(e, pc, mode, TR_MAX_BLOCK_INSNS, &tb)) {
        tc_flush(e);
        if (!try_translate(e, pc, mode, TR_MAX_BLOCK_INSNS, &tb)) {
            fprintf(stderr, "ferry: block at 0x%" PRIx64 " does not fit in the code cache\n", pc);
            exit(1);
        }
    }
    register_block(e, tb);
    e->stats.blocks_translated++;
    e->stats.guest_insns_translated += e->xl->work->ir.guest_insns;
    e->stats.translate_ns += now_ns() - start;
    log_block(e, tb);
    return tb;
}

/* The golden codegen tests' way in (tests/golden/): the same pipeline as
 * tr_translate, from an emptied cache so the code always starts at the
 * same place, with the caller's instruction budget, and nothing runs. */
struct tr_host_code tr_translate_alone(struct tr_engine *e, uint64_t pc, int max_insns)
{
    struct tr_block *tb = NULL;
    tr_lock(e);
    tc_flush(e);
    if (!try_translate(e, pc, 0, max_insns, &tb)) {
        fprintf(stderr, "ferry: block at 0x%" PRIx64 " cannot be translated\n", pc);
        exit(1);
    }
    log_block(e, tb);
    tr_unlock(e);
    return (struct tr_host_code){ tb->code, tb->code_size, tb, e->tc.base };
}
