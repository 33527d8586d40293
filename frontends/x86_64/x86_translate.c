/* x86_translate.c -- the block loop: decodes guest code with capstone,
 * runs the flag-liveness pass, dispatches each instruction to the handler
 * of its row in the dispatch table (x86_dispatch.h: by capstone id, rows
 * in the family files) and ends the block.
 *
 * Pass 1 decodes up to the first control transfer (never past readable
 * memory); pass 2 walks the instructions backwards to find which flag
 * results are read; pass 3 emits IR.  If the IR buffer would overflow,
 * the block is re-emitted with fewer instructions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "translator.h"
#include "guest_mem.h"
#include "x86_internal.h"
#include "x86_quick.h"
#include "x86_system.h"
#include "x86_decode_quirks.h"
#include "x86_scan_memo.h"
#include "x86_sse.h"
#include "x86_avx2.h"
#include "x86_isa_alias.h"
#include "x86_code_snap.h"

#define X86_MAX_BLOCK_INSNS 128
#define X86_PAGE 4096ull
/* Room one instruction may need in the IR buffer (rep string, cmpxchg8b). */
#define X86_IR_HEADROOM 160

static csh x86_cs;                  /* the decoder of the block being translated */
static csh x86_cs64, x86_cs32, x86_cs16;    /* 64-bit; 32-bit protected, real mode (system) */
static bool x86_code32;             /* the block is 32- or 16-bit code: no quick decoder, no cache */
static bool x86_code16;             /* ... 16-bit (real mode): branch targets wrap in CS */
static uint64_t x86_cs_base;        /* real mode: the CS base pcs include */
static cs_insn *x86_insns[X86_MAX_BLOCK_INSNS];

struct block_plan {
    int n;                          /* decoded instructions */
    bool fetch_fault;               /* insn n is not readable */
    bool too_long;                  /* insn n-1 is undecodable as over 15 bytes: #GP */
    bool flags_live[X86_MAX_BLOCK_INSNS];
    bool cf_live[X86_MAX_BLOCK_INSNS];  /* the same for CF alone */
    bool live_in[X86_MAX_BLOCK_INSNS];  /* flags read at or after insn i, before a full writer */
    bool exit_live;                 /* flags read after the block's direct exits */
    bool exit_cf_live;              /* ... CF in particular */
    bool taken_live, fall_live;     /* ... after a final jcc's target, its fall-through */
    bool precise;                   /* every fault point reads the flags (x86_fault_flags.c) */
    bool xm;                        /* SIMD float insns may fault (X86_TB_XM) */
    bool too_big;                   /* insn 0 alone overflows the IR buffer */
    bool system;                    /* fe_x86_64_system: privileged insns run */
    bool code32;                    /* 32-bit protected-mode code (system mode only) */
    bool code16;                    /* real-mode code (system mode only) */
    bool step;                      /* TF: one insn, then a trap (x86_single_step.c) */
};

/* The decoded-instruction slot n, allocated on first use: a slot and its
 * detail take 2 KiB, and most processes never translate a block of more
 * than a few dozen instructions.  From the translator's table region (as
 * cs_malloc lays one out: the detail is the insn's to fill), where the
 * pages of its other tables are (each page first touched is a fault). */
static cs_insn *x86_insn_slot(int n)
{
    if (x86_insns[n])
        return x86_insns[n];
    cs_insn *ci = tr_table_alloc(sizeof(cs_insn) + sizeof(cs_detail));
    if (!ci) {
        fprintf(stderr, "ferry: out of memory\n");
        _exit(1);
    }
    ci->detail = (cs_detail *)(ci + 1);
    return x86_insns[n] = ci;
}

static void x86_init(void)
{
    if (x86_insns[0]) return;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &x86_cs64) != CS_ERR_OK
        || cs_open(CS_ARCH_X86, CS_MODE_32, &x86_cs32) != CS_ERR_OK
        || cs_open(CS_ARCH_X86, CS_MODE_16, &x86_cs16) != CS_ERR_OK) {
        fprintf(stderr, "ferry: cannot initialise capstone\n");
        _exit(1);
    }
    cs_option(x86_cs64, CS_OPT_DETAIL, CS_OPT_ON);
    cs_option(x86_cs32, CS_OPT_DETAIL, CS_OPT_ON);
    cs_option(x86_cs16, CS_OPT_DETAIL, CS_OPT_ON);
    x86_cs = x86_cs64;
    x86_insn_slot(0);
}

/* ---- fetching guest code ------------------------------------------------ */

/* Whether the host bytes of guest address at follow those of at - 1: a
 * software MMU maps adjacent guest pages anywhere. */
static bool host_follows(const struct tr_guest_mem *mem, uint64_t at)
{
    return mem->mode == TR_MEM_HOST || (uint8_t *)tr_g2h(mem, at - 1) + 1 == tr_g2h(mem, at);
}

/* Extends *end (page aligned, fetchable below it) by whole pages to cover
 * the 15 bytes an instruction at pc may take, if the guest-memory
 * interface allows.  The decoder reads [pc, *end) as one host range: when
 * pc is below *end, the pages added must follow in host memory too (an
 * instruction crossing into a page mapped elsewhere is joined by
 * decode_one instead; reading on in host memory would decode the bytes of
 * whatever physical page comes next). */
static void extend_readable_pages(const struct tr_guest_mem *mem, uint64_t *end, uint64_t pc)
{
    uint64_t want = pc + 15;
    uint64_t pages = (want - *end + X86_PAGE - 1) & ~(X86_PAGE - 1);
    size_t got = mem->fetchable(mem, *end, pages) & ~(X86_PAGE - 1);
    if (got && pc < *end && !host_follows(mem, *end))
        return;
    *end += got;
}

/* (Inline: most instructions are well inside the pages already asked about.) */
static inline void extend_readable(const struct tr_guest_mem *mem, uint64_t *end, uint64_t pc)
{
    if (*end < pc + 15)
        extend_readable_pages(mem, end, pc);
}

/* ---- pass 1 and 2 ------------------------------------------------------ */

/* ---- decoded-instruction cache ------------------------------------------
 * Capstone (with its text printer, which cannot be turned off) is the
 * largest single cost of translation, and the successor flag scans decode
 * the same instructions again when their blocks are translated.  A small
 * direct-mapped cache keyed by guest address keeps recent decodings; an
 * entry is used only when the guest bytes still equal the cached ones, so
 * rewritten code is decoded afresh.  Only the part of the detail the
 * frontend reads (the common header and the x86 member) is kept. */
