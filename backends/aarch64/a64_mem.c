/* a64_mem.c -- guest memory and env-field accesses (IR ld/st/ldx/stx/ld_env/st_env).
 *
 * In the TR_MEM_HOST guest-memory mode guest addresses are host
 * addresses, so a guest load is one ldr from the address register.  Sign-extending loads always extend to 64 bits
 * (ldrsb/ldrsh/ldrsw Xt); plain narrow loads zero-extend.
 */
#include <stdio.h>
#include <stdlib.h>

#include "a64_emit.h"

static enum a64_ldst_opc load_opc(unsigned memop)
{
    bool sign = (memop & IR_MO_SIGN) && (memop & IR_MO_SIZE) != IR_MO_64;
    return sign ? A64_LDRS_X : A64_LDR;
}

_Noreturn void be_unsupported_mem_mode(void)
{
    fputs("ferry: aarch64 backend: guest-memory mode not implemented\n", stderr);
    abort();
}

/* Whether a guest access needs x86's non-canonical test: ir_check_accesses
 * marked it (user mode's guest accesses whose address it could not prove
 * to lie where the host faults as x86 does). */
static bool canonical_checked(const struct be_code *c, unsigned memop)
{
    return (c->check_address & IR_ACCESS_TEST) && !(memop & IR_MO_HOST) && c->mem &&
           c->mem->mode == TR_MEM_HOST;
}

/* The tests of the block being emitted, waiting for their out-of-line
 * parts behind its final exit; each lowers c->end by its part's bytes (as
 * the literal pool does), so the allocator's room check counts them. */
enum { CANON_MAX = 64, CANON_STUB_BYTES = 5 * 4 };
static __thread struct {
    unsigned gen;                       /* a64_tail_gen of its block; 0: none */
    int n;
    uint32_t site[CANON_MAX];           /* offset of each test's cbnz */
} canon;

/* The out-of-line part of a test (x30 = bits 63:47 of the address, not
 * zero), for the access at `back`. */
static void canon_stub_body(struct be_code *c, const uint8_t *back)
{
    unsigned marker;
    a64_bitmask_encode(0xff80000000000001ull, 64, &marker);
    a64_put(c, a64_add_sub_imm(true, false, false, false, 1, A64_SCRATCH_LR, A64_SCRATCH_LR));
    a64_put(c, a64_test_branch_imm(true, 17, (int32_t)(back - c->ptr), A64_SCRATCH_LR));  /* all ones: carried out */
    a64_put(c, a64_logical_imm(true, A64_ORR, marker, A64_ZR, A64_TMP0));
    a64_put(c, a64_load_store_exclusive(3, true, false, 0, A64_TMP0, A64_ZR));
    a64_put(c, a64_uncond_branch_imm(false, back - c->ptr));   /* never run: names the access */
}

/* x86 raises #GP for a data address whose bits 63:47 are not all equal.
 * Bits 63:47 clear, the common case, fall through (lsr + cbnz: the flags
 * stay).  Out of line: all set (the kernel half: adding 1 carries into bit
 * 17) goes back to the access itself, which faults as the page fault x86
 * gives; anything else is an exclusive load from the misaligned
 * 0xff80000000000001, an alignment fault (SIGBUS) whose `b` behind it
 * names the access: fault.c makes it #GP at that access's guest state
 * (be_fault_access_pc). */
static void check_canonical(struct be_code *c, unsigned reg)
{
    if (canon.gen == 0 || canon.gen != a64_tail_gen(c)) {
        canon.gen = a64_tail_gen(c);
        canon.n = 0;
    }
    if (canon.n == CANON_MAX) {         /* (not seen) the out-of-line part inline */
        a64_put(c, a64_lsr_imm(true, A64_SCRATCH_LR, reg, 47));
        a64_put(c, a64_compare_branch_imm(true, false, 4 + CANON_STUB_BYTES, A64_SCRATCH_LR));
        canon_stub_body(c, c->ptr + CANON_STUB_BYTES);
        return;
    }
    a64_put(c, a64_lsr_imm(true, A64_SCRATCH_LR, reg, 47));     /* bits 63:47, 17 of them */
    canon.site[canon.n++] = (uint32_t)(c->ptr - c->start);
    a64_put(c, a64_compare_branch_imm(true, true, 0, A64_SCRATCH_LR));  /* cbnz, placed later */
    a64_tail_reserve(c, CANON_STUB_BYTES);
    canon.gen = a64_tail_gen(c);
}
void a64_emit_canon_test(struct be_code *c, const struct be_arg *a)
{
    check_canonical(c, a64_src(c, a, A64_TMP0, 64));
}

