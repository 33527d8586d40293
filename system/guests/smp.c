/* smp.c -- test guest for several vCPUs: vCPU 0 and vCPU 1 pass a token
 * back and forth 10000 times through shared memory, which only finishes
 * if both run at the same time; then every vCPU checks in. */
#include "guest.h"

#define ROUNDS 10000
static volatile int token, checked_in, ap_seen_ncpus;

static int wait_for(volatile int *p, int value)
{
    for (long spin = 0; *p != value; spin++) {
        if (spin > 200000000L)
            return -1;
        cpu_relax();
    }
    return 0;
}

void guest_ap(int cpu, int ncpus)
{
    if (cpu == 1) {
        ap_seen_ncpus = ncpus;
        for (int i = 0; i < ROUNDS; i++) {
            if (wait_for(&token, 2 * i + 1) < 0)
                return;
            token = 2 * i + 2;
        }
    }
    __atomic_fetch_add(&checked_in, 1, __ATOMIC_SEQ_CST);
}

int guest_main(int ncpus)
{
    put_str("smp: vcpus "); put_dec(ncpus); serial_putc('\n');
    if (ncpus < 2)
        return 2;
    int i = 0;
    for (; i < ROUNDS; i++) {
        token = 2 * i + 1;
        if (wait_for(&token, 2 * i + 2) < 0)
            break;
    }
    put_str("smp: ping-pong rounds "); put_dec(i); serial_putc('\n');
    put_str("smp: vcpu1 saw vcpus "); put_dec(ap_seen_ncpus); serial_putc('\n');
    int all = wait_for(&checked_in, ncpus - 1) == 0;
    put_str("smp: all aps checked in "); put_str(all ? "yes\n" : "no\n");
    return i == ROUNDS && all ? 0 : 1;
}
