/* smc_inblock.c -- self-modifying code inside one block: a store into an
 * instruction after the one storing, with no branch in between, takes
 * effect at once on an x86 CPU.  Three shapes: a rip-relative store into
 * the next instruction's immediate, a store through a register into an
 * instruction three further on, and a dword store that turns later
 * instructions into NOPs.  Each runs several times with other values
 * (the bytes are written back in between, which is ordinary SMC too). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef uint64_t (*fn_t)(uint64_t);

/* mov byte [rip+1], dil ... as  40 88 3d 01 00 00 00: the byte after the
 * store's end + 1 is the imm32's low byte of `mov eax, 1`. */
static const uint8_t next_imm[] = {
    0x40, 0x88, 0x3d, 0x01, 0x00, 0x00, 0x00,   /* mov [rip+1], dil */
    0xb8, 0x01, 0x00, 0x00, 0x00,               /* mov eax, 1 */
    0xc3,                                       /* ret */
};

/* lea rsi, [rip+N] to the 3rd `add eax, imm8` after the store, then
 * mov [rsi+2], dil writes its imm8. */
static const uint8_t later_imm[] = {
    0x31, 0xc0,                                 /* xor eax, eax */
    0x48, 0x8d, 0x35, 0x0d, 0x00, 0x00, 0x00,   /* lea rsi, [rip+13] */
    0x40, 0x88, 0x7e, 0x02,                     /* mov [rsi+2], dil */
    0x83, 0xc0, 0x01,                           /* add eax, 1 */
    0x83, 0xc0, 0x02,                           /* add eax, 2 */
    0x83, 0xc0, 0x04,                           /* add eax, 4 (rsi: its opcode) */
    0x83, 0xc0, 0x08,                           /* add eax, 8 */
    0xc3,
};

/* lea rsi, [rip+8]; mov dword [rsi], edi: when edi is 0x90909090 the two
 * `inc eax` (ff c0 ff c0) become NOPs. */
static const uint8_t nop_out[] = {
    0x31, 0xc0,                                 /* xor eax, eax */
    0x48, 0x8d, 0x35, 0x02, 0x00, 0x00, 0x00,   /* lea rsi, [rip+2] */
    0x89, 0x3e,                                 /* mov [rsi], edi */
    0xff, 0xc0, 0xff, 0xc0,                     /* inc eax; inc eax */
    0xff, 0xc0,                                 /* inc eax */
    0xc3,
};

static void run(const char *name, uint8_t *code, const uint8_t *tmpl, size_t n,
                const uint64_t *args, int n_args)
{
    printf("%s:", name);
    for (int k = 0; k < n_args; k++) {
        memcpy(code, tmpl, n);
        printf(" %lu", (unsigned long)((fn_t)code)(args[k]));
    }
    printf("\n");
}

int main(void)
{
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    static const uint64_t bytes[] = { 7, 1, 200, 42, 7, 7 };
    run("next instruction's immediate", code, next_imm, sizeof(next_imm), bytes, 6);
    run("third instruction's immediate", code, later_imm, sizeof(later_imm), bytes, 6);
    static const uint64_t words[] = { 0x90909090, 0xc0ffc0ff, 0x90909090, 0x90909090 };
    run("later instructions to NOPs", code, nop_out, sizeof(nop_out), words, 4);
    /* The same code run in a loop without rewriting: the first call
     * changes it, later calls run the changed code. */
    memcpy(code, next_imm, sizeof(next_imm));
    printf("no rewrite:");
    for (int k = 0; k < 4; k++)
        printf(" %lu", (unsigned long)((fn_t)code)(50 + (uint64_t)k));
    printf("\n");
    return 0;
}
