/* shift_flags_all.c -- shifts and rotates with every flag kept, the
 * undefined ones too (session 42 probe; tests/insn/shift.c masks them):
 * shl/sal/shr/sar/rol/ror/rcl/rcr at 8/16/32/64 bits with CL counts 0..69
 * and both CF-in states, shld/shrd at 16/32/64 bits (16-bit counts above
 * 16 included), memory forms, and immediate counts 0, 1, width, width+1
 * and the rcl/rcr modulo edges (9, 17).  A hash per form is printed. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t vals[] = { 0, 1, 0x80, 0x8000000000000001ull, 0x7f, 0xff, 0x8000, 0x80000000, 0xdeadbeefcafebabeull,
                                 0x5555555555555555ull, 0xffffffffffffffffull, 0x4000000000000000ull, 0x40, 0x4000, 0x40000000 };
#define NV (sizeof vals / sizeof vals[0])
static uint64_t h = 1469598103934665603ull;
static void mix(uint64_t v) { for (int i = 0; i < 8; i++) { h ^= (v >> (8 * i)) & 0xff; h *= 1099511628211ull; } }

#define REGOP(NAME, INSN, SUF, REG)                                                        \
    static void NAME(void) {                                                               \
        h = 1469598103934665603ull;                                                        \
        for (unsigned v = 0; v < NV; v++)                                                  \
            for (unsigned c = 0; c < 70; c++)                                              \
                for (unsigned fi = 0; fi < 2; fi++) {                                      \
                    uint64_t a = vals[v], b = vals[(v + 3) % NV], fl = fi ? 0x8d7 : 0x202; \
                    __asm__ volatile("push %[fl]\n\tpopfq\n\t" INSN " %%cl, %" REG "[b], %" REG "[a]\n\tpushfq\n\tpop %[fl]" \
                                     : [a] "+r"(a), [fl] "+r"(fl) : [b] "r"(b), "c"((uint64_t)c) : "cc"); \
                    mix(a); mix(fl & 0x8d5);                                               \
                }                                                                          \
        printf("%-8s %016llx\n", #NAME, (unsigned long long)h);                            \
    }
#define ONEOP(NAME, INSN, REG)                                                             \
    static void NAME(void) {                                                               \
        h = 1469598103934665603ull;                                                        \
        for (unsigned v = 0; v < NV; v++)                                                  \
            for (unsigned c = 0; c < 70; c++)                                              \
                for (unsigned fi = 0; fi < 2; fi++) {                                      \
                    uint64_t a = vals[v], fl = fi ? 0x8d7 : 0x202;                         \
                    __asm__ volatile("push %[fl]\n\tpopfq\n\t" INSN " %%cl, %" REG "[a]\n\tpushfq\n\tpop %[fl]" \
                                     : [a] "+r"(a), [fl] "+r"(fl) : "c"((uint64_t)c) : "cc"); \
                    mix(a); mix(fl & 0x8d5);                                               \
                }                                                                          \
        printf("%-8s %016llx\n", #NAME, (unsigned long long)h);                            \
    }
#define MEMOP(NAME, INSN)                                                                  \
    static void NAME(void) {                                                               \
        h = 1469598103934665603ull;                                                        \
        for (unsigned v = 0; v < NV; v++)                                                  \
            for (unsigned c = 0; c < 70; c++)                                              \
                for (unsigned fi = 0; fi < 2; fi++) {                                      \
                    uint64_t a = vals[v], fl = fi ? 0x8d7 : 0x202;                         \
                    __asm__ volatile("push %[fl]\n\tpopfq\n\t" INSN " %%cl, %[a]\n\tpushfq\n\tpop %[fl]" \
                                     : [a] "+m"(a), [fl] "+r"(fl) : "c"((uint64_t)c) : "cc"); \
                    mix(a); mix(fl & 0x8d5);                                               \
                }                                                                          \
        printf("%-8s %016llx\n", #NAME, (unsigned long long)h);                            \
    }
#define IMMOP(NAME, INSN, REG, IMM)                                                        \
    static void NAME(void) {                                                               \
        h = 1469598103934665603ull;                                                        \
        for (unsigned v = 0; v < NV; v++)                                                  \
                for (unsigned fi = 0; fi < 2; fi++) {                                      \
                    uint64_t a = vals[v], fl = fi ? 0x8d7 : 0x202;                         \
                    __asm__ volatile("push %[fl]\n\tpopfq\n\t" INSN " $" #IMM ", %" REG "[a]\n\tpushfq\n\tpop %[fl]" \
                                     : [a] "+r"(a), [fl] "+r"(fl) : : "cc"); \
                    mix(a); mix(fl & 0x8d5);                                               \
                }                                                                          \
        printf("%-8s %016llx\n", #NAME, (unsigned long long)h);                            \
    }
#define W4(M, op) M(op##b, #op "b", "b") M(op##w, #op "w", "w") M(op##l, #op "l", "k") M(op##q, #op "q", "q")
W4(ONEOP, shl) W4(ONEOP, shr) W4(ONEOP, sar) W4(ONEOP, rol) W4(ONEOP, ror) W4(ONEOP, rcl) W4(ONEOP, rcr) W4(ONEOP, sal)
REGOP(shldw, "shldw", w, "w") REGOP(shldl, "shldl", l, "k") REGOP(shldq, "shldq", q, "q")
REGOP(shrdw, "shrdw", w, "w") REGOP(shrdl, "shrdl", l, "k") REGOP(shrdq, "shrdq", q, "q")
MEMOP(mshlb, "shlb") MEMOP(mrclw, "rclw") MEMOP(mrcrb, "rcrb") MEMOP(mrorq, "rorq") MEMOP(msarl, "sarl")
#define IM(op, R) IMMOP(op##_0_##R, #op, #R == "" ? "" : "", 0)
IMMOP(shlq0, "shlq", "q", 0) IMMOP(shlq1, "shlq", "q", 1) IMMOP(shlq64, "shlq", "q", 64) IMMOP(shlq65, "shlq", "q", 65)
IMMOP(rclb9, "rclb", "b", 9) IMMOP(rclb10, "rclb", "b", 10) IMMOP(rcrw17, "rcrw", "w", 17) IMMOP(rcrw18, "rcrw", "w", 18)
IMMOP(rolb8, "rolb", "b", 8) IMMOP(rorw16, "rorw", "w", 16) IMMOP(rorb9, "rorb", "b", 9) IMMOP(sarb7, "sarb", "b", 7)
IMMOP(sarb8, "sarb", "b", 8) IMMOP(shrw16, "shrw", "w", 16) IMMOP(shrl32, "shrl", "k", 32) IMMOP(rcll1, "rcll", "k", 1)
IMMOP(rcrq1, "rcrq", "q", 1) IMMOP(rolq1, "rolq", "q", 1) IMMOP(sarq63, "sarq", "q", 63) IMMOP(rcrq63, "rcrq", "q", 63)

int main(void)
{
#define C4(op) op##b(); op##w(); op##l(); op##q();
    C4(shl) C4(shr) C4(sar) C4(rol) C4(ror) C4(rcl) C4(rcr) C4(sal)
    shldw(); shldl(); shldq(); shrdw(); shrdl(); shrdq();
    mshlb(); mrclw(); mrcrb(); mrorq(); msarl();
    shlq0(); shlq1(); shlq64(); shlq65(); rclb9(); rclb10(); rcrw17(); rcrw18(); rolb8(); rorw16(); rorb9(); sarb7(); sarb8();
    shrw16(); shrl32(); rcll1(); rcrq1(); rolq1(); sarq63(); rcrq63();
    return 0;
}
