/* test_x86_sse42.c -- the SSE4.1/SSE4.2 helpers with the widest input
 * spaces against the real CPU: pcmpestri/pcmpestrm/pcmpistri/pcmpistrm
 * for every imm8 on many random string pairs and lengths (ECX, XMM0 and
 * EFLAGS), round{ss,sd} for every imm8 mode under every MXCSR mode
 * (result and MXCSR flags), and crc32 of every data size.  The insn
 * difftests run a slice of the same on both hosts; this sweeps more,
 * natively only (x86-64 host). */
#include <criterion/criterion.h>
#include <string.h>

#include "x86_sse.h"

typedef long long v2di __attribute__((vector_size(16)));

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static struct x86_cpu cpu;

/* A string of bytes or words from a small alphabet (matches and ranges
 * are frequent), with an early NUL some of the time. */
static void rnd_string(x86_xmm *x)
{
    static const uint8_t alpha[] = { 'a', 'b', 'c', 'z', 0x80, 0xff, 1, 'A' };
    for (int i = 0; i < 16; i++)
        x->b[i] = alpha[rnd() % sizeof alpha];
    uint64_t r = rnd();
    if (r % 3 == 0)
        x->b[r % 16] = 0;
    if (r % 5 == 0)
        x->w[r % 8] = 0;
}

static uint64_t rnd_len(void)
{
    static const uint64_t lens[] = { 0, 1, 5, 8, 15, 16, 17, -1ull, -9ull, -16ull, -17ull,
                                     0x80000000ull, 0x100000003ull, 0x8000000000000000ull };
    return lens[rnd() % (sizeof lens / sizeof lens[0])];
}

struct native { uint64_t rcx, fl; v2di x0; };

#define STR_ASM(TEXT, n)                                                      \
    case n:                                                                   \
        __asm__ volatile("push %[f]\n\tpopfq\n\t" TEXT "\n\tpushfq\n\tpop %[f]" \
                         : [f] "+r"(o.fl), "+c"(o.rcx), "+Yz"(o.x0)           \
                         : [a] "x"(a), [b] "x"(b), [i] "i"(n), "a"(la), "d"(lb) : "cc"); \
        break;
#define STR4(T, n) STR_ASM(T, n) STR_ASM(T, n + 1) STR_ASM(T, n + 2) STR_ASM(T, n + 3)
#define STR16(T, n) STR4(T, n) STR4(T, n + 4) STR4(T, n + 8) STR4(T, n + 12)
#define STR64(T, n) STR16(T, n) STR16(T, n + 16) STR16(T, n + 32) STR16(T, n + 48)
#define STR_NATIVE(name, TEXT)                                                \
    static struct native name(unsigned imm, v2di a, v2di b, uint64_t la, uint64_t lb) \
    {                                                                         \
        struct native o = { 0x3333333333333333ull, 0x202, { 0x1111, 0x2222 } }; \
        switch (imm) { STR64(TEXT, 0) STR64(TEXT, 64) STR64(TEXT, 128) STR64(TEXT, 192) } \
        o.fl &= 0x8d5;                                                        \
        return o;                                                             \
    }

STR_NATIVE(native_istri, "pcmpistri %[i], %[b], %[a]")
STR_NATIVE(native_istrm, "pcmpistrm %[i], %[b], %[a]")
STR_NATIVE(native_estri, "pcmpestri %[i], %[b], %[a]")
STR_NATIVE(native_estrm, "pcmpestrm %[i], %[b], %[a]")
STR_NATIVE(native_estriq, "pcmpestriq %[i], %[b], %[a]")

typedef uint64_t sse_fn(struct x86_cpu *, uint64_t, uint64_t, uint64_t);
static const struct {
    struct native (*native)(unsigned, v2di, v2di, uint64_t, uint64_t);
    sse_fn *helper;
    bool index, wide;
} str_forms[] = {
    { native_istri, x86_sse_helper_pcmpistri, true, false },
    { native_istrm, x86_sse_helper_pcmpistrm, false, false },
    { native_estri, x86_sse_helper_pcmpestri, true, false },
    { native_estrm, x86_sse_helper_pcmpestrm, false, false },
    { native_estriq, x86_sse_helper_pcmpestri, true, true },
};

