/* x87_stack_fault.c -- x87 stack overflow and underflow (session 42
 * probe): nine pushes, arithmetic, fstp, fxch, fcom, fucomi, fcomi,
 * fistp and fxam on empty registers, fsqrt(-1), ffree/fdecstp/fincstp,
 * an unmasked stack fault cleared by fnclex: status words (IE, SF, C1),
 * fnstenv tag words, the masked results' bytes, fxsave and fnsave
 * images byte for byte (instruction and operand pointers zeroed). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void dump(const char *what, const uint8_t *p, int n)
{
    printf("%s", what);
    for (int i = 0; i < n; i++) printf("%s%02x", i % 32 ? "" : "\n  ", p[i]);
    printf("\n");
}

int main(void)
{
    uint16_t sw, tw;
    uint8_t env[28], fx[512] __attribute__((aligned(16))), sv[108];
    long double out[10];
    /* overflow: 9 pushes */
    __asm__ volatile("fninit\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfldpi\n\tfnstsw %0" : "=m"(sw));
    printf("overflow sw %04x\n", sw);
    __asm__ volatile("fnstenv %0" : "=m"(env));
    dump("env", env, 12);     /* FCW, FSW, FTW: FIP follows */
    __asm__ volatile("fstpt %0" : "=m"(out[0]));
    uint8_t *o = (uint8_t *)&out[0];
    dump("st0 after overflow", o, 10);
    __asm__ volatile("fnstsw %0" : "=m"(sw));
    printf("sw %04x\n", sw);
    /* fxsave after overflow: full image except FIP/FDP bytes 8..23 */
    __asm__ volatile("fninit\n\tfld1\n\tfldz\n\tfldl2e\n\tfchs\n\tfxsave %0" : "=m"(fx));
    memset(fx + 8, 0, 16);
    dump("fxsave", fx, 160);
    /* underflow: fadd on empty */
    __asm__ volatile("fninit\n\tfadd %%st(1), %%st\n\tfnstsw %0" : "=m"(sw));
    printf("underflow fadd sw %04x\n", sw);
    __asm__ volatile("fninit\n\tfstp %%st(0)\n\tfnstsw %0" : "=m"(sw));
    printf("underflow fstp sw %04x\n", sw);
    __asm__ volatile("fninit\n\tfld1\n\tfxch %%st(3)\n\tfnstsw %0\n\tfnstenv %1" : "=m"(sw), "=m"(env));
    printf("fxch empty sw %04x\n", sw);
    dump("env", env, 12);     /* FCW, FSW, FTW: FIP follows */
    __asm__ volatile("fninit\n\tfld1\n\tfcom %%st(2)\n\tfnstsw %0" : "=m"(sw));
    printf("fcom empty sw %04x\n", sw);
    __asm__ volatile("fninit\n\tfucomi %%st(1), %%st\n\tfnstsw %0" : "=m"(sw));
    printf("fucomi empty sw %04x\n", sw);
    uint64_t fl;
    __asm__ volatile("fninit\n\tfcomi %%st(1), %%st\n\tpushfq\n\tpopq %0" : "=r"(fl));
    printf("fcomi empty fl %03llx\n", (unsigned long long)(fl & 0x8d5));
    int32_t iv;
    __asm__ volatile("fninit\n\tfistpl %0\n\tfnstsw %1" : "=m"(iv), "=m"(sw));
    printf("fistp empty %08x sw %04x\n", iv, sw);
    __asm__ volatile("fninit\n\tfxam\n\tfnstsw %0" : "=m"(sw));
    printf("fxam empty sw %04x\n", sw);
    __asm__ volatile("fninit\n\tfld1\n\tfsqrt\n\tfld1\n\tfchs\n\tfsqrt\n\tfnstsw %0\n\tfstpt %1\n\tfstp %%st(0)" : "=m"(sw), "=m"(out[1]));
    printf("fsqrt(-1) sw %04x\n", sw);
    dump("val", (uint8_t *)&out[1], 10);
    /* fincstp/fdecstp/ffree and tag word */
    __asm__ volatile("fninit\n\tfld1\n\tfldz\n\tfld1\n\tfchs\n\tffree %%st(1)\n\tfdecstp\n\tfdecstp\n\tfincstp\n\tfnstsw %0\n\tfnstenv %1\n\tfninit" : "=m"(sw), "=m"(env));
    printf("ffree/decstp sw %04x\n", sw);
    dump("env", env, 12);     /* FCW, FSW, FTW: FIP follows */
    /* fnsave then frstor roundtrip with special values */
    __asm__ volatile("fninit\n\tfldz\n\tfchs\n\tfld1\n\tfldpi\n\tfnsave %0\n\tfrstor %0\n\tfnstsw %1" : "=m"(sv), "=m"(sw));
    memset(sv + 12, 0, 16);
    dump("fnsave", sv, 108);
    printf("after frstor sw %04x\n", sw);
    __asm__ volatile("fninit");
    /* unmasked invalid with fwait -> skip (SIGFPE covered elsewhere); stack fault with IM cleared and fnclex */
    uint16_t cw = 0x37e; /* IM unmasked */
    __asm__ volatile("fninit\n\tfldcw %1\n\tfadd %%st(1), %%st\n\tfnstsw %0\n\tfnclex\n\tfninit" : "=m"(sw) : "m"(cw));
    printf("unmasked underflow sw %04x\n", sw);
    (void)tw;
    return 0;
}
