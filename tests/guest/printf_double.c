/* printf_double.c -- printf of doubles: %f %e %g %a with precisions and
 * flags, rounding cases (ties, .5 ulps), huge/tiny/denormal values, inf, nan,
 * negative zero; plus strtod round trips. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double values[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 0.25, 1.5, 2.5, -2.5, 0.125, 0.375,
    3.141592653589793, 2.718281828459045, 1e-5, 123456.789, 1e15, 1e16,
    1e21, 1e22, 1.7976931348623157e308, 2.2250738585072014e-308,
    4.9406564584124654e-324, 1e-310, 9.995, 0.0005, 999999.5, 1.0 / 3,
    -1e100, 6.02214076e23, 1.00000000000000022,
};

int main(void)
{
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
        double v = values[i];
        printf("[%f] [%.0f] [%.1f] [%.2f] [%.10f] [%12.3f] [%-12.3f|] [%+f]\n",
               v, v, v, v, v, v, v, v);
        printf("[%e] [%.0e] [%.3e] [%E] [%.15e] [%+.2e]\n", v, v, v, v, v, v);
        printf("[%g] [%.1g] [%.3g] [%.10g] [%.17g] [%#g] [%G]\n", v, v, v, v,
               v, v, v);
        printf("[%a] [%.3a] [%A]\n", v, v, v);
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", v);
        printf("round trip %s %d\n", buf, strtod(buf, NULL) == v);
    }
    double specials[] = { INFINITY, -INFINITY, NAN, -NAN };
    for (unsigned i = 0; i < 4; i++)
        printf("[%f] [%e] [%g] [%a] [%10.3f] [%-8f|]\n", specials[i],
               specials[i], specials[i], specials[i], specials[i], specials[i]);
    printf("[%Lf] [%Le] [%.20Lg]\n", (long double)1 / 3, (long double)2.5e-10L,
           (long double)3.14159265358979323846L);
    float f = 1.1f;
    printf("[%f] [%.9g] [%a]\n", f, f, f);
    printf("strtod: %.17g %.17g %.17g %g %g\n", strtod("0.1", NULL),
           strtod("1e-320", NULL), strtod("0x1.8p1", NULL), strtod("inf", NULL),
           strtod("-nan", NULL));
    return 0;
}
