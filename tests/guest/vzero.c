/* vzero.c -- vzeroupper and vzeroall over all sixteen YMM registers: each
 * register loaded with its own 256-bit pattern (or only its low half by a
 * VEX.128 load), the instruction, then every register stored whole, in
 * one asm statement (one guest block), and again with the instruction in
 * a block of its own; XINUSE's AVX bit (xgetbv 1) after each.  The x86-64
 * host stores vzeroupper's 32 zero quadwords 16 bytes at a time
 * (backends/x86_64/x64_envzero.c), the AArch64 host as stp pairs
 * (a64_envpair.c): a register, or half of one, left out or written twice
 * shows here.  Output: the registers in hex. */
#include <stdint.h>
#include <stdio.h>

#define R16(m) m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) \
               m(8) m(9) m(10) m(11) m(12) m(13) m(14) m(15)
#define LOAD_Y(n) "vmovdqu " #n "*32(%[in]), %%ymm" #n "\n\t"
#define LOAD_X(n) "vmovdqu " #n "*32(%[in]), %%xmm" #n "\n\t"
#define STORE_Y(n) "vmovdqu %%ymm" #n ", " #n "*32(%[out])\n\t"
#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
                 "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory"

static uint8_t in[16 * 32], out[16 * 32];

static int have_xgetbv1(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(c >> 27 & 1))                 /* OSXSAVE */
        return 0;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(1));
    return a >> 2 & 1;
}

/* XINUSE's AVX bit (YMM upper halves not in their initial state). */
static unsigned avx_inuse(void)
{
    uint32_t lo, hi;
    if (!have_xgetbv1())
        return 9;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
    return lo >> 2 & 1;
}

static void show(const char *name)
{
    unsigned inuse = avx_inuse();
    printf("%s: avx inuse %u\n", name, inuse);
    for (int r = 0; r < 16; r++) {
        printf("  ymm%-2d", r);
        for (int k = 28; k >= 0; k -= 4)
            printf(" %08x", *(uint32_t *)(out + 32 * r + k));
        printf("\n");
    }
}

/* Loads, the instruction and the stores in one block. */
#define SAME_BLOCK(fn, load, insn)                                              \
    static void fn(void)                                                        \
    {                                                                           \
        __asm__ volatile(R16(load) insn "\n\t" R16(STORE_Y)                     \
                         : : [in] "r"(in), [out] "r"(out) : CLOBBERS);          \
        show(#fn);                                                              \
    }
SAME_BLOCK(vzeroupper_wide, LOAD_Y, "vzeroupper")
SAME_BLOCK(vzeroall_wide, LOAD_Y, "vzeroall")
SAME_BLOCK(vzeroupper_narrow, LOAD_X, "vzeroupper")
SAME_BLOCK(vzeroall_narrow, LOAD_X, "vzeroall")
SAME_BLOCK(loaded, LOAD_Y, "")

/* The instruction alone in its block (jmp around it), between blocks
 * that load and store: nothing of the loads' block carries over. */
#define OWN_BLOCK(fn, insn)                                                     \
    static void fn(void)                                                        \
    {                                                                           \
        __asm__ volatile(R16(LOAD_Y) "jmp 1f\n1:\n\t" insn "\n\tjmp 2f\n2:\n\t" \
                         R16(STORE_Y) : : [in] "r"(in), [out] "r"(out) : CLOBBERS); \
        show(#fn);                                                              \
    }
OWN_BLOCK(vzeroupper_own, "vzeroupper")
OWN_BLOCK(vzeroall_own, "vzeroall")

/* vzeroupper between 128-bit writes of the same registers in one block:
 * the low halves the writes leave, the upper halves zero. */
static void vzeroupper_mixed(void)
{
    __asm__ volatile(R16(LOAD_Y) "vpaddd %%xmm1, %%xmm0, %%xmm0\n\t"
                     "vpaddd %%ymm2, %%ymm15, %%ymm15\n\t" "vzeroupper\n\t"
                     "vpaddd %%xmm15, %%xmm8, %%xmm8\n\t" "vzeroupper\n\t"
                     "vpaddd %%xmm3, %%xmm7, %%xmm7\n\t" R16(STORE_Y)
                     : : [in] "r"(in), [out] "r"(out) : CLOBBERS);
    show("vzeroupper_mixed");
}

int main(void)
{
    uint32_t x = 12345;
    for (int k = 0; k < (int)sizeof in; k++) {
        x = x * 1103515245 + 12345;
        in[k] = (uint8_t)(x >> 16) | 1;         /* no zero byte */
    }
    loaded();
    vzeroupper_wide();
    loaded();
    vzeroall_wide();
    loaded();
    vzeroupper_narrow();
    loaded();
    vzeroall_narrow();
    loaded();
    vzeroupper_own();
    loaded();
    vzeroall_own();
    loaded();
    vzeroupper_mixed();
    return 0;
}