#define X86_DCACHE_BITS 8
#define X86_DETAIL_KEEP (offsetof(cs_detail, x86) + sizeof(cs_x86))

struct x86_dcache_entry {
    uint64_t address;
    unsigned int id;
    uint16_t size;                  /* 0: empty */
    uint8_t bytes[16];
    uint8_t detail[X86_DETAIL_KEEP];
};

static struct x86_dcache_entry *x86_dcache;

static struct x86_dcache_entry *dcache_slot(uint64_t pc)
{
    if (!x86_dcache) {
        x86_dcache = tr_table_alloc((1u << X86_DCACHE_BITS) * sizeof *x86_dcache);
        if (!x86_dcache) return NULL;
    }
    uint64_t h = (pc ^ (pc >> X86_DCACHE_BITS)) & ((1u << X86_DCACHE_BITS) - 1);
    return &x86_dcache[h];
}

/* A hit leaves the text (mnemonic, op_str) empty: only logs print it. */
static bool dcache_get(const struct x86_dcache_entry *e, cs_insn *ci, uint64_t pc,
                       const uint8_t *code, size_t avail)
{
    if (!e || !e->size || e->address != pc || e->size > avail ||
        memcmp(e->bytes, code, e->size) != 0)
        return false;
    ci->id = e->id;
    ci->address = pc;
    ci->size = e->size;
    memcpy(ci->bytes, e->bytes, sizeof e->bytes);
    ci->mnemonic[0] = ci->op_str[0] = 0;
    memcpy(ci->detail, e->detail, X86_DETAIL_KEEP);
    return true;
}

static void dcache_put(struct x86_dcache_entry *e, const cs_insn *ci)
{
    if (!e) return;
    e->address = ci->address;
    e->id = ci->id;
    e->size = ci->size;
    memcpy(e->bytes, ci->bytes, sizeof e->bytes);
    memcpy(e->detail, ci->detail, X86_DETAIL_KEEP);
}

/* An instruction capstone 4 lacks, decoded as an equivalent encoding
 * (x86_avx2.c, x86_decode_quirks.c) or as one of the same shape with its
 * own id (x86_isa_alias.c: vector forms; x86_ext_decode.c: clzero, rdpru,
 * movdiri, movdir64b, 64-bit code only); ci keeps the guest's bytes. */
static bool decode_alias(const uint8_t *code, size_t size, uint64_t pc, cs_insn *ci)
{
    uint8_t alias[15];
    if (!x86_avx2_alias(code, size, alias) && !x86_sreg_rex_alias(code, size, alias))
        return x86_isa_alias(x86_cs, code, size, pc, ci) ||
               (!x86_code32 && x86_ext_decode(x86_cs, code, size, pc, ci));
    const uint8_t *p = alias;
    uint64_t addr = pc;
    if (!cs_disasm_iter(x86_cs, &p, &size, &addr, ci)) return false;
    memcpy(ci->bytes, code, ci->size);
    return true;
}

/* How many bytes of an instruction that runs into the next page may be
 * fetched there when that page's bytes do not follow in the host (a
 * software MMU maps it elsewhere); size bytes are before readable_end. */
static size_t next_page_bytes(const struct tr_guest_mem *mem, size_t size, uint64_t readable_end)
{
    if (readable_end & (X86_PAGE - 1)) return 0;
    return mem->fetchable(mem, readable_end, 15 - size);
}

/* Real mode: a relative branch's target is IP + size + rel, wrapped at
 * 64 KiB (at 4 GiB with an operand-size prefix), plus the CS base
 * (capstone computes it from the linear pc the block is keyed by). */
static void fix_code16_target(cs_insn *ci)
{
    cs_detail *d = ci->detail;
    bool relative = false;
    for (int g = 0; g < d->groups_count; g++)
        relative |= d->groups[g] == CS_GRP_BRANCH_RELATIVE;
    cs_x86_op *t = &d->x86.operands[0];
    if (!relative || d->x86.op_count != 1 || t->type != X86_OP_IMM)
        return;
    uint64_t wrap = d->x86.prefix[2] == X86_PREFIX_OPSIZE ? 0xffffffffull : 0xffffull;
    t->imm = (int64_t)(x86_cs_base + (((uint64_t)t->imm - x86_cs_base) & wrap));
}

/* Decodes the instruction at pc.  With win (code the guest may write),
 * from one read of its bytes, which stay in win (*win_n of them: what a
 * block keeps for its code check, x86_code_snap.c). */
static bool decode_one(const struct tr_guest_mem *mem, cs_insn *ci, uint64_t pc,
                       uint64_t *readable_end, uint8_t win[15], size_t *win_n)
{
    uint8_t joined[15];
    *win_n = 0;
    extend_readable(mem, readable_end, pc);
    if (*readable_end <= pc) return false;
    size_t size = *readable_end - pc < 15 ? *readable_end - pc : 15;
    size_t more = size < 15 ? next_page_bytes(mem, size, *readable_end) : 0;
    const uint8_t *code = tr_g2h(mem, pc);
    if (win || more) {
        size += more;
        code = win ? win : joined;
        x86_code_window(mem, pc, size, (uint8_t *)code);
        *win_n = size;
    }
    uint8_t reordered[15], rep_alias[15], branch_alias[15];
    if (x86_legacy_prefix(code[0])) {       /* (no quirk applies without one) */
        code = x86_prefix_order(code, size, reordered);
        if (x86_rep_opsize_alias(x86_cs, code, size, rep_alias)) code = rep_alias;
        /* (64-bit code only: in compatibility mode 4x is inc/dec, f3 41 90
         * `rep inc ecx; nop`) */
        if (!x86_code32 && x86_machine()->intel && x86_branch_opsize_alias(code, size, branch_alias))
            code = branch_alias;
        else if (!x86_code32 && x86_pause_rex_alias(code, size, branch_alias))
            code = branch_alias;
    }
    if (size == 15 && !x86_code32 && x86_quick_insn(code, pc, ci)) return true;
    struct x86_dcache_entry *e = x86_code32 ? NULL : dcache_slot(pc);
    if (dcache_get(e, ci, pc, code, size)) return true;
    uint64_t addr = pc;
    const uint8_t *start = code;
    size_t avail = size;
    if (!cs_disasm_iter(x86_cs, &code, &size, &addr, ci))
        return x86_hint_decode(start, avail, pc, ci) || decode_alias(start, avail, pc, ci);
    if (x86_code16)
        fix_code16_target(ci);
    dcache_put(e, ci);
    return true;
}

