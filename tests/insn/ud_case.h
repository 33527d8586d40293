/* ud_case.h -- UD_CASE(NAME, BYTES): runs one encoding given as .byte
 * values and prints whether it raised SIGILL (1) or ran (0), so the
 * difftests pin which VEX.W / prefix variants the CPU refuses.  Wrap the
 * cases in UD_BEGIN / UD_END (they install and restore the handler). */
#ifndef UD_CASE_H
#define UD_CASE_H

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

#endif
