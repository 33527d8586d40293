/* test_x64_clobbers.c -- the x86-64 backend's x64_op_clobbers table
 * (be_host.op_clobbers, x64_desc.c) checked against the code its emitters
 * produce, so the table cannot drift from them: every IR op the table
 * says needs fewer than all three scratch registers is emitted with many
 * operand assignments (registers drawn from allocatable and pinned ones,
 * outputs aliasing inputs, constants of each reach, both sizes, field
 * positions, memops), the bytes are disassembled with capstone, and every
 * general register written is checked against what the allocator
 * assumes:
 *  - on any path that goes on past the op only the output, the
 *    declared clobbers and the allocatable registers the allocator keeps
 *    nothing in (be_code.regs_held: every one, then none but the
 *    output's) are written (operands are never placed in declared clobbers:
 *    regalloc.c, ra->forbid), and no input is overwritten before the code
 *    reads it (an exit's probe writing the register its pc is in);
 *  - on every path, including ones that leave the block (exit stubs, the
 *    jump-cache miss call), no register outside alloc_mask but the
 *    output is left changed: pinned globals and env survive.
 * A register saved and restored around its use (push ... pop, not ... not)
 * counts as unchanged; a call to C code writes every call-clobbered one. */
#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "x86_64/x64_backend.h"
#include "x86_64/x64_vec.h"

static uint8_t buf[8192] __attribute__((aligned(16)));
enum { CODE_MAX = 4096 };

static struct be_code *fresh(void)
{
    static struct be_code c;
    c = (struct be_code){ .start = buf, .ptr = buf, .end = buf + CODE_MAX };
    c.jump_site[0] = c.jump_site[1] = UINT32_MAX;
    c.epilogue = buf + CODE_MAX + 64;       /* outside the op's code: leaving */
    c.ras_miss = buf + CODE_MAX + 128;
    c.guest_end = 0x7f0000002000;          /* a call's return pc (the RAS push) */
    return &c;
}

/* ---- capstone registers -> host register numbers ---- */

static int gpr_of(csh cs, unsigned creg)
{
    static const char *const names[16][4] = {
        { "rax", "eax", "ax", "al" }, { "rcx", "ecx", "cx", "cl" },
        { "rdx", "edx", "dx", "dl" }, { "rbx", "ebx", "bx", "bl" },
        { "rsp", "esp", "sp", "spl" }, { "rbp", "ebp", "bp", "bpl" },
        { "rsi", "esi", "si", "sil" }, { "rdi", "edi", "di", "dil" },
        { "r8", "r8d", "r8w", "r8b" }, { "r9", "r9d", "r9w", "r9b" },
        { "r10", "r10d", "r10w", "r10b" }, { "r11", "r11d", "r11w", "r11b" },
        { "r12", "r12d", "r12w", "r12b" }, { "r13", "r13d", "r13w", "r13b" },
        { "r14", "r14d", "r14w", "r14b" }, { "r15", "r15d", "r15w", "r15b" },
    };
    const char *n = cs_reg_name(cs, creg);
    if (!n)
        return -1;
    for (int r = 0; r < 16; r++)
        for (int k = 0; k < 4; k++)
            if (!strcmp(n, names[r][k]))
                return r;
    if (!strcmp(n, "ah") || !strcmp(n, "ch") || !strcmp(n, "dh") || !strcmp(n, "bh"))
        return n[0] == 'a' ? 0 : n[0] == 'c' ? 1 : n[0] == 'd' ? 2 : 3;
    return -1;
}

/* ---- the emitted code as a little flow graph ---- */

enum { MAX_INSNS = 160 };

struct flow {
    int n;
    uint64_t addr[MAX_INSNS + 1];
    uint16_t writes[MAX_INSNS];         /* general registers written, bit per register */
    uint16_t reads[MAX_INSNS];
    int succ[MAX_INSNS][2];             /* -1: none; n: the op's end */
    unsigned id[MAX_INSNS];
    bool wide[MAX_INSNS];               /* a 64-bit register operand */
    /* a 64-bit `mov [env + disp], r` (env_store) or `mov r, [env + disp]`
     * (env_load): r, else -1 */
    int8_t env_store[MAX_INSNS], env_load[MAX_INSNS];
    int64_t env_disp[MAX_INSNS];
};

