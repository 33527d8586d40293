/* mandelbrot.c -- the demo: an ASCII Mandelbrot set plus a few computed
 * numbers (double arithmetic, integer loops, printf of both). */
#include <stdio.h>

static int escape_time(double cr, double ci, int limit)
{
    double zr = 0, zi = 0;
    int n = 0;
    while (n < limit && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
    }
    return n;
}

static void draw(int width, int height, int limit)
{
    static const char shades[] = " .:-=+*#%@";
    for (int y = 0; y < height; y++) {
        char line[128];
        for (int x = 0; x < width; x++) {
            double cr = -2.2 + 3.0 * x / width;
            double ci = -1.2 + 2.4 * y / height;
            int n = escape_time(cr, ci, limit);
            line[x] = n == limit ? '@' : shades[n % 9];
        }
        line[width] = 0;
        printf("%s\n", line);
    }
}

static double leibniz_pi(int terms)
{
    double sum = 0;
    for (int k = 0; k < terms; k++)
        sum += (k % 2 ? -4.0 : 4.0) / (2 * k + 1);
    return sum;
}

static unsigned long long collatz_longest(unsigned limit, unsigned *arg)
{
    unsigned long long best = 0;
    for (unsigned n = 1; n < limit; n++) {
        unsigned long long x = n, steps = 0;
        while (x != 1) {
            x = x % 2 ? 3 * x + 1 : x / 2;
            steps++;
        }
        if (steps > best) {
            best = steps;
            *arg = n;
        }
    }
    return best;
}

int main(void)
{
    unsigned arg = 0;
    draw(72, 28, 200);
    printf("pi ~ %.12f (Leibniz, 1e6 terms)\n", leibniz_pi(1000000));
    unsigned long long steps = collatz_longest(30000, &arg);
    printf("longest Collatz chain below 30000: %u (%llu steps)\n", arg, steps);
    return 0;
}
