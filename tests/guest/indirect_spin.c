/* indirect_spin.c -- loops whose only way back is an indirect jump stay
 * interruptible: a SIGALRM handler leaves (siglongjmp) an endless
 * `jmp *%rax` loop, an endless push/ret loop and an endless loop through
 * a call whose ret the return-address stack predicts (only the jmp back
 * tests for a request: session 30); then, with a second
 * thread spinning in an indirect loop until told to stop, main unmaps
 * code it ran, which needs every thread out of translated code first
 * (an exclusive section in ferry) -- it must not wait forever. */
#include "spin_harness.h"

static void jmp_reg_forever(void)
{
    __asm__ volatile("lea 1f(%%rip), %%rax\n1: jmp *%%rax" ::: "rax", "memory");
}

static void ret_forever(void)
{
    __asm__ volatile("1: lea 1b(%%rip), %%rcx\n push %%rcx\n ret" ::: "rcx", "memory");
}

/* call; jmp back: the callee's ret block has no exit_request test. */
static void call_ret_forever(void)
{
    __asm__ volatile("1: call 2f\n jmp 1b\n2: ret" ::: "memory");
}

/* Spins until `stop`, looping back only through `jmp *%rax`. */
static void *spin_until_stopped(void *arg)
{
    __asm__ volatile("lea 1f(%%rip), %%rax\n"
                     "1: movl $1, %0\n"
                     "cmpl $0, %1\n"
                     "jne 2f\n"
                     "jmp *%%rax\n"
                     "2:" : "+m"(started) : "m"(stop) : "rax", "memory", "cc");
    return NULL;
}

int main(void)
{
    spin_catch_alarm();
    spin_interrupt("jmp *%rax loop", jmp_reg_forever);
    spin_interrupt("push/ret loop", ret_forever);
    spin_interrupt("call/ret loop", call_ret_forever);
    spin_unmap_while_spinning();
    return 0;
}