static int index_of(const struct flow *f, uint64_t a)
{
    for (int k = 0; k <= f->n; k++)
        if (f->addr[k] == a)
            return k;
    return -1;
}

static bool is_c_call(const cs_insn *in, uint64_t lo, uint64_t hi)
{
    const cs_x86_op *op = &in->detail->x86.operands[0];
    return in->id == X86_INS_CALL
           && !(op->type == X86_OP_IMM && (uint64_t)op->imm >= lo && (uint64_t)op->imm < hi);
}

/* Where the op's call of the helper stub goes (x64_vec_call_stub: the
 * stub, emitted once so that its length is known, ends at the epilogue
 * fresh() names): it keeps every register but rax, rcx and rdx. */
static uint64_t helper_stub(void)
{
    static uint8_t stub_buf[1024], call_buf[64];
    static uint64_t at;
    if (at)
        return at;
    struct be_code s = { .start = stub_buf, .ptr = stub_buf, .end = stub_buf + sizeof stub_buf };
    x64_vec_emit_stub(&s);
    struct be_code c = { .start = call_buf, .ptr = call_buf, .end = call_buf + sizeof call_buf,
                         .epilogue = buf + CODE_MAX + 64 };     /* (fresh()'s) */
    x64_vec_call_stub(&c);
    int32_t rel;
    memcpy(&rel, call_buf + 1, 4);
    return at = (uint64_t)(uintptr_t)(call_buf + 5) + (uint64_t)(int64_t)rel;
}

static bool calls_helper_stub(const cs_insn *in)
{
    const cs_x86_op *op = &in->detail->x86.operands[0];
    return op->type == X86_OP_IMM && (uint64_t)op->imm == helper_stub();
}

/* A 64-bit mov between a register and [env + disp] (x64_div.c keeps rax
 * and rcx there around their use). */
static void env_access(struct flow *f, int k, const cs_insn *in, int reg_of_op0, int reg_of_op1)
{
    const cs_x86 *x = &in->detail->x86;
    f->env_store[k] = f->env_load[k] = -1;
    if (in->id != X86_INS_MOV || x->op_count != 2 || x->operands[0].size != 8)
        return;
    const cs_x86_op *m = x->operands[0].type == X86_OP_MEM ? &x->operands[0] : &x->operands[1];
    if (m->type != X86_OP_MEM || m->mem.index != X86_REG_INVALID || m->mem.base != X86_REG_R14)
        return;
    f->env_disp[k] = m->mem.disp;
    if (m == &x->operands[0] && x->operands[1].type == X86_OP_REG)
        f->env_store[k] = (int8_t)reg_of_op1;
    else if (m == &x->operands[1])
        f->env_load[k] = (int8_t)reg_of_op0;
}

/* A C call (not the return-address stack's call over its continuation)
 * writes every call-clobbered register. */
static uint16_t call_writes(void)
{
    uint16_t m = 0;
    for (int r = 0; r < 16; r++)
        if (be_host.call_clobbered >> r & 1)
            m |= (uint16_t)(1u << r);
    return m;
}

