/* enter.c -- difftest of enter with every kind of nesting level (0, 1, a
 * few, 31, and 32-63, which the CPU takes mod 32) and frame sizes, in
 * the 64-bit and 16-bit (0x66) operand sizes, on a private stack: the
 * stack pointer and frame pointer afterwards (relative to the stack area)
 * and every word of the area that changed (addresses printed relative). */
#include "insn.h"

#define AREA_WORDS 512
static uint64_t area[AREA_WORDS];

static uint64_t relative(uint64_t v)
{
    uint64_t base = (uint64_t)area;
    return v - base < sizeof area ? v - base : v;
}

static void fill(void)
{
    for (unsigned i = 0; i < AREA_WORDS; i++)
        area[i] = (uint64_t)&area[(i * 7) % AREA_WORDS] + (i & 1 ? 0 : 0x5a00000000000000ull);
}

static void report(const char *name, uint64_t sp_in, uint64_t bp_in, uint64_t sp, uint64_t bp)
{
    uint64_t in[] = { relative(sp_in), relative(bp_in) };
    uint64_t out[] = { relative(sp), relative(bp) };
    INSN_CASE(name, in, out);
    uint64_t base = (uint64_t)area;
    for (unsigned i = 0; i < AREA_WORDS; i++) {
        uint64_t was = (uint64_t)&area[(i * 7) % AREA_WORDS] + (i & 1 ? 0 : 0x5a00000000000000ull);
        if (area[i] != was) {
            uint64_t w[] = { i, relative(area[i]) };
            (void)base;
            INSN_CASE("  word", in, w);
        }
    }
}

/* Runs TEXT with rsp = SP and rbp = BP (the caller's are kept in r12/r13). */
#define ENTER_RUN(NAME, TEXT, SP, BP)                                          \
    do {                                                                      \
        uint64_t sp_out, bp_out;                                              \
        fill();                                                               \
        __asm__ volatile("mov %%rsp, %%r12\n\tmov %%rbp, %%r13\n\t"            \
                         "mov %[sp], %%rsp\n\tmov %[bp], %%rbp\n\t" TEXT "\n\t" \
                         "mov %%rsp, %[spo]\n\tmov %%rbp, %[bpo]\n\t"          \
                         "mov %%r12, %%rsp\n\tmov %%r13, %%rbp"               \
                         : [spo] "=&r"(sp_out), [bpo] "=&r"(bp_out)           \
                         : [sp] "r"(SP), [bp] "r"(BP)                         \
                         : "r12", "r13", "memory");                           \
        report(NAME, SP, BP, sp_out, bp_out);                                 \
    } while (0)

#define ENTER_CASES(SP, BP)                                                    \
    ENTER_RUN("enter 0,0", "enter $0, $0", SP, BP);                           \
    ENTER_RUN("enter 16,0", "enter $16, $0", SP, BP);                         \
    ENTER_RUN("enter 0,1", "enter $0, $1", SP, BP);                           \
    ENTER_RUN("enter 8,1", "enter $8, $1", SP, BP);                           \
    ENTER_RUN("enter 0x18,2", "enter $0x18, $2", SP, BP);                     \
    ENTER_RUN("enter 0,3", "enter $0, $3", SP, BP);                           \
    ENTER_RUN("enter 0x100,5", "enter $0x100, $5", SP, BP);                   \
    ENTER_RUN("enter 0,31", "enter $0, $31", SP, BP);                         \
    ENTER_RUN("enter 0x28,33", "enter $0x28, $33", SP, BP);                   \
    ENTER_RUN("enter 0,32", "enter $0, $32", SP, BP);                         \
    ENTER_RUN("enterw 0,0", "enterw $0, $0", SP, BP);                         \
    ENTER_RUN("enterw 6,1", "enterw $6, $1", SP, BP);                         \
    ENTER_RUN("enterw 0,2", "enterw $0, $2", SP, BP);                         \
    ENTER_RUN("enterw 0x12,4", "enterw $0x12, $4", SP, BP);                   \
    ENTER_RUN("enterw 0,31", "enterw $0, $31", SP, BP)

INSN_TEST(t_enter)
{
    /* rbp above rsp (a caller's frame), and rbp low in the area */
    ENTER_CASES((uint64_t)&area[400], (uint64_t)&area[460]);
    ENTER_CASES((uint64_t)&area[300], (uint64_t)&area[40]);
    ENTER_CASES((uint64_t)&area[301] + 2, (uint64_t)&area[200] + 6);
}

int main(void) { return insn_main(); }