/* What the block's decoding found fetchable: [lo, hi), page aligned (the
 * successor scans that follow start from it instead of asking again). */
static struct { uint64_t lo, hi; } x86_fetched;
/* Pages the block's decoding found the guest cannot write: [lo, hi). */
static struct { uint64_t lo, hi; } x86_fixed;

static void plan_decode(const struct tr_guest_mem *mem, struct block_plan *p, uint64_t pc,
                        int max_insns)
{
    uint64_t readable_end = pc & ~(X86_PAGE - 1);
    x86_fetched.lo = readable_end;
    if (max_insns > X86_MAX_BLOCK_INSNS) max_insns = X86_MAX_BLOCK_INSNS;
    if (max_insns < 1) max_insns = 1;
    p->n = 0; p->fetch_fault = p->too_long = false;
    /* (A block spans two pages at most.) */
    bool writable = mem->writable(mem, pc & ~(X86_PAGE - 1), 2 * X86_PAGE);
    x86_fixed.lo = pc & ~(X86_PAGE - 1);
    x86_fixed.hi = writable ? x86_fixed.lo : x86_fixed.lo + 2 * X86_PAGE;
    x86_snap_begin(pc, writable);
    while (p->n < max_insns) {
        cs_insn *ci = x86_insn_slot(p->n);
        uint8_t win[15];
        size_t win_n;
        if (!decode_one(mem, ci, pc, &readable_end, writable ? win : NULL, &win_n)) {
            x86_snap_keep(pc, win, win_n);  /* the bytes a SIGILL block covers */
            ci->id = X86_INS_INVALID; ci->size = 0;
            /* Undecodable: a fetch fault if it needed unreadable bytes
             * (pc + 15 may wrap: a jump to 0xffffffffffffffff). */
            p->fetch_fault = readable_end <= pc || readable_end - pc < 15;
            if (!p->fetch_fault) p->n++;     /* translated as SIGILL */
            if (!p->fetch_fault && !x86_code32) p->too_long = x86_too_long(x86_cs, tr_g2h(mem, pc), readable_end - pc);
            break;
        }
        const struct x86_insn_row *e = x86_row_of_id(ci->id);
        x86_snap_keep(pc, win, ci->size);
        p->n++;
        pc += ci->size;
        if (e && e->ends_block) break;
    }
    x86_fetched.hi = readable_end;
}

static bool decoded_ok(const cs_insn *ci) { return ci->id != X86_INS_INVALID && ci->size; }

/* A row's flag class on the machine ferry imitates: tzcnt/lzcnt keep OF
 * on AMD (their rows' PASS) but clear it on Intel (x86_bits.c), where
 * they overwrite all six flags without reading them -- the flags before
 * them are then dead (glibc's AVX2 strlen: `test eax, eax; jz ...;
 * tzcnt eax, eax`, whose jz stores no flags on the tzcnt path). */
static int machine_fclass(unsigned id, int cls)
{
    if ((id == X86_INS_TZCNT || id == X86_INS_LZCNT) && x86_machine()->intel)
        return X86_FL_FULL;
    return cls;
}

/* The tables mark vector rows READ (x86_dispatch.h), but no SSE, AVX or
 * MMX instruction reads the arithmetic flags: they pass them, so the
 * successor scan and the liveness see through float code (matmul's
 * self-loop `movupd ...; add; cmp; jne` stored the cmp's lazy flags every
 * pass for a successor whose movupd "read" them).  comis/ucomis overwrite
 * all six; ptest, pcmpXstrX and the like stay PASS, an overestimate. */
static int row_fclass(unsigned id, const struct x86_insn_row *e)
{
    if (e->opform == X86_OPF_ANY) return machine_fclass(id, e->fclass);
    switch (id) {
    case X86_INS_COMISS: case X86_INS_COMISD: case X86_INS_UCOMISS: case X86_INS_UCOMISD:
    case X86_INS_VCOMISS: case X86_INS_VCOMISD: case X86_INS_VUCOMISS: case X86_INS_VUCOMISD:
        return X86_FL_FULL;
    default:
        return X86_FL_PASS;
    }
}

/* Shifts by a non-zero constant overwrite every flag. */
static int fclass_of(const cs_insn *ci)
{
    const struct x86_insn_row *e = x86_row_of_id(ci->id);
    if (!e) return X86_FL_READ;
    if (ci->id == X86_INS_SHL || ci->id == X86_INS_SAL || ci->id == X86_INS_SHR ||
        ci->id == X86_INS_SAR) {
        const cs_x86 *x = &ci->detail->x86;
        if (x->op_count < 2) return X86_FL_FULL;
        if (x->operands[1].type == X86_OP_IMM && (x->operands[1].imm & 0x3f) != 0 &&
            (x->operands[0].size == 8 || (x->operands[1].imm & 0x1f) != 0))
            return X86_FL_FULL;
    }
    return row_fclass(ci->id, e);
}

/* Readers that look at flags other than CF only (je, setl, cmovs...). */
static bool id_reads_no_cf(unsigned id)
{
    int cc = x86_cc_of_insn(id);
    return cc >= 0 && (cc >> 1) != 1 && (cc >> 1) != 3;        /* not B/AE, BE/A */
}

static bool reads_no_cf(const cs_insn *ci) { return id_reads_no_cf(ci->id); }


static uint64_t direct_target_of(const cs_insn *ci)
{
    const cs_x86 *x = &ci->detail->x86;
    if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM) return 0;
    return (uint64_t)x->operands[0].imm;
}

/* Why the last scan answered that the flags are read (-d flagscan:
 * tests/bench/flagscan.py weighs the answers by how often each exit runs). */
enum scan_why { WHY_DEAD, WHY_READ, WHY_LIMIT, WHY_NOROW, WHY_RET, WHY_INDIRECT, WHY_END,
                WHY_NOFORK, WHY_CHANGE, WHY_DECODE, WHY_NOSCAN };
static const char *const scan_why_names[] = { "dead", "read", "limit", "norow", "ret",
    "indirect", "end", "nofork", "change", "decode", "noscan" };
struct scan_reason { enum scan_why why; unsigned id; };

/* What code at a successor does with the incoming flags, and why the scan
 * answered so (only -d flagscan prints `why`; it costs the scan nothing
 * more than carrying it back). */
struct succ_use {
    bool flags, cf;                     /* read before being overwritten */
    bool fault;                         /* an insn that may fault comes first */
    struct scan_reason why;
};

#define SUCC_ALL(w) ((struct succ_use){ true, true, true, { (w), 0 } })

static struct scan_reason why_of(enum scan_why why, unsigned id)
{
    return (struct scan_reason){ why, id };
}

