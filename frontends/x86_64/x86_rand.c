/* x86_rand.c -- rdrand and rdseed (random values from the host kernel:
 * CF=1 with a value; OF SF ZF AF PF cleared) and rdtscp (rdtsc's clock, plus ecx = IA32_TSC_AUX, which
 * Linux sets to node << 12 | cpu) and rdpid (the same value).  In
 * system mode IA32_TSC_AUX is the vCPU's own MSR (the guest kernel wrote
 * it; Linux's clock reads use rdtscp, tens of thousands in a boot).
 * rdpru (AMD; decoded by x86_ext_decode.c): ecx 0 (MPERF) and 1 (APERF)
 * read rdtsc's clock -- a virtual CPU always at its base frequency, so
 * APERF/MPERF is 1 -- and any other ecx gives 0; no flag changes, as on
 * this Zen 5.  The values are not the host's counters, so CPUID does not
 * advertise RDPRU (x86_cpuid.c).
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "x86_internal.h"
#include "x86_system.h"

/* 64 random bits from the host kernel's CSPRNG. */
static uint64_t helper_random(void *env)
{
    uint64_t v = 0;
    (void)env;
    while (getrandom(&v, sizeof v, 0) != sizeof v) {
    }
    return v;
}

static uint64_t helper_tsc_aux(void *env)
{
    unsigned cpu = 0, node = 0;
    (void)env;
    if (syscall(SYS_getcpu, &cpu, &node, NULL) != 0)
        cpu = node = 0;
    return (uint64_t)(node & 0xfffff) << 12 | (cpu & 0xfff);
}

static const struct ir_helper helper_random_h = { (void *)helper_random, "random", 0, 1, 0 };
static const struct ir_helper helper_tsc_aux_h = { (void *)helper_tsc_aux, "tsc_aux", 0, 1, 0 };

static uint64_t helper_sys_tsc_aux(void *env)
{
    return (uint32_t)((struct x86_sys_cpu *)env)->sys.tsc_aux;
}

static const struct ir_helper helper_sys_tsc_aux_h = { (void *)helper_sys_tsc_aux, "sys_tsc_aux",
                                                       0, 1, 0 };

static const struct ir_helper *tsc_aux_helper(const struct x86_dc *dc)
{
    return dc->system ? &helper_sys_tsc_aux_h : &helper_tsc_aux_h;
}

/* rdrand/rdseed r16/r32/r64: getrandom (without GRND_RANDOM) does not
 * run dry once the host has booted, so CF is always 1. */
static void h_rdrand(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    ir_ref v = x86_call(dc, &helper_random_h, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_operand_write(dc, d, d->size < 8 ? x86_trunc(dc, v, d->size) : v);
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, x86_imm(dc, X86_CF), IR_NONE, IR_NONE);
}

static void h_rdtscp(struct x86_dc *dc)
{
    ir_ref t = x86_call(dc, &x86_helper_rdtsc, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_ref aux = x86_call(dc, tsc_aux_helper(dc), IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_gpr_write(dc, X86_REG_EAX, t);
    x86_gpr_write(dc, X86_REG_EDX, x86_op2(dc, IR_shr, 8, t, x86_imm(dc, 32)));
    x86_gpr_write(dc, X86_REG_ECX, aux);
}

/* rdpid r64 (F3 0F C7 /7): IA32_TSC_AUX, as rdtscp's ecx; the full
 * register whatever REX.W says, no flags.  Capstone 4 has no RDPID and
 * decodes it as rdseed, dropping the F3: the prefix tells them apart. */
static void h_rdpid(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    ir_ref aux = x86_call(dc, tsc_aux_helper(dc), IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_set_reg(dc, x86_gpr_num(d->reg), aux);
}

/* An F3 byte among the prefixes before the 0F escape (capstone keeps no
 * trace of it in its rdseed decode). */
bool x86_rdpid_form(const struct x86_dc *dc)
{
    bool f3 = false;
    for (size_t i = 0; i < dc->insn->size && dc->insn->bytes[i] != 0x0f; i++)
        f3 |= dc->insn->bytes[i] == 0xf3;
    return f3;
}

static void h_rdseed(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    if (x86_rdpid_form(dc) && !x86_machine_has(X86_FEAT_RDPID))
        x86_raise_sigill(dc);           /* #UD where the machine lacks RDPID */
    else if (x86_rdpid_form(dc) && d->type == X86_OP_REG && x86_gpr_num(d->reg) >= 0)
        h_rdpid(dc);
    else
        h_rdrand(dc);
}

static void h_rdpru(struct x86_dc *dc)
{
    ir_ref t = x86_call(dc, &x86_helper_rdtsc, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_ref ecx = x86_trunc(dc, x86_get_reg(dc, X86_RCX), 4);
    ir_ref known = x86_setcond(dc, IR_LTU, 64, ecx, x86_imm(dc, 2));
    ir_ref v = x86_op2(dc, IR_and, 8, t, x86_op2(dc, IR_sub, 8, x86_imm(dc, 0), known));
    x86_gpr_write(dc, X86_REG_EAX, v);
    x86_gpr_write(dc, X86_REG_EDX, x86_op2(dc, IR_shr, 8, v, x86_imm(dc, 32)));
}

static const struct x86_insn_row rand_rows[] = {
    { X86_FERRY_INS_RDPRU, h_rdpru, X86_FL_PASS, 0, X86_OPF_ANY, NULL },
    X86_ROW(RDRAND, h_rdrand, FULL, 0),
    X86_ROW(RDSEED, h_rdseed, PASS, 0),         /* PASS: rdpid keeps the flags */
    X86_ROW(RDTSCP, h_rdtscp, PASS, 0),
};
const struct x86_row_set x86_rand_rows = X86_ROW_SET("rand", rand_rows);
