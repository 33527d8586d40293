/* x86_helpers.c -- C helpers called from translated x86 code for what IR
 * does not express compactly: rcl/rcr and
 * shld/shrd (with their flags), rep string loops, popcnt, rdtsc.
 * Helpers that touch the CPU state are IR_HELPER_RW_GLOBALS.
 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "options.h"
#include "x86_internal.h"

#define CPU(env) ((struct x86_cpu *)(env))
#define RW IR_HELPER_RW_GLOBALS

static uint64_t mask_of(uint64_t bytes) { return bytes >= 8 ? ~0ull : (1ull << (bytes * 8)) - 1; }

/* Current arithmetic flags (the translator synced them before the call). */
static uint64_t cur_flags(const struct x86_cpu *c)
{
    return x86_cc_compute(c->cc_op, c->cc_dst, c->cc_src, c->cc_src2);
}

static void put_flags(struct x86_cpu *c, uint64_t f)
{
    c->cc_op = X86_CC_OP(X86_CC_EFLAGS, 8);
    c->cc_src = f & X86_ARITH_FLAGS;
}

/* Writes the low `bytes` of v into register n, x86 style. */
static void put_reg(struct x86_cpu *c, int n, uint64_t v, int bytes)
{
    if (bytes >= 4) c->regs[n] = v & mask_of((uint64_t)bytes);
    else c->regs[n] = (c->regs[n] & ~mask_of((uint64_t)bytes)) | (v & mask_of((uint64_t)bytes));
}

/* ---- far returns at CPL 3 ------------------------------------------------- */

#define USER_CS64 0x33                  /* Linux's __USER_CS */
#define USER_DS 0x2b                    /* __USER_DS */

_Noreturn static void far_gp(struct x86_cpu *c, uint64_t selector)
{
    c->rt.fault.err = selector & 0xfffc;
    tr_raise(&c->rt, TR_EXIT_SIGSEGV, c->rt.pc);
}

static uint64_t pop_slot(struct x86_cpu *c, uint64_t *sp, uint64_t bytes)
{
    uint64_t v = 0;
    tr_guest_copy(c, *sp, &v, bytes, false);
    *sp += bytes;
    return v;
}

/* iret's RFLAGS at CPL 3 with IOPL 0: what popf may change (IF, IOPL
 * kept; TF through x86_set_tf, AC's mode x86_ac_sync). */
static void iret_flags(struct x86_cpu *c, uint64_t v)
{
    uint64_t keep = X86_AC | X86_ID | 0x4000;     /* NT */
    uint64_t rest = (c->eflags_rest & ~keep) | (v & keep);
    x86_set_eflags(c, (v & (X86_ARITH_FLAGS | X86_DF)) | rest);
    x86_set_tf(c, (v & X86_TF) != 0);
    x86_ac_sync(c);
}

/* A far transfer to a code segment ferry does not run: an LDT code
 * segment (32- or 16-bit code with a base of its own), or __USER32_CS on
 * a machine without IA32 emulation (where Linux's GDT has no such entry).
 * It is refused with #GP(selector), and said in one line under -d unimpl.
 * __USER32_CS with IA32 emulation enters compatibility mode
 * (x86_compat.c). */
static void log_compat(const struct x86_cpu *c, uint64_t cs)
{
    if (LOG_ON(LOG_UNIMPL) && x86_seg_compat_code((uint16_t)cs))
        fprintf(ferry_log, "ferry: far transfer at 0x%llx into 32-bit code segment 0x%x "
                "(not __USER32_CS with RPL 3): not emulated, SIGSEGV\n",
                (unsigned long long)c->rt.pc, (unsigned)(cs & 0xffff));
}

/* The target's mode after a far return: 64-bit for __USER_CS, 32-bit for
 * __USER32_CS (the RPL must be 3: a return to CPL 3), else #GP(sel);
 * an eip past the 4 GiB limit of the 32-bit segment is #GP(0). */
static bool far_ret_mode(struct x86_cpu *c, uint64_t cs, uint64_t ip)
{
    bool to32 = cs == X86_USER32_CS && x86_seg_user32((uint16_t)cs);
    if (cs != USER_CS64 && !to32) {
        log_compat(c, cs);
        far_gp(c, cs);
    }
    if (to32 && ip > 0xffffffffu)
        far_gp(c, 0);
    return to32;
}

