/* a64_glue.c -- the register allocator's glue on AArch64: register moves,
 * constants, env loads/stores, C calls and far jumps, plus the helpers the
 * op emitters use to bring constant operands into registers.
 */
#include "a64_emit.h"
#include "a64_vec.h"
#include "runtime.h"

/* The glue keeps the vector env-slot cache (backends/vcache.c): it touches no
 * SIMD register; st_env forgets the slots it overlaps, a call empties it. */
void be_emit_mov(struct be_code *c, int dst, int src)
{
    const uint8_t *before = c->ptr;
    if (dst != src) {               /* (a move to itself writes nothing: a loop's step) */
        a64_hoist_wrote(c, dst);
        a64_put(c, a64_mov(true, dst, src));
    }
    vcache_keep(c, before);
}

/* Three or four instructions: a load from the block's literal pool. */
void be_emit_movi(struct be_code *c, int dst, uint64_t imm)
{
    const uint8_t *before = c->ptr;
    if (a64_hoist_movi(c, dst, imm))
        ;                           /* built before the loop entry (a64_hoist.c) */
    else if (!a64_literal_load(c, (unsigned)dst, imm))
        a64_emit_movi_inline(c, dst, imm);
    vcache_keep(c, before);
}

void a64_emit_movi_inline(struct be_code *c, int dst, uint64_t imm)
{
    uint32_t words[4];
    int n = a64_movi_sequence(words, dst, imm);
    for (int i = 0; i < n; i++)
        a64_put(c, words[i]);
}

unsigned a64_src(struct be_code *c, const struct be_arg *a, unsigned scratch, int size)
{
    if (!a->is_const)
        return a->reg;
    uint64_t v = size == 32 ? (uint32_t)a->imm : a->imm;
    int held = a64_hoist_src(c, v);     /* built before a loop's entry */
    if (held >= 0)
        return (unsigned)held;
    be_emit_movi(c, scratch, v);
    return scratch;
}

unsigned a64_src_zr(struct be_code *c, const struct be_arg *a, unsigned scratch, int size)
{
    uint64_t v = size == 32 ? (uint32_t)a->imm : a->imm;
    if (a->is_const && v == 0)
        return A64_ZR;
    return a64_src(c, a, scratch, size);
}

bool a64_offset_is_immediate(unsigned size_log2, int64_t offset)
{
    bool aligned = (offset & ((1 << size_log2) - 1)) == 0;
    return (offset >= 0 && aligned && (offset >> size_log2) < 4096) ||
           (offset >= -256 && offset < 256);
}

/* [base + offset] when the offset fits one of the immediate forms. */
static void ldst_imm(struct be_code *c, unsigned size_log2, enum a64_ldst_opc opc,
                     unsigned reg, unsigned base, int64_t offset)
{
    bool aligned = (offset & ((1 << size_log2) - 1)) == 0;
    if (offset >= 0 && aligned && (offset >> size_log2) < 4096)
        a64_put(c, a64_load_store_unsigned_imm(size_log2, opc, (unsigned)(offset >> size_log2),
                                               base, reg));
    else
        a64_put(c, a64_load_store_unscaled_imm(size_log2, opc, (int)offset, base, reg));
}

/* An offset of two movz/movk (a global's 24-bit displacement, python's
 * `mov rax, [rbx + 0x737e40]`): TMP0 = base + its bits 23:12 (`add ...,
 * lsl #12`), the rest in the access -- two instructions where the offset
 * in TMP0 as an index register takes three.  False: not such an offset
 * (nothing emitted). */
bool a64_offset_splits(unsigned size_log2, int64_t offset)
{
    uint32_t words[4];
    int64_t hi = offset >> 12, lo = offset & 0xfff;
    return hi != 0 && hi > -4096 && hi < 4096 && a64_offset_is_immediate(size_log2, lo) &&
           a64_movi_sequence(words, A64_TMP0, (uint64_t)offset) == 2;
}

