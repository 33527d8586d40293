/* cpu_model.c -- what a program learns about its CPU: the CPUID feature
 * words -cpu MODEL masks (leaf 1 ECX/EDX, leaf 7 EBX/ECX/EDX, leaf 0xD
 * sub-leaf 1 EAX, leaf 0x80000001 ECX/EDX) in hex on the first line,
 * libgcc's __builtin_cpu_supports answers on the second, the vendor on the
 * third
 * (tests/binfmt/check-cpu.sh runs it under ferry and qemu-x86_64). */
#include <cpuid.h>
#include <stdio.h>

#define F(name) { name, __builtin_cpu_supports(name) }

int main(void)
{
    unsigned a, b, c, d, max, w[8] = { 0 };
    __cpuid(0, max, b, c, d);
    __cpuid(1, a, b, w[0], w[1]);
    if (max >= 7)
        __cpuid_count(7, 0, a, w[2], w[3], w[4]);
    if (max >= 0xd)
        __cpuid_count(0xd, 1, w[5], b, c, d);
    __cpuid(0x80000001, a, b, w[6], w[7]);
    for (int i = 0; i < 8; i++)
        printf("%08x%c", w[i], i == 7 ? '\n' : ' ');
    __builtin_cpu_init();
    struct { const char *name; int on; } f[] = {
        F("cmov"), F("mmx"), F("popcnt"), F("sse"), F("sse2"), F("sse3"), F("ssse3"),
        F("sse4.1"), F("sse4.2"), F("avx"), F("avx2"), F("sse4a"), F("fma4"), F("xop"),
        F("fma"), F("avx512f"), F("bmi"), F("bmi2"), F("aes"), F("pclmul"), F("sha"),
        F("rdrnd"), F("rdseed"), F("adx"), F("movbe"), F("lzcnt"), F("f16c"), F("xsave"),
        F("xsaveopt"), F("fsgsbase"), F("rdpid"), F("cmpxchg16b"), F("lahf_lm"), F("abm"),
        F("osxsave"), F("x86-64"), F("x86-64-v2"), F("x86-64-v3"), F("x86-64-v4"),
    };
    for (unsigned i = 0; i < sizeof f / sizeof *f; i++)
        if (f[i].on)
            printf("%s ", f[i].name);
    unsigned v[3];
    __cpuid(0, max, v[0], v[2], v[1]);
    printf("\n%.12s\n", (char *)v);
    return 0;
}
