/* signal_cases.h -- what the guest tests share whose cases each end in a
 * signal, caught and printed from its frame (dead_vstore, vec_copy_fault,
 * cpl3_insns, ymm_store_const, vec_dead_window, and store_fault and
 * store_cross_scalar through store_pages.h): the jump buffer a case's
 * sigsetjmp sets and the handler leaves through, the handler installed for the test's
 * signals (SA_SIGINFO; SA_NODEFER, as it never returns), and the frame's
 * xmm registers and MXCSR in hex.  A header, not a test (tests.mk builds
 * the .c files only). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;

/* extra: more sa_flags (SA_ONSTACK where a case faults with rsp in a bad page) */
static inline void signal_cases_catch_flags(void (*handler)(int, siginfo_t *, void *),
                                            const int *sigs, int n, int extra)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | extra;
    for (int k = 0; k < n; k++)
        sigaction(sigs[k], &sa, NULL);
}

static inline void signal_cases_catch(void (*handler)(int, siginfo_t *, void *), const int *sigs,
                                      int n)
{
    signal_cases_catch_flags(handler, sigs, n, 0);
}

/* xmm0 .. xmm(n-1) as four 32-bit words each, then MXCSR. */
static inline void signal_cases_print_xmm(const ucontext_t *uc, int n)
{
    for (int r = 0; r < n; r++) {
        printf("  xmm%d", r);
        for (int k = 0; k < 4; k++)
            printf(" %08x", uc->uc_mcontext.fpregs->_xmm[r].element[k]);
        printf("\n");
    }
    printf("  mxcsr %08x\n", uc->uc_mcontext.fpregs->mxcsr);
}