/* lret [imm16] (bytes 4 or 8) and iret/iretd/iretq (iret = 1): to 64-bit
 * user code (CS 0x33) or, with IA32 emulation, compatibility mode (0x23);
 * another selector is #GP(selector) after the pops, nothing changed.  An
 * iret begun in 64-bit mode pops ss:rsp too (ss one a load could take:
 * 0x2b, or a writable LDT data segment; one not present is #SS); from
 * compatibility mode, a return to the same privilege, it pops none (the
 * SDM's IRET, IA-32e mode).  Compatibility mode's stack is esp.  Returns
 * the new rip. */
static uint64_t helper_far_ret(void *env, uint64_t bytes, uint64_t extra, uint64_t iret)
{
    struct x86_cpu *c = CPU(env);
    bool from32 = x86_compat_mode(c), stack = iret && !from32;
    uint64_t sp = from32 ? (uint32_t)c->regs[X86_RSP] : c->regs[X86_RSP], base;
    uint64_t ip = pop_slot(c, &sp, bytes), cs = pop_slot(c, &sp, bytes) & 0xffff;
    uint64_t fl = iret ? pop_slot(c, &sp, bytes) : 0;
    uint64_t new_sp = stack ? pop_slot(c, &sp, bytes) : sp + (iret ? 0 : extra);
    uint16_t ss = stack ? (uint16_t)pop_slot(c, &sp, bytes) : c->sel[X86_SREG_SS];
    bool to32 = far_ret_mode(c, cs, ip);
    int trap = stack ? x86_seg_check(X86_SREG_SS, ss, &base) : 0;
    if (trap == 12) {
        c->rt.fault.sig = SIGBUS, c->rt.fault.code = 0x80, c->rt.fault.addr = 0;
        c->rt.fault.trapno = 12, c->rt.fault.err = ss & 0xfffc;
        tr_raise(&c->rt, TR_EXIT_HOST_FAULT, c->rt.pc);
    }
    if (trap) far_gp(c, ss);
    if (iret) iret_flags(c, fl);
    c->sel[X86_SREG_SS] = ss;
    c->regs[X86_RSP] = from32 ? (c->regs[X86_RSP] & ~0xffffffffull) | (uint32_t)new_sp : new_sp;
    x86_set_compat_mode(c, to32);
    return ip;
}

const struct ir_helper x86_helper_far_ret = { (void *)helper_far_ret, "far_ret", 3, 1, RW };

/* ljmp/lcall: the selector must name __USER_CS's descriptor or, with IA32
 * emulation, __USER32_CS's, with any RPL (<= CPL: cs then gets RPL 3),
 * else #GP(selector) before anything changes.  An LDT code segment is
 * refused (log_compat). */
static uint64_t helper_far_cs(void *env, uint64_t cs)
{
    if ((cs & 0xfffc) != (USER_CS64 & 0xfffc) && !x86_seg_user32((uint16_t)cs)) {
        log_compat(CPU(env), cs);
        far_gp(CPU(env), cs & 0xffff);
    }
    return 0;
}

const struct ir_helper x86_helper_far_cs = { (void *)helper_far_cs, "far_cs", 1, 0, 0 };

/* After ljmp/lcall's checks and pushes: the mode of the target segment. */
static uint64_t helper_far_mode(void *env, uint64_t cs)
{
    x86_set_compat_mode(CPU(env), x86_seg_user32((uint16_t)cs));
    return 0;
}

const struct ir_helper x86_helper_far_mode = { (void *)helper_far_mode, "far_mode", 1, 0, 0 };

/* ---- rotate through carry, double shifts ------------------------------- */

static uint64_t msb(uint64_t v, int bits) { return (v >> (bits - 1)) & 1; }

static void set_cf_of(struct x86_cpu *c, uint64_t cf, uint64_t of)
{
    uint64_t f = cur_flags(c) & ~(uint64_t)(X86_CF | X86_OF);
    put_flags(c, f | (cf ? X86_CF : 0) | (of ? X86_OF : 0));
}

