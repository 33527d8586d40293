/* x64_canon.c -- IR canon_test on the x86-64 host: x86's check that an
 * indirect call's target is canonical, before the call pushes anything
 * (ir_call_canon_tests, ir_canonical.c).
 *
 * The host would fault on a data access through a non-canonical address
 * by itself, but a call's target is only jumped to, after the push: a
 * native #GP leaves the stack unwritten, so the test comes first.  Inline
 * it is one compare with a constant in the code cache and one branch not
 * taken:
 *     cmp reg, [rip + user_end]     ; 2^47
 *     jae stub
 * The stub, behind the block's final exit:
 *     cmp reg, [rip + kernel_start] ; 2^64 - 2^47: the kernel half is
 *     jae back                      ;   canonical, the call goes on (its
 *                                   ;   fetch faults there as natively)
 *     mov [0x8000000000000000], al  ; a non-canonical address: host #GP
 *     jmp test                      ; never run: names the test
 * The host's #GP is a SIGSEGV at the store (which writes no register);
 * be_fault_redirect reads the
 * `jmp` behind it and gives fault.c the test's own pc, whose fault point
 * (regalloc.c records one for every canon_test) holds the guest state
 * before the call: fault.c raises the guest's #GP there. */
#include <string.h>

#include "guest_mem.h"
#include "x64_backend.h"

/* The block's tests whose stubs are still to be emitted (flushed by its
 * final exit).  `start` tells the block they belong to; an emission
 * restarting at a block's start (a retry, be_emit_again) drops them. */
enum { CANON_MAX = 8, STUB_BYTES = 7 + 6 + 9 + 5 };
static __thread struct {
    const uint8_t *start;
    int n;
    struct { uint32_t test, jae; int reg; } t[CANON_MAX];
} canon;

/* The two constants' offset from the epilogue: the prologue is the same
 * code in every code cache of the process (as x64_tlb.c's stub). */
static int32_t constants_off;

static const uint8_t GP_STORE[9] = { 0xa2, 0, 0, 0, 0, 0, 0, 0, 0x80 };

void x64_canon_emit_constants(struct be_code *c)
{
    while ((uintptr_t)c->ptr & 7)
        x64_emit_byte(c, 0xcc);
    constants_off = (int32_t)(c->ptr - c->epilogue);
    x64_emit_u64(c, TR_CANON_TOP);
    x64_emit_u64(c, (uint64_t)0 - TR_CANON_TOP);
}

/* cmp reg, [rip + rel32] against constant k (0: 2^47, 1: its negation). */
static void emit_cmp_constant(struct be_code *c, int reg, int k)
{
    const uint8_t *at = c->epilogue + constants_off + 8 * k;
    x64_emit_byte(c, (uint8_t)(0x48 | (reg >= 8 ? 4 : 0)));
    x64_emit_byte(c, 0x3b);
    x64_emit_byte(c, (uint8_t)((reg & 7) << 3 | 5));
    x64_emit_u32(c, (uint32_t)(int32_t)(at - (c->ptr + 4)));
    if (c->relocs)
        be_reloc_note(c, c->ptr - 4, BE_RELOC_CODE, X64_FORM_REL32, at);
}

void x64_canon_block_start(const struct be_code *c)
{
    if (c->ptr == c->start)
        canon.start = NULL;
}

void x64_emit_canon_test(struct be_code *c, const struct ir_insn *i, const struct be_arg *out,
                         const struct be_arg *in)
{
    (void)i, (void)out;
    if (canon.start != c->start) {
        canon.start = c->start;
        canon.n = 0;
    }
    uint32_t test = (uint32_t)(c->ptr - c->start);
    emit_cmp_constant(c, in[0].reg, 0);
    if (canon.n == CANON_MAX) {         /* (not seen) the stub inline */
        uint8_t *skip = c->ptr;
        x64_emit_byte(c, 0x72);         /* jb: bits 63:47 clear */
        x64_emit_byte(c, 0);
        emit_cmp_constant(c, in[0].reg, 1);
        x64_emit_byte(c, 0x73);         /* jae: the kernel half */
        x64_emit_byte(c, (uint8_t)(sizeof(GP_STORE) + 5));
        memcpy(be_writable(c, c->ptr), GP_STORE, sizeof(GP_STORE));
        c->ptr += sizeof(GP_STORE);
        x64_emit_jmp_rel32(c, c->start + test);
        *be_writable(c, skip + 1) = (uint8_t)(c->ptr - (skip + 2));
        return;
    }
    canon.t[canon.n].test = test;
    canon.t[canon.n].reg = in[0].reg;
    canon.t[canon.n++].jae = (uint32_t)(c->ptr - c->start);
    x64_emit_jcc_rel32(c, X64_CC_AE, c->ptr + 6);       /* placed by the flush */
    c->end -= STUB_BYTES;               /* the room check counts the stub */
}

/* The waiting tests' stubs (from the block's final exit). */
void x64_canon_flush(struct be_code *c)
{
    if (canon.start != c->start)
        return;
    for (int k = 0; k < canon.n; k++) {
        uint8_t *jae = c->start + canon.t[k].jae;
        int32_t rel = (int32_t)(c->ptr - (jae + 6));
        memcpy(be_writable(c, jae + 2), &rel, 4);
        emit_cmp_constant(c, canon.t[k].reg, 1);
        x64_emit_jcc_rel32(c, X64_CC_AE, jae + 6);
        memcpy(be_writable(c, c->ptr), GP_STORE, sizeof(GP_STORE));
        c->ptr += sizeof(GP_STORE);
        x64_emit_jmp_rel32(c, c->start + canon.t[k].test);
    }
    canon.start = NULL;
    canon.n = 0;
}

/* A fault at a stub's store: the pc of its test (fault.c raises #GP with
 * the guest state of the test's fault point); else 0.  The bytes are
 * compared one at a time, so nothing past a differing one is read. */
uintptr_t be_fault_redirect(const void *uc)
{
    const uint8_t *pc = (const uint8_t *)be_ucontext_pc(uc);
    for (size_t k = 0; k < sizeof(GP_STORE); k++)
        if (pc[k] != GP_STORE[k])
            return 0;
    if (pc[sizeof(GP_STORE)] != 0xe9)
        return 0;
    int32_t rel;
    memcpy(&rel, pc + sizeof(GP_STORE) + 1, 4);
    return (uintptr_t)(pc + sizeof(GP_STORE) + 5) + (uintptr_t)(intptr_t)rel;
}
