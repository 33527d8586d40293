/* a64_fault.c -- reading the interrupted AArch64 host state out of a signal
 * handler's ucontext (host faults on guest memory in translated code). */
#define _GNU_SOURCE
#include <signal.h>
#include <ucontext.h>
#include <asm/sigcontext.h>

#include "a64_emit.h"
#include "a64_vec.h"
#include "translator.h"

uintptr_t be_ucontext_pc(const void *uc)
{
    return (uintptr_t)((const ucontext_t *)uc)->uc_mcontext.pc;
}

/* The kernel's (and qemu-user's) fpsimd record among the frame's
 * __reserved records, or NULL. */
static const struct fpsimd_context *fpsimd_of(const mcontext_t *m)
{
    const unsigned char *p = (const unsigned char *)m->__reserved;
    const unsigned char *end = p + sizeof(m->__reserved);
    while (p + sizeof(struct _aarch64_ctx) <= end) {
        const struct _aarch64_ctx *h = (const void *)p;
        if (h->magic == FPSIMD_MAGIC && h->size >= sizeof(struct fpsimd_context))
            return (const void *)p;
        if (!h->magic || h->size < sizeof(*h))
            return NULL;
        p += h->size;
    }
    return NULL;
}

/* x0..x30; 31 (sp/xzr) is never an allocated register.  Past
 * BE_FAULT_VREG: half h of an env-slot cache register, numbered from
 * A64_VC_FIRST (v16 is 0: backend.h's v < 16) as a64_vec.c notes them. */
uint64_t be_ucontext_reg(const void *uc, int reg)
{
    const mcontext_t *m = &((const ucontext_t *)uc)->uc_mcontext;
    if (reg >= BE_FAULT_VREG) {
        int v = A64_VC_FIRST + ((reg - BE_FAULT_VREG) >> 1), h = (reg - BE_FAULT_VREG) & 1;
        const struct fpsimd_context *f = fpsimd_of(m);
        uint64_t x = 0;
        if (f && v <= A64_VC_LAST)
            __builtin_memcpy(&x, (const char *)&f->vregs[v] + 8 * h, sizeof(x));
        return x;
    }
    return reg >= 0 && reg < 31 ? m->regs[reg] : 0;
}

/* x18 = table, its index bits (the entry a probe between its bfi and its
 * load is reading) kept: the same entry of the other table then, which
 * either holds the same pc's code or never matches (exit_request.c). */
void be_ucontext_jmp_base(void *uc, const void *table)
{
    mcontext_t *m = &((ucontext_t *)uc)->uc_mcontext;
    unsigned shift = tr_jmp_stride() == 2 ? 5 : 4;
    uint64_t index = (((uint64_t)1 << tr_jmp_bits()) - 1) << shift;
    m->regs[A64_JMP_BASE] = (uint64_t)(uintptr_t)table | (m->regs[A64_JMP_BASE] & index);
}

/* The misaligned exclusive load of a canonical-address test's out-of-line
 * part (a64_mem.c: `ldxr xzr, [x16]`, then `b` back to the access). */
#define LDXR_XZR_X16 0xc85f7e1fu

static uint32_t word_at(uintptr_t pc)
{
    uint32_t w;
    __builtin_memcpy(&w, (const void *)pc, 4);
    return w;
}

uintptr_t be_fault_redirect(const void *uc)
{
    a64_split_lock_fault();             /* a misaligned locked op's access faulted */
    a64_pair_probe_fault();             /* a fault of a64_pair_fault.c's probe */
    a64_split_model_fault();            /* ... of a64_split_model.c's write */
    a64_split_model_store(uc);          /* FERRY_A64_SPLIT_STORES: the part it can */
    uintptr_t pc = be_ucontext_pc(uc);
    uint32_t b = word_at(pc + 4);
    if (word_at(pc) != LDXR_XZR_X16 || (b & 0xfc000000u) != 0x14000000u)
        return 0;
    int32_t imm26 = (int32_t)(b << 6) >> 6;
    return pc + 4 + (intptr_t)imm26 * 4;
}

static int64_t sign_extend(uint64_t v, unsigned bits)
{
    return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/* Xm extended as a register-offset access's option field says. */
static uint64_t extended(uint64_t x, unsigned option)
{
    switch (option) {
    case 2: return (uint32_t)x;                     /* uxtw */
    case 6: return (uint64_t)(int64_t)(int32_t)x;   /* sxtw */
    default: return x;                              /* lsl (uxtx), sxtx */
    }
}

/* The guest accesses this backend emits (a64_mem.c, a64_atomic.c,
 * a64_vec.c): ldr/str with an unsigned, unscaled, pre- or post-indexed
 * immediate or a register offset (scalar and SIMD), and the exclusive
 * loads and stores of atomics. */
bool be_fault_access(const void *uc, uintptr_t pc, uint64_t *addr, unsigned *bytes)
{
    uint32_t w = word_at(pc);
    unsigned size = w >> 30, rn = w >> 5 & 31, scale = size;
    if (rn == 31)
        return false;
    uint64_t xn = be_ucontext_reg(uc, (int)rn);
    if ((w & 0x3f000000u) == 0x08000000u) {                 /* exclusive */
        *addr = xn;
        *bytes = 1u << size;
        return true;
    }
    if (w & (1u << 26) && (w >> 23 & 1))                    /* SIMD q: size 0, opc 1x */
        scale = 4;
    *bytes = 1u << scale;
    if ((w & 0x3b000000u) == 0x39000000u) {                 /* unsigned immediate */
        *addr = xn + ((uint64_t)(w >> 10 & 0xfff) << scale);
        return true;
    }
    if ((w & 0x3b200c00u) == 0x38200800u) {                 /* register offset */
        uint64_t xm = be_ucontext_reg(uc, (int)(w >> 16 & 31));
        *addr = xn + (extended(xm, w >> 13 & 7) << ((w >> 12 & 1) ? scale : 0));
        return true;
    }
    if ((w & 0x3b200000u) == 0x38000000u) {                 /* imm9: unscaled, pre, post */
        bool post = (w >> 10 & 3) == 1;
        *addr = xn + (post ? 0 : (uint64_t)sign_extend(w >> 12 & 0x1ff, 9));
        return true;
    }
    return false;
}