/* Intel's rcl/rcr (measured on Sapphire Rapids): a count that is a
 * multiple of 9 or 17 (8/16-bit forms) changes no flag, and OF is that of
 * a count of 1 from the operand before (rcl: its top two bits differ;
 * rcr: its top bit and CF in differ).  AMD's OF is from the result. */
static bool intel_rc_keeps(uint64_t cnt, int bits)
{
    return x86_machine()->intel && cnt % (uint64_t)(bits + 1) == 0;
}

/* Count already masked to 5/6 bits; 8/16-bit rotate through 9/17 bits. */
static uint64_t helper_rcl(void *env, uint64_t v, uint64_t unused, uint64_t cnt, uint64_t bytes)
{
    struct x86_cpu *c = CPU(env);
    int bits = (int)bytes * 8;
    uint64_t m = mask_of(bytes), cf = cur_flags(c) & X86_CF, a = v;
    if (cnt == 0 || intel_rc_keeps(cnt, bits)) return v;
    for (uint64_t i = cnt % (uint64_t)(bits + 1); i > 0; i--) {
        uint64_t out = msb(v, bits);
        v = ((v << 1) | cf) & m;
        cf = out;
    }
    if (x86_machine()->intel) set_cf_of(c, cf, msb(a, bits) ^ msb(a, bits - 1));
    else set_cf_of(c, cf, msb(v, bits) ^ cf);
    return v;
}

static uint64_t helper_rcr(void *env, uint64_t v, uint64_t unused, uint64_t cnt, uint64_t bytes)
{
    struct x86_cpu *c = CPU(env);
    int bits = (int)bytes * 8;
    uint64_t cf = cur_flags(c) & X86_CF, cin = cf, a = v;
    if (cnt == 0 || intel_rc_keeps(cnt, bits)) return v;
    for (uint64_t i = cnt % (uint64_t)(bits + 1); i > 0; i--) {
        uint64_t out = v & 1;
        v = (v >> 1) | (cf << (bits - 1));
        cf = out;
    }
    if (x86_machine()->intel) set_cf_of(c, cf, msb(a, bits) ^ cin);
    else set_cf_of(c, cf, msb(v, bits) ^ msb(v, bits - 1));
    return v;
}

/* 16-bit shld/shrd by 16..31 (measured): CF is the last bit out only at
 * 16 and 0 above; shld's OF is CF, shrd's OF is bit 15 ^ bit 14 of the
 * result; SF ZF PF AF as for the smaller counts. */
static void double_shift16_flags(struct x86_cpu *c, uint64_t r, uint64_t cnt, bool left)
{
    uint64_t f = cur_flags(c) & ~(uint64_t)(X86_CF | X86_OF);
    uint64_t cf = cnt == 16 ? cur_flags(c) & X86_CF : 0;
    uint64_t of = left ? cf : ((r >> 15) ^ (r >> 14)) & 1;
    put_flags(c, f | (cf ? X86_CF : 0) | (of ? X86_OF : 0));
}

/* Intel's shld/shrd (measured on Sapphire Rapids, all widths and
 * counts): the operand shifts through dst:src:dst (so a 16-bit count
 * above 16 rotates dst:src resp. src:dst), CF is the last bit out, SF ZF
 * PF are the result's, AF is clear and OF is a count of 1's (shld: the
 * top two bits of dst differ; shrd: dst's top bit and src's bottom bit). */
static uint64_t intel_double_shift(struct x86_cpu *c, uint64_t a, uint64_t b, uint64_t cnt,
                                   int bytes, bool left)
{
    int bits = bytes * 8;
    uint64_t m = mask_of((uint64_t)bytes), r, cf, of;
    a &= m; b &= m;
    if (cnt == 0) return a;
    if (left) {                 /* the top `bits` of (a:b:a) << cnt */
        r = cnt < (uint64_t)bits ? (a << cnt | b >> (bits - cnt)) & m
                                 : (b << (cnt - bits) | a >> (2 * bits - cnt)) & m;
        cf = cnt <= (uint64_t)bits ? a >> (bits - cnt) & 1 : b >> (2 * bits - cnt) & 1;
        of = (msb(a, bits) ^ msb(a, bits - 1)) & 1;
    } else {                    /* the bottom `bits` of (a:b:a) >> cnt */
        r = cnt < (uint64_t)bits ? (a >> cnt | b << (bits - cnt)) & m
                                 : (b >> (cnt - bits) | a << (2 * bits - cnt)) & m;
        cf = cnt <= (uint64_t)bits ? a >> (cnt - 1) & 1 : b >> (cnt - bits - 1) & 1;
        of = (msb(a, bits) ^ b) & 1;
    }
    uint64_t f = x86_cc_compute(X86_CC_OP(X86_CC_LOGIC, bytes), r, 0, 0);
    put_flags(c, f | (cf ? X86_CF : 0) | (of ? X86_OF : 0));
    return r;
}

