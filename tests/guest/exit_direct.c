/* exit_direct.c -- _exit with a status > 127 bypasses stdio (the buffered
 * line is lost natively too), and write(2) goes straight out. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("this buffered line is never flushed");
    write(1, "written directly\n", 17);
    write(2, "to stderr directly\n", 19);
    _exit(200);
}