static void disassemble(struct flow *f, const uint8_t *code, size_t size)
{
    static csh cs;
    if (!cs) {
        cr_assert_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
        cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    }
    cs_insn *ins;
    size_t n = cs_disasm(cs, code, size, (uint64_t)(uintptr_t)code, 0, &ins);
    cr_assert(n > 0 || size == 0, "capstone decoded nothing");
    cr_assert(n <= MAX_INSNS);
    uint64_t lo = (uint64_t)(uintptr_t)code, hi = lo + size;
    f->n = (int)n;
    for (size_t k = 0; k < n; k++)
        f->addr[k] = ins[k].address;
    f->addr[n] = hi;
    for (size_t k = 0; k < n; k++) {
        cs_regs rr, ww;
        uint8_t nr = 0, nw = 0;
        cr_assert_eq(cs_regs_access(cs, &ins[k], rr, &nr, ww, &nw), CS_ERR_OK);
        f->reads[k] = f->writes[k] = 0;
        f->id[k] = ins[k].id;
        f->wide[k] = ins[k].detail->x86.op_count > 0 && ins[k].detail->x86.operands[0].size == 8;
        for (int j = 0; j < nr; j++)
            if (gpr_of(cs, rr[j]) >= 0)
                f->reads[k] |= (uint16_t)(1u << gpr_of(cs, rr[j]));
        for (int j = 0; j < nw; j++)
            if (gpr_of(cs, ww[j]) >= 0)
                f->writes[k] |= (uint16_t)(1u << gpr_of(cs, ww[j]));
        if (is_c_call(&ins[k], lo, hi))
            f->writes[k] |= calls_helper_stub(&ins[k])
                            ? (uint16_t)(1u << X64_RAX | 1u << X64_RCX | 1u << X64_RDX)
                            : call_writes();
        const cs_x86 *xo = &ins[k].detail->x86;
        env_access(f, (int)k, &ins[k],
                   xo->op_count > 0 && xo->operands[0].type == X86_OP_REG ? gpr_of(cs, xo->operands[0].reg) : -1,
                   xo->op_count > 1 && xo->operands[1].type == X86_OP_REG ? gpr_of(cs, xo->operands[1].reg) : -1);
        f->writes[k] &= (uint16_t)~(1u << X64_RSP);       /* pushes and pops balance */
        f->reads[k] &= (uint16_t)~(1u << X64_RSP);
        /* successors: fall-through, and a direct branch's target inside */
        const cs_x86 *x = &ins[k].detail->x86;
        bool uncond = ins[k].id == X86_INS_JMP || ins[k].id == X86_INS_RET;
        bool branch = cs_insn_group(cs, &ins[k], CS_GRP_JUMP) || ins[k].id == X86_INS_CALL;
        f->succ[k][0] = uncond ? -1 : (int)k + 1;
        f->succ[k][1] = -1;
        if (branch && x->op_count == 1 && x->operands[0].type == X86_OP_IMM)
            f->succ[k][1] = index_of(f, (uint64_t)x->operands[0].imm);
    }
    cs_free(ins, n);
}

/* Writes undone before the code goes on: `push r ... pop r` (matched as a
 * stack), `mov [env + d], r ... mov r, [env + d]` (the load with the
 * latest such store before it), and pairs of 64-bit `not r` with no other
 * write of r between (a 32-bit not clears the top half: not undone). */
static void drop_restored(struct flow *f)
{
    for (int k = 0; k < f->n; k++) {
        if (f->env_load[k] < 0)
            continue;
        for (int p = k - 1; p >= 0; p--)
            if (f->env_store[p] == f->env_load[k] && f->env_disp[p] == f->env_disp[k]) {
                for (int j = p + 1; j <= k; j++)
                    f->writes[j] &= (uint16_t)~(1u << f->env_load[k]);
                break;
            }
    }
    int stack[32], sp = 0;
    for (int k = 0; k < f->n; k++) {
        if (f->id[k] == X86_INS_PUSH && f->reads[k] && sp < 32)
            stack[sp++] = k;
        if (f->id[k] == X86_INS_POP && sp > 0) {
            int p = stack[--sp];
            uint16_t r = f->writes[k];
            if (r && f->reads[p] == r)
                for (int j = p + 1; j <= k; j++)
                    f->writes[j] &= (uint16_t)~r;
        }
    }
    for (int k = 0; k < f->n; k++) {
        if (f->id[k] != X86_INS_NOT || !f->writes[k] || !f->wide[k])
            continue;
        uint16_t r = f->writes[k];
        for (int j = k + 1; j < f->n; j++) {
            if (!(f->writes[j] & r))
                continue;
            if (f->id[j] == X86_INS_NOT && f->wide[j])
                f->writes[k] &= (uint16_t)~r, f->writes[j] &= (uint16_t)~r;
            break;
        }
    }
}

/* rel[k]: after instruction k a path reaches an instruction that reads a
 * register in `regs`, or (with_end) the op's end. */