/* One instruction as the successor scan sees it. */
struct scan_insn { unsigned id; int size, cls; uint64_t target; bool fault; };

/* Decodes at pc for the scan: the quick decoder when 15 bytes are readable
 * and it knows the form, else capstone (through the decode cache). */
static bool scan_decode(const struct tr_guest_mem *mem, uint64_t pc, uint64_t *readable_end,
                        struct scan_insn *s)
{
    static cs_insn *ci;
    struct x86_quick q;
    extend_readable(mem, readable_end, pc);
    if (*readable_end > pc && *readable_end - pc >= 15 && !x86_code32 &&     /* (no wrap) */
        x86_quick_decode(tr_g2h(mem, pc), pc, &q)) {
        const struct x86_insn_row *e = x86_row_of_id(q.id);
        *s = (struct scan_insn){ q.id, q.size, e ? row_fclass(q.id, e) : X86_FL_READ,
                                 q.target, q.mem };
        return true;
    }
    if (!ci && (ci = cs_malloc(x86_cs)))       /* zero, as x86_quick_insn expects */
        memset(ci->detail, 0, sizeof(*ci->detail));
    size_t win_n;
    if (!decode_one(mem, ci, pc, readable_end, NULL, &win_n)) return false;
    *s = (struct scan_insn){ ci->id, ci->size, fclass_of(ci), direct_target_of(ci),
                             x86_may_fault(ci) };
    return true;
}

/* Where a scan at pc starts: past the pages the block's decoding found
 * fetchable when pc is among them (guest memory is host memory there, so
 * they are one host range), else at pc's page, with nothing known. */
static uint64_t scan_readable_end(const struct tr_guest_mem *mem, uint64_t pc)
{
    if (mem->mode == TR_MEM_HOST && pc >= x86_fetched.lo && pc < x86_fetched.hi)
        return x86_fetched.hi;
    return pc & ~(X86_PAGE - 1);
}

/* Whether the successor code at pc may be rewritten in place: then what
 * it does with the flags now says nothing about later (a JIT turning a
 * flag writer into a reader would see flags this block never computed).
 * User mode only: a system guest's code is all in writable RAM, where
 * this would keep every flag (its kernel patches code before running it). */
static bool succ_may_change(const struct tr_guest_mem *mem, uint64_t pc)
{
    if (mem->mode != TR_MEM_HOST || (pc >= x86_fixed.lo && pc + 15 <= x86_fixed.hi))
        return false;
    return mem->writable(mem, pc, 15);
}

static struct succ_use succ_flags_use_at(const struct tr_guest_mem *mem, uint64_t pc,
                                        int forks);

static struct succ_use use_or(struct succ_use a, struct succ_use b)
{
    return (struct succ_use){ a.flags || b.flags, a.cf || b.cf, a.fault || b.fault, a.why };
}

/* inc and dec write every flag but CF: the incoming flags other than CF
 * are dead behind them. */
static bool writes_all_but_cf(unsigned id)
{
    return id == X86_INS_INC || id == X86_INS_DEC;
}

/* A jcc ending the scanned code: what its two successors do with the
 * flags, as the incoming flags' use (others_dead: only CF of them is
 * left).  gzip's match loop `cmp; jae` -> `dec r9d; jne` -> `cmp` on both
 * sides: the first cmp's flags are dead, no lazy-flag state at its exit.
 * The successors' answers come from the memo or their own scans (which
 * fork no further); this scan's bytes alone would not say, so it is not
 * remembered (t->n = -1). */
static struct succ_use succ_fork(const struct tr_guest_mem *mem, uint64_t pc,
                                 const struct scan_insn *s, bool others_dead,
                                 struct succ_use u, struct x86_scan_trace *t)
{
    struct succ_use a = succ_flags_use_at(mem, s->target, 0);
    struct succ_use b = succ_flags_use_at(mem, pc + s->size, 0);
    /* why: this scan's own reader first, else the first way that reads */
    struct scan_reason why = u.flags || u.cf ? u.why : a.flags || a.cf ? a.why : b.why;
    if (!(u.flags || u.cf) && others_dead && !a.cf && !b.cf && (a.flags || b.flags))
        why = why_of(WHY_DEAD, 0);
    b = use_or(a, b);
    t->n = -1;
    u.cf = u.cf || b.cf;
    u.flags = u.flags || b.cf || (!others_dead && b.flags);
    u.fault = u.fault || b.fault;
    u.why = why;
    return u;
}

/* How far a successor scan looks.  12 left the flags of 3-13 % of the
 * direct exits that keep them stored only because the scan stopped
 * (python's, cc1's and perl's paths of 13-24 movs, loads and stores before
 * the next flag writer); 24 leaves 0.1 % (-d flagscan, flagscan.py). */
#define X86_SCAN_INSNS 24

/* Scans a few instructions from pc (following direct jmp/call), stopping
 * at a full flag writer (dead), or at anything it cannot see through; a
 * jcc (while forks > 0) is seen through into both its successors
 * (succ_fork).  The bytes it decoded go to t; *fetched is false when it
 * stopped at bytes it could not fetch or decode (an answer the memo must
 * not keep). */
