/* x87_edges.c -- x87 range edges the SDM defines exactly (vol. 1 ch. 8,
 * vol. 2 per instruction): fbstp of values past 18 digits and of NaN/inf
 * (the packed BCD indefinite), fbld of non-decimal nibbles and -0; fist/
 * fistp/fisttp at 16/32/64 bits just inside and outside their range, of
 * NaN and infinity (the integer indefinite, IE), under each rounding mode;
 * fprem/fprem1's partial remainder (C2 set while the exponent difference
 * is over 63, the quotient's low bits in C0 C3 C1); fsin/fcos/fsincos/fptan
 * at and past 2^63 (C2 set, operand kept); fxam of every class with both
 * signs and of an empty register; the tag word (fnstenv) after each.
 * Printed: the stored bytes, the status word and the tag word.  (Session 43
 * probe: fsincos of 2^62 left the sine's C1 where the CPU gives the
 * cosine's.) */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint64_t m; uint16_t se; } __attribute__((packed)) f80;
struct env { uint16_t cw, r0, sw, r1, tw, r2; uint32_t ip, cs, dp, ds; };

static uint16_t sw_after(void) { uint16_t s; __asm__ volatile("fnstsw %0" : "=m"(s)); return s; }
static uint16_t tw_now(void) { struct env e; __asm__ volatile("fnstenv %0\n\tfldenv %0" : "=m"(e)); return e.tw; }
static void set_rc(int rc) { uint16_t cw = 0x037f | (rc << 10); __asm__ volatile("fldcw %0" : : "m"(cw)); }

static void bcd_store(const char *name, f80 v)
{
    unsigned char out[10]; memset(out, 0xee, 10);
    __asm__ volatile("fninit\n\tfldt %1\n\tfbstp %0" : "=m"(out) : "m"(v));
    uint16_t s = sw_after();
    printf("fbstp %-10s sw %04x tw %04x out", name, s, tw_now());
    for (int i = 9; i >= 0; i--) printf(" %02x", out[i]);
    printf("\n");
}

static void bcd_load(const char *name, const unsigned char in[10])
{
    f80 r;
    __asm__ volatile("fninit\n\tfbld %1\n\tfstpt %0" : "=m"(r) : "m"(*(const unsigned char (*)[10])in));
    printf("fbld %-10s sw %04x -> %04x %016llx\n", name, sw_after(), r.se, (unsigned long long)r.m);
}