static void reaches(const struct flow *f, uint16_t regs, bool with_end, bool *rel)
{
    static bool reach[MAX_INSNS + 1];   /* from here on */
    bool changed = true;
    for (int k = 0; k < f->n; k++)
        reach[k] = (f->reads[k] & regs) != 0;
    reach[f->n] = with_end;
    while (changed) {
        changed = false;
        for (int k = f->n - 1; k >= 0; k--)
            for (int s = 0; s < 2; s++) {
                int t = f->succ[k][s];
                if (!reach[k] && t >= 0 && reach[t])
                    reach[k] = changed = true;
            }
    }
    for (int k = 0; k < f->n; k++) {
        rel[k] = false;
        for (int s = 0; s < 2; s++)
            rel[k] |= f->succ[k][s] >= 0 && reach[f->succ[k][s]];
    }
}

/* ---- the cases ---- */

/* Registers operands are drawn from: the three scratch ones, the pinned
 * ones that are also call or argument registers, a callee-saved pinned one. */
static const int8_t pool[] = { X64_RAX, X64_RCX, X64_RDX, X64_RSI, X64_RDI, X64_R9, X64_R15 };
enum { POOL = sizeof pool };

struct op_case {
    uint16_t op;
    uint8_t size;
    uint8_t cond;
    int64_t aux[2];
};

static int failures, checked;

static void report(const struct op_case *k, const struct be_arg *out, int n_out,
                   const struct be_arg *in, int n_in, const char *what, uint16_t regs)
{
    char line[256];
    int len = snprintf(line, sizeof line, "%s size %d cond %d aux %lld,%lld: %s %#x; out",
                       ir_op_info[k->op].name, k->size, k->cond, (long long)k->aux[0],
                       (long long)k->aux[1], what, regs);
    for (int j = 0; j < n_out; j++)
        len += snprintf(line + len, sizeof line - (size_t)len, " %s", be_host.reg_names[out[j].reg]);
    len += snprintf(line + len, sizeof line - (size_t)len, " in");
    for (int j = 0; j < n_in; j++)
        len += in[j].is_const ? snprintf(line + len, sizeof line - (size_t)len, " $%#llx",
                                         (unsigned long long)in[j].imm)
                              : snprintf(line + len, sizeof line - (size_t)len, " %s",
                                         be_host.reg_names[in[j].reg]);
    if (failures++ < 20)
        cr_log_error("%s", line);
}

static void check_one(const struct op_case *k, const struct be_arg *out, int n_out,
                      const struct be_arg *in, int n_in, uint64_t declared, uint16_t free_regs)
{
    struct be_code *c = fresh();
    struct ir_insn i = { .op = k->op, .size = k->size, .cond = k->cond,
                         .aux = { k->aux[0], k->aux[1] } };
    uint16_t inputs = 0, outs = 0;
    for (int j = 0; j < n_in; j++)
        if (!in[j].is_const)
            inputs |= (uint16_t)(1u << in[j].reg);
    for (int j = 0; j < n_out; j++)
        outs |= (uint16_t)(1u << out[j].reg);
    uint64_t held = (be_host.alloc_mask & ~(uint64_t)free_regs) | outs;
    c->regs_held = &held;
    be_emit_insn(c, &i, out, in);
    static struct flow f;
    disassemble(&f, c->start, (size_t)(c->ptr - c->start));
    drop_restored(&f);
    static bool rel[MAX_INSNS];
    uint16_t allowed = (uint16_t)(outs | declared | free_regs);
    uint16_t kept = (uint16_t)~(be_host.alloc_mask | outs);
    uint16_t bad_live = 0, bad_any = 0;
    reaches(&f, 0, true, rel);                  /* other registers' values live on */
    for (int j = 0; j < f.n; j++) {
        if (rel[j])
            bad_live |= f.writes[j] & (uint16_t)~allowed;
        bad_any |= f.writes[j] & kept;
    }
    /* An input overwritten, then read (in registers kept: the pass with
     * none kept finds rax's save no longer paired with a restore, and the
     * reads of what the op wrote there look like reads of the input). */
    for (int r = 0; r < 16; r++) {
        uint16_t m = (uint16_t)(1u << r);
        if (!(inputs & m) || (outs & m) || (free_regs & m))
            continue;
        reaches(&f, m, false, rel);
        for (int j = 0; j < f.n; j++)
            if (rel[j])
                bad_live |= f.writes[j] & m;
    }
    checked++;
    if (bad_live)
        report(k, out, n_out, in, n_in, "writes undeclared", bad_live);
    if (bad_any)
        report(k, out, n_out, in, n_in, "leaves changed", bad_any);
}

