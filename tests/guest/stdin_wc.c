/* stdin_wc.c -- reads stdin to the end (read(2) in chunks through stdio)
 * and counts lines, words, bytes and character classes, like wc. */
#include <ctype.h>
#include <stdio.h>

//@stdin: tests/guest/mandelbrot.c

int main(void)
{
    long lines = 0, words = 0, bytes = 0, alpha = 0, digits = 0;
    int c, inword = 0;
    unsigned hash = 5381;
    while ((c = getchar()) != EOF) {
        bytes++;
        lines += c == '\n';
        alpha += isalpha(c) != 0;
        digits += isdigit(c) != 0;
        if (isspace(c))
            inword = 0;
        else if (!inword) {
            inword = 1;
            words++;
        }
        hash = hash * 33 + (unsigned)c;
    }
    printf("%ld lines %ld words %ld bytes %ld alpha %ld digits hash %08x\n",
           lines, words, bytes, alpha, digits, hash);
    return 0;
}
