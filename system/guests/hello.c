/* hello.c -- test guest: prints on COM1, reads a line typed on COM1 and
 * echoes it reversed, then powers off with the status given by the line's
 * first character ('7' -> 7). */
#include "guest.h"

int guest_main(int ncpus)
{
    char line[128];
    int n = 0;
    put_str("hello from the ferry-system guest\n");
    put_str("type a line: ");
    for (int c; n < 127 && (c = serial_getc()) != '\n' && c != '\r';)
        line[n++] = c;
    put_str("\nreversed: ");
    for (int i = n - 1; i >= 0; i--)
        serial_putc(line[i]);
    serial_putc('\n');
    return n && line[0] >= '0' && line[0] <= '9' ? line[0] - '0' : 0;
}
