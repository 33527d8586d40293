/* exec_unknown.c -- a call to addresses nothing was ever mapped at (so
 * ferry's map of the guest does not know them either) gives the guest a
 * SIGSEGV at that address, also when ferry cannot probe pages with
 * process_vm_readv (qemu-user; check-reliab runs it under no_vm_readv,
 * a seccomp filter refusing the call). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;
static void *fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    fault_addr = si->si_addr;
    siglongjmp(back, 1);
}

int main(void)
{
    static const uintptr_t targets[] = { 0x1000, 0x8000, 0xfffc };
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    for (unsigned k = 0; k < sizeof(targets) / sizeof(targets[0]); k++) {
        if (sigsetjmp(back, 1) == 0) {
            ((void (*)(void))targets[k])();
            printf("call %#lx returned\n", (unsigned long)targets[k]);
        } else {
            printf("call %#lx: SIGSEGV at %p\n", (unsigned long)targets[k], fault_addr);
        }
    }
    return 0;
}