/* shld/shrd: result, and the lazy state of the equivalent shl/shr
 * (src = value shifted by count-1).  16-bit forms with counts above 16
 * shift through dst:src:src (shld) or src:src:dst (shrd), as measured. */
static uint64_t double_shift(struct x86_cpu *c, uint64_t a, uint64_t b, uint64_t cnt,
                             uint64_t bytes, bool left)
{
    int bits = (int)bytes * 8, wide = bytes == 2 ? 48 : 2 * bits;
    uint64_t m = mask_of(bytes), r, src;
    if (x86_machine()->intel) return intel_double_shift(c, a, b, cnt, (int)bytes, left);
    unsigned __int128 hi = left ? a & m : b & m, lo = left ? b & m : a & m, w;
    w = (hi << bits) | lo;
    if (bytes == 2) w = left ? (w << 16) | lo : (hi << 32) | w;
    if (cnt == 0) return a;
    if (left) {
        r = (uint64_t)((w << cnt) >> (wide - bits)) & m;
        src = (uint64_t)((w << (cnt - 1)) >> (wide - bits)) & m;
    } else {
        r = (uint64_t)(w >> cnt) & m;
        src = (uint64_t)(w >> (cnt - 1)) & m;
    }
    c->cc_op = X86_CC_OP(left ? X86_CC_SHL : X86_CC_SAR, (int)bytes);
    c->cc_dst = r;
    c->cc_src = src;
    if (bytes == 2 && cnt >= 16)
        double_shift16_flags(c, r, cnt, left);
    return r;
}

static uint64_t helper_shld(void *env, uint64_t a, uint64_t b, uint64_t cnt, uint64_t bytes)
{ return double_shift(CPU(env), a, b, cnt, bytes, true); }
static uint64_t helper_shrd(void *env, uint64_t a, uint64_t b, uint64_t cnt, uint64_t bytes)
{ return double_shift(CPU(env), a, b, cnt, bytes, false); }

const struct ir_helper x86_helper_rcl = { (void *)helper_rcl, "rcl", 4, 1, RW };
const struct ir_helper x86_helper_rcr = { (void *)helper_rcr, "rcr", 4, 1, RW };
const struct ir_helper x86_helper_shld = { (void *)helper_shld, "shld", 4, 1, RW };
const struct ir_helper x86_helper_shrd = { (void *)helper_shrd, "shrd", 4, 1, RW };

/* ---- string instructions with rep ------------------------------------------ */

/* Guest memory through the engine's guest-memory interface (env in scope). */
#define ptr(a) tr_guest_ptr(env, (a))

/* The registers of a rep loop as the prefixes make them: rcx/rsi/rdi, or
 * under 0x67 ecx/esi/edi (wrapping at 32 bits, written back zero-extended);
 * the source (rsi) is in segment `seg` (fs/gs base, or 0). */
struct rep_regs { uint64_t n, s, d, seg, amask; int64_t step; };

static struct rep_regs rep_get(const struct x86_cpu *c, uint64_t bytes, uint64_t seg, uint64_t a32)
{
    uint64_t m = a32 ? 0xffffffffull : ~0ull;
    return (struct rep_regs){ c->regs[X86_RCX] & m, c->regs[X86_RSI] & m, c->regs[X86_RDI] & m,
                              seg, m, (int64_t)c->df * (int64_t)bytes };
}