static struct succ_use succ_scan(const struct tr_guest_mem *mem, uint64_t pc,
                                 struct x86_scan_trace *t, bool *fetched, int forks)
{
    struct succ_use u = { false, false, false, { WHY_DEAD, 0 } };
    bool others_dead = false;           /* behind inc/dec: only CF comes in */
    uint64_t readable_end = scan_readable_end(mem, pc);
    uint64_t checked = pc & ~(X86_PAGE - 1);    /* (succ_flags_use checked pc) */
    *fetched = true;
    for (int i = 0; i < X86_SCAN_INSNS; i++) {
        struct scan_insn s;
        uint64_t page = pc & ~(X86_PAGE - 1), last = (pc + 14) & ~(X86_PAGE - 1);
        if (page != checked || last != checked) {
            if (succ_may_change(mem, pc)) { u.why = why_of(WHY_CHANGE, 0); break; }
            checked = page == last ? page : ~0ull;
        }
        if (!scan_decode(mem, pc, &readable_end, &s)) {
            *fetched = false;
            u.why = why_of(WHY_DECODE, 0);
            break;
        }
        x86_scan_trace_add(t, pc, s.size);
        const struct x86_insn_row *e = x86_row_of_id(s.id);
        u.fault = u.fault || s.fault;   /* it sees the flags from before itself */
        if (s.cls == X86_FL_FULL) return u;
        if (e && (s.id == X86_INS_JMP || s.id == X86_INS_CALL) && s.target) {
            pc = s.target;
            readable_end = scan_readable_end(mem, pc);
            continue;
        }
        if (s.cls == X86_FL_READ) {
            if (!e || !id_reads_no_cf(s.id)) { u.why = why_of(e ? WHY_READ : WHY_NOROW, s.id); break; }
            if (!others_dead) u.why = why_of(WHY_READ, s.id);
            u.flags = u.flags || !others_dead;  /* on Z/S/O/P: CF may still die */
        }
        if (!e) { u.why = why_of(WHY_NOROW, s.id); break; }
        if (e->ends_block) {
            if (x86_cc_of_insn(s.id) < 0 || !s.target) {
                u.why = why_of(s.id == X86_INS_RET ? WHY_RET : s.id == X86_INS_JMP ||
                               s.id == X86_INS_CALL ? WHY_INDIRECT : WHY_END, s.id);
                break;
            }
            if (forks > 0) return succ_fork(mem, pc, &s, others_dead, u, t);
            t->n = -1;                  /* a forking scan would see further */
            u.why = why_of(WHY_NOFORK, s.id);
            break;
        }
        others_dead = others_dead || writes_all_but_cf(s.id);
        pc += s.size;
        if (i == X86_SCAN_INSNS - 1) u.why = why_of(WHY_LIMIT, 0);
    }
    return (struct succ_use){ true, true, true, u.why };
}

/* succ_scan's answer, from the memo while the bytes it read are unchanged
 * (x86_scan_memo.c). */
static struct succ_use succ_flags_use(const struct tr_guest_mem *mem, uint64_t pc)
{
    return succ_flags_use_at(mem, pc, 1);
}

static struct succ_use succ_flags_use_at(const struct tr_guest_mem *mem, uint64_t pc,
                                        int forks)
{
    struct x86_scan_trace t;
    bool fetched;
    if (succ_may_change(mem, pc))
        return SUCC_ALL(WHY_CHANGE);
    if (x86_code32) {               /* the memo knows 64-bit decodings only */
        x86_scan_trace_begin(&t);
        return succ_scan(mem, pc, &t, &fetched, forks);
    }
    int known = LOG_ON(LOG_FLAGSCAN) ? -1 : x86_scan_memo_get(mem, pc);
    if (known >= 0)
        return (struct succ_use){ known & 1, known & 2, known & 4, { WHY_NOSCAN, 0 } };
    x86_scan_trace_begin(&t);
    struct succ_use u = succ_scan(mem, pc, &t, &fetched, forks);
    if (fetched)
        x86_scan_memo_put(mem, pc, &t, (u.flags ? 1 : 0) | (u.cf ? 2 : 0) | (u.fault ? 4 : 0));
    return u;
}

/* What the successors of the block's last instruction do with the flags,
 * when all are known: a direct jmp/call target, or a jcc's target and
 * fall-through, each on its own (*taken, *fall: x86_flags_state's
 * exit_taken_live/exit_fall_live) and together (returned).  (Successor
 * code the guest may rewrite counts as reading them: succ_may_change.) */
static struct succ_use exit_flags_use(const struct tr_guest_mem *mem, int n,
                                      struct succ_use *taken, struct succ_use *fall)
{
    const cs_insn *ci = x86_insns[n - 1];
    uint64_t next = ci->address + ci->size, target = direct_target_of(ci);
    struct succ_use all = SUCC_ALL(WHY_NOSCAN);
    *taken = *fall = all;
    if (!decoded_ok(ci)) return all;
    if (x86_cc_of_insn(ci->id) >= 0) {
        if (!target) return all;
        *taken = succ_flags_use(mem, target);
        *fall = succ_flags_use(mem, next);
        return use_or(*taken, *fall);
    }
    if (ci->id == X86_INS_JMP || ci->id == X86_INS_CALL) {
        *taken = *fall = target ? succ_flags_use(mem, target) : all;
        return *taken;
    }
    const struct x86_insn_row *e = x86_row_of_id(ci->id);
    if (e && e->ends_block) return all;
    *taken = *fall = succ_flags_use(mem, next);
    return *taken;
}

/* Whether the flags leave the block along a path whose successors use them. */
static bool path_live(const struct block_plan *p, struct succ_use u)
{
    return u.flags || u.cf || (p->precise && u.fault);
}

/* Instructions that write no flag: moves, the stack, jumps, calls and
 * returns, and the condition readers (jcc, setcc, cmovcc). */
static bool writes_no_flags(const cs_insn *ci)
{
    switch (ci->id) {
    case X86_INS_MOV: case X86_INS_MOVABS: case X86_INS_MOVZX: case X86_INS_MOVSX:
    case X86_INS_MOVSXD: case X86_INS_LEA: case X86_INS_PUSH: case X86_INS_POP:
    case X86_INS_CALL: case X86_INS_JMP: case X86_INS_RET: case X86_INS_NOP:
        return true;
    default:
        return x86_cc_of_insn(ci->id) >= 0;
    }
}

/* A block none of whose instructions writes a flag emits the same IR
 * whatever its successors do with the flags (only writers ask whether
 * flags are live, and the flags it leaves are the globals it found): the
 * successor scans are not needed. */
static bool block_writes_no_flags(int n)
{
    for (int i = 0; i < n; i++)
        if (!decoded_ok(x86_insns[i]) || !writes_no_flags(x86_insns[i]))
            return false;
    return true;
}

/* -d flagscan: one line per block that writes flags, for each way out:
 * its target (0: indirect), whether the flags are kept for it, why, and
 * whether an insn that may fault comes first there. */
static void log_exit_why(const struct block_plan *p, uint64_t pc, int n, struct succ_use taken,
                         struct succ_use fall, bool scanned)
{
    const cs_insn *ci = x86_insns[n - 1];
    uint64_t next = ci->address + ci->size;
    uint64_t target = decoded_ok(ci) ? direct_target_of(ci) : 0;
    bool jcc = decoded_ok(ci) && x86_cc_of_insn(ci->id) >= 0;
    const struct x86_insn_row *e = decoded_ok(ci) ? x86_row_of_id(ci->id) : NULL;
    bool ends = e && e->ends_block;
    if (!scanned || block_writes_no_flags(n)) return;
    fprintf(ferry_log, "flagscan: %llx %s precise=%d", (unsigned long long)pc,
            jcc ? "jcc" : ends ? (target ? "jmp" : "indirect") : "fall", p->precise);
    struct succ_use u[2] = { taken, fall };
    uint64_t to[2] = { ends ? target : next, jcc ? next : 0 };
    for (int k = 0; k < (jcc ? 2 : 1); k++)
        fprintf(ferry_log, " %llx:%d:%s:%s:%d", (unsigned long long)to[k], path_live(p, u[k]),
                scan_why_names[u[k].why.why],
                u[k].why.id ? cs_insn_name(x86_cs, u[k].why.id) : "-", u[k].fault);
    fprintf(ferry_log, "\n");
}

