/* sigaction_race.c -- Python's test_signal.test_stress_modifying_handlers
 * in C: one thread sends SIGUSR1 to the process in a loop while the main
 * thread switches its disposition between a handler and SIG_IGN.  A
 * delivery must see one disposition whole (the kernel reads it under its
 * siglock): ferry once built a frame for the handler and then entered the
 * SIG_IGN just written (address 1, SIGSEGV), about every other run.
 * Not on the AArch64 build's list: under qemu-user, qemu's own delivery to
 * ferry has the same race (it checks the host handler, then jumps to the
 * one it reads again, SIG_IGN when ferry's other thread just mirrored the
 * guest's); sigaction_race_posted.c pins ferry's side on both builds. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "sigaction_switch.h"

#define SWITCHES 20000

static volatile sig_atomic_t handled;

static void on_usr1(int sig) { handled = 1; }

static int switched_enough(int switches) { return switches == SWITCHES; }

static void *sender(void *arg)
{
    while (!stopped())
        kill(getpid(), SIGUSR1);
    return NULL;
}

int main(void)
{
    pthread_t t;
    signal(SIGUSR1, SIG_IGN);
    pthread_create(&t, NULL, sender, NULL);
    switch_disposition(SIGUSR1, on_usr1, switched_enough);
    pthread_join(t, NULL);
    printf("%d switches while SIGUSR1 arrived: alive\n", SWITCHES);
    return 0;
}
