/* x64_envzero.c -- runs of 8-byte zero stores to env at consecutive
 * offsets as 16-byte stores of a zeroed xmm0.  x86's vzeroupper zeroes the
 * upper halves of all sixteen YMM registers: 32 `mov qword ptr [r14 +
 * off], 0` (glibc's AVX2 string functions run it at every return: about
 * 1 % of python's and perl's host instructions).  A run of four or more
 * becomes `xorps xmm0, xmm0` and `movups [r14 + off], xmm0` per pair, an
 * odd last store staying as it was: 17 instructions for vzeroupper, 10
 * where the host has AVX (32-byte stores, ymm_shorter).  (The AArch64
 * host pairs such runs itself: a64_envpair.c.)
 *
 * Each store of a run is rewritten as it arrives: the run is emitted again
 * from its start in its best form.  A run continues only while its code is
 * the last thing emitted in the same block (c->start, its end at c->ptr
 * and its bytes as emitted: nothing between, no glue, no other op).  Env
 * stores never fault and no fault point, branch target or relocation lies
 * inside a run, so the order of its stores within the 16- or 32-byte ones
 * changes nothing anyone can see.  xmm0 is scratch for every op (the
 * vector ops' own, x64_vec.c; the env-slot cache is xmm8-15), and xorps
 * and movups leave the host flags alone (the allocator's glue relies on
 * that between a flag-setting op and its reader).
 */
#include <string.h>

#include "x64_backend.h"
#include "x64_encode_sse.h"
#include "x64_host.h"

enum { RUN_MAX = 32, RUN_BYTES = 512 };

static __thread struct {
    const uint8_t *block;       /* c->start of its block; NULL: none */
    uint8_t *start, *end;       /* its code */
    int32_t first;              /* env offset of its first store */
    int n;
    uint8_t bytes[RUN_BYTES];   /* its code as emitted */
} run;

static bool continues(const struct be_code *c, int32_t offset)
{
    size_t len = (size_t)(run.end - run.start);
    return run.block == c->start && run.end == c->ptr && run.n < RUN_MAX &&
           offset == run.first + 8 * run.n && len <= RUN_BYTES &&
           memcmp(be_writable(c, run.start), run.bytes, len) == 0;
}

/* The paired form is shorter from four stores on: 1 + n / 2 + n % 2 < n. */
static bool paired_shorter(int n) { return n >= 4; }

static void emit_single(struct be_code *c, int32_t offset)
{
    x64_emit_mov_m_imm32(c, X64_W, X64_ENV, x64_env_disp(offset), 0);
}

/* From eight stores on, a host with AVX writes 32 bytes a store: VEX
 * vxorps xmm0 (zeroes all of ymm0), vmovups [r14 + disp], ymm0 per four
 * stores, then vzeroupper (legacy SSE code follows, which a dirty upper
 * state slows down on some CPUs; xmm0's low half stays zero for what is
 * left of the run): vzeroupper's 32 stores in 10 instructions. */
static bool ymm_shorter(int n)
{
    return n >= 8 && x64_host_has(X64_HOST_AVX);
}

static void emit_vex_store(struct be_code *c, int32_t disp)
{
    static const uint8_t vex[] = { 0xc4, 0xc1, 0x7c, 0x11 };    /* vmovups m256, ymm0 (base r14) */
    bool d8 = disp >= -128 && disp < 128;
    for (unsigned k = 0; k < sizeof vex; k++)
        x64_emit_byte(c, vex[k]);
    x64_emit_byte(c, (d8 ? 0x40 : 0x80) | (X64_ENV & 7));
    if (d8)
        x64_emit_byte(c, (uint8_t)disp);
    else
        x64_emit_u32(c, (uint32_t)disp);
}

static int emit_ymm_run(struct be_code *c)
{
    static const uint8_t vxorps[] = { 0xc5, 0xf8, 0x57, 0xc0 }, vzeroupper[] = { 0xc5, 0xf8, 0x77 };
    int k = 0;
    for (unsigned j = 0; j < sizeof vxorps; j++)
        x64_emit_byte(c, vxorps[j]);
    for (; k + 3 < run.n; k += 4)
        emit_vex_store(c, x64_env_disp(run.first + 8 * k));
    for (unsigned j = 0; j < sizeof vzeroupper; j++)
        x64_emit_byte(c, vzeroupper[j]);
    return k;
}

static void emit_run(struct be_code *c)
{
    int k = 0;
    if (ymm_shorter(run.n)) {
        k = emit_ymm_run(c);
        for (; k + 1 < run.n; k += 2)
            x64_emit_sse_rm(c, X64_PNONE, 0x0f11, 0, X64_ENV, x64_env_disp(run.first + 8 * k));
    } else if (paired_shorter(run.n)) {
        x64_emit_sse_rr(c, X64_PNONE, false, 0x0f57, 0, 0);             /* xorps xmm0, xmm0 */
        for (; k + 1 < run.n; k += 2)                                   /* movups [m], xmm0 */
            x64_emit_sse_rm(c, X64_PNONE, 0x0f11, 0, X64_ENV, x64_env_disp(run.first + 8 * k));
    }
    for (; k < run.n; k++)
        emit_single(c, run.first + 8 * k);
}

/* `mov qword ptr [env + offset], 0` as part of a run of them. */
void x64_env_store_zero(struct be_code *c, int32_t offset)
{
    if (!continues(c, offset)) {
        run.block = c->start;
        run.start = c->ptr;
        run.first = offset;
        run.n = 0;
    }
    run.n++;
    c->ptr = run.start;
    emit_run(c);
    run.end = c->ptr;
    size_t len = (size_t)(run.end - run.start);
    if (len <= RUN_BYTES)
        memcpy(run.bytes, be_writable(c, run.start), len);
}
