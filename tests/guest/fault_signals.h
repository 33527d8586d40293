/* fault_signals.h -- what fault_flags.c and fault_deadflags.c share: one
 * SA_SIGINFO handler for every fault signal, on an alternate stack (cases
 * move rsp into the test page) and re-entrant (a repaired instruction may
 * fault again), and the arithmetic flags each producer leaves undefined
 * (the SDM's list; this CPU's values there are masked, not compared). */
#include <signal.h>
#include <string.h>

#define UNDEF_SH1  0x010        /* shift by 1: AF */
#define UNDEF_SHN  0x810        /* shift by more than 1: OF, AF */
#define UNDEF_ROT  0x800        /* rotate (rcl too) by more than 1: OF */
#define UNDEF_IMUL 0x0d4        /* imul, mul: SF ZF AF PF */
#define UNDEF_BT   0x894        /* bt, bts: OF SF AF PF */
#define UNDEF_BSF  0x8d4        /* bsf: all but ZF */
#define UNDEF_LZ   0x8d4        /* lzcnt/tzcnt: OF SF AF PF (CF ZF defined) */
#define UNDEF_ANDN 0x014        /* andn, blsr: AF PF */
#define UNDEF_LOG  0x010        /* logic: AF */

static void fault_signals_catch(void (*handler)(int, siginfo_t *, void *))
{
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
        sigaction(sigs[k], &sa, NULL);
}