/* -d flagscan: one `flagentry:` line per translated block: whether it
 * reads the incoming flags (entry: the plan's live_in[0], or code that
 * may change), what a successor scan from its pc answers (scan), how it
 * ends (ret, jmp, call: through a register or memory; direct, other) and
 * whether that indirect exit stores flags of its own (dirty: the block
 * writes flags; they are live at its end, so stored before the exit or
 * before the ret's pop, which may fault).  With
 * -d exec, flagscan.py weighs what a cut of the stores at dirty indirect
 * exits could save: the targets that do not read the flags. */
static void log_entry_use(const struct tr_guest_mem *mem, const struct block_plan *p,
                          uint64_t pc, int n, bool fixed)
{
    const cs_insn *ci = n > 0 ? x86_insns[n - 1] : NULL;
    bool ok = ci && decoded_ok(ci);
    const char *end = !ok ? "other" : ci->id == X86_INS_RET ? "ret"
        : (ci->id == X86_INS_JMP || ci->id == X86_INS_CALL) && !direct_target_of(ci)
            ? (ci->id == X86_INS_JMP ? "jmp" : "call")
        : ci->id == X86_INS_JMP || ci->id == X86_INS_CALL || x86_cc_of_insn(ci->id) >= 0
            ? "direct" : "other";
    bool indirect = end[0] == 'r' || end[0] == 'j' || end[0] == 'c';
    struct succ_use u = succ_flags_use(mem, pc);
    fprintf(ferry_log, "flagentry: %llx entry=%d scan=%d %s dirty=%d\n", (unsigned long long)pc,
            n <= 0 || p->live_in[0] || p->step || p->system || !fixed, path_live(p, u), end,
            indirect && !block_writes_no_flags(n));
}

/* The lazy-flag cut at indirect exits (ir_block.exit_lazy_globals,
 * flags_dead_in; a backend with be_desc.lazy_exit_stores uses them), user
 * mode only (a system guest's flags are in env at every boundary), never
 * in single-step blocks.  The block's entry is dead when the successor
 * scan from its pc -- the answer every direct exit into pc drops its
 * stores by (exit_flags_use), and x86_async_flags_stale settles an
 * asynchronous signal by -- says no flag and no CF is read, nor (in a
 * precise block) an insn that may fault comes first.  A precise block is
 * one of a precise mode, and a mode change empties the jump cache. */
static void plan_entry_cut(struct ir_block *b, const struct tr_guest_mem *mem,
                           const struct block_plan *p, uint64_t pc)
{
    if (p->system || p->step)
        return;
    b->exit_lazy_globals = 1ull << x86_g_cc_op | 1ull << x86_g_cc_dst | 1ull << x86_g_cc_src |
                           1ull << x86_g_cc_src2;
    b->flags_dead_in = mem->mode == TR_MEM_HOST && !path_live(p, succ_flags_use(mem, pc));
}

/* live_in[i]: the flags from before insn i are read later.  Such flags
 * are synced to env before an insn that may fault (translate_insn), so a
 * handler that returns resumes with them.  In a precise block (the guest
 * handles fault signals: x86_fault_flags.c) every insn that may fault
 * reads them, for the handler's RFLAGS; otherwise flags dead there (the
 * insn or a later one overwrites them first) are not kept. */
static void plan_liveness(struct block_plan *p, int n)
{
    bool live = p->exit_live, cf = p->exit_cf_live;     /* flags leave the block */
    for (int i = n - 1; i >= 0; i--) {
        const cs_insn *ci = x86_insns[i];
        int cls = decoded_ok(ci) ? fclass_of(ci) : X86_FL_READ;
        p->flags_live[i] = live;
        p->cf_live[i] = cf;
        if (cls == X86_FL_READ) { live = true; cf = cf || !reads_no_cf(ci); }
        else if (cls == X86_FL_FULL) live = cf = false;
        if (p->precise && decoded_ok(ci) && x86_fault_point(ci, p->xm)) live = cf = true;
        p->live_in[i] = live;
    }
}

/* ---- block ends -------------------------------------------------------- */

void x86_end_goto(struct x86_dc *dc, uint64_t target, int slot)
{
    if (dc->step) {
        x86_step_trap(dc, target);
        return;
    }
    x86_flags_sync_exit(dc);
    ir_goto_tb(dc->b, target, slot);
    x86_flags_exit_fact(dc, slot, dc->flags->exit_live);
    dc->block_ended = true;
}

void x86_end_indirect(struct x86_dc *dc, ir_ref target)
{
    if (dc->step) {
        x86_step_indirect(dc, target);
        return;
    }
    x86_flags_sync(dc);
    ir_exit_indirect(dc->b, target);
    dc->block_ended = true;
}

void x86_end_exit(struct x86_dc *dc, uint64_t pc, int code)
{
    x86_flags_sync(dc);
    ir_exit_code(dc->b, pc, code);
    dc->block_ended = true;
}

/* The text of an instruction (decoded again: cached decodings have none). */
static void log_insn_text(const cs_insn *ci)
{
    cs_insn *t = NULL;
    if (cs_disasm(x86_cs, ci->bytes, ci->size, ci->address, 1, &t) == 1)
        fprintf(ferry_log, " %s %s", t->mnemonic, t->op_str);
    if (t) cs_free(t, 1);
}

static void log_unimpl(const struct x86_dc *dc)
{
    fprintf(ferry_log, "ferry: unimplemented instruction at 0x%llx:",
            (unsigned long long)dc->pc);
    for (int i = 0; dc->insn && i < dc->insn->size; i++)
        fprintf(ferry_log, " %02x", dc->insn->bytes[i]);
    if (dc->insn) log_insn_text(dc->insn);
    else fprintf(ferry_log, " (undecodable)");
    fprintf(ferry_log, "\n");
}

void x86_raise_sigill(struct x86_dc *dc)
{
    if (LOG_ON(LOG_UNIMPL)) log_unimpl(dc);
    x86_end_exit(dc, dc->pc, TR_EXIT_SIGILL);
}

/* ---- pass 3 ------------------------------------------------------------ */