bool a64_ldst_split(struct be_code *c, unsigned size_log2, enum a64_ldst_opc opc,
                    unsigned reg, unsigned base, int64_t offset)
{
    int64_t hi = offset >> 12, lo = offset & 0xfff;
    if (!a64_offset_splits(size_log2, offset))
        return false;
    a64_put(c, a64_add_sub_imm(true, hi < 0, false, true, (unsigned)(hi < 0 ? -hi : hi), base,
                               A64_TMP0));
    ldst_imm(c, size_log2, opc, reg, A64_TMP0, lo);
    return true;
}

/* Scaled unsigned offset when aligned and in range, else the unscaled
 * signed 9-bit form, else a split offset, else the offset in TMP0 as an
 * index register. */
void a64_ldst_base(struct be_code *c, unsigned size_log2, enum a64_ldst_opc opc,
                   unsigned reg, unsigned base, int32_t offset)
{
    if (a64_offset_is_immediate(size_log2, offset)) {
        ldst_imm(c, size_log2, opc, reg, base, offset);
    } else if (!a64_ldst_split(c, size_log2, opc, reg, base, offset)) {
        be_emit_movi(c, A64_TMP0, (uint64_t)(int64_t)offset);
        a64_put(c, a64_load_store_reg_offset(size_log2, opc, A64_TMP0, A64_LSL_X, false,
                                             base, reg));
    }
}

void a64_ldst_env(struct be_code *c, unsigned size_log2, enum a64_ldst_opc opc,
                  unsigned reg, int32_t offset)
{
    a64_ldst_base(c, size_log2, opc, reg, A64_ENV, offset);
}

void be_emit_ld_env(struct be_code *c, int reg, int32_t offset)
{
    const uint8_t *before = c->ptr;
    a64_hoist_wrote(c, reg);
    a64_ldst_env(c, 3, A64_LDR, reg, offset);
    vcache_keep(c, before);
}

void be_emit_st_env(struct be_code *c, int reg, int32_t offset)
{
    const uint8_t *before = c->ptr;
    a64_ldst_env(c, 3, A64_STR, reg, offset);
    vcache_clobber(c, before, offset, 8);
}

void a64_emit_jump(struct be_code *c, const void *target)
{
    if (a64_emit_branch_code(c, target, false))
        return;
    a64_emit_movi_addr(c, A64_TMP0, target, BE_RELOC_CODE);
    a64_put(c, a64_uncond_branch_reg(A64_BR, A64_TMP0));
}

_Static_assert(TR_OFFSET_JMP_CACHE % 8 == 0 && TR_OFFSET_JMP_CACHE < 32768,
               "one ldr reaches rt.jmp_cache");

/* The table as rt.jmp_cache has it now: the C code just run may have left
 * x18 anything, and an exit request made meanwhile (which could not reach
 * x18 while C ran: exit_kick.c) swapped the table there. */
void a64_load_jmp_base(struct be_code *c)
{
    a64_ldst_env(c, 3, A64_LDR, A64_JMP_BASE, TR_OFFSET_JMP_CACHE);
}

/* fn(env, ...): a direct bl when the helper is within +-128 MiB (also in
 * a cached block: a relocation), else its address in four instructions;
 * then x18 again. */
void be_emit_call(struct be_code *c, const void *fn)
{
    vcache_reset();                 /* C code: any v16-v31, any env byte */
    a64_hoist_call(c);
    a64_put(c, a64_mov(true, be_host.call_args[0], A64_ENV));
    if (!a64_emit_branch_to(c, fn, true, BE_RELOC_HOST)) {
        a64_emit_movi_addr(c, A64_TMP0, fn, BE_RELOC_HOST);
        a64_put(c, a64_uncond_branch_reg(A64_BLR, A64_TMP0));
    }
    a64_load_jmp_base(c);
}
