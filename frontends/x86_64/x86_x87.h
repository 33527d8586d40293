/* x86_x87.h -- the x87 FPU, shared by its translator (x86_x87_translate.c),
 * its run-time helpers (x86_x87_ops.c) and the register stack and state
 * images (x86_x87_stack.c).  The state is env->x87 and env->fcw
 * (x86_cpu.h).  Helpers are called from translated code with operands
 * decoded at translation time; none of them sees an instruction byte.
 */
#ifndef FERRY_X86_X87_H
#define FERRY_X86_X87_H

#include "x86_sse_x87_value.h"

/* ---- x86_x87_stack.c: the register stack and the status word ---------- */
unsigned x87_phys(const struct x87 *x, int i);
bool x87_is_empty(const struct x87 *x, int i);
f80 x87_read(struct x87 *x, int i);             /* empty: underflow, indefinite */
void x87_write(struct x87 *x, int i, f80 v);
void x87_push(struct x87 *x, f80 v);            /* full: overflow, indefinite */
void x87_pop(struct x87 *x);
uint16_t x87_status(const struct x87 *x, uint16_t fcw);
void x87_init(struct x86_cpu *env);             /* fninit: registers kept */
void x87_compare_cc(struct x87 *x, f80 a, f80 b, bool quiet);
uint64_t x87_compare_eflags(struct x87 *x, f80 a, f80 b, bool quiet);
/* Memory images of the whole state at a guest address; small: the 16-bit
 * operand-size layout (14-byte environment instead of 28). */
void x87_store_env(struct x86_cpu *env, uint64_t ea, bool small);   /* fnstenv */
void x87_load_env(struct x86_cpu *env, uint64_t ea, bool small);    /* fldenv */
void x87_save(struct x86_cpu *env, uint64_t ea, bool small);        /* fnsave */
void x87_restore(struct x86_cpu *env, uint64_t ea, bool small);     /* frstor */

/* ---- x86_x87_ops.c: helpers called from translated code ---------------- */
/* Kinds of memory operand values (already loaded by IR). */
enum x87_mem_kind { X87_M_F32, X87_M_F64, X87_M_I16, X87_M_I32, X87_M_I64 };
/* Operations of x87_h_misc (no operands). */
enum x87_misc {
    X87_FNCLEX, X87_FNINIT, X87_FDECSTP, X87_FINCSTP, X87_FXAM, X87_FTST,
    X87_FXTRACT, X87_FPTAN, X87_FSINCOS, X87_FPREM, X87_FPREM1, X87_FSCALE,
    X87_FYL2X, X87_FYL2XP1, X87_FPATAN,
};

#define X87_IMAGE_16BIT 4

/* X(name, arguments, touches guest memory itself) */
#define X87_HELPERS(X) \
    X(arith, 5, 0)     /* op, a = ST(ai), b = ST(bi), dest ST(di), pops */ \
    X(arith_m, 3, 0)   /* op, kind, value: ST0 = ST0 op m */ \
    X(com, 3, 0)       /* ST(i), quiet, pops: C3 C2 C0 */ \
    X(com_m, 3, 0)     /* kind, value, pops */ \
    X(comi, 3, 0)      /* ST(i), quiet, pop -> EFLAGS */ \
    X(fld, 1, 0)       /* push ST(i) */ \
    X(fld_m, 2, 0)     /* kind, value */ \
    X(fld_m80, 2, 0)   /* significand, sign+exponent */ \
    X(fld_const, 1, 0) /* D9 E8..EE order: 1 l2t l2e pi lg2 ln2 0 */ \
    X(fst, 2, 0)       /* ST(i) = ST0, pops */ \
    X(fst_m, 4, 1)     /* kind, truncate, pops, address -> the value to store */ \
    X(fst_m80, 1, 1)   /* fstp m80 at the address */ \
    X(fxch, 1, 0)      \
    X(ffree, 2, 0)     /* i, pops */ \
    X(fcmov, 2, 0)     /* i, condition (evaluated in IR) */ \
    X(unary, 1, 0)     /* x87_unary function (fchs fabs f2xm1 fsqrt frndint fsin fcos) */ \
    X(misc, 1, 0)      /* enum x87_misc */ \
    X(fldcw, 1, 0)     \
    X(fnstcw, 0, 0)    \
    X(fnstsw, 0, 0)    \
    X(fbld, 1, 1)      /* guest address of the 10 BCD bytes */ \
    X(fbstp, 1, 1)     \
    X(image, 2, 1)     /* 0 fnstenv 1 fldenv 2 fnsave 3 frstor (| 16-bit), address */ \
    X(fwait, 1, 0)     /* wait (9B, a 0), fnop (a 1): the pending-exception check */

#define X87_ARGS0 struct x86_cpu *env
#define X87_ARGS1 X87_ARGS0, uint64_t a
#define X87_ARGS2 X87_ARGS1, uint64_t b
#define X87_ARGS3 X87_ARGS2, uint64_t c
#define X87_ARGS4 X87_ARGS3, uint64_t d
#define X87_ARGS5 X87_ARGS4, uint64_t e
#define X87_HELPER(name, n) uint64_t x87_h_##name(X87_ARGS##n)
#define X87_DECLARE(name, n, mem) X87_HELPER(name, n);
X87_HELPERS(X87_DECLARE)

/* The operations themselves (x86_x87_ops.c); x87_h_name (x86_x87_wait.c)
 * wraps each: the pending-exception check of waiting instructions (#MF:
 * SIGFPE) and the unmasked responses. */
#define X87_INNER(name, n) uint64_t x87_i_##name(X87_ARGS##n)
#define X87_DECLARE_INNER(name, n, mem) X87_INNER(name, n);
X87_HELPERS(X87_DECLARE_INNER)

/* SIGFPE (#MF) at rt.pc if an unmasked exception is pending: what every
 * waiting x87 instruction and every MMX instruction does first. */
void x87_wait(struct x86_cpu *env);

/* Unmasked exceptions pending (exception flags not masked by FCW): the
 * status word's ES and B, and #MF at the next waiting instruction. */
static inline uint16_t x87_unmasked(const struct x87 *x, uint16_t fcw)
{
    return (uint16_t)(x->exc & ~fcw & 0x3f);
}

#endif