static void rep_put(struct x86_cpu *c, const struct rep_regs *r, bool src, bool dst)
{
    c->regs[X86_RCX] = r->n & r->amask;
    if (src) c->regs[X86_RSI] = r->s & r->amask;
    if (dst) c->regs[X86_RDI] = r->d & r->amask;
}

/* One element step; wraps under 0x67. */
static void rep_step(struct rep_regs *r, bool src)
{
    r->d = (r->d + (uint64_t)r->step) & r->amask;
    if (src) r->s = (r->s + (uint64_t)r->step) & r->amask;
}

/* A forward copy that neither overlaps nor wraps: one memcpy. */
static bool movs_flat(const struct rep_regs *r, uint64_t bytes)
{
    uint64_t len = r->n * bytes, s = r->s + r->seg;
    return r->step > 0 && r->s + len <= r->amask && r->d + len <= r->amask &&
           (r->d + len <= s || s + len <= r->d);
}

/* A forward rep stos that does not wrap, its elements aligned (none
 * across a page that may fault: the fill would leave part of it written
 * where the CPU writes none of it): one fill.  (GCC inlines a memset of a
 * known size as rep stosq: mmap_threads' 4 KiB went element by element
 * through tr_guest_copy, a third of its time.) */
static bool stos_flat(const struct rep_regs *r, uint64_t bytes)
{
    return r->step > 0 && (r->d & (bytes - 1)) == 0 && r->d <= r->amask &&
           r->n <= (r->amask - r->d) / bytes;
}

enum rep_kind { REP_MOVS, REP_STOS, REP_LODS, REP_CMPS, REP_SCAS };

/* One element of a rep loop; returns whether it ends the loop early
 * (repe/repne).  cmps/scas leave their comparison in the lazy flags.
 * Through tr_guest_copy: under a software MMU each element is translated
 * (and faults) on its own. */
static bool rep_element(struct x86_cpu *c, struct rep_regs *r, uint64_t bytes,
                        enum rep_kind k, bool repne)
{
    uint64_t v = 0, a = 0, m = mask_of(bytes);
    switch (k) {
    case REP_MOVS:
        tr_guest_copy(c, r->s + r->seg, &v, bytes, false);
        tr_guest_copy(c, r->d, &v, bytes, true);
        break;
    case REP_STOS: v = c->regs[X86_RAX]; tr_guest_copy(c, r->d, &v, bytes, true); break;
    case REP_LODS: tr_guest_copy(c, r->s + r->seg, &v, bytes, false); put_reg(c, X86_RAX, v, (int)bytes); break;
    case REP_CMPS: case REP_SCAS:
        a = k == REP_SCAS ? c->regs[X86_RAX] & m : 0;
        if (k == REP_CMPS) tr_guest_copy(c, r->s + r->seg, &a, bytes, false);
        tr_guest_copy(c, r->d, &v, bytes, false);
        c->cc_op = X86_CC_OP(X86_CC_SUB, (int)bytes);
        c->cc_dst = (a - v) & m;
        c->cc_src = v;
        break;
    }
    r->n--;
    if (k == REP_STOS || k == REP_SCAS) r->d = (r->d + (uint64_t)r->step) & r->amask;
    else if (k == REP_LODS) r->s = (r->s + (uint64_t)r->step) & r->amask;
    else rep_step(r, true);
    return (k == REP_CMPS || k == REP_SCAS) && (a == v) == repne;
}

static void rep_put_all(struct x86_cpu *c, const struct rep_regs *r, enum rep_kind k)
{
    rep_put(c, r, k != REP_STOS && k != REP_SCAS, k != REP_LODS);
}

/* A rep loop as x86_guarded runs it. */
struct rep_job { struct rep_regs r; uint64_t bytes; enum rep_kind k; bool repne, paused; };

/* How many whole elements from addr stay in its page. */
static uint64_t elems_in_page(uint64_t addr, uint64_t bytes)
{
    return (4096 - (addr & 4095)) / bytes;
}

static void fill_elems(uint8_t *d, uint64_t v, uint64_t bytes, uint64_t cnt)
{
    uint64_t m = mask_of(bytes);
    if ((v & m) == ((v & 0xff) * 0x0101010101010101ull & m)) {    /* one byte repeated */
        memset(d, (int)(v & 0xff), cnt * bytes);
        return;
    }
    for (uint64_t i = 0; i < cnt; i++, d += bytes)
        memcpy(d, &v, bytes);           /* little-endian: the low bytes */
}