/* Constants tried for an input: small, 32-bit, and wide (each only where
 * the constraint table lets it be an immediate). */
static const uint64_t consts[] = { 0, 1, 0x12345678, 0xfffffffffffff000ull, 0x123456789aull };
enum { N_CONSTS = sizeof consts / sizeof consts[0] };

/* Every operand assignment: each input a pool register or (where it may
 * be) a constant; the output a pool register.  Operands never sit in a
 * declared clobber (the allocator's ra->forbid). */
static void sweep(const struct op_case *k)
{
    const struct ir_op_info *info = &ir_op_info[k->op];
    int n_in = info->n_in, n_out = info->n_out, n = n_in + n_out;
    struct ir_insn probe = { .op = k->op, .size = k->size, .cond = k->cond,
                             .aux = { k->aux[0], k->aux[1] } };
    int choices = POOL + N_CONSTS, total = 1;
    for (int j = 0; j < n; j++)
        total *= j < n_out ? POOL : choices;
    for (int v = 0; v < total; v++) {
        struct be_arg out[1] = { { 0 } }, in[5] = { { 0 } };
        unsigned const_in = 0;
        int x = v;
        bool ok = true;
        for (int j = 0; j < n_out; j++, x /= POOL)
            out[j].reg = pool[x % POOL];
        for (int j = 0; j < n_in; j++, x /= choices) {
            int pick = x % choices;
            if (pick < POOL) {
                in[j].reg = pool[pick];
                continue;
            }
            uint8_t cls = be_host.constraints[k->op].imm[j];
            in[j].is_const = true;
            in[j].imm = consts[pick - POOL];
            const_in |= 1u << j;
            if (!cls || !be_imm_fits((enum be_imm_class)cls, &probe, in[j].imm))
                ok = false;
        }
        if (!ok)
            continue;
        uint64_t declared = be_host.op_clobbers(fresh(), &probe, const_in) & be_host.alloc_mask;
        for (int j = 0; j < n_out; j++)
            ok &= !(declared >> out[j].reg & 1);
        for (int j = 0; j < n_in; j++)
            ok &= in[j].is_const || !(declared >> in[j].reg & 1);
        if (!ok)
            continue;
        check_one(k, out, n_out, in, n_in, declared, 0);     /* every register kept */
        check_one(k, out, n_out, in, n_in, declared, (uint16_t)be_host.alloc_mask);  /* none */
    }
}

