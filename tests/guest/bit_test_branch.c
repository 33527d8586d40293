/* bit_test_branch.c -- jcc on one bit with the flags dead behind it:
 * `test $bit, r/m; je/jne` of bytes, words, dwords and qwords, of a high
 * byte (`test $1, %bh`: an extract of bits 8-15), sign tests (`test r, r;
 * js/jns`, `cmp $0, r; jl/jge`) at 32 bits (bit 63 set, bit 31 clear must
 * not count) and 64, multi-bit masks, and the tested register rewritten
 * between the test and the jcc (lea keeps the flags: the test must see the
 * old value).  Every successor writes the flags first, so they are dead
 * and the AArch64 backend branches with tbz/tbnz on the source register
 * (ir_bittest.c, a64_chain.c).  Output: which branches were taken, vs
 * native. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t vals[] = {
    0, 1, 2, 0x40, 0x41, 0x7f, 0x80, 0xbf, 0xff, 0x100, 0x101, 0x7fff, 0x8000, 0x8080,
    0xffff, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x100000000, 0x180000000,
    0x10000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000080000000,
    0xfffffffffffffffe, 0xffffffffffffffff, 0x0123456789abcdef,
};
#define N_VALS (sizeof vals / sizeof vals[0])

/* Byte, word, high-byte and memory tests: one result bit per jcc taken. */
static unsigned small_tests(uint64_t v)
{
    unsigned r = 0;
    uint64_t b = v;
    unsigned char mem[8];
    __builtin_memcpy(mem, &v, 8);
    __asm__("testb $0x40, 3(%2)\n\tje 1f\n\torl $1, %0\n"
            "1: testb $0x80, %b1\n\tjne 2f\n\torl $2, %0\n"
            "2: testb $1, %h1\n\tje 3f\n\torl $4, %0\n"
            "3: testb $0x80, %h1\n\tjne 4f\n\torl $8, %0\n"
            "4: testw $0x8000, %w1\n\tje 5f\n\torl $0x10, %0\n"
            "5: testb $1, (%2)\n\tjne 6f\n\torl $0x20, %0\n"
            "6: testb $0x41, %b1\n\tje 7f\n\torl $0x40, %0\n"
            "7: testb $0x80, 7(%2)\n\tje 8f\n\torl $0x80, %0\n"
            "8: cmpl %0, %0\n"
            : "+r"(r), "+Q"(b) : "r"(mem) : "cc", "memory");
    return r;
}

/* Dword and qword tests, sign tests at both sizes. */
static unsigned wide_tests(uint64_t v)
{
    unsigned r = 0;
    uint64_t x = v;
    __asm__("testl $0x80000000, %k1\n\tje 1f\n\torl $1, %0\n"
            "1: testl $0x100, %k1\n\tjne 2f\n\torl $2, %0\n"
            "2: testl %k1, %k1\n\tjs 3f\n\torl $4, %0\n"
            "3: testq %1, %1\n\tjns 4f\n\torl $8, %0\n"
            "4: cmpl $0, %k1\n\tjl 5f\n\torl $0x10, %0\n"
            "5: cmpq $0, %1\n\tjge 6f\n\torl $0x20, %0\n"
            "6: testq $0x40000000, %1\n\tje 7f\n\torl $0x40, %0\n"
            "7: testl $0x80000001, %k1\n\tjne 8f\n\torl $0x80, %0\n"
            "8: testq $1, %1\n\tje 9f\n\torl $0x100, %0\n"
            "9: cmpl %0, %0\n"
            : "+r"(r), "+r"(x) : : "cc");
    return r;
}

/* The tested register rewritten between the test and the jcc. */
static unsigned rewritten(uint64_t v)
{
    unsigned r = 0;
    uint64_t x = v, y = v;
    __asm__("testl $1, %k1\n\tleal 1(%1), %k1\n\tje 1f\n\torl $1, %0\n"
            "1: testb $1, %h2\n\tleaq 0x100(%2), %2\n\tjne 2f\n\torl $2, %0\n"
            "2: testq %1, %1\n\tleaq 1(%1), %1\n\tjs 3f\n\torl $4, %0\n"
            "3: cmpl %0, %0\n"
            : "+r"(r), "+r"(x), "+Q"(y) : : "cc");
    return r ^ (unsigned)x ^ (unsigned)(y >> 4);
}

int main(void)
{
    for (unsigned i = 0; i < N_VALS; i++)
        printf("%016llx small %02x wide %03x rewritten %08x\n", (unsigned long long)vals[i],
               small_tests(vals[i]), wide_tests(vals[i]), rewritten(vals[i]));
    return 0;
}
