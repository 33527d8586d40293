/* mem_index_disp.c -- loads and stores at [base + index*scale + disp] with
 * displacements a load/store immediate cannot hold but one add can
 * (0x10000, -0x1000, -0x123, 0x1001 for wider accesses, 0x7ff000): the
 * AArch64 host adds base and disp first, then takes the index as the
 * access's register offset (a64_mem.c's ldst_indexed_add_imm).  Every
 * size, every scale, indexes of both signs, and a store then a load back
 * through another form.  Output vs native. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint8_t mem[0x810000];
static uint64_t hash = 14695981039346656037ull;

static void mix(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        hash ^= (v >> (i * 8)) & 0xff;
        hash *= 1099511628211ull;
    }
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* A load and a store of each size at disp(base, index, scale). */
#define FORMS(name, disp, scale)                                                          \
    static void name(uint8_t *b, int64_t i, uint64_t v)                                   \
    {                                                                                     \
        uint64_t r8, r16, r32, r64;                                                       \
        __asm__ volatile("movzbl " STR(disp) "(%[b],%[i]," STR(scale) "), %k[r8]\n\t"     \
                         "movzwl " STR(disp) "(%[b],%[i]," STR(scale) "), %k[r16]\n\t"    \
                         "movl " STR(disp) "(%[b],%[i]," STR(scale) "), %k[r32]\n\t"      \
                         "movq " STR(disp) "(%[b],%[i]," STR(scale) "), %[r64]"           \
                         : [r8] "=&r"(r8), [r16] "=&r"(r16), [r32] "=&r"(r32), [r64] "=&r"(r64) \
                         : [b] "r"(b), [i] "r"(i) : "memory");                            \
        mix(r8); mix(r16); mix(r32); mix(r64);                                            \
        __asm__ volatile("movb %b[v], " STR(disp) "(%[b],%[i]," STR(scale) ")\n\t"        \
                         "movw %w[v], " STR(disp) "+16(%[b],%[i]," STR(scale) ")\n\t"     \
                         "movl %k[v], " STR(disp) "+32(%[b],%[i]," STR(scale) ")\n\t"     \
                         "movq %[v], " STR(disp) "+64(%[b],%[i]," STR(scale) ")"          \
                         : : [b] "r"(b), [i] "r"(i), [v] "r"(v) : "memory");              \
        mix(*(uint64_t *)(b + i * scale + (disp)));                                       \
        mix(*(uint64_t *)(b + i * scale + (disp) + 16));                                  \
        mix(*(uint64_t *)(b + i * scale + (disp) + 32));                                  \
        mix(*(uint64_t *)(b + i * scale + (disp) + 64));                                  \
    }

FORMS(d10000_s1, 0x10000, 1)
FORMS(d10000_s2, 0x10000, 2)
FORMS(d10000_s4, 0x10000, 4)
FORMS(d10000_s8, 0x10000, 8)
FORMS(dm1000_s1, -0x1000, 1)
FORMS(dm1000_s2, -0x1000, 2)
FORMS(dm1000_s8, -0x1000, 8)
FORMS(dm123_s1, -0x123, 1)
FORMS(dm123_s4, -0x123, 4)
FORMS(d1001_s2, 0x1001, 2)
FORMS(d1001_s8, 0x1001, 8)
FORMS(d7ff000_s1, 0x7ff000, 1)
FORMS(d7ff000_s4, 0x7ff000, 4)
FORMS(dfff_s2, 0xfff, 2)
FORMS(d3000_s8, 0x3000, 8)

int main(void)
{
    for (size_t k = 0; k < sizeof mem; k++)
        mem[k] = (uint8_t)(k * 131 + (k >> 9) * 7 + 3);
    uint8_t *b = mem + 0x8000;
    static const int64_t idx[] = { 0, 1, 3, 0x101, -1, -0x7f, -0x800 };
    for (unsigned k = 0; k < sizeof idx / sizeof idx[0]; k++) {
        int64_t i = idx[k];
        uint64_t v = 0x0123456789abcdefull * (k + 1);
        d10000_s1(b, i, v); d10000_s2(b, i, v); d10000_s4(b, i, v); d10000_s8(b, i, v);
        dm1000_s1(b, i, v); dm1000_s2(b, i, v); dm1000_s8(b, i, v);
        dm123_s1(b, i, v); dm123_s4(b, i, v);
        d1001_s2(b, i, v); d1001_s8(b, i, v);
        d7ff000_s1(b, i, v); d7ff000_s4(b, i, v);
        dfff_s2(b, i, v); d3000_s8(b, i, v);
    }
    uint64_t sum = 0;
    for (size_t k = 0; k < sizeof mem; k += 8) {
        uint64_t w;
        memcpy(&w, mem + k, 8);
        sum = sum * 31 + w;
    }
    printf("loads/stores %016llx memory %016llx\n", (unsigned long long)hash,
           (unsigned long long)sum);
    return 0;
}
