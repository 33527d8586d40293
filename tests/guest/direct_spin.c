/* direct_spin.c -- loops chained through direct jumps stay interruptible
 * (on the AArch64 host their test is one load from a guard page that a
 * request makes unreadable): a SIGALRM handler leaves (siglongjmp) an
 * endless `jmp .` and an endless loop of three blocks (a backward
 * conditional jump, as in gzip's longest_match); then, with a second
 * thread spinning in a direct loop until told to stop, main unmaps code
 * it ran, which needs every thread out of translated code first (an
 * exclusive section in ferry) -- it must not wait forever. */
#include "spin_harness.h"

static void jmp_self_forever(void)
{
    __asm__ volatile("1: jmp 1b" ::: "memory");
}

/* Three blocks: the loop head, a forward jcc's two sides, the back edge. */
static void three_blocks_forever(void)
{
    __asm__ volatile("xor %%eax, %%eax\n"
                     "1: add $1, %%eax\n"
                     "test $1, %%al\n"
                     "jne 2f\n"
                     "add $2, %%eax\n"
                     "jmp 3f\n"
                     "2: sub $1, %%eax\n"
                     "3: cmp $-1, %%eax\n"
                     "jne 1b" ::: "rax", "memory", "cc");
}

/* Spins until `stop`, looping back through a direct `je`. */
static void *spin_until_stopped(void *arg)
{
    __asm__ volatile("1: movl $1, %0\n"
                     "cmpl $0, %1\n"
                     "je 1b" : "+m"(started) : "m"(stop) : "memory", "cc");
    return NULL;
}

int main(void)
{
    spin_catch_alarm();
    spin_interrupt("jmp . loop", jmp_self_forever);
    spin_interrupt("three-block loop", three_blocks_forever);
    spin_unmap_while_spinning();
    spin_interrupt("jmp . loop again", jmp_self_forever);
    return 0;
}
