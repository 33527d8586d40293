/* bitops_mem.c -- bt/bts/btr/btc with a memory operand and a register bit
 * offset reach outside the operand: the SDM's "bit string" (offset / width
 * words away, negative too) at 16, 32 and 64 bits; with an immediate the
 * offset is taken modulo the width.  Also bsf/bsr/tzcnt/lzcnt/popcnt of zero
 * (Intel keeps bsf/bsr's destination, upper half included) and every flag
 * each leaves (from all-clear and all-set flags), and the lock forms.
 * Printed: CF and the flags, the destination, and a digest of the buffer. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char buf[1024] __attribute__((aligned(64)));
static uint64_t digest(void)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof buf; i++) h = (h ^ buf[i]) * 1099511628211ull;
    return h;
}
static void fill(void) { for (int i = 0; i < 1024; i++) buf[i] = (unsigned char)(i * 37 + 11); }

#define FL 0x8d5
#define BITOP(NAME, INSN, W, REG)                                                        \
    static void NAME(long off, unsigned long fin)                                        \
    {                                                                                    \
        fill();                                                                          \
        unsigned long fl; void *p = buf + 512;                                           \
        __asm__ volatile("push %[fi]\n\tpopfq\n\t" INSN " %" REG "[o], (%[p])\n\tpushfq\n\tpop %[fl]" \
                         : [fl] "=r"(fl) : [o] "r"(off), [p] "r"(p), [fi] "r"(fin) : "memory", "cc"); \
        printf("%-6s off %6ld in %03lx fl %03lx buf %016llx\n", #NAME, off, fin, fl & FL, (unsigned long long)digest()); \
    }
BITOP(btw, "btw", 16, "w") BITOP(btl, "btl", 32, "k") BITOP(btq, "btq", 64, "q")
BITOP(btsw, "btsw", 16, "w") BITOP(btsl, "btsl", 32, "k") BITOP(btsq, "btsq", 64, "q")
BITOP(btrw, "btrw", 16, "w") BITOP(btrl, "btrl", 32, "k") BITOP(btrq, "btrq", 64, "q")
BITOP(btcw, "btcw", 16, "w") BITOP(btcl, "btcl", 32, "k") BITOP(btcq, "btcq", 64, "q")
BITOP(lbtsl, "lock btsl", 32, "k") BITOP(lbtrq, "lock btrq", 64, "q") BITOP(lbtcw, "lock btcw", 16, "w")

#define BITIMM(NAME, INSN, IMM)                                                          \
    static void NAME##_##IMM(unsigned long fin)                                          \
    {                                                                                    \
        fill();                                                                          \
        unsigned long fl; void *p = buf + 512;                                           \
        __asm__ volatile("push %[fi]\n\tpopfq\n\t" INSN " $" #IMM ", (%[p])\n\tpushfq\n\tpop %[fl]" \
                         : [fl] "=r"(fl) : [p] "r"(p), [fi] "r"(fin) : "memory", "cc"); \
        printf("%-6s imm %3d in %03lx fl %03lx buf %016llx\n", #NAME, IMM, fin, fl & FL, (unsigned long long)digest()); \
    }
BITIMM(btsw, "btsw", 17) BITIMM(btsw, "btsw", 255) BITIMM(btcl, "btcl", 33) BITIMM(btrl, "btrl", 200)
BITIMM(btcq, "btcq", 65) BITIMM(btq, "btq", 127) BITIMM(btw, "btw", 31)

#define SCAN(NAME, INSN, REG)                                                            \
    static void NAME(unsigned long src, unsigned long fin)                               \
    {                                                                                    \
        unsigned long fl, d = 0x1122334455667788ul;                                      \
        __asm__ volatile("push %[fi]\n\tpopfq\n\t" INSN " %" REG "[s], %" REG "[d]\n\tpushfq\n\tpop %[fl]" \
                         : [fl] "=&r"(fl), [d] "+r"(d) : [s] "r"(src), [fi] "r"(fin) : "cc");     \
        printf("%-8s src %#18lx in %03lx fl %03lx d %#018lx\n", #NAME, src, fin, fl & FL, d); \
    }
SCAN(bsfw, "bsfw", "w") SCAN(bsfl, "bsfl", "k") SCAN(bsfq, "bsfq", "q")
SCAN(bsrw, "bsrw", "w") SCAN(bsrl, "bsrl", "k") SCAN(bsrq, "bsrq", "q")
SCAN(tzcntw, "tzcntw", "w") SCAN(tzcntl, "tzcntl", "k") SCAN(tzcntq, "tzcntq", "q")
SCAN(lzcntw, "lzcntw", "w") SCAN(lzcntl, "lzcntl", "k") SCAN(lzcntq, "lzcntq", "q")
SCAN(popcntw, "popcntw", "w") SCAN(popcntl, "popcntl", "k") SCAN(popcntq, "popcntq", "q")

static void bsf_mem(unsigned long fin)
{
    unsigned long fl, d = 0x1122334455667788ul; static unsigned int z;
    __asm__ volatile("push %[fi]\n\tpopfq\n\tbsfl %[m], %k[d]\n\tpushfq\n\tpop %[fl]"
                     : [fl] "=&r"(fl), [d] "+r"(d) : [m] "m"(z), [fi] "r"(fin) : "cc");
    printf("bsf_mem  in %03lx fl %03lx d %#018lx\n", fin, fl & FL, d);
}

int main(void)
{
    static const long offs[] = { -4095, -1000, -129, -65, -64, -33, -32, -17, -16, -9, -8, -1, 0, 1, 7, 8, 15, 16,
                                 17, 31, 32, 33, 63, 64, 65, 100, 1000, 4095 };
    static const unsigned long fins[] = { 0x202, 0xad7 };
    for (unsigned f = 0; f < 2; f++)
        for (unsigned i = 0; i < sizeof offs / sizeof *offs; i++) {
            long o = offs[i];
            btw(o, fins[f]); btl(o, fins[f]); btq(o, fins[f]);
            btsw(o, fins[f]); btsl(o, fins[f]); btsq(o, fins[f]);
            btrw(o, fins[f]); btrl(o, fins[f]); btrq(o, fins[f]);
            btcw(o, fins[f]); btcl(o, fins[f]); btcq(o, fins[f]);
            lbtsl(o, fins[f]); lbtrq(o, fins[f]); lbtcw(o, fins[f]);
            /* 16-bit offsets are sign-extended from 16 bits only */
            btw(o + 0x10000, fins[f]); btsl(o + 0x100000000l, fins[f]);
        }
    for (unsigned f = 0; f < 2; f++) {
        btsw_17(fins[f]); btsw_255(fins[f]); btcl_33(fins[f]); btrl_200(fins[f]);
        btcq_65(fins[f]); btq_127(fins[f]); btw_31(fins[f]);
    }
    static const unsigned long srcs[] = { 0, 1, 0x8000, 0x10000, 0x80000000ul, 0x100000000ul, 0x8000000000000000ul,
                                          0xffff0000ul, 0x0000ffff00000000ul, ~0ul, 0x100 };
    for (unsigned f = 0; f < 2; f++)
        for (unsigned i = 0; i < sizeof srcs / sizeof *srcs; i++) {
            unsigned long s = srcs[i];
            bsfw(s, fins[f]); bsfl(s, fins[f]); bsfq(s, fins[f]);
            bsrw(s, fins[f]); bsrl(s, fins[f]); bsrq(s, fins[f]);
            tzcntw(s, fins[f]); tzcntl(s, fins[f]); tzcntq(s, fins[f]);
            lzcntw(s, fins[f]); lzcntl(s, fins[f]); lzcntq(s, fins[f]);
            popcntw(s, fins[f]); popcntl(s, fins[f]); popcntq(s, fins[f]);
        }
    bsf_mem(0x202); bsf_mem(0xad7);
    return 0;
}
