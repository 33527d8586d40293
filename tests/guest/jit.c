/* jit.c -- self-modifying code, the way JITs do it: x86 code is written into
 * an RWX (then RW/RX via mprotect) mapping, called, rewritten and called
 * again. A translator must notice the stores/mprotect and retranslate. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef uint64_t (*fn_t)(uint64_t);

/* mov rax, imm64 ; add rax, rdi ; ret */
static void emit_add(uint8_t *p, uint64_t imm)
{
    p[0] = 0x48; p[1] = 0xb8;
    memcpy(p + 2, &imm, 8);
    p[10] = 0x48; p[11] = 0x01; p[12] = 0xf8;
    p[13] = 0xc3;
}

/* mov rax, rdi ; imul rax, rax, imm32 ; ret */
static void emit_mul(uint8_t *p, int32_t imm)
{
    p[0] = 0x48; p[1] = 0x89; p[2] = 0xf8;
    p[3] = 0x48; p[4] = 0x69; p[5] = 0xc0;
    memcpy(p + 6, &imm, 4);
    p[10] = 0xc3;
}

int main(void)
{
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    fn_t f = (fn_t)code;
    uint64_t sum = 0;
    for (int i = 0; i < 50; i++) {
        emit_add(code, 1000 * i);
        sum += f(i);
        if (i % 10 == 0)
            printf("add %d: %llu\n", i, (unsigned long long)f(i));
    }
    printf("sum after rewrites %llu\n", (unsigned long long)sum);
    /* W^X style: write while RW, then flip to RX. */
    for (int i = 1; i < 6; i++) {
        mprotect(code, 4096, PROT_READ | PROT_WRITE);
        emit_mul(code, i * 3);
        mprotect(code, 4096, PROT_READ | PROT_EXEC);
        printf("mul by %d: %llu\n", i * 3, (unsigned long long)f(11));
    }
    munmap(code, 4096);
    return 0;
}
