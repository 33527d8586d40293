/* ud_case.h -- UD_CASE(NAME, BYTES): runs one encoding given as .byte
 * values and prints whether it raised SIGILL (1) or ran (0), so the
 * difftests pin which VEX.W / prefix variants the CPU refuses.  Wrap the
 * cases in UD_BEGIN / UD_END (they install and restore the handler).  An
 * encoding may write rax, rcx, rdx, xmm1, xmm3 and the flags. */
#ifndef UD_CASE_H
#define UD_CASE_H

#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>

#include "insn.h"

static sigjmp_buf ud_jmp;
static void ud_handler(int sig) { (void)sig; siglongjmp(ud_jmp, 1); }
#define UD_BEGIN                                                              \
    struct sigaction ud_sa = { .sa_handler = ud_handler }, ud_old;            \
    sigaction(SIGILL, &ud_sa, &ud_old)
#define UD_END sigaction(SIGILL, &ud_old, NULL)
#define UD_CASE(NAME, BYTES)                                                  \
    do {                                                                      \
        volatile uint64_t ill = 0;                                            \
        if (sigsetjmp(ud_jmp, 1))                                             \
            ill = 1;                                                          \
        else                                                                  \
            __asm__ volatile(".byte " BYTES ::: "rax", "rcx", "rdx", "xmm1", "xmm3", \
                             "memory", "cc");    \
        uint64_t in[] = { 0 }, out[] = { ill };                               \
        INSN_CASE(NAME, in, out);                                             \
    } while (0)

/* UD_CASE for an encoding whose memory operand is (%rdx): rdx points at
 * 64 bytes aligned to 64 (cmpxchg16b's operand must be 16-aligned). */
#define UD_CASE_AT_RDX(NAME, BYTES)                                           \
    do {                                                                      \
        static _Alignas(64) uint8_t scratch[64];                              \
        volatile uint64_t ill = 0;                                            \
        uint8_t *at = scratch;                                                \
        if (sigsetjmp(ud_jmp, 1))                                             \
            ill = 1;                                                          \
        else                                                                  \
            __asm__ volatile(".byte " BYTES : "+d"(at) :: "rax", "rcx", "rbx", \
                             "memory", "cc");                                 \
        uint64_t in[] = { 0 }, out[] = { ill };                               \
        INSN_CASE(NAME, in, out);                                             \
    } while (0)

/* CPUID.(EAX=LEAF,ECX=SUB) register REG (0 eax, 1 ebx, 2 ecx, 3 edx) bit
 * BIT, 0 where the leaf (or leaf 7's sub-leaf) is absent: whether the CPU
 * has the extension. */
static inline uint64_t ud_cpuid_bit(unsigned leaf, unsigned sub, int reg, unsigned bit)
{
    unsigned r[4];
    __cpuid_count(leaf & 0x80000000u, 0, r[0], r[1], r[2], r[3]);
    if (r[0] < leaf) return 0;
    __cpuid_count(leaf, 0, r[0], r[1], r[2], r[3]);
    if (leaf == 7 && r[0] < sub) return 0;
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
    return r[reg] >> bit & 1;
}

/* One test of a file that tests more than the extension (misc.c's
 * lahf/sahf, x87.c's fisttp, segment.c's fs/gs base forms): prints NAME's
 * line with HAS and returns whether the CPU has it; the test runs its
 * forms where it does and its UD_CASE rows where not. */
static inline int ud_gate(const char *name, uint64_t has)
{
    uint64_t in[] = { 0 }, out[] = { has };
    INSN_CASE(name, in, out);
    return has != 0;
}

/* main() of the test of an extension a CPU may lack: prints NAME's line,
 * whether the CPU has it (HAS: ud_cpuid_bit's, or several ANDed), then
 * runs every test where it does and only REFUSALS (the extension's
 * UD_CASE rows) where it does not -- a CPU without it still compares
 * those, and ferry's CPUID and #UD are compared with the CPU's either way
 * (vnni.c, gfni.c, sha.c, crypto.c, crypto_vex.c, vaes.c). */
static inline int ud_main(const char *name, uint64_t has, void (*refusals)(void))
{
    if (ud_gate(name, has))
        return insn_main();
    refusals();
    insn_flush();
    return 0;
}

/* A gated test file's refusal test FN (CASES: its UD_CASE statements) and
 * its main(): ud_main's line NAME, the CPU having the extension when HAS. */
#define UD_TEST_MAIN(FN, NAME, HAS, CASES)                                    \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        UD_BEGIN;                                                             \
        CASES                                                                 \
        UD_END;                                                               \
    }                                                                         \
    int main(void) { return ud_main(NAME, (HAS), FN); }

#endif