/* The row's handler for this encoding: under a lock prefix (and for xchg
 * with memory) its atomic translation; NULL (SIGILL) for an id without a
 * row, or a lock prefix the instruction does not take. */
static x86_handler handler_for(const struct x86_dc *dc, const struct x86_insn_row *row)
{
    if (!row) return NULL;
    return x86_is_locked(dc) ? row->atomic : row->fn;
}

static void translate_insn(struct x86_dc *dc, cs_insn *ci, bool live, bool cf_live, bool live_in,
                           bool precise)
{
    dc->insn = ci;
    dc->x = &ci->detail->x86;
    dc->pc = ci->address;
    dc->next_pc = ci->address + ci->size;
    dc->flags->live = live;
    dc->flags->cf_live = cf_live;
    x86_operand_reset(dc);
    ir_insn_start(dc->b, dc->pc, ci->size);
    /* System mode: any access may raise #PF, whose handler sees RFLAGS and
     * restarts the instruction, so the flags are in env at every boundary. */
    if (dc->system) x86_flags_sync(dc);
    /* User mode: a handler returning from a fault resumes at the insn, and
     * the flags it reads later must be the ones from before the fault. */
    else if (live_in && x86_may_fault(ci)) x86_flags_sync(dc);
    if (dc->system && x86_sys_translate(dc)) return;
    dc->row = x86_row_for(dc);
    dc->align_required = x86_align_required(dc);
    x86_handler fn = handler_for(dc, dc->row);
    if (fn && !x86_plain_encoding(ci) &&
        (x86_vex_w_reserved(dc) || x86_vex_prefixed(dc) || x86_stray_sse_prefix(x86_cs, ci)))
        fn = NULL;
    if (fn && x86_lacked_extension(dc))
        fn = NULL;
    int first = dc->b->n_insns;
    if (fn) x86_xm_translate(dc, fn);
    else x86_raise_sigill(dc);
    if (x86_ac_mode(dc)) x86_ac_checks(dc, first);
    if (precise && !live && !dc->block_ended) x86_flags_fault_only(dc);
    /* ... and already at its end: the code-change check after a store
     * (smc.c) may leave the block right there, for the next pc. */
    if (dc->system && !dc->block_ended) x86_flags_sync(dc);
}

static bool ir_nearly_full(const struct ir_block *b)
{
    return b->n_insns > IR_MAX_INSNS - X86_IR_HEADROOM ||
           b->n_values > IR_MAX_VALUES - X86_IR_HEADROOM;
}

/* Emits instructions [0, n); returns how many fit (n when all did). */
static int emit_block(struct ir_block *b, const struct block_plan *p, int n, uint64_t pc)
{
    struct x86_flags_state fs;
    struct x86_dc dc = { .b = b, .flags = &fs, .pc = pc, .next_pc = pc,
                         .system = p->system, .code32 = p->code32, .code16 = p->code16,
                         .step = p->step,
                         .cs_base = p->code16 ? x86_cs_base : 0 };
    int i;
    x86_flags_reset(&dc);
    x86_flags_enter(&dc, b->mode);
    fs.exit_live = p->exit_live;
    fs.exit_taken_live = p->taken_live;
    fs.exit_fall_live = p->fall_live;
    for (i = 0; i < n && !dc.block_ended; i++) {
        if (ir_nearly_full(b)) return i;
        cs_insn *ci = x86_insns[i];
        if (!decoded_ok(ci) || p->too_big) {
            dc.insn = decoded_ok(ci) ? ci : NULL;
            dc.pc = dc.next_pc;
            if (!dc.insn && p->too_long && i == n - 1) x86_end_exit(&dc, dc.pc, TR_EXIT_SIGSEGV);
            else x86_raise_sigill(&dc);
            /* The block covers the bytes the decoder rejected, so that a
             * JIT rewriting them gets a fresh translation (smc.c). */
            if (!dc.insn) dc.next_pc = dc.pc + 15;
            break;
        }
        dc.step = p->step && i == n - 1;       /* (mov ss: a block of two) */
        translate_insn(&dc, ci, p->flags_live[i], p->cf_live[i], p->live_in[i], p->precise);
        if (b->overflow) return i;
    }
    if (!dc.block_ended) {
        if (p->fetch_fault && n == p->n && n == 0)
            x86_end_exit(&dc, dc.next_pc, TR_EXIT_FETCH_FAULT);
        else
            x86_end_goto(&dc, dc.next_pc, 0);
    }
    b->guest_size = (uint32_t)(dc.next_pc - pc);
    b->guest_insns = (uint32_t)i;
    b->guest_bytes = x86_snap_bytes(b->guest_size);
    return n;
}

/* mov to ss holds off a single-step trap until after the next
 * instruction (the CPU's interrupt shadow). */
static bool writes_ss(const cs_insn *ci)
{
    const cs_x86 *x = &ci->detail->x86;
    return decoded_ok(ci) && ci->id == X86_INS_MOV && x->op_count == 2 &&
           x->operands[0].type == X86_OP_REG && x->operands[0].reg == X86_REG_SS;
}

static void block_restart(struct ir_block *b)
{
    b->n_insns = 0;
    b->n_values = b->n_globals;
    b->overflow = false;
    b->exit_facts[0] = b->exit_facts[1] = 0;
}

void x86_translate_block(struct ir_block *b, const struct tr_guest_mem *mem, uint64_t pc,
                         int max_insns)
{
    /* Compatibility mode (x86_compat.c): 32-bit code, flat (base 0). */
    x86_translate_block_mode(b, mem, pc, max_insns, false, b->mode & X86_TB_CODE32 ? 32 : 64, 0);
}