Test(x86_sse42, string_compares_every_imm8)
{
    for (unsigned f = 0; f < sizeof str_forms / sizeof str_forms[0]; f++)
        for (unsigned imm = 0; imm < 256; imm++)
            for (int it = 0; it < 150; it++) {
                x86_xmm a, b;
                rnd_string(&a);
                rnd_string(&b);
                if (it % 4 == 0)
                    memcpy(&b, &a, rnd() % 17);          /* equal prefix */
                uint64_t la = rnd_len(), lb = rnd_len();
                v2di va, vb;
                memcpy(&va, &a, 16);
                memcpy(&vb, &b, 16);
                struct native n = str_forms[f].native(imm, va, vb, la, lb);
                memset(&cpu, 0, sizeof cpu);
                cpu.xmm[1] = a;
                cpu.xmm[2] = b;
                cpu.regs[X86_RAX] = la;
                cpu.regs[X86_RDX] = lb;
                uint64_t r = str_forms[f].helper(&cpu, 1, 2, imm | (str_forms[f].wide ? 0x100 : 0));
                cr_assert_eq(r >> 32, n.fl, "form %u imm %#x flags %#lx, native %#lx", f, imm,
                             (unsigned long)(r >> 32), (unsigned long)n.fl);
                if (str_forms[f].index)
                    cr_assert_eq((uint32_t)r, (uint32_t)n.rcx, "form %u imm %#x ecx", f, imm);
                else
                    cr_assert(!memcmp(&cpu.xmm[0], &n.x0, 16), "form %u imm %#x xmm0", f, imm);
            }
}

#define ROUND_ASM(n)                                                          \
    case n:                                                                   \
        __asm__ volatile("ldmxcsr %[c]\n\troundsd %[i], %[s], %[d]\n\t"       \
                         "roundss %[i], %[fs], %[fd]\n\tstmxcsr %[o]"         \
                         : [d] "+x"(d), [fd] "+x"(fd), [o] "=m"(out)          \
                         : [s] "x"(s), [fs] "x"(fs), [c] "m"(csr), [i] "i"(n)); \
        break;

Test(x86_sse42, round_every_mode)
{
    static const uint32_t csrs[] = { 0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0, 0x1fc0 };
    for (unsigned c = 0; c < 6; c++)
        for (unsigned imm = 0; imm < 16; imm++)
            for (int it = 0; it < 3000; it++) {
                uint64_t bits = rnd();
                if (it % 3 == 0)    /* magnitudes around 1 and the integer limit */
                    bits = (bits & 0x800fffffffffffffull) | (0x3fc0000000000000ull + (bits % 0x1a0) * (1ull << 52));
                uint32_t fbits = (uint32_t)(bits >> 32) ^ (uint32_t)bits;
                if (it % 5 == 0)
                    fbits = (fbits & 0x807fffffu) | (uint32_t)(0x3e000000u + (bits % 0x30) * 0x800000u);
                v2di d = { 0, 0 }, s = { (long long)bits, 0 }, fd = { 0, 0 }, fs = { fbits, 0 };
                uint32_t csr = csrs[c], out;
                switch (imm) {
                ROUND_ASM(0) ROUND_ASM(1) ROUND_ASM(2) ROUND_ASM(3) ROUND_ASM(4) ROUND_ASM(5)
                ROUND_ASM(6) ROUND_ASM(7) ROUND_ASM(8) ROUND_ASM(9) ROUND_ASM(10) ROUND_ASM(11)
                ROUND_ASM(12) ROUND_ASM(13) ROUND_ASM(14) ROUND_ASM(15)
                }
                memset(&cpu, 0, sizeof cpu);
                cpu.mxcsr = csr;
                cpu.xmm[1].q[0] = bits;
                cpu.xmm[2].d[0] = fbits;
                x86_sse_helper_roundsd(&cpu, 3, 1, imm);
                x86_sse_helper_roundss(&cpu, 4, 2, imm);
                cr_assert_eq(cpu.xmm[3].q[0], (uint64_t)d[0], "roundsd %#x of %#lx", imm,
                             (unsigned long)bits);
                cr_assert_eq(cpu.xmm[4].d[0], (uint32_t)fd[0], "roundss %#x of %#x", imm, fbits);
                cr_assert_eq(cpu.mxcsr, out, "mxcsr after round %#x of %#lx/%#x", imm,
                             (unsigned long)bits, fbits);
            }
    uint32_t csr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(csr));
}

Test(x86_sse42, crc32_every_size)
{
    for (int it = 0; it < 20000; it++) {
        uint64_t acc = rnd(), v = rnd(), n8 = acc, n16 = acc, n32 = acc, n64 = acc;
        __asm__("crc32b %b1, %k0" : "+r"(n8) : "r"(v));
        __asm__("crc32w %w1, %k0" : "+r"(n16) : "r"(v));
        __asm__("crc32l %k1, %k0" : "+r"(n32) : "r"(v));
        __asm__("crc32q %1, %0" : "+r"(n64) : "r"(v));
        cr_assert_eq(x86_sse_helper_crc32(&cpu, acc, v, 1), n8);
        cr_assert_eq(x86_sse_helper_crc32(&cpu, acc, v, 2), n16);
        cr_assert_eq(x86_sse_helper_crc32(&cpu, acc, v, 4), n32);
        cr_assert_eq(x86_sse_helper_crc32(&cpu, acc, v, 8), n64);
    }
}