/* Under a software MMU, after an element of forward rep movs/stos went
 * through tr_guest_copy: the rest of its source and destination pages at
 * once when the TLB holds both as RAM (no MMIO, no tracked code page) and
 * they do not overlap.  A fault is impossible there (the pages were just
 * translated), so the registers need not follow each element. */
static void rep_page_run(struct x86_cpu *c, struct rep_job *j)
{
    struct rep_regs *r = &j->r;
    if ((j->k != REP_MOVS && j->k != REP_STOS) || r->step <= 0 || r->n == 0)
        return;
    uint64_t s = r->s + r->seg, cnt = elems_in_page(r->d, j->bytes);
    if (j->k == REP_MOVS && elems_in_page(s, j->bytes) < cnt)
        cnt = elems_in_page(s, j->bytes);
    cnt = cnt < r->n ? cnt : r->n;
    uint64_t len = cnt * j->bytes;
    uint8_t *hd = cnt ? tr_guest_tlb_hit(c, r->d, len, true) : NULL;
    const uint8_t *hs = hd && j->k == REP_MOVS ? tr_guest_tlb_hit(c, s, len, false) : NULL;
    if (!hd || (j->k == REP_MOVS && (!hs || (hs < hd + len && hd < hs + len))))
        return;
    if (j->k == REP_MOVS)
        memcpy(hd, hs, len);
    else
        fill_elems(hd, c->regs[X86_RAX], j->bytes, cnt);
    r->n -= cnt;
    r->d = (r->d + len) & r->amask;
    if (j->k == REP_MOVS)
        r->s = (r->s + len) & r->amask;
}

/* A long rep movs/stos under the software MMU (system mode) stops between
 * pages when the vCPU is asked to leave translated code (an interrupt):
 * the registers say where it is, rt.pc is the rep instruction, so the
 * interrupt is taken in the middle and iretq resumes the copy, as the
 * CPU does (Intel SDM vol. 2, REP: "interrupted ... between iterations").
 * At least one page goes per call, so the copy always progresses. */
static bool rep_should_pause(struct x86_cpu *c, struct rep_job *j)
{
    if ((j->k != REP_MOVS && j->k != REP_STOS) || !tr_guest_softmmu(c)
        || !__atomic_load_n(&c->rt.exit_request, __ATOMIC_RELAXED))
        return false;
    j->paused = true;
    return true;
}

static void rep_elements(struct x86_cpu *c, void *arg)
{
    struct rep_job *j = arg;
    while (j->r.n) {
        rep_put_all(c, &j->r, j->k);
        if (rep_element(c, &j->r, j->bytes, j->k, j->repne))
            break;
        rep_page_run(c, j);
        if (j->r.n && rep_should_pause(c, j))
            break;
    }
}

/* Element by element with the registers in env before each one, so that
 * a fault (host SIGSEGV/SIGBUS: fault.c longjmps to the guard) leaves
 * rcx/rsi/rdi at the faulting element and becomes a precise guest fault
 * at the rep instruction (rt.pc). */
struct cc_state { uint64_t op, dst, src, src2; };

static struct cc_state cc_save(const struct x86_cpu *c)
{
    return (struct cc_state){ c->cc_op, c->cc_dst, c->cc_src, c->cc_src2 };
}

/* The flags a fault inside rep cmps/scas shows: AMD's are those of the
 * last compare done; Intel's those from before the instruction (measured
 * on Sapphire Rapids: rep_fault.c, where the compares before the fault
 * set flags other than the ones on entry, at both directions). */
static void rep_fault_flags(struct x86_cpu *c, const struct cc_state *entry)
{
    if (!x86_machine()->intel) return;
    c->cc_op = entry->op, c->cc_dst = entry->dst;
    c->cc_src = entry->src, c->cc_src2 = entry->src2;
}