/* The waiting tests' out-of-line parts (from finish_block). */
void a64_emit_canonical_stubs(struct be_code *c)
{
    if (canon.gen == 0 || canon.gen != a64_tail_gen(c)) {
        canon.gen = 0;
        return;
    }
    for (int k = 0; k < canon.n; k++) {
        uint8_t *br = c->start + canon.site[k];
        uint32_t w = a64_compare_branch_imm(true, true, (int32_t)(c->ptr - br), A64_SCRATCH_LR);
        __builtin_memcpy(be_writable(c, br), &w, 4);
        canon_stub_body(c, br + 4);
    }
    canon.n = 0;
    canon.gen = 0;
}

/* The host address register of a guest access: every guest ld, st and
 * atomic goes through here, the one place that knows the guest-memory
 * mode. */
unsigned a64_guest_addr(struct be_code *c, unsigned memop, const struct be_arg *addr)
{
    if (!be_access_is_direct(c, memop))
        be_unsupported_mem_mode();
    unsigned reg = a64_src(c, addr, A64_TMP0, 64);
    if (canonical_checked(c, memop))
        check_canonical(c, reg);
    return reg;
}

/* The last `add xd, xn, xm` of IR add (a64_note_address_add). */
static __thread struct {
    const uint8_t *block, *end;
} last_add;

void a64_note_address_add(struct be_code *c)
{
    last_add.block = c->start;
    last_add.end = c->ptr;
}

/* Whether c's last word is that add (a64_vec.c moves it back over a
 * store it defers, then notes it again). */
bool a64_address_add_last(const struct be_code *c)
{
    return last_add.block == c->start && last_add.end == c->ptr;
}

enum { ADD_X_LSL0_MASK = 0xffe0fc00u, ADD_X_LSL0 = 0x8b000000u };

/* The SIMD&FP ldr/str with a register offset (`ldr q0, [xn, xm]`) is one
 * word where the add and a base-register access were two: the vector ops
 * have no indexed form in the IR (the integer ldx/stx do).  Exact at a
 * fault: the add wrote only addr's register, which nothing reads after,
 * and the fault point moves back to the access (c->access_back). */
bool a64_fold_address_add(struct be_code *c, unsigned memop, const struct be_arg *addr,
                          unsigned *rn, unsigned *rm)
{
    uint32_t w;
    return a64_fold_address_add_word(c, memop, addr, rn, rm, &w);
}

/* The same, *word the add taken back (a64_vec.c puts it again on the
 * path that needs its sum). */
bool a64_fold_address_add_word(struct be_code *c, unsigned memop, const struct be_arg *addr,
                               unsigned *rn, unsigned *rm, uint32_t *word)
{
    if (addr->is_const || !addr->dead || !be_access_is_direct(c, memop) ||
        canonical_checked(c, memop) || last_add.block != c->start || last_add.end != c->ptr)
        return false;
    uint32_t w;
    __builtin_memcpy(&w, be_writable(c, c->ptr - 4), 4);
    unsigned rd = w & 31;
    *rn = w >> 5 & 31;
    *rm = w >> 16 & 31;
    if ((w & ADD_X_LSL0_MASK) != ADD_X_LSL0 || rd != (unsigned)addr->reg || *rn == A64_ZR ||
        *rm == A64_ZR)
        return false;
    c->ptr -= 4;
    c->access_back = 4;
    last_add.block = NULL;
    *word = w;
    return true;
}

/* A constant address of two movz/movk (a non-PIE program's global, e.g.
 * python's `movzx eax, word ptr [0xa7ed4c]`): its high half in one movz
 * and the low half as the access's offset, when the offset fits. */
static bool split_const_addr(unsigned memop, uint64_t addr, uint64_t *high, int32_t *low)
{
    uint32_t words[4];
    if (a64_movi_sequence(words, A64_TMP0, addr) != 2)
        return false;
    int64_t lows[2] = { (int64_t)(addr & 0xffff), (int64_t)(addr & 0xffff) - 0x10000 };
    for (int k = 0; k < 2; k++) {
        if (a64_offset_is_immediate(memop & IR_MO_SIZE, lows[k]) &&
            a64_movi_sequence(words, A64_TMP0, addr - (uint64_t)lows[k]) == 1) {
            *high = addr - (uint64_t)lows[k];
            *low = (int32_t)lows[k];
            return true;
        }
    }
    return false;
}

