/* ud_case.h -- UD_CASE(NAME, BYTES): runs one encoding given as .byte
 * values and prints whether it raised SIGILL (1) or ran (0), so the
 * difftests pin which VEX.W / prefix variants the CPU refuses.  Wrap the
 * cases in UD_BEGIN / UD_END (they install and restore the handler). */
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
            __asm__ volatile(".byte " BYTES ::: "xmm1", "xmm3", "memory");    \
        uint64_t in[] = { 0 }, out[] = { ill };                               \
        INSN_CASE(NAME, in, out);                                             \
    } while (0)

/* CPUID.(EAX=7,ECX=SUB) register REG (0 eax, 1 ebx, 2 ecx, 3 edx) bit BIT,
 * 0 where leaf 7 or its subleaf is absent: whether the CPU has the
 * extension, or only its refusals should run (vnni.c, gfni.c). */
static inline uint64_t ud_cpuid7_bit(unsigned sub, int reg, unsigned bit)
{
    unsigned r[4];
    __cpuid_count(0, 0, r[0], r[1], r[2], r[3]);
    if (r[0] < 7) return 0;
    __cpuid_count(7, 0, r[0], r[1], r[2], r[3]);
    if (r[0] < sub) return 0;
    __cpuid_count(7, sub, r[0], r[1], r[2], r[3]);
    return r[reg] >> bit & 1;
}

#endif