static void rep_precise(struct x86_cpu *c, struct rep_regs r, uint64_t bytes,
                        enum rep_kind k, bool repne)
{
    struct rep_job j = { r, bytes, k, repne, false };
    struct cc_state entry = cc_save(c);
    if (!x86_guarded(c, rep_elements, &j)) {
        rep_fault_flags(c, &entry);
        uint64_t d = c->regs[X86_RDI] & r.amask, f = c->rt.fault.addr;
        if ((k == REP_MOVS || k == REP_STOS) && f >= d && f < d + bytes)
            c->rt.fault.err |= 2;           /* the store faulted */
        tr_raise(&c->rt, TR_EXIT_HOST_FAULT, c->rt.pc);
    }
    rep_put_all(c, &j.r, k);
    if (j.paused)                       /* resumed at the rep instruction */
        tr_raise(&c->rt, TR_EXIT_REQUEST, c->rt.pc);
}

static void rep_block(struct x86_cpu *c, void *arg)
{
    const struct rep_job *j = arg;
    void *env = c;
    if (j->k == REP_MOVS) memcpy(ptr(j->r.d), ptr(j->r.s + j->r.seg), j->r.n * j->bytes);
    else fill_elems(ptr(j->r.d), c->regs[X86_RAX], j->bytes, j->r.n);
}

/* The fast forms (one memcpy / fill); a fault there starts over,
 * precisely, from the first element (re-copying is harmless: no overlap). */
static void rep_fast(struct x86_cpu *c, struct rep_regs r, uint64_t bytes, enum rep_kind k)
{
    struct rep_job j = { r, bytes, k, false, false };
    if (!x86_guarded(c, rep_block, &j)) {
        rep_precise(c, r, bytes, k, false);
        return;
    }
    r.s += k == REP_MOVS ? r.n * bytes : 0;
    r.d += r.n * bytes;
    r.n = 0;
    rep_put_all(c, &r, k);
}

/* The common case, first, in the helper itself and without a guard: a
 * forward movs/stos in 64-bit addressing, wholly in the lower canonical
 * half (all of user mode's guest memory, where a guest address is the
 * host's), movs not overlapping, stos aligned (as movs_flat/stos_flat).
 * busybox inlines memcpy/memset as `rep movsb` / `rep stosb` of 1-16
 * bytes: 60,000 calls a run of its sh loop at ~245 host instructions
 * each, most of them x86_guarded's sigsetjmp and rep_run's checks; ~70
 * now, the copy included.  A host fault in the copy (fault.c,
 * TR_HELPER_RETRY) runs the instruction again with the registers as they
 * were, and it then takes rep_run's guarded path (TR_HELPER_RETRIED),
 * which starts over from the first element (re-copying is harmless: no
 * overlap, and no element written in part: movsb's are bytes, wider ones
 * as movs_flat has always copied them). */
static inline bool rep_quick(struct x86_cpu *c, uint64_t bytes, uint64_t seg, uint64_t a32,
                             enum rep_kind k)
{
    const uint64_t low = 1ull << 47;
    uint64_t n = c->regs[X86_RCX], len = n * bytes;
    uint64_t s = c->regs[X86_RSI] + seg, d = c->regs[X86_RDI];
    if (a32 || c->df != 1 || n - 1 >= low / 8 - 1 || d >= low - len || tr_guest_softmmu(c) ||
        c->rt.helper_guard == TR_HELPER_RETRIED)
        return false;
    if (k == REP_MOVS ? s >= low - len || d - s < len || s - d < len : (d & (bytes - 1)) != 0)
        return false;
    c->rt.helper_guard = TR_HELPER_RETRY;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);        /* (the guest bytes after the flag) */
    if (k == REP_MOVS) memcpy((void *)(uintptr_t)d, (const void *)(uintptr_t)s, len);
    else if (bytes == 1) memset((void *)(uintptr_t)d, (int)(c->regs[X86_RAX] & 0xff), len);
    else fill_elems((void *)(uintptr_t)d, c->regs[X86_RAX], bytes, n);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    c->rt.helper_guard = NULL;
    c->regs[X86_RCX] = 0;
    c->regs[X86_RDI] = d + len;
    if (k == REP_MOVS) c->regs[X86_RSI] += len;
    return true;
}

