/* reset.c -- test guest: asks the i8042 for a reset; ferry-system ends
 * (status 0) so the line after it must never appear. */
#include "guest.h"

int guest_main(int ncpus)
{
    put_str("before reset\n");
    outb(0x64, 0xfe);
    put_str("after reset\n");
    return 3;
}