/* The vsyscall page is a user-mode process's; a whole machine has none. */
void x86_translate_block_mode(struct ir_block *b, const struct tr_guest_mem *mem, uint64_t pc,
                              int max_insns, bool system, int code_bits, uint64_t cs_base)
{
    bool code32 = code_bits == 32, code16 = code_bits == 16;
    struct block_plan plan;
    x86_init();
    if (!system && x86_vsyscall_block(b, pc))
        return;
    x86_code32 = code_bits != 64;
    x86_code16 = code16;
    x86_cs_base = cs_base;
    x86_cs = code16 ? x86_cs16 : code32 ? x86_cs32 : x86_cs64;
    /* System mode has no TF (its #DB is not modelled), only the step
     * blocks of an interrupt's settle (system/accel_tcg_settle.c). */
    plan.step = (b->mode & X86_TB_STEP) && (!system || (b->mode & X86_TB_SETTLE));
    plan_decode(mem, &plan, pc, plan.step ? 1 : max_insns);
    if (plan.step && plan.n == 1 && writes_ss(x86_insns[0]))
        plan_decode(mem, &plan, pc, 2);     /* its shadow: the trap after the next one */
    plan.system = system;
    plan.code32 = code32;
    plan.code16 = code16;
    int n = plan.n;
    struct succ_use use = SUCC_ALL(WHY_NOSCAN), taken = use, fall = use;
    if (n > 0 && !plan.fetch_fault && !plan.step && (system || !block_writes_no_flags(n)))
        use = exit_flags_use(mem, n, &taken, &fall);
    /* System mode: any access may raise #PF, whose frame holds RFLAGS
     * (exc guest's pf-dead-flags), so every fault point reads the flags. */
    plan.precise = system || x86_precise_block(b);
    plan.xm = (b->mode & X86_TB_XM) != 0;
    if (plan.precise && use.fault) use.flags = use.cf = true;
    plan.exit_live = use.flags || use.cf;
    plan.exit_cf_live = use.cf;
    plan.taken_live = path_live(&plan, taken);
    plan.fall_live = path_live(&plan, fall);
    if (LOG_ON(LOG_FLAGSCAN) && n > 0)
        log_exit_why(&plan, pc, n, taken, fall, !plan.fetch_fault && !plan.step);
    plan.too_big = false;
    for (;;) {
        plan_liveness(&plan, n);
        int done = emit_block(b, &plan, n, pc);
        if (done == n) break;
        block_restart(b);
        plan.too_big = done == 0;
        n = done > 0 ? done : 1;
        plan.fetch_fault = false;
        plan.exit_live = plan.exit_cf_live = plan.taken_live = plan.fall_live = true;
    }
    /* (plan_decode asked about the two pages a block may span) */
    b->code_fixed = pc >= x86_fixed.lo && pc + b->guest_size <= x86_fixed.hi;
    plan_entry_cut(b, mem, &plan, pc);
    if (LOG_ON(LOG_FLAGSCAN))
        log_entry_use(mem, &plan, pc, n, b->code_fixed);
}

void x86_disas(FILE *out, const struct tr_guest_mem *mem, uint64_t pc, size_t size)
{
    x86_init();
    const uint8_t *code = tr_g2h(mem, pc);
    uint64_t addr = pc;
    cs_insn *ci = x86_insns[0];
    while (size > 0 && cs_disasm_iter(x86_cs, &code, &size, &addr, ci))
        fprintf(out, "0x%016llx:  %-8s %s\n", (unsigned long long)ci->address,
                ci->mnemonic, ci->op_str);
}

/* ---- the flags at an asynchronous signal (x86_cpu.h) --------------------- */

/* The scan outside a translation: under the translation lock (the
 * decoders, the memo and the statics above are translation's), in the
 * vCPU's code size (16: real mode, pcs include cs_base), knowing nothing
 * of the pages a block decoded. */
static const struct tr_guest_mem *scan_alone_begin(struct x86_cpu *cpu, int bits, uint64_t cs_base)
{
    tr_lock_env(cpu);
    x86_init();
    x86_code32 = bits != 64;
    x86_code16 = bits == 16;
    x86_cs_base = bits == 16 ? cs_base : 0;
    x86_cs = bits == 16 ? x86_cs16 : bits == 32 ? x86_cs32 : x86_cs64;
    x86_fetched.lo = x86_fetched.hi = 0;
    x86_fixed.lo = x86_fixed.hi = 0;
    return cpu->rt.mem;
}

/* The scan's answer is what every direct exit into rt.pc asked before it
 * dropped its stores (exit_flags_use). */
static bool flags_stale_at(struct x86_cpu *cpu, int bits, uint64_t cs_base)
{
    const struct tr_guest_mem *mem = scan_alone_begin(cpu, bits, cs_base);
    struct succ_use u = succ_flags_use(mem, cpu->rt.pc);
    tr_unlock_env(cpu);
    return !u.flags && !u.cf;
}

/* User mode: step blocks sync every insn. */
bool x86_async_flags_stale(struct x86_cpu *cpu)
{
    if ((cpu->rt.tb_mode & X86_TB_STEP) || !cpu->rt.mem || cpu->rt.mem->mode != TR_MEM_HOST)
        return false;
    return flags_stale_at(cpu, cpu->rt.tb_mode & X86_TB_CODE32 ? 32 : 64, 0);
}

/* The scan's own steps (succ_scan): a full writer ends it; direct jumps,
 * calls and jccs it follows; any other block end, or an insn without a
 * row, stops it. */
static enum x86_step_kind step_kind_at(struct x86_cpu *cpu, int bits, uint64_t cs_base)
{
    const struct tr_guest_mem *mem = scan_alone_begin(cpu, bits, cs_base);
    uint64_t pc = cpu->rt.pc, readable_end = scan_readable_end(mem, pc);
    struct scan_insn s;
    bool ok = !succ_may_change(mem, pc) && scan_decode(mem, pc, &readable_end, &s);
    tr_unlock_env(cpu);
    const struct x86_insn_row *e = ok ? x86_row_of_id(s.id) : NULL;
    if (!e)
        return X86_STEP_STOP;
    if (s.cls == X86_FL_FULL)
        return X86_STEP_WRITER;
    bool followed = s.target && (s.id == X86_INS_JMP || s.id == X86_INS_CALL ||
                                 x86_cc_of_insn(s.id) >= 0);
    return e->ends_block && !followed ? X86_STEP_STOP : X86_STEP_PASS;
}

enum x86_step_kind x86_async_step_kind(struct x86_cpu *cpu)
{
    return step_kind_at(cpu, cpu->rt.tb_mode & X86_TB_CODE32 ? 32 : 64, 0);
}

/* System mode: the code size is the vCPU's (as sys_translate_block's);
 * blocks of its step mode sync every insn. */
static int sys_code_bits(const struct x86_sys_cpu *c)
{
    return c->sys.code16 ? 16 : c->sys.code32 ? 32 : 64;
}

bool x86_sys_async_flags_stale(struct x86_sys_cpu *c)
{
    if (c->cpu.rt.tb_mode & X86_TB_STEP)
        return false;
    return flags_stale_at(&c->cpu, sys_code_bits(c), c->sys.seg_base[X86_SEG_CS]);
}

enum x86_step_kind x86_sys_async_step_kind(struct x86_sys_cpu *c)
{
    return step_kind_at(&c->cpu, sys_code_bits(c), c->sys.seg_base[X86_SEG_CS]);
}
