/* x86_mmx_state.c -- the MMX register file: MM0-7 as the significands of
 * the x87 physical registers, the x87 -> MMX transition every MMX
 * instruction makes (TOP = 0, all tags valid), emms (all tags empty), and
 * the helpers that translated code calls to write MMi, make the
 * transition, run emms and maskmovq.
 */
#include <stddef.h>

#include "x86_mmx.h"
#include "x86_x87.h"

/* Sign and exponent of a register written by MMX: all ones, so that the
 * x87 sees a NaN or infinity there (SDM vol. 1, 9.5.1). */
#define MMX_SE_WRITTEN 0xffffu

uint64_t mmx_get(const struct x86_cpu *env, unsigned i)
{
    return env->x87.st[i & 7].m;
}

void mmx_enter(struct x86_cpu *env)
{
    env->x87.top = 0;
    env->x87.valid = 0xff;
}

void mmx_set(struct x86_cpu *env, unsigned i, uint64_t v)
{
    env->x87.st[i & 7].m = v;
    env->x87.st[i & 7].se = MMX_SE_WRITTEN;
    mmx_enter(env);
}

int32_t mmx_env_off(int i)
{
    return X86_ENV_OFF(x87.st) + (int32_t)(i * sizeof(f80)) + (int32_t)offsetof(f80, m);
}

int mmx_op_reg(const cs_x86_op *op)
{
    if (op->type == X86_OP_REG && op->reg >= X86_REG_MM0 && op->reg <= X86_REG_MM7)
        return (int)(op->reg - X86_REG_MM0);
    return -1;
}

uint64_t x86_mmx_set(struct x86_cpu *env, uint64_t i, uint64_t v)
{
    mmx_set(env, (unsigned)i, v);
    return 0;
}

/* An MMX instruction with an unmasked x87 exception pending raises it
 * (#MF) before doing anything. */
uint64_t x86_mmx_wait(struct x86_cpu *env)
{
    x87_wait(env);
    return 0;
}

uint64_t x86_mmx_enter(struct x86_cpu *env)
{
    mmx_enter(env);
    return 0;
}

/* emms empties every tag and leaves the registers as they are.  TOP: set
 * to 0, as the MMX transition does -- measured on AMD (Zen 5) and on
 * Intel (Ice Lake server), although Intel's SDM has emms write the tag
 * word only (tests/insn/mmx.c emms_top). */
uint64_t x86_mmx_emms(struct x86_cpu *env)
{
    env->x87.valid = 0;
    env->x87.top = 0;
    return 0;
}

/* maskmovq mm1, mm2: the bytes of mm1 whose mm2 byte has its sign bit set
 * go to [rdi] (addr).  The stores come first: a fault leaves the FPU
 * state untouched, as on hardware. */
uint64_t x86_mmx_maskmovq(struct x86_cpu *env, uint64_t d, uint64_t addr, uint64_t m)
{
    uint8_t *p = tr_guest_ptr(env, addr);
    uint64_t data = mmx_get(env, (unsigned)d), mask = mmx_get(env, (unsigned)m);
    /* a zero mask writes nothing, but the CPU checks the 8 bytes anyway
     * (as maskmovdqu; AMD and Intel alike; user mode only) */
    if ((mask & 0x8080808080808080ull) || !tr_guest_softmmu(env))
        x86_guest_probe(env, addr, 8, true);
    for (int i = 0; i < 8; i++)
        if (mask >> (8 * i + 7) & 1)
            p[i] = (uint8_t)(data >> (8 * i));
    mmx_enter(env);
    return 0;
}