/* A constant address takes the displacement in (it is materialised in
 * A64_TMP0, which the offset fallback of a64_ldst_base would need), or
 * gives back the part an access's offset can hold. */
static unsigned disp_base(struct be_code *c, unsigned memop, const struct be_arg *addr,
                          int32_t *disp)
{
    struct be_arg a = *addr;
    if (a.is_const) {
        a.imm += (uint64_t)(int64_t)*disp;
        *disp = 0;
        if (!canonical_checked(c, memop))
            split_const_addr(memop, a.imm, &a.imm, disp);
    }
    return a64_guest_addr(c, memop, &a);
}

/* A software MMU's access (a64_tlb.c): the probe, then the access at
 * the host address it leaves in x16. */
static bool probed(struct be_code *c, unsigned memop)
{
    return !be_access_is_direct(c, memop) && c->mem->soft && c->mem->soft->tlb;
}

static void probed_access(struct be_code *c, unsigned memop, unsigned rd,
                          const struct a64_index *x, const struct be_arg *val)
{
    unsigned base = a64_tlb_probe(c, memop, x, val);
    if (val)
        rd = a64_src_zr(c, val, A64_TMP1, 64);
    a64_ldst_base(c, memop & IR_MO_SIZE, val ? A64_STR : load_opc(memop), rd, base, 0);
}

void a64_emit_ld(struct be_code *c, unsigned memop, unsigned rd, const struct be_arg *addr,
                 int32_t disp)
{
    if (probed(c, memop)) {
        probed_access(c, memop, rd, &(struct a64_index){ .base = addr, .disp = disp }, NULL);
        return;
    }
    unsigned base = disp_base(c, memop, addr, &disp);
    a64_ldst_base(c, memop & IR_MO_SIZE, load_opc(memop), rd, base, disp);
    a64_note_guest_access(c);
}

void a64_emit_st(struct be_code *c, unsigned memop, const struct be_arg *addr, int32_t disp,
                 const struct be_arg *val)
{
    if (probed(c, memop)) {
        probed_access(c, memop, 0, &(struct a64_index){ .base = addr, .disp = disp }, val);
        return;
    }
    unsigned size = memop & IR_MO_SIZE;
    bool test = !(memop & IR_MO_ALIGNED) &&     /* (ir_stack_align.c) */
                (!addr->is_const ||
                 a64_store_const_crosses(size, addr->imm + (uint64_t)(int64_t)disp));
    unsigned base = disp_base(c, memop, addr, &disp);
    /* A constant value first (a call's return address): the test, when
     * there is one, then stands right before the store's word. */
    bool value_first = val->is_const && base != A64_TMP0;
    unsigned rt = value_first ? a64_src_zr(c, val, A64_TMP1, 64) : A64_ZR;
    if (test)
        a64_store_cross_test(c, size, base, A64_ZR, 0, disp, value_first ? A64_TMP0 : A64_TMP1);
    if (!value_first)
        rt = a64_src_zr(c, val, A64_TMP1, 64);
    a64_ldst_base(c, size, A64_STR, rt, base, disp);
    a64_note_guest_access(c);
}

/* disp as the immediate of one add or sub: 12 bits, or 12 bits shifted
 * by 12 (gzip's `mov ax, [rsi + rcx + 0x10000]`). */
static bool disp_add_imm(int32_t disp, bool *sub, bool *shift12, unsigned *imm)
{
    uint32_t m = disp < 0 ? (uint32_t)-(int64_t)disp : (uint32_t)disp;
    *sub = disp < 0;
    *shift12 = m > 0xfff;
    *imm = *shift12 ? m >> 12 : m;
    return m != 0 && (m <= 0xfff || ((m & 0xfff) == 0 && (m >> 12) <= 0xfff));
}

/* [base + disp + (index << scale)] for a disp no load/store immediate
 * holds but one add does: base + disp into A64_TMP0, then the index as
 * the access's register offset (2 words, was movi, add, add, access) or
 * added (3 words). */
static bool ldst_indexed_add_imm(struct be_code *c, unsigned size, enum a64_ldst_opc opc,
                                 unsigned rt, unsigned base, unsigned index,
                                 const struct a64_index *x)
{
    bool sub, shift12;
    unsigned imm;
    if (a64_offset_is_immediate(size, x->disp) || !disp_add_imm(x->disp, &sub, &shift12, &imm) ||
        index == A64_TMP0)
        return false;
    a64_put(c, a64_add_sub_imm(true, sub, false, shift12, imm, base, A64_TMP0));
    if (x->scale == 0 || x->scale == size) {
        a64_put(c, a64_load_store_reg_offset(size, opc, index, A64_LSL_X, x->scale != 0,
                                             A64_TMP0, rt));
        return true;
    }
    a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, index, x->scale, A64_TMP0,
                                       A64_TMP0));
    a64_ldst_base(c, size, opc, rt, A64_TMP0, 0);
    return true;
}