static const struct op_case cases[] = {
    { IR_mov, 64, 0, { 0 } },
    { IR_add, 64, 0, { 0 } }, { IR_add, 32, 0, { 0 } },
    { IR_sub, 64, 0, { 0 } }, { IR_sub, 32, 0, { 0 } },
    { IR_and, 64, 0, { 0 } }, { IR_or, 32, 0, { 0 } }, { IR_xor, 64, 0, { 0 } },
    { IR_andc, 64, 0, { 0 } }, { IR_andc, 32, 0, { 0 } },
    { IR_mul, 64, 0, { 0 } }, { IR_mul, 32, 0, { 0 } },
    { IR_mulhu, 64, 0, { 0 } }, { IR_mulhs, 64, 0, { 0 } },
    { IR_divu, 64, 0, { 0x1000, 0 } }, { IR_divs, 64, 0, { 0x1000, 0 } },
    { IR_divu, 64, 0, { 0x1000, IR_DIV_NARROW } }, { IR_divs, 64, 0, { 0x1000, IR_DIV_NARROW } },
    { IR_shl, 64, 0, { 0 } }, { IR_shr, 32, 0, { 0 } }, { IR_sar, 64, 0, { 0 } },
    { IR_rotl, 32, 0, { 0 } }, { IR_rotr, 64, 0, { 0 } },
    { IR_neg, 64, 0, { 0 } }, { IR_not, 32, 0, { 0 } },
    { IR_ext8u, 64, 0, { 0 } }, { IR_ext8s, 64, 0, { 0 } }, { IR_ext16u, 64, 0, { 0 } },
    { IR_ext16s, 64, 0, { 0 } }, { IR_ext32u, 64, 0, { 0 } }, { IR_ext32s, 64, 0, { 0 } },
    { IR_extract, 64, 0, { 0, 8 } }, { IR_extract, 64, 0, { 8, 8 } },
    { IR_extract, 64, 0, { 4, 40 } }, { IR_extract, 64, 0, { 32, 32 } },
    { IR_deposit, 64, 0, { 0, 8 } }, { IR_deposit, 64, 0, { 0, 16 } },
    { IR_deposit, 64, 0, { 8, 8 } }, { IR_deposit, 64, 0, { 0, 32 } },
    { IR_deposit, 64, 0, { 16, 16 } }, { IR_deposit, 64, 0, { 32, 32 } },
    { IR_bswap, 64, 0, { 0 } }, { IR_bswap, 32, 0, { 0 } },
    { IR_clz, 64, 0, { 0 } }, { IR_ctz, 32, 0, { 0 } },
    { IR_setcond, 64, IR_LTU, { 0 } }, { IR_setcond, 32, IR_TSTNE, { 0 } },
    { IR_movcond, 64, IR_EQ, { 0 } },
    { IR_subf, 64, 0, { 0 } }, { IR_subf, 32, 0, { 0 } },
    { IR_addf, 64, 0, { 0 } }, { IR_andf, 32, 0, { 0 } },
    { IR_setflags, 64, IR_GT, { 0 } }, { IR_movflags, 64, IR_LEU, { 0 } },
    { IR_ld, IR_MO_64, 0, { 16 } }, { IR_ld, IR_MO_8 | IR_MO_SIGN, 0, { -8 } },
    { IR_st, IR_MO_32, 0, { 4 } }, { IR_st, IR_MO_16, 0, { 0 } },
    { IR_ldx, IR_MO_32 | IR_MO_SIGN, 0, { 8, 3 } }, { IR_stx, IR_MO_8, 0, { 0, 1 } },
    { IR_ld_env, IR_MO_64, 0, { 0x400 } }, { IR_st_env, IR_MO_64, 0, { 0x408 } },
    { IR_st_env, IR_MO_32, 0, { 0x40 } },
    { IR_fence, 0, 0, { 0 } }, { IR_canon_test, 0, 0, { 0 } },
    { IR_brcond, 64, IR_NE, { 0x401000, 0 } }, { IR_brcond, 32, IR_GE, { 0x7f0000001000, 1 } },
    { IR_brexit, 64, IR_GEU, { 0x401000, 3 } }, { IR_brflags, 0, IR_LT, { 0x401000, 1 } },
    { IR_exit_request, 0, 0, { 0x401000 } },
    { IR_goto_tb, 0, IR_XFER_JUMP, { 0x401000, 0 } },
    { IR_goto_tb, 0, IR_XFER_CALL, { 0x7f0000001000, 0 } },
    { IR_exit_code, 0, 0, { 0x7f0000001000, 5 } },
    { IR_exit_indirect, 0, IR_XFER_JUMP, { 0 } },
    { IR_exit_indirect, 0, IR_XFER_CALL, { 0 } },
    { IR_exit_indirect, 0, IR_XFER_RET, { 0 } },
};

/* Every op the table lets keep a scratch register has cases above. */
Test(x64_clobbers, every_partial_row_has_cases)
{
    uint64_t all = be_host.op_scratch;
    for (int op = 0; op < IR_VEC_FIRST; op++) {
        struct ir_insn i = { .op = (uint16_t)op, .size = 64 };
        if (op == IR_insn_start || op == IR_call
            || (be_host.op_clobbers(fresh(), &i, 0) & all) == all)
            continue;
        bool found = false;
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
            found |= cases[k].op == op;
        cr_expect(found, "%s: fewer clobbers than all scratch, no case here", ir_op_info[op].name);
    }
}

Test(x64_clobbers, emitted_code_writes_only_declared_registers)
{
    failures = checked = 0;
    helper_stub();                      /* (divu/divs call it: its length first) */
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        sweep(&cases[k]);
    cr_log_info("x64_clobbers: %d operand assignments checked", checked);
    cr_assert_gt(checked, 1000);
    cr_assert_eq(failures, 0, "%d assignments write registers x64_op_clobbers does not declare",
                 failures);
}
