/* x86_x87_wait.c -- the x87 helpers called from translated code (x87_h_*,
 * X87_HELPERS in x86_x87.h), each wrapping its operation (x87_i_*,
 * x86_x87_ops.c) with what the FPU does around every instruction when
 * exceptions are unmasked in FCW:
 *  - a waiting instruction (all but fninit fnclex fnstenv fnsave fnstcw
 *    fnstsw) with an unmasked exception pending raises #MF first: SIGFPE
 *    with Linux's si_code (from the status and control words), si_addr
 *    this instruction, trap number 16; the handler's frame holds the state
 *    with the exception still pending (ES set);
 *  - an operation raising an unmasked invalid-operation, division-by-zero
 *    or denormal exception leaves the registers, TOP and the tags as they
 *    were (only the status word changes).
 * Overflow and underflow re-bias a register result (x87s_round); a store
 * (fst/fist m16-m64) with an unmasked IE, OE or UE leaves memory and the
 * stack (x87_i_fst_m), as does fstp m80 / fbstp with an unmasked IE.
 * fcomi/fucomi with an unmasked IE still write EFLAGS (unordered), as this
 * AMD does; MMX instructions raise a pending exception (x86_mmx_state.c).
 * A non-control instruction past that check records its pointers (FIP,
 * FOP, FDP) for fnstenv/fnsave/fxsave; on Intel FOP and FDP only when it
 * raises an unmasked exception (x87_commit_pointers).
 */
#include "x86_cpu.h"
#include "x86_x87.h"
#include "translator.h"

enum x87_helper_id {
#define X87_ID(name, n, mem) X87_ID_##name,
    X87_HELPERS(X87_ID)
#undef X87_ID
};

static bool x87_waits(enum x87_helper_id id, uint64_t a)
{
    switch (id) {
    case X87_ID_fnstsw: case X87_ID_fnstcw: return false;
    case X87_ID_misc:   return a != X87_FNCLEX && a != X87_FNINIT;
    case X87_ID_image:  return (a & 3) == 1 || (a & 3) == 3;       /* fldenv frstor */
    default:            return true;
    }
}

/* Operations whose new exceptions get the unmasked responses: not the
 * ones that load or clear the status word itself. */
static bool x87_responds(enum x87_helper_id id, uint64_t a)
{
    switch (id) {
    case X87_ID_image: case X87_ID_fldcw: case X87_ID_fnstsw: case X87_ID_fnstcw:
        return false;
    case X87_ID_fwait:
        return a != 0;                  /* fnop: not a control instruction */
    case X87_ID_misc:
        return a != X87_FNCLEX && a != X87_FNINIT;
    default:
        return true;
    }
}

#define FPE_FLTDIV 3
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define TRAP_MF 16

/* si_code as Linux derives it (fpu__exception_code). */
static int x87_fpe_code(uint16_t err)
{
    if (err & 0x01) return FPE_FLTINV;
    if (err & 0x04) return FPE_FLTDIV;
    if (err & 0x08) return FPE_FLTOVF;
    if (err & 0x12) return FPE_FLTUND;
    return FPE_FLTRES;
}

void x87_wait(struct x86_cpu *env)
{
    uint16_t err = x87_unmasked(&env->x87, env->fcw);
    if (!err)
        return;
    env->rt.fault.code = x87_fpe_code(err);
    env->rt.fault.trapno = TRAP_MF;
    tr_raise(&env->rt, TR_EXIT_SIGFPE, env->rt.pc);
}

struct x87_before { bool responds; struct x87 saved; };

/* FOP, and FDP/FDS when the instruction has a memory operand. */
static void x87_commit_op_data(struct x86_cpu *env)
{
    uint32_t next = env->x87_ptr.next;
    env->x87_ptr.fop = (uint16_t)(next & 0x7ff);
    if (next & X87_NEXT_MEM) {
        env->x87_ptr.fdp = env->x87_ptr.next_fdp;
        env->x87_ptr.fds = 0;
    }
}

/* A non-control instruction past its #MF check becomes the last one.
 * AMD: FIP, FCS 0x33, FOP, FDP.  Intel (measured on a Sapphire Rapids:
 * FCS/FDS deprecation, CPUID.7.0:EBX[13], FDP_EXCPTN_ONLY, EBX[6], and FOP
 * compatibility mode off): FIP, FCS 0; FOP and FDP only for an instruction
 * that raises an unmasked exception (x87_leave). */
static void x87_commit_pointers(struct x86_cpu *env)
{
    env->x87_ptr.fip = env->rt.pc;
    if (x86_machine()->intel) {
        env->x87_ptr.fcs = 0;
        return;
    }
    env->x87_ptr.fcs = 0x33;
    x87_commit_op_data(env);
}

static void x87_enter(struct x86_cpu *env, enum x87_helper_id id, uint64_t a, struct x87_before *b)
{
    if (x87_waits(id, a))
        x87_wait(env);
    if (x87_responds(id, a))
        x87_commit_pointers(env);
    b->responds = x87_responds(id, a) && (env->fcw & 0x3f) != 0x3f;
    if (b->responds) {
        b->saved = env->x87;
        env->x87.exc = 0;
    }
}

static void x87_leave(struct x86_cpu *env, const struct x87_before *b)
{
    if (!b->responds)
        return;
    struct x87 *x = &env->x87;
    uint16_t raised = x->exc;
    if ((raised & ~env->fcw & 0x3f) && x86_machine()->intel)
        x87_commit_op_data(env);
    if (raised & ~env->fcw & (X87_IE | X87_ZE | X87_DE)) {
        uint16_t cc = x->cc;
        *x = b->saved;
        x->cc = cc;
    }
    x->exc = raised | b->saved.exc;
}

#define X87_FIRST0 0
#define X87_FIRST1 a
#define X87_FIRST2 a
#define X87_FIRST3 a
#define X87_FIRST4 a
#define X87_FIRST5 a
#define X87_PASS0 env
#define X87_PASS1 env, a
#define X87_PASS2 env, a, b
#define X87_PASS3 env, a, b, c
#define X87_PASS4 env, a, b, c, d
#define X87_PASS5 env, a, b, c, d, e

#define X87_WRAP(name, n, mem)                                                 \
    X87_HELPER(name, n)                                                       \
    {                                                                         \
        struct x87_before before;                                             \
        x87_enter(env, X87_ID_##name, X87_FIRST##n, &before);                 \
        uint64_t r = x87_i_##name(X87_PASS##n);                               \
        x87_leave(env, &before);                                              \
        return r;                                                             \
    }
X87_HELPERS(X87_WRAP)