#define FIST(NAME, INSN, T)                                                              \
    static void NAME(f80 v, int rc)                                                      \
    {                                                                                    \
        T out; memset(&out, 0xee, sizeof out);                                           \
        __asm__ volatile("fninit\n\tfldt %1\n\t" INSN " %0" : "=m"(out) : "m"(v));       \
        set_rc(0); uint16_t s = sw_after();                                              \
        printf("%-7s rc %d sw %04x tw %04x out %#llx\n", #NAME, rc, s, tw_now(), (unsigned long long)out); \
    }
/* (the rounding control is set after fninit inside: a wrapper) */
#define FISTRC(NAME, INSN, T)                                                            \
    static void NAME##_rc(f80 v, int rc)                                                 \
    {                                                                                    \
        T out; memset(&out, 0xee, sizeof out);                                           \
        uint16_t cw = 0x037f | (rc << 10);                                               \
        __asm__ volatile("fninit\n\tfldcw %2\n\tfldt %1\n\t" INSN " %0" : "=m"(out) : "m"(v), "m"(cw)); \
        uint16_t s = sw_after(); uint16_t t = tw_now(); set_rc(0);                       \
        printf("%-7s rc %d sw %04x tw %04x out %#llx\n", #NAME, rc, s, t, (unsigned long long)out); \
    }
FISTRC(fists, "fists", uint16_t) FISTRC(fistps, "fistps", uint16_t) FISTRC(fistpl, "fistpl", uint32_t)
FISTRC(fistpll, "fistpll", uint64_t) FISTRC(fisttps, "fisttps", uint16_t) FISTRC(fisttpl, "fisttpl", uint32_t)
FISTRC(fisttpll, "fisttpll", uint64_t) FISTRC(fistl, "fistl", uint32_t)

static void prem(const char *insn, f80 a, f80 b)
{
    f80 r; uint16_t s1, s2, s3;
    if (insn[5] == '1')
        __asm__ volatile("fninit\n\tfldt %4\n\tfldt %3\n\tfprem1\n\tfnstsw %1\n\tfprem1\n\tfnstsw %2\n\tfstpt %0\n\tfnstsw %5\n\tfstp %%st(0)"
                         : "=m"(r), "=m"(s1), "=m"(s2) : "m"(a), "m"(b), "m"(s3));
    else
        __asm__ volatile("fninit\n\tfldt %4\n\tfldt %3\n\tfprem\n\tfnstsw %1\n\tfprem\n\tfnstsw %2\n\tfstpt %0\n\tfnstsw %5\n\tfstp %%st(0)"
                         : "=m"(r), "=m"(s1), "=m"(s2) : "m"(a), "m"(b), "m"(s3));
    printf("%-6s %04x:%016llx / %04x:%016llx sw %04x %04x -> %04x:%016llx\n", insn, a.se, (unsigned long long)a.m,
           b.se, (unsigned long long)b.m, s1, s2, r.se, (unsigned long long)r.m);
}

static void trig(f80 v)
{
    f80 r1, r2; uint16_t s[4];
    memset(&r1, 0, sizeof r1); memset(&r2, 0, sizeof r2);
    __asm__ volatile("fninit\n\tfldt %2\n\tfsin\n\tfnstsw %3\n\tfstpt %0" : "=m"(r1), "=m"(r2) : "m"(v), "m"(s[0]));
    printf("fsin    %04x:%016llx sw %04x -> %04x:%016llx\n", v.se, (unsigned long long)v.m, s[0], r1.se, (unsigned long long)r1.m);
    __asm__ volatile("fninit\n\tfldt %2\n\tfcos\n\tfnstsw %3\n\tfstpt %0" : "=m"(r1), "=m"(r2) : "m"(v), "m"(s[0]));
    printf("fcos    %04x:%016llx sw %04x -> %04x:%016llx\n", v.se, (unsigned long long)v.m, s[0], r1.se, (unsigned long long)r1.m);
    __asm__ volatile("fninit\n\tfldt %2\n\tfsincos\n\tfnstsw %3\n\tfstpt %0\n\tfstpt %1\n\tfnstsw %4" : "=m"(r1), "=m"(r2) : "m"(v), "m"(s[0]), "m"(s[1]));
    printf("fsincos %04x:%016llx sw %04x %04x -> %04x:%016llx %04x:%016llx\n", v.se, (unsigned long long)v.m, s[0], s[1],
           r1.se, (unsigned long long)r1.m, r2.se, (unsigned long long)r2.m);
    __asm__ volatile("fninit\n\tfldt %2\n\tfptan\n\tfnstsw %3\n\tfstpt %0\n\tfstpt %1\n\tfnstsw %4" : "=m"(r1), "=m"(r2) : "m"(v), "m"(s[0]), "m"(s[1]));
    printf("fptan   %04x:%016llx sw %04x %04x -> %04x:%016llx %04x:%016llx\n", v.se, (unsigned long long)v.m, s[0], s[1],
           r1.se, (unsigned long long)r1.m, r2.se, (unsigned long long)r2.m);
}

static void xam(const char *name, f80 v)
{
    uint16_t s, t;
    __asm__ volatile("fninit\n\tfldt %2\n\tfxam\n\tfnstsw %0\n\tfnstenv -32(%%rsp)\n\tmovw -24(%%rsp), %%ax\n\tmovw %%ax, %1\n\tfstp %%st(0)"
                     : "=m"(s), "=m"(t) : "m"(v) : "rax");
    printf("fxam %-12s sw %04x tw %04x\n", name, s, t);
}

int main(void)
{
    static const struct { const char *n; f80 v; } bs[] = {
        { "0", { 0, 0 } }, { "-0", { 0, 0x8000 } }, { "1", { 0x8000000000000000ull, 0x3fff } },
        { "1e18-1", { 0xde0b6b3a763fffffull << 4 >> 4 | 0, 0 } },
        { "max18", { 0xde0b6b3a763ffff0ull, 0x403a } },   /* 999999999999999999 << 4 approx */
        { "1e18", { 0xde0b6b3a76400000ull, 0x403a } },
        { "-1e18", { 0xde0b6b3a76400000ull, 0xc03a } },
        { "2^63", { 0x8000000000000000ull, 0x403e } },
        { "0.5", { 0x8000000000000000ull, 0x3ffe } }, { "1.5", { 0xc000000000000000ull, 0x3fff } },
        { "-2.5", { 0xa000000000000000ull, 0xc000 } },
        { "inf", { 0x8000000000000000ull, 0x7fff } }, { "-inf", { 0x8000000000000000ull, 0xffff } },
        { "qnan", { 0xc000000000000000ull, 0x7fff } }, { "snan", { 0xa000000000000000ull, 0x7fff } },
        { "denorm", { 1, 0 } }, { "unnormal", { 0x4000000000000000ull, 0x4010 } },
    };
    for (unsigned i = 0; i < sizeof bs / sizeof *bs; i++) {
        f80 v = bs[i].v;
        if (i == 3) { v.m = 0; v.se = 0; }
        bcd_store(bs[i].n, v);
        xam(bs[i].n, v);
    }
    /* 999999999999999999 exactly: 0x0de0b6b3a763ffff */
    { f80 v = { 0xde0b6b3a763ffff0ull, 0x403a }; v.m = 0xde0b6b3a763ffffull << 4; v.se = 0x403a; bcd_store("999..9", v); }
    { f80 v = { 0xde0b6b3a763ffffull << 4, 0xc03a }; bcd_store("-999..9", v); }
    { f80 v = { 0xde0b6b3a763ffff8ull, 0x403a }; bcd_store("999..9.5", v); }
    static const unsigned char bl[][10] = {
        { 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x00 },
        { 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x80 },
        { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80 },
        { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
        { 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
        { 0xab, 0xcd, 0, 0, 0, 0, 0, 0, 0, 0x01 },
        { 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f },
        { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff },
    };
    for (unsigned i = 0; i < sizeof bl / sizeof *bl; i++) { char n[8]; sprintf(n, "#%u", i); bcd_load(n, bl[i]); }
    static const f80 iv[] = {
        { 0xfffe000000000000ull, 0x400d },  /* 32767 */
        { 0xffff000000000000ull, 0x400d },  /* 32767.5 */
        { 0x8000000000000000ull, 0x400e },  /* 32768 */
        { 0x8001000000000000ull, 0xc00e },  /* -32768.5 */
        { 0x8002000000000000ull, 0xc00e },  /* -32769 */
        { 0xffffffff00000000ull, 0x401d },  /* 2^31 - 0.5 */
        { 0x8000000000000000ull, 0x401e },  /* 2^31 */
        { 0x8000000080000000ull, 0xc01e },  /* -2^31 - 0.5 */
        { 0xffffffffffffffffull, 0x403d },  /* 2^63 - 0.5 */
        { 0x8000000000000000ull, 0x403e },  /* 2^63 */
        { 0x8000000000000000ull, 0xc03e },  /* -2^63 */
        { 0x8000000000000001ull, 0xc03e },  /* -2^63 - 1 */
        { 0xc000000000000000ull, 0x3ffe },  /* 0.75 */
        { 0xc000000000000000ull, 0xbffe },  /* -0.75 */
        { 0x8000000000000000ull, 0x7fff }, { 0xc000000000000000ull, 0xffff }, { 1, 0 },
    };
    for (unsigned i = 0; i < sizeof iv / sizeof *iv; i++)
        for (int rc = 0; rc < 4; rc++) {
            fists_rc(iv[i], rc); fistps_rc(iv[i], rc); fistpl_rc(iv[i], rc); fistpll_rc(iv[i], rc);
            fisttps_rc(iv[i], rc); fisttpl_rc(iv[i], rc); fisttpll_rc(iv[i], rc); fistl_rc(iv[i], rc);
        }
    static const f80 pa[] = {
        { 0x8000000000000000ull, 0x7ffe }, { 0xc90fdaa22168c235ull, 0x4100 }, { 0x8000000000000000ull, 0x403f },
        { 0xb000000000000000ull, 0x4003 }, { 0x8000000000000000ull, 0xc050 }, { 0x8000000000000001ull, 0x0001 },
        { 0xa000000000000000ull, 0x4001 },
    };
    static const f80 pb[] = {
        { 0xc90fdaa22168c235ull, 0x4000 }, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 },
        { 0x8000000000000000ull, 0x0001 }, { 0xa000000000000000ull, 0xc000 },
    };
    for (unsigned i = 0; i < sizeof pa / sizeof *pa; i++)
        for (unsigned j = 0; j < sizeof pb / sizeof *pb; j++) { prem("fprem", pa[i], pb[j]); prem("fprem1", pa[i], pb[j]); }
    static const f80 tv[] = {
        { 0x8000000000000000ull, 0x403d }, { 0xffffffffffffffffull, 0x403d }, { 0x8000000000000000ull, 0x403e },
        { 0x8000000000000000ull, 0xc03e }, { 0xc90fdaa22168c235ull, 0x4000 }, { 0x8000000000000000ull, 0x7fff },
        { 0xc000000000000000ull, 0x7fff }, { 0, 0 }, { 0, 0x8000 }, { 1, 0 }, { 0xc90fdaa22168c234ull, 0x3fff },
    };
    for (unsigned i = 0; i < sizeof tv / sizeof *tv; i++) trig(tv[i]);
    { uint16_t s, t; __asm__ volatile("fninit\n\tfld1\n\tfstp %%st(0)\n\tfxam\n\tfnstsw %0\n\tfnstenv -32(%%rsp)\n\tmovw -24(%%rsp), %%ax\n\tmovw %%ax, %1" : "=m"(s), "=m"(t) : : "rax");
      printf("fxam empty sw %04x tw %04x\n", s, t); }
    { uint16_t s, t; __asm__ volatile("fninit\n\tfldz\n\tfld1\n\tfldpi\n\tffree %%st(1)\n\tfxam\n\tfnstsw %0\n\tfnstenv -32(%%rsp)\n\tmovw -24(%%rsp), %%ax\n\tmovw %%ax, %1\n\tfninit" : "=m"(s), "=m"(t) : : "rax");
      printf("tags zero/empty/valid sw %04x tw %04x\n", s, t); }
    return 0;
}
