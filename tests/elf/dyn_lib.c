/* dyn_lib.c -- a shared library that only exists inside the test sysroot
 * (check-dyn.sh): the guest's ld.so must find it through -L. */
#include <stdio.h>

int dyn_lib_counter = 40;

const char *dyn_lib_greeting(void)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "greetings from the sysroot, counter %d", ++dyn_lib_counter);
    return buf;
}