/* ldx/stx: [base + (index << scale) + disp].  One register-offset access
 * when disp is 0 and the scale is 0 or the access size; otherwise the sum
 * goes to A64_TMP0 (base and index are allocated registers, never it). */
static void ldst_indexed(struct be_code *c, unsigned memop, enum a64_ldst_opc opc, unsigned rt,
                         const struct a64_index *x, const struct be_arg *val)
{
    unsigned size = memop & IR_MO_SIZE;
    bool check = canonical_checked(c, memop) && !(c->check_address & IR_ACCESS_BASE);  /* the sum */
    unsigned base = check ? a64_src(c, x->base, A64_TMP0, 64) : a64_guest_addr(c, memop, x->base);
    unsigned index = a64_src(c, x->index, A64_TMP0, 64);
    if (val && !check)              /* a store: its page-cross test, then its value */
        a64_store_cross_test(c, size, base, index, x->scale, x->disp, A64_TMP1);
    if (val && !check)
        rt = a64_src_zr(c, val, A64_TMP1, 64);
    if (!check && x->disp == 0 && (x->scale == 0 || x->scale == size)) {
        a64_put(c, a64_load_store_reg_offset(size, opc, index, A64_LSL_X, x->scale != 0, base, rt));
        return;
    }
    if (!check && ldst_indexed_add_imm(c, size, opc, rt, base, index, x))
        return;
    int32_t disp = x->disp;
    if (!check && a64_offset_splits(size, disp)) {    /* the sum, then a split offset */
        a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, index, x->scale, base,
                                           A64_TMP0));
        a64_ldst_split(c, size, opc, rt, A64_TMP0, disp);
        return;
    }
    if (!a64_offset_is_immediate(size, disp)) {
        be_emit_movi(c, A64_TMP0, (uint64_t)(int64_t)disp);
        a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, base, 0, A64_TMP0, A64_TMP0));
        if (!check && index != A64_TMP0 && (x->scale == 0 || x->scale == size)) {
            /* the index as the access's register offset (cc1's
             * `movzx eax, word [rax + rax + 0x23c2840]`): one add fewer */
            a64_put(c, a64_load_store_reg_offset(size, opc, index, A64_LSL_X, x->scale != 0,
                                                 A64_TMP0, rt));
            return;
        }
        base = A64_TMP0;
        disp = 0;
    }
    a64_put(c, a64_add_sub_shifted_reg(true, false, false, A64_LSL, index, x->scale, base, A64_TMP0));
    if (check)
        check_canonical(c, A64_TMP0);
    if (val && check) {             /* the same at the checked sum */
        a64_store_cross_test(c, size, A64_TMP0, A64_ZR, 0, disp, A64_TMP1);
        rt = a64_src_zr(c, val, A64_TMP1, 64);
    }
    a64_ldst_base(c, size, opc, rt, A64_TMP0, disp);
}

void a64_emit_ldx(struct be_code *c, unsigned memop, unsigned rd, const struct a64_index *x)
{
    if (probed(c, memop)) {
        probed_access(c, memop, rd, x, NULL);
        return;
    }
    ldst_indexed(c, memop, load_opc(memop), rd, x, NULL);
    a64_note_guest_access(c);
}

void a64_emit_stx(struct be_code *c, unsigned memop, const struct a64_index *x,
                  const struct be_arg *val)
{
    if (probed(c, memop)) {
        probed_access(c, memop, 0, x, val);
        return;
    }
    ldst_indexed(c, memop, A64_STR, A64_ZR, x, val);
}

void a64_emit_ld_env_op(struct be_code *c, unsigned memop, unsigned rd, int32_t offset)
{
    a64_ldst_env(c, memop & IR_MO_SIZE, load_opc(memop), rd, offset);
}

void a64_emit_st_env_op(struct be_code *c, unsigned memop, const struct be_arg *val,
                        int32_t offset)
{
    unsigned rt = a64_src_zr(c, val, A64_TMP1, 64);
    if ((memop & IR_MO_SIZE) == IR_MO_64 && a64_env_store_paired(c, rt, offset))
        return;
    a64_ldst_env(c, memop & IR_MO_SIZE, A64_STR, rt, offset);
}