/* A rep with a zero count under 0x67: AMD writes no register; Intel
 * still writes ECX, and rep movs ESI and EDI, rep stos EDI, zeroing their
 * upper halves (measured on Sapphire Rapids: segment.c's a32_rep_* cases,
 * whose registers carry junk upper halves).  No flag is written. */
static void rep_none(struct x86_cpu *c, const struct rep_regs *r, enum rep_kind k, uint64_t a32)
{
    if (a32 && x86_machine()->intel)
        rep_put(c, r, k == REP_MOVS, k == REP_MOVS || k == REP_STOS);
}

static __attribute__((noinline)) void rep_run(struct x86_cpu *c, uint64_t bytes, uint64_t repne,
                                              uint64_t seg, uint64_t a32, enum rep_kind k)
{
    struct rep_regs r = rep_get(c, bytes, seg, a32);
    if (r.n == 0) {
        rep_none(c, &r, k, a32);
        return;
    }
    if (c->rt.helper_guard == TR_HELPER_RETRIED)
        c->rt.helper_guard = NULL;
    if (k != REP_STOS && k != REP_SCAS)     /* a tagged pointer: #GP before any element */
        x86_check_canonical_span(c, r.s + r.seg, bytes);
    if (k != REP_LODS)
        x86_check_canonical_span(c, r.d, bytes);
    if (tr_guest_softmmu(c))
        rep_precise(c, r, bytes, k, repne != 0);
    else if ((k == REP_MOVS && movs_flat(&r, bytes)) || (k == REP_STOS && stos_flat(&r, bytes)))
        rep_fast(c, r, bytes, k);
    else
        rep_precise(c, r, bytes, k, repne != 0);
}

static uint64_t helper_rep_movs(void *env, uint64_t bytes, uint64_t repne, uint64_t seg, uint64_t a32)
{
    if (!rep_quick(CPU(env), bytes, seg, a32, REP_MOVS))
        rep_run(CPU(env), bytes, repne, seg, a32, REP_MOVS);
    return 0;
}
static uint64_t helper_rep_stos(void *env, uint64_t bytes, uint64_t repne, uint64_t seg, uint64_t a32)
{
    if (!rep_quick(CPU(env), bytes, seg, a32, REP_STOS))
        rep_run(CPU(env), bytes, repne, seg, a32, REP_STOS);
    return 0;
}
static uint64_t helper_rep_lods(void *env, uint64_t bytes, uint64_t repne, uint64_t seg, uint64_t a32)
{ rep_run(CPU(env), bytes, repne, seg, a32, REP_LODS); return 0; }
static uint64_t helper_rep_cmps(void *env, uint64_t bytes, uint64_t repne, uint64_t seg, uint64_t a32)
{ rep_run(CPU(env), bytes, repne, seg, a32, REP_CMPS); return 0; }
static uint64_t helper_rep_scas(void *env, uint64_t bytes, uint64_t repne, uint64_t seg, uint64_t a32)
{ rep_run(CPU(env), bytes, repne, seg, a32, REP_SCAS); return 0; }

const struct ir_helper x86_helper_rep_movs = { (void *)helper_rep_movs, "rep_movs", 4, 0, RW };
const struct ir_helper x86_helper_rep_stos = { (void *)helper_rep_stos, "rep_stos", 4, 0, RW };
const struct ir_helper x86_helper_rep_lods = { (void *)helper_rep_lods, "rep_lods", 4, 0, RW };
const struct ir_helper x86_helper_rep_cmps = { (void *)helper_rep_cmps, "rep_cmps", 4, 0, RW };
const struct ir_helper x86_helper_rep_scas = { (void *)helper_rep_scas, "rep_scas", 4, 0, RW };

/* ---- pure helpers ------------------------------------------------------ */

static uint64_t helper_popcnt(void *env, uint64_t v) { (void)env; return (uint64_t)__builtin_popcountll(v); }

/* A monotonic 1 GHz "TSC" from the host clock. */
static uint64_t helper_rdtsc(void *env)
{
    struct timespec ts;
    (void)env;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const struct ir_helper x86_helper_popcnt = { (void *)helper_popcnt, "popcnt", 1, 1, 0 };
const struct ir_helper x86_helper_rdtsc = { (void *)helper_rdtsc, "rdtsc", 0, 1, 0 };
